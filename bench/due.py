"""The claim statement of the recheck at 100,000 and 1,000,000 sources.

For each size and database: fill ``source`` with due and not-yet-due rows (in SQL, so
filling is quick), ANALYZE, then time ``claim_due`` taking a batch of 100 (each in a
transaction rolled back, so every claim sees the same table), and show PostgreSQL's
plan. Run: ``python bench/due.py`` (``make bench`` does). PostgreSQL is
``$FACTCHECK_TEST_POSTGRES_URL`` or the local server; skipped if unreachable.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from factcheck import open_store
from factcheck.store.leases import claim_due, due_batch

SIZES = (100_000, 1_000_000)
POSTGRES = os.environ.get("FACTCHECK_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FILL = {
    "sqlite": """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
        INSERT INTO source (url, status, check_interval_seconds, consecutive_failures,
                            created_at, next_check_at)
        SELECT 'https://fixture-' || (i % 5000) || '.example/' || i, 'unchecked', 86400, 0,
               '2026-01-01 00:00:00.000000',
               strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || (i % 2880) || ' minutes')
        FROM n""",
    "postgresql": """
        INSERT INTO source (url, status, check_interval_seconds, consecutive_failures,
                            created_at, next_check_at)
        SELECT 'https://fixture-' || (i % 5000) || '.example/' || i, 'unchecked', 86400, 0,
               '2026-01-01', timestamptz '2026-01-01' + (i % 2880) * interval '1 minute'
        FROM generate_series(1, :count) i""",
}
#: Half the sources are due at this moment (the fill spreads them over two days).
NOW = datetime(2026, 1, 2, tzinfo=UTC)


def measure(url: URL | str, count: int) -> dict[str, object]:
    with open_store(url, migrate=True) as store:
        engine = store.engine
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(FILL[engine.dialect.name]), {"count": count})
            conn.execute(text("ANALYZE"))
        fill = time.perf_counter() - started
        timings = []
        for _ in range(20):
            with Session(engine) as session:
                t0 = time.perf_counter()
                taken = claim_due(session, worker="bench", now=NOW,
                                  lease=timedelta(minutes=15), limit=100, all_sources=False,
                                  started=NOW)
                timings.append(time.perf_counter() - t0)
                assert len(taken) == 100
                session.rollback()
        plan = None
        if engine.dialect.name == "postgresql":
            compiled = due_batch(NOW, all_sources=False, started=NOW, limit=100).compile(
                dialect=engine.dialect)
            with engine.connect() as conn:
                plan = [row[0] for row in conn.exec_driver_sql(
                    "EXPLAIN ANALYZE " + str(compiled), compiled.params)]
    return {"database": make_url(str(url)).get_backend_name(), "sources": count,
            "fill_s": round(fill, 1), "claim_ms_median": round(statistics.median(timings) * 1e3, 2),
            "claim_ms_max": round(max(timings) * 1e3, 2), "plan": plan}


def postgres_schema() -> tuple[URL, object] | None:
    admin = create_engine(POSTGRES)
    try:
        with admin.begin() as conn:
            schema = f"fc_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(text(f'create schema "{schema}"'))
    except Exception as exc:  # a benchmark says what it skipped
        print(f"PostgreSQL skipped: {exc.__class__.__name__}", file=sys.stderr)
        return None
    url = make_url(POSTGRES).update_query_dict({"options": f"-csearch_path={schema}"})
    return url, (admin, schema)


def main() -> None:
    results = []
    for count in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            results.append(measure(f"sqlite:///{Path(folder) / 'due.db'}", count))
        made = postgres_schema()
        if made is not None:
            url, (admin, schema) = made  # type: ignore[misc]
            try:
                results.append(measure(url, count))
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'drop schema "{schema}" cascade'))
                admin.dispose()
    print("| database | sources | fill | claim of 100 (median) | (max) |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['database']} | {r['sources']:,} | {r['fill_s']} s | "
              f"{r['claim_ms_median']} ms | {r['claim_ms_max']} ms |")
    for r in results:
        if r["plan"]:
            print(f"\nPostgreSQL plan at {r['sources']:,} sources:")
            print("\n".join(f"    {line}" for line in r["plan"]))  # type: ignore[union-attr]
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "due.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
