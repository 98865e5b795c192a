"""Readers: the processes that turn fetched bodies into text.

Extraction is CPU work: it runs in worker processes so that it uses the other cores
and the event loop keeps serving fetches, pages handed over in batches (measured on 2
cores: 180 pages/s with extraction in a thread, 213-237 with one reader process a page
at a time, 266-303 with batches).
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

from factcheck.text.extract import Page, extract
from factcheck.web.fetcher import FetchResult, describe

__all__ = ["DEFAULT_READERS", "MAX_BATCH", "Readers"]

#: Processes that extract text: every core but one, which runs the event loop.
DEFAULT_READERS = max(1, min(4, (os.cpu_count() or 2) - 1))


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
        """Stop the readers. Their processes exit in the background: the run does not
        wait the 0.1-0.2 s a process takes to go (the interpreter joins them at exit)."""
        for _, page in self._waiting:
            page.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)


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


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
