"""What a rerun over unchanged pages costs, against the first run: CPU, not wall time.

    .venv/bin/python bench/rerun.py [--sources N]

1,000 sources, 100 KB FIXTURE news pages (bench/corpus.py) on 10 loopback hosts, each
page at a path of its own (so the soft-404 probe gets a real 404). Three figures:
the first recheck's CPU per page (this process and the reader processes); a rerun
where the server sends no validators and the bytes did not change (recorded as
unchanged from the body's SHA-256: no parse); and a rerun answered entirely by 304s
through the command line, process start included. Beside them, the floor: the same
304 rerun through a bare ``httpx.AsyncClient`` (no politeness, no database), what the
HTTP library alone costs per request. Writes bench/results/rerun.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.corpus import news_page  # noqa: E402
from bench.suite import _cpu, options  # noqa: E402
from factcheck import open_store  # noqa: E402
from factcheck.fixtureweb import FixtureHost, Route  # noqa: E402

HOSTS = 10


def _serve(sources: int, validators: bool, body: bytes, conn: Any) -> None:
    web = [FixtureHost() for _ in range(HOSTS)]
    route = Route(body=body, validators=validators)
    for i in range(sources):
        web[i % HOSTS].routes[f"/p/{i}"] = route
    conn.send([h.port for h in web])
    conn.recv()


def _httpx_alone(urls: list[str]) -> tuple[float, int]:
    """CPU seconds of a conditional GET per URL through a bare httpx client (one
    unconditional pass first, to learn the ETags), and how many were answered by 304."""
    async def run() -> tuple[float, int]:
        etags: dict[str, str] = {}
        statuses: list[int] = []
        limits = httpx.Limits(max_connections=2 * HOSTS, max_keepalive_connections=2 * HOSTS)
        async with httpx.AsyncClient(limits=limits) as client:
            slots = asyncio.Semaphore(2 * HOSTS)

            async def get(url: str) -> None:
                async with slots:
                    headers = {"If-None-Match": etags[url]} if url in etags else {}
                    response = await client.get(url, headers=headers)
                    etags[url] = response.headers.get("etag", "")
                    statuses.append(response.status_code)

            await asyncio.gather(*map(get, urls))
            statuses.clear()
            start = _cpu()
            await asyncio.gather(*map(get, urls))
            return _cpu() - start, statuses.count(304)
    return asyncio.run(run())


def _cli_recheck(db: str, archive: str) -> tuple[float, dict[str, Any]]:
    """CPU seconds of one ``factcheck recheck --all`` process, start-up included, and its
    summary."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "factcheck", "--db", db, "recheck", "--all",
         "--allow-private", "--delay", "0", "--archive", archive,
         "--archive-base", "off", "--json"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "FACTCHECK_ARCHIVE_BASE": "off"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=1000)
    sources = parser.parse_args().sources
    body = news_page(100 * 1024, seed=1)
    results: dict[str, Any] = {"machine": "2 cores", "sources": sources,
                               "page_bytes": len(body)}
    for validators in (False, True):
        mine, theirs = multiprocessing.Pipe()
        web = multiprocessing.Process(target=_serve, args=(sources, validators, body, theirs),
                                      daemon=True)
        web.start()
        ports = mine.recv()
        urls = [f"http://127.0.0.1:{ports[i % HOSTS]}/p/{i}" for i in range(sources)]
        with tempfile.TemporaryDirectory() as tmp:
            db = f"{tmp}/bench.db"
            with open_store(f"sqlite:///{db}", migrate=True) as store:
                store.add_sources(urls)
                start = _cpu()
                store.recheck(options(all_sources=True))
                first = _cpu() - start
                start = _cpu()
                rerun = store.recheck(options(all_sources=True))
                second = _cpu() - start
            if not validators:  # the same two runs through the command line
                with open_store(f"sqlite:///{tmp}/cli.db", migrate=True) as store:
                    store.add_sources(urls)
                cli_first, _ = _cli_recheck(f"{tmp}/cli.db", f"{tmp}/warc-cli")
                cli_rerun, summary = _cli_recheck(f"{tmp}/cli.db", f"{tmp}/warc-cli")
                results["cli_rerun_without_validators"] = {
                    "first_cpu_s": round(cli_first, 2), "rerun_cpu_s": round(cli_rerun, 2),
                    "rerun_share_of_first": round(cli_rerun / cli_first, 3),
                    "states": summary["states"]}
            key = "with_validators" if validators else "without_validators"
            results[key] = {"first_run_cpu_ms_per_page": round(first / sources * 1000, 2),
                            "rerun_cpu_ms_per_page": round(second / sources * 1000, 2),
                            "rerun_share_of_first": round(second / first, 3),
                            "rerun_states": dict(rerun.states)}
            if validators:
                used, summary = _cli_recheck(db, f"{tmp}/warc")
                results["cli_304_rerun"] = {
                    "cpu_s": round(used, 2), "checked": summary["checked"],
                    "cpu_ms_per_source_with_process_start": round(used / sources * 1000, 2),
                    "states": summary["states"]}
                floor, answered_304 = _httpx_alone(urls)
                results["httpx_alone_304"] = {
                    "cpu_ms_per_request": round(floor / sources * 1000, 2),
                    "answered_304": answered_304}
        mine.send("stop")
        web.join(5)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "rerun.json").write_text(json.dumps(results, indent=2))
    for key in ("without_validators", "with_validators"):
        r = results[key]
        print(f"{key.replace('_', ' ')}: first run {r['first_run_cpu_ms_per_page']} ms CPU per "
              f"page; unchanged rerun {r['rerun_cpu_ms_per_page']} ms "
              f"({r['rerun_share_of_first']:.0%} of the first)")
    cli = results["cli_rerun_without_validators"]
    print(f"validator-less unchanged rerun through the CLI: {cli['rerun_cpu_s']} s CPU against "
          f"the first run's {cli['first_cpu_s']} s ({cli['rerun_share_of_first']:.0%}), "
          "process start included")
    cli = results["cli_304_rerun"]
    print(f"rerun answered by 304s through the CLI: {cli['cpu_ms_per_source_with_process_start']}"
          f" ms CPU per source, process start included ({cli['cpu_s']} s for "
          f"{cli['checked']})")
    print(f"the same 304s through a bare httpx client: "
          f"{results['httpx_alone_304']['cpu_ms_per_request']} ms CPU per request "
          f"({results['httpx_alone_304']['answered_304']} of {sources} answered 304)")


if __name__ == "__main__":
    main()
