"""Bring in the fact-checks a desk has already published, from their ClaimReview markup.

A source is a fact-check page (a URL, or a saved ``.html`` file), a JSON feed of
ClaimReviews (a file or a URL: a schema.org DataFeed, a plain list, or the Google Fact
Check Tools API's answer), or a ``sitemap.xml`` listing fact-check pages (a file or a
URL). URLs are fetched with the same politeness, address policy and caps as every other
fetch.

Each fact-check page becomes a document (its URL, headline, publisher, date and main
text), each ClaimReview a claim of it (its span where the claim's words stand in the
text, a claim of its own where they do not) with its verdict: the reviewer, the review
date, the publisher's label kept verbatim, and a rating of the team's scale mapped from
it (:func:`factcheck.claimreview.rating_for`). Where the claim was made and the links
the fact-check cites become sources the recheck tracks, linked to the claim as evidence
with the stance ``appearance`` or ``cited`` and no passage yet.

Everything goes through the seed machinery (:mod:`factcheck.store.seeding`), so an
import is an idempotent upsert: the same sources again change nothing, a rating
changed since appends a verdict. A source that cannot be read is named with its reason
and the rest is imported.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from factcheck.claimreview import (
    Review,
    cited_links,
    rating_for,
    reviews_in_html,
    reviews_in_json,
    sitemap_urls,
)
from factcheck.core import sha256_text
from factcheck.errors import ConfigError, FactCheckError, InvalidURL
from factcheck.records import ClaimKind, Stance
from factcheck.scale import RatingScale
from factcheck.seeds import Seed, SeedClaim, SeedDocument, SeedEvidence, SeedVerdict
from factcheck.store.seeding import SeedReport
from factcheck.text.anchor import anchor
from factcheck.text.extract import decode, extract
from factcheck.text.figures import find_quantities
from factcheck.urls import normalize_url
from factcheck.web.fetcher import Fetcher, FetchSettings

__all__ = ["FactCheckPage", "ImportReport", "load_rating_map", "read_sources", "seeds_of"]

#: The most pages one sitemap (with the sitemaps an index lists) brings in per import.
MAX_SITEMAP_PAGES = 5000
#: The most sources one fact-check's cited links add.
MAX_CITED = 50


@dataclass(frozen=True)
class FactCheckPage:
    """A published fact-check as read: its page (or, from a feed, what the feed says)."""

    url: str | None
    reviews: tuple[Review, ...]
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    text: str = ""
    language: str | None = None
    links: tuple[str, ...] = ()
    #: Where it was read from: the page's URL, a file, or a feed.
    origin: str = ""


@dataclass
class ImportReport:
    """What an import read and wrote: per source, what it held or why it could not be
    read; what the upsert changed; labels that map to no rating."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    seeded: SeedReport = field(default_factory=SeedReport)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["error"] is not None]

    def to_dict(self) -> dict[str, Any]:
        counts = {k: v for k, v in self.seeded.to_dict().items()
                  if k not in ("files", "uncovered", "warnings")}
        return {"sources": self.sources, "changes": counts, "warnings": self.warnings,
                "failed": len(self.failed)}


