"""The night always ends: a bounded archive phase, a deadline, no phase that can hang.

Behaviour, not timing: what was asked and how often, what the run says of itself, what
was left for the next run. bench/night.py measures the seconds.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from factcheck import Store, open_store
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.store.models import CheckRunRow, SourceRow
from factcheck.tracking.archives import ArchiveBudget
from factcheck.tracking.notify import notify
from factcheck.tracking.recheck import EXIT_OUT_OF_TIME, RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .corpus import CorpusPage, seed

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
DEAD = 120


def options(**overrides: object) -> RecheckOptions:
    base: dict[str, object] = {
        "settings": FetchSettings(min_interval=0.0, retries=0, total_timeout=5.0,
                                  addresses=AddressPolicy.allowing("127.0.0.1/32")),
        "archive_dir": None, "readers": 0}
    return RecheckOptions(**{**base, **overrides})  # type: ignore[arg-type]


class Silent:
    """A loopback server that accepts connections and never answers (its backlog
    completes the handshakes; nothing ever reads or writes)."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(256)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.accepted: list[socket.socket] = []

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.socket.close()

    def connected(self) -> bool:
        """Whether a client has connected (it waits in the backlog, never answered)."""
        self.socket.settimeout(0.05)
        try:
            self.accepted.append(self.socket.accept()[0])
        except OSError:
            return False
        return True


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.close()


@pytest.fixture
def site() -> Iterator[FixtureHost]:
    host = FixtureHost()
    yield host
    host.close()


def dead_sources(store: Store, site: FixtureHost, folder: Path, count: int = DEAD) -> None:
    """``count`` claims, each citing a page of ``site`` that answers 404."""
    pages = [CorpusPage(f"gone/{i}", "", "dead.example", "en",
                        (f"Fixture passage number {i} that the page once held.",))
             for i in range(count)]
    store.load_seeds(seed(pages, site.url(""), folder))


