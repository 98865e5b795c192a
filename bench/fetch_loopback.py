"""Benchmark: fetching a loopback web, first run and an unchanged rerun.

A web of HOSTS fixture hosts (one port each) answers every page after LATENCY
seconds. The politeness limit is hosts x per-host ÷ latency pages per second; the
fetch is measured against it. Prints a table and writes bench/results/fetch.json.

    .venv/bin/python bench/fetch_loopback.py [--hosts 20] [--pages 1000] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck import open_store
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy
from tests.fixture_web import FixtureHost, Route, page


def serve(hosts: int, pages: int, latency: float, conn: object) -> None:
    """The fixture web, in its own process so that it does not share our GIL."""
    web = [FixtureHost() for _ in range(hosts)]
    article = page("article.html")
    for i in range(pages):
        body = article.replace(b"6,821.9", str(i).encode())
        web[i % hosts].routes[f"/story/{i}"] = Route(body=body, delay=latency)
    conn.send([h.port for h in web])  # type: ignore[attr-defined]
    while conn.recv() != "stop":  # type: ignore[attr-defined]
        conn.send(max(h.max_in_flight for h in web))  # type: ignore[attr-defined]
        for h in web:
            h.max_in_flight = 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--per-host", type=int, default=2)
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, daemon=True,
                                     args=(args.hosts, args.pages, args.latency, theirs))
    server.start()
    ports = ours.recv()
    urls = [f"http://127.0.0.1:{ports[i % args.hosts]}/story/{i}" for i in range(args.pages)]
    settings = FetchSettings(per_host=args.per_host, concurrency=args.hosts * args.per_host,
                             min_interval=0.0, respect_robots=False,
                             addresses=AddressPolicy.allowing("127.0.0.1/32"))
    limit = args.hosts * args.per_host / args.latency
    rows = {}
    with tempfile.TemporaryDirectory() as tmp, \
            open_store(f"sqlite:///{tmp}/bench.db", migrate=True) as store:
        store.add_sources(urls)
        for run in ("first run", "unchanged rerun"):
            start = time.perf_counter()
            report = store.fetch(settings=settings, archive_dir=Path(tmp) / "warc")
            seconds = time.perf_counter() - start
            rows[run] = {
                "sources": report.sources, "seconds": round(seconds, 2),
                "pages_per_second": round(report.sources / seconds, 1),
                "share_of_politeness_limit": round(report.sources / seconds / limit, 3),
                "bytes_received": report.bytes_received, "outcomes": dict(report.outcomes),
            }
            ours.send("count")
            rows[run]["max_in_flight_per_host"] = ours.recv()
        db_bytes = Path(f"{tmp}/bench.db").stat().st_size
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours.send("stop")
    server.join(5)
    result = {"machine": "2 cores", "hosts": args.hosts, "pages": args.pages,
              "latency_s": args.latency, "per_host": args.per_host,
              "politeness_limit_pages_per_s": limit, "runs": rows,
              "rerun_bytes_share": round(rows["unchanged rerun"]["bytes_received"]
                                         / max(1, rows["first run"]["bytes_received"]), 4),
              "peak_rss_mb": round(peak_rss_mb, 1), "sqlite_bytes": db_bytes}
    print(f"{'run':<16} {'seconds':>8} {'pages/s':>8} {'of limit':>9} {'bytes':>10} max/host")
    for name, row in rows.items():
        print(f"{name:<16} {row['seconds']:>8} {row['pages_per_second']:>8} "
              f"{row['share_of_politeness_limit']:>9.1%} {row['bytes_received']:>10} "
              f"{row['max_in_flight_per_host']:>8}")
    print(f"politeness limit {limit:.0f} pages/s; peak RSS {peak_rss_mb:.0f} MB; "
          f"rerun bytes {result['rerun_bytes_share']:.2%} of the first")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "fetch.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
