"""Recording fetches: a snapshot row per fetch, text stored once per distinct content."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from factcheck.evidence import assess
from factcheck.fetching import Capture
from factcheck.store.models import (
    EvidenceCheckRow,
    EvidenceRow,
    SnapshotRow,
    SourceRow,
    TextBlobRow,
    utcnow,
)
from factcheck.text.anchor import Selector
from factcheck.text.extract import text_sha256

__all__ = ["check_evidence", "record_captures", "text_of"]

GOOD_OUTCOMES = frozenset({"fetched", "unchanged"})


def _blob_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store_blobs(session: Session, texts: dict[str, str]) -> None:
    """Insert the texts not stored yet; a concurrent writer's copy is as good as ours."""
    if not texts:
        return
    present = set(session.scalars(
        select(TextBlobRow.sha256).where(TextBlobRow.sha256.in_(list(texts)))))
    rows: list[dict[str, Any]] = [
        {"sha256": key, "length": len(text),
         "compressed": zlib.compress(text.encode("utf-8"), 6)}
        for key, text in texts.items() if key not in present]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql_insert(TextBlobRow).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        session.execute(sqlite_insert(TextBlobRow).on_conflict_do_nothing(), rows)
    else:
        session.execute(insert(TextBlobRow), rows)


def text_of(session: Session, key: str | None) -> str | None:
    """The text stored under ``key``."""
    if key is None:
        return None
    blob = session.get(TextBlobRow, key)
    return None if blob is None else zlib.decompress(blob.compressed).decode("utf-8")


def record_captures(session: Session, captures: list[Capture]) -> None:
    """Add a snapshot per capture and bring each source's latest state up to date."""
    texts: dict[str, str] = {}
    for capture in captures:
        if capture.page is not None:
            for text in (capture.page.text, capture.page.main_text):
                texts[_blob_key(text)] = text
    _store_blobs(session, texts)
    ids = {c.source_id for c in captures}
    sources = {s.id: s for s in session.scalars(select(SourceRow).where(SourceRow.id.in_(ids)))}
    evidence = _evidence_by_source(session, ids)
    recorded = [(capture, _record(session, sources[capture.source_id], capture))
                for capture in captures]
    session.flush()  # snapshot ids, for the evidence checks
    for capture, snapshot in recorded:
        rows = evidence.get(capture.source_id)
        if not rows:
            continue
        current: str | None = None
        if snapshot.outcome in GOOD_OUTCOMES:
            current = capture.page.text if capture.page is not None else \
                text_of(session, snapshot.text_blob)
        _check(session, rows, snapshot, current, sources[capture.source_id].last_error)


def _evidence_by_source(session: Session, source_ids: set[int]) -> dict[int, list[EvidenceRow]]:
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
    evidence = _evidence_by_source(session, ids)
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
        _check(session, rows, snapshot, text, source.last_error if source else None)
        count += len(rows)
    return count


def _check(session: Session, rows: list[EvidenceRow], snapshot: SnapshotRow, text: str | None,
           error: str | None) -> None:
    now = utcnow()
    for row in rows:
        before = (row.status, row.status_reason, row.found_text)
        if text is None:
            row.status = "source-unreachable"
            row.status_reason = f"the latest fetch failed: {error or snapshot.outcome}"
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


def _previous(session: Session, source_id: int) -> SnapshotRow | None:
    return session.scalars(
        select(SnapshotRow).where(SnapshotRow.source_id == source_id,
                                  SnapshotRow.text_blob.is_not(None))
        .order_by(SnapshotRow.id.desc()).limit(1)).first()


def _record(session: Session, source: SourceRow, capture: Capture) -> SnapshotRow:
    result, page = capture.result, capture.page
    outcome = result.outcome
    snapshot = SnapshotRow(
        source_id=source.id, fetched_at=result.started_at, outcome=outcome,
        http_status=result.status, final_url=result.final_url,
        redirects=[list(r) for r in result.redirects], headers=dict(result.headers),
        content_type=result.content_type,
        byte_length=None if result.body is None else len(result.body),
        content_sha256=result.content_sha256, elapsed_ms=round(result.elapsed * 1000),
        attempts=result.attempts,
        error_class=type(result.error).__name__ if result.error else None,
        error_message=str(result.error) if result.error else None,
        warc_file=capture.warc_file, warc_offset=capture.warc_offset)
    if page is not None:
        snapshot.text_blob = _blob_key(page.text)
        snapshot.main_text_blob = _blob_key(page.main_text)
        snapshot.text_sha256 = text_sha256(page.main_text)
        snapshot.title = page.title
        snapshot.page_metadata = {**page.metadata, "kind": page.kind}
        snapshot.problem = page.problem
    elif outcome == "unchanged" and (before := _previous(session, source.id)) is not None:
        # A 304 says the page is what we saw last: carry that forward, parse nothing.
        for name in ("text_blob", "main_text_blob", "text_sha256", "title",
                     "content_sha256", "content_type", "page_metadata"):
            setattr(snapshot, name, getattr(before, name))
    session.add(snapshot)

    source.status = outcome
    source.last_checked_at = result.started_at
    source.http_status = result.status
    source.final_url = result.final_url
    if outcome in GOOD_OUTCOMES:
        source.consecutive_failures = 0
        source.last_error = None
        source.etag = result.headers.get("etag", source.etag if outcome == "unchanged" else None)
        source.last_modified = result.headers.get(
            "last-modified", source.last_modified if outcome == "unchanged" else None)
        if outcome == "fetched":
            source.content_sha256 = snapshot.content_sha256
            source.text_sha256 = snapshot.text_sha256
            source.title = snapshot.title
    else:
        source.consecutive_failures += 1
        source.last_error = str(result.error) if result.error else f"HTTP {result.status}"
    return snapshot