def test_an_archive_whose_name_does_not_resolve_is_asked_once_a_run(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    dead_sources(store, site, tmp_path / "seeds")
    summary = store.recheck(options(archive_base="https://archive.invalid"),
                            clock=lambda: T0)
    assert summary.status == "finished" and summary.checked == DEAD
    archive = summary.archive
    assert archive["looked_up"] == 0
    assert "did not answer" in archive["stopped"] and "resume next run" in archive["stopped"]
    # One wave of lookups at most (the archive host's per-host limit), then none.
    assert archive["deferred"] >= DEAD - FetchSettings().per_host
    assert summary.phases["seconds"]["archives"] >= 0
    # Nothing was recorded as looked up: the next run asks again, oldest first.
    assert {e.archive_status for c in store.claims() for e in c.evidence} == {None}


def test_an_archive_that_never_answers_costs_one_timeout(
        store: Store, site: FixtureHost, silent: Silent, tmp_path: Path) -> None:
    dead_sources(store, site, tmp_path / "seeds")
    summary = store.recheck(options(archive_base=silent.url), clock=lambda: T0)
    assert summary.status == "finished"
    assert "timeout" in summary.archive["stopped"]
    assert summary.archive["deferred"] >= DEAD - FetchSettings().per_host
    assert summary.archive["looked_up"] == 0


def test_the_archive_budget_leaves_the_rest_for_the_next_run(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    from factcheck.fixtureweb import FixtureArchive

    dead_sources(store, site, tmp_path / "seeds", count=12)
    archive_host = FixtureHost()
    archive = FixtureArchive(archive_host)
    try:
        first = store.recheck(options(archive_base=archive.base,
                                      archive_budget=ArchiveBudget(5, 60)),
                              clock=lambda: T0)
        assert (first.archive["looked_up"], first.archive["deferred"]) == (5, 7)
        second = store.recheck(options(archive_base=archive.base, all_sources=True,
                                       archive_budget=ArchiveBudget(5, 60)),
                               clock=lambda: T0 + timedelta(hours=1))
        assert (second.archive["looked_up"], second.archive["deferred"]) == (5, 2)
        looked = [e.archive_status for c in store.claims() for e in c.evidence]
        assert sum(s is not None for s in looked) == 10  # the oldest ten
    finally:
        archive_host.close()


def test_max_runtime_ends_a_run_on_time_saying_what_was_left(
        store: Store, site: FixtureHost) -> None:
    site.routes["/slow/*"] = Route(body=b"<html><body><p>A slow page.</p></body></html>",
                                   delay=0.5)
    store.add_sources([site.url(f"/slow/{i}") for i in range(40)])
    summary = store.recheck(options(max_runtime=timedelta(seconds=1), archive_base=None),
                            clock=lambda: T0)
    assert summary.status == "out-of-time"
    assert summary.exit_code == EXIT_OUT_OF_TIME
    assert 0 < summary.left < 40 and summary.checked + summary.left == 40
    assert f"{summary.left} of 40 due source(s) left for the next run" in (summary.reason or "")
    with store._session() as session:
        assert not session.scalars(select(SourceRow).where(
            SourceRow.lease_owner.is_not(None))).all()  # every claim released
        run = session.get(CheckRunRow, summary.run_id)
        assert run is not None and run.status == "out-of-time"
        assert run.phases is not None and run.phases["left"] == summary.left
    rest = store.recheck(options(archive_base=None), clock=lambda: T0 + timedelta(minutes=5))
    assert rest.status == "finished" and rest.checked == summary.left


def test_a_hanging_channel_is_given_up_on(silent: Silent) -> None:
    deliveries = notify([f"json://127.0.0.1:{silent.port}/hook"], "title", "body",
                        timeout=0.5)
    assert [(d.ok, d.reason) for d in deliveries] == [(False, "given up on: no answer in 0.5 s")]
    stopped = notify([f"json://127.0.0.1:{silent.port}/hook"], "title", "body",
                     timeout=60, should_stop=lambda: True)
    assert [d.reason for d in stopped] == ["given up on: the run was told to stop"]


def test_runs_say_where_their_time_went(store: Store, site: FixtureHost) -> None:
    site.routes["/page"] = Route(body=b"<html><body><p>A page.</p></body></html>")
    store.add_sources([site.url("/page")])
    summary = store.recheck(options(archive_base=None), clock=lambda: T0)
    (run,) = store.runs()
    assert run["phases"] == summary.phases
    assert set(run["phases"]["seconds"]) == {"fetching", "recording", "notifying"}
    assert run["phases"]["left"] == 0


# -- SIGTERM in each phase: the process ends, the run is marked and its claims released --

def _recheck(db: Path, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "factcheck", "--db", str(db), "recheck", "--allow-private",
         "--readers", "0", "--archive", str(tmp_path / "warc"), "--delay", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _until(condition: object, limit: float = 30.0) -> None:
    """Wait until ``condition()`` holds (bounded: a hang guard, not a timing check)."""
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the phase never began"
        time.sleep(0.05)


def _interrupted(db: Path, process: subprocess.Popen[str]) -> str:
    process.send_signal(15)
    try:
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    with open_store(str(db)) as store:
        (run,) = store.runs()
        assert run["status"] == "interrupted", out
        with store._session() as session:
            assert not session.scalars(select(SourceRow).where(
                SourceRow.lease_owner.is_not(None))).all()
    return out


def test_sigterm_while_fetching(site: FixtureHost, tmp_path: Path) -> None:
    site.routes["/slow/*"] = Route(body=b"<html><body><p>Slow.</p></body></html>", delay=60)
    db = tmp_path / "night.db"
    with open_store(str(db), migrate=True) as store:
        store.add_sources([site.url(f"/slow/{i}") for i in range(10)])
    process = _recheck(db, tmp_path, "--archive-base", "off")
    try:
        _until(lambda: site.in_flight > 0)
    finally:
        out = _interrupted(db, process)
    assert "left for the next run" in out


def test_sigterm_while_asking_the_archive(site: FixtureHost, silent: Silent,
                                          tmp_path: Path) -> None:
    db = tmp_path / "night.db"
    with open_store(str(db), migrate=True) as store:
        dead_sources(store, site, tmp_path / "seeds", count=10)
    process = _recheck(db, tmp_path, "--archive-base", silent.url)
    try:
        _until(silent.connected)  # the archive phase began
        _interrupted(db, process)
    finally:
        process.kill()
        process.wait()


def test_sigterm_while_notifying(site: FixtureHost, silent: Silent, tmp_path: Path) -> None:
    site.routes["/page"] = Route(body=b"<html><body><p>A page.</p></body></html>")
    db = tmp_path / "night.db"
    with open_store(str(db), migrate=True) as store:
        store.add_sources([site.url("/page")])
    process = _recheck(db, tmp_path, "--archive-base", "off", "--notify-on", "always",
                       "--notify", f"json://127.0.0.1:{silent.port}/hook")
    try:
        _until(silent.connected)  # the notification is being sent
        process.send_signal(15)
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert "given up on: the run was told to stop" in out


def test_a_hanging_webhook_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from factcheck.tracking import recheck as module

    monkeypatch.setattr(module, "NOTIFY_TIMEOUT", 0.2)
    released, answered = threading.Event(), threading.Event()

    def hanging(url: str, summary: object) -> None:
        released.wait(30)
        answered.set()

    monkeypatch.setattr(module, "_notify", hanging)
    summary = module.RunSummary(1, "finished", None, T0, T0,
                                newly_stale=[("doc/claim", ["evidence missing"])])
    module._tell(summary, options(webhook_url="http://127.0.0.1:9/hook"), lambda: False)
    assert not answered.is_set()  # the run went on while the webhook still hung
    released.set()
    assert "notifying" in summary.seconds
