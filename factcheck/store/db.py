"""Engines and migrations: where the database is, and bringing it to the newest schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from factcheck.errors import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["DEFAULT_DATABASE_URL", "SCHEMA_HEAD", "alembic_config", "database_url", "insert_new",
           "make_engine", "migrate", "migrations_path", "safe_url"]

DEFAULT_DATABASE_URL = "sqlite:///factcheck.db"
ENV_DATABASE_URL = "FACTCHECK_DATABASE_URL"
#: The newest migration's revision: what every command expects the database to be at.
#: Written here so that opening a store reads one row instead of importing alembic and
#: every migration script; a test checks it against the scripts' own head.
SCHEMA_HEAD = "0017"


def database_url(given: str | os.PathLike[str] | None = None) -> URL:
    """The database to use: ``given``, else ``$FACTCHECK_DATABASE_URL``, else ``factcheck.db``.

    A bare path means a SQLite file. ``postgresql://`` and ``postgres://`` URLs use the
    psycopg 3 driver (the ``postgres`` extra).
    """
    text = os.fspath(given) if given else (os.environ.get(ENV_DATABASE_URL)
                                           or DEFAULT_DATABASE_URL)
    if "://" not in text:
        text = f"sqlite:///{text}"
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise ConfigError(f"not a database URL: {safe_text(text)}") from exc
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def safe_text(text: str) -> str:
    """A URL-ish string with any password masked, fit for messages and logs."""
    try:
        return safe_url(make_url(text))
    except ArgumentError:
        return "<unparseable URL>"


def safe_url(url: URL) -> str:
    """The URL with its password masked."""
    return url.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: URL | str | os.PathLike[str], **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout."""
    url = url if isinstance(url, URL) else database_url(url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if database not in ("", ":memory:"):
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"no driver for {url.drivername}: install 'factcheck-tracker[postgres]'") from exc


def migrations_path() -> Path:
    """The alembic scripts: inside the installed package, else at the top of the checkout."""
    packaged = Path(__file__).resolve().parent.parent / "migrations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """An alembic configuration for the packaged migrations, bound to ``engine``."""
    from alembic.config import Config  # only migrating needs alembic

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest schema by default)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def insert_new(session: Session, model: Any, rows: list[dict[str, Any]],
               chunk: int = 2000) -> None:
    """Insert ``rows``, skipping any that would break a unique constraint (a concurrent
    writer's row, or one already there), a chunk per statement."""
    dialect = session.get_bind().dialect.name
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        if dialect == "postgresql":
            session.execute(postgresql_insert(model).on_conflict_do_nothing(), part)
        elif dialect == "sqlite":
            session.execute(sqlite_insert(model).on_conflict_do_nothing(), part)
        else:  # pragma: no cover - the two supported databases are above
            session.execute(insert(model), part)
