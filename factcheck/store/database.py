"""The database: claims, sources, evidence, verdicts and snapshots, stored and queried."""

from __future__ import annotations

import difflib
import itertools
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Engine, func, insert, literal, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from factcheck.errors import (
    AmbiguousClaim,
    ConfigError,
    NotFound,
    UnknownRating,
    VerdictConflict,
)
from factcheck.records import Claim, Document, Evidence, Snapshot, Source, Verdict
from factcheck.scale import DEFAULT_SCALE, RatingScale
from factcheck.seeds import read_seeds
from factcheck.store import editing
from factcheck.store.db import (
    SCHEMA_HEAD,
    database_url,
    insert_new,
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
from factcheck.store.reviewers import Reviewers
from factcheck.store.runs import RunLog
from factcheck.store.seeding import SeedReport, apply_seeds
from factcheck.store.snapshots import (
    check_evidence,
    review_of,
    text_of,
    verdict_basis,
)
from factcheck.text.anchor import figure_flags
from factcheck.text.figures import check_arithmetic, compare_figures
from factcheck.urls import normalize_url

if TYPE_CHECKING:
    from factcheck.store import matching
    from factcheck.store.matching import SentenceMatches

__all__ = ["Database", "Summary"]


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


class Database(Reviewers, RunLog):
    """Claims, sources, evidence and verdicts in one database: the storing and the
    queries. :class:`factcheck.Store` adds the work done on them (fetch, recheck,
    public archives, imports).

    Every method runs in its own short transaction and returns plain records
    (:mod:`factcheck.records`), never live ORM objects.
    """

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

    # -- seeds ----------------------------------------------------------------

    def load_seeds(self, path: str | Path) -> SeedReport:
        """Load a seed file or a folder of them, in one transaction.

        Everything is validated before anything is written; on any error nothing is.
        Loading the same files again changes nothing. A changed verdict in a file is
        appended; claims and evidence a file no longer lists are marked withdrawn.
        """
        seeds = read_seeds(path, self.scale)
        with self._session.begin() as session:
            return apply_seeds(session, seeds, self.scale)

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

    # -- sources ----------------------------------------------------------------

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

    def uncaptured(self) -> list[str]:
        """The sources the archive holds no capture of, as far as we know (never asked,
        or its TimeMap was empty)."""
        with self._session() as session:
            return [url for url, timemap in session.execute(
                select(SourceRow.url, SourceRow.timemap).order_by(SourceRow.url))
                if not timemap]

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

    # -- writing --------------------------------------------------------------

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
