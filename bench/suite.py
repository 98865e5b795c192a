"""The benchmark suite (make bench): how fast, how big, against what people use instead.

    .venv/bin/python bench/suite.py [--quick] [--skip-scale] [--postgres URL]

1. Recheck throughput on a loopback web (one port per host, a set latency), end to
   end, against its politeness limit; beside it, a sequential requests +
   BeautifulSoup loop and a 5-thread pool of the same (changedetection.io's default).
2. The unchanged rerun: bytes and time, thanks to conditional requests.
3. CPU per page: our extraction against trafilatura's extract alone, 50-500 KB pages.
4. Scale: 100,000 sources on SQLite and on PostgreSQL, each in its own process:
   seeding, due selection, a full recheck answered by 304s, peak RSS, growth per run.
5. Reports for 10,000 claims, in every format.
(Anchoring: bench/anchoring.py.) Prints tables; writes bench/results/suite.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck import RecheckOptions, open_store  # noqa: E402
from factcheck.fixtureweb import FixtureHost, Route  # noqa: E402
from factcheck.web.fetcher import FetchSettings  # noqa: E402
from factcheck.web.safety import AddressPolicy  # noqa: E402

ARTICLE = (ROOT / "tests" / "fixtures" / "pages" / "article.html").read_bytes()
RESULTS: dict[str, Any] = {"machine": "2 cores"}


def options(**overrides: Any) -> RecheckOptions:
    settings = overrides.pop("settings", None) or FetchSettings(
        min_interval=0.0, retries=0, respect_robots=False,
        addresses=AddressPolicy.allowing("127.0.0.1/32"))
    base: dict[str, Any] = {"settings": settings, "archive_dir": None, "readers": 1}
    return RecheckOptions(**{**base, **overrides})


# -- a loopback web in its own process ---------------------------------------------

def _serve(hosts: int, latency: float, conn: Any) -> None:
    web = [FixtureHost() for _ in range(hosts)]
    for h in web:
        h.routes["*"] = Route(body=ARTICLE, delay=latency)
    conn.send([h.port for h in web])
    while (message := conn.recv()) != "stop":
        if message == "stats":
            conn.send({"max_in_flight": max(h.max_in_flight for h in web),
                       "bytes": sum(h.bytes_sent for h in web),
                       "requests": sum(sum(h.hits.values()) for h in web)})
            for h in web:
                h.max_in_flight = 0
                h.bytes_sent = 0
                h.hits.clear()


class Web:
    def __init__(self, hosts: int, latency: float) -> None:
        self.conn, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_serve, args=(hosts, latency, theirs),
                                               daemon=True)
        self.process.start()
        self.ports: list[int] = self.conn.recv()

    def urls(self, n: int) -> list[str]:
        return [f"http://127.0.0.1:{self.ports[i % len(self.ports)]}/p/{i}" for i in range(n)]

    def stats(self) -> dict[str, int]:
        self.conn.send("stats")
        return self.conn.recv()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.conn.send("stop")
        self.process.join(5)


# -- 1 and 2: throughput and the unchanged rerun ----------------------------------

def throughput(pages: int, hosts: int, latency: float) -> None:
    import requests
    from bs4 import BeautifulSoup

    web = Web(hosts, latency)
    limit = hosts * 2 / latency
    urls = web.urls(pages)
    rows: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, \
                open_store(f"sqlite:///{tmp}/t.db", migrate=True) as store:
            store.add_sources(urls)
            web.stats()
            for run in ("factcheck recheck", "factcheck unchanged rerun"):
                start = time.perf_counter()
                summary = store.recheck(options(all_sources=True))
                seconds = time.perf_counter() - start
                stats = web.stats()
                rows[run] = {"pages": summary.checked, "seconds": round(seconds, 2),
                             "pages_per_s": round(summary.checked / seconds, 1),
                             "share_of_limit": round(summary.checked / seconds / limit, 3),
                             "max_in_flight_per_host": stats["max_in_flight"],
                             "body_bytes": stats["bytes"]}

        def fetch_and_parse(url: str) -> int:
            response = requests.get(url, timeout=30)
            return len(BeautifulSoup(response.text, "lxml").get_text())

        sample = urls[: max(50, pages // 10)]
        start = time.perf_counter()
        for url in sample:
            fetch_and_parse(url)
        seconds = time.perf_counter() - start
        rows["requests + BeautifulSoup, sequential"] = {
            "pages": len(sample), "seconds": round(seconds, 2),
            "pages_per_s": round(len(sample) / seconds, 1),
            "share_of_limit": round(len(sample) / seconds / limit, 3),
            "max_in_flight_per_host": web.stats()["max_in_flight"]}
        start = time.perf_counter()
        with ThreadPoolExecutor(5) as pool:
            list(pool.map(fetch_and_parse, urls))
        seconds = time.perf_counter() - start
        rows["requests + BeautifulSoup, 5 threads"] = {
            "pages": pages, "seconds": round(seconds, 2),
            "pages_per_s": round(pages / seconds, 1),
            "share_of_limit": round(pages / seconds / limit, 3),
            "max_in_flight_per_host": web.stats()["max_in_flight"]}
    finally:
        web.close()
    first, rerun = rows["factcheck recheck"], rows["factcheck unchanged rerun"]
    RESULTS["throughput"] = {"pages": pages, "hosts": hosts, "latency_s": latency,
                             "politeness_limit_pages_per_s": limit, "runs": rows,
                             "rerun_bytes_share": round(rerun["body_bytes"]
                                                        / max(1, first["body_bytes"]), 4)}
    print(f"\n1-2. Recheck throughput: {pages} pages, {hosts} hosts, {latency * 1000:.0f} ms "
          f"latency, 2 per host -> limit {limit:.0f} pages/s")
    print(f"{'':40} {'pages/s':>8} {'of limit':>9} {'max/host':>9} {'body bytes':>11}")
    for name, r in rows.items():
        print(f"{name:40} {r['pages_per_s']:>8} {r['share_of_limit']:>9.0%} "
              f"{r['max_in_flight_per_host']:>9} {r.get('body_bytes', ''):>11}")


# -- 3: CPU per page -----------------------------------------------------------------

def page_of(size: int) -> bytes:
    head, _, tail = ARTICLE.partition(b"</article>")
    paragraph = (b"<p>Paragraph %d of the fixture article: the council's figures, the "
                 b"mayor's words and the audit office's view, repeated to make a long "
                 b"page of realistic structure, with 6,821.9 million crowns.</p>\n")
    filler = b"".join(paragraph % i for i in range(size // len(paragraph) + 1))
    nav = b"".join(b'<li><a href="/s/%d">Fixture link %d</a></li>' % (i, i) for i in range(50))
    body = head + filler + b"</article><ul class='related'>" + nav + b"</ul>" + tail
    return body[:size] if len(body) > size * 2 else body


def cpu_per_page() -> None:
    import trafilatura

    from factcheck.text.extract import extract

    rows = {}
    for kb in (50, 100, 200, 500):
        body = page_of(kb * 1024)
        html = body.decode()

        def ours(b: bytes = body) -> None:
            extract(b, "text/html", "http://fixture.example/", "utf-8")

        def theirs(h: str = html) -> None:
            trafilatura.extract(h)

        rows[f"{kb} KB"] = {"factcheck_extract_ms": median_ms(ours, 9),
                            "trafilatura_extract_ms": median_ms(theirs, 9)}
    RESULTS["cpu_per_page"] = rows
    print("\n3. CPU per page (median ms): factcheck extract (main text + visible text + "
          "metadata) vs trafilatura.extract alone")
    for name, r in rows.items():
        print(f"  {name:>7}: {r['factcheck_extract_ms']:>7.1f}  vs "
              f"{r['trafilatura_extract_ms']:>7.1f}")


def median_ms(func: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


# -- 4: scale ------------------------------------------------------------------------

def scale_child(url: str, sources: int) -> None:
    """Runs in its own process (for its own peak RSS); prints one JSON line."""
    from sqlalchemy import text, update
    from sqlalchemy.orm import Session

    from factcheck.store.models import SourceRow, utcnow
    from factcheck.tracking.recheck import claim_due

    web = Web(20, 0.0)
    try:
        with open_store(url, migrate=True) as store:
            urls = web.urls(sources)
            start = time.perf_counter()
            store.add_sources(urls)
            seeding = time.perf_counter() - start
            # As after a first run: every source knows the page's ETag and is due.
            etag = f'"{hashlib.sha256(ARTICLE).hexdigest()[:16]}"'
            with Session(store.engine) as s, s.begin():
                s.execute(update(SourceRow).values(etag=etag, status="fetched",
                                                   text_sha256="0" * 64))
            with Session(store.engine) as s:
                start = time.perf_counter()
                with s.begin():
                    claim_due(s, worker="bench", now=utcnow(), lease=__import__(
                        "datetime").timedelta(minutes=1), limit=100, all_sources=False,
                        started=utcnow())
                    s.rollback()
                due_ms = (time.perf_counter() - start) * 1000

            def size() -> int:
                with Session(store.engine) as s:
                    if store.engine.dialect.name == "sqlite":
                        s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                        return Path(store.url.database or "").stat().st_size
                    return int(s.execute(text(
                        "select sum(pg_total_relation_size(c.oid)) from pg_class c join "
                        "pg_namespace n on n.oid = c.relnamespace where n.nspname = "
                        "current_schema() and c.relkind = 'r'")).scalar() or 0)
            before = size()
            start = time.perf_counter()
            summary = store.recheck(options(all_sources=True, batch=500))
            recheck = time.perf_counter() - start
            growth = size() - before
    finally:
        web.close()
    print(json.dumps({
        "sources": sources, "seeding_s": round(seeding, 1), "due_selection_ms": round(due_ms, 1),
        "recheck_304_s": round(recheck, 1), "recheck_pages_per_s": round(summary.checked
                                                                          / recheck, 1),
        "checked": summary.checked, "states": dict(summary.states),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "growth_per_unchanged_run_bytes": growth,
        "growth_per_source_bytes": round(growth / sources, 1)}))


def scale(sources: int, postgres: str | None) -> None:
    rows = {}
    targets = {"SQLite": None, "PostgreSQL": postgres}
    for name, url in targets.items():
        if name == "PostgreSQL" and not url:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            schema = None
            if url is None:
                url = f"sqlite:///{tmp}/scale.db"
            else:
                from sqlalchemy import create_engine, text
                from sqlalchemy.engine import make_url
                schema = f"bench_{uuid.uuid4().hex[:8]}"
                admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
                with admin.begin() as conn:
                    conn.execute(text(f'create schema "{schema}"'))
                url = make_url(url).set(drivername="postgresql+psycopg").update_query_dict(
                    {"options": f"-csearch_path={schema}"}).render_as_string(False)
            try:
                done = subprocess.run([sys.executable, __file__, "--scale-child", url,
                                       str(sources)], capture_output=True, text=True,
                                      check=False)
                if done.returncode != 0:
                    print(done.stderr[-3000:])
                    continue
                rows[name] = json.loads(done.stdout.strip().splitlines()[-1])
            finally:
                if schema is not None:
                    with admin.begin() as conn:
                        conn.execute(text(f'drop schema "{schema}" cascade'))
    RESULTS["scale"] = rows
    print(f"\n4. Scale: {sources:,} sources (each database in its own process)")
    for name, r in rows.items():
        print(f"  {name:<10} seed {r['seeding_s']} s, due selection {r['due_selection_ms']} ms,"
              f" recheck (304s) {r['recheck_304_s']} s = {r['recheck_pages_per_s']} pages/s,"
              f" peak RSS {r['peak_rss_mb']} MB, growth per unchanged run "
              f"{r['growth_per_source_bytes']} B/source")


# -- 5: reports ----------------------------------------------------------------------

def reports(claims: int) -> None:
    import yaml

    from factcheck.reports import FORMATS, build_report, render

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sentences = [f"Claim {i} says the budget was {i}.5 million crowns in {2000 + i % 25}."
                     for i in range(claims)]
        (folder / "big.txt").write_text(" ".join(sentences), encoding="utf-8")
        seed = {"document": {"key": "big", "text_file": "big.txt"}, "claims": [
            {"key": f"c{i}", "quote": s, "kind": "statistic",
             "verdict": {"rating": "true", "rationale": "A fixture rationale."},
             "evidence": [{"url": f"https://fixture{i % 50}.example/p/{i}",
                           "quote": f"The budget was {i}.5 million crowns.",
                           "stance": "supports"}]}
            for i, s in enumerate(sentences)]}
        (folder / "big.yaml").write_text(yaml.safe_dump(seed), encoding="utf-8")
        with open_store(f"sqlite:///{tmp}/r.db", migrate=True) as store:
            start = time.perf_counter()
            store.load_seeds(folder / "big.yaml")
            seeding = time.perf_counter() - start
            start = time.perf_counter()
            report = build_report(store, "big")
            build = time.perf_counter() - start
            rows: dict[str, Any] = {"seed_s": round(seeding, 1), "build_s": round(build, 2)}
            for fmt in FORMATS:
                start = time.perf_counter()
                out = render(report, fmt, organization="Bench", organization_url="https://b/",
                             review_url="https://b/r")
                rows[fmt] = {"seconds": round(time.perf_counter() - start, 2),
                             "bytes": len(out.encode())}
    RESULTS["reports"] = {"claims": claims, **rows}
    print(f"\n5. Reports for {claims:,} claims: seeding {rows['seed_s']} s, building "
          f"{rows['build_s']} s")
    for fmt in FORMATS:
        print(f"  {fmt:<12} {rows[fmt]['seconds']:>6} s  {rows[fmt]['bytes'] / 1e6:>6.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="Smaller sizes.")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get(
        "FACTCHECK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--scale-child", nargs=2, metavar=("URL", "SOURCES"))
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.scale_child[0], int(args.scale_child[1]))
        return
    throughput(500 if args.quick else 2000, 20, 0.1)
    cpu_per_page()
    if not args.skip_scale:
        scale(10_000 if args.quick else 100_000, args.postgres or None)
    reports(1000 if args.quick else 10_000)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "suite.json").write_text(json.dumps(RESULTS, indent=2))
    print(f"\nwritten: {out / 'suite.json'}")


if __name__ == "__main__":
    main()
