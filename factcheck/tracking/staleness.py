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
from typing import Any

__all__ = ["EvidenceState", "basis_of", "review_reasons"]

MOVED_EVIDENCE = frozenset({"drifted", "figures-changed", "missing"})
MOVED_SOURCES = frozenset({"gone", "moved", "soft-404"})


@dataclass(frozen=True)
class EvidenceState:
    evidence_id: int
    source_id: int
    url: str
    status: str
    reason: str | None
    source_state: str | None
    source_reason: str | None = None


def basis_of(states: Iterable[EvidenceState]) -> dict[str, Any]:
    """What a verdict recorded now rests on."""
    states = list(states)
    return {"evidence": {str(s.evidence_id): s.status for s in states},
            "sources": {str(s.source_id): s.source_state for s in states}}


def review_reasons(basis: dict[str, Any] | None, states: Iterable[EvidenceState]) -> list[str]:
    """Why the claim needs review, or [] when its verdict still stands on its ground."""
    basis = basis or {}
    was_evidence: dict[str, str] = basis.get("evidence", {})
    was_source: dict[str, str | None] = basis.get("sources", {})
    reasons: list[str] = []
    for s in states:
        if s.status in MOVED_EVIDENCE and was_evidence.get(str(s.evidence_id)) != s.status:
            reasons.append(f"evidence {s.status} at {s.url}: {s.reason or s.status}")
        if s.source_state in MOVED_SOURCES and was_source.get(str(s.source_id)) != s.source_state:
            reason = f"source {s.source_state}: {s.url}"
            if s.source_reason:
                reason += f" ({s.source_reason})"
            if reason not in reasons:
                reasons.append(reason)
    return reasons
