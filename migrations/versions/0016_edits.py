"""the desk's edits of what a fact-check is made of, kept with who and when

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

A claim's summary, a document's conclusion, an evidence link's passage and stance, a
link added: each change is a row, never updated or deleted, as verdicts are.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'edit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('editor', sa.String(length=100), nullable=False),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('evidence_id', sa.Integer(), nullable=True),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_edit_document_id_document'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name=op.f('fk_edit_claim_id_claim'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'],
                                name=op.f('fk_edit_evidence_id_evidence'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_edit')))
    op.create_index(op.f('ix_edit_document_id'), 'edit', ['document_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_edit_document_id'), table_name='edit')
    op.drop_table('edit')
