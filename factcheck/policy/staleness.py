"""Does a verdict still rest on the evidence it was given? Pure functions.

A verdict records the evidence state it rested on (its *basis*): each evidence
link's status and each source's state when it was recorded. Evidence that has since
drifted, gone missing or changed its figures, or a source that has since gone,
moved or turned into a soft 404, is a reason to review the claim. A new verdict
records a new basis, which clears the flag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from factcheck.core import MOVED_EVIDENCE, MOVED_STATES

__all__ = ["EvidenceState", "archived", "basis_of", "review_reasons", "verdict_time"]



@dataclass(frozen=True)
class EvidenceState:
    evidence_id: int
    source_id: int
    url: str
    status: str
    reason: str | None
    source_state: str | None
    source_reason: str | None = None
    #: What a public archive's capture says of the passage (found, drifted, missing,
    #: no-capture), and when the capture was taken.
    archive_status: str | None = None
    archived_at: datetime | None = None


def basis_of(states: Iterable[EvidenceState]) -> dict[str, Any]:
    """What a verdict recorded now rests on."""
    states = list(states)
    return {"evidence": {str(s.evidence_id): s.status for s in states},
            "sources": {str(s.source_id): s.source_state for s in states}}


def verdict_time(reviewed_on: date | None, recorded_at: datetime | None) -> datetime | None:
    """When a verdict was decided: the end of its date, else when it was recorded."""
    if reviewed_on is not None:
        return datetime.combine(reviewed_on, time(23, 59, 59), tzinfo=UTC)
    return recorded_at


def archived(state: EvidenceState, decided_at: datetime | None) -> tuple[str, bool]:
    """What the archive says of the passage, in words, and whether that keeps the
    verdict's ground (the passage stands in a capture made before the verdict)."""
    at = state.archived_at
    when = f"{at:%Y-%m-%d}" if at else ""
    before = at is not None and (decided_at is None or at <= decided_at)
    words = {
        "found": f"passage found in the capture of {when}" if before else
                 f"passage found only in a later capture ({when})",
        "drifted": f"the capture of {when} words the passage differently",
        "missing": f"the capture of {when} lacks the passage",
        "no-capture": "no archived copy",
    }.get(state.archive_status or "", "")
    return words, state.archive_status == "found" and before


def review_reasons(basis: dict[str, Any] | None, states: Iterable[EvidenceState], *,
                   decided_at: datetime | None = None,
                   archive_settles: bool = False) -> list[str]:
    """Why the claim needs review, or [] when its verdict still stands on its ground.

    Where the live page failed the passage but a public archive's capture made before
    the verdict (``decided_at``) holds it, the reason says so; with
    ``archive_settles`` that capture keeps the verdict's ground and there is no reason.
    """
    basis = basis or {}
    was_evidence: dict[str, str] = basis.get("evidence", {})
    was_source: dict[str, str | None] = basis.get("sources", {})
    reasons: list[str] = []
    for s in states:
        said, settled = archived(s, decided_at)
        if settled and archive_settles:
            continue
        suffix = f"; {said}" if said else ""
        if s.status in MOVED_EVIDENCE and was_evidence.get(str(s.evidence_id)) != s.status:
            reasons.append(f"evidence {s.status} at {s.url}: {s.reason or s.status}"
                           + ("" if s.source_state in MOVED_STATES else suffix))
        if s.source_state in MOVED_STATES and was_source.get(str(s.source_id)) != s.source_state:
            reason = f"source {s.source_state}: {s.url}"
            if s.source_reason:
                reason += f" ({s.source_reason})"
            if said:
                reason += f"; live source {s.source_state}; {said}"
            if reason not in reasons:
                reasons.append(reason)
    return reasons
