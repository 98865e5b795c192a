"""The tables, as SQLAlchemy 2.0 typed models.

::

    document 1─* claim 1─* evidence *─1 source 1─* snapshot *─1 text_blob
                   └─* verdict (append-only; the latest is current)

Every timestamp is timezone-aware UTC, also on SQLite. Verdicts are never updated
or deleted: the session refuses it (see :func:`_verdicts_are_append_only`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from factcheck.errors import AppendOnlyError

__all__ = [
    "Base",
    "ChangeEventRow",
    "CheckRunRow",
    "ClaimRow",
    "ClaimVectorRow",
    "DeskSessionRow",
    "DocumentRow",
    "EditRow",
    "EvidenceCheckRow",
    "EvidenceRow",
    "ReviewerRow",
    "SnapshotRow",
    "SourceRow",
    "TextBlobRow",
    "VerdictRow",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The ``next_check_at`` of a source never checked: long past, so it sorts first and is
#: due at once (a NOT NULL column keeps the due query on one plain index).
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend.

    SQLite has no time zones: values are stored as naive UTC and come back aware.
    A naive datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it once, at class creation
        datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class DocumentRow(Base):
    """An article that claims come from."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(default=list)
    publisher: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    # ISO 8601 at the precision known: "2023", "2023-01" or "2023-01-13".
    published: Mapped[str | None] = mapped_column(String(10))
    byline: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    #: What a reader should know about the document itself (e.g. "the title is ours").
    note: Mapped[str | None] = mapped_column(Text)
    #: The desk's headline finding, shown at the top of the reader's page.
    summary: Mapped[str | None] = mapped_column(Text)
    #: When the conclusion was last written: a verdict changed since flags it for review.
    summary_at: Mapped[datetime | None]
    #: The document's language as a BCP 47 tag ("en", "ja"); reports use it.
    lang: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    claims: Mapped[list[ClaimRow]] = relationship(
        back_populates="document", order_by="ClaimRow.start")


