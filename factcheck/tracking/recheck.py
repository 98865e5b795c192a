"""The recheck: claim what is due, fetch it, record what changed, flag stale verdicts.

One run::

    lock (SQLite: one job at a time) -> run record -> offline? -> claim due sources with
    a lease (PostgreSQL: FOR UPDATE SKIP LOCKED) -> fetch, extract, classify, re-anchor,
    record, a batch per transaction -> release -> summary, webhook

Offline is a property of the run: if no host name resolves, or the canary fails, or
every fetch of the run failed at the network level, nothing about any source is
written and the run says so. Killed at any moment, the database holds whole batches;
leases expire, a later run marks the dead run ``interrupted`` and takes the rest.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from factcheck.errors import FactCheckError, NameResolutionFailed, NetworkError
from factcheck.fetching import DEFAULT_READERS, Capture, Target, fetch_targets
from factcheck.store.models import (
    ChangeEventRow,
    CheckRunRow,
    ClaimRow,
    DocumentRow,
    EvidenceRow,
    SourceRow,
    utcnow,
)
from factcheck.store.snapshots import record_captures, reviews
from factcheck.urls import check_sendable
from factcheck.web.fetcher import Fetcher, FetchSettings
from factcheck.web.safety import resolve

__all__ = ["EXIT_FAILED", "EXIT_NEEDS_REVIEW", "EXIT_OK", "JobRunning", "RecheckOptions",
           "RunSummary", "recheck"]

log = logging.getLogger("factcheck.recheck")

EXIT_OK = 0
EXIT_NEEDS_REVIEW = 3
EXIT_FAILED = 4

NETWORK_OUTCOMES = frozenset({"dns-error", "connection-error", "timeout", "tls-error",
                              "network-error"})


class JobRunning(FactCheckError):
    """Another recheck holds this SQLite database; one job runs at a time."""


@dataclass(frozen=True)
class RecheckOptions:
    """How a recheck runs. Every field has a default fit for a nightly job."""

    #: Check every source, not only those due (each still once per run).
    all_sources: bool = False
    settings: FetchSettings = field(default_factory=FetchSettings)
    archive_dir: Path | None = Path("archive")
    readers: int = DEFAULT_READERS
    #: Sources claimed per transaction.
    batch: int = 100
    #: How long a claim on a source holds; a dead worker's claims lapse after it.
    lease: timedelta = timedelta(minutes=15)
    #: A URL that answers whenever our own network works; if it fails, the run is offline.
    canary_url: str | None = None
    #: Hosts whose names are resolved before the run; none resolving means offline.
    preflight_hosts: int = 20
    #: POST a JSON message here when verdicts become stale.
    webhook_url: str | None = None
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is what cron sees."""

    run_id: int
    status: str  # finished | offline | failed | interrupted
    reason: str | None
    started_at: datetime
    finished_at: datetime
    checked: int = 0
    states: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    #: Claims whose verdict became stale in this run: (DOCUMENT/KEY, reasons).
    newly_stale: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Every claim that needs review now.
    needs_review: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.status != "finished":
            return EXIT_FAILED
        return EXIT_NEEDS_REVIEW if self.needs_review else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id, "status": self.status, "reason": self.reason,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(), "checked": self.checked,
            "unchanged": self.states.get("unchanged", 0),
            "changed": self.states.get("changed", 0), "states": dict(self.states),
            "errors": self.errors,
            "newly_stale": [{"claim": c, "reasons": r} for c, r in self.newly_stale],
            "needs_review": [{"claim": c, "reasons": r} for c, r in self.needs_review],
            "exit_code": self.exit_code,
        }


# -- one job at a time on SQLite ---------------------------------------------------------

