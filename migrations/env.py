"""Alembic environment for factcheck.

The engine comes from ``config.attributes["engine"]`` when factcheck runs the
migrations itself (``factcheck init``, ``Store.migrate``); from the command line
(``alembic upgrade head``, ``alembic check``) it comes from ``--db``-style
resolution: ``-x db=URL``, else ``$FACTCHECK_DATABASE_URL``, else ``factcheck.db``.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Engine

from factcheck.store.db import database_url, make_engine
from factcheck.store.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not import factcheck's models: render our column types as
    # the plain SQLAlchemy types they store as.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    return make_engine(database_url(context.get_x_argument(as_dictionary=True).get("db")))


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(context.get_x_argument(as_dictionary=True).get("db")),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild tables; SQLite would enforce foreign keys
            # half-way through. The pragma only takes effect outside a transaction.
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
