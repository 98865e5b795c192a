"""The recheck: claim what is due, fetch it, record what changed, flag stale verdicts.

One run::

    lock (SQLite: one job at a time) -> run record -> offline? -> claim due sources with
    a lease (PostgreSQL: FOR UPDATE SKIP LOCKED) -> fetch, extract, classify, re-anchor,
    record, a batch per transaction -> public archive lookups -> release -> summary,
    webhook, notifications

Every phase is bounded, so a night always ends: ``max_runtime`` stops claiming work
when it passes and drops what is still in flight a few seconds later (``out-of-time``);
the public archive has a budget in lookups and seconds, and is given up on for the run
at its first network failure; each notification channel and the webhook get
``NOTIFY_TIMEOUT`` seconds. A signal stops any phase the same way. The summary says
where the time went and what was left for the next run.

Offline is a property of the run, decided by the network and never by the sources
(:mod:`factcheck.tracking.offline`): then nothing about any source is written and the
run says so. Killed at any moment, the database holds whole batches; the next run
knows the dead run is dead (:mod:`factcheck.store.leases`), marks it ``interrupted``
and takes its sources over at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from factcheck.core import (
    EXIT_FAILED,
    EXIT_NEEDS_REVIEW,
    EXIT_OK,
    EXIT_OUT_OF_TIME,
    MOVED_STATES,
    RunSummary,
)
from factcheck.errors import JobRunning
from factcheck.store.leases import (
    HEARTBEAT,
    RunLock,
    claim_due,
    due_filter,
    release,
    renew,
    take_over_dead_runs,
)
from factcheck.store.models import (
    ChangeEventRow,
    CheckRunRow,
    ClaimRow,
    DocumentRow,
    EvidenceRow,
    SourceRow,
    utcnow,
)
from factcheck.store.snapshots import reviews
from factcheck.text.anchor import changed_words
from factcheck.tracking.archives import ArchiveBudget, check_archives, default_archive_base
from factcheck.tracking.notify import compose, wait_for, wanted
from factcheck.tracking.notify import notify as send
from factcheck.tracking.offline import fetch_unless_offline, known_up
from factcheck.tracking.pipeline import DEFAULT_READERS
from factcheck.tracking.recording import record_captures
from factcheck.urls import check_sendable
from factcheck.web.captures import Capture, Target
from factcheck.web.fetcher import FetchSettings

__all__ = ["EXIT_FAILED", "EXIT_NEEDS_REVIEW", "EXIT_OK", "EXIT_OUT_OF_TIME", "JobRunning",
           "RecheckOptions", "RunSummary", "recheck", "recheck_async"]

log = logging.getLogger("factcheck.recheck")
T = TypeVar("T")

#: Once a run must stop (a signal, its deadline), what is in flight gets this long to
#: finish before it is dropped (its sources are checked again next run).
GRACE = 5.0
#: The longest the webhook and each notification channel are waited for.
NOTIFY_TIMEOUT = 30.0

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
    #: How long a claim on a source holds unless renewed; a live run renews its claims
    #: every ``heartbeat``, and a dead run's are taken over at once by the next run.
    lease: timedelta = timedelta(minutes=15)
    heartbeat: timedelta = HEARTBEAT
    #: A URL that answers whenever our own network works; if it fails, the run is offline.
    canary_url: str | None = None
    #: Hosts whose names are resolved before the run; none resolving means offline.
    preflight_hosts: int = 20
    #: POST a JSON message here when verdicts become stale.
    webhook_url: str | None = None
    #: Apprise URLs (mailto://, slack://, msteams://, json://...) to send the digest to,
    #: when any of ``notify_on`` happened (review, changes, failure, always).
    notify_urls: tuple[str, ...] = ()
    notify_on: frozenset[str] = frozenset({"review"})
    #: Where the published report lives, linked from the notifications.
    report_url: str | None = None
    #: Where the review desk (factcheck serve) is: notifications link each claim's page.
    desk_url: str | None = None
    #: The public archive (Memento) asked for captures of dead sources after each run;
    #: None turns lookups off. Default: $FACTCHECK_ARCHIVE_BASE, else the Wayback Machine.
    archive_base: str | None = field(default_factory=default_archive_base)
    #: How much of a run the public archive may have (lookups and seconds).
    archive_budget: ArchiveBudget = field(default_factory=ArchiveBudget)
    #: The longest a run may take: past it, no more work is claimed, what is in flight
    #: gets ``GRACE`` seconds, and the run ends ``out-of-time``. None: no limit.
    max_runtime: timedelta | None = None
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


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
            _lock_exclusively(handle)
        except OSError as exc:
            raise JobRunning(f"another recheck is running on {engine_url.database}; "
                             "one job at a time on SQLite (use PostgreSQL for several "
                             "workers)") from exc
        yield
    finally:
        handle.close()


def _lock_exclusively(handle: IO[str]) -> None:
    """Lock ``handle``'s file without waiting (flock on POSIX, msvcrt on Windows)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


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
    sole_job = engine_url.get_backend_name() == "sqlite"  # the lock below proves it
    with _single_job(engine_url), _stop_on_signals() as signalled:
        return asyncio.run(_run(session_factory, options, clock, transport, progress,
                                lambda: signalled() or should_stop(), signalled, sole_job))