@contextmanager
def _single_job(engine_url: Any) -> Iterator[None]:
    """On a SQLite file, hold an exclusive lock beside it; the OS frees it on any death."""
    if engine_url.get_backend_name() != "sqlite" or engine_url.database in (None, "",
                                                                            ":memory:"):
        yield
        return
    path = Path(f"{engine_url.database}.lock")
    handle: IO[str] = open(path, "a")  # noqa: SIM115 - held for the run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise JobRunning(f"another recheck is running on {engine_url.database}; "
                             "one job at a time on SQLite (use PostgreSQL for several "
                             "workers)") from exc
        yield
    finally:
        handle.close()


# -- claiming due sources ------------------------------------------------------------

def _due(now: datetime, all_sources: bool, started: datetime) -> Any:
    free = or_(SourceRow.lease_until.is_(None), SourceRow.lease_until < now)
    if all_sources:  # every source, once in this run
        return free & or_(SourceRow.last_checked_at.is_(None),
                          SourceRow.last_checked_at < started)
    return free & (SourceRow.next_check_at <= now)


def due_batch(now: datetime, *, all_sources: bool, started: datetime, limit: int) -> Any:
    """The next ``limit`` due sources, as the claim takes them: in due order, along one
    index (``ix_source_due``), skipping rows another worker holds locked."""
    return (select(SourceRow.id).where(_due(now, all_sources, started))
            .order_by(SourceRow.next_check_at, SourceRow.id)
            .limit(limit).with_for_update(skip_locked=True))


def claim_due(session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int,
              all_sources: bool, started: datetime) -> list[Target]:
    """Lease up to ``limit`` due sources to ``worker`` in one statement, and return them.

    On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``: workers never wait
    for each other and never take the same source.
    """
    picked = due_batch(now, all_sources=all_sources, started=started, limit=limit)
    rows = session.execute(
        update(SourceRow).where(SourceRow.id.in_(picked.scalar_subquery()))
        .values(lease_owner=worker, lease_until=now + lease)
        .returning(SourceRow.id, SourceRow.url, SourceRow.etag, SourceRow.last_modified,
                   SourceRow.text_sha256, SourceRow.content_sha256))
    return [Target(*row) for row in rows]


def _release(session: Session, worker: str) -> None:
    session.execute(update(SourceRow).where(SourceRow.lease_owner == worker)
                    .values(lease_owner=None, lease_until=None))


# -- offline ---------------------------------------------------------------------------

async def _offline_reason(hosts: list[str], options: RecheckOptions) -> str | None:
    """Why our own network looks down, or None."""
    if hosts:
        results = await asyncio.gather(*(resolve(h, 443) for h in hosts),
                                       return_exceptions=True)
        if all(isinstance(r, NameResolutionFailed) for r in results):
            return (f"the network is unreachable: none of {len(hosts)} host names resolved "
                    f"(e.g. {hosts[0]}); no source was changed")
    if options.canary_url:
        async with Fetcher(options.settings) as fetcher:
            result = await fetcher.fetch(options.canary_url)
        if isinstance(result.error, NetworkError):
            return f"the canary {options.canary_url} failed ({result.error}); " \
                   "no source was changed"
    return None


# -- the run -----------------------------------------------------------------------------

def recheck(session_factory: sessionmaker[Session], engine_url: Any, options: RecheckOptions,
            *, clock: Callable[[], datetime] = utcnow,
            transport: httpx.AsyncBaseTransport | None = None,
            progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] = lambda: False) -> RunSummary:
    """Run one recheck of what is due (or of everything, with ``all_sources``).

    ``should_stop`` is asked before each batch is claimed: a worker told to stop
    finishes what it holds and claims nothing more. SIGINT and SIGTERM do the same
    (in the main thread): the run ends ``interrupted`` with its leases released; a
    second Ctrl-C stops at once, and the run is still marked and released.
    """
    if options.canary_url is not None:
        check_sendable(options.canary_url)  # a bad canary is a setting's fault: say so now
    with _single_job(engine_url), _stop_on_signals() as signalled:
        return asyncio.run(_run(session_factory, options, clock, transport, progress,
                                lambda: signalled() or should_stop(), signalled))