def load_rating_map(path: str | Path, scale: RatingScale) -> dict[str, str]:
    """``--rating-map FILE``: YAML, publisher label -> rating of ``scale``."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: the rating map cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a rating map is a mapping: publisher label: rating")
    mapped = {}
    for label, rating in data.items():
        if not isinstance(label, str) or not isinstance(rating, str) or rating not in scale:
            raise ConfigError(f"{path}: {label!r}: {rating!r} is not a rating of the "
                              f"{scale.name!r} scale ({', '.join(r.slug for r in scale)})")
        mapped[label] = rating
    return mapped


# -- reading the sources --------------------------------------------------------------

def _is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _kind(body: bytes, content_type: str | None, name: str) -> str:
    head = body[:2048].lstrip().lower()
    declared = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")) or declared.endswith("json") or name.endswith(".json"):
        return "json"
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    return "html"


def _page(body: bytes, url: str | None, origin: str, charset: str | None = None
          ) -> FactCheckPage:
    text, _ = decode(body, charset, html=True)
    reviews, problems = reviews_in_html(text, url)
    if not reviews:
        raise ValueError("no ClaimReview in the page" + (
            f" ({'; '.join(problems)})" if problems else ""))
    page = extract(body, "text/html", url, charset)
    first = reviews[0]
    return FactCheckPage(
        url=url or first.url, reviews=tuple(reviews),
        title=page.title or first.headline, publisher=page.site_name or first.reviewer,
        published=_iso_date(page.published) or _iso_date(first.date),
        text=page.main_text or page.text, language=page.language or first.language,
        links=tuple(cited_links(text, url)[:MAX_CITED]), origin=origin)


def _feed(data: Any, origin: str) -> list[FactCheckPage]:
    """A feed's reviews as fact-checks, one per fact-check URL (the pages are not
    fetched: the text is the claims reviewed, a line each)."""
    grouped: dict[str, list[Review]] = {}
    for review in reviews_in_json(data):
        grouped.setdefault(review.url or origin, []).append(review)
    if not grouped:
        raise ValueError("no ClaimReview in the feed")
    pages = []
    for url, reviews in grouped.items():
        first = reviews[0]
        pages.append(FactCheckPage(
            url=url if _is_url(url) else None, reviews=tuple(reviews),
            title=first.headline, publisher=first.reviewer, published=_iso_date(first.date),
            text="\n".join(dict.fromkeys(r.claim_reviewed for r in reviews)),
            language=first.language, origin=origin))
    return pages


def _iso_date(value: str | None) -> str | None:
    """The date part a document keeps ("2024", "2024-03", "2024-03-15"), if any."""
    match = re.match(r"^\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not match:
        return None
    return "-".join(p for p in match.groups() if p)


async def _fetch(fetcher: Fetcher, url: str) -> tuple[bytes, str | None, str | None]:
    result = await fetcher.fetch(url)
    if result.error is not None:
        raise ValueError(f"could not be fetched: {result.error.outcome}: {result.error}")
    if result.status != 200 or result.body is None:
        raise ValueError(f"could not be fetched: HTTP {result.status}")
    content_type = result.headers.get("content-type")
    charset = None
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return result.body, content_type, charset


async def read_sources(sources: Iterable[str | Path], settings: FetchSettings | None = None,
                       transport: httpx.AsyncBaseTransport | None = None
                       ) -> list[tuple[str, list[FactCheckPage], str | None]]:
    """Each source with the fact-checks it holds, or why it could not be read."""
    out: list[tuple[str, list[FactCheckPage], str | None]] = []
    async with Fetcher(settings, transport=transport) as fetcher:

        async def page_at(url: str) -> tuple[str, list[FactCheckPage], str | None]:
            try:
                body, content_type, charset = await _fetch(fetcher, url)
                if _kind(body, content_type, url) == "json":
                    return url, _feed(json.loads(body), url), None
                return url, [_page(body, url, url, charset)], None
            except Exception as exc:  # this page's trouble, never the import's
                return url, [], _why(exc)

        for source in map(str, sources):
            try:
                if _is_url(source):
                    body, content_type, charset = await _fetch(fetcher, source)
                else:
                    path = Path(source)
                    body, content_type, charset = path.read_bytes(), None, None
                kind = _kind(body, content_type, source)
                if kind == "json":
                    try:
                        data = json.loads(body)
                    except ValueError as exc:
                        raise ValueError(f"unreadable JSON: {exc}") from None
                    out.append((source, _feed(data, source), None))
                elif kind == "sitemap":
                    pages, nested = sitemap_urls(body)
                    for index in nested[:50]:
                        more, _ = sitemap_urls((await _fetch(fetcher, index))[0])
                        pages += more
                    pages = list(dict.fromkeys(pages))[:MAX_SITEMAP_PAGES]
                    out.append((source, [], None))
                    out += await asyncio.gather(*(page_at(u) for u in pages))
                else:
                    url = source if _is_url(source) else None
                    out.append((source, [_page(body, url, source, charset)], None))
            except Exception as exc:  # this source's trouble, never the import's
                out.append((source, [], _why(exc)))
    return out


def _why(exc: Exception) -> str:
    """A source's failure in words: ours as they are, a library's with its class."""
    if isinstance(exc, ValueError | OSError | FactCheckError) and str(exc):
        return str(exc)
    return f"could not be read ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"


# -- fact-checks as seeds -----------------------------------------------------------------

def _document_key(page: FactCheckPage) -> str:
    """A key from the fact-check's URL (or where it was read from), stable across imports."""
    name = page.url or page.origin
    parts = urlsplit(name)
    base = f"{parts.netloc.removeprefix('www.')}{parts.path}" if parts.netloc else \
        Path(name).stem
    slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "fact-check"
    if len(slug) > 150:
        slug = slug[:150].rstrip("-") + "-" + sha256_text(name)[:8]
    return slug


