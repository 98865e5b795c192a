"""Reading the database: documents, claims, verdicts, sources and snapshots as plain
records, and the store's life (engine, schema)."""

from __future__ import annotations

import difflib
import itertools
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from factcheck.errors import (
    AmbiguousClaim,
    ConfigError,
    NotFound,
    UnknownRating,
)
from factcheck.records import Claim, Document, Evidence, Snapshot, Source, Verdict
from factcheck.scale import DEFAULT_SCALE, RatingScale
from factcheck.store.db import (
    SCHEMA_HEAD,
    database_url,
    make_engine,
    migrate,
    safe_url,
)
from factcheck.store.models import (
    NEVER,
    ChangeEventRow,
    ClaimRow,
    DocumentRow,
    EvidenceRow,
    SnapshotRow,
    SourceRow,
    VerdictRow,
    utcnow,
)
from factcheck.store.snapshots import (
    review_of,
    text_of,
)
from factcheck.text.anchor import figure_flags
from factcheck.text.figures import check_arithmetic, compare_figures
from factcheck.urls import normalize_url

if TYPE_CHECKING:
    from factcheck.store import matching


__all__ = ["Queries", "Summary"]


@dataclass(frozen=True)
class Summary:
    """Counts over the current claims: by kind, by current rating, and coverage."""

    documents: int
    claims: int
    checkable: int
    by_kind: dict[str, int]
    by_rating: dict[str, int]
    sources: int
    evidence: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class Queries:
    """The store's engine, schema and queries: every method runs in its own short
    transaction and returns plain records (:mod:`factcheck.records`), never live ORM
    objects. :class:`~factcheck.store.Database` adds the writing."""

    # -- the store's life ----------------------------------------------------

    def __init__(self, url: str | os.PathLike[str] | URL | None = None, *,
                 scale: RatingScale = DEFAULT_SCALE, engine: Engine | None = None) -> None:
        self.url: URL = engine.url if engine is not None else (
            url if isinstance(url, URL) else database_url(url))
        self.engine = engine if engine is not None else make_engine(self.url)
        self.scale = scale
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._claim_index: matching.Index | None = None  # made at the first match

    def __repr__(self) -> str:
        return f"{type(self).__name__}({safe_url(self.url)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- schema ---------------------------------------------------------------

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (the newest by default)."""
        migrate(self.engine, revision)

    def schema_revision(self) -> str | None:
        """The schema revision the database is at, ``None`` when it has none."""
        with self.engine.connect() as conn:
            try:
                return conn.execute(text("SELECT version_num FROM alembic_version")
                                    ).scalar_one_or_none()
            except (OperationalError, ProgrammingError):  # no such table: no schema
                return None

    def check_schema(self) -> None:
        """Raise :class:`ConfigError` unless the schema is at the newest revision."""
        head = SCHEMA_HEAD
        current = self.schema_revision()
        if current != head:
            state = "has no factcheck schema" if current is None else \
                f"is at schema revision {current}, not {head}"
            raise ConfigError(f"the database {safe_url(self.url)} {state}: "
                              "run `factcheck init` to migrate it")

    # -- reading --------------------------------------------------------------

    def documents(self) -> list[Document]:
        with self._session() as session:
            rows = session.scalars(
                select(DocumentRow).options(selectinload(DocumentRow.claims))
                .order_by(DocumentRow.key))
            return [Document(key=d.key, title=d.title, authors=tuple(d.authors),
                             publisher=d.publisher, url=d.url, published=d.published,
                             text_sha256=d.text_sha256,
                             claims=sum(1 for c in d.claims if c.withdrawn_at is None),
                             note=d.note, summary=d.summary, lang=d.lang)
                    for d in rows]

    def document_text(self, key: str) -> str:
        """The full text of the document ``key``."""
        with self._session() as session:
            return self._find_document(session, key).text

    def claims(self, document: str | None = None) -> list[Claim]:
        """The current claims, in document order (withdrawn claims left out)."""
        with self._session() as session:
            query = (select(ClaimRow).join(ClaimRow.document)
                     .where(ClaimRow.withdrawn_at.is_(None))
                     .options(selectinload(ClaimRow.document),
                              selectinload(ClaimRow.verdicts),
                              selectinload(ClaimRow.evidence).selectinload(EvidenceRow.source))
                     .order_by(DocumentRow.key, ClaimRow.start, ClaimRow.key))
            if document is not None:
                self._find_document(session, document)
                query = query.where(DocumentRow.key == document)
            return [self._claim(row) for row in session.scalars(query)]

    def claim(self, ref: str) -> Claim:
        """One claim by ``KEY`` or ``DOCUMENT/KEY``."""
        with self._session() as session:
            return self._claim(self._find_claim(session, ref))

    def verdicts(self, ref: str) -> list[Verdict]:
        """A claim's verdict history, oldest first; the last is current."""
        with self._session() as session:
            return [self._verdict(v) for v in self._find_claim(session, ref).verdicts]

    def sources(self) -> list[Source]:
        """Every source, by URL, with the claims that cite it."""
        with self._session() as session:
            rows = session.scalars(
                select(SourceRow).order_by(SourceRow.url).options(
                    selectinload(SourceRow.evidence).selectinload(EvidenceRow.claim)
                    .selectinload(ClaimRow.document)))
            return [self._source(row) for row in rows]

    def source(self, url: str) -> Source:
        """One source by URL (normalized as sources are)."""
        with self._session() as session:
            return self._source(self._find_source(session, url))

    def schedule(self, url: str, *, every: timedelta | None = None,
                 paused: bool | None = None, now: datetime | None = None) -> Source:
        """Set how often ``url`` is rechecked, or pause or resume it. A new interval
        counts from the last check; a resumed source is due at once."""
        now = now or utcnow()
        with self._session.begin() as session:
            row = self._find_source(session, url)
            if every is not None:
                row.check_interval_seconds = int(every.total_seconds())
                if row.last_checked_at is not None and row.consecutive_failures == 0:
                    row.next_check_at = row.last_checked_at + every
            if paused is not None:
                if row.paused and not paused:
                    row.next_check_at = min(row.next_check_at, now)
                row.paused = paused
            session.flush()
            return self._source(row)

    def summary(self, document: str | None = None) -> Summary:
        claims = self.claims(document)
        cited = {e.url for c in claims for e in c.evidence}
        return Summary(
            documents=len({c.document for c in claims}),
            claims=len(claims),
            checkable=sum(c.checkable for c in claims),
            by_kind=dict(Counter(c.kind for c in claims).most_common()),
            by_rating=dict(Counter(c.verdict.rating if c.verdict else "no verdict"
                                   for c in claims).most_common()),
            sources=len(cited),
            evidence=sum(len(c.evidence) for c in claims),
        )

    def snapshots(self, url: str) -> list[Snapshot]:
        """Every fetch of the source at ``url``, oldest first."""
        with self._session() as session:
            source = self._find_source(session, url)
            rows = session.scalars(select(SnapshotRow).where(SnapshotRow.source_id == source.id)
                                   .order_by(SnapshotRow.id))
            return [self._snapshot(source.url, row) for row in rows]

    def snapshot_text(self, url: str, *, at: datetime | None = None,
                      sha: str | None = None) -> tuple[Snapshot, str | None]:
        """What the source at ``url`` said: the snapshot current at ``at`` (the latest
        fetched at or before it; default the latest with a body), or the one whose
        content SHA-256 starts with ``sha``; and its visible text as stored (None when
        it had none)."""
        with self._session() as session:
            source = self._find_source(session, url)
            query = select(SnapshotRow).where(SnapshotRow.source_id == source.id,
                                              SnapshotRow.content_sha256.is_not(None))
            if sha is not None:
                query = query.where(SnapshotRow.content_sha256.startswith(sha.lower()))
            if at is not None:
                query = query.where(SnapshotRow.fetched_at <= at)
            row = session.scalars(query.order_by(SnapshotRow.fetched_at.desc(),
                                                 SnapshotRow.id.desc()).limit(1)).first()
            if row is None:
                what = f"with content SHA-256 {sha}..." if sha else (
                    f"at or before {at:%Y-%m-%d %H:%M} UTC" if at else "with a body")
                raise NotFound(f"no snapshot of {source.url} {what}")
            text = text_of(session, row.text_blob)
            return self._snapshot(source.url, row), text

    def latest_snapshots(self) -> dict[str, Snapshot]:
        """The latest snapshot of every source that has one, by URL (one query)."""
        with self._session() as session:
            latest = select(func.max(SnapshotRow.id)).group_by(SnapshotRow.source_id)
            rows = session.execute(select(SnapshotRow, SourceRow.url)
                                   .join(SourceRow, SourceRow.id == SnapshotRow.source_id)
                                   .where(SnapshotRow.id.in_(latest.scalar_subquery())))
            return {url: self._snapshot(url, row) for row, url in rows}

    def review_since(self, document: str | None = None) -> dict[str, datetime]:
        """When each claim was last flagged for review (its latest ``needs-review``
        event), by ``DOCUMENT/KEY``."""
        with self._session() as session:
            query = (select(DocumentRow.key, ClaimRow.key, func.max(ChangeEventRow.at))
                     .join(ClaimRow, ClaimRow.id == ChangeEventRow.claim_id)
                     .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
                     .where(ChangeEventRow.subject == "claim",
                            ChangeEventRow.after == "needs-review")
                     .group_by(DocumentRow.key, ClaimRow.key))
            if document is not None:
                query = query.where(DocumentRow.key == document)
            return {f"{doc}/{key}": at for doc, key, at in session.execute(query)}

    def conclusion_review(self, document: str) -> list[tuple[str, datetime]]:
        """The claims whose rating changed after the document's conclusion was last
        written, with when: the conclusion may no longer say what its verdicts do."""
        with self._session() as session:
            doc = self._find_document(session, document)
            written = doc.summary_at
        changed = []
        for ref, verdicts in self.verdict_history(document).items():
            for before, after in itertools.pairwise(verdicts):
                if before.rating != after.rating and (
                        written is None or after.created_at > written):
                    changed.append((ref, after.created_at))
        return sorted(changed, key=lambda item: item[1])

    def verdict_history(self, document: str | None = None) -> dict[str, list[Verdict]]:
        """Every claim's verdicts, oldest first, by ``DOCUMENT/KEY`` (one query)."""
        with self._session() as session:
            query = (select(VerdictRow, ClaimRow.key, DocumentRow.key)
                     .join(ClaimRow, ClaimRow.id == VerdictRow.claim_id)
                     .join(DocumentRow, DocumentRow.id == ClaimRow.document_id)
                     .order_by(VerdictRow.created_at, VerdictRow.id))
            if document is not None:
                query = query.where(DocumentRow.key == document)
            history: dict[str, list[Verdict]] = {}
            for row, key, doc in session.execute(query):
                history.setdefault(f"{doc}/{key}", []).append(self._verdict(row))
            return history

    def latest_text(self, url: str, *, main: bool = False) -> str | None:
        """The text of the source's latest snapshot that has any (``main``: main text only)."""
        with self._session() as session:
            source = self._find_source(session, url)
            row = session.scalars(
                select(SnapshotRow).where(SnapshotRow.source_id == source.id,
                                          SnapshotRow.text_blob.is_not(None))
                .order_by(SnapshotRow.id.desc()).limit(1)).first()
            if row is None:
                return None
            return text_of(session, row.main_text_blob if main else row.text_blob)

    def uncaptured(self) -> list[str]:
        """The sources the archive holds no capture of, as far as we know (never asked,
        or its TimeMap was empty)."""
        with self._session() as session:
            return [url for url, timemap in session.execute(
                select(SourceRow.url, SourceRow.timemap).order_by(SourceRow.url))
                if not timemap]

    # -- helpers --------------------------------------------------------------

    @staticmethod
    def _find_document(session: Session, key: str) -> DocumentRow:
        row = session.scalar(select(DocumentRow).where(DocumentRow.key == key))
        if row is None:
            raise NotFound(f"no document {key!r}" + _did_you_mean(
                key, session.scalars(select(DocumentRow.key))))
        return row

    @staticmethod
    def _find_claim(session: Session, ref: str) -> ClaimRow:
        document, _, key = ref.rpartition("/")
        query = select(ClaimRow).join(ClaimRow.document).where(ClaimRow.key == key)
        if document:
            query = query.where(DocumentRow.key == document)
        rows = list(session.scalars(query))
        if not rows:
            keys = session.scalars(select(ClaimRow.key).distinct())
            raise NotFound(f"no claim {ref!r}" + _did_you_mean(key, keys))
        if len(rows) > 1:
            refs = ", ".join(f"{r.document.key}/{r.key}" for r in rows)
            raise AmbiguousClaim(f"{ref!r} names several claims ({refs}): say which")
        return rows[0]

    @staticmethod
    def _find_source(session: Session, url: str) -> SourceRow:
        row = session.scalar(select(SourceRow).where(SourceRow.url == normalize_url(url)))
        if row is None:
            raise NotFound(f"no source {url!r}")
        return row

    @staticmethod
    def _snapshot(url: str, row: SnapshotRow) -> Snapshot:
        return Snapshot(
            url=url, fetched_at=row.fetched_at, outcome=row.outcome,
            http_status=row.http_status, final_url=row.final_url,
            redirects=tuple((int(s), str(u)) for s, u in row.redirects),
            content_type=row.content_type, byte_length=row.byte_length,
            content_sha256=row.content_sha256, text_sha256=row.text_sha256, title=row.title,
            metadata=dict(row.page_metadata), headers=dict(row.headers),
            elapsed_ms=row.elapsed_ms, attempts=row.attempts, error_class=row.error_class,
            error_message=row.error_message, problem=row.problem, warc_file=row.warc_file,
            warc_offset=row.warc_offset, last_seen_at=row.last_seen_at or row.fetched_at,
            times_seen=row.times_seen)

    def _verdict(self, row: VerdictRow) -> Verdict:
        try:
            rating = self.scale.get(row.rating)
            label, definition = rating.name, rating.definition
        except UnknownRating:  # recorded on another scale: the slug speaks for itself
            label, definition = row.rating, ""
        return Verdict(rating=row.rating, label=label, definition=definition,
                       rationale=row.rationale, reviewer=row.reviewer,
                       reviewed_on=row.reviewed_on, origin=row.origin,
                       created_at=row.created_at, publisher_label=row.publisher_label,
                       rested_on=tuple((row.basis or {}).get("rested_on", ())))

    def _claim(self, row: ClaimRow) -> Claim:
        return Claim(
            document=row.document.key, key=row.key, quote=row.quote, start=row.start,
            end=row.end, kind=row.kind, checkable=row.checkable, claim=row.assertion,
            note=row.note, claimant=row.claimant, claimant_url=row.claimant_url,
            verdict=self._verdict(row.verdicts[-1]) if row.verdicts else None,
            evidence=tuple(
                Evidence(url=e.source.url, passage=e.quote, stance=e.stance, note=e.note,
                         status=e.status, reason=e.status_reason, similarity=e.similarity,
                         found_text=e.found_text, diff=figure_flags(e.diff or ()),
                         figures=tuple(f.to_dict() for f in compare_figures(row.quote,
                                                                            e.quote)),
                         last_checked_at=e.last_checked_at, source_state=e.source.state,
                         source_title=e.source.title, archived_url=e.archived_url,
                         archived_at=e.archived_at, archive_status=e.archive_status,
                         archive_reason=e.archive_reason)
                for e in row.evidence if e.withdrawn_at is None),
            findings=tuple(f.to_dict() for f in check_arithmetic(row.quote)),
            review_reasons=tuple(review_of(row)))

    @staticmethod
    def _source(row: SourceRow) -> Source:
        return Source(
            url=row.url, status=row.status, http_status=row.http_status,
            final_url=row.final_url, title=row.title, content_sha256=row.content_sha256,
            text_sha256=row.text_sha256, last_checked_at=row.last_checked_at,
            next_check_at=None if row.next_check_at == NEVER else row.next_check_at,
            consecutive_failures=row.consecutive_failures,
            last_error=row.last_error,
            claims=tuple(sorted({f"{e.claim.document.key}/{e.claim.key}"
                                 for e in row.evidence if e.withdrawn_at is None})),
            state=row.state, state_reason=row.state_reason,
            state_changed_at=row.state_changed_at, failing_since=row.failing_since,
            moved_to=row.moved_to, check_interval_seconds=row.check_interval_seconds,
            paused=row.paused)


def _did_you_mean(name: str, names: Iterable[str]) -> str:
    """"; did you mean X?" with the nearest of ``names``, or nothing when none is near."""
    near = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(near)}?" if near else ""