@contextmanager
def _stop_on_signals() -> Iterator[Callable[[], bool]]:
    """While a run lasts: SIGINT or SIGTERM ask it to stop after the batch in hand."""
    stopped = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopped.is_set
        return
    previous: dict[int, Any] = {}

    def handle(signum: int, frame: Any) -> None:
        if stopped.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # asked twice: stop now
        stopped.set()
        log.warning("%s: finishing the batch in hand, then stopping",
                    signal.Signals(signum).name)
        chained = previous.get(signum)
        if callable(chained) and chained is not signal.default_int_handler:
            chained(signum, frame)  # a worker's own handler hears it too

    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handle)
    try:
        yield stopped.is_set
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


async def _run(session_factory: sessionmaker[Session], options: RecheckOptions,
               clock: Callable[[], datetime], transport: httpx.AsyncBaseTransport | None,
               progress: Callable[[int, int], None] | None,
               should_stop: Callable[[], bool],
               signalled: Callable[[], bool] = lambda: False) -> RunSummary:
    started = clock()
    with session_factory.begin() as session:
        # Runs that stopped beating for longer than a lease died (kill -9, power cut).
        session.execute(update(CheckRunRow).where(
            CheckRunRow.status == "running",
            CheckRunRow.heartbeat_at < started - options.lease)
            .values(status="interrupted", finished_at=started,
                    reason="stopped without finishing; its sources were taken over"))
        run = CheckRunRow(worker=options.worker, started_at=started, heartbeat_at=started,
                          status="running")
        session.add(run)
        session.flush()
        run_id = run.id
        due = session.scalar(select(func.count()).select_from(SourceRow).where(
            _due(started, options.all_sources, started))) or 0
        urls = session.scalars(select(SourceRow.url).where(
            _due(started, options.all_sources, started)).limit(500))
        hosts = list(dict.fromkeys(urlsplit(u).hostname or "" for u in urls))
    summary = RunSummary(run_id, "finished", None, started, started)
    log.info("run %s: %s source(s) due", run_id, due)
    try:
        await _check(session_factory, options, clock, transport, progress, should_stop,
                     summary, due, hosts)
    except BaseException:  # a second Ctrl-C, a cancelled task: mark it and let go
        summary.status, summary.reason = "interrupted", "stopped before the end of its batch"
        _finish(session_factory, summary, options, clock, notify=False)
        raise
    if summary.status == "finished" and signalled():
        summary.status = "interrupted"
        summary.reason = "stopped by a signal after the batch in hand; the next run " \
                         "takes the rest"
    return _finish(session_factory, summary, options, clock)


async def _check(session_factory: sessionmaker[Session], options: RecheckOptions,
                 clock: Callable[[], datetime], transport: httpx.AsyncBaseTransport | None,
                 progress: Callable[[int, int], None] | None,
                 should_stop: Callable[[], bool], summary: RunSummary, due: int,
                 hosts: list[str]) -> None:
    """Fetch and record what is due, into ``summary``."""
    run_id = summary.run_id
    offline = None
    if due:
        offline = await _offline_reason(hosts[:options.preflight_hosts], options)
    held: list[Capture] = []  # network failures, held until something answers
    answered = False

    def write(captures: list[Capture]) -> None:
        nonlocal answered
        now = clock()
        if not answered:
            if all(c.result.outcome in NETWORK_OUTCOMES for c in captures):
                held.extend(captures)
                captures = []
            else:
                captures = held + captures
        with session_factory.begin() as session:
            if captures:
                states = record_captures(session, captures, now=now, run_id=run_id)
                summary.checked += len(states)
                summary.states.update(states)
            session.execute(update(CheckRunRow).where(CheckRunRow.id == run_id)
                            .values(heartbeat_at=now))
        if captures and not answered:  # only once recorded: a failed batch is retried
            answered = True
            held.clear()
        if progress is not None:
            progress(summary.checked + len(held), due)

    def supply() -> list[Target]:
        if should_stop():
            return []
        with session_factory.begin() as session:
            return claim_due(session, worker=options.worker, now=clock(), lease=options.lease,
                             limit=options.batch, all_sources=options.all_sources,
                             started=summary.started_at)

    try:
        if offline is None and due:
            await fetch_targets(supply, write, settings=options.settings,
                                archive_dir=options.archive_dir, transport=transport,
                                readers_count=options.readers, keep_results=False,
                                should_stop=should_stop)
            if held and not answered:
                offline = (f"the network is unreachable: all {len(held)} fetches failed "
                           f"({held[0].result.outcome}: {held[0].result.error}); "
                           "no source was changed")
    except Exception as exc:
        summary.status, summary.reason = "failed", f"{type(exc).__name__}: {exc}"
        log.exception("run %s failed", run_id)
    if offline is not None:
        summary.status, summary.reason = "offline", offline
        summary.checked, summary.states = 0, Counter()
        log.warning("run %s: %s", run_id, offline)


