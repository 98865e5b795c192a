"""public archives: each evidence link's archived copy and whether the passage stands
there; each source's cached TimeMap and its Save Page Now request

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_url', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archive_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('archive_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('archive_checked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timemap', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('timemap_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archive_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archive_request', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('archive_request')
        batch_op.drop_column('archive_requested_at')
        batch_op.drop_column('timemap_at')
        batch_op.drop_column('timemap')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('archive_checked_at')
        batch_op.drop_column('archive_reason')
        batch_op.drop_column('archive_status')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('archived_url')
