"""Reviewers of the desk: their names, passwords (argon2 hashes) and signed-in sessions."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from factcheck.errors import ConfigError
from factcheck.store.models import DeskSessionRow, ReviewerRow, utcnow

__all__ = ["Reviewers"]


@functools.cache
def _DUMMY_HASH() -> str:
    from argon2 import PasswordHasher
    return PasswordHasher().hash("not a password anyone has")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Reviewers:
    """The store's reviewers and desk sessions (a part of :class:`~factcheck.store.Database`)."""

    _session: sessionmaker[Session]

    def add_reviewer(self, name: str, password: str) -> None:
        """Add a reviewer who can sign in to the desk, or set a reviewer's password."""
        from argon2 import PasswordHasher

        name = name.strip()
        if not re.fullmatch(r"[\w.@-]{1,100}", name):
            raise ConfigError("a reviewer name is 1-100 letters, digits, '.', '@', '_' or '-'")
        if len(password) < 8:
            raise ConfigError("a password needs at least 8 characters")
        hashed = PasswordHasher().hash(password)
        with self._session.begin() as session:
            row = session.scalars(select(ReviewerRow).where(ReviewerRow.name == name)).first()
            if row is None:
                session.add(ReviewerRow(name=name, password_hash=hashed))
            else:
                row.password_hash = hashed
                # A new password ends every session signed in with the old one.
                session.execute(update(DeskSessionRow)
                                .where(DeskSessionRow.reviewer_id == row.id,
                                       DeskSessionRow.revoked_at.is_(None))
                                .values(revoked_at=utcnow()))

    def reviewers(self) -> list[str]:
        with self._session() as session:
            return list(session.scalars(select(ReviewerRow.name).order_by(ReviewerRow.name)))

    def check_password(self, name: str, password: str) -> bool:
        """Whether ``password`` is ``name``'s (the same work whether the name exists or
        not, so that timing does not tell which names do)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import Argon2Error

        hashed = None
        if "\x00" not in name and len(name) <= 100:  # no such name: the same work below
            with self._session() as session:
                hashed = session.scalar(select(ReviewerRow.password_hash)
                                        .where(ReviewerRow.name == name))
        hasher = PasswordHasher()
        try:
            hasher.verify(hashed or _DUMMY_HASH(), password)
        except Argon2Error:
            return False
        return hashed is not None

    def add_session(self, name: str, lifetime: timedelta = timedelta(hours=12)) -> str:
        """Sign ``name`` in to the desk: a new random token, whose hash is kept."""
        token = secrets.token_urlsafe(32)
        with self._session.begin() as session:
            reviewer = session.scalars(select(ReviewerRow).where(ReviewerRow.name == name)
                                       ).one()
            now = utcnow()
            session.add(DeskSessionRow(token_sha256=_token_hash(token),
                                       reviewer_id=reviewer.id, created_at=now,
                                       expires_at=now + lifetime))
        return token

    def session_user(self, token: str) -> str | None:
        """Who holds the desk session ``token``, if it is live (not signed out, not
        ended by a new password, not expired)."""
        if not token or len(token) > 200:
            return None
        with self._session() as session:
            return session.scalar(
                select(ReviewerRow.name).join(DeskSessionRow,
                                              DeskSessionRow.reviewer_id == ReviewerRow.id)
                .where(DeskSessionRow.token_sha256 == _token_hash(token),
                       DeskSessionRow.revoked_at.is_(None),
                       DeskSessionRow.expires_at > utcnow()))

    def end_session(self, token: str) -> None:
        """Sign out: the session ``token`` no longer works, whoever holds a copy."""
        with self._session.begin() as session:
            session.execute(update(DeskSessionRow)
                            .where(DeskSessionRow.token_sha256 == _token_hash(token),
                                   DeskSessionRow.revoked_at.is_(None))
                            .values(revoked_at=utcnow()))
