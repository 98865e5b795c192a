"""What every layer shares: the words for how things stand, one hash, one time format,
and what a recheck run came to.

The vocabulary is stored as text in the database and shown to people, so each word
list is defined here once and every module, query and report takes it from here.

=================  =====================================================================
fetch outcome      what one fetch came to: ``fetched``, ``unchanged`` (a 304 or the same
                   bytes), or a failure named by its error (:mod:`factcheck.errors`)
source state       what a source's checks say about it (:mod:`factcheck.policy.changes`)
evidence status    whether a cited passage stands on the page (:mod:`factcheck.policy.evidence`)
archive status     whether the public archive (the Wayback Machine, not our WARC files)
                   holds the passage
=================  =====================================================================
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["ARCHIVE_STATUSES", "DEAD_STATES", "EVIDENCE_STATUSES", "EXIT_FAILED",
           "EXIT_NEEDS_REVIEW", "EXIT_OK", "EXIT_OUT_OF_TIME", "GOOD_OUTCOMES",
           "MOVED_EVIDENCE", "MOVED_STATES", "PLACED", "SOURCE_STATES", "RunSummary",
           "json_time", "sha256_text"]

# -- the vocabulary -----------------------------------------------------------------

#: Fetch outcomes after which the page's text is at hand (read now, or the same as last time).
GOOD_OUTCOMES = frozenset({"fetched", "unchanged"})

#: A source's state, from its checks (see :mod:`factcheck.policy.changes`).
SOURCE_STATES = ("unchanged", "changed", "moved", "gone", "soft-404", "blocked", "error")
#: States in which the page a verdict cited is no longer where it was cited.
MOVED_STATES = frozenset({"gone", "moved", "soft-404"})
#: States in which the live page is no use as evidence: the public archive is asked.
DEAD_STATES = MOVED_STATES | {"blocked"}

#: A cited passage's status on its source's latest page (see :mod:`factcheck.policy.evidence`).
EVIDENCE_STATUSES = ("found", "drifted", "figures-changed", "missing", "linked",
                     "source-unreachable", "unchecked")
#: Statuses that place the passage on the page, edited or not.
PLACED = frozenset({"found", "drifted", "figures-changed"})
#: Statuses that say the passage moved since the verdict.
MOVED_EVIDENCE = frozenset({"drifted", "figures-changed", "missing"})

#: What the public archive's captures say of a passage.
ARCHIVE_STATUSES = ("found", "drifted", "missing", "no-capture")


# -- one hash, one time format ------------------------------------------------------

def sha256_text(text: str) -> str:
    """The SHA-256 of ``text`` as UTF-8, in hex: how texts are keyed and compared."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def json_time(value: Any) -> Any:
    """A date or datetime as ISO 8601 text, anything else as it is: the one way times
    go into JSON (reports, the CLI's ``--json``, verdict bases)."""
    return value.isoformat() if isinstance(value, datetime | date) else value


# -- what a recheck run came to -----------------------------------------------------

#: A recheck's exit status, which cron sees: nothing to do, verdicts need review, the
#: run failed (offline, interrupted), the run hit its time limit.
EXIT_OK = 0
EXIT_NEEDS_REVIEW = 3
EXIT_FAILED = 4
EXIT_OUT_OF_TIME = 5


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is what cron sees."""

    run_id: int
    status: str  # finished | offline | failed | interrupted | out-of-time
    reason: str | None
    started_at: datetime
    finished_at: datetime
    checked: int = 0
    states: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    #: Claims whose verdict became stale in this run: (DOCUMENT/KEY, reasons).
    newly_stale: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Every claim that needs review now.
    needs_review: list[tuple[str, list[str]]] = field(default_factory=list)
    #: For the newly stale claims, the cited words that changed: DOCUMENT/KEY to
    #: (source URL, old words, new words).
    changed_words: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    #: Sources whose state changed in this run: (url, before, after, reason).
    source_changes: list[tuple[str, str | None, str, str | None]] = field(
        default_factory=list)
    #: Seconds per phase: fetching (the fetch phase, wall clock), recording (database
    #: writes, which overlap the fetching), archives, notifying.
    seconds: dict[str, float] = field(default_factory=dict)
    #: Sources due when the run began that it did not check (the next run does).
    left: int = 0
    #: The public archive phase: lookups done, deferred to the next run, and why the
    #: archive was given up on or the lookups cut short, if they were.
    archive: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.status == "out-of-time":
            return EXIT_OUT_OF_TIME
        if self.status != "finished":
            return EXIT_FAILED
        return EXIT_NEEDS_REVIEW if self.needs_review else EXIT_OK

    @property
    def phases(self) -> dict[str, Any]:
        """Where the time went, as recorded on the run and shown by ``runs --json``."""
        return {"seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "left": self.left, "archive": self.archive}

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id, "status": self.status, "reason": self.reason,
            "started_at": json_time(self.started_at),
            "finished_at": json_time(self.finished_at), "checked": self.checked,
            "unchanged": self.states.get("unchanged", 0),
            "changed": self.states.get("changed", 0), "states": dict(self.states),
            "errors": self.errors,
            "newly_stale": [{"claim": c, "reasons": r} for c, r in self.newly_stale],
            "review_queue": [{"claim": c, "reasons": r} for c, r in self.needs_review],
            "source_changes": [{"source": u, "before": b, "after": a, "reason": why}
                               for u, b, a, why in self.source_changes],
            "phases": self.phases,
            "exit_code": self.exit_code,
        }
