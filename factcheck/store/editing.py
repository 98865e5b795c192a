"""The desk's edits of what a fact-check is made of, each kept with who and when.

A claim's words (its summary), a document's conclusion, an evidence link's passage and
stance, a link added. Each edit is compare-and-set: the caller says what it saw, and an
edit of something changed since is :class:`~factcheck.errors.EditConflict`, decided in
the database (one conditional UPDATE), so any number of desk processes agree. Every
edit appends an ``edit`` row; a changed passage is anchored again at once in the
source's latest snapshot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from factcheck.core import sha256_text
from factcheck.errors import ConfigError, EditConflict
from factcheck.records import Stance
from factcheck.store.models import (
    ClaimRow,
    DocumentRow,
    EditRow,
    EvidenceRow,
    SourceRow,
    utcnow,
)
from factcheck.store.snapshots import check_evidence
from factcheck.urls import check_sendable, normalize_url

__all__ = ["add_evidence", "edit_claim", "edit_conclusion", "edit_evidence", "edits_of"]

#: The longest text an edit takes (a rationale-sized field, many times over).
MAX_TEXT = 20_000


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = " ".join(value.split()) if what != "conclusion" else value.strip()
    if required and not value:
        raise ConfigError(f"the {what} may not be empty")
    if "\x00" in value:
        raise ConfigError(f"the {what} may not hold a NUL character")
    if len(value) > MAX_TEXT:
        raise ConfigError(f"the {what} is over {MAX_TEXT:,} characters")
    return value


def _conflict(what: str) -> EditConflict:
    return EditConflict(f"{what} was changed by someone else since you opened it; "
                        "read the new version, then edit again")


def edit_claim(session: Session, claim: ClaimRow, words: str, *, editor: str,
               seen: str | None) -> None:
    """Set the claim's summary (its words in ours), if it is still ``seen``."""
    words = _text(words, "claim")
    if words == claim.assertion:
        return
    changed = session.scalar(
        update(ClaimRow).where(ClaimRow.id == claim.id, _is(ClaimRow.assertion, seen))
        .values(assertion=words, updated_at=utcnow()).returning(ClaimRow.id))
    if changed is None:
        raise _conflict("this claim's words")
    session.add(EditRow(editor=editor, subject="claim", field="claim",
                        document_id=claim.document_id, claim_id=claim.id, before=seen,
                        after=words))


def edit_conclusion(session: Session, document: DocumentRow, summary: str, *, editor: str,
                    seen: str | None) -> None:
    """Write the document's conclusion, if it is still ``seen``; it is then as of now
    (a rating changed before no longer flags it)."""
    summary = _text(summary, "conclusion")
    now = utcnow()
    changed = session.scalar(
        update(DocumentRow).where(DocumentRow.id == document.id,
                                  _is(DocumentRow.summary, seen))
        .values(summary=summary, summary_at=now, updated_at=now).returning(DocumentRow.id))
    if changed is None:
        raise _conflict("the conclusion")
    session.add(EditRow(editor=editor, subject="document", field="conclusion",
                        document_id=document.id, before=seen, after=summary))


def edit_evidence(session: Session, claim: ClaimRow, url: str, *, passage: str,
                  stance: str, editor: str, seen_passage: str, seen_stance: str) -> None:
    """Set an evidence link's passage and stance, if they are still what was seen; the
    passage is anchored again in the source's latest snapshot."""
    passage = _text(passage, "passage", required=False)
    stance = _stance(stance)
    row = session.scalars(
        select(EvidenceRow).join(SourceRow).where(
            EvidenceRow.claim_id == claim.id, EvidenceRow.withdrawn_at.is_(None),
            SourceRow.url == normalize_url(url))).first()
    if row is None:
        raise ConfigError(f"{claim.key} cites no source {url}")
    if (passage, stance) == (row.quote, row.stance):
        return
    changed = session.scalar(
        update(EvidenceRow).where(EvidenceRow.id == row.id, EvidenceRow.quote == seen_passage,
                                  EvidenceRow.stance == seen_stance)
        .values(quote=passage, quote_sha256=sha256_text(passage), stance=stance,
                selector=None, status="unchecked", status_reason=None)
        .returning(EvidenceRow.id))
    if changed is None:
        raise _conflict("this evidence link")
    for field, before, after in (("passage", seen_passage, passage),
                                 ("stance", seen_stance, stance)):
        if before != after:
            session.add(EditRow(editor=editor, subject="evidence", field=field,
                                document_id=claim.document_id, claim_id=claim.id,
                                evidence_id=row.id, before=before, after=after))
    session.flush()
    session.expire(row)
    check_evidence(session, {row.source_id})


def add_evidence(session: Session, claim: ClaimRow, url: str, *, passage: str, stance: str,
                 editor: str) -> None:
    """Link a source to the claim (a passage may come later); it is checked against
    the source's latest snapshot, if we have one, and tracked by the recheck."""
    check_sendable(url)
    url = normalize_url(url)
    passage = _text(passage, "passage", required=False)
    stance = _stance(stance)
    source = session.scalars(select(SourceRow).where(SourceRow.url == url)).first()
    if source is None:
        source = SourceRow(url=url)
        session.add(source)
        session.flush()
    elif session.scalar(select(EvidenceRow.id).where(
            EvidenceRow.claim_id == claim.id, EvidenceRow.source_id == source.id,
            EvidenceRow.quote_sha256 == sha256_text(passage), EvidenceRow.withdrawn_at.is_(None))):
        raise ConfigError(f"{claim.key} already cites that passage of {url}")
    position = session.scalar(select(func.coalesce(func.max(EvidenceRow.position), -1))
                              .where(EvidenceRow.claim_id == claim.id))
    row = EvidenceRow(claim_id=claim.id, source_id=source.id, position=(position or 0) + 1,
                      quote=passage, quote_sha256=sha256_text(passage), stance=stance,
                      note=f"added at the desk by {editor}")
    session.add(row)
    session.flush()
    session.add(EditRow(editor=editor, subject="evidence", field="added",
                        document_id=claim.document_id, claim_id=claim.id, evidence_id=row.id,
                        before=None, after=f"{stance}: {url}" + (
                            f" “{passage}”" if passage else "")))
    check_evidence(session, {source.id})


def edits_of(session: Session, *, document_id: int | None = None,
             claim_id: int | None = None) -> list[dict[str, Any]]:
    """The edits of a document (its conclusion) or of a claim, oldest first."""
    query = select(EditRow).order_by(EditRow.at, EditRow.id)
    if claim_id is not None:
        query = query.where(EditRow.claim_id == claim_id)
    elif document_id is not None:
        query = query.where(EditRow.document_id == document_id, EditRow.claim_id.is_(None))
    return [{"at": e.at, "editor": e.editor, "subject": e.subject, "field": e.field,
             "before": e.before, "after": e.after} for e in session.scalars(query)]


def _is(column: Any, value: str | None) -> Any:
    """The column still holds ``value`` (a form sends an empty field for none)."""
    if not value:
        return or_(column.is_(None), column == "")
    return column == value


def _stance(value: str) -> str:
    if value not in {s.value for s in Stance}:
        raise ConfigError(f"{value!r} is not a stance; use one of: "
                          f"{', '.join(s.value for s in Stance)}")
    return value

