"""history that stays flat: one snapshot row per run of identical checks; the due index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

- ``snapshot.last_seen_at`` and ``snapshot.times_seen``: a check that saw what the
  source's latest snapshot saw (a 304, the same bytes, the same failure) updates that
  row instead of adding one. Existing history is compacted the same way: consecutive
  identical snapshots of a source become one, and evidence that pointed at a removed row
  points at the one that stands for it.
- ``source.next_check_at`` is NOT NULL (a source never checked is due since 1970), and
  one index on (next_check_at, id) serves the claim query's WHERE and ORDER BY.
"""
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER = datetime(1970, 1, 1, tzinfo=UTC)
GOOD = ("fetched", "unchanged")


def _same(kept: Any, row: Any) -> bool:
    """Whether ``row`` saw what ``kept`` saw (the rule the recorder uses)."""
    if row.outcome == "unchanged":
        return kept.outcome in GOOD
    if row.outcome == "fetched":
        return kept.outcome in GOOD and row.content_sha256 is not None \
            and row.content_sha256 == kept.content_sha256
    return (row.outcome, row.http_status, row.error_class) == \
        (kept.outcome, kept.http_status, kept.error_class)


def _compact(conn: sa.Connection) -> None:
    sources = conn.execute(sa.text("SELECT DISTINCT source_id FROM snapshot")).scalars().all()
    for source_id in sources:
        rows = conn.execute(sa.text(
            "SELECT id, outcome, http_status, error_class, content_sha256, fetched_at "
            "FROM snapshot WHERE source_id = :s ORDER BY id"), {"s": source_id}).all()
        kept = rows[0]
        seen = {kept.id: (kept.fetched_at, 1)}
        removed: list[dict[str, int]] = []
        for row in rows[1:]:
            if _same(kept, row):
                seen[kept.id] = (row.fetched_at, seen[kept.id][1] + 1)
                removed.append({"old": row.id, "new": kept.id})
            else:
                kept = row
                seen[kept.id] = (kept.fetched_at, 1)
        if removed:
            for table in ("evidence", "evidence_check"):
                conn.execute(sa.text(f"UPDATE {table} SET snapshot_id = :new "
                                     "WHERE snapshot_id = :old"), removed)
            conn.execute(sa.text("DELETE FROM snapshot WHERE id = :old"), removed)
        conn.execute(sa.text("UPDATE snapshot SET last_seen_at = :last, times_seen = :n "
                             "WHERE id = :id"),
                     [{"id": i, "last": last, "n": n} for i, (last, n) in seen.items()])


def upgrade() -> None:
    with op.batch_alter_table('snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('times_seen', sa.Integer(), nullable=False,
                                      server_default='1'))
    _compact(op.get_bind())
    conn = op.get_bind()
    never = NEVER.replace(tzinfo=None) if conn.dialect.name == "sqlite" else NEVER
    conn.execute(sa.text("UPDATE source SET next_check_at = :never WHERE next_check_at IS NULL")
                 .bindparams(sa.bindparam("never", type_=sa.DateTime(timezone=True))),
                 {"never": never})
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index('ix_source_next_check_at')
        batch_op.alter_column('next_check_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_index('ix_source_due', ['next_check_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index('ix_source_due')
        batch_op.alter_column('next_check_at', existing_type=sa.DateTime(timezone=True),
                              nullable=True)
        batch_op.create_index('ix_source_next_check_at', ['next_check_at'], unique=False)
    with op.batch_alter_table('snapshot', schema=None) as batch_op:
        batch_op.drop_column('times_seen')
        batch_op.drop_column('last_seen_at')
