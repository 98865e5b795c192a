"""verdicts are append-only in the database itself: triggers refuse UPDATE and DELETE

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

The ORM already refuses to change or delete a verdict; these triggers make the rule
hold for every client: plain SQL, bulk updates, another program. A correction is a new
verdict, and the history keeps the old one.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "verdicts are append-only: record a new verdict instead"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION factcheck_verdict_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$""")
        op.execute("""
            CREATE TRIGGER verdict_append_only BEFORE UPDATE OR DELETE ON verdict
            FOR EACH ROW EXECUTE FUNCTION factcheck_verdict_append_only()""")
        op.execute("""
            CREATE TRIGGER verdict_no_truncate BEFORE TRUNCATE ON verdict
            FOR EACH STATEMENT EXECUTE FUNCTION factcheck_verdict_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER verdict_no_{action.lower()} BEFORE {action} ON verdict
                BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({action} refused)'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER verdict_no_truncate ON verdict")
        op.execute("DROP TRIGGER verdict_append_only ON verdict")
        op.execute("DROP FUNCTION factcheck_verdict_append_only()")
    else:
        op.execute("DROP TRIGGER verdict_no_update")
        op.execute("DROP TRIGGER verdict_no_delete")
