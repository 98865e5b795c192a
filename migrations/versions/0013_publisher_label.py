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


def upgrade() -> None:
    with op.batch_alter_table('verdict') as batch:
        batch.add_column(sa.Column('publisher_label', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verdict') as batch:
        batch.drop_column('publisher_label')
