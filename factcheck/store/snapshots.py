"""Recording fetches: a snapshot row per fetch, text stored once per distinct content."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from factcheck.fetching import Capture
from factcheck.store.models import SnapshotRow, SourceRow, TextBlobRow
from factcheck.text.extract import text_sha256

__all__ = ["record_captures", "text_of"]

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
    sources = {s.id: s for s in session.scalars(
        select(SourceRow).where(SourceRow.id.in_({c.source_id for c in captures})))}
    for capture in captures:
        _record(session, sources[capture.source_id], capture)


def _previous(session: Session, source_id: int) -> SnapshotRow | None:
    return session.scalars(
        select(SnapshotRow).where(SnapshotRow.source_id == source_id,
                                  SnapshotRow.text_blob.is_not(None))
        .order_by(SnapshotRow.id.desc()).limit(1)).first()


def _record(session: Session, source: SourceRow, capture: Capture) -> None:
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
