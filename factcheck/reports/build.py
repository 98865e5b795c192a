"""A verdict report as plain data: what every format renders, built in a few queries."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from factcheck.records import Verdict
from factcheck.reports.annotate import Run, annotate, paragraphs
from factcheck.scale import RatingScale
from factcheck.store import Store
from factcheck.text.anchor import word_diff

__all__ = ["SCHEMA_VERSION", "ClaimEntry", "EvidenceEntry", "Report", "build_report"]

#: The version of the JSON report's schema (see the README, "Reports").
SCHEMA_VERSION = 2

_DIGIT = re.compile(r"\d")


def figure_diff(before: str, after: str) -> tuple[tuple[str, str, bool], ...]:
    """The word diff of a cited passage and what stands there now: ("=", "-" or "+",
    words, whether the changed words hold a figure)."""
    return tuple((op, words, op != "=" and bool(_DIGIT.search(words)))
                 for op, words in word_diff(before, after))


@dataclass(frozen=True)
class EvidenceEntry:
    url: str
    source_title: str | None
    publisher: str | None
    passage: str
    stance: str
    status: str
    reason: str | None
    found_text: str | None
    last_checked_at: datetime | None
    source_state: str | None
    #: When the source says it was published (its page's metadata), as it says it.
    source_published: str | None
    #: Where our own copy of the cited bytes is kept: "<WARC file>#<offset>" (desk only).
    stored_copy: str | None
    #: A public archive's copy (e.g. the Wayback Machine), once one is known.
    archived_url: str | None = None
    archived_at: datetime | None = None
    #: The word diff of the cited passage against what the source says now, when it moved.
    diff: tuple[tuple[str, str, bool], ...] = ()


@dataclass(frozen=True)
class ClaimEntry:
    key: str
    anchor: str
    quote: str
    start: int
    end: int
    kind: str
    checkable: bool
    claim: str | None
    rating: str | None
    label: str | None
    definition: str | None
    rationale: str | None
    reviewer: str | None
    reviewed_on: date | None
    #: When the current verdict was recorded.
    recorded_at: datetime | None
    needs_review: bool
    review_reasons: tuple[str, ...]
    evidence: tuple[EvidenceEntry, ...]
    history: tuple[Verdict, ...]
    findings: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Report:
    """Everything a report shows about one document."""

    generated_at: datetime
    document: dict[str, Any]
    scale: dict[str, Any]
    claims: tuple[ClaimEntry, ...]
    by_rating: dict[str, int] = field(default_factory=dict)
    sources_by_state: dict[str, int] = field(default_factory=dict)
    sources: int = 0

    #: The document's full text, that the claims' spans index.
    article: str = ""

    @property
    def title(self) -> str:
        """The document's title; without one, a description, never the key."""
        doc = self.document
        if doc.get("title"):
            return str(doc["title"])
        by = f" by {' and '.join(doc['authors'])}" if doc.get("authors") else ""
        when = f" ({doc['published']})" if doc.get("published") else ""
        return f"An article{by}{when}"

    @property
    def needs_review(self) -> list[ClaimEntry]:
        return [c for c in self.claims if c.needs_review]

    @property
    def checkable(self) -> list[ClaimEntry]:
        return [c for c in self.claims if c.checkable]

    @property
    def rated(self) -> list[ClaimEntry]:
        """The checkable claims with a verdict, in article order: the reader's cards."""
        return [c for c in self.claims if c.checkable and c.rating is not None]

    def marked_article(self) -> list[list[Run[ClaimEntry]]]:
        """The article as paragraphs of runs, each marked by the claim whose stored span
        covers it."""
        return paragraphs(annotate(self.article, self.claims))

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value
        claims = []
        for c in self.claims:
            entry = asdict(c)
            entry["history"] = [v.to_dict() for v in c.history]
            claims.append(plain(entry))
        return {
            "schema_version": SCHEMA_VERSION, "generated_at": plain(self.generated_at),
            "document": plain(self.document), "scale": self.scale,
            "summary": {"claims": len(self.claims), "checkable": len(self.checkable),
                        "by_rating": self.by_rating, "sources": self.sources,
                        "sources_by_state": self.sources_by_state,
                        "needs_review": [{"claim": c.key, "reasons": list(c.review_reasons)}
                                         for c in self.needs_review]},
            "claims": claims,
            "article": self.article,
        }


