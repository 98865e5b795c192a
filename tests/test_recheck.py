"""The recheck job end to end on loopback: change classes, offline, stale verdicts,
several workers on PostgreSQL, and a kill -9 in the middle of a run."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from factcheck import RunSummary, Store, open_store
from factcheck.cli import cli
from factcheck.errors import SeedError
from factcheck.fixtureweb import FixtureHost, Route, page, redirect
from factcheck.store.leases import claim_due
from factcheck.store.models import CheckRunRow, SnapshotRow, SourceRow
from factcheck.tracking.recheck import JobRunning, RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
LOOPBACK = AddressPolicy.allowing("127.0.0.1/32")


def options(**overrides: object) -> RecheckOptions:
    base: dict[str, object] = {
        "settings": FetchSettings(min_interval=0.0, retries=0, total_timeout=5.0,
                                  addresses=LOOPBACK),
        "archive_dir": None, "readers": 0}
    return RecheckOptions(**{**base, **overrides})  # type: ignore[arg-type]


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return lambda: moment


@pytest.fixture
def hosts() -> Iterator[list[FixtureHost]]:
    web = [FixtureHost() for _ in range(3)]
    yield web
    for h in web:
        h.close()


ARTICLE = page("article.html")
MISSING = (b"<html><body><main><h1>Page not found</h1><p>Sorry, we could not find the page "
           b"you asked for. It may have moved or never existed. Try the search box or go "
           b"back to the fixture home page.</p></main></body></html>")


def test_each_change_class(store: Store, hosts: list[FixtureHost]) -> None:
    site, strict, soft = hosts
    for path in ("/same", "/edited", "/moved", "/canonical", "/gone", "/forbidden", "/broken"):
        site.routes[path] = Route(body=ARTICLE.replace(b"6,821.9", path.encode()))
    strict.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /private\n",
                                         content_type="text/plain")
    strict.routes["/private"] = Route(body=ARTICLE)
    soft.routes["*"] = Route(body=MISSING, validators=False)  # every unknown path: a 200
    soft.routes["/story"] = Route(body=ARTICLE)
    urls = [site.url(p) for p in ("/same", "/edited", "/moved", "/canonical", "/gone",
                                  "/forbidden", "/broken")]
    urls += [strict.url("/private"), soft.url("/story")]
    store.add_sources(urls)

    first = store.recheck(options(), clock=at(T0))
    assert first.status == "finished"
    assert first.checked == len(urls)
    states = {s.url: s.state for s in store.sources()}
    assert states[strict.url("/private")] == "blocked"
    assert {s for u, s in states.items() if u != strict.url("/private")} == {"unchanged"}

    site.routes["/edited"] = Route(body=ARTICLE.replace(b"6,821.9", b"7,000.0"))
    site.routes["/moved"] = redirect(301, site.url("/new-home"))
    site.routes["/new-home"] = Route(body=ARTICLE)
    site.routes["/canonical"] = Route(body=ARTICLE.replace(
        b'href="/news/budget-plan"', b'href="https://elsewhere.example/budget"'))
    site.routes["/gone"] = Route(status=404, body=b"gone", validators=False)
    site.routes["/forbidden"] = Route(status=403, body=b"no", validators=False)
    site.routes["/broken"] = Route(status=500, body=b"oops", validators=False)
    soft.routes["/story"] = Route(body=MISSING)
    second = store.recheck(options(), clock=at(T0 + timedelta(hours=27)))
    states = {s.url: s.state for s in store.sources()}
    assert states == {
        site.url("/same"): "unchanged", site.url("/edited"): "changed",
        site.url("/moved"): "moved", site.url("/canonical"): "moved",
        site.url("/gone"): "error", site.url("/forbidden"): "blocked",
        site.url("/broken"): "error", strict.url("/private"): "blocked",
        soft.url("/story"): "soft-404"}
    assert second.states["changed"] == 1
    assert sum(h.hits["/private"] for h in hosts) == 0  # robots.txt kept us out
    moved = next(s for s in store.sources() if s.url == site.url("/moved"))
    assert moved.final_url == site.url("/new-home")

    # Only the failures are due again soon (backoff from one hour); a day on, the 404
    # that persisted is gone.
    third = store.recheck(options(), clock=at(T0 + timedelta(hours=28, minutes=10)))
    assert third.checked == 3  # /gone, /broken and the blocked /forbidden
    fourth = store.recheck(options(), clock=at(T0 + timedelta(hours=52)))
    assert {s.url: s.state for s in store.sources()}[site.url("/gone")] == "gone"
    assert fourth.exit_code == 0  # no claim cites these sources

    changes = store.changes(second.run_id)
    edited = next(c for c in changes if c["source"] == site.url("/edited"))
    assert (edited["subject"], edited["before"], edited["after"]) == (
        "source", "unchanged", "changed")


def test_nothing_is_checked_twice_in_one_due_period(store: Store,
                                                    hosts: list[FixtureHost]) -> None:
    site = hosts[0]
    site.routes["*"] = Route(body=ARTICLE)
    store.add_sources(site.url(f"/p{i}") for i in range(20))
    assert store.recheck(options(), clock=at(T0)).checked == 20
    assert store.recheck(options(), clock=at(T0 + timedelta(hours=12))).checked == 0
    assert store.recheck(options(all_sources=True), clock=at(T0 + timedelta(hours=12))).checked \
        == 20
    # The --all run rescheduled them a day after it.
    assert store.recheck(options(), clock=at(T0 + timedelta(hours=30))).checked == 0
    assert store.recheck(options(), clock=at(T0 + timedelta(hours=40))).checked == 20
    assert sum(v for k, v in site.hits.items() if k.startswith("/p")) == 60


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_changes_nothing_and_says_why(store: Store) -> None:
    store.add_sources(["http://fixture-host-that-does-not-resolve.invalid/a",
                       "https://another-unresolvable-fixture.invalid/b"])
    summary = store.recheck(options(), clock=at(T0))
    assert (summary.status, summary.exit_code) == ("offline", 4)
    assert "none of 2 host names resolved" in (summary.reason or "")
    assert "no source has ever answered" in (summary.reason or "")
    assert all(s.status == "unchecked" and s.state is None for s in store.sources())
    assert store.runs()[0]["status"] == "offline"

    port = closed_port()  # resolves, but nothing answers: every fetch fails alike
    with open_store(store.url) as other:
        other.add_sources([f"http://127.0.0.1:{port}/x{i}" for i in range(5)])
    refused = store.recheck(options(all_sources=True), clock=at(T0))
    assert refused.status == "offline"
    assert "fetches failed" in (refused.reason or "")
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(SnapshotRow)) == 0
        assert s.scalar(select(func.count()).select_from(SourceRow).where(
            SourceRow.lease_owner.is_not(None))) == 0


def test_a_dead_domain_is_link_rot_not_an_outage(store: Store, hosts: list[FixtureHost]
                                                ) -> None:
    hosts[0].routes["/page"] = Route(body=ARTICLE)
    store.add_sources([hosts[0].url("/page")])
    assert store.recheck(options(), clock=at(T0)).status == "finished"  # it answered once
    dead = "http://expired-fixture-domain.invalid/story"
    store.add_sources([dead])  # now the only source due
    states = []
    for day in (0, 1, 2):
        summary = store.recheck(options(), clock=at(T0 + timedelta(days=day, hours=1)))
        assert summary.status == "finished", summary.reason
        assert summary.states.get("error", 0) + summary.states.get("gone", 0) == 1
        states.append(next(s for s in store.sources() if s.url == dead))
    assert [s.status for s in states] == ["no-such-host"] * 3
    assert [s.state for s in states] == ["error", "gone", "gone"]  # a day of no such host
    assert "does not exist" in (states[0].state_reason or "")
    assert "the domain no longer exists" in (states[-1].state_reason or "")
    assert hosts[0].hits["/robots.txt"] >= 1  # the host known to be up was asked


def test_when_the_hosts_known_to_be_up_fail_too_the_run_is_offline(
        store: Store, hosts: list[FixtureHost]) -> None:
    hosts[0].routes["/page"] = Route(body=ARTICLE)
    store.add_sources([hosts[0].url("/page")])
    store.recheck(options(), clock=at(T0))
    hosts[0].close()  # "our network": nothing that answered before answers now
    store.add_sources(["http://expired-fixture-domain.invalid/story"])
    summary = store.recheck(options(all_sources=True), clock=at(T0 + timedelta(days=1)))
    assert summary.status == "offline"
    assert "hosts that answered before" in (summary.reason or "")
    assert all(s.state in (None, "unchanged") for s in store.sources())


def test_the_worker_backs_off_while_offline(tmp_path: Path) -> None:
    db = tmp_path / "offline.db"
    with open_store(str(db), migrate=True) as store:
        store.add_sources(["http://expired-fixture-domain.invalid/story"])
    worker = subprocess.Popen(
        [sys.executable, "-m", "factcheck", "--db", str(db), "worker", "--poll", "60",
         "--readers", "0", "--archive", str(tmp_path / "warc")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(120, worker.kill)  # a hung worker fails the test, not CI
    watchdog.start()
    said: list[str] = []
    try:
        assert worker.stdout is not None
        for line in worker.stdout:  # until the first run has been reported
            said.append(line)
            if "offline: next try at" in line:
                break
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        watchdog.cancel()
        worker.kill()
    output = "".join(said) + output
    assert "offline: next try at" in output and "(in 30 s)" in output
    assert "worker stopped" in output
    with open_store(str(db)) as store:
        assert [r["status"] for r in store.runs()] == ["offline"]  # not one a second


def test_the_worker_loop_waits_until_the_next_source_is_due(store: Store) -> None:
    """Store.work, the loop behind `factcheck worker`: with nothing due it sleeps
    ``poll``, and a set ``stop`` ends it after the run in hand."""
    stop = threading.Event()
    heard: list[tuple[str, float]] = []

    def on_run(summary: RunSummary, wait: float) -> None:
        heard.append((summary.status, wait))
        stop.set()

    store.work(options(), poll=7.0, stop=stop, on_run=on_run)
    assert heard == [("finished", 7.0)]
    assert [r["status"] for r in store.runs()] == ["finished"]


def test_a_soft_404_is_flagged_on_its_first_check(store: Store, hosts: list[FixtureHost]
                                                  ) -> None:
    site = hosts[0]
    # The news section answers every unknown path with its "not found" page and a 200;
    # the rest of the site gives real 404s, so a probe at the root would miss it.
    site.routes["/news/*"] = Route(body=MISSING, validators=False)
    site.routes["/news/2019/budget"] = Route(body=MISSING, validators=False)  # already dead
    site.routes["/news/2023/story"] = Route(body=ARTICLE)
    site.routes["/about"] = Route(body=ARTICLE.replace(b"6,821.9", b"1.0"))
    dead, alive, about = (site.url("/news/2019/budget"), site.url("/news/2023/story"),
                          site.url("/about"))
    store.add_sources([dead, alive, about])
    first = store.recheck(options(), clock=at(T0))
    states = {s.url: (s.state, s.state_reason) for s in store.sources()}
    assert states[dead][0] == "soft-404"
    assert "already, on its first check" in (states[dead][1] or "")
    assert states[alive][0] == "unchanged" and states[about][0] == "unchanged"
    assert first.states == {"soft-404": 1, "unchanged": 2}
    probes = [p for p in site.hits if "factcheck-probe-" in p]
    # One probe per directory and run: /news/2019/, /news/2023/ and /; and /news/, as
    # the dead page's sibling answered with that very page (a second opinion above).
    assert sorted(p.rsplit("/", 1)[0] for p in probes) == [
        "", "/news", "/news/2019", "/news/2023"]
    # Nothing changes the next night: it stays flagged, and is not probed again.
    second = store.recheck(options(), clock=at(T0 + timedelta(days=1, hours=3)))
    assert second.states == {"soft-404": 1, "unchanged": 2}
    assert len([p for p in site.hits if "factcheck-probe-" in p]) == 4


def test_a_robots_txt_that_cannot_be_read_is_not_allow_everything(
        store: Store, hosts: list[FixtureHost]) -> None:
    binary, bom = hosts[0], hosts[1]
    binary.routes["/robots.txt"] = Route(
        body="User-agent: *\nDisallow: /\n".encode("utf-16-le"), content_type="text/plain")
    bom.routes["/robots.txt"] = Route(
        body="User-agent: *\nDisallow: /private\n".encode("utf-16"), content_type="text/plain")
    for host in hosts[:2]:
        host.routes["/private"] = Route(body=ARTICLE)
        host.routes["/public"] = Route(body=ARTICLE)
    store.add_sources([h.url(p) for h in hosts[:2] for p in ("/private", "/public")])
    store.recheck(options(), clock=at(T0))
    states = {s.url: (s.state, s.state_reason) for s in store.sources()}
    for path in ("/private", "/public"):  # UTF-16 with no BOM: unreadable, so disallowed
        assert states[binary.url(path)][0] == "blocked"
        assert "cannot be read" in (states[binary.url(path)][1] or "")
    assert states[bom.url("/private")][0] == "blocked"  # with a BOM: read, and obeyed
    assert states[bom.url("/public")][0] == "unchanged"
    assert binary.hits["/private"] == binary.hits["/public"] == 0


def test_recheck_async_runs_inside_a_callers_loop(store: Store, hosts: list[FixtureHost]
                                                  ) -> None:
    import asyncio

    hosts[0].routes["/page"] = Route(body=ARTICLE)
    store.add_sources([hosts[0].url("/page")])

    async def caller() -> str:
        summary = await store.recheck_async(options(), clock=at(T0))
        return summary.status

    assert asyncio.run(caller()) == "finished"


def test_factcheck_imports_where_fcntl_does_not_exist() -> None:
    code = "import sys; sys.modules['fcntl'] = None; import factcheck, factcheck.cli; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def claims_file(tmp_path: Path, url: str, quote: str) -> Path:
    (tmp_path / "article.txt").write_text(
        "The fixture council approved a budget of 6,821.9 million crowns, up 26.3 percent.",
        encoding="utf-8")
    seed = {"document": {"key": "fixture-article", "text_file": "article.txt"},
            "claims": [{"key": "budget", "kind": "statistic",
                        "quote": "The fixture council approved a budget of 6,821.9 million "
                                 "crowns, up 26.3 percent.",
                        "verdict": {"rating": "true", "rationale": "The fixture page says so."},
                        "evidence": [{"url": url, "quote": quote, "stance": "supports"}]}]}
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    return path


QUOTE = ("The council of the fixture city approved a budget of 6,821.9 million crowns for "
         "fiscal 2025 on Friday, an increase of 26.3 percent from the year before.")


def test_stale_verdicts_are_flagged_then_cleared(store: Store, hosts: list[FixtureHost],
                                                 tmp_path: Path) -> None:
    site, hook = hosts[0], hosts[1]
    site.routes["/story"] = Route(body=ARTICLE)
    store.load_seeds(claims_file(tmp_path, site.url("/story"), QUOTE))
    webhook = hook.url("/hook?token=secret")
    first = store.recheck(options(webhook_url=webhook), clock=at(T0))
    assert (first.exit_code, first.newly_stale) == (0, [])
    assert store.claim("budget").evidence[0].status == "found"
    assert not store.claim("budget").needs_review

    site.routes["/story"] = Route(body=ARTICLE.replace(b"26.3 percent", b"20.3 percent"))
    second = store.recheck(options(webhook_url=webhook), clock=at(T0 + timedelta(hours=27)))
    assert second.exit_code == 3
    claim = store.claim("budget")
    assert claim.needs_review
    assert claim.review_reasons == (
        f"evidence figures-changed at {site.url('/story')}: a cited figure changed: "
        "26.3 percent is now 20.3 percent",)
    assert second.newly_stale == [("fixture-article/budget", list(claim.review_reasons))]
    (path, body), = hook.posts
    assert path == "/hook?token=secret"
    assert json.loads(body)["claims"][0]["claim"] == "fixture-article/budget"
    assert store.claims()[0].to_dict()["needs_review"] is True

    from factcheck.reports import digest

    digest_md = digest(store)
    assert f"Run {second.run_id} (finished)" in digest_md
    assert "**fixture-article/budget**: evidence figures-changed" in digest_md
    assert json.loads(digest(store, as_json=True))["review_queue"][0]["claim"] == \
        "fixture-article/budget"

    store.record_verdict("budget", "mostly-true", "The figure was revised to 20.3%.")
    assert not store.claim("budget").needs_review
    third = store.recheck(options(), clock=at(T0 + timedelta(hours=54)))
    assert third.exit_code == 0
    assert third.needs_review == []


def test_one_job_at_a_time_on_sqlite(sqlite_url: URL) -> None:
    with open_store(sqlite_url, migrate=True) as store:
        with open(f"{sqlite_url.database}.lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with pytest.raises(JobRunning, match="another recheck is running"):
                store.recheck(options())
            result = CliRunner().invoke(cli, ["--db", str(sqlite_url.database), "recheck"])
            assert result.exit_code == 1
            assert "another recheck is running" in result.output
        assert store.recheck(options()).status == "finished"


def test_exit_codes_through_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "recheck", "--json"]).exit_code == 0  # nothing due
    with open_store(db) as store:
        store.add_sources(["http://fixture-unresolvable.invalid/"])
    offline = runner.invoke(cli, ["--db", db, "recheck", "--json", "--archive",
                                  str(tmp_path / "warc")])
    assert offline.exit_code == 4
    assert json.loads(offline.output)["status"] == "offline"


@pytest.mark.postgres
@pytest.mark.parametrize("workers", [2, 4])
def test_several_workers_share_postgres(postgres_url: URL, workers: int) -> None:
    host = FixtureHost()
    try:
        host.routes["*"] = Route(body=b"<p>fixture page</p>", delay=0.01)
        with open_store(postgres_url, migrate=True) as store:
            store.add_sources(host.url(f"/s{i}") for i in range(300))
        summaries = []

        def work(name: str) -> None:
            with open_store(postgres_url) as mine:
                summaries.append(mine.recheck(options(worker=name, batch=20),
                                              clock=at(T0)))
        threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        hits = {k: v for k, v in host.hits.items() if k.startswith("/s")}
        assert len(hits) == 300
        assert set(hits.values()) == {1}  # each source checked exactly once
        assert sum(s.checked for s in summaries) == 300
        assert sum(1 for s in summaries if s.checked) >= 2  # the work was shared
    finally:
        host.close()


def test_kill_9_mid_run_then_the_next_run_finishes_at_once(db_url: URL, tmp_path: Path) -> None:
    host = FixtureHost()
    try:
        host.routes["*"] = Route(body=ARTICLE, delay=0.05)
        with open_store(db_url, migrate=True) as store:
            store.add_sources(host.url(f"/k{i}") for i in range(200))
        child = subprocess.Popen(
            [sys.executable, "-m", "factcheck", "--db",
             db_url.render_as_string(hide_password=False), "recheck", "--allow-private",
             "--delay", "0", "--per-host", "2", "--readers", "0", "--archive",
             str(tmp_path / "warc")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        with open_store(db_url) as store:
            while time.monotonic() < deadline:
                with Session(store.engine) as s:
                    if (s.scalar(select(func.count()).select_from(SnapshotRow)) or 0) >= 20:
                        break
                time.sleep(0.05)
            os.kill(child.pid, signal.SIGKILL)
            child.wait(10)
            with Session(store.engine) as s:
                if store.engine.dialect.name == "sqlite":
                    assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
                done = s.scalar(select(func.count()).select_from(SnapshotRow)) or 0
                leased = s.scalar(select(func.count()).select_from(SourceRow).where(
                    SourceRow.lease_owner.is_not(None))) or 0
            assert 20 <= done < 200
            assert leased > 0  # the dead run's claims are still written on the sources ...
            # ... and the next run, straight away, knows its holder is dead and finishes.
            summary = store.recheck(options())
            assert summary.status == "finished"
            with Session(store.engine) as s:
                per_source = s.execute(select(SnapshotRow.source_id, func.count())
                                       .group_by(SnapshotRow.source_id)).all()
                runs = s.execute(select(CheckRunRow.status)).scalars().all()
            assert len(per_source) == 200
            assert max(n for _, n in per_source) == 1  # none fetched twice
            assert "interrupted" in runs
    finally:
        host.close()


def test_a_live_run_renews_its_leases_behind_a_slow_host(store: Store) -> None:
    host = FixtureHost()
    host.routes["*"] = Route(body=ARTICLE, delay=0.6)
    try:
        store.add_sources(host.url(f"/slow{i}") for i in range(4))
        results: list[object] = []
        runner = threading.Thread(target=lambda: results.append(store.recheck(options(
            lease=timedelta(seconds=1), heartbeat=timedelta(seconds=0.2),
            settings=FetchSettings(min_interval=0.0, per_host=1, retries=0,
                                   total_timeout=5.0, addresses=LOOPBACK)))))
        runner.start()
        time.sleep(1.5)  # past the first lease: only a renewal keeps the sources held
        with Session(store.engine) as session:
            taken = claim_due(session, worker="another", now=datetime.now(UTC),
                              lease=timedelta(minutes=1), limit=10, all_sources=False,
                              started=datetime.now(UTC))
            leased_to = set(session.scalars(select(SourceRow.lease_owner)))
            session.rollback()
        runner.join(30)
    finally:
        host.close()
    assert taken == []
    assert len(leased_to - {None}) == 1 and "another" not in leased_to
    (summary,) = results
    assert summary.status == "finished" and summary.checked == 4  # type: ignore[attr-defined]


def test_the_demo_runs_and_labels_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    from factcheck.demo import BANNER, main

    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(BANNER)
    for change in ("unchanged -> changed", "unchanged -> moved", "unchanged -> blocked",
                   "unchanged -> error", "error -> gone"):
        assert change in out
    assert "budget: evidence figures-changed" in out
    assert "26.3 percent is now 20.3 percent" in out
    assert (tmp_path / "demo.db").exists()


def test_a_failing_canary_means_offline(store: Store, hosts: list[FixtureHost]) -> None:
    hosts[0].routes["/page"] = Route(body=ARTICLE)
    store.add_sources([hosts[0].url("/page")])
    summary = store.recheck(options(canary_url=f"http://127.0.0.1:{closed_port()}/"),
                            clock=at(T0))
    assert summary.status == "offline"
    assert "canary" in (summary.reason or "")
    assert hosts[0].hits["/page"] == 0


def test_the_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "worker.db"
    with open_store(str(db), migrate=True):
        pass
    worker = subprocess.Popen(
        [sys.executable, "-m", "factcheck", "--db", str(db), "worker", "--poll", "60",
         "--archive", str(tmp_path / "warc")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert worker.stdout is not None
        for line in worker.stdout:  # wait for the first run to finish
            if line.startswith("run "):
                break
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
    finally:
        worker.kill()
    assert worker.returncode == 0
    assert "worker stopped" in out


def test_a_source_can_be_paused_resumed_and_checked_less_often(
        store: Store, hosts: list[FixtureHost], tmp_path: Path) -> None:
    site = hosts[0]
    site.routes["/story"] = Route(body=ARTICLE)
    path = claims_file(tmp_path, site.url("/story"), QUOTE)
    seed = yaml.safe_load(path.read_text(encoding="utf-8"))
    seed["claims"][0]["evidence"][0]["check_every"] = "7d"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    loaded = store.load_seeds(path)
    assert (loaded.evidence_added, loaded.evidence_changed) == (1, 0)  # new, not changed
    url = site.url("/story")
    assert store.source(url).check_interval_seconds == 7 * 86400

    store.schedule(url, paused=True)
    assert store.recheck(options(all_sources=True), clock=at(T0)).checked == 0
    assert site.hits["/story"] == 0
    store.schedule(url, paused=False, now=T0)  # resumed: due at once
    assert store.recheck(options(), clock=at(T0)).checked == 1
    checked = store.source(url)
    assert checked.next_check_at is not None
    assert timedelta(days=6) < checked.next_check_at - T0 < timedelta(days=8)  # weekly

    seed["claims"][0]["evidence"][0]["check_every"] = "every week"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SeedError, match="check_every"):
        store.load_seeds(path)
