"""recheck runs, change events, source states, verdict basis

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('needs_review', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_run'))
    )
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_run_status'), ['status'], unique=False)

    op.create_table('change_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.String(length=40), nullable=True),
    sa.Column('after', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_change_event_claim_id_claim')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_change_event_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['run_id'], ['check_run.id'], name=op.f('fk_change_event_run_id_check_run')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_change_event_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_event'))
    )
    with op.batch_alter_table('change_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_event_run_id'), ['run_id', 'id'], unique=False)

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('state_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moved_to', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('canonical_url', sa.Text(), nullable=True))

    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verdict', schema=None) as batch_op:
        batch_op.drop_column('basis')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('canonical_url')
        batch_op.drop_column('moved_to')
        batch_op.drop_column('failing_since')
        batch_op.drop_column('state_changed_at')
        batch_op.drop_column('state_reason')
        batch_op.drop_column('state')

    with op.batch_alter_table('change_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_event_run_id'))
        batch_op.drop_index(batch_op.f('ix_change_event_at'))

    op.drop_table('change_event')
    with op.batch_alter_table('check_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_run_status'))

    op.drop_table('check_run')