def _scale(scale: RatingScale) -> dict[str, Any]:
    return {"name": scale.name, "best": scale.best, "worst": scale.worst,
            "ratings": [{"slug": r.slug, "name": r.name, "definition": r.definition,
                         "value": r.value, "averitec": r.averitec, "checkable": r.checkable}
                        for r in scale]}


def build_report(store: Store, document: str | None = None) -> Report:
    """The report of ``document`` (the only document, when there is one)."""
    documents = {d.key: d for d in store.documents()}
    if document is None:
        if len(documents) != 1:
            from factcheck.errors import NotFound
            raise NotFound("say which document to report on: "
                           + (", ".join(sorted(documents)) or "there are none"))
        document = next(iter(documents))
    if document not in documents:
        from factcheck.errors import NotFound
        raise NotFound(f"no document {document!r}")
    doc = documents[document]
    claims = store.claims(document)
    sources = {s.url: s for s in store.sources()}
    snapshots = store.latest_snapshots()
    history = store.verdict_history(document)
    entries = []
    for c in claims:
        verdict = c.verdict
        evidence = []
        for e in c.evidence:
            snapshot = snapshots.get(e.url)
            source = sources.get(e.url)
            stored = None
            if snapshot is not None and snapshot.warc_file:
                stored = f"{snapshot.warc_file}#{snapshot.warc_offset}"
            meta = snapshot.metadata if snapshot else {}
            moved = e.status in ("drifted", "figures-changed") and e.found_text
            evidence.append(EvidenceEntry(
                url=e.url, source_title=e.source_title or (snapshot.title if snapshot else None),
                publisher=meta.get("site_name"),
                passage=e.quote, stance=e.stance, status=e.status, reason=e.reason,
                found_text=e.found_text, last_checked_at=e.last_checked_at,
                source_state=source.state if source else None,
                source_published=meta.get("published"), stored_copy=stored,
                diff=figure_diff(e.quote, e.found_text) if moved and e.found_text else ()))
        entries.append(ClaimEntry(
            key=c.key, anchor=f"claim-{c.key}", quote=c.quote, start=c.start, end=c.end,
            kind=c.kind, checkable=c.checkable, claim=c.claim,
            rating=verdict.rating if verdict else None, label=verdict.label if verdict else None,
            definition=verdict.definition if verdict else None,
            rationale=verdict.rationale if verdict else None,
            reviewer=verdict.reviewer if verdict else None,
            reviewed_on=verdict.reviewed_on if verdict else None,
            recorded_at=verdict.created_at if verdict else None,
            needs_review=c.needs_review, review_reasons=c.review_reasons,
            evidence=tuple(evidence), history=tuple(history.get(c.ref, ())),
            findings=c.findings))
    entries.sort(key=lambda c: (c.start, c.end, c.key))
    cited = {e.url for c in claims for e in c.evidence}
    return Report(
        generated_at=datetime.now(UTC),
        document={"key": doc.key, "title": doc.title, "authors": list(doc.authors),
                  "publisher": doc.publisher, "url": doc.url, "published": doc.published,
                  "text_sha256": doc.text_sha256, "note": doc.note,
                  "summary": doc.summary, "lang": doc.lang or "en"},
        scale=_scale(store.scale), claims=tuple(entries),
        by_rating=dict(Counter(c.rating or "no verdict" for c in entries).most_common()),
        sources_by_state=dict(Counter(sources[u].state or "unchecked" for u in cited
                                      if u in sources).most_common()),
        sources=len(cited), article=store.document_text(document))
