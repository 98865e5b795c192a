"""Migrations: up, down and up again on both databases; models and migrations agree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from factcheck import open_store
from factcheck.errors import ConfigError
from factcheck.store.db import SCHEMA_HEAD, alembic_config, make_engine, migrate
from factcheck.store.models import Base

from .conftest import ROOT

TABLES = set(Base.metadata.tables)
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_schema_head_is_the_newest_migration() -> None:
    """Opening a store compares the database with SCHEMA_HEAD, not with the scripts: a new
    migration must move it too."""
    assert SCHEMA_HEAD == HEAD


def test_a_database_behind_the_newest_schema_is_refused_until_migrated(db_url: URL) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine, "0010")
    finally:
        engine.dispose()
    with pytest.raises(ConfigError, match=f"at schema revision 0010, not {HEAD}"):
        open_store(db_url)
    with open_store(db_url, migrate=True) as store:
        assert store.schema_revision() == HEAD


def test_a_database_without_the_schema_is_refused(db_url: URL) -> None:
    if db_url.get_backend_name() == "sqlite":
        Path(db_url.database or "").touch()  # a file there, but no tables
    with pytest.raises(ConfigError, match="has no factcheck schema"):
        open_store(db_url)


def test_upgrade_downgrade_upgrade(db_url: URL) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
        command.downgrade(alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url: URL) -> None:
    """`alembic check`: autogenerate finds nothing to do after upgrading to head."""
    engine = make_engine(db_url)
    try:
        migrate(engine)
        command.check(alembic_config(engine))
    finally:
        engine.dispose()


def test_every_constraint_and_index_has_a_stable_name() -> None:
    for table in Base.metadata.tables.values():
        for item in [*table.constraints, *table.indexes]:
            assert item.name, f"{table.name}: unnamed {type(item).__name__}"


def test_the_alembic_command_line_works_in_a_checkout(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    alembic = Path(sys.executable).with_name("alembic")
    for args in (["upgrade", "head"], ["check"], ["current"]):
        done = subprocess.run([str(alembic), "-x", f"db={db}", *args], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    assert f"{HEAD} (head)" in done.stdout


def test_init_works_from_an_installed_wheel(tmp_path: Path) -> None:
    """The wheel carries the migrations, so `factcheck init` needs no checkout."""
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (dev extra)")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("factcheck_tracker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "factcheck/migrations/env.py" in names
    for script in (ROOT / "migrations" / "versions").glob("*.py"):
        assert f"factcheck/migrations/versions/{script.name}" in names
    assert "factcheck/py.typed" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "FACTCHECK_DATABASE_URL": "wheel.db"}
    done = subprocess.run(
        [sys.executable, "-c",
         "import factcheck.store.db as db; print(db.migrations_path()); "
         "from factcheck.cli import main; main()", "init"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(site / "factcheck" / "migrations")
    assert f"schema revision {HEAD}" in done.stdout
    assert (elsewhere / "wheel.db").exists()
