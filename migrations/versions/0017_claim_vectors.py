"""each claim's vector, for finding the claims a new sentence repeats

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

One row per claim: the words that were embedded, by which embedding, and the unit
vector (float16 bytes). A claim whose words changed, or a new embedding, is embedded
again on the next match; a deleted claim takes its row with it.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'claim_vector',
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('embedding', sa.String(length=60), nullable=False),
        sa.Column('words', sa.Text(), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claim.id'],
                                name=op.f('fk_claim_vector_claim_id_claim'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_claim_vector')))


def downgrade() -> None:
    op.drop_table('claim_vector')
