"""Writing validated seeds into the database: an idempotent upsert in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from factcheck.core import sha256_text
from factcheck.scale import RatingScale
from factcheck.seeds import Seed, SeedClaim, SeedVerdict, uncovered
from factcheck.store.models import ClaimRow, DocumentRow, EvidenceRow, SourceRow, VerdictRow, utcnow
from factcheck.store.snapshots import verdict_basis

__all__ = ["SeedReport", "apply_seeds"]


@dataclass
class SeedReport:
    """What a seeding changed. All zero when the files were already loaded."""

    files: list[str] = field(default_factory=list)
    documents_added: int = 0
    documents_changed: int = 0
    claims_added: int = 0
    claims_changed: int = 0
    claims_withdrawn: int = 0
    evidence_added: int = 0
    evidence_changed: int = 0
    evidence_withdrawn: int = 0
    sources_added: int = 0
    verdicts_added: int = 0
    #: Per document key, the runs of its text that no claim covers.
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    #: What is valid but worth fixing (e.g. claim summaries longer than ClaimReview advises).
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(v for k, v in vars(self).items()
                   if k not in ("files", "uncovered", "warnings"))

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _assign(row: Any, **values: Any) -> bool:
    """Set the attributes that differ; say whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def apply_seeds(session: Session, seeds: list[Seed], scale: RatingScale) -> SeedReport:
    """Upsert ``seeds`` through ``session``; the caller owns the transaction."""
    report = SeedReport(files=[str(s.path) for s in seeds],
                        warnings=[w for s in seeds for w in s.warnings])
    sources: dict[str, SourceRow] = {}
    for seed in seeds:
        _apply_seed(session, seed, scale, report, sources)
    return report


def _apply_seed(session: Session, seed: Seed, scale: RatingScale, report: SeedReport,
                sources: dict[str, SourceRow]) -> None:
    d = seed.document
    # Everything the comparison needs, in a handful of queries rather than a few per claim.
    doc = session.scalar(select(DocumentRow).where(DocumentRow.key == d.key).options(
        selectinload(DocumentRow.claims).selectinload(ClaimRow.evidence)
        .selectinload(EvidenceRow.source),
        selectinload(DocumentRow.claims).selectinload(ClaimRow.verdicts)))
    wanted = list({e.url for c in seed.claims for e in c.evidence} - set(sources))
    for i in range(0, len(wanted), 2000):
        for source in session.scalars(select(SourceRow).where(
                SourceRow.url.in_(wanted[i:i + 2000]))):
            sources[source.url] = source
    values: dict[str, Any] = {
        "title": d.title, "authors": list(d.authors), "publisher": d.publisher, "url": d.url,
        "published": d.published, "byline": d.byline, "text": d.text,
        "text_sha256": d.text_sha256, "note": d.note,
        "summary": d.summary, "lang": d.lang}
    summary_changed = doc is None or doc.summary != d.summary
    if doc is None:
        doc = DocumentRow(key=d.key, **values)
        session.add(doc)
        report.documents_added += 1
    elif _assign(doc, **values):
        report.documents_changed += 1

    now = utcnow()
    existing = {c.key: c for c in doc.claims}
    rows: list[tuple[ClaimRow, SeedClaim]] = []
    for sc in seed.claims:
        row = existing.pop(sc.key, None)
        values = {"start": sc.start, "end": sc.end, "quote": sc.quote, "assertion": sc.claim,
                  "kind": sc.kind.value, "checkable": sc.checkable, "note": sc.note,
                  "claimant": sc.claimant, "claimant_url": sc.claimant_url,
                  "withdrawn_at": None}
        if row is None:
            row = ClaimRow(key=sc.key, document=doc, **values)
            session.add(row)
            report.claims_added += 1
        elif _assign(row, **values):
            report.claims_changed += 1
        _apply_evidence(session, row, sc, report, sources, now)
        rows.append((row, sc))
    session.flush()  # one flush: the ids the verdicts' bases refer to
    for row, sc in rows:
        if sc.verdict is not None:
            _apply_verdict(session, row, sc.verdict, seed.origin, scale, report)
    for row in existing.values():
        if row.withdrawn_at is None:
            row.withdrawn_at = now
            report.claims_withdrawn += 1
    if summary_changed:  # the conclusion is as of now, after this file's verdicts
        doc.summary_at = utcnow()

    spans = [(c.start, c.end) for c in seed.claims]
    if d.byline is not None:
        start = d.text.find(d.byline)
        spans.append((start, start + len(d.byline)))
    runs = uncovered(d.text, spans)
    if runs:
        report.uncovered[d.key] = [d.text[s:e] for s, e in runs]


def _source(session: Session, url: str, report: SeedReport,
            sources: dict[str, SourceRow]) -> SourceRow:
    row = sources.get(url)
    if row is None:  # not in the database (those that are were loaded up front)
        row = sources[url] = SourceRow(url=url)
        session.add(row)
        report.sources_added += 1
    return row


def _apply_evidence(session: Session, claim: ClaimRow, sc: SeedClaim, report: SeedReport,
                    sources: dict[str, SourceRow], now: Any) -> None:
    existing = {(e.source.url, e.quote_sha256): e for e in claim.evidence}
    for position, se in enumerate(sc.evidence):
        digest = sha256_text(se.quote)
        row = existing.pop((se.url, digest), None)
        values = {"position": position, "stance": se.stance.value, "note": se.note,
                  "withdrawn_at": None}
        added = row is None
        if row is None:
            row = EvidenceRow(claim=claim, source=_source(session, se.url, report, sources),
                              quote=se.quote, quote_sha256=digest, **values)
            session.add(row)
            report.evidence_added += 1
        elif _assign(row, **values):
            report.evidence_changed += 1
        if se.check_every is not None:  # the seed's word on how often
            seconds = int(se.check_every.total_seconds())
            if row.source.check_interval_seconds != seconds:
                row.source.check_interval_seconds = seconds
                if not added:  # a new link's interval is part of its being added
                    report.evidence_changed += 1
    for row in existing.values():
        if row.withdrawn_at is None:
            row.withdrawn_at = now
            report.evidence_withdrawn += 1


def _apply_verdict(session: Session, claim: ClaimRow, sv: SeedVerdict, origin: str,
                   scale: RatingScale, report: SeedReport) -> None:
    # Compare with the last verdict this file seeded, not the current one: a verdict
    # recorded since by a reviewer stands until the file itself says something new.
    seeded = [v for v in claim.verdicts if v.origin == origin]
    last = seeded[-1] if seeded else None
    wanted = (sv.rating, sv.rationale, sv.reviewer, sv.reviewed_on, sv.publisher_label)
    if last is not None and (last.rating, last.rationale, last.reviewer,
                             last.reviewed_on, last.publisher_label) == wanted:
        return
    session.add(VerdictRow(claim=claim, rating=sv.rating, scale=scale.name,
                           rationale=sv.rationale, reviewer=sv.reviewer,
                           reviewed_on=sv.reviewed_on, origin=origin,
                           publisher_label=sv.publisher_label,
                           basis=verdict_basis(session, claim)))
    report.verdicts_added += 1
