"""Snapshots and what rests on them: page texts stored once per distinct content, the
latest snapshots, evidence checked against them, and the review flags they raise.

Recording a new check is :mod:`factcheck.tracking.recording`'s work."""

from __future__ import annotations

import os
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck.core import GOOD_OUTCOMES
from factcheck.policy.evidence import assess
from factcheck.policy.staleness import EvidenceState, basis_of, review_reasons, verdict_time
from factcheck.store.db import insert_new
from factcheck.store.models import (
    ChangeEventRow,
    ClaimRow,
    EvidenceCheckRow,
    EvidenceRow,
    SnapshotRow,
    SourceRow,
    TextBlobRow,
    utcnow,
)
from factcheck.text.anchor import Selector

__all__ = ["archive_settles", "check_evidence", "check_rows", "evidence_by_source",
           "evidence_states", "latest_snapshots", "previous_with_text", "review_of", "reviews",
           "store_blobs", "text_of", "verdict_basis"]

def store_blobs(session: Session, texts: dict[str, str]) -> None:
    """Insert the texts not stored yet; a concurrent writer's copy is as good as ours."""
    if not texts:
        return
    present = set(session.scalars(
        select(TextBlobRow.sha256).where(TextBlobRow.sha256.in_(list(texts)))))
    rows: list[dict[str, Any]] = [
        {"sha256": key, "length": len(text),
         "compressed": zlib.compress(text.encode("utf-8"), 6)}
        for key, text in texts.items() if key not in present]
    insert_new(session, TextBlobRow, rows)


def text_of(session: Session, key: str | None) -> str | None:
    """The text stored under ``key``."""
    if key is None:
        return None
    blob = session.get(TextBlobRow, key)
    return None if blob is None else zlib.decompress(blob.compressed).decode("utf-8")


def reviews(session: Session, claim_ids: set[int]) -> dict[int, list[str]]:
    """Why each claim needs review ([] when it does not)."""
    if not claim_ids:
        return {}
    claims = session.scalars(
        select(ClaimRow).where(ClaimRow.id.in_(claim_ids))
        .options(selectinload(ClaimRow.verdicts),
                 selectinload(ClaimRow.evidence).selectinload(EvidenceRow.source)))
    return {claim.id: review_of(claim) for claim in claims}


def evidence_states(claim: ClaimRow) -> list[EvidenceState]:
    return [EvidenceState(e.id, e.source_id, e.source.url, e.status, e.status_reason,
                          e.source.state, e.source.state_reason, e.archive_status,
                          e.archived_at)
            for e in claim.evidence if e.withdrawn_at is None]


def verdict_basis(session: Session, claim: ClaimRow) -> dict[str, Any]:
    """What a verdict recorded now rests on: each evidence link's status and its
    source's state (what later moves are judged against), and the exact bytes: per
    link, the latest snapshot with a body (content and text SHA-256, fetch time, WARC
    file and offset; a 2xx answer, not an error page) and the archive's capture when
    the passage was read there."""
    basis = basis_of(evidence_states(claim))
    rested: list[dict[str, Any]] = []
    for e in claim.evidence:
        if e.withdrawn_at is not None:
            continue
        snap = session.scalars(
            select(SnapshotRow).where(SnapshotRow.source_id == e.source_id,
                                      SnapshotRow.content_sha256.is_not(None),
                                      SnapshotRow.http_status.between(200, 299))
            .order_by(SnapshotRow.fetched_at.desc(), SnapshotRow.id.desc()).limit(1)).first()
        entry: dict[str, Any] = {"url": e.source.url, "passage_sha256": e.quote_sha256}
        if snap is None:
            entry.update(content_sha256=None, note="recorded before any fetch of the source")
        else:
            entry.update(content_sha256=snap.content_sha256, text_sha256=snap.text_sha256,
                         fetched_at=snap.fetched_at.isoformat(), warc_file=snap.warc_file,
                         warc_offset=snap.warc_offset)
        if e.archive_status in ("found", "drifted") and e.archived_at is not None:
            entry.update(archived_url=e.archived_url, archived_at=e.archived_at.isoformat())
        rested.append(entry)
    return {**basis, "rested_on": rested}


def archive_settles() -> bool:
    """Whether a capture made before the verdict that holds the passage keeps the
    verdict's ground (``FACTCHECK_ARCHIVE_SETTLES=1``); by default it is only said."""
    return os.environ.get("FACTCHECK_ARCHIVE_SETTLES", "").lower() in ("1", "true", "yes")


