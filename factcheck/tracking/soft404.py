"""Asking a site what it answers for a page that does not exist (the soft-404 probe).

A page that reads like that answer, with no cited passage on it, is a *soft 404*: the
site says "not found" with a 200. The answer is asked once per directory and run, in
the cited page's own directory, because sites answer their sections differently; how
alike two answers read is :func:`factcheck.text.soft404.similarity`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin

from factcheck.text.extract import Page
from factcheck.text.soft404 import SOFT_404, similarity
from factcheck.web.fetcher import Fetcher, FetchResult

__all__ = ["MissingPages"]


class MissingPages:
    """The site's answers for missing paths, asked through ``fetcher`` and read by
    ``read``, remembered for one run."""

    def __init__(self, fetcher: Fetcher,
                 read: Callable[[FetchResult], Awaitable[Page | None]]) -> None:
        self.fetcher = fetcher
        self.read = read
        self._asked: dict[str, asyncio.Task[tuple[str, Page | None]]] = {}

    async def resemblance(self, url: str, page: Page) -> float | None:
        """How much ``page`` reads like the site's answer for a missing page, asked in
        the cited page's directory. A sibling answered with this very page says nothing
        either way (a site that ignores the last part of the path answers with the
        article): then the directory above is asked, and only its answer counts."""
        directory = urljoin(url, ".")
        probe_url, missing = await self.answer(directory)
        if missing is None or not missing.main_text:
            return None
        alike = similarity(page.main_text, missing.main_text, page_url=url,
                           probe_url=probe_url)
        parent = urljoin(directory, "..")
        if alike >= SOFT_404 and parent != directory \
                and similarity(missing.main_text, page.main_text) >= SOFT_404:
            probe_url, missing = await self.answer(parent)
            if missing is None or not missing.main_text:
                return None
            alike = similarity(page.main_text, missing.main_text, page_url=url,
                               probe_url=probe_url)
        return alike

    async def answer(self, directory: str) -> tuple[str, Page | None]:
        """The path asked in ``directory`` and the page answered for it (once per
        directory and run)."""
        if directory not in self._asked:
            self._asked[directory] = asyncio.ensure_future(self._ask(directory))
        return await self._asked[directory]

    async def _ask(self, directory: str) -> tuple[str, Page | None]:
        """Ask for a path in ``directory`` that cannot exist; at the host's root when the
        directory cannot be asked."""
        probe = urljoin(directory, f"factcheck-probe-{uuid.uuid4().hex}")
        result = await self.fetcher.fetch(probe)
        if result.error is None:
            return probe, await self.read(result)
        root = urljoin(directory, "/")
        if root == directory:
            return probe, None
        return await self._ask(root)
