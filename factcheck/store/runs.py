"""The recheck's log: its runs, what changed in them, and when the next source is due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from factcheck.errors import NotFound
from factcheck.store.models import ChangeEventRow, CheckRunRow, ClaimRow, DocumentRow, SourceRow

__all__ = ["RunLog"]


class RunLog:
    """The runs and their change events (a part of :class:`~factcheck.store.Database`)."""

    _session: sessionmaker[Session]

    def next_due(self) -> datetime | None:
        """When the next source falls due (``None``: no sources)."""
        with self._session() as session:
            due = session.scalar(select(func.min(SourceRow.next_check_at)))
        return due

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest recheck runs, newest first."""
        with self._session() as session:
            rows = session.scalars(select(CheckRunRow).order_by(CheckRunRow.id.desc())
                                   .limit(limit))
            return [{"run": r.id, "worker": r.worker, "status": r.status, "reason": r.reason,
                     "started_at": r.started_at, "finished_at": r.finished_at,
                     "checked": r.checked, "states": r.counts, "errors": r.errors,
                     "review_count": r.needs_review, "phases": r.phases} for r in rows]

    def changes(self, run: int | None = None, *,
                since: datetime | None = None) -> list[dict[str, Any]]:
        """What changed in a run (the latest finished one by default), or in every run
        since a moment: every event.

        A run id that does not exist is :class:`NotFound`, naming the latest runs."""
        with self._session() as session:
            if since is not None:
                return self._events(session, ChangeEventRow.at >= since)
            if run is None:
                run = session.scalar(select(func.max(CheckRunRow.id)).where(
                    CheckRunRow.status == "finished"))
            elif session.get(CheckRunRow, run) is None:
                latest = list(session.scalars(select(CheckRunRow.id)
                                              .order_by(CheckRunRow.id.desc()).limit(5)))
                raise NotFound(f"no run {run}" + (
                    f"; the latest are {', '.join(map(str, latest))} (factcheck runs)"
                    if latest else "; no recheck has run yet"))
            if run is None:
                return []
            return self._events(session, ChangeEventRow.run_id == run)

    @staticmethod
    def _events(session: Session, where: Any) -> list[dict[str, Any]]:
        rows = session.execute(
            select(ChangeEventRow, SourceRow.url, ClaimRow.key, DocumentRow.key)
            .outerjoin(SourceRow, SourceRow.id == ChangeEventRow.source_id)
            .outerjoin(ClaimRow, ClaimRow.id == ChangeEventRow.claim_id)
            .outerjoin(DocumentRow, DocumentRow.id == ClaimRow.document_id)
            .where(where).order_by(ChangeEventRow.id))
        return [{"run": e.run_id, "at": e.at, "subject": e.subject, "source": url,
                 "claim": f"{doc}/{key}" if key else None, "before": e.before,
                 "after": e.after, "reason": e.reason} for e, url, key, doc in rows]
