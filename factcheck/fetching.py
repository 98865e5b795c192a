"""Fetching sources now: fetch, extract, archive and record, with memory kept flat.

Work flows through bounded queues::

    targets (interleaved by host) -> workers: fetch + extract -> writer: WARC + database

Workers share one :class:`~factcheck.web.fetcher.Fetcher`, so the global and per-host
limits hold across all of them. Extraction runs in worker processes so that it uses
the other cores and the event loop keeps serving fetches, pages handed over in batches
(measured on 2 cores: 180 pages/s with extraction in a thread, 213-237 with one reader
process a page at a time, 266-303 with batches). The writer
records results in batches, one transaction per batch, so a crash loses at most one
batch and nothing holds a transaction open across the network.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

from factcheck.errors import FetchError, Withheld
from factcheck.text.extract import Page, extract, text_sha256
from factcheck.text.soft404 import SOFT_404, similarity
from factcheck.web.archive import WarcArchive
from factcheck.web.fetcher import Fetcher, FetchResult, FetchSettings, describe, host_key

__all__ = ["DEFAULT_READERS", "Capture", "FetchReport", "Readers", "Target", "fetch_targets",
           "interleave_by_host", "record_isolated"]

log = logging.getLogger("factcheck.fetching")

BATCH_SIZE = 50
BATCH_SECONDS = 1.0
#: Processes that extract text: every core but one, which runs the event loop.
DEFAULT_READERS = max(1, min(4, (os.cpu_count() or 2) - 1))


@dataclass(frozen=True)
class Target:
    """A source to fetch, with what a conditional request needs."""

    source_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    #: The normalized main text's hash at the last check: a change prompts a soft-404 probe.
    text_sha256: str | None = None
    #: The body's hash at the last check: the same bytes again are not read twice.
    content_sha256: str | None = None

    def unchanged(self, result: FetchResult) -> bool:
        """Whether ``result`` says nothing new: a 304, or the very bytes seen last time.
        Such a check is not parsed, and adds no WARC record."""
        return result.not_modified or (
            result.outcome == "fetched" and self.content_sha256 is not None
            and result.content_sha256 == self.content_sha256)


@dataclass(frozen=True)
class Capture:
    """One fetch of one source, read and archived, ready to record."""

    source_id: int
    result: FetchResult
    page: Page | None
    warc_file: str | None = None
    warc_offset: int | None = None
    #: How much the page resembles the site's answer for a missing path (0-1), when asked.
    soft_404_similarity: float | None = None
    #: A 304, or the very bytes seen last time: nothing new to read or archive.
    unchanged: bool = False

    def failed(self, reason: str) -> Capture:
        """This capture as an ``error`` outcome: what is kept when it cannot be recorded."""
        result = replace(self.result, body=None, error=FetchError(reason))
        return replace(self, result=result, page=None, soft_404_similarity=None,
                       unchanged=False)


@dataclass
class FetchReport:
    """What a fetch run came to."""

    sources: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    bytes_received: int = 0
    seconds: float = 0.0
    #: (url, outcome, http status, error message) per source, in the order fetched.
    results: list[tuple[str, str, int | None, str | None]] = field(default_factory=list)
    #: Why our own network looked down, when it did: then nothing was recorded.
    offline: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"sources": self.sources, "offline": self.offline,
                "outcomes": dict(self.outcomes),
                "bytes_received": self.bytes_received, "seconds": round(self.seconds, 3),
                "results": [{"url": u, "outcome": o, "http_status": s, "error": e}
                            for u, o, s, e in self.results]}


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


#: What one page's reading takes: the body, its type, its URL, the header's charset.
ReadArgs = tuple[bytes, str | None, str, str | None]
#: At most this many pages in one task for a reader process.
MAX_BATCH = 16


def _extract_all(pages: list[ReadArgs]) -> list[Page]:
    """In a reader: read every page of a batch (``extract`` never raises)."""
    return [extract(*page) for page in pages]


class Readers:
    """Processes that extract text (a thread when ``count`` is 0).

    Pages that arrive together, or while every reader is busy, go to the next free
    reader in one task: the hand-over between processes (pickling, pipes, wake-ups) is
    paid once per batch instead of once per page. A body that crashes a reader process
    (a segfault in a parser) breaks the pool: the pool is started again and each page of
    that batch is read again on its own, so only a page that breaks a reader by itself
    is recorded with the problem. The processes end with this one, even after a
    ``kill -9`` of it.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool = self._start()
        self._waiting: list[tuple[ReadArgs, asyncio.Future[Page]]] = []
        self._busy = 0
        self._scheduled = False
        self._batches: set[asyncio.Task[None]] = set()

    def _start(self) -> Executor:
        if self.count <= 0:
            return ThreadPoolExecutor(1)
        return ProcessPoolExecutor(self.count, mp_context=get_context("spawn"),
                                   initializer=_die_with_parent, initargs=(os.getpid(),))

    async def extract(self, result: FetchResult) -> Page:
        loop = asyncio.get_running_loop()
        page: asyncio.Future[Page] = loop.create_future()
        self._waiting.append(((result.body or b"", result.content_type,
                               result.final_url or result.url,
                               _charset(result.headers.get("content-type", ""))), page))
        if not self._scheduled:  # after this turn of the loop: what arrives with it joins
            self._scheduled = True
            loop.call_soon(self._dispatch)
        return await page

    def _dispatch(self) -> None:
        self._scheduled = False
        self._waiting = [(args, page) for args, page in self._waiting if not page.done()]
        while self._waiting and self._busy < max(1, self.count):
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            self._busy += 1
            task = asyncio.ensure_future(self._read(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _read(self, batch: list[tuple[ReadArgs, asyncio.Future[Page]]]) -> None:
        try:
            pages = await self._run([args for args, _ in batch])
            if pages is None and len(batch) > 1:  # a reader died: which page was it?
                pages = [(await self._run([args]) or [_crashed()])[0] for args, _ in batch]
            for (_, page), read in zip(batch, pages or [_crashed()], strict=True):
                if not page.done():
                    page.set_result(read)
        finally:
            self._busy -= 1
            self._dispatch()

    async def _run(self, pages: list[ReadArgs]) -> list[Page] | None:
        """The pages read by one reader; None when the reader died meanwhile."""
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, _extract_all, pages)
        except BrokenExecutor:
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            return None
        except Exception as exc:  # extract never raises; pickling or the pool might
            return [Page(kind="unsupported",
                         problem=f"the body could not be read ({describe(exc)})")] * len(pages)

    def shutdown(self) -> None:
        for _, page in self._waiting:
            page.cancel()
        self._pool.shutdown(cancel_futures=True)


def _crashed() -> Page:
    return Page(kind="unsupported", problem="reading the body crashed the reader "
                                            "(a reader process died)")


def _die_with_parent(parent: int) -> None:
    """In a reader process: exit when the process that started it is gone."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _once(targets: list[Target]) -> Callable[[], list[Target]]:
    batches = [targets]
    return lambda: batches.pop() if batches else []


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


async def fetch_targets(
        targets: Iterable[Target] | Callable[[], list[Target]],
        record: Callable[[list[Capture]], None], *,
        settings: FetchSettings, archive_dir: Path | None,
        transport: httpx.AsyncBaseTransport | None = None,
        readers_count: int = DEFAULT_READERS, keep_results: bool = True,
        should_stop: Callable[[], bool] = lambda: False) -> FetchReport:
    """Fetch every target and hand the captures to ``record`` in batches (in a thread).

    ``targets`` is a list, or a function returning the next batch (``[]`` when there
    are no more), called in a thread as the queue runs low: a recheck claims due
    sources that way, a batch at a time. ``readers_count`` processes extract text
    (0: one thread of this process). ``keep_results=False`` keeps counts only, for runs
    over more sources than anyone will read line by line. Once ``should_stop()`` says
    so, targets not yet started are dropped (the caller releases their claims) and what
    is in flight is finished and recorded.
    """
    report = FetchReport()
    started = time.monotonic()
    supply = targets if callable(targets) else _once(list(targets))
    workers = max(1, settings.concurrency * 2)
    pending: asyncio.Queue[Target | None] = asyncio.Queue(maxsize=workers * 2)
    done: asyncio.Queue[tuple[Target, FetchResult, Page | None, float | None] | None] = \
        asyncio.Queue(maxsize=BATCH_SIZE * 2)
    archive = WarcArchive(archive_dir) if archive_dir is not None else None
    probes: dict[str, asyncio.Task[tuple[str, Page | None]]] = {}

    async def produce() -> None:
        while batch := await asyncio.to_thread(supply):
            for target in interleave_by_host(batch):
                report.sources += 1
                await pending.put(target)
        for _ in range(workers):
            await pending.put(None)

    async def read(result: FetchResult) -> Page | None:
        if result.body is None or result.outcome != "fetched":
            return None
        return await readers.extract(result)

    async def ask(fetcher: Fetcher, directory: str) -> tuple[str, Page | None]:
        """The site's answer for a path in ``directory`` that cannot exist, and that
        path; at the host's root when the directory cannot be asked."""
        probe = urljoin(directory, f"factcheck-probe-{uuid.uuid4().hex}")
        result = await fetcher.fetch(probe)
        if result.error is None:
            return probe, await read(result)
        root = urljoin(directory, "/")
        if root == directory:
            return probe, None
        return await ask(fetcher, root)

    async def missing_page(fetcher: Fetcher, directory: str) -> tuple[str, Page | None]:
        if directory not in probes:  # once per directory and run
            probes[directory] = asyncio.ensure_future(ask(fetcher, directory))
        return await probes[directory]

    async def resemblance(fetcher: Fetcher, url: str, page: Page) -> float | None:
        """How much ``page`` reads like the site's answer for a missing page, asked in
        the cited page's directory (sites answer their sections differently). A sibling
        answered with this very page says nothing either way (a site that ignores the
        last part of the path answers with the article): then the directory above is
        asked, and only its answer counts."""
        directory = urljoin(url, ".")
        probe_url, missing = await missing_page(fetcher, directory)
        if missing is None or not missing.main_text:
            return None
        alike = similarity(page.main_text, missing.main_text, page_url=url,
                           probe_url=probe_url)
        parent = urljoin(directory, "..")
        if alike >= SOFT_404 and parent != directory \
                and similarity(missing.main_text, page.main_text) >= SOFT_404:
            probe_url, missing = await missing_page(fetcher, parent)
            if missing is None or not missing.main_text:
                return None
            alike = similarity(page.main_text, missing.main_text, page_url=url,
                               probe_url=probe_url)
        return alike

    fetched: asyncio.Queue[tuple[Target, FetchResult] | None] = asyncio.Queue(
        maxsize=BATCH_SIZE * 2)
    # Enough pages waiting to be read that a free reader takes a batch of them.
    readers_tasks = max(8, readers_count * MAX_BATCH * 2)

    async def work(fetcher: Fetcher) -> None:
        """Fetch, and hand over: a worker never waits for a page to be read."""
        while (target := await pending.get()) is not None:
            if should_stop():
                report.sources -= 1
                continue
            result = await fetcher.fetch(target.url, etag=target.etag,
                                         last_modified=target.last_modified)
            if isinstance(result.error, Withheld):  # never sent: the next run takes it
                report.sources -= 1
                continue
            await fetched.put((target, result))

    async def digest(fetcher: Fetcher) -> None:
        """Read what was fetched (in the reader processes), and probe soft 404s."""
        while (item := await fetched.get()) is not None:
            target, result = item
            page = None if target.unchanged(result) else await read(result)
            alike = None
            if page is not None and text_sha256(page.main_text) != target.text_sha256:
                # A first check, or the page changed: is it what the site says for a
                # missing page? (A page already gone when tracking began is caught too.)
                alike = await resemblance(fetcher, result.final_url or target.url, page)
            await done.put((target, result, page, alike))

    async def watch(fetcher: Fetcher) -> None:
        """Once the run must stop, what still waits for its host's turn is not sent."""
        while not should_stop():
            await asyncio.sleep(0.2)
        fetcher.withhold_queued()

    async def fetch_all(fetcher: Fetcher) -> None:
        watcher = asyncio.ensure_future(watch(fetcher))
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for _ in range(workers):
                    group.create_task(work(fetcher))
        finally:
            watcher.cancel()
        for _ in range(readers_tasks):
            await fetched.put(None)

    async def read_all(fetcher: Fetcher) -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(readers_tasks):
                group.create_task(digest(fetcher))
        await done.put(None)

    def write(batch: list[tuple[Target, FetchResult, Page | None, float | None]]) -> None:
        captures = []
        for target, result, page, alike in batch:
            warc_file = warc_offset = None
            if archive is not None and not target.unchanged(result):
                for exchange in result.exchanges:
                    warc_file, warc_offset = archive.write(exchange)
            captures.append(Capture(target.source_id, result, page, warc_file, warc_offset,
                                    alike, target.unchanged(result)))
        record_isolated(record, captures)

    async def writer() -> None:
        batch: list[tuple[Target, FetchResult, Page | None, float | None]] = []
        oldest = 0.0
        finished = False
        while not finished:
            try:
                item = await asyncio.wait_for(done.get(), timeout=BATCH_SECONDS)
            except TimeoutError:
                item = None
            else:
                finished = item is None
            if item is not None:
                target, result, _, _ = item
                report.outcomes[result.outcome] += 1
                report.bytes_received += sum(len(e.raw) for e in result.exchanges)
                if keep_results:
                    report.results.append((target.url, result.outcome, result.status,
                                           str(result.error) if result.error else None))
                if not batch:
                    oldest = time.monotonic()
                batch.append(item)
            if batch and (finished or len(batch) >= BATCH_SIZE
                          or time.monotonic() - oldest >= BATCH_SECONDS):
                await asyncio.to_thread(write, batch)
                batch = []

    # Extraction is CPU work: other processes take it off the event loop's core.
    readers = Readers(readers_count)
    try:
        # One task group: if a stage fails, the others are cancelled, none outlives it.
        async with Fetcher(settings, transport=transport) as fetcher, \
                asyncio.TaskGroup() as group:
            group.create_task(fetch_all(fetcher))
            group.create_task(read_all(fetcher))
            group.create_task(writer())
    finally:
        readers.shutdown()
        if archive is not None:
            archive.close()
    report.seconds = time.monotonic() - started
    return report