async def recheck_async(session_factory: sessionmaker[Session], engine_url: Any,
                        options: RecheckOptions, *, clock: Callable[[], datetime] = utcnow,
                        transport: httpx.AsyncBaseTransport | None = None,
                        progress: Callable[[int, int], None] | None = None,
                        should_stop: Callable[[], bool] = lambda: False) -> RunSummary:
    """:func:`recheck`, for callers already inside an event loop (signals are theirs)."""
    if options.canary_url is not None:
        check_sendable(options.canary_url)
    with _single_job(engine_url):
        return await _run(session_factory, options, clock, transport, progress, should_stop,
                          sole_job=engine_url.get_backend_name() == "sqlite")


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


def _start(session_factory: sessionmaker[Session], options: RecheckOptions,
           started: datetime, sole_job: bool
           ) -> tuple[RunLock, int, list[str], list[str]]:
    """Open the run: take over dead runs, record this one (holding its lock before any
    other run can see it), count what is due."""
    with session_factory.begin() as session:
        # Runs that died (kill -9, power cut) give their sources back at once.
        dead = take_over_dead_runs(session, now=started, sole_job=sole_job)
        if dead:
            log.warning("runs %s had died; their sources were taken over",
                        ", ".join(map(str, dead)))
        run = CheckRunRow(worker=options.worker, started_at=started, heartbeat_at=started,
                          status="running")
        session.add(run)
        session.flush()
        lock = RunLock(session_factory.kw["bind"], run.id).acquire()
        due = session.scalar(select(func.count()).select_from(SourceRow).where(
            due_filter(started, options.all_sources, started))) or 0
        urls = session.scalars(select(SourceRow.url).where(
            due_filter(started, options.all_sources, started)).limit(500))
        hosts = list(dict.fromkeys(urlsplit(u).hostname or "" for u in urls))
        up = known_up(session) if due else []
    return lock, due, hosts, up


