"""A bad source is a bad source, never a failed night.

A loopback web of malformed answers (each written here, beside good pages) is rechecked
twice in a row on SQLite and PostgreSQL: every source is recorded with an outcome that
says what happened, and the run finishes. Around it: the fetcher's own guards, a fuzz
test of ``extract``, seeds that are refused, verdicts that the database itself keeps,
outputs that cannot be turned against their readers, and a run stopped by SIGINT.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factcheck import Store, open_store
from factcheck.cli import cli
from factcheck.errors import InvalidURL, SeedError
from factcheck.fixtureweb import FixtureHost, Route, make_pdf, page, redirect
from factcheck.reports import Publisher, build_report
from factcheck.reports.render import render
from factcheck.seeds import read_seed
from factcheck.store.models import CheckRunRow, SnapshotRow, SourceRow, VerdictRow
from factcheck.text.extract import Page, extract
from factcheck.tracking.pipeline import record_isolated
from factcheck.tracking.readers import Readers
from factcheck.tracking.recheck import RecheckOptions
from factcheck.urls import check_sendable, normalize_url
from factcheck.web.captures import Capture
from factcheck.web.fetcher import (
    Fetcher,
    FetchResult,
    FetchSettings,
    header_value,
    retry_after_seconds,
)
from factcheck.web.safety import AddressPolicy

from .conftest import SEEDS

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
LOOPBACK = AddressPolicy.allowing("127.0.0.1/32")
ARTICLE = page("article.html")


def options(**overrides: object) -> RecheckOptions:
    base: dict[str, object] = {
        "settings": FetchSettings(min_interval=0.0, retries=1, backoff=0.01,
                                  total_timeout=5.0, addresses=LOOPBACK),
        "archive_dir": None, "readers": 0}
    return RecheckOptions(**{**base, **overrides})  # type: ignore[arg-type]


class NonAsciiValidators(Route):
    """A fixture route whose ETag and Last-Modified hold bytes that are not ASCII."""


def hostile_web() -> tuple[list[FixtureHost], dict[str, str]]:
    """Fixture hosts serving each malformed answer beside good pages: {url: case}."""
    site, robots_to_data = FixtureHost(), FixtureHost()
    site.routes.update({
        "/good-1": Route(body=ARTICLE),
        "/good-2": Route(body=ARTICLE.replace(b"6,821.9", b"6,900.0")),
        "/to-data": redirect(302, "data:text/html,hi"),
        "/to-javascript": redirect(302, "javascript:alert(1)"),
        "/to-bad-port": redirect(301, "http://127.0.0.1:99999/"),
        "/retry-after": Route(status=503, body=b"busy", validators=False,
                              headers={"Retry-After": "\xb2"}),
        "/rot13": Route(body=b"<html><body><p>Fixture text.</p></body></html>",
                        content_type="text/html; charset=rot13"),
        "/hex": Route(body=b"<html><body><p>Fixture text.</p></body></html>",
                      content_type="text/html; charset=hex"),
        "/control": Route(body=b"<html><body><p>a<!-- c -->\x01b</p></body></html>"),
        "/validators": Route(body=ARTICLE, validators=False,
                             headers={"ETag": '"caf\xe9"',
                                      "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT\xe9"}),
        "/nul-title.pdf": Route(body=make_pdf(["Fixture PDF text."], title=b"Bad\\000Title"),
                                content_type="application/pdf"),
        "/nul-html": Route(body=b"<html><head><title>T\x00itle</title></head>"
                                b"<body><p>x\x00y</p></body></html>"),
    })
    robots_to_data.routes.update({
        "/robots.txt": redirect(301, "data:text/plain,User-agent: *"),
        "/page": Route(body=ARTICLE),
    })
    cases = {site.url(path): path for path in site.routes}
    cases[robots_to_data.url("/page")] = "robots-to-data"
    return [site, robots_to_data], cases


@pytest.fixture
def hostile() -> Iterator[dict[str, str]]:
    hosts, cases = hostile_web()
    yield cases
    for h in hosts:
        h.close()


def test_two_rechecks_over_malformed_answers_record_every_source(
        store: Store, hostile: dict[str, str]) -> None:
    store.add_sources(list(hostile))
    for night in range(2):
        summary = store.recheck(options(all_sources=True),
                                clock=lambda n=night: T0 + timedelta(days=n))  # type: ignore[misc]
        assert summary.status == "finished", summary.reason
        assert summary.checked == len(hostile)
    outcomes = {s.url: (s.status, s.last_error) for s in store.sources()}
    by_case = {case: outcomes[url] for url, case in hostile.items()}
    assert by_case["/good-1"][0] in ("fetched", "unchanged")
    assert by_case["/good-2"][0] in ("fetched", "unchanged")
    for case in ("/to-data", "/to-javascript", "/to-bad-port"):
        status, error = by_case[case]
        assert status == "bad-redirect" and "cannot be fetched" in (error or "")
    assert by_case["/retry-after"][0] == "http-error"
    for case in ("/rot13", "/hex", "/control", "/nul-title.pdf", "/nul-html",
                 "/validators", "robots-to-data"):
        assert by_case[case][0] in ("fetched", "unchanged"), (case, by_case[case])
    with Session(store.engine) as s:
        # Both nights recorded every source: none was left first in line.
        checks = dict(s.execute(select(SnapshotRow.source_id, func.sum(SnapshotRow.times_seen))
                                .group_by(SnapshotRow.source_id)).all())
        assert set(checks.values()) == {2}
        validators = s.execute(select(SourceRow.etag, SourceRow.last_modified).where(
            SourceRow.url == next(u for u, c in hostile.items() if c == "/validators"))).one()
        titles = s.scalars(select(SnapshotRow.title).where(SnapshotRow.title.is_not(None)))
        assert all("\x00" not in t for t in titles)
    assert validators == (None, None)  # never stored, so never sent back


def test_a_source_the_database_refuses_costs_that_source_only() -> None:
    """record_isolated: a batch that fails is recorded one by one; the bad capture is
    recorded as an error with the reason; the good ones as they are."""
    recorded: list[list[int]] = []
    errors: list[str] = []

    def record(captures: list[Capture]) -> None:
        if any(c.source_id == 2 and c.page is not None for c in captures):
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        recorded.append([c.source_id for c in captures])
        errors.extend(str(c.result.error) for c in captures if c.result.error)

    result = FetchResult(url="http://fixture.example/", started_at=T0, elapsed=0.1,
                         status=200, body=b"<p>x</p>")
    captures = [Capture(i, result, extract(b"<p>x</p>", "text/html")) for i in (1, 2, 3)]
    record_isolated(record, captures)
    assert recorded == [[1], [2], [3]]
    assert errors == ["could not be recorded: ValueError: A string literal cannot contain "
                      "NUL (0x00) characters."]


def test_when_even_the_error_cannot_be_recorded_the_run_fails() -> None:
    def record(captures: list[Capture]) -> None:
        raise ConnectionError("the database is gone")

    result = FetchResult(url="http://fixture.example/", started_at=T0, elapsed=0.1, status=200)
    with pytest.raises(ConnectionError):
        record_isolated(record, [Capture(1, result, None)])


# -- the fetcher's guards ---------------------------------------------------------------

def test_retry_after_is_parsed_tolerantly() -> None:
    assert retry_after_seconds("\xb2", T0) is None
    assert retry_after_seconds("١٢", T0) is None  # Arabic-Indic digits are not seconds
    assert retry_after_seconds("Mon, 99 Foo 2024 99:99:99 GMT", T0) is None
    assert retry_after_seconds(" 12 ", T0) == 12.0
    assert retry_after_seconds("Thu, 01 Jan 2026 03:00:30 GMT", T0) == 30.0


def test_validators_are_kept_only_when_they_can_be_sent_back() -> None:
    assert header_value('"abc"') == '"abc"'
    assert header_value('"caf\xe9"') is None
    assert header_value("a\r\nInjected: 1") is None
    assert header_value("x" * 2000) is None
    assert header_value(None) is None


def test_a_stored_bad_validator_is_not_sent() -> None:
    host = FixtureHost()
    host.routes["/page"] = Route(body=ARTICLE)
    try:
        async def go() -> FetchResult:
            async with Fetcher(FetchSettings(min_interval=0.0, addresses=LOOPBACK)) as f:
                return await f.fetch(host.url("/page"), etag='"caf\xe9"',
                                     last_modified="\xb2")
        result = asyncio.run(go())
    finally:
        host.close()
    assert result.outcome == "fetched"


def test_the_timeout_covers_every_redirect_hop() -> None:
    host = FixtureHost()
    for i in range(6):
        host.routes[f"/hop{i}"] = Route(status=302, delay=0.4, content_type=None,
                                        validators=False,
                                        headers={"Location": f"/hop{i + 1}"})
    host.routes["/hop6"] = Route(body=ARTICLE)
    try:
        async def go() -> FetchResult:
            async with Fetcher(FetchSettings(min_interval=0.0, retries=0, total_timeout=1.0,
                                             addresses=LOOPBACK)) as f:
                return await f.fetch(host.url("/hop0"))
        result = asyncio.run(go())
    finally:
        host.close()
    assert result.outcome == "timeout"
    assert len(result.redirects) < 6  # stopped within the budget, not at the end


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "64:ff9b::a00:1", "::127.0.0.1",
                                     "::10.0.0.1", "fec0::1", "::ffff:169.254.169.254",
                                     "2002:7f00:1::1"])
def test_every_embedding_of_a_private_address_is_refused(address: str) -> None:
    assert not AddressPolicy().permits(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_still_pass(address: str) -> None:
    assert AddressPolicy().permits(ipaddress.ip_address(address))


# -- extract never raises -----------------------------------------------------------------

_HTML = (b"<!doctype html><html><head><title>T</title><meta charset=utf-8></head><body>"
         b"<article><p>a<!-- c --> b &amp; <b>c</b></p><script>x</script></article>"
         b"</body></html>")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_HTML)), st.binary(min_size=0, max_size=8)),
                max_size=12),
       st.sampled_from([None, "text/html", "application/xhtml+xml", "text/plain"]),
       st.sampled_from([None, "utf-8", "rot13", "hex", "utf-16", "bogus", "zlib"]))
def test_extract_never_raises_on_mutated_html(mutations: list[tuple[int, bytes]],
                                              content_type: str | None,
                                              charset: str | None) -> None:
    body = bytearray(_HTML)
    for at, insert in mutations:
        body[at:at] = insert
    result = extract(bytes(body), content_type, "http://fixture.example/", charset)
    for value in (result.text, result.main_text, result.title or ""):
        assert "\x00" not in value


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_extract_never_raises_on_random_bodies(body: bytes) -> None:
    for content_type in ("text/html", "application/pdf", None):
        result = extract(body, content_type)
        assert "\x00" not in result.text


def html_result(body: bytes) -> FetchResult:
    return FetchResult(url="http://fixture.example/", started_at=T0, elapsed=0, status=200,
                       headers={"content-type": "text/html"}, body=body)


def test_a_reader_process_that_dies_is_replaced() -> None:
    readers = Readers(1)
    try:
        async def go() -> list[str | None]:
            pool = readers._pool
            await readers.extract(html_result(b"<p>warm</p>"))
            for pid in list(pool._processes):  # type: ignore[attr-defined]
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            crashed = await readers.extract(html_result(b"<p>a</p>"))
            after = await readers.extract(html_result(b"<p>back</p>"))
            return [crashed.problem, after.text]
        problem, after = asyncio.run(go())
    finally:
        readers.shutdown()
    assert "crashed the reader" in (problem or "")
    assert after == "back"


def test_pages_read_together_when_a_reader_dies_are_each_read_again() -> None:
    """Pages that arrive together go to a reader in one batch; if the reader dies under
    the batch, each page is read again alone, and none is marked for a death it did not
    cause."""
    readers = Readers(1)
    try:
        async def go() -> tuple[list[Page], set[int], set[int]]:
            await readers.extract(html_result(b"<p>warm</p>"))
            before = set(readers._pool._processes)  # type: ignore[attr-defined]
            for pid in before:
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            pages = await asyncio.gather(*(readers.extract(html_result(f"<p>{w}</p>".encode()))
                                           for w in ("one", "two", "three")))
            return pages, before, set(readers._pool._processes)  # type: ignore[attr-defined]
        pages, before, after = asyncio.run(go())
    finally:
        readers.shutdown()
    assert [p.text for p in pages] == ["one", "two", "three"]
    assert all(p.problem is None for p in pages)
    assert after and not after & before  # a new reader took over


def test_reader_processes_die_with_their_parent(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import asyncio, sys
        from datetime import datetime, UTC
        from factcheck.tracking.readers import Readers
        from factcheck.web.fetcher import FetchResult
        readers = Readers(1)
        asyncio.run(readers.extract(FetchResult(url="http://f/", started_at=datetime.now(UTC),
                                                elapsed=0, status=200, body=b"<p>x</p>")))
        print(*readers._pool._processes, flush=True)
        import time; time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert parent.stdout is not None
        children = [int(p) for p in parent.stdout.readline().split()]
        assert children
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in children):
            time.sleep(0.1)
        assert not any(_alive(p) for p in children)
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


# -- seeds ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://0177.0.0.1/", "http://1.1.1.01/",
                                 "http://256.256.256.256/", "http://fixture.example/\x7f",
                                 "http://fixture.example/a\x00b", "http://127.0.0.1:99999/",
                                 "http://fixture.example/" + "a" * 70_000,
                                 "data:text/html,hi", "javascript:alert(1)"])
def test_urls_the_fetcher_cannot_send_are_refused(url: str) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(url)
    with pytest.raises(InvalidURL):
        check_sendable(url)


def write_seed(folder: Path, document: str, claims: str = "claims: []\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.txt").write_text("A fixture sentence. Another one.", encoding="utf-8")
    path = folder / "seed.yaml"
    path.write_text(f"document:\n{textwrap.indent(document, '  ')}\n{claims}",
                    encoding="utf-8")
    return path


def test_a_seed_url_the_fetcher_cannot_send_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = write_seed(tmp_path, "key: doc\ntext_file: article.txt", textwrap.dedent("""
        claims:
          - key: one
            quote: "A fixture sentence."
            kind: event
            evidence:
              - {url: "http://0177.0.0.1/", quote: "x", stance: supports}
        """))
    with pytest.raises(SeedError) as error:
        read_seed(path)
    assert error.value.claim == "one" and error.value.field == "evidence[0].url"
    assert "0177.0.0.1" in str(error.value)


@pytest.mark.parametrize("target", ["../../../../etc/passwd", "/etc/passwd",
                                    "/proc/self/environ", "/dev/zero", "link", "fifo",
                                    "folder"])
def test_text_file_stays_inside_the_seed_folder(tmp_path: Path, target: str) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "link").symlink_to("/etc/passwd")
    os.mkfifo(seeds / "fifo")
    (seeds / "folder").mkdir()
    path = write_seed(seeds, f"key: doc\ntext_file: {target!r}")
    with pytest.raises(SeedError) as error:
        read_seed(path)
    assert error.value.field == "document.text_file"
    assert target.rsplit("/", 1)[-1] in str(error.value)
    assert "root:" not in str(error.value)  # nothing of the file is read or echoed


def test_a_huge_text_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("factcheck.seeds.MAX_TEXT_BYTES", 10)
    path = write_seed(tmp_path, "key: doc\ntext_file: article.txt")
    with pytest.raises(SeedError, match="at most 10 are read"):
        read_seed(path)


def test_duplicate_yaml_keys_and_impossible_dates_are_seed_errors(tmp_path: Path) -> None:
    path = write_seed(tmp_path, "key: doc\nkey: other\ntext_file: article.txt")
    with pytest.raises(SeedError, match="the key 'key' is given twice"):
        read_seed(path)
    path = write_seed(tmp_path, "key: doc\ntext_file: article.txt\npublished: 2023-02-30")
    with pytest.raises(SeedError, match="impossible date"):
        read_seed(path)


# -- verdicts are append-only in the database itself ---------------------------------------

def test_plain_sql_cannot_rewrite_or_erase_a_verdict(store: Store, seed_dir: Path) -> None:
    store.load_seeds(seed_dir)
    statements = ["UPDATE verdict SET rating = 'false'", "DELETE FROM verdict"]
    if store.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE verdict CASCADE")
    with Session(store.engine) as s:
        before = s.scalar(select(func.count()).select_from(VerdictRow))
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(VerdictRow)) == before
        assert s.scalar(select(func.count()).select_from(VerdictRow)
                        .where(VerdictRow.rating == "false")) == 0


# -- outputs cannot be turned against their readers -----------------------------------------

PLANTED_TITLE = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture
def planted(tmp_path: Path) -> Store:
    """A store whose seed and cited page carry hostile text."""
    seeds = tmp_path / "planted"
    write_seed(seeds, "key: doc\ntext_file: article.txt", textwrap.dedent("""
        claims:
          - key: one
            quote: "A fixture sentence."
            kind: event
            claim: "-2+3 </script><script>alert(1)</script>"
            verdict: {rating: "true", rationale: "@SUM(A1) fixture rationale"}
            evidence:
              - url: "https://fixture.example/a)<script>alert(1)</script>[x](javascript:y)"
                quote: "A passage."
                stance: supports
        """))
    store = open_store(f"sqlite:///{tmp_path / 'planted.db'}", migrate=True)
    store.load_seeds(seeds)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE source SET title = :t"), {"t": PLANTED_TITLE})
    return store


def test_csv_cells_that_would_be_formulas_are_neutralized(planted: Store) -> None:
    import csv
    import io
    with planted:
        rows = list(csv.DictReader(io.StringIO(render(build_report(planted), "csv"))))
    assert rows[0]["source_title"] == "'" + PLANTED_TITLE
    assert rows[0]["rationale"].startswith("'@SUM")
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())


def test_markdown_escapes_urls_and_link_syntax(planted: Store) -> None:
    with planted:
        markdown = render(build_report(planted), "md")
    assert "<script>" not in markdown
    assert "](javascript:" not in markdown
    assert "%3Cscript%3E" in markdown  # the target is percent-encoded, still one link


def test_claimreview_can_be_embedded_in_a_script_element(planted: Store) -> None:
    with planted:
        document = render(build_report(planted), "claimreview", publisher=Publisher(
            "Fixture Desk", "https://desk.example/", "https://desk.example/checks"))
    assert "</script>" not in document and "<" not in document and "&" not in document
    assert json.loads(document)[0]["claimReviewed"].endswith("</script>")


# -- one-line errors ---------------------------------------------------------------------------

def one_line_error(args: list[str], **kwargs: object) -> str:
    result = CliRunner().invoke(cli, args, **kwargs)  # type: ignore[arg-type]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_one_line_errors(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not a database at all, " * 100)
    assert "not a factcheck database" in one_line_error(["--db", str(not_a_db), "claims"])
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 au lait.".encode("latin-1"))
    assert "not UTF-8" in one_line_error(["extract-claims", str(latin)])
    db = tmp_path / "ok.db"
    CliRunner().invoke(cli, ["--db", str(db), "init"])
    CliRunner().invoke(cli, ["--db", str(db), "seed", str(SEEDS)])
    assert "cannot use" in one_line_error(
        ["--db", str(db), "report", "-o", str(tmp_path / "missing" / "r.html")])


@pytest.mark.parametrize("option", ["--canary", "--webhook"])
def test_a_bad_url_option_is_a_one_line_error_before_any_run(tmp_path: Path,
                                                            option: str) -> None:
    db = tmp_path / "x.db"
    CliRunner().invoke(cli, ["--db", str(db), "init"])
    output = one_line_error(["--db", str(db), "recheck", option, "http://256.256.256.256/"])
    assert option in output and "Invalid IPv4 address" in output
    with open_store(str(db)) as store:
        assert store.runs() == []  # no run was started, so none is left "running"


# -- stopping cleanly ---------------------------------------------------------------------------

def test_sigint_mid_run_then_an_immediate_rerun_completes(tmp_path: Path) -> None:
    host = FixtureHost()
    try:
        host.routes["*"] = Route(body=ARTICLE, delay=0.05)
        db = tmp_path / "stopped.db"
        with open_store(str(db), migrate=True) as store:
            store.add_sources(host.url(f"/s{i}") for i in range(600))
        child = subprocess.Popen(
            [sys.executable, "-m", "factcheck", "--db", str(db), "recheck", "--allow-private",
             "--delay", "0", "--per-host", "2", "--readers", "1", "--archive",
             str(tmp_path / "warc")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        with open_store(str(db)) as store:
            while time.monotonic() < deadline:
                with Session(store.engine) as s:
                    if (s.scalar(select(func.count()).select_from(SnapshotRow)) or 0) >= 20:
                        break
                time.sleep(0.05)
            child.send_signal(signal.SIGINT)
            output, _ = child.communicate(timeout=60)
            assert "Traceback" not in output
            assert child.returncode == 4, output
            with Session(store.engine) as s:
                run = s.scalars(select(CheckRunRow)).one()
                leased = s.scalar(select(func.count()).select_from(SourceRow).where(
                    SourceRow.lease_owner.is_not(None)))
                done = s.scalar(select(func.count()).select_from(SnapshotRow)) or 0
            assert run.status == "interrupted" and leased == 0
            assert 20 <= done < 600  # claimed but not started: dropped and released
            # No lease to wait for: the next run, straight away, finishes the rest.
            summary = store.recheck(options())
            assert summary.status == "finished"
            assert summary.checked == 600 - done
    finally:
        host.close()
