"""The values factcheck hands out: plain, frozen, safe to keep after the store closes.

Each has ``to_dict()`` giving the documented, stable JSON form (timestamps as
ISO 8601 strings in UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from factcheck.core import json_time

__all__ = [
    "NOT_CHECKABLE_KINDS",
    "Claim",
    "ClaimKind",
    "Document",
    "Evidence",
    "Snapshot",
    "Source",
    "Stance",
    "Verdict",
]


class ClaimKind(StrEnum):
    """What sort of assertion a claim is."""

    STATISTIC = "statistic"            # a figure: an amount, a share, a count, a change
    QUOTATION = "quotation"            # words quoted from a document or a person
    EVENT = "event"                    # something that happened, at a time and place
    ATTRIBUTION = "attribution"        # someone is said to have said or done something
    COMPARISON = "comparison"          # a ranking or a comparison between things
    CHARACTERIZATION = "characterization"  # loaded description of facts, a motive, a framing
    OPINION = "opinion"                # a judgement or an argument
    PREDICTION = "prediction"          # a claim about the future


#: Kinds that evidence cannot settle; a claim of these kinds is not checkable unless
#: the seed says otherwise.
NOT_CHECKABLE_KINDS = frozenset(
    {ClaimKind.CHARACTERIZATION, ClaimKind.OPINION, ClaimKind.PREDICTION})


class Stance(StrEnum):
    """What a cited passage does for the claim."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"
    #: Where the claim was made (an imported fact-check's ``itemReviewed.appearance``).
    APPEARANCE = "appearance"
    #: A source an imported fact-check cites: a link, with no passage until the desk
    #: adds one; the recheck tracks whether it lives, moves or dies.
    CITED = "cited"


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return json_time(value)


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Document(_Record):
    """An article that claims come from."""

    key: str
    title: str | None
    authors: tuple[str, ...]
    publisher: str | None
    url: str | None
    published: str | None
    text_sha256: str
    claims: int
    note: str | None = None
    summary: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Verdict(_Record):
    """A rating with its rationale; a claim's current verdict is its latest."""

    rating: str
    label: str
    definition: str
    rationale: str
    reviewer: str | None
    reviewed_on: date | None
    origin: str
    created_at: datetime
    #: The publisher's own label, verbatim, when the verdict was imported from a
    #: published fact-check ("Pants on Fire!"); None for the team's own.
    publisher_label: str | None = None
    #: The exact bytes it was decided on, per evidence link: ``url``,
    #: ``content_sha256``, ``text_sha256``, ``fetched_at``, ``warc_file``,
    #: ``warc_offset`` of our latest snapshot (``content_sha256`` null when recorded
    #: before any fetch, with a ``note``), and ``archived_url``/``archived_at`` when the
    #: passage was read in a public archive's capture.
    rested_on: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Evidence(_Record):
    """A passage of a source that a claim is checked against, and its latest status.

    ``passage`` is the cited words; ``status`` is found, drifted, figures-changed,
    missing, source-unreachable or unchecked, with its ``reason``; ``found_text`` is
    what stands where the passage was placed in the latest snapshot, ``similarity`` how
    close it is (1.0: as cited), ``diff`` a word diff from the cited passage (op, words,
    whether the changed words hold a figure). ``figures`` checks each figure of the
    claim against this passage. ``source_state`` is the source's state (unchanged,
    changed, moved, gone, soft-404, blocked, error; None before its first check).
    ``archived_url`` and the rest say what a public archive's capture holds.
    """

    url: str
    passage: str
    stance: str
    note: str | None
    status: str
    reason: str | None
    similarity: float | None
    found_text: str | None
    diff: tuple[tuple[str, str, bool], ...]
    figures: tuple[dict[str, Any], ...]
    last_checked_at: datetime | None
    source_state: str | None
    source_title: str | None
    #: A public archive's copy, when the live page failed the passage: its replay URL,
    #: when it was captured, and whether the passage stands there (found, drifted,
    #: missing, no-capture) and why.
    archived_url: str | None = None
    archived_at: datetime | None = None
    archive_status: str | None = None
    archive_reason: str | None = None


@dataclass(frozen=True)
class Claim(_Record):
    """An assertion resting on ``document.text[start:end] == quote``."""

    document: str
    key: str
    quote: str
    start: int
    end: int
    kind: str
    checkable: bool
    claim: str | None
    note: str | None
    verdict: Verdict | None
    evidence: tuple[Evidence, ...]
    #: Who made the claim, and a page about them (ClaimReview's itemReviewed.author).
    claimant: str | None = None
    claimant_url: str | None = None
    #: Arithmetic inside the claim: a stated change ("double", "+26%") against its
    #: own from/to figures.
    findings: tuple[dict[str, Any], ...] = ()
    #: Why the current verdict needs review: evidence it rested on has moved since.
    review_reasons: tuple[str, ...] = ()

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "needs_review": self.needs_review}

    @property
    def ref(self) -> str:
        """``DOCUMENT/KEY``: names the claim across documents."""
        return f"{self.document}/{self.key}"


@dataclass(frozen=True)
class Source(_Record):
    """A public URL cited as evidence, with its latest fetch outcome."""

    url: str
    status: str
    http_status: int | None
    final_url: str | None
    title: str | None
    content_sha256: str | None
    text_sha256: str | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    claims: tuple[str, ...]
    #: What the last recheck made of it: unchanged, changed, moved, gone, soft-404,
    #: blocked, error (None before the first check), why, and since when.
    state: str | None = None
    state_reason: str | None = None
    state_changed_at: datetime | None = None
    failing_since: datetime | None = None
    moved_to: str | None = None
    #: How often it is rechecked, in seconds, and whether rechecking is paused.
    check_interval_seconds: int = 86400
    paused: bool = False


@dataclass(frozen=True)
class Snapshot(_Record):
    """What a source answered, and the hashes of its text: one fetch, or a run of
    consecutive checks that saw the same thing (``fetched_at`` the first, ``last_seen_at``
    the latest, ``times_seen`` how many)."""

    url: str
    fetched_at: datetime
    outcome: str
    http_status: int | None
    final_url: str | None
    redirects: tuple[tuple[int, str], ...]
    content_type: str | None
    byte_length: int | None
    content_sha256: str | None
    text_sha256: str | None
    title: str | None
    metadata: dict[str, str]
    headers: dict[str, str]
    elapsed_ms: int | None
    attempts: int
    error_class: str | None
    error_message: str | None
    problem: str | None
    warc_file: str | None
    warc_offset: int | None
    last_seen_at: datetime | None = None
    times_seen: int = 1
