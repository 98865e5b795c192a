"""desk sessions kept on the server (revoked at sign-out and on a password change);
SQLite refuses INSERT OR REPLACE over a verdict

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

A REPLACE deletes the old row without firing a DELETE trigger, so on SQLite the
append-only rule needs one more trigger: an INSERT whose id is taken is refused.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "verdicts are append-only: record a new verdict instead"


def upgrade() -> None:
    op.create_table(
        'desk_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['reviewer_id'], ['reviewer.id'],
                                name=op.f('fk_desk_session_reviewer_id_reviewer'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_session')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_desk_session_token_sha256')))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"""
            CREATE TRIGGER verdict_no_replace BEFORE INSERT ON verdict
            WHEN EXISTS (SELECT 1 FROM verdict WHERE id = NEW.id)
            BEGIN SELECT RAISE(ABORT, '{MESSAGE} (REPLACE refused)'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER verdict_no_replace")
    op.drop_table('desk_session')