def _claim_key(review: Review) -> str:
    return "claim-" + sha256_text(review.claim_reviewed)[:10]


def _review_date(review: Review) -> date | None:
    iso = _iso_date(review.date)
    if iso is None or len(iso) != 10:
        return None
    try:
        return datetime.strptime(iso, "%Y-%m-%d").date()
    except ValueError:
        return None


def _urls(urls: Iterable[str]) -> list[str]:
    kept = []
    for url in urls:
        try:
            kept.append(normalize_url(url))
        except InvalidURL:
            continue
    return list(dict.fromkeys(kept))


def seeds_of(pages: list[FactCheckPage], scale: RatingScale,
             rating_map: Mapping[str, str] | None = None) -> tuple[list[Seed], list[str]]:
    """The fact-checks as seeds, and a warning per label that maps to no rating."""
    seeds: dict[str, Seed] = {}
    warnings = []
    for page in pages:
        key = _document_key(page)
        text = page.text or "\n".join(r.claim_reviewed for r in page.reviews)
        claims = []
        cited = _urls(page.links)
        for review in dict.fromkeys(page.reviews):
            found = anchor(text, review.claim_reviewed)
            start, end = (found.start, found.end) if found.status == "found" and \
                found.start is not None and found.end is not None else (0, 0)
            rating = rating_for(review, scale, rating_map)
            who = review.reviewer or page.publisher or "the publisher"
            if rating is None:
                warnings.append(f"{page.url or page.origin}: the label {review.label!r} maps "
                                "to no rating; imported as unverified with the label kept "
                                "(map it with --rating-map)")
                rating = "unverified" if "unverified" in scale else scale.not_checkable.slug
            rationale = review.body or (
                f"Rated “{review.label}” by {who} in its published fact-check"
                + (f" ({review.url})." if review.url else ".")
                if review.label else f"Rated by {who} in its published fact-check.")
            appearances = _urls(review.appearances)
            evidence = tuple(
                [SeedEvidence(u, "", Stance.APPEARANCE, "where the claim was made")
                 for u in appearances]
                + [SeedEvidence(u, "", Stance.CITED, "cited by the fact-check")
                   for u in cited if u not in appearances])
            kind = ClaimKind.STATISTIC if find_quantities(review.claim_reviewed) else \
                ClaimKind.ATTRIBUTION
            claims.append(SeedClaim(
                key=_claim_key(review), quote=text[start:end], start=start, end=end,
                kind=kind, checkable=True, claim=review.claim_reviewed,
                note=None, claimant=review.claimant,
                verdict=SeedVerdict(rating=rating, rationale=rationale, reviewer=who,
                                    reviewed_on=_review_date(review),
                                    publisher_label=review.label),
                evidence=evidence))
        document = SeedDocument(
            key=key, title=page.title, authors=(), publisher=page.publisher, url=page.url,
            published=page.published, byline=None, text=text,
            text_sha256=sha256_text(text),
            note="Imported from its published ClaimReview markup.",
            lang=page.language if page.language and re.match(
                r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", page.language) else None)
        unique = {c.key: c for c in claims}
        seeds[key] = Seed(path=Path(key), document=document, claims=tuple(unique.values()),
                          imported_from=page.url or page.origin)
    return list(seeds.values()), warnings
