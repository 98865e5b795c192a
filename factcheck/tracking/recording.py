"""Recording a check: the snapshot, what changed, the next check, the evidence, the flags.

:func:`record_captures` takes a batch of :class:`~factcheck.core.Capture` and, per
source and in this order: stores the page's text once per distinct content, adds a
snapshot (or counts the same answer again on the latest one), classifies what changed
(:mod:`factcheck.policy.changes`), schedules the next check
(:mod:`factcheck.policy.schedule`), clears the worker's lease, checks the evidence
cited from it, and records each claim whose verdict needs review now, or no longer.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.core import GOOD_OUTCOMES, PLACED, sha256_text
from factcheck.policy.changes import SOFT_404, Observation, classify
from factcheck.policy.schedule import next_check
from factcheck.store.models import ChangeEventRow, EvidenceRow, SnapshotRow, SourceRow, utcnow
from factcheck.store.snapshots import (
    check_rows,
    evidence_by_source,
    latest_snapshots,
    previous_with_text,
    reviews,
    store_blobs,
    text_of,
)
from factcheck.text.anchor import anchor
from factcheck.text.extract import clean_text, text_sha256
from factcheck.web.captures import Capture
from factcheck.web.fetcher import header_value

__all__ = ["record_captures"]


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
                texts[sha256_text(text)] = text
    store_blobs(session, texts)
    ids = {c.source_id for c in captures}
    sources = {s.id: s for s in session.scalars(select(SourceRow).where(SourceRow.id.in_(ids)))}
    evidence = evidence_by_source(session, ids)
    claim_ids = {e.claim_id for rows in evidence.values() for e in rows}
    flagged_before = reviews(session, claim_ids)
    latest = latest_snapshots(session, ids)  # one query for the batch, not one per source
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
        check_rows(session, rows, snapshot, current, sources[capture.source_id].last_error, now,
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
        snapshot.text_blob = sha256_text(page.text)
        snapshot.main_text_blob = sha256_text(page.main_text)
        snapshot.text_sha256 = text_sha256(page.main_text)
        snapshot.title = page.title
        snapshot.page_metadata = {**page.metadata, "kind": page.kind}
        snapshot.problem = page.problem
    elif capture.unchanged and (before := previous_with_text(session, source.id)) is not None:
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
    """Record one check, step by step; return its snapshot row and whether it was an
    existing one (the same answer as last time)."""
    result = capture.result
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
    _judge(session, source, capture, snapshot, error, evidence, now, run_id)
    _keep_outcome(source, capture, snapshot, error, now)
    source.next_check_at = next_check(now, timedelta(seconds=source.check_interval_seconds),
                                      source.consecutive_failures, rng)
    if worker is not None and source.lease_owner == worker:
        source.lease_owner = source.lease_until = None
    return snapshot, merged


def _judge(session: Session, source: SourceRow, capture: Capture, snapshot: SnapshotRow,
           error: str | None, evidence: list[EvidenceRow], now: datetime,
           run_id: int | None) -> None:
    """The source's state after this check (:func:`~factcheck.policy.changes.classify`),
    with an event when it changed, and where it moved to."""
    result, page = capture.result, capture.page
    state, reason = classify(Observation(
        url=source.url, outcome=result.outcome, http_status=result.status, now=now,
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


def _keep_outcome(source: SourceRow, capture: Capture, snapshot: SnapshotRow,
                  error: str | None, now: datetime) -> None:
    """The fetch's outcome on the source: its failures counted (or cleared), its
    validators for the next conditional request, what the page is now."""
    result, page = capture.result, capture.page
    outcome = result.outcome
    source.status = outcome
    source.last_checked_at = now  # the run's clock, which scheduling also uses
    source.http_status = result.status
    source.final_url = result.final_url
    if outcome not in GOOD_OUTCOMES:
        source.consecutive_failures += 1
        source.failing_since = source.failing_since or now
        source.last_error = error or f"HTTP {result.status}"
        return
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
