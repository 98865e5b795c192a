"""evidence checks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evidence_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('similarity', sa.Double(), nullable=True),
    sa.Column('found_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_check_evidence_id_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['snapshot_id'], ['snapshot.id'], name=op.f('fk_evidence_check_snapshot_id_snapshot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_check'))
    )
    with op.batch_alter_table('evidence_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_check_evidence_id'), ['evidence_id', 'checked_at'], unique=False)

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('selector', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('found_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('similarity', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('diff', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evidence_snapshot_id_snapshot'), 'snapshot', ['snapshot_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_snapshot_id_snapshot'), type_='foreignkey')
        batch_op.drop_column('snapshot_id')
        batch_op.drop_column('diff')
        batch_op.drop_column('similarity')
        batch_op.drop_column('found_text')
        batch_op.drop_column('selector')

    with op.batch_alter_table('evidence_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_check_evidence_id'))

    op.drop_table('evidence_check')
