"""Fetching sources now: fetch, read, write to our WARC file and record, memory kept flat.

Work flows through bounded queues, one stage per method of :class:`Pipeline`::

    supply (a batch at a time, interleaved by host)
      -> fetch    (workers sharing one Fetcher: its global and per-host limits hold)
      -> read     (text extracted in reader processes; soft-404 probe on a new page)
      -> write    (WARC records, then ``record`` in batches, one transaction each)

A crash loses at most one batch, and nothing holds a transaction open across the
network. Where a stage's failure becomes a source's outcome is :func:`record_isolated`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx

from factcheck.errors import Withheld
from factcheck.text.extract import Page, text_sha256
from factcheck.tracking.readers import DEFAULT_READERS, MAX_BATCH, Readers
from factcheck.tracking.soft404 import MissingPages
from factcheck.web.archive import WarcArchive
from factcheck.web.captures import Capture, FetchReport, Target
from factcheck.web.fetcher import Fetcher, FetchResult, FetchSettings, describe, host_key

__all__ = ["DEFAULT_READERS", "Pipeline", "fetch_targets", "interleave_by_host",
           "record_isolated"]

log = logging.getLogger("factcheck.fetching")

BATCH_SIZE = 50
BATCH_SECONDS = 1.0

#: A page fetched and read, with how much it resembles the site's missing page.
Read = tuple[Target, FetchResult, Page | None, float | None]


def interleave_by_host(targets: Iterable[Target]) -> list[Target]:
    """Order targets round-robin across hosts, so one busy host never holds up the rest."""
    by_host: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        by_host[host_key(target.url)].append(target)
    queues = list(by_host.values())
    ordered: list[Target] = []
    for rank in range(max((len(q) for q in queues), default=0)):
        ordered.extend(q[rank] for q in queues if rank < len(q))
    return ordered


def record_isolated(record: Callable[[list[Capture]], None], captures: list[Capture]) -> None:
    """Record a batch; if that fails, each capture alone; a capture that still cannot be
    recorded is recorded as that source's ``error``, with the reason.

    So one source's bad data (a value the database refuses, a bug it trips) costs that
    source, never its batch or the run. Only a failure to record even the error (the
    database itself is gone) is raised: that is the run's fault.
    """
    try:
        record(captures)
        return
    except Exception:
        log.warning("a batch of %d could not be recorded; recording one by one",
                    len(captures), exc_info=True)
    for capture in captures:
        try:
            record([capture])
        except Exception as exc:
            log.warning("source %s could not be recorded: %s", capture.source_id,
                        describe(exc))
            record([capture.failed(f"could not be recorded: {describe(exc)}")])


def _once(targets: list[Target]) -> Callable[[], list[Target]]:
    batches = [targets]
    return lambda: batches.pop() if batches else []


class Pipeline:
    """One run of fetching: its queues, its counts, and a method per stage.

    ``supply`` returns the next batch of targets (``[]`` when there are no more), called
    in a thread as the queue runs low: a recheck claims due sources that way.
    ``record`` takes captures in batches, in a thread. ``readers_count`` processes
    extract text (0: one thread of this process). ``keep_results=False`` keeps counts
    only. Once ``should_stop()`` says so, targets not yet started are dropped (the
    caller releases their claims) and what is in flight is finished and recorded.
    """

    def __init__(self, supply: Callable[[], list[Target]],
                 record: Callable[[list[Capture]], None], *, settings: FetchSettings,
                 archive_dir: Path | None, transport: httpx.AsyncBaseTransport | None = None,
                 readers_count: int = DEFAULT_READERS, keep_results: bool = True,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.supply, self.record = supply, record
        self.settings, self.transport = settings, transport
        self.readers_count, self.keep_results = readers_count, keep_results
        self.should_stop = should_stop
        self.report = FetchReport()
        self.workers = max(1, settings.concurrency * 2)
        # Enough pages waiting to be read that a free reader takes a batch of them.
        self.reading_tasks = max(8, readers_count * MAX_BATCH * 2)
        self.pending: asyncio.Queue[Target | None] = asyncio.Queue(maxsize=self.workers * 2)
        self.fetched: asyncio.Queue[tuple[Target, FetchResult] | None] = asyncio.Queue(
            maxsize=BATCH_SIZE * 2)
        self.done: asyncio.Queue[Read | None] = asyncio.Queue(maxsize=BATCH_SIZE * 2)
        self.archive = WarcArchive(archive_dir) if archive_dir is not None else None

    async def run(self) -> FetchReport:
        started = time.monotonic()
        self.readers = Readers(self.readers_count)
        try:
            # One task group: if a stage fails, the others are cancelled, none outlives it.
            async with Fetcher(self.settings, transport=self.transport) as fetcher, \
                    asyncio.TaskGroup() as group:
                self.missing = MissingPages(fetcher, self.read_page)
                group.create_task(self.fetch_all(fetcher))
                group.create_task(self.read_all())
                group.create_task(self.write_all())
        finally:
            self.readers.shutdown()
            if self.archive is not None:
                self.archive.close()
        self.report.seconds = time.monotonic() - started
        return self.report

    # -- supply ----------------------------------------------------------------

    async def produce(self) -> None:
        while batch := await asyncio.to_thread(self.supply):
            for target in interleave_by_host(batch):
                self.report.sources += 1
                await self.pending.put(target)
        for _ in range(self.workers):
            await self.pending.put(None)

    # -- fetch -------------------------------------------------------------------

    async def fetch_all(self, fetcher: Fetcher) -> None:
        watcher = asyncio.ensure_future(self.watch(fetcher))
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.produce())
                for _ in range(self.workers):
                    group.create_task(self.fetch(fetcher))
        finally:
            watcher.cancel()
        for _ in range(self.reading_tasks):
            await self.fetched.put(None)

    async def fetch(self, fetcher: Fetcher) -> None:
        """Fetch, and hand over: a worker never waits for a page to be read."""
        while (target := await self.pending.get()) is not None:
            if self.should_stop():
                self.report.sources -= 1
                continue
            result = await fetcher.fetch(target.url, etag=target.etag,
                                         last_modified=target.last_modified)
            if isinstance(result.error, Withheld):  # never sent: the next run takes it
                self.report.sources -= 1
                continue
            await self.fetched.put((target, result))

    async def watch(self, fetcher: Fetcher) -> None:
        """Once the run must stop, what still waits for its host's turn is not sent."""
        while not self.should_stop():
            await asyncio.sleep(0.2)
        fetcher.withhold_queued()

    # -- read --------------------------------------------------------------------

    async def read_all(self) -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(self.reading_tasks):
                group.create_task(self.read())
        await self.done.put(None)

    async def read(self) -> None:
        """Read what was fetched (in the reader processes), and probe soft 404s."""
        while (item := await self.fetched.get()) is not None:
            target, result = item
            page = None if target.unchanged(result) else await self.read_page(result)
            alike = None
            if page is not None and text_sha256(page.main_text) != target.text_sha256:
                # A first check, or the page changed: is it what the site says for a
                # missing page? (A page already gone when tracking began is caught too.)
                alike = await self.missing.resemblance(result.final_url or target.url, page)
            await self.done.put((target, result, page, alike))

    async def read_page(self, result: FetchResult) -> Page | None:
        if result.body is None or result.outcome != "fetched":
            return None
        return await self.readers.extract(result)

    # -- write -------------------------------------------------------------------

    async def write_all(self) -> None:
        """Count each result, and write them in batches: by size, or once the oldest
        has waited ``BATCH_SECONDS``."""
        batch: list[Read] = []
        oldest = 0.0
        finished = False
        while not finished:
            try:
                item = await asyncio.wait_for(self.done.get(), timeout=BATCH_SECONDS)
            except TimeoutError:
                item = None
            else:
                finished = item is None
            if item is not None:
                self.count(item[0], item[1])
                if not batch:
                    oldest = time.monotonic()
                batch.append(item)
            if batch and (finished or len(batch) >= BATCH_SIZE
                          or time.monotonic() - oldest >= BATCH_SECONDS):
                await asyncio.to_thread(self.write, batch)
                batch = []

    def count(self, target: Target, result: FetchResult) -> None:
        report = self.report
        report.outcomes[result.outcome] += 1
        report.bytes_received += sum(len(e.raw) for e in result.exchanges)
        if self.keep_results:
            report.results.append((target.url, result.outcome, result.status,
                                   str(result.error) if result.error else None))

    def write(self, batch: list[Read]) -> None:
        """In a thread: the WARC records of what is new, then the batch recorded."""
        captures = []
        for target, result, page, alike in batch:
            warc_file = warc_offset = None
            if self.archive is not None and not target.unchanged(result):
                for exchange in result.exchanges:
                    warc_file, warc_offset = self.archive.write(exchange)
            captures.append(Capture(target.source_id, result, page, warc_file, warc_offset,
                                    alike, target.unchanged(result)))
        record_isolated(self.record, captures)


async def fetch_targets(
        targets: Iterable[Target] | Callable[[], list[Target]],
        record: Callable[[list[Capture]], None], *,
        settings: FetchSettings, archive_dir: Path | None,
        transport: httpx.AsyncBaseTransport | None = None,
        readers_count: int = DEFAULT_READERS, keep_results: bool = True,
        should_stop: Callable[[], bool] = lambda: False) -> FetchReport:
    """Fetch every target and hand the captures to ``record`` in batches (in a thread).

    ``targets`` is a list, or a function returning the next batch (see
    :class:`Pipeline`)."""
    supply = targets if callable(targets) else _once(list(targets))
    return await Pipeline(supply, record, settings=settings, archive_dir=archive_dir,
                          transport=transport, readers_count=readers_count,
                          keep_results=keep_results, should_stop=should_stop).run()
