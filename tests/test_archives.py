"""Public archives and the bytes behind a verdict, against a loopback archive (a
FIXTURE speaking the Wayback Machine's Memento endpoints) next to the fixture web."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from factcheck import Store
from factcheck.cli import cli as main
from factcheck.fixtureweb import FixtureArchive, FixtureHost, Route
from factcheck.tracking.archives import (
    Memento,
    closest,
    parse_timemap,
    raw_url,
    replay_url,
)
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .test_recheck import at, options

T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
VERDICT_DAY = date(2023, 1, 13)
BEFORE = datetime(2023, 1, 12, 9, 30, tzinfo=UTC)
AFTER = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)
PASSAGE = "The council approved a budget of 6,821.9 million crowns for fiscal 2025."
TEXT = "The council approved a budget of 6,821.9 million crowns, up 26.3 percent."


def html(body: str) -> bytes:
    return (f"<html><head><title>Budget (fixture)</title></head><body><article><h1>Budget"
            f"</h1><p>{body}</p><p>A fixture page for the archive tests.</p></article>"
            "</body></html>").encode()


def test_parse_timemap_reads_mementos_in_link_format() -> None:
    text = ('<http://a.example/>; rel="original",\n'
            '<https://web.archive.org/web/timemap/link/http://a.example/>; rel="self"; '
            'type="application/link-format"; from="Thu, 12 Jan 2023 09:30:00 GMT",\n'
            '<https://web.archive.org/web/20230112093000/http://a.example/>; '
            'rel="first memento"; datetime="Thu, 12 Jan 2023 09:30:00 GMT",\n'
            '<https://web.archive.org/web/20230601120000/http://a.example/>; rel="memento"; '
            'datetime="Thu, 01 Jun 2023 12:00:00 GMT",\n'
            '<https://web.archive.org/web/2023/http://a.example/>; rel="memento"; '
            'datetime="not a date"')
    assert parse_timemap(text) == [
        Memento(BEFORE, "https://web.archive.org/web/20230112093000/http://a.example/"),
        Memento(AFTER, "https://web.archive.org/web/20230601120000/http://a.example/")]
    assert parse_timemap("") == []


def test_the_capture_before_the_verdict_is_preferred() -> None:
    early, late = Memento(BEFORE, "e"), Memento(AFTER, "l")
    verdict = datetime(2023, 1, 13, 23, 59, tzinfo=UTC)
    assert closest([late, early], verdict) is early  # not after it, where one exists
    assert closest([late], verdict) is late  # else the earliest after
    assert closest([early, late], None) is late
    assert closest([], verdict) is None
    assert raw_url("https://a.org/", "http://x/p", BEFORE) == \
        "https://a.org/web/20230112093000id_/http://x/p"
    assert replay_url("https://a.org", "http://x/p", BEFORE) == \
        "https://a.org/web/20230112093000/http://x/p"


@pytest.fixture
def web(fixture_hosts: Callable[[int], list[FixtureHost]]
        ) -> tuple[FixtureHost, FixtureArchive]:
    site, archive_host = fixture_hosts(2)
    return site, FixtureArchive(archive_host)


def seed(tmp_path: Path, site: FixtureHost) -> Path:
    (tmp_path / "article.txt").write_text(
        f"{TEXT} Second. Third.", encoding="utf-8")
    claims = [{"key": key, "kind": "statistic", "quote": quote,
               "verdict": {"rating": "true", "rationale": "The fixture page says so.",
                           "date": VERDICT_DAY},
               "evidence": [{"url": site.url(f"/{key}"), "quote": PASSAGE,
                             "stance": "supports"}]}
              for key, quote in (("kept", TEXT), ("lost", "Second."), ("never", "Third."))]
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump({"document": {"key": "fixture-article",
                                                 "text_file": "article.txt"},
                                    "claims": claims}), encoding="utf-8")
    return path


def test_dead_sources_are_read_in_the_archive(store: Store, web: tuple[FixtureHost,
                                              FixtureArchive], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site, archive = web
    for key in ("kept", "lost", "never"):
        site.routes[f"/{key}"] = Route(body=html(PASSAGE))
    store.load_seeds(seed(tmp_path, site))
    # Recorded before any fetch: the verdict says so.
    (seeded,) = store.verdict_history("fixture-article")["fixture-article/kept"]
    assert [r["content_sha256"] for r in seeded.rested_on] == [None]
    assert "before any fetch" in seeded.rested_on[0]["note"]

    run = options(archive_base=archive.base)
    store.recheck(run, clock=at(T0))
    assert archive.host.hits == {}  # live sources: the archive is not asked

    # The pages die. "kept" was captured the day before the verdict with the passage,
    # and again months after with other words (a later capture is not preferred);
    # "lost" was captured without the passage; "never" was not captured at all.
    for key in ("kept", "lost", "never"):
        site.routes[f"/{key}"] = Route(status=404, body=b"gone", validators=False)
    archive.capture(site.url("/kept"), BEFORE, html(PASSAGE))
    archive.capture(site.url("/kept"), AFTER, html("A different page altogether."))
    archive.capture(site.url("/lost"), BEFORE, html("Nothing about budgets here."))
    store.recheck(run, clock=at(T0 + timedelta(hours=27)))

    evidence = {c.key: c.evidence[0] for c in store.claims()}
    kept, lost, never = evidence["kept"], evidence["lost"], evidence["never"]
    assert (kept.archive_status, kept.archived_at) == ("found", BEFORE)
    assert kept.archived_url == replay_url(archive.base, site.url("/kept"), BEFORE)
    assert (lost.archive_status, never.archive_status) == ("missing", "no-capture")
    assert never.archived_url is None

    # A TimeMap is not asked for again within a day; what was found is not redone.
    timemaps = sum(n for p, n in archive.host.hits.items() if "/timemap/" in p)
    assert timemaps == 3
    store.recheck(run, clock=at(T0 + timedelta(hours=30)))
    assert sum(n for p, n in archive.host.hits.items() if "/timemap/" in p) == 3
    # A day later, only the page with no capture is asked about again.
    store.recheck(run, clock=at(T0 + timedelta(hours=60)))
    asked = {p for p, n in archive.host.hits.items() if "/timemap/" in p and n > 1}
    assert asked == {f"/web/timemap/link/{site.url('/never')}"}

    # The 404s have lasted a day: the sources are gone, and the flags say what the
    # archive holds.
    reasons = store.claim("kept").review_reasons
    assert any("live source gone; passage found in the capture of 2023-01-12" in r
               for r in reasons), reasons
    assert any("lacks the passage" in r for r in store.claim("lost").review_reasons)
    assert any("no archived copy" in r for r in store.claim("never").review_reasons)

    # A desk that trusts a capture made before the verdict can let it settle the flag.
    monkeypatch.setenv("FACTCHECK_ARCHIVE_SETTLES", "1")
    assert not any("kept" in r for r in store.claim("kept").review_reasons)
    assert store.claim("lost").needs_review

    # A verdict recorded now rests on the bytes of the latest snapshot with a body, and
    # on the capture where the passage was read.
    verdict = store.record_verdict("kept", "true", "The archived page says so.")
    (rested,) = verdict.rested_on
    (snapshot,) = [s for s in store.snapshots(site.url("/kept")) if s.http_status == 200]
    assert rested["content_sha256"] == snapshot.content_sha256
    assert rested["fetched_at"] == snapshot.fetched_at.isoformat()
    assert rested["archived_at"] == BEFORE.isoformat()


def test_save_page_now_asks_only_for_what_the_policy_allows(
        store: Store, web: tuple[FixtureHost, FixtureArchive]) -> None:
    site, archive = web
    settings = FetchSettings(min_interval=0.0, retries=0,
                             addresses=AddressPolicy.allowing("127.0.0.1/32"))
    urls = [site.url("/a"), "http://10.1.2.3/internal"]
    outcomes = store.request_captures(urls, archive.base, settings, interval=0.0)
    assert outcomes[0] == (urls[0], "requested")
    assert outcomes[1][0] == urls[1] and outcomes[1][1].startswith("not requested")
    assert archive.saved == [urls[0]]


def cli(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(folder / "demo.db"), *args])


def test_the_demo_shows_the_archived_copy_everywhere(demo_folder: Path) -> None:
    claims = json.loads(cli(demo_folder, "claims", "--json").stdout)
    (projects,) = [c["evidence"][0] for c in claims if c["key"] == "projects"]
    assert projects["archive_status"] == "found"
    assert "/web/" in projects["archived_url"]
    public = cli(demo_folder, "report").stdout
    assert f'href="{projects["archived_url"]}"' in public and "archived copy" in public
    desk = cli(demo_folder, "report", "--audience", "desk").stdout
    assert "Public archive: found" in desk


def test_the_bytes_behind_a_verdict_can_be_shown_and_packaged(demo_folder: Path,
                                                               tmp_path: Path) -> None:
    history = json.loads(cli(demo_folder, "history", "budget", "--json").stdout)
    seeded, rerated = history
    assert seeded["rested_on"][0]["content_sha256"] is None
    (rested,) = rerated["rested_on"]
    archive = demo_folder / "archive"
    raw = cli(demo_folder, "show-snapshot", rested["url"], "--raw", "--archive", str(archive),
              "--sha", rested["content_sha256"][:12])
    assert raw.exit_code == 0, raw.stderr
    assert hashlib.sha256(raw.stdout_bytes).hexdigest() == rested["content_sha256"]
    text = cli(demo_folder, "show-snapshot", rested["url"])
    assert "20.3 percent" in text.stdout

    wacz = tmp_path / "evidence.wacz"
    out = cli(demo_folder, "export-wacz", "--document", "demo-article", "-o", str(wacz),
              "--archive", str(archive))
    assert out.exit_code == 0, out.output
    # Webrecorder's own validator (in a process of its own: it leaves files open).
    checked = subprocess.run(
        [sys.executable, "-c", "import sys; from wacz.main import main; "
         "sys.exit(main(['validate', '-f', sys.argv[1]]))", str(wacz)],
        capture_output=True, text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Validation succeeded" in checked.stdout
    with zipfile.ZipFile(wacz) as package:
        datapackage = json.loads(package.read("datapackage.json"))
        for resource in datapackage["resources"]:  # the digests verify
            data = package.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        (warc_name,) = [n for n in package.namelist() if n.startswith("archive/")]
        records = list(ArchiveIterator(io.BytesIO(package.read(warc_name))))
        pages = package.read("pages/pages.jsonl").decode().splitlines()
    # Exactly the exchange the verdict rests on: its response and request, as recorded.
    assert [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in records] == [
        ("response", rested["url"]), ("request", rested["url"])]
    assert json.loads(pages[1])["url"] == rested["url"]