async def _run(session_factory: sessionmaker[Session], options: RecheckOptions,
               clock: Callable[[], datetime], transport: httpx.AsyncBaseTransport | None,
               progress: Callable[[int, int], None] | None,
               should_stop: Callable[[], bool],
               signalled: Callable[[], bool] = lambda: False,
               sole_job: bool = False) -> RunSummary:
    started = clock()
    deadline = None if options.max_runtime is None else \
        time.monotonic() + options.max_runtime.total_seconds()

    def out_of_time() -> bool:
        return deadline is not None and time.monotonic() >= deadline

    def must_stop() -> bool:
        return should_stop() or out_of_time()

    lock, due, hosts, known_up = await asyncio.to_thread(
        _start, session_factory, options, started, sole_job)
    run_id = lock.run_id
    summary = RunSummary(run_id, "finished", None, started, started)
    log.info("run %s: %s source(s) due", run_id, due)
    try:
        with lock:
            await _check(session_factory, options, clock, transport, progress, must_stop,
                         summary, due, hosts, known_up)
            if summary.status == "finished" and options.archive_base and not must_stop():
                await _archives(session_factory, options, clock, transport, summary,
                                must_stop, deadline)
    except BaseException:  # a second Ctrl-C, a cancelled task: mark it and let go
        summary.status, summary.reason = "interrupted", "stopped before the end of its batch"
        summary.left = max(0, due - summary.checked)
        _finish(session_factory, summary, options, clock, notify=False)
        raise
    summary.left = max(0, due - summary.checked) if summary.status != "offline" else due
    if summary.status == "finished" and (signalled() or out_of_time()):
        left = f"{summary.left} of {due} due source(s)"
        if summary.archive.get("deferred"):
            left += f" and {summary.archive['deferred']} archive lookup(s)"
        if signalled():
            summary.status = "interrupted"
            summary.reason = f"stopped by a signal; {left} left for the next run"
        else:
            assert options.max_runtime is not None
            summary.status = "out-of-time"
            summary.reason = (f"stopped at its deadline (max runtime "
                              f"{_duration(options.max_runtime)}); {left} left for the next "
                              "run")
    # The database, the webhook and the notifications are blocking work: off the loop,
    # which wakes every 0.2 s meanwhile so that a signal's handler runs at once (a
    # signal that lands on another thread does not interrupt the loop's wait).
    finishing = asyncio.ensure_future(asyncio.to_thread(
        _finish, session_factory, summary, options, clock, stop=signalled))
    while not finishing.done():
        await asyncio.wait({finishing}, timeout=0.2)
    return finishing.result()


