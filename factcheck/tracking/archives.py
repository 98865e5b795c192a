"""Public archives (Memento, RFC 7089, as the Wayback Machine serves it): when a source
dies, find the capture closest to the verdict and see whether the cited passage
stands in it.

The thinking is pure (:func:`parse_timemap`, :func:`closest`, the URL builders); the
I/O goes through the same :class:`~factcheck.web.fetcher.Fetcher` as every fetch, so
the archive is asked with the same politeness, address policy and caps:

- TimeMap: ``{base}/web/timemap/link/{url}`` (link format), cached on the source for a
  day;
- a capture's raw bytes: ``{base}/web/{14-digit timestamp}id_/{url}``;
- Save Page Now: ``{base}/save/{url}`` (:func:`request_captures`, off the nightly path).

An evidence link is looked up when its source is gone, moved, a soft 404 or blocked,
its latest fetch answered 404 or 410, or its passage is missing; the result is kept
beside its live status: ``archived_url``, ``archived_at``, ``archive_status``
(``found``, ``drifted``, ``missing``, ``no-capture``) and ``archive_reason``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from factcheck.core import DEAD_STATES
from factcheck.errors import FactCheckError
from factcheck.policy.evidence import assess
from factcheck.policy.staleness import verdict_time
from factcheck.store.models import ClaimRow, EvidenceRow, SourceRow
from factcheck.text.anchor import Selector
from factcheck.text.extract import extract
from factcheck.urls import check_sendable
from factcheck.web.fetcher import Fetcher, FetchResult, FetchSettings
from factcheck.web.safety import resolve

__all__ = [
    "WAYBACK",
    "ArchiveBudget",
    "ArchiveReport",
    "Memento",
    "archive_base",
    "check_archives",
    "closest",
    "default_archive_base",
    "parse_timemap",
    "raw_url",
    "replay_url",
    "request_captures",
    "save_url",
    "timemap_url",
]

log = logging.getLogger(__name__)

WAYBACK = "https://web.archive.org"
#: A TimeMap is not asked for again within this time.
TIMEMAP_TTL = timedelta(days=1)
#: Source states and HTTP answers that send us to the archive.
DEAD_STATUSES = frozenset({404, 410})


def archive_base(value: str | None) -> str | None:
    """A public archive's base URL as given (``--archive-base``, the environment), or
    None when it says ``off`` (or ``none``, or nothing)."""
    if value is None or value.strip().lower() in ("", "off", "none"):
        return None
    return value.strip().rstrip("/")


def default_archive_base() -> str | None:
    """``$FACTCHECK_ARCHIVE_BASE``, else the Wayback Machine; ``off`` turns lookups off."""
    return archive_base(os.environ.get("FACTCHECK_ARCHIVE_BASE", WAYBACK))


@dataclass(frozen=True)
class Memento:
    """One capture of a URL: when it was taken, and where it is replayed."""

    at: datetime
    url: str


# -- the thinking ------------------------------------------------------------------------

_PARAM = re.compile(r";\s*([a-zA-Z_-]+)\s*=\s*(?:\"([^\"]*)\"|([^;,\s]+))")
#: The most captures kept of one page: evenly spread over its history, the first and
#: the last always (a page captured 100,000 times stays a small row).
MAX_MEMENTOS = 2000
#: A URI longer than this in a TimeMap is no capture of ours.
MAX_URI = 8192


def parse_timemap(text: str, limit: int = MAX_MEMENTOS) -> list[Memento]:
    """The mementos of a link-format TimeMap (RFC 7089), oldest first, at most
    ``limit`` of them. Entries that are not mementos, or whose datetime cannot be read
    (a year 9999 with a -2359 offset included), are skipped one by one. Linear in the
    text: each entry is read between one ``<`` and the next."""
    found: dict[datetime, Memento] = {}
    for chunk in text.split("<")[1:]:
        uri, closed, rest = chunk.partition(">")
        if not closed or len(uri) > MAX_URI:
            continue
        params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _PARAM.finditer(rest, 0, 4096)}
        if "memento" not in params.get("rel", "").split() or "datetime" not in params:
            continue
        try:
            at = parsedate_to_datetime(params["datetime"])
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        except (TypeError, ValueError, OverflowError):
            continue
        found.setdefault(at, Memento(at, uri.strip()))
    ordered = [found[at] for at in sorted(found)]
    if len(ordered) <= limit:
        return ordered
    step = (len(ordered) - 1) / (limit - 1)
    return [ordered[round(i * step)] for i in range(limit)]


def closest(mementos: Iterable[Memento], when: datetime | None) -> Memento | None:
    """The capture closest to ``when`` and not after it; where none is that old, the
    earliest after it. Without ``when``, the latest."""
    ordered = sorted(mementos, key=lambda m: m.at)
    if not ordered:
        return None
    if when is None:
        return ordered[-1]
    before = [m for m in ordered if m.at <= when]
    return before[-1] if before else ordered[0]


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def timemap_url(base: str, url: str) -> str:
    return f"{base.rstrip('/')}/web/timemap/link/{url}"


def raw_url(base: str, url: str, at: datetime) -> str:
    """The capture's bytes as archived, without the archive's replay banner."""
    return f"{base.rstrip('/')}/web/{_stamp(at)}id_/{url}"


def replay_url(base: str, url: str, at: datetime) -> str:
    """The capture as a reader opens it."""
    return f"{base.rstrip('/')}/web/{_stamp(at)}/{url}"


def save_url(base: str, url: str) -> str:
    return f"{base.rstrip('/')}/save/{url}"


# -- the I/O ------------------------------------------------------------------------------

@dataclass
class ArchiveReport:
    """What a lookup did: evidence links looked at, per archive status, and failures."""

    looked_up: int = 0
    timemaps_fetched: int = 0
    captures_fetched: int = 0
    statuses: dict[str, int] | None = None
    errors: list[str] | None = None
    #: Lookups left for the next run, the archive being unreachable.
    deferred: int = 0
    #: Why the archive was given up on in this run, if it was.
    unreachable: str | None = None
    #: Why the run stopped asking before the end (its budget, a signal), if it did.
    cut: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"looked_up": self.looked_up, "timemaps_fetched": self.timemaps_fetched,
                "captures_fetched": self.captures_fetched, "statuses": self.statuses or {},
                "errors": self.errors or [], "deferred": self.deferred,
                "unreachable": self.unreachable, "cut": self.cut}


@dataclass(frozen=True)
class _Wanted:
    evidence_id: int
    url: str
    passage: str
    selector: list[Any] | None
    when: datetime | None
    timemap: list[Memento] | None  # cached and fresh, or None to ask


def _candidates(session: Session, now: datetime, base: str) -> list[_Wanted]:
    """Evidence whose source is dead (or passage missing) and whose archive status is
    unknown, or was ``no-capture`` more than a day ago."""
    rows = session.scalars(
        select(EvidenceRow).join(EvidenceRow.source)
        .where(EvidenceRow.withdrawn_at.is_(None), EvidenceRow.quote != "",
               or_(SourceRow.state.in_(DEAD_STATES), SourceRow.http_status.in_(DEAD_STATUSES),
                   EvidenceRow.status == "missing"),
               or_(EvidenceRow.archive_checked_at.is_(None),
                   (EvidenceRow.archive_status == "no-capture")
                   & (EvidenceRow.archive_checked_at < now - TIMEMAP_TTL)))
        .options(selectinload(EvidenceRow.source),
                 selectinload(EvidenceRow.claim).selectinload(ClaimRow.verdicts))
        # The longest waiting first: never asked, then asked longest ago; a source
        # that died earlier before one that died later.
        .order_by(EvidenceRow.archive_checked_at.is_not(None), EvidenceRow.archive_checked_at,
                  SourceRow.state_changed_at, EvidenceRow.id)).all()
    wanted = []
    for row in rows:
        verdict = row.claim.verdicts[-1] if row.claim.verdicts else None
        source = row.source
        cached = None
        if source.timemap is not None and source.timemap_at is not None and \
                source.timemap_at > now - TIMEMAP_TTL:
            cached = [Memento(at, replay_url(base, source.url, at))
                      for at in map(datetime.fromisoformat, source.timemap)]
        wanted.append(_Wanted(
            row.id, source.url, row.quote, row.selector,
            verdict_time(verdict.reviewed_on, verdict.created_at) if verdict else None,
            cached))
    return wanted


def _failure(result: FetchResult) -> str | None:
    if result.error is not None:
        return f"{result.error.outcome}: {result.error}"
    if result.status != 200 or result.body is None:
        return f"HTTP {result.status}"
    return None


#: Fetch outcomes that say the archive itself cannot be reached: asking it again in
#: this run would only wait once more for the same answer.
UNREACHABLE = frozenset({"no-such-host", "dns-error", "connection-error", "network-error",
                         "timeout", "tls-error", "refused"})


@dataclass(frozen=True)
class ArchiveBudget:
    """How much of a run the public archive may have: at most ``lookups`` evidence links
    looked up and ``seconds`` of time. What is left waits for the next run, which takes
    the longest-waiting first."""

    lookups: int = 200
    seconds: float = 120.0

    @classmethod
    def parse(cls, text: str) -> ArchiveBudget:
        """``COUNT`` or ``COUNT/SECONDS`` (``200/120``)."""
        count, _, seconds = text.strip().partition("/")
        try:
            budget = cls(int(count), float(seconds) if seconds else cls.seconds)
        except ValueError:
            raise ValueError(f"{text!r} is not an archive budget: COUNT or COUNT/SECONDS, "
                             "as 200/120") from None
        if budget.lookups < 0 or budget.seconds <= 0:
            raise ValueError(f"{text!r}: the count may not be negative nor the time zero")
        return budget


class _Archive:
    """The archive as this run sees it. Once it fails at the network level it is not
    asked again in this run (said once); once the run is told to stop, or the time it
    may spend is over, nothing more is asked and what is in flight is dropped."""

    def __init__(self, fetcher: Fetcher, base: str, deadline: float,
                 should_stop: Callable[[], bool]) -> None:
        self.fetcher, self.base = fetcher, base
        self.deadline, self.should_stop = deadline, should_stop
        self.down: str | None = None
        self.cut: str | None = None  # why the run stopped asking, other than the archive

    @property
    def halted(self) -> str | None:
        if self.down is None and self.cut is None:
            if self.should_stop():
                self.cut = "the run was told to stop"
            elif time.monotonic() >= self.deadline:
                self.cut = "the archive's time in this run was used up"
        return self.down or self.cut

    async def fetch(self, url: str) -> FetchResult | str:
        if (halted := self.halted) is not None:
            return f"not asked: {halted}"
        result = await self.fetcher.fetch(url)
        if result.error is not None and result.error.outcome in UNREACHABLE \
                and self.down is None:
            self.down = (f"the archive at {urlsplit(self.base).netloc or self.base} did not "
                         f"answer ({result.error.outcome}); lookups resume next run")
            log.warning("%s", self.down)
        return result

    async def each(self, items: list[Any], ask: Callable[[Any], Awaitable[None]]) -> None:
        """``ask`` each item, as many at once as the archive host's politeness allows;
        none once the archive is down or the run must stop, and what is in flight then
        is dropped within a fraction of a second."""
        queue = list(reversed(items))

        async def worker() -> None:
            while queue and self.halted is None:
                await ask(queue.pop())

        limit = max(1, self.fetcher.settings.per_host)
        tasks = [asyncio.ensure_future(worker()) for _ in range(min(limit, len(items)))]
        try:
            while tasks and not all(t.done() for t in tasks):
                await asyncio.wait(tasks, timeout=0.2)
                if self.halted is not None:
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _timemap(archive: _Archive, url: str) -> list[Memento] | str:
    """The source's mementos, or why the archive could not say (a failure is not an
    answer: the source is asked about again next run). A 404 means no capture."""
    result = await archive.fetch(timemap_url(archive.base, url))
    if isinstance(result, str):
        return result
    if result.status == 404 and result.error is None:
        return []
    problem = _failure(result)
    if problem is not None:
        return f"the archive's TimeMap: {problem}"
    assert result.body is not None
    return parse_timemap(result.body.decode("utf-8", "replace"))


#: Archive requests wait less than a source's: the archive is a bonus, never the night.
ARCHIVE_TIMEOUTS = {"connect_timeout": 5.0, "read_timeout": 10.0, "total_timeout": 15.0,
                    "retries": 0}


async def check_archives(session_factory: sessionmaker[Session], base: str,
                         settings: FetchSettings | None = None, *,
                         clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                         transport: httpx.AsyncBaseTransport | None = None,
                         budget: ArchiveBudget | None = None,
                         should_stop: Callable[[], bool] = lambda: False) -> ArchiveReport:
    """Look up the public archive for the evidence links whose live source failed them
    (within ``budget``, longest waiting first), and record what the capture closest to
    the verdict says. Never raises for one source's trouble: a failed lookup is logged,
    counted and tried again next run. An archive that cannot be reached is asked once,
    not once per source, and the rest waits for the next run."""
    now = clock()
    budget = budget or ArchiveBudget()
    with session_factory() as session:
        wanted = _candidates(session, now, base)
    report = ArchiveReport(statuses={}, errors=[])
    report.deferred = max(0, len(wanted) - budget.lookups)
    wanted = wanted[:budget.lookups]
    if not wanted:
        return report
    timemaps: dict[str, list[Memento] | str] = {
        w.url: w.timemap for w in wanted if w.timemap is not None}
    pages: dict[str, tuple[str, str | None] | str] = {}
    settings = settings or FetchSettings()
    settings = replace(settings, **{name: min(getattr(settings, name), value)
                                    for name, value in ARCHIVE_TIMEOUTS.items()})
    async with Fetcher(settings, transport=transport) as fetcher:
        archive = _Archive(fetcher, base, time.monotonic() + budget.seconds, should_stop)
        asked = sorted({w.url for w in wanted} - set(timemaps))

        async def lookup(url: str) -> None:
            timemaps[url] = await _timemap(archive, url)

        await archive.each(asked, lookup)
        for url in asked:  # those the run did not reach: the next run asks
            timemaps.setdefault(url, f"not asked: {archive.halted}")
        report.timemaps_fetched = len(asked)
        chosen: dict[int, Memento | None] = {}
        for w in wanted:
            mementos = timemaps[w.url]
            chosen[w.evidence_id] = closest(mementos, w.when) if isinstance(
                mementos, list) else None
        captures = sorted({(w.url, m.at) for w in wanted
                           if (m := chosen[w.evidence_id]) is not None})

        async def read(capture: tuple[str, datetime]) -> None:
            url, at = capture
            result = await archive.fetch(raw_url(base, url, at))
            if isinstance(result, str):
                pages[f"{at.isoformat()} {url}"] = result
                return
            problem = _failure(result)
            if problem is not None:
                pages[f"{at.isoformat()} {url}"] = f"the capture: {problem}"
                return
            assert result.body is not None
            page = await asyncio.to_thread(extract, result.body, result.content_type, url,
                                           None)
            pages[f"{at.isoformat()} {url}"] = (page.text, page.problem)
        await archive.each(captures, read)
        for url, at in captures:  # those the run did not reach: the next run reads them
            pages.setdefault(f"{at.isoformat()} {url}", f"not asked: {archive.halted}")
        report.captures_fetched = len(captures)
    _record(session_factory, base, wanted, timemaps, chosen, pages, now, report)
    report.unreachable = archive.down
    report.cut = archive.cut
    return report


def _record(session_factory: sessionmaker[Session], base: str, wanted: list[_Wanted],
            timemaps: dict[str, list[Memento] | str], chosen: dict[int, Memento | None],
            pages: dict[str, tuple[str, str | None] | str], now: datetime,
            report: ArchiveReport) -> None:
    assert report.statuses is not None and report.errors is not None
    with session_factory.begin() as session:
        for url, mementos in timemaps.items():
            if isinstance(mementos, list):
                for source in session.scalars(select(SourceRow).where(SourceRow.url == url)):
                    # Times only (a capture's URL follows from them): a page with
                    # thousands of captures stays a small row.
                    source.timemap = [m.at.isoformat() for m in mementos]
                    source.timemap_at = now
        for w in wanted:
            row = session.get(EvidenceRow, w.evidence_id)
            if row is None:
                continue
            mementos = timemaps[w.url]
            if isinstance(mementos, str) and mementos.startswith("not asked"):
                report.deferred += 1  # the archive was down: said once, asked next run
                continue
            if isinstance(mementos, str):  # the archive did not answer: ask again next run
                report.errors.append(f"{w.url}: {mementos}")
                log.warning("archive lookup for %s failed: %s", w.url, mementos)
                continue
            memento = chosen[w.evidence_id]
            if memento is None:
                row.archived_url = row.archived_at = None
                row.archive_status = "no-capture"
                row.archive_reason = "the archive holds no capture of the page"
            else:
                page = pages.get(f"{memento.at.isoformat()} {w.url}")
                if isinstance(page, str) and page.startswith("not asked"):
                    report.deferred += 1  # the run stopped asking: the next run does
                    continue
                if isinstance(page, str) or page is None:
                    report.errors.append(f"{w.url}: {page}")
                    log.warning("archive capture of %s failed: %s", w.url, page)
                    continue
                text, problem = page
                old = Selector.from_w3c(w.selector) if w.selector else None
                result = assess(w.passage, text, old)
                row.archived_url = replay_url(base, w.url, memento.at)
                row.archived_at = memento.at
                row.archive_status = "missing" if result.status == "missing" else (
                    "found" if result.status == "found" else "drifted")
                row.archive_reason = f"in the capture of {memento.at:%Y-%m-%d}: " + (
                    result.reason if not problem or result.status == "found" else problem)
            row.archive_checked_at = now
            report.looked_up += 1
            status = row.archive_status or "unknown"
            report.statuses[status] = report.statuses.get(status, 0) + 1


async def _refusal(settings: FetchSettings, url: str) -> str | None:
    """Why the address policy refuses ``url`` (never sent to the archive), or None."""
    try:
        check_sendable(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        settings.addresses.check(host, await resolve(host, parts.port or (
            443 if parts.scheme == "https" else 80)))
    except (FactCheckError, ValueError) as exc:
        return str(exc)
    return None


async def request_captures(session_factory: sessionmaker[Session], base: str,
                           urls: list[str], settings: FetchSettings | None = None, *,
                           interval: float = 5.0,
                           clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                           transport: httpx.AsyncBaseTransport | None = None
                           ) -> list[tuple[str, str]]:
    """Ask the archive to capture each URL (Save Page Now), one request every
    ``interval`` seconds at most, and record each outcome on its source. A URL the
    address policy refuses is never sent."""
    outcomes: list[tuple[str, str]] = []
    async with Fetcher(settings, transport=transport) as fetcher:
        for i, url in enumerate(urls):
            if i:
                await asyncio.sleep(interval)
            refused = await _refusal(settings or FetchSettings(), url)
            if refused is not None:
                outcomes.append((url, f"not requested: {refused}"))
                continue
            result = await fetcher.fetch(save_url(base, url))
            problem = _failure(result)
            outcomes.append((url, "requested" if problem is None else f"failed: {problem}"))
    with session_factory.begin() as session:
        for url, outcome in outcomes:
            for source in session.scalars(select(SourceRow).where(SourceRow.url == url)):
                source.archive_requested_at = clock()
                source.archive_request = outcome
    return outcomes