class ClaimRow(Base):
    """One assertion of a document, resting on an exact span of its text."""

    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("document_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    assertion: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    checkable: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    #: Who made the claim (a person or an organization), and a page about them.
    claimant: Mapped[str | None] = mapped_column(Text)
    claimant_url: Mapped[str | None] = mapped_column(Text)
    # Set when a reseed no longer lists the claim; kept, with its history, never deleted.
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    document: Mapped[DocumentRow] = relationship(back_populates="claims")
    evidence: Mapped[list[EvidenceRow]] = relationship(
        back_populates="claim", order_by="EvidenceRow.position")
    verdicts: Mapped[list[VerdictRow]] = relationship(
        back_populates="claim", order_by=lambda: (VerdictRow.created_at, VerdictRow.id))


class SourceRow(Base):
    """One public URL, normalized; every claim citing the page shares the row.

    The fetch and scheduling columns are filled by fetching and rechecking.
    """

    __tablename__ = "source"
    # The claim query's order: due first, then by id. One index serves its WHERE and
    # ORDER BY, so a batch is found without sorting every due row.
    __table_args__ = (Index("ix_source_due", "next_check_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40), default="unchecked")
    http_status: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime] = mapped_column(default=NEVER)
    check_interval_seconds: Mapped[int] = mapped_column(default=86400)
    #: A paused source is never due (``factcheck source URL --pause``) until resumed.
    paused: Mapped[bool] = mapped_column(default=False)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    # What the last recheck made of the source: unchanged, changed, moved, gone,
    # soft-404, blocked or error (None before the first check), and since when.
    state: Mapped[str | None] = mapped_column(String(20))
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    moved_to: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    # The times of the public archive's captures of the URL (ISO 8601, from its TimeMap)
    # and when they were asked for: not asked again within a day.
    timemap: Mapped[list[Any] | None] = mapped_column(JSON)
    timemap_at: Mapped[datetime | None]
    # The last request to the archive to capture the page (Save Page Now), and its outcome.
    archive_requested_at: Mapped[datetime | None]
    archive_request: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    evidence: Mapped[list[EvidenceRow]] = relationship(back_populates="source")
    snapshots: Mapped[list[SnapshotRow]] = relationship(
        back_populates="source", order_by="SnapshotRow.id", lazy="raise_on_sql")


class ReviewerRow(Base):
    """Someone who signs in to the review desk; the password is kept as an argon2 hash."""

    __tablename__ = "reviewer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimVectorRow(Base):
    """A claim's unit vector (float16 bytes), for finding the claims a sentence repeats:
    the words embedded and the embedding's name, so that a change re-embeds it."""

    __tablename__ = "claim_vector"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    embedding: Mapped[str] = mapped_column(String(60))
    words: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class EditRow(Base):
    """A desk edit of what a fact-check is made of: who changed which field, when, from
    what to what. Never updated: the history of a claim's words and sources."""

    __tablename__ = "edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    editor: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(20))  # claim | document | evidence
    field: Mapped[str] = mapped_column(String(40))  # claim | conclusion | passage | stance | added
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"))
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class DeskSessionRow(Base):
    """A reviewer signed in to the desk: the cookie holds a random token, this row its
    hash. Signing out, or a new password, revokes it; so does its expiry."""

    __tablename__ = "desk_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewer.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class TextBlobRow(Base):
    """Text seen in a snapshot, stored once however often it is seen (zlib-compressed)."""

    __tablename__ = "text_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    length: Mapped[int]
    compressed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SnapshotRow(Base):
    """One fetch of a source: what the server answered, when, and the text in it.

    A small row: the page text lives in ``text_blob``, referenced by hash. One row
    stands for every consecutive check that saw the same thing (a 304, the same bytes,
    the same failure): ``fetched_at`` is the first of them, ``last_seen_at`` the latest,
    ``times_seen`` how many, so a year of unchanged nights costs one row.
    """

    __tablename__ = "snapshot"
    __table_args__ = (Index(None, "source_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    fetched_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int | None]
    final_url: Mapped[str | None] = mapped_column(Text)
    redirects: Mapped[list[Any]] = mapped_column(JSON, default=list)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_type: Mapped[str | None] = mapped_column(String(200))
    byte_length: Mapped[int | None]
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # sha256 of the normalized main text: equal when only layout or boilerplate changed.
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    text_blob: Mapped[str | None] = mapped_column(ForeignKey("text_blob.sha256"))
    main_text_blob: Mapped[str | None] = mapped_column(ForeignKey("text_blob.sha256"))
    title: Mapped[str | None] = mapped_column(Text)
    page_metadata: Mapped[dict[str, Any]] = mapped_column(default=dict)
    elapsed_ms: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=1)
    error_class: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    # What extraction could not do ("unsupported content type", "malformed PDF").
    problem: Mapped[str | None] = mapped_column(Text)
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    last_seen_at: Mapped[datetime | None]
    times_seen: Mapped[int] = mapped_column(default=1)

    source: Mapped[SourceRow] = relationship(back_populates="snapshots")


class EvidenceRow(Base):
    """A claim's link to a source: the passage it is cited for, and its stance."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("claim_id", "source_id", "quote_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    quote: Mapped[str] = mapped_column(Text)
    quote_sha256: Mapped[str] = mapped_column(String(64))
    stance: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40), default="unchecked")
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Where the passage was last found in the source's text (character offsets), the
    # W3C selectors it was found with, and what stands there now.
    found_start: Mapped[int | None]
    found_end: Mapped[int | None]
    selector: Mapped[list[Any] | None] = mapped_column(JSON)
    found_text: Mapped[str | None] = mapped_column(Text)
    similarity: Mapped[float | None]
    diff: Mapped[list[Any] | None] = mapped_column(JSON)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"))
    last_checked_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    # A public archive's copy of the source (when the live page is dead or the passage
    # missing): the capture's replay URL and time, and whether the passage stands there
    # (found, drifted, missing, no-capture), why, and when that was looked up.
    archived_url: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None]
    archive_status: Mapped[str | None] = mapped_column(String(20))
    archive_reason: Mapped[str | None] = mapped_column(Text)
    archive_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[ClaimRow] = relationship(back_populates="evidence")
    source: Mapped[SourceRow] = relationship(back_populates="evidence")


class EvidenceCheckRow(Base):
    """The history of an evidence link's status: a row each time it changes."""

    __tablename__ = "evidence_check"
    __table_args__ = (Index(None, "evidence_id", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"))
    checked_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    similarity: Mapped[float | None]
    found_text: Mapped[str | None] = mapped_column(Text)


class VerdictRow(Base):
    """A rating of a claim with its rationale. Append-only: the latest is current."""

    __tablename__ = "verdict"
    __table_args__ = (Index(None, "claim_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    rating: Mapped[str] = mapped_column(String(60))
    scale: Mapped[str] = mapped_column(String(100))
    rationale: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    # Where the verdict came from: "seed:<file>" or "api". A reseed compares the file
    # with the last verdict it seeded, so a verdict recorded since is never overridden.
    origin: Mapped[str] = mapped_column(String(300))
    # The publisher's own label, verbatim, for a verdict imported from a published
    # fact-check ("Pants on Fire!"); None for the team's own verdicts.
    publisher_label: Mapped[str | None] = mapped_column(Text)
    # The evidence it rested on when recorded: {"evidence": {id: status},
    # "sources": {id: state}}. Evidence that moves away from this flags the claim.
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[ClaimRow] = relationship(back_populates="verdicts")


class CheckRunRow(Base):
    """One recheck run: when, by whom, what it found."""

    __tablename__ = "check_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running, finished, offline, failed, interrupted (a signal, or found dead by a later
    # run), or out-of-time (its --max-runtime passed)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    checked: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[int] = mapped_column(default=0)
    needs_review: Mapped[int] = mapped_column(default=0)
    #: Where its time went: {"seconds": {fetching, recording, archives, notifying},
    #: "left": due sources not reached, "archive": lookups done and deferred}.
    phases: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ChangeEventRow(Base):
    """Something that changed: a source's state, an evidence status, a claim's review flag."""

    __tablename__ = "change_event"
    __table_args__ = (Index(None, "run_id", "id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("check_run.id"))
    at: Mapped[datetime]
    subject: Mapped[str] = mapped_column(String(20))  # source | evidence | claim
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"))
    before: Mapped[str | None] = mapped_column(String(40))
    after: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)


@event.listens_for(Session, "before_flush")
def _verdicts_are_append_only(session: Session, *_: object) -> None:
    for obj in session.dirty:
        if isinstance(obj, VerdictRow) and session.is_modified(obj):
            raise AppendOnlyError("verdicts are append-only: record a new verdict instead")
    for obj in session.deleted:
        if isinstance(obj, VerdictRow):
            raise AppendOnlyError("verdicts are append-only: they are never deleted")
