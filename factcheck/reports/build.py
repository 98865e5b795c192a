"""A verdict report as plain data: what every format renders, built in a few queries."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from factcheck.core import json_time
from factcheck.records import Claim, Evidence, Verdict
from factcheck.reports.annotate import Run, annotate, paragraphs
from factcheck.scale import RatingScale
from factcheck.store import Database

__all__ = ["SCHEMA_VERSION", "ClaimEntry", "Correction", "EvidenceEntry", "Report",
           "build_report"]

#: The version of the JSON report's schema (see docs/reports.md).
SCHEMA_VERSION = 2

@dataclass(frozen=True)
class EvidenceEntry(Evidence):
    """An evidence link as ``claims --json`` gives it, and what a report adds."""

    #: The site that published the source (its page's metadata).
    publisher: str | None = None
    #: When the source says it was published (its page's metadata), as it says it.
    source_published: str | None = None
    #: Where our own copy of the cited bytes is kept: "<WARC file>#<offset>" (desk only).
    stored_copy: str | None = None


@dataclass(frozen=True)
class ClaimEntry(Claim):
    """A claim as ``claims --json`` gives it, with its anchor and verdict history."""

    evidence: tuple[EvidenceEntry, ...] = ()
    anchor: str = ""
    history: tuple[Verdict, ...] = ()
    #: Since when its verdict has been under review (None when it is not).
    review_since: datetime | None = None

    # The current verdict's parts, as the templates use them.
    @property
    def rating(self) -> str | None:
        return self.verdict.rating if self.verdict else None

    @property
    def label(self) -> str | None:
        return self.verdict.label if self.verdict else None

    @property
    def definition(self) -> str | None:
        return self.verdict.definition if self.verdict else None

    @property
    def rationale(self) -> str | None:
        return self.verdict.rationale if self.verdict else None

    @property
    def reviewer(self) -> str | None:
        return self.verdict.reviewer if self.verdict else None

    @property
    def reviewed_on(self) -> date | None:
        return self.verdict.reviewed_on if self.verdict else None

    @property
    def recorded_at(self) -> datetime | None:
        return self.verdict.created_at if self.verdict else None


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in fields(record)}


@dataclass(frozen=True)
class Correction:
    """A published rating that changed: what it was, what it is, when and why."""

    key: str
    anchor: str
    claim: str
    before: str
    after: str
    on: date
    why: str


def _first_sentence(text: str) -> str:
    found = re.match(r"(.+?[.!?])(\s|$)", " ".join(text.split()))
    return found.group(1) if found else " ".join(text.split())


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
    #: Every change of a published rating, oldest first.
    corrections: tuple[Correction, ...] = ()
    #: The claims whose rating changed after the conclusion was written, and when.
    conclusion_changes: tuple[tuple[str, datetime], ...] = ()

    @property
    def updated_on(self) -> date | None:
        """When a rating last changed: the reader's "Updated" line."""
        return max((c.on for c in self.corrections), default=None)

    @property
    def reviewed_on(self) -> date | None:
        """When the latest current verdict was decided."""
        days = [c.reviewed_on or (c.recorded_at.date() if c.recorded_at else None)
                for c in self.rated]
        return max((d for d in days if d is not None), default=None)

    @property
    def reviewers(self) -> list[str]:
        """Who decided the current verdicts, most verdicts first."""
        counted = Counter(c.reviewer for c in self.rated if c.reviewer)
        return [name for name, _ in counted.most_common()]

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
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return json_time(value)
        claims = [c.to_dict() for c in self.claims]
        return {
            "schema_version": SCHEMA_VERSION, "generated_at": plain(self.generated_at),
            "document": plain(self.document), "scale": self.scale,
            "summary": {"claims": len(self.claims), "checkable": len(self.checkable),
                        "by_rating": self.by_rating, "sources": self.sources,
                        "sources_by_state": self.sources_by_state,
                        "review_queue": [{"claim": c.ref, "reasons": list(c.review_reasons)}
                                         for c in self.needs_review]},
            "claims": claims,
            "article": self.article,
            "updated_on": plain(self.updated_on),
            "corrections": [{"claim": c.key, "before": c.before, "after": c.after,
                             "on": c.on.isoformat(), "why": c.why} for c in self.corrections],
            "conclusion_changes": [{"claim": ref, "at": at.isoformat()}
                                   for ref, at in self.conclusion_changes],
        }


def _scale(scale: RatingScale) -> dict[str, Any]:
    return {"name": scale.name, "best": scale.best, "worst": scale.worst,
            "ratings": [{"slug": r.slug, "name": r.name, "definition": r.definition,
                         "value": r.value, "averitec": r.averitec, "checkable": r.checkable}
                        for r in scale]}


def build_report(store: Database, document: str | None = None) -> Report:
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
    since = store.review_since(document)
    entries = []
    for c in claims:
        evidence = []
        for e in c.evidence:
            snapshot = snapshots.get(e.url)
            stored = None
            if snapshot is not None and snapshot.warc_file:
                stored = f"{snapshot.warc_file}#{snapshot.warc_offset}"
            meta = snapshot.metadata if snapshot else {}
            evidence.append(EvidenceEntry(**{
                **_fields(e),
                "source_title": e.source_title or (snapshot.title if snapshot else None)},
                publisher=meta.get("site_name"), source_published=meta.get("published"),
                stored_copy=stored))
        entries.append(ClaimEntry(**{**_fields(c), "evidence": tuple(evidence)},
                                  anchor=f"claim-{c.key}", history=tuple(history.get(c.ref, ())),
                                  review_since=since.get(c.ref) if c.needs_review else None))
    entries.sort(key=lambda c: (c.start, c.end, c.key))
    corrections = sorted(
        (Correction(c.key, c.anchor, c.claim or c.quote, before.label, after.label,
                    after.reviewed_on or after.created_at.date(),
                    _first_sentence(after.rationale))
         for c in entries if c.checkable
         for before, after in itertools.pairwise(c.history) if before.rating != after.rating),
        key=lambda correction: correction.on)
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
        sources=len(cited), article=store.document_text(document),
        corrections=tuple(corrections),
        conclusion_changes=tuple(store.conclusion_review(document)))
