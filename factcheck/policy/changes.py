"""What a check says about a source: a pure classification of one fetch.

=============  ===========================================================
``unchanged``  the main text is what it was (a 304, or the same normalized text);
               also a first check, which sets the baseline
``changed``    the main text changed (boilerplate is not main text)
``moved``      a permanent redirect, or a canonical URL, points elsewhere
``gone``       404 or 410, or a domain that does not exist, on checks spread over at
               least a day
``soft-404``   a 200 that reads like the site's answer for a path that does not exist
               (no text of its own beside it; see :mod:`factcheck.text.soft404`), and
               on which no cited passage can be placed
``blocked``    robots.txt, 401/403, a refused address, or 429 on repeated checks
``error``      anything else that failed: worth another try
=============  ===========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from factcheck.errors import InvalidURL
from factcheck.text.soft404 import SOFT_404
from factcheck.urls import normalize_url

__all__ = ["GONE_AFTER", "SOFT_404", "Observation", "classify"]

GONE_AFTER = timedelta(days=1)
BLOCKING_STATUSES = frozenset({401, 403})
GONE_STATUSES = frozenset({404, 410})


@dataclass(frozen=True)
class Observation:
    """What one check saw, with what the source was before it."""

    url: str
    outcome: str  # the fetch outcome: fetched, unchanged, http-error, timeout, ...
    http_status: int | None
    now: datetime
    final_url: str | None = None
    permanently_moved: bool = False
    canonical_url: str | None = None
    text_sha256: str | None = None
    error: str | None = None
    #: The site answers a random missing path with a page this similar (0-1), or None.
    soft_404_similarity: float | None = None
    previous_text_sha256: str | None = None
    previous_canonical_url: str | None = None
    failing_since: datetime | None = None
    consecutive_failures: int = 0  # before this check
    #: The source's state and reason before this check.
    previous_state: str | None = None
    previous_reason: str | None = None
    #: A cited passage stands on the page (found, or placed with edits): then it is the
    #: page that was cited, whatever it resembles.
    passage_placed: bool = False


def _same_page(a: str, b: str) -> bool:
    try:
        return normalize_url(a).rstrip("/") == normalize_url(b).rstrip("/")
    except InvalidURL:
        return a == b


def classify(seen: Observation) -> tuple[str, str]:
    """The state of the source after this check, and why."""
    if seen.outcome == "blocked":
        return "blocked", seen.error or "robots.txt disallows it"
    if seen.outcome == "refused":
        return "blocked", seen.error or "refused: not a public address"
    if seen.outcome == "http-error" and seen.http_status is not None:
        status = seen.http_status
        if status in BLOCKING_STATUSES:
            return "blocked", f"the server refuses us: HTTP {status}"
        if status == 429:
            if seen.consecutive_failures >= 1:
                return "blocked", "HTTP 429 (too many requests) on repeated checks"
            return "error", "HTTP 429 (too many requests); blocked if it persists"
        if status in GONE_STATUSES:
            since = seen.failing_since or seen.now
            if seen.consecutive_failures >= 1 and seen.now - since >= GONE_AFTER:
                return "gone", f"HTTP {status} on every check since {since:%Y-%m-%d %H:%M} UTC"
            return "error", f"HTTP {status}; gone if it persists for a day"
        return "error", f"HTTP {status}"
    if seen.outcome == "no-such-host":
        since = seen.failing_since or seen.now
        if seen.consecutive_failures >= 1 and seen.now - since >= GONE_AFTER:
            return "gone", ("the domain no longer exists: no such host on every check "
                            f"since {since:%Y-%m-%d %H:%M} UTC")
        return "error", "the domain does not exist; gone if it persists for a day"
    if seen.outcome not in ("fetched", "unchanged"):
        return "error", seen.error or seen.outcome
    if seen.permanently_moved and seen.final_url and not _same_page(seen.url, seen.final_url):
        return "moved", f"permanently redirected to {seen.final_url}"
    # A canonical URL elsewhere is a move when it is new: on the first check it only says
    # the cited URL is an alias, which is the baseline.
    if seen.canonical_url and seen.previous_text_sha256 is not None \
            and not _same_page(seen.url, seen.canonical_url) \
            and not _same_page(seen.final_url or seen.url, seen.canonical_url) \
            and not _same_page(seen.previous_canonical_url or seen.url, seen.canonical_url):
        return "moved", f"the page now names {seen.canonical_url} as its canonical URL"
    if seen.soft_404_similarity is not None and seen.soft_404_similarity >= SOFT_404 \
            and not seen.passage_placed:
        when = "already, on its first check," if seen.previous_text_sha256 is None else "now"
        return "soft-404", (f"the page {when} reads like the site's answer for a missing "
                            f"page (similarity {seen.soft_404_similarity:.2f})")
    same = seen.outcome == "unchanged" or seen.text_sha256 == seen.previous_text_sha256
    if same and seen.previous_state == "soft-404" and not seen.passage_placed:
        # still the "not found" page it was
        return "soft-404", seen.previous_reason or "the page still reads like a missing page"
    if seen.outcome == "unchanged":
        return "unchanged", "not modified (HTTP 304)"
    if seen.previous_text_sha256 is None:
        return "unchanged", "first snapshot: the baseline"
    if seen.text_sha256 == seen.previous_text_sha256:
        return "unchanged", "the main text is the same"
    return "changed", "the main text changed"
