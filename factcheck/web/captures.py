"""What one fetch hands to the recording: the target asked for, the capture made.

:class:`Target` is a source as the fetch needs it (its URL and validators);
:class:`Capture` is one fetch of it, read and written to our WARC file;
:class:`FetchReport` is what a whole fetch run came to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from factcheck.errors import FetchError
from factcheck.text.extract import Page
from factcheck.web.fetcher import FetchResult

__all__ = ["Capture", "FetchReport", "Target"]


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
    """One fetch of one source, read and written to our WARC file, ready to record."""

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
