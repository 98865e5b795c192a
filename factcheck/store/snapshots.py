"""Recording fetches: a snapshot row per fetch, text stored once per distinct content."""

from __future__ import annotations

import hashlib
import os
import random
import re
import zlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from factcheck.evidence import assess
from factcheck.fetching import Capture
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
from factcheck.text.anchor import Selector, anchor
from factcheck.text.extract import clean_text, text_sha256
from factcheck.tracking.changes import SOFT_404, Observation, classify
from factcheck.tracking.schedule import next_check
from factcheck.tracking.staleness import EvidenceState, basis_of, review_reasons, verdict_time
from factcheck.web.fetcher import header_value

__all__ = ["check_evidence", "evidence_states", "record_captures", "review_of", "reviews",
           "text_of"]

GOOD_OUTCOMES = frozenset({"fetched", "unchanged"})
#: Evidence statuses that place the passage on the page, edited or not.
PLACED = frozenset({"found", "drifted", "figures-changed"})


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
    insert_new(session, TextBlobRow, rows)


def text_of(session: Session, key: str | None) -> str | None:
    """The text stored under ``key``."""
    if key is None:
        return None
    blob = session.get(TextBlobRow, key)
    return None if blob is None else zlib.decompress(blob.compressed).decode("utf-8")


def record_captures(session: Session, captures: list[Capture], *,
                    now: datetime | None = None, run_id: int | None = None,
                    rng: random.Random | None = None, worker: str | None = None) -> list[str]:
    """Add a snapshot per capture and bring each source up to date: its latest outcome,
    its state (what changed), its next check, its evidence, and the review flags of
    the claims citing it. Changes are recorded as events of ``run_id``; a lease is
    cleared only if ``worker`` holds it. Returns the state each source was left in."""
    now = now or utcnow()
    texts: dict[str, str] = {}
    for capture in captures:
        if capture.page is not None:
            for text in (capture.page.text, capture.page.main_text):
                texts[_blob_key(text)] = text
    _store_blobs(session, texts)
    ids = {c.source_id for c in captures}
    sources = {s.id: s for s in session.scalars(select(SourceRow).where(SourceRow.id.in_(ids)))}
    evidence = _evidence_by_source(session, ids)
    claim_ids = {e.claim_id for rows in evidence.values() for e in rows}
    flagged_before = reviews(session, claim_ids)
    latest = _latest(session, ids)  # one query for the batch, not one per source
    rng = rng or random.Random()  # one per batch: seeding one from the OS costs 0.2 ms
    recorded = [(capture, _record(session, sources[capture.source_id], capture, now, run_id,
                                  rng, worker, latest, evidence.get(capture.source_id, [])))
                for capture in captures]
    session.flush()  # snapshot ids, for the evidence checks
    for capture, (snapshot, merged) in recorded:
        rows = evidence.get(capture.source_id)
        if merged:  # the same answer as last time: what was found then stands
            for row in rows or ():
                if row.snapshot_id == snapshot.id:
                    row.last_checked_at = now
            rows = [row for row in rows or () if row.snapshot_id != snapshot.id]
        if not rows:
            continue
        current: str | None = None
        if snapshot.outcome in GOOD_OUTCOMES:
            current = capture.page.text if capture.page is not None else \
                text_of(session, snapshot.text_blob)
        _check(session, rows, snapshot, current, sources[capture.source_id].last_error, now,
               run_id)
    session.flush()
    flagged_after = reviews(session, claim_ids)
    for claim_id in claim_ids:
        before, after = flagged_before.get(claim_id, []), flagged_after.get(claim_id, [])
        # A claim already under review that gains a reason (its passage edited while
        # its source was gone, say) is newly stale too: no state hides an edit. Reasons
        # are compared by what moved where, not their wording (a drifted passage's
        # similarity may change nightly without anything new to say).
        if bool(before) != bool(after) or _reason_keys(after) - _reason_keys(before):
            session.add(ChangeEventRow(
                run_id=run_id, at=now, subject="claim", claim_id=claim_id,
                before="needs-review" if before else "ok",
                after="needs-review" if after else "ok",
                reason="; ".join(after) if after else "its evidence is back as it was"))
    return [sources[c.source_id].state or "" for c in captures]


_REASON_KEY = re.compile(r"^(?:evidence \S+ at \S+|source \S+: \S+)")


def _reason_keys(reasons: list[str]) -> set[str]:
    """What each review reason says moved, and where ("evidence drifted at URL")."""
    return {(found.group(0) if (found := _REASON_KEY.match(r)) else r) for r in reasons}


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
        _check(session, rows, snapshot, text, source.last_error if source else None, utcnow(),
               None)
        count += len(rows)
    return count


