"""The database: claims, sources, evidence, verdicts and snapshots, stored and queried."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, literal, select
from sqlalchemy.exc import IntegrityError

from factcheck.errors import (
    ConfigError,
    VerdictConflict,
)
from factcheck.records import Claim, Verdict
from factcheck.seeds import read_seeds
from factcheck.store import editing
from factcheck.store.db import (
    insert_new,
)
from factcheck.store.models import (
    ClaimRow,
    SourceRow,
    VerdictRow,
    utcnow,
)
from factcheck.store.queries import Queries, Summary
from factcheck.store.reviewers import Reviewers
from factcheck.store.runs import RunLog
from factcheck.store.seeding import SeedReport, apply_seeds
from factcheck.store.snapshots import (
    check_evidence,
    verdict_basis,
)
from factcheck.urls import normalize_url

if TYPE_CHECKING:
    from factcheck.store.matching import SentenceMatches


__all__ = ["Database", "Summary"]


class Database(Queries, Reviewers, RunLog):
    """Claims, sources, evidence and verdicts in one database: the queries
    (:class:`~factcheck.store.queries.Queries`), the writing (here), the desk's
    reviewers and the recheck's log. :class:`factcheck.Store` adds the work done on
    them (fetch, recheck, public archives, imports).

    Every method runs in its own short transaction and returns plain records
    (:mod:`factcheck.records`), never live ORM objects.
    """

    # -- seeds and sources ----------------------------------------------------

    def load_seeds(self, path: str | Path) -> SeedReport:
        """Load a seed file or a folder of them, in one transaction.

        Everything is validated before anything is written; on any error nothing is.
        Loading the same files again changes nothing. A changed verdict in a file is
        appended; claims and evidence a file no longer lists are marked withdrawn.
        """
        seeds = read_seeds(path, self.scale)
        with self._session.begin() as session:
            return apply_seeds(session, seeds, self.scale)

    def add_sources(self, urls: Iterable[str]) -> list[str]:
        """Add the URLs as sources where new; return their normalized forms, in order."""
        normalized = list(dict.fromkeys(normalize_url(u) for u in urls))
        now = utcnow()
        with self._session.begin() as session:
            insert_new(session, SourceRow, [
                {"url": u, "status": "unchecked", "check_interval_seconds": 86400,
                 "consecutive_failures": 0, "created_at": now} for u in normalized])
        return normalized

    def check_evidence(self, urls: Iterable[str] | None = None) -> int:
        """Re-assess evidence against the latest snapshots, without fetching.

        Useful after seeding new evidence. Returns how many links were assessed.
        """
        with self._session.begin() as session:
            ids = None
            if urls is not None:
                ids = {self._find_source(session, url).id for url in urls}
            return check_evidence(session, ids)

    # -- have we checked this before? ------------------------------------------

    def match(self, text: str, *, limit: int = 5,
              every_sentence: bool = False) -> list[SentenceMatches]:
        """The claims already in the table that each check-worthy sentence of ``text``
        repeats (the same claim, not the same topic), closest first, at most ``limit``
        each, with their current rating. ``every_sentence`` matches the others too (a
        single sentence typed in, say). Claims not yet embedded are embedded first."""
        from factcheck.store import matching  # numpy and the embedding: only when matching

        if limit < 1:
            raise ConfigError("limit must be 1 or more")
        if self._claim_index is None:
            self._claim_index = matching.Index()
        try:
            with self._session.begin() as session:
                matching.refresh_index(session)
        except IntegrityError:
            pass  # another process embedded the same claims at the same moment
        with self._session() as session:
            return matching.match_text(session, self._claim_index, text, limit=limit,
                                       every_sentence=every_sentence)

    # -- verdicts --------------------------------------------------------------

    def record_verdict(self, ref: str, rating: str, rationale: str, *,
                       reviewer: str | None = None,
                       reviewed_on: date | None = None,
                       based_on: datetime | EllipsisType | None = ...) -> Verdict:
        """Append a verdict to the claim ``ref``; it becomes the current one.

        ``based_on`` is when the verdict the reviewer saw was recorded (None: they saw
        none). If another has been recorded since, :class:`VerdictConflict` is raised
        and nothing is written: the check and the insert are one statement, under a
        lock of the claim's row on PostgreSQL, so any number of processes agree.
        """
        label = self.scale.get(rating)
        if not rationale or not rationale.strip():
            raise ConfigError("a verdict needs a rationale")
        if "\x00" in rationale or (reviewer and "\x00" in reviewer):
            raise ConfigError("a verdict's text may not hold a NUL character")
        with self._session.begin() as session:
            claim = self._find_claim(session, ref)
            if label.checkable != claim.checkable:
                raise ConfigError(
                    f"{rating!r} is for {'checkable' if label.checkable else 'uncheckable'} "
                    f"claims; {claim.document.key}/{claim.key} is "
                    f"{'' if claim.checkable else 'not '}checkable")
            values = {"claim_id": claim.id, "rating": rating, "scale": self.scale.name,
                      "rationale": rationale.strip(), "reviewer": reviewer,
                      "reviewed_on": reviewed_on, "origin": "api",
                      "basis": verdict_basis(session, claim), "created_at": utcnow()}
            if based_on is ...:
                row = VerdictRow(claim=claim, **{k: v for k, v in values.items()
                                                 if k != "claim_id"})
                session.add(row)
                session.flush()
                return self._verdict(row)
            # PostgreSQL: wait for any other writer of this claim's verdicts.
            session.execute(select(ClaimRow.id).where(ClaimRow.id == claim.id)
                            .with_for_update())
            newer = select(VerdictRow.id).where(VerdictRow.claim_id == claim.id)
            if based_on is not None:
                newer = newer.where(VerdictRow.created_at > based_on)
            columns = [getattr(VerdictRow, name) for name in values]
            chosen = select(*(literal(value, type_=column.type)
                              for value, column in zip(values.values(), columns,
                                                       strict=True))
                            ).where(~newer.exists())
            inserted = session.scalar(
                insert(VerdictRow).from_select(list(values), chosen)
                .returning(VerdictRow.id))
            if inserted is None:
                raise VerdictConflict(
                    f"{claim.document.key}/{claim.key}: another verdict was recorded "
                    "since the one you saw; read it, then record yours again")
            row = session.get_one(VerdictRow, inserted)
            return self._verdict(row)

    # -- the desk's edits (see factcheck.store.editing) ------------------------

    def edit_claim(self, ref: str, words: str, *, editor: str, seen: str | None) -> Claim:
        """Set a claim's words (its summary), if they are still ``seen``; kept in
        :meth:`edits`. :class:`EditConflict` if someone changed them meanwhile."""
        with self._session.begin() as session:
            claim = self._find_claim(session, ref)
            editing.edit_claim(session, claim, words, editor=editor, seen=seen)
        return self.claim(ref)

    def edit_conclusion(self, document: str, summary: str, *, editor: str,
                        seen: str | None) -> None:
        """Write a document's conclusion, if it is still ``seen``; the rating changes
        before it no longer flag it (:meth:`conclusion_review`)."""
        with self._session.begin() as session:
            editing.edit_conclusion(session, self._find_document(session, document),
                                    summary, editor=editor, seen=seen)

    def edit_evidence(self, ref: str, url: str, *, passage: str, stance: str, editor: str,
                      seen_passage: str, seen_stance: str) -> Claim:
        """Set the passage and stance a claim cites from ``url``, if they are still what
        was seen; the passage is anchored again in the source's latest snapshot."""
        with self._session.begin() as session:
            editing.edit_evidence(session, self._find_claim(session, ref), url,
                                  passage=passage, stance=stance, editor=editor,
                                  seen_passage=seen_passage, seen_stance=seen_stance)
        return self.claim(ref)

    def add_evidence(self, ref: str, url: str, *, passage: str = "",
                     stance: str = "supports", editor: str) -> Claim:
        """Link a source to a claim, with a passage or (for now) none."""
        with self._session.begin() as session:
            editing.add_evidence(session, self._find_claim(session, ref), url,
                                 passage=passage, stance=stance, editor=editor)
        return self.claim(ref)

    def edits(self, ref: str | None = None, *,
              document: str | None = None) -> list[dict[str, Any]]:
        """The desk's edits of a claim (``ref``) or of a document's conclusion, oldest
        first: when, who, which field, before and after."""
        with self._session() as session:
            if ref is not None:
                return editing.edits_of(session, claim_id=self._find_claim(session, ref).id)
            if document is None:
                raise ConfigError("say which claim or document")
            return editing.edits_of(session,
                                    document_id=self._find_document(session, document).id)

    def document_summary(self, document: str) -> tuple[str | None, datetime | None]:
        """A document's conclusion and when it was written."""
        with self._session() as session:
            row = self._find_document(session, document)
            return row.summary, row.summary_at
