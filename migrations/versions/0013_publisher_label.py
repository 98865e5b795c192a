"""a verdict keeps the publisher's own label, verbatim (imported fact-checks)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "verdicts are append-only: record a new verdict instead"


def upgrade() -> None:
    with op.batch_alter_table('verdict') as batch:
        batch.add_column(sa.Column('publisher_label', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verdict') as batch:
        batch.drop_column('publisher_label')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column by copying the table, and the copy has no triggers:
        # the append-only rule of 0005 is put back.
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER verdict_no_{action.lower()} BEFORE {action} ON verdict
                BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({action} refused)'); END""")