def _check(session: Session, rows: list[EvidenceRow], snapshot: SnapshotRow, text: str | None,
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


def _previous(session: Session, source_id: int) -> SnapshotRow | None:
    return session.scalars(
        select(SnapshotRow).where(SnapshotRow.source_id == source_id,
                                  SnapshotRow.text_blob.is_not(None))
        .order_by(SnapshotRow.id.desc()).limit(1)).first()


def _new_snapshot(session: Session, source: SourceRow, capture: Capture,
                  error: str | None) -> SnapshotRow:
    result, page = capture.result, capture.page
    snapshot = SnapshotRow(
        source_id=source.id, fetched_at=result.started_at, last_seen_at=result.started_at,
        times_seen=1, outcome=result.outcome, http_status=result.status,
        final_url=result.final_url, redirects=[list(r) for r in result.redirects],
        headers=dict(result.headers), content_type=result.content_type,
        byte_length=None if result.body is None else len(result.body),
        content_sha256=result.content_sha256, elapsed_ms=round(result.elapsed * 1000),
        attempts=result.attempts,
        error_class=type(result.error).__name__ if result.error else None,
        error_message=error, warc_file=capture.warc_file, warc_offset=capture.warc_offset)
    if page is not None:
        snapshot.text_blob = _blob_key(page.text)
        snapshot.main_text_blob = _blob_key(page.main_text)
        snapshot.text_sha256 = text_sha256(page.main_text)
        snapshot.title = page.title
        snapshot.page_metadata = {**page.metadata, "kind": page.kind}
        snapshot.problem = page.problem
    elif capture.unchanged and (before := _previous(session, source.id)) is not None:
        # A 304, or the same bytes: the page is what we saw last; carry it, parse nothing.
        for name in ("text_blob", "main_text_blob", "text_sha256", "title",
                     "content_sha256", "content_type", "page_metadata"):
            setattr(snapshot, name, getattr(before, name))
    session.add(snapshot)
    return snapshot


def _same_answer(latest: SnapshotRow | None, capture: Capture) -> bool:
    """Whether ``capture`` saw what ``latest`` recorded: a 304 or the very same bytes
    after a good answer, or the same failure again. Such a check updates ``latest``."""
    if latest is None:
        return False
    result = capture.result
    if capture.unchanged:
        return latest.outcome in GOOD_OUTCOMES
    if result.outcome in GOOD_OUTCOMES:
        return False
    return (latest.outcome, latest.http_status, latest.error_class) == (
        result.outcome, result.status, type(result.error).__name__ if result.error else None)


def _latest(session: Session, source_ids: set[int]) -> dict[int, SnapshotRow]:
    """Each source's latest snapshot."""
    newest = (select(func.max(SnapshotRow.id)).where(SnapshotRow.source_id.in_(source_ids))
              .group_by(SnapshotRow.source_id))
    return {row.source_id: row
            for row in session.scalars(select(SnapshotRow).where(SnapshotRow.id.in_(newest)))}


def _placed(capture: Capture, evidence: list[EvidenceRow]) -> bool:
    """Whether a passage cited from this source stands on the page fetched (or, for a
    page not read again, stood on it last time)."""
    if capture.page is None:
        return any(row.status in PLACED for row in evidence)
    return any(anchor(capture.page.text, row.quote).placed for row in evidence)


def _record(session: Session, source: SourceRow, capture: Capture, now: datetime,
            run_id: int | None, rng: random.Random, worker: str | None,
            latest_by_source: dict[int, SnapshotRow], evidence: list[EvidenceRow]
            ) -> tuple[SnapshotRow, bool]:
    """Record one check; return its snapshot row and whether it was an existing one."""
    result, page = capture.result, capture.page
    outcome = result.outcome
    error = clean_text(str(result.error)) if result.error else None
    latest = latest_by_source.get(source.id)
    merged = _same_answer(latest, capture)
    if merged:
        assert latest is not None
        snapshot = latest
        snapshot.last_seen_at = result.started_at
        snapshot.times_seen += 1
    else:
        snapshot = latest_by_source[source.id] = _new_snapshot(session, source, capture, error)

    state, reason = classify(Observation(
        url=source.url, outcome=outcome, http_status=result.status, now=now,
        final_url=result.final_url, permanently_moved=result.permanently_moved,
        canonical_url=page.canonical_url if page is not None else None,
        text_sha256=snapshot.text_sha256,
        error=error,
        soft_404_similarity=capture.soft_404_similarity,
        # Only asked where the page reads like a missing one: a cited passage on it
        # says it is the page that was cited.
        passage_placed=((capture.soft_404_similarity or 0.0) >= SOFT_404
                        or source.state == "soft-404") and _placed(capture, evidence),
        previous_text_sha256=source.text_sha256, previous_canonical_url=source.canonical_url,
        failing_since=source.failing_since,
        consecutive_failures=source.consecutive_failures,
        previous_state=source.state, previous_reason=source.state_reason))
    if state != source.state:
        session.add(ChangeEventRow(run_id=run_id, at=now, subject="source", source_id=source.id,
                                   before=source.state, after=state, reason=reason))
        source.state_changed_at = now
    source.state, source.state_reason = state, reason
    source.moved_to = result.final_url if state == "moved" and result.permanently_moved else (
        page.canonical_url if state == "moved" and page is not None else None)

    source.status = outcome
    source.last_checked_at = now  # the run's clock, which scheduling also uses
    source.http_status = result.status
    source.final_url = result.final_url
    if outcome in GOOD_OUTCOMES:
        source.consecutive_failures = 0
        source.failing_since = None
        source.last_error = None
        # Validators are kept only when they can be sent back (a stranger's header may
        # hold anything); a 304 without them keeps the ones it answered.
        keep = outcome == "unchanged"
        source.etag = header_value(result.headers.get("etag")) or (
            source.etag if keep else None)
        source.last_modified = header_value(result.headers.get("last-modified")) or (
            source.last_modified if keep else None)
        if outcome == "fetched" and page is not None:
            source.canonical_url = page.canonical_url
            source.content_sha256 = snapshot.content_sha256
            source.text_sha256 = snapshot.text_sha256
            source.title = snapshot.title
    else:
        source.consecutive_failures += 1
        source.failing_since = source.failing_since or now
        source.last_error = error or f"HTTP {result.status}"
    source.next_check_at = next_check(now, timedelta(seconds=source.check_interval_seconds),
                                      source.consecutive_failures, rng)
    if worker is not None and source.lease_owner == worker:
        source.lease_owner = source.lease_until = None
    return snapshot, merged
