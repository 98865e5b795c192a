"""History that stays flat over years of nightly runs, and a due query that stays fast.

- An unchanged night (304s, or the same bytes from servers that send no validators)
  adds under 64 bytes per source to the database (SQLite, after VACUUM) and to the
  WARC files, while the snapshot history still says when each source was last seen.
- Migration 0007 compacts history written before it, keeping evidence pointed at the
  row that now stands for its snapshot.
- On PostgreSQL the claim query walks ``ix_source_due`` and sorts nothing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from factcheck import Store, open_store
from factcheck.fixtureweb import FixtureHost, Route, page
from factcheck.store.db import alembic_config, migrate
from factcheck.store.leases import due_batch
from factcheck.store.models import EvidenceRow, SnapshotRow, SourceRow
from factcheck.tracking.recheck import RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
LOOPBACK = AddressPolicy.allowing("127.0.0.1/32")
ARTICLE = page("article.html")
#: The target of issue #11: bytes added per source by one unchanged nightly run.
MAX_GROWTH_PER_SOURCE = 64


def options(archive: Path, **overrides: object) -> RecheckOptions:
    base: dict[str, object] = {
        "settings": FetchSettings(min_interval=0.0, retries=0, total_timeout=5.0,
                                  addresses=LOOPBACK),
        "archive_dir": archive, "readers": 0, "all_sources": True}
    return RecheckOptions(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def web(fixture_hosts: Callable[[int], list[FixtureHost]]) -> list[FixtureHost]:
    hosts = fixture_hosts(4)
    for i, host in enumerate(hosts):
        # Half the hosts answer conditional requests with 304; half send no validators,
        # so every night brings the same bytes again.
        for n in range(100):  # a real 404 for anything else, so no soft-404 at baseline
            host.routes[f"/story/{n}"] = Route(body=ARTICLE, validators=i % 2 == 0)
    return hosts


def _size(db: Path, store: Store) -> int:
    with store.engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.stat().st_size


def _warc_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.glob("*.warc.gz")) if folder.exists() else 0


def test_an_unchanged_night_adds_under_64_bytes_per_source(tmp_path: Path,
                                                           web: list[FixtureHost]) -> None:
    db, archive = tmp_path / "flat.db", tmp_path / "warc"
    urls = [host.url(f"/story/{n}") for host in web for n in range(100)]
    with open_store(f"sqlite:///{db}", migrate=True) as store:
        store.add_sources(urls)
        first = store.recheck(options(archive), clock=lambda: T0)
        assert first.status == "finished" and first.checked == len(urls)
        store.recheck(options(archive), clock=lambda: T0 + timedelta(days=1))
        before, warc_before = _size(db, store), _warc_bytes(archive)
        nights = 3
        for night in range(2, 2 + nights):
            summary = store.recheck(options(archive),
                                    clock=lambda n=night: T0 + timedelta(days=n))  # type: ignore[misc]
            assert summary.checked == len(urls)
            assert summary.states == {"unchanged": len(urls)}
        growth = (_size(db, store) - before) / nights / len(urls)
        warc_growth = (_warc_bytes(archive) - warc_before) / nights / len(urls)
        print(f"\nper source and unchanged night: database {growth:.1f} B, "
              f"WARC {warc_growth:.1f} B")
        assert growth < MAX_GROWTH_PER_SOURCE
        assert warc_growth < MAX_GROWTH_PER_SOURCE
        # History still says when each source was last seen, and what it said then.
        one = store.snapshots(urls[0])
        assert [(s.outcome, s.times_seen) for s in one] == [("fetched", 5)]
        assert one[0].last_seen_at is not None and one[0].last_seen_at > one[0].fetched_at
        assert store.latest_text(urls[-1]) is not None


def test_a_changed_page_still_gets_a_row_of_its_own(tmp_path: Path) -> None:
    host = FixtureHost()
    host.routes["/page"] = Route(body=ARTICLE, validators=False)
    try:
        with open_store(f"sqlite:///{tmp_path / 'changed.db'}", migrate=True) as store:
            store.add_sources([host.url("/page")])
            store.recheck(options(tmp_path / "warc"), clock=lambda: T0)
            store.recheck(options(tmp_path / "warc"), clock=lambda: T0 + timedelta(days=1))
            host.routes["/page"] = Route(body=ARTICLE.replace(b"6,821.9", b"6,900.0"),
                                         validators=False)
            changed = store.recheck(options(tmp_path / "warc"),
                                    clock=lambda: T0 + timedelta(days=2))
            assert changed.states == {"changed": 1}
            host.routes["/page"] = Route(status=503, body=b"down", validators=False)
            for day in (3, 4):
                store.recheck(options(tmp_path / "warc"),
                              clock=lambda d=day: T0 + timedelta(days=d))  # type: ignore[misc]
            history = store.snapshots(host.url("/page"))
    finally:
        host.close()
    assert [(s.outcome, s.times_seen) for s in history] == [
        ("fetched", 2), ("fetched", 1), ("http-error", 2)]


# -- migration 0007 compacts what came before --------------------------------------------

SEED = textwrap.dedent("""
    document: {key: doc, text_file: article.txt}
    claims:
      - key: one
        quote: "A fixture sentence."
        kind: event
        verdict: {rating: "true", rationale: "A fixture rationale, long enough to pass."}
        evidence:
          - {url: "URL", quote: "Fixture passage", stance: supports}
    """)


def test_migration_0007_compacts_history_and_keeps_evidence_pointed(
        db_url: URL, tmp_path: Path) -> None:
    host = FixtureHost()
    host.routes["/page"] = Route(body=b"<html><body><p>Fixture passage here.</p></body></html>")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "article.txt").write_text("A fixture sentence.", encoding="utf-8")
    (seeds / "seed.yaml").write_text(SEED.replace("URL", host.url("/page")), encoding="utf-8")
    try:
        with open_store(db_url, migrate=True) as store:
            store.load_seeds(seeds)
            store.recheck(options(tmp_path / "warc"), clock=lambda: T0)
            engine = store.engine
            command.downgrade(alembic_config(engine), "0006")
            sqlite = engine.dialect.name == "sqlite"
            with engine.begin() as conn:
                snapshot = Table("snapshot", MetaData(), autoload_with=conn)
                first = conn.execute(select(snapshot)).one()._asdict()

                def copy(day: int, **changes: object) -> int:
                    at = T0 + timedelta(days=day)
                    row = {**first, "fetched_at": at.replace(tzinfo=None) if sqlite else at,
                           **changes}
                    del row["id"]
                    inserted = conn.execute(snapshot.insert().values(**row))
                    return int(inserted.inserted_primary_key[0])

                copy(1, outcome="unchanged", content_sha256=None)
                pointed = copy(2, outcome="unchanged", content_sha256=None)
                copy(3, outcome="http-error", http_status=404, text_blob=None)
                copy(4, outcome="http-error", http_status=404, text_blob=None)
                copy(5, content_sha256="f" * 64)
                conn.execute(text("UPDATE evidence SET snapshot_id = :p"), {"p": pointed})
            migrate(engine)
            with Session(engine) as s:
                rows = s.execute(select(SnapshotRow.id, SnapshotRow.outcome,
                                        SnapshotRow.times_seen, SnapshotRow.last_seen_at)
                                 .order_by(SnapshotRow.id)).all()
                evidence_snapshot = s.scalar(select(EvidenceRow.snapshot_id))
                never_checked = s.scalar(select(func.count()).select_from(SourceRow).where(
                    SourceRow.next_check_at.is_(None)))
    finally:
        host.close()
    assert [(outcome, n) for _, outcome, n, _ in rows] == [
        ("fetched", 3), ("http-error", 2), ("fetched", 1)]
    assert rows[0][3] == T0 + timedelta(days=2)  # last seen: the last merged check
    assert evidence_snapshot == rows[0][0]  # pointed at the row that stands for its check
    assert never_checked == 0


# -- the due query ----------------------------------------------------------------------------

@pytest.mark.postgres
def test_the_claim_query_walks_the_due_index_on_postgresql(postgres_url: URL) -> None:
    with open_store(postgres_url, migrate=True) as store, store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO source (url, status, check_interval_seconds, "
            "consecutive_failures, created_at, next_check_at) "
            "SELECT 'https://fixture.example/' || n, 'unchecked', 86400, 0, now(), "
            "now() - (n % 1000) * interval '1 minute' FROM generate_series(1, 50000) n"))
        conn.execute(text("ANALYZE source"))
        now = datetime.now(UTC)
        compiled = due_batch(now, all_sources=False, started=now, limit=100).compile(
            dialect=store.engine.dialect)
        plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + str(compiled),
                                              compiled.params).scalars())
    assert "ix_source_due" in plan, plan
    assert "Sort" not in plan, plan
