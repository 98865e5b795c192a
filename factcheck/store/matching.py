"""The claims' vectors in the database, kept current, and the claims a text repeats.

The index is the ``claim_vector`` table: one float16 unit vector per claim with the words
it was made from. Before each match, claims that are new, whose words changed, or that
were embedded by another embedding are embedded again (thousands a second), so the
index follows the table whatever wrote to it: a seed, an import, the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from factcheck.store.models import ClaimRow, ClaimVectorRow, DocumentRow, VerdictRow
from factcheck.text.matching import EMBEDDING, Matcher, embed, judge
from factcheck.text.sentences import Sentence, extract_claims

__all__ = ["Match", "SentenceMatches", "match_text", "refresh_index"]

BATCH = 2_000
DIMENSIONS = 256


@dataclass(frozen=True)
class Match:
    """A claim already in the table that a sentence repeats, and how it was judged."""

    claim: str  # DOCUMENT/KEY
    words: str  # the claim as the table words it
    similarity: float
    rating: str | None
    reviewed_on: date | None
    url: str | None  # the document's page (for an imported fact-check, the fact-check)

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "words": self.words, "similarity": self.similarity,
                "rating": self.rating,
                "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None,
                "url": self.url}


@dataclass(frozen=True)
class SentenceMatches:
    """A sentence of a new text and the claims already checked that it repeats."""

    sentence: Sentence
    matches: list[Match] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.sentence.to_dict(), "matches": [m.to_dict() for m in self.matches]}


def refresh_index(session: Session) -> int:
    """Embed every current checkable claim not yet embedded as it now reads (headings and
    opinions are not fact-checks to be found again); return how many."""
    words = func.coalesce(ClaimRow.assertion, ClaimRow.quote)
    stale = session.execute(
        select(ClaimRow.id, words)
        .outerjoin(ClaimVectorRow, ClaimVectorRow.claim_id == ClaimRow.id)
        .where(ClaimRow.withdrawn_at.is_(None), ClaimRow.checkable.is_(True))
        .where(or_(ClaimVectorRow.claim_id.is_(None), ClaimVectorRow.words != words,
                   ClaimVectorRow.embedding != EMBEDDING))
        .order_by(ClaimRow.id)).all()
    for start in range(0, len(stale), BATCH):
        batch = stale[start:start + BATCH]
        vectors = embed([w for _, w in batch]).astype(np.float16)
        session.execute(delete(ClaimVectorRow).where(
            ClaimVectorRow.claim_id.in_([i for i, _ in batch])))
        session.execute(insert(ClaimVectorRow), [
            {"claim_id": i, "embedding": EMBEDDING, "words": w, "vector": v.tobytes()}
            for (i, w), v in zip(batch, vectors, strict=True)])
    return len(stale)


class Index:
    """The loaded vectors of one database, reloaded when the table changed."""

    def __init__(self) -> None:
        self._token: tuple[Any, ...] | None = None
        self._ids: list[int] = []
        self._vectors = np.zeros((0, DIMENSIONS), dtype=np.float32)

    def matcher(self, session: Session) -> Matcher:
        current = and_(ClaimVectorRow.claim_id == ClaimRow.id,
                       ClaimRow.withdrawn_at.is_(None), ClaimRow.checkable.is_(True),
                       ClaimVectorRow.embedding == EMBEDDING)
        connection = session.connection()  # Core rows: 100,000 of them load in 0.2 s
        # What changes when a vector is added, dropped or made anew from other words (one
        # table, no join: a claim withdrawn since is left out of the answers instead).
        token = tuple(connection.execute(
            select(func.count(), func.max(ClaimVectorRow.claim_id),
                   func.sum(ClaimVectorRow.claim_id),
                   func.sum(func.length(ClaimVectorRow.words)))
            .where(ClaimVectorRow.embedding == EMBEDDING)).one())
        if token != self._token:
            ids, blob = _load(connection, current)
            vectors = np.frombuffer(blob, dtype=np.float16)
            self._ids = ids
            self._vectors = vectors.reshape(len(ids), DIMENSIONS).astype(np.float32)
            self._token = token

        def words(ids: list[int]) -> dict[int, str]:
            if not ids:
                return {}
            rows = connection.execute(select(ClaimVectorRow.claim_id, ClaimVectorRow.words)
                                      .where(ClaimVectorRow.claim_id.in_(ids)))
            return {row[0]: row[1] for row in rows}
        return Matcher(self._ids, self._vectors, words)


def _load(connection: Connection, current: Any) -> tuple[list[int], bytes]:
    """Every current vector, as ids and one run of bytes. On PostgreSQL the rows come
    in psycopg's binary format: as text, bytea is hex, and 100,000 vectors read in 0.9 s
    instead of 0.26 s."""
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor(binary=True)  # type: ignore[union-attr]
        cursor.execute(
            "SELECT v.claim_id, v.vector FROM claim_vector v JOIN claim c ON c.id = v.claim_id"
            " WHERE c.withdrawn_at IS NULL AND c.checkable AND v.embedding = %s",
            (EMBEDDING,))
        rows = cursor.fetchall()
        cursor.close()
    else:
        rows = connection.execute(select(ClaimVectorRow.claim_id, ClaimVectorRow.vector)
                                  .join(ClaimRow, current)).all()
    return [r[0] for r in rows], b"".join(r[1] for r in rows)


def _described(session: Session, found: set[int]) -> dict[int, Match]:
    if not found:
        return {}
    rows = session.execute(
        select(ClaimRow.id, ClaimRow.key, ClaimRow.assertion, ClaimRow.quote,
               DocumentRow.key, DocumentRow.url)
        .join(DocumentRow, ClaimRow.document_id == DocumentRow.id)
        .where(ClaimRow.id.in_(found), ClaimRow.withdrawn_at.is_(None),
               ClaimRow.checkable.is_(True))).all()
    latest: dict[int, VerdictRow] = {}
    for row in session.scalars(select(VerdictRow).where(VerdictRow.claim_id.in_(found))
                               .order_by(VerdictRow.created_at, VerdictRow.id)):
        latest[row.claim_id] = row
    out = {}
    for claim_id, key, assertion, quote, document, url in rows:
        verdict = latest.get(claim_id)
        out[claim_id] = Match(f"{document}/{key}", assertion or quote, 0.0,
                              verdict.rating if verdict else None,
                              verdict.reviewed_on if verdict else None, url)
    return out


def match_text(session: Session, index: Index, text: str, *, limit: int = 5,
               every_sentence: bool = False) -> list[SentenceMatches]:
    """Each check-worthy sentence of ``text`` (every one with ``every_sentence``) with the
    claims of the table it repeats, closest first (``refresh_index`` first)."""
    sentences = [s for s in extract_claims(text)
                 if s.kind not in ("heading", "byline") and (every_sentence or s.check_worthy)]
    matcher = index.matcher(session)
    close = [matcher.closest(v) for v in embed([s.text for s in sentences])]
    words = matcher.words(sorted({i for pairs in close for i, _ in pairs}))
    found = [judge(s.text, pairs, words, limit=limit)
             for s, pairs in zip(sentences, close, strict=True)]
    described = _described(session, {c.claim_id for candidates in found for c in candidates})
    return [SentenceMatches(s, [replace(described[c.claim_id],
                                        similarity=c.comparison.similarity)
                                for c in candidates if c.claim_id in described])
            for s, candidates in zip(sentences, found, strict=True)]
