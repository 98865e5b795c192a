"""who made a claim (for ClaimReview's itemReviewed.author), and when a document's
conclusion was last written (a verdict changed since flags it for review)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claim') as batch:
        batch.add_column(sa.Column('claimant', sa.Text(), nullable=True))
        batch.add_column(sa.Column('claimant_url', sa.Text(), nullable=True))
    with op.batch_alter_table('document') as batch:
        batch.add_column(sa.Column('summary_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('document') as batch:
        batch.drop_column('summary_at')
    with op.batch_alter_table('claim') as batch:
        batch.drop_column('claimant_url')
        batch.drop_column('claimant')
