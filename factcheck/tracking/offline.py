"""Offline is decided by the network, never by the sources.

A run is offline when our own network is down: then nothing about any source is
written, since a dead network would otherwise read as every source dying at once. It is
decided by evidence about the network itself:

1. the ``--canary`` URL, when one is given;
2. else hosts that answered in recent runs (and are not the ones failing now): if any
   of them answers, the network works and the failures are the sources' own, a dead
   domain among them;
3. with no such evidence (nothing ever reached), the due hosts' names: if none
   resolves, the run says it cannot tell a dead domain from a dead network, and
   changes nothing.

During a run, :class:`OfflineGuard` holds failures at the network level until some
fetch answers; if none ever does, :meth:`OfflineGuard.settle` asks the hosts known to
be up before deciding. :func:`fetch_unless_offline` puts the three together: it is the
one way sources are fetched and recorded, by ``Store.fetch`` and by the recheck alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.errors import NameResolutionFailed, NetworkError
from factcheck.store.models import SourceRow
from factcheck.tracking.pipeline import fetch_targets, record_isolated
from factcheck.web.captures import Capture, FetchReport, Target
from factcheck.web.fetcher import Fetcher, FetchSettings
from factcheck.web.safety import resolve

__all__ = ["KNOWN_UP_PROBES", "NETWORK_OUTCOMES", "OfflineGuard", "any_answers",
           "fetch_unless_offline", "known_up", "offline_reason", "origin"]

#: Fetch outcomes that are failures of the exchange itself (ours, or the source's).
NETWORK_OUTCOMES = frozenset({"dns-error", "no-such-host", "connection-error", "timeout",
                              "tls-error", "network-error"})
#: How many hosts known to be up are asked.
KNOWN_UP_PROBES = 5


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def known_up(session: Session) -> list[str]:
    """Origins of sources that answered lately, the most recently checked first."""
    urls = session.scalars(select(SourceRow.url).where(
        SourceRow.status.in_(("fetched", "unchanged")))
        .order_by(SourceRow.last_checked_at.desc()).limit(200))
    return list(dict.fromkeys(origin(u) for u in urls))


async def any_answers(origins: list[str], settings: FetchSettings,
                      transport: httpx.AsyncBaseTransport | None = None) -> bool:
    """Whether any of these origins answers over HTTP at all (any status will do)."""
    quick = replace(settings, retries=0, respect_robots=False,
                    total_timeout=min(settings.total_timeout, 15.0))
    async with Fetcher(quick, transport=transport) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(f"{o}/robots.txt")
                                         for o in origins[:KNOWN_UP_PROBES]))
    return any(not isinstance(r.error, NetworkError) for r in results)


async def offline_reason(hosts: list[str], up: list[str], settings: FetchSettings,
                         canary_url: str | None = None,
                         transport: httpx.AsyncBaseTransport | None = None) -> str | None:
    """Why our own network looks down before a run, or None (see the module's text).

    ``transport`` replaces the network (tests): then it is asked, and no name resolved.
    """
    if canary_url:
        async with Fetcher(settings, transport=transport) as fetcher:
            result = await fetcher.fetch(canary_url)
        if isinstance(result.error, NetworkError):
            return f"the canary {canary_url} failed ({result.error}); no source was changed"
        return None
    if up:
        if await any_answers(up, settings, transport):
            return None
        return (f"the network is unreachable: none of {min(len(up), KNOWN_UP_PROBES)} "
                f"hosts that answered before answers now (e.g. {up[0]}); "
                "no source was changed")
    if hosts and transport is None:
        results = await asyncio.gather(*(resolve(h, 443) for h in hosts),
                                       return_exceptions=True)
        if all(isinstance(r, NameResolutionFailed) for r in results):
            return (f"the network looks unreachable: none of {len(hosts)} host names "
                    f"resolved (e.g. {hosts[0]}), and no source has ever answered, so a "
                    "dead domain cannot be told from a dead network; no source was changed")
    return None


class OfflineGuard:
    """Wraps a recorder: failures at the network level are held until a fetch answers.

    Once something answered, the network works: what was held is recorded with the
    next batch. A batch is marked answered only after it was recorded, so a batch that
    fails to record is retried whole.
    """

    def __init__(self, record: Callable[[list[Capture]], None]) -> None:
        self.record = record
        self.held: list[Capture] = []
        self.answered = False

    def __call__(self, captures: list[Capture], *, network_up: bool = False) -> None:
        if not self.answered and not network_up:
            if all(c.result.outcome in NETWORK_OUTCOMES for c in captures):
                self.held.extend(captures)
                return
            captures = self.held + captures
        self.record(captures)
        if captures and not self.answered:
            self.answered = True
            self.held.clear()

    async def settle(self, up: list[str], settings: FetchSettings,
                     transport: httpx.AsyncBaseTransport | None = None) -> str | None:
        """At the end: record what was held if hosts known to be up answer; else say
        why the run is offline (nothing held was recorded)."""
        if self.answered or not self.held:
            return None
        failing = {origin(c.result.url) for c in self.held}
        others = [o for o in up if o not in failing]
        if others and await any_answers(others, settings, transport):
            # The same isolation as the writer's: one source's bad data costs only it.
            await asyncio.to_thread(record_isolated,
                                    lambda captures: self(captures, network_up=True),
                                    list(self.held))
            return None
        first = self.held[0].result
        return (f"the network is unreachable: all {len(self.held)} fetches failed "
                f"({first.outcome}: {first.error})"
                + ("" if others else ", and no other host has ever answered")
                + "; no source was changed")


async def fetch_unless_offline(
        targets: list[Target] | Callable[[], list[Target]],
        record: Callable[[list[Capture]], None], *, settings: FetchSettings,
        archive_dir: Path | None, hosts: list[str], up: list[str],
        canary_url: str | None = None, preflight: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        after_write: Callable[[int], None] | None = None,
        bounded: Callable[[Awaitable[FetchReport]], Awaitable[FetchReport | None]]
        | None = None, **pipeline: Any) -> FetchReport:
    """Fetch ``targets`` and record them, unless our own network is down.

    Before (``preflight``): :func:`offline_reason` over ``hosts`` and the origins ``up``.
    During: an :class:`OfflineGuard` around ``record`` (``after_write`` hears, after each
    batch, how many captures it holds back). After, if every fetch failed at the network
    level: :meth:`OfflineGuard.settle`. Offline at any point, ``FetchReport.offline``
    says why and nothing was recorded. ``bounded`` wraps the fetching (a run's deadline):
    when it returns None the fetching was cut short, and nothing is settled. The rest
    goes to :func:`~factcheck.tracking.pipeline.fetch_targets`.
    """
    if preflight:
        reason = await offline_reason(hosts, up, settings, canary_url, transport)
        if reason is not None:
            return FetchReport(sources=len(targets) if isinstance(targets, list) else 0,
                               offline=reason)
    guard = OfflineGuard(record)

    def write(captures: list[Capture]) -> None:
        guard(captures)
        if after_write is not None:
            after_write(len(guard.held))

    fetching = fetch_targets(targets, write, settings=settings, archive_dir=archive_dir,
                             transport=transport, **pipeline)
    report = await (bounded(fetching) if bounded is not None else fetching)
    if report is None:
        return FetchReport()
    report.offline = await guard.settle(up, settings, transport)
    return report
