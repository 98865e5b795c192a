"""The library's front door: a :class:`Store` on one database, and the work done on it.

:class:`~factcheck.store.Database` stores and queries; :class:`Store` adds what reaches
the web: fetching sources now, the recheck, the public archive (the Wayback Machine,
not our WARC files) and importing published fact-checks. The CLI and the desk take
their ``Store`` from here, through :mod:`factcheck`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from factcheck.errors import ConfigError
from factcheck.scale import DEFAULT_SCALE, RatingScale
from factcheck.store.database import Database
from factcheck.store.db import database_url, safe_url
from factcheck.store.models import SourceRow, utcnow
from factcheck.store.seeding import apply_seeds
from factcheck.tracking.archives import (
    ArchiveReport,
    check_archives,
    default_archive_base,
    request_captures,
)
from factcheck.tracking.offline import fetch_unless_offline, known_up
from factcheck.tracking.pipeline import DEFAULT_READERS
from factcheck.tracking.recheck import RecheckOptions, RunSummary, recheck, recheck_async
from factcheck.tracking.recording import record_captures
from factcheck.web.captures import Capture, FetchReport, Target
from factcheck.web.fetcher import FetchSettings

if TYPE_CHECKING:
    from factcheck.importing import ImportReport

__all__ = ["Store", "open_store"]

#: A worker's wait after an offline run, doubled after each one, up to the cap (seconds).
OFFLINE_BACKOFF = 30.0
OFFLINE_BACKOFF_CAP = 1800.0


def open_store(url: str | os.PathLike[str] | URL | None = None, *,
               scale: RatingScale = DEFAULT_SCALE, migrate: bool = False) -> Store:
    """Open the database at ``url`` (see :func:`factcheck.store.db.database_url`).

    With ``migrate=True`` the schema is brought to the newest revision first (and a
    SQLite file created if need be); otherwise a database that is not at it, or a
    SQLite file that does not exist (a mistyped path leaves no empty database
    behind), raises :class:`ConfigError` saying to run ``factcheck init``.
    """
    target = url if isinstance(url, URL) else database_url(url)
    if not migrate and target.get_backend_name() == "sqlite" \
            and target.database not in (None, "", ":memory:") \
            and not Path(target.database).exists():
        raise ConfigError(f"no database at {target.database}: create it with "
                          "`factcheck init` (or check --db)")
    store = Store(target, scale=scale)
    try:
        if migrate:
            store.migrate()
        else:
            store.check_schema()
    except DBAPIError as exc:
        store.close()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ConfigError(f"cannot use the database {safe_url(store.url)}: {reason}") from exc
    except BaseException:
        store.close()
        raise
    return store


class Store(Database):
    """Claims, sources, evidence and verdicts in one database, and the work on them.

    Every method runs in its own short transaction and returns plain records
    (:mod:`factcheck.records`), never live ORM objects.
    """

    def import_claimreview(self, sources: Iterable[str | Path], *,
                           rating_map: dict[str, str] | None = None,
                           settings: FetchSettings | None = None,
                           transport: httpx.AsyncBaseTransport | None = None
                           ) -> ImportReport:
        """Bring in published fact-checks from their ClaimReview markup: pages (URLs or
        saved ``.html`` files), JSON feeds, sitemaps (see :mod:`factcheck.importing`).

        Each fact-check becomes a document, each review a claim with its verdict (the
        publisher's label kept verbatim, a rating of this store's scale mapped from it,
        ``rating_map`` first), and the links it cites sources the recheck tracks. A
        source that cannot be read is named in the report with its reason; the rest is
        imported, in one transaction. Importing the same sources again changes nothing.
        """
        from factcheck.importing import ImportReport, read_sources, seeds_of

        report = ImportReport()
        pages = []
        for source, found, error in asyncio.run(read_sources(sources, settings, transport)):
            report.sources.append({"source": source, "fact_checks": len(found),
                                   "reviews": sum(len(p.reviews) for p in found),
                                   "error": error})
            pages += found
        seeds, report.warnings = seeds_of(pages, self.scale, rating_map)
        if seeds:
            with self._session.begin() as session:
                report.seeded = apply_seeds(session, seeds, self.scale)
        return report

    def fetch(self, urls: Iterable[str] | None = None, *,
              settings: FetchSettings | None = None,
              archive_dir: str | Path | None = "archive",
              readers: int = DEFAULT_READERS,
              transport: httpx.AsyncBaseTransport | None = None) -> FetchReport:
        """Fetch ``urls`` now (added as sources when new), or every source if ``None``.

        Each fetch becomes a snapshot; raw exchanges go to a WARC file in
        ``archive_dir`` (``None``: no WARC). Text is extracted in ``readers`` worker
        processes (started on demand; a script calling this needs the usual
        ``if __name__ == "__main__":`` guard), or in a thread with ``readers=0``.
        Runs its own event loop; from async code, await :meth:`fetch_async` instead.
        """
        return asyncio.run(self.fetch_async(urls, settings=settings, archive_dir=archive_dir,
                                            readers=readers, transport=transport))

    async def fetch_async(self, urls: Iterable[str] | None = None, *,
                          settings: FetchSettings | None = None,
                          archive_dir: str | Path | None = "archive",
                          readers: int = DEFAULT_READERS,
                          transport: httpx.AsyncBaseTransport | None = None) -> FetchReport:
        """:meth:`fetch`, for callers already inside an event loop."""
        wanted = None if urls is None else self.add_sources(urls)
        settings = settings or FetchSettings()
        with self._session() as session:
            query = select(SourceRow.id, SourceRow.url, SourceRow.etag,
                           SourceRow.last_modified, SourceRow.text_sha256,
                           SourceRow.content_sha256).order_by(SourceRow.id)
            if wanted is not None:
                query = query.where(SourceRow.url.in_(wanted))
            targets = [Target(*row) for row in session.execute(query)]
            up = known_up(session)
        # The recheck's guard: offline, nothing is recorded (FetchReport.offline says why).
        hosts = list(dict.fromkeys(urlsplit(t.url).hostname or "" for t in targets))[:20]
        return await fetch_unless_offline(
            targets, self._record_captures, settings=settings,
            archive_dir=None if archive_dir is None else Path(archive_dir), hosts=hosts,
            up=up, preflight=bool(targets), transport=transport, readers_count=readers)

    def recheck(self, options: RecheckOptions | None = None, *,
                clock: Callable[[], datetime] = utcnow,
                transport: httpx.AsyncBaseTransport | None = None,
                progress: Callable[[int, int], None] | None = None,
                should_stop: Callable[[], bool] = lambda: False) -> RunSummary:
        """Check what is due once (see :mod:`factcheck.tracking.recheck`)."""
        return recheck(self._session, self.url, options or RecheckOptions(), clock=clock,
                       transport=transport, progress=progress, should_stop=should_stop)

    async def recheck_async(self, options: RecheckOptions | None = None, *,
                            clock: Callable[[], datetime] = utcnow,
                            transport: httpx.AsyncBaseTransport | None = None,
                            progress: Callable[[int, int], None] | None = None,
                            should_stop: Callable[[], bool] = lambda: False) -> RunSummary:
        """:meth:`recheck`, for callers already inside an event loop."""
        return await recheck_async(self._session, self.url, options or RecheckOptions(),
                                   clock=clock, transport=transport, progress=progress,
                                   should_stop=should_stop)

    def work(self, options: RecheckOptions | None = None, *, poll: float = 300.0,
             stop: threading.Event | None = None,
             on_run: Callable[[RunSummary, float], None] | None = None) -> None:
        """Recheck continuously (``factcheck worker``): run what is due, then wait until
        the next source falls due (at least 1 s, at most ``poll`` seconds), until ``stop``
        is set; a run in hand stops as :meth:`recheck` does. After an offline run the
        wait backs off, 30 s doubling up to 30 minutes, instead of retrying every
        second. ``on_run`` hears of each run and the seconds waited after it."""
        stop = stop or threading.Event()
        backoff = 0.0
        while not stop.is_set():
            summary = self.recheck(options, should_stop=stop.is_set)
            if summary.status == "offline":  # our network is down: later each time
                backoff = min(OFFLINE_BACKOFF_CAP, max(OFFLINE_BACKOFF, backoff * 2))
                wait = backoff
            else:
                backoff = 0.0
                due = self.next_due()
                wait = poll if due is None else (due - utcnow()).total_seconds()
                wait = min(poll, max(1.0, wait))
            if on_run is not None:
                on_run(summary, wait)
            stop.wait(wait)

    def check_archives(self, base: str | None = None, settings: FetchSettings | None = None,
                       *, clock: Callable[[], datetime] = utcnow,
                       transport: httpx.AsyncBaseTransport | None = None) -> ArchiveReport:
        """Ask the public archive (``base``; default $FACTCHECK_ARCHIVE_BASE, else the
        Wayback Machine) about the evidence whose live source failed it (a recheck does
        this after each run; see :mod:`factcheck.tracking.archives`)."""
        base = base or default_archive_base()
        if base is None:
            raise ConfigError("archive lookups are off (FACTCHECK_ARCHIVE_BASE=off); "
                              "give the archive's base URL")
        return asyncio.run(check_archives(self._session, base, settings, clock=clock,
                                          transport=transport))

    def request_captures(self, urls: list[str], base: str | None = None,
                         settings: FetchSettings | None = None, *, interval: float = 5.0,
                         transport: httpx.AsyncBaseTransport | None = None
                         ) -> list[tuple[str, str]]:
        """Ask the archive to capture each URL (Save Page Now), at most one request every
        ``interval`` seconds; record and return each outcome."""
        base = base or default_archive_base()
        if base is None:
            raise ConfigError("archive requests are off (FACTCHECK_ARCHIVE_BASE=off); "
                              "give the archive's base URL")
        return asyncio.run(request_captures(self._session, base, urls, settings,
                                            interval=interval, transport=transport))

    def _record_captures(self, captures: list[Capture]) -> None:
        with self._session.begin() as session:
            record_captures(session, captures)