def _duration(span: timedelta) -> str:
    seconds = span.total_seconds()
    return f"{seconds / 3600:g} h" if seconds >= 3600 else (
        f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s")


async def _archives(session_factory: sessionmaker[Session], options: RecheckOptions,
                    clock: Callable[[], datetime],
                    transport: httpx.AsyncBaseTransport | None, summary: RunSummary,
                    must_stop: Callable[[], bool], deadline: float | None) -> None:
    """Ask the public archive about the sources that died, within its budget and the
    run's deadline; its trouble is logged, never the run's."""
    assert options.archive_base is not None
    budget = options.archive_budget
    if deadline is not None:
        budget = replace(budget, seconds=max(0.1, min(budget.seconds,
                                                      deadline - time.monotonic())))
    began = time.monotonic()
    try:
        report = await check_archives(session_factory, options.archive_base,
                                      options.settings, clock=clock, transport=transport,
                                      budget=budget, should_stop=must_stop)
    except Exception:  # the archive is a bonus: a bug or an outage there costs only it
        log.exception("archive lookup failed")
        return
    finally:
        summary.seconds["archives"] = time.monotonic() - began
    summary.archive = {"looked_up": report.looked_up, "deferred": report.deferred,
                       "errors": len(report.errors or []),
                       "stopped": report.unreachable or report.cut}
    if report.looked_up or report.errors or report.deferred:
        log.info("archive: %s", report.to_dict())


async def _bounded(work: Awaitable[T], must_stop: Callable[[], bool],
                   grace: float = GRACE) -> T | None:
    """Await ``work``; once ``must_stop()`` says so, give it ``grace`` seconds more, then
    cancel it. Returns what it returned, or None when it was cut short."""
    task = asyncio.ensure_future(work)
    stopping_since: float | None = None
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=0.2)
            if done:
                return task.result()  # or its exception, if it raised one
            if must_stop():
                stopping_since = stopping_since or time.monotonic()
                if time.monotonic() - stopping_since >= grace:
                    log.warning("the fetches still in flight %.0f s after the stop were "
                                "dropped; their sources are checked next run", grace)
                    return None
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _check(session_factory: sessionmaker[Session], options: RecheckOptions,
                 clock: Callable[[], datetime], transport: httpx.AsyncBaseTransport | None,
                 progress: Callable[[int, int], None] | None,
                 should_stop: Callable[[], bool], summary: RunSummary, due: int,
                 hosts: list[str], known_up: list[str]) -> None:
    """Fetch and record what is due, into ``summary``."""
    run_id = summary.run_id

    def record(captures: list[Capture]) -> None:
        now = clock()
        began = time.monotonic()
        with session_factory.begin() as session:
            states = record_captures(session, captures, now=now, run_id=run_id,
                                     worker=options.worker)
            session.execute(update(CheckRunRow).where(CheckRunRow.id == run_id)
                            .values(heartbeat_at=now))
        summary.checked += len(states)
        summary.states.update(states)
        summary.seconds["recording"] = summary.seconds.get("recording", 0.0) + (
            time.monotonic() - began)

    def show(held: int) -> None:
        if progress is not None:
            progress(summary.checked + held, due)

    def supply() -> list[Target]:
        if should_stop():
            return []
        with session_factory.begin() as session:
            return claim_due(session, worker=options.worker, now=clock(), lease=options.lease,
                             limit=options.batch, all_sources=options.all_sources,
                             started=summary.started_at)

    def renew_leases() -> None:
        with session_factory.begin() as session:
            renew(session, worker=options.worker, run_id=run_id, now=clock(),
                  lease=options.lease)

    async def heartbeat() -> None:
        """While the run lives: keep its leases and show it is alive."""
        while True:
            await asyncio.sleep(options.heartbeat.total_seconds())
            await asyncio.to_thread(renew_leases)

    offline = None
    try:
        if due:
            beating = asyncio.create_task(heartbeat())
            began = time.monotonic()
            try:
                report = await fetch_unless_offline(
                    supply, record, settings=options.settings, archive_dir=options.archive_dir,
                    hosts=hosts[:options.preflight_hosts], up=known_up,
                    canary_url=options.canary_url, transport=transport, after_write=show,
                    bounded=lambda fetching: _bounded(fetching, should_stop),
                    readers_count=options.readers, keep_results=False,
                    should_stop=should_stop)
            finally:
                beating.cancel()
                summary.seconds["fetching"] = time.monotonic() - began
            offline = report.offline
    except Exception as exc:
        cause: BaseException = exc
        while isinstance(cause, BaseExceptionGroup) and cause.exceptions:
            cause = cause.exceptions[0]  # a stage's failure, out of its task group
        summary.status, summary.reason = "failed", f"{type(cause).__name__}: {cause}"
        log.exception("run %s failed", run_id)
    if offline is not None:
        summary.status, summary.reason = "offline", offline
        summary.checked, summary.states = 0, Counter()
        log.warning("run %s: %s", run_id, offline)


