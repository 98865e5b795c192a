"""Leases on due sources: claim, renew, release, and take over the leases of dead runs.

A run claims due sources a batch at a time by writing its worker name and a lease
deadline on them (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers never wait for
each other or take the same source). While a run lives it renews its leases and its
heartbeat; only the holder clears a lease, when it records the source or ends.

A run that died (``kill -9``, a power cut) is found out at once, not when its leases
lapse: on SQLite one job runs at a time (a lock file proves it), so any run still
marked ``running`` is dead; on PostgreSQL each run holds an advisory lock on its own
connection for as long as it lives, which the server releases when the process dies.
A run whose heartbeat stopped for ``DEAD_AFTER`` is dead too. Its leases are released
and the run is marked ``interrupted``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, text, update
from sqlalchemy.orm import Session

from factcheck.store.models import CheckRunRow, SourceRow
from factcheck.web.captures import Target

__all__ = ["DEAD_AFTER", "HEARTBEAT", "RunLock", "claim_due", "due_batch", "due_filter",
           "release", "renew", "take_over_dead_runs"]

#: How often a live run renews its leases and heartbeat.
HEARTBEAT = timedelta(seconds=60)
#: A run whose heartbeat is older than this is dead (five beats missed).
DEAD_AFTER = 5 * HEARTBEAT


def due_filter(now: datetime, all_sources: bool, started: datetime) -> Any:
    """Sources free to claim: not leased (or the lease lapsed), and due."""
    free = or_(SourceRow.lease_until.is_(None), SourceRow.lease_until < now) \
        & SourceRow.paused.is_(False)
    if all_sources:  # every source, once in this run
        return free & or_(SourceRow.last_checked_at.is_(None),
                          SourceRow.last_checked_at < started)
    return free & (SourceRow.next_check_at <= now)


def due_batch(now: datetime, *, all_sources: bool, started: datetime, limit: int) -> Any:
    """The next ``limit`` due sources, as the claim takes them: in due order, along one
    index (``ix_source_due``), skipping rows another worker holds locked."""
    return (select(SourceRow.id).where(due_filter(now, all_sources, started))
            .order_by(SourceRow.next_check_at, SourceRow.id)
            .limit(limit).with_for_update(skip_locked=True))


def claim_due(session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int,
              all_sources: bool, started: datetime) -> list[Target]:
    """Lease up to ``limit`` due sources to ``worker`` in one statement, and return them."""
    picked = due_batch(now, all_sources=all_sources, started=started, limit=limit)
    rows = session.execute(
        update(SourceRow).where(SourceRow.id.in_(picked.scalar_subquery()))
        .values(lease_owner=worker, lease_until=now + lease)
        .returning(SourceRow.id, SourceRow.url, SourceRow.etag, SourceRow.last_modified,
                   SourceRow.text_sha256, SourceRow.content_sha256))
    return [Target(*row) for row in rows]


def renew(session: Session, *, worker: str, run_id: int, now: datetime,
          lease: timedelta) -> int:
    """Extend the leases ``worker`` holds and beat the run's heartbeat; return how many."""
    result = session.execute(update(SourceRow).where(SourceRow.lease_owner == worker)
                             .values(lease_until=now + lease))
    renewed = getattr(result, "rowcount", 0)
    session.execute(update(CheckRunRow).where(CheckRunRow.id == run_id)
                    .values(heartbeat_at=now))
    return int(renewed or 0)


def release(session: Session, worker: str) -> None:
    """Let go of every lease ``worker`` holds."""
    session.execute(update(SourceRow).where(SourceRow.lease_owner == worker)
                    .values(lease_owner=None, lease_until=None))


def take_over_dead_runs(session: Session, *, now: datetime, sole_job: bool) -> list[int]:
    """Mark runs that died ``interrupted`` and release their leases; return their ids.

    ``sole_job``: the caller holds the one-job lock (SQLite), so every run still
    ``running`` is dead.
    """
    running = session.execute(select(CheckRunRow.id, CheckRunRow.worker,
                                     CheckRunRow.heartbeat_at)
                              .where(CheckRunRow.status == "running")).all()
    dead = [(run_id, worker) for run_id, worker, beat in running
            if sole_job or beat < now - DEAD_AFTER or _lock_is_free(session, run_id)]
    for run_id, worker in dead:
        session.execute(update(CheckRunRow).where(CheckRunRow.id == run_id).values(
            status="interrupted", finished_at=now,
            reason="stopped without finishing; a later run took its sources over"))
        release(session, worker)
    return [run_id for run_id, _ in dead]


# -- PostgreSQL: a lock that lives exactly as long as its run ------------------------------

_LOCK = "SELECT {fn}(hashtext(current_schema()), CAST(:run AS integer))"


def _lock_is_free(session: Session, run_id: int) -> bool:
    """On PostgreSQL, whether no live session holds ``run_id``'s lock (its run is dead)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if not session.scalar(text(_LOCK.format(fn="pg_try_advisory_lock")), {"run": run_id}):
        return False
    session.execute(text(_LOCK.format(fn="pg_advisory_unlock")), {"run": run_id})
    return True


@dataclass
class RunLock:
    """Held by a live run on PostgreSQL (its own connection); nothing elsewhere."""

    engine: Engine
    run_id: int
    _conn: Connection | None = field(default=None, repr=False)

    def __enter__(self) -> RunLock:
        return self.acquire()

    def acquire(self) -> RunLock:
        """Take the lock (once; a held lock is kept as it is)."""
        if self._conn is None and self.engine.dialect.name == "postgresql":
            self._conn = self.engine.connect()
            self._conn.execute(text(_LOCK.format(fn="pg_advisory_lock")), {"run": self.run_id})
            self._conn.commit()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text(_LOCK.format(fn="pg_advisory_unlock")),
                                   {"run": self.run_id})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