def _finish(session_factory: sessionmaker[Session], summary: RunSummary,
            options: RecheckOptions, clock: Callable[[], datetime], *,
            notify: bool = True) -> RunSummary:
    summary.finished_at = clock()
    with session_factory.begin() as session:
        _release(session, options.worker)
        summary.errors = summary.states.get("error", 0)
        stale_ids = [c for c in session.scalars(select(ChangeEventRow.claim_id).where(
            ChangeEventRow.run_id == summary.run_id, ChangeEventRow.subject == "claim",
            ChangeEventRow.after == "needs-review")) if c is not None]
        flagged = _flagged(session)
        refs = _refs(session, set(stale_ids) | set(flagged))
        summary.newly_stale = [(refs[c], flagged.get(c, [])) for c in dict.fromkeys(stale_ids)
                               if c in flagged]
        summary.needs_review = sorted((refs[c], r) for c, r in flagged.items())
        session.execute(update(CheckRunRow).where(CheckRunRow.id == summary.run_id).values(
            status=summary.status, reason=summary.reason, finished_at=summary.finished_at,
            heartbeat_at=summary.finished_at, checked=summary.checked,
            counts=dict(summary.states), errors=summary.errors,
            needs_review=len(summary.needs_review)))
    if notify and summary.newly_stale and options.webhook_url:
        _notify(options.webhook_url, summary)
    return summary


def _flagged(session: Session) -> dict[int, list[str]]:
    """Every claim whose verdict needs review now (checked only where something moved)."""
    moved = select(EvidenceRow.claim_id).join(EvidenceRow.source).where(or_(
        EvidenceRow.status.in_(("drifted", "figures-changed", "missing")),
        SourceRow.state.in_(("gone", "moved", "soft-404"))))
    candidates = set(session.scalars(moved))
    return {c: r for c, r in reviews(session, candidates).items() if r}


def _refs(session: Session, claim_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(ClaimRow.id, DocumentRow.key, ClaimRow.key)
                           .join(ClaimRow.document).where(ClaimRow.id.in_(claim_ids)))
    return {cid: f"{doc}/{key}" for cid, doc, key in rows}


def _notify(url: str, summary: RunSummary) -> None:
    """POST the newly stale verdicts; a failing webhook is logged, never fatal."""
    payload = {"event": "verdicts-need-review", "run": summary.run_id,
               "finished_at": summary.finished_at.isoformat(),
               "claims": [{"claim": c, "reasons": r} for c, r in summary.newly_stale]}
    try:
        httpx.post(url, json=payload, timeout=10.0).raise_for_status()
    except Exception as exc:  # a bad URL included: alerts never fail the run
        # The URL may carry a token: name only its host.
        log.warning("webhook to %s failed: %s", urlsplit(url).hostname, type(exc).__name__)