def _finish(session_factory: sessionmaker[Session], summary: RunSummary,
            options: RecheckOptions, clock: Callable[[], datetime], *,
            notify: bool = True, stop: Callable[[], bool] = lambda: False) -> RunSummary:
    summary.finished_at = clock()
    with session_factory.begin() as session:
        release(session, options.worker)
        summary.errors = summary.states.get("error", 0)
        stale_ids = [c for c in session.scalars(select(ChangeEventRow.claim_id).where(
            ChangeEventRow.run_id == summary.run_id, ChangeEventRow.subject == "claim",
            ChangeEventRow.after == "needs-review")) if c is not None]
        flagged = _flagged(session)
        refs = _refs(session, set(stale_ids) | set(flagged))
        summary.newly_stale = [(refs[c], flagged.get(c, [])) for c in dict.fromkeys(stale_ids)
                               if c in flagged]
        summary.needs_review = sorted((refs[c], r) for c, r in flagged.items())
        summary.changed_words = _changed_words(session, [c for c in dict.fromkeys(stale_ids)
                                                         if c in flagged], refs)
        summary.source_changes = [
            (url, before, after or "", reason) for url, before, after, reason in session.execute(
                select(SourceRow.url, ChangeEventRow.before, ChangeEventRow.after,
                       ChangeEventRow.reason)
                .join(SourceRow, SourceRow.id == ChangeEventRow.source_id)
                .where(ChangeEventRow.run_id == summary.run_id,
                       ChangeEventRow.subject == "source", ChangeEventRow.before.is_not(None))
                .order_by(ChangeEventRow.id))]
        session.execute(update(CheckRunRow).where(CheckRunRow.id == summary.run_id).values(
            status=summary.status, reason=summary.reason, finished_at=summary.finished_at,
            heartbeat_at=summary.finished_at, checked=summary.checked,
            counts=dict(summary.states), errors=summary.errors,
            needs_review=len(summary.needs_review), phases=summary.phases))
    if notify:
        _tell(summary, options, stop)
        with session_factory.begin() as session:
            session.execute(update(CheckRunRow).where(CheckRunRow.id == summary.run_id)
                            .values(phases=summary.phases))
    return summary


def _tell(summary: RunSummary, options: RecheckOptions, stop: Callable[[], bool]) -> None:
    """The webhook and the notifications, each given ``NOTIFY_TIMEOUT`` at most, none
    waited on once a signal asks the run to stop."""
    began = time.monotonic()
    if summary.newly_stale and options.webhook_url:
        webhook = threading.Thread(target=_notify, args=(options.webhook_url, summary),
                                   name="webhook", daemon=True)
        webhook.start()
        wait_for(webhook, NOTIFY_TIMEOUT, stop)
        if webhook.is_alive():
            log.warning("webhook to %s: no answer in %.0f s; given up on",
                        urlsplit(options.webhook_url).hostname, NOTIFY_TIMEOUT)
    if options.notify_urls and wanted(summary, options.notify_on):
        send(options.notify_urls, *compose(summary, options.report_url, options.desk_url),
             timeout=NOTIFY_TIMEOUT, should_stop=stop)
    summary.seconds["notifying"] = time.monotonic() - began



def _flagged(session: Session) -> dict[int, list[str]]:
    """Every claim whose verdict needs review now (checked only where something moved)."""
    moved = select(EvidenceRow.claim_id).join(EvidenceRow.source).where(or_(
        EvidenceRow.status.in_(("drifted", "figures-changed", "missing")),
        SourceRow.state.in_(MOVED_STATES)))
    candidates = set(session.scalars(moved))
    return {c: r for c, r in reviews(session, candidates).items() if r}


def _refs(session: Session, claim_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(ClaimRow.id, DocumentRow.key, ClaimRow.key)
                           .join(ClaimRow.document).where(ClaimRow.id.in_(claim_ids)))
    return {cid: f"{doc}/{key}" for cid, doc, key in rows}


def _changed_words(session: Session, claim_ids: list[int], refs: dict[int, str]
                   ) -> dict[str, list[tuple[str, str, str]]]:
    """What the cited passages of these claims say now, edit by edit."""
    words: dict[str, list[tuple[str, str, str]]] = {}
    if not claim_ids:
        return words
    rows = session.execute(
        select(EvidenceRow.claim_id, SourceRow.url, EvidenceRow.diff)
        .join(SourceRow, SourceRow.id == EvidenceRow.source_id)
        .where(EvidenceRow.claim_id.in_(claim_ids), EvidenceRow.withdrawn_at.is_(None),
               EvidenceRow.status.in_(("drifted", "figures-changed")))
        .order_by(EvidenceRow.claim_id, EvidenceRow.id))
    for claim_id, url, diff in rows:
        for old, new in changed_words(diff or ()):
            words.setdefault(refs[claim_id], []).append((url, old, new))
    return words


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