def review_of(claim: ClaimRow) -> list[str]:
    """Why the claim's current verdict needs review, from loaded relationships."""
    if not claim.verdicts or claim.withdrawn_at is not None:
        return []
    verdict = claim.verdicts[-1]
    return review_reasons(verdict.basis, evidence_states(claim),
                          decided_at=verdict_time(verdict.reviewed_on, verdict.created_at),
                          archive_settles=archive_settles())


def evidence_by_source(session: Session, source_ids: set[int]) -> dict[int, list[EvidenceRow]]:
    grouped: dict[int, list[EvidenceRow]] = {}
    for row in session.scalars(select(EvidenceRow).where(EvidenceRow.source_id.in_(source_ids),
                                                         EvidenceRow.withdrawn_at.is_(None))):
        grouped.setdefault(row.source_id, []).append(row)
    return grouped


def check_evidence(session: Session, source_ids: set[int] | None = None) -> int:
    """Assess evidence against each source's latest snapshot with text; return how many."""
    query = select(SourceRow.id)
    if source_ids is not None:
        query = query.where(SourceRow.id.in_(source_ids))
    ids = set(session.scalars(query))
    evidence = evidence_by_source(session, ids)
    count = 0
    for source_id, rows in evidence.items():
        snapshot = session.scalars(
            select(SnapshotRow).where(SnapshotRow.source_id == source_id)
            .order_by(SnapshotRow.id.desc()).limit(1)).first()
        if snapshot is None:
            continue
        text = text_of(session, snapshot.text_blob) \
            if snapshot.outcome in GOOD_OUTCOMES else None
        source = session.get(SourceRow, source_id)
        check_rows(session, rows, snapshot, text, source.last_error if source else None, utcnow(),
               None)
        count += len(rows)
    return count


def check_rows(session: Session, rows: list[EvidenceRow], snapshot: SnapshotRow, text: str | None,
           error: str | None, now: datetime, run_id: int | None) -> None:
    for row in rows:
        before = (row.status, row.status_reason, row.found_text)
        if text is None:
            row.status = "source-unreachable"
            row.status_reason = f"the latest fetch failed: {error or snapshot.outcome}"
        elif not row.quote:  # a link with no passage cited yet: only its life is tracked
            row.status = "linked"
            row.status_reason = "the source answers; no passage is cited from it yet"
            row.found_start = row.found_end = row.found_text = row.similarity = None
            row.diff = None
        else:
            old = Selector.from_w3c(row.selector) if row.selector else None
            result = assess(row.quote, text, old)
            placed = result.anchor
            row.status, row.status_reason = result.status, result.reason
            row.found_start, row.found_end = placed.start, placed.end
            row.found_text = placed.found
            row.similarity = placed.similarity if placed.placed else None
            row.diff = [list(op) for op in placed.diff] or None
            if placed.selector is not None and placed.placed:
                # Keep the cited words as the quote: re-anchoring on the words found now
                # would hide the drift next time. Only the context and position move.
                moved = placed.selector
                row.selector = Selector(row.quote, moved.prefix, moved.suffix, moved.start,
                                        moved.end).to_w3c()
        row.snapshot_id = snapshot.id
        row.last_checked_at = now
        if (row.status, row.status_reason, row.found_text) != before:
            session.add(EvidenceCheckRow(
                evidence_id=row.id, snapshot_id=snapshot.id, checked_at=now, status=row.status,
                reason=row.status_reason, similarity=row.similarity, found_text=row.found_text))
        if row.status != before[0]:
            session.add(ChangeEventRow(
                run_id=run_id, at=now, subject="evidence", evidence_id=row.id,
                source_id=row.source_id, claim_id=row.claim_id, before=before[0],
                after=row.status, reason=row.status_reason))


def previous_with_text(session: Session, source_id: int) -> SnapshotRow | None:
    return session.scalars(
        select(SnapshotRow).where(SnapshotRow.source_id == source_id,
                                  SnapshotRow.text_blob.is_not(None))
        .order_by(SnapshotRow.id.desc()).limit(1)).first()


def latest_snapshots(session: Session, source_ids: set[int]) -> dict[int, SnapshotRow]:
    """Each source's latest snapshot."""
    newest = (select(func.max(SnapshotRow.id)).where(SnapshotRow.source_id.in_(source_ids))
              .group_by(SnapshotRow.source_id))
    return {row.source_id: row
            for row in session.scalars(select(SnapshotRow).where(SnapshotRow.id.in_(newest)))}
