"""The night always ends: how long a recheck takes when the public archive is down, when
its deadline passes, when a notification channel hangs, and after a SIGTERM.

All on loopback (FIXTURE hosts; a "silent" server accepts connections and never
answers). 120 sources answering 404, each cited by a claim, so each wants an archive
lookup.

    python bench/night.py
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck import open_store
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.tracking.recheck import RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy
from tests.corpus import CorpusPage, seed

DEAD = 120
T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


def silent() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(512)
    return server


def options(**overrides: object) -> RecheckOptions:
    base: dict[str, object] = {
        "settings": FetchSettings(min_interval=0.0, addresses=AddressPolicy.allowing(
            "127.0.0.1/32")), "archive_dir": None}
    return RecheckOptions(**{**base, **overrides})  # type: ignore[arg-type]


def dead_run(folder: Path, site: FixtureHost, archive_base: str | None) -> tuple[float, str]:
    pages = [CorpusPage(f"gone/{i}", "", "dead.example", "en",
                        (f"Fixture passage number {i} that the page once held.",))
             for i in range(DEAD)]
    with open_store(f"sqlite:///{folder / 'night.db'}", migrate=True) as store:
        store.load_seeds(seed(pages, site.url(""), folder / "seeds"))
        started = time.perf_counter()
        summary = store.recheck(options(archive_base=archive_base), clock=lambda: T0)
        took = time.perf_counter() - started
    archive = summary.archive
    said = (f"looked up {archive.get('looked_up', 0)}, deferred {archive.get('deferred', 0)}"
            if archive else "no lookups")
    return took, said


def signalled(folder: Path, args: list[str], began: object) -> float:
    """Seconds from SIGTERM to the process's end, the signal sent once ``began()``."""
    process = subprocess.Popen([sys.executable, "-m", "factcheck", "--db",
                                str(folder / "night.db"), *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not began() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)
    sent = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)
    return time.perf_counter() - sent


def main() -> None:
    site = FixtureHost()
    print(f"The night always ends ({DEAD} sources answering 404, loopback, --delay 0)")
    print("| archive | run time | archive phase |")
    print("| --- | --- | --- |")
    quiet = silent()
    for label, base in (("--archive-base off", None),
                        ("name does not resolve (https://archive.invalid)",
                         "https://archive.invalid"),
                        ("accepts connections and never answers",
                         f"http://127.0.0.1:{quiet.getsockname()[1]}")):
        with tempfile.TemporaryDirectory() as tmp:
            took, said = dead_run(Path(tmp), site, base)
        print(f"| {label} | {took:.1f} s | {said} |")

    site.routes["/slow/*"] = Route(body=b"<html><body><p>Slow.</p></body></html>", delay=0.5)
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(f"sqlite:///{Path(tmp) / 'night.db'}", migrate=True) as store:
            store.add_sources([site.url(f"/slow/{i}") for i in range(200)])
            started = time.perf_counter()
            summary = store.recheck(options(max_runtime=timedelta(seconds=3),
                                            archive_base=None), clock=lambda: T0)
            took = time.perf_counter() - started
        print(f"\n--max-runtime 3s over 200 sources answering in 0.5 s (2 at a time): "
              f"ended {summary.status} after {took:.1f} s, {summary.checked} checked, "
              f"{summary.left} left")

    from factcheck.tracking.notify import notify

    started = time.perf_counter()
    deliveries = notify([f"json://127.0.0.1:{quiet.getsockname()[1]}/hook"], "t", "b",
                        timeout=5.0)
    print(f"a notification channel that never answers, timeout 5 s: given up after "
          f"{time.perf_counter() - started:.1f} s ({deliveries[0].reason})")

    print("\nOne SIGTERM, seconds until the process ended:")
    site.routes["/page"] = Route(body=b"<html><body><p>A page.</p></body></html>")
    quiet.close()
    quiet = silent()  # a fresh backlog: only this phase's connections wait in it
    accepted: list[socket.socket] = []

    def connected() -> bool:
        quiet.settimeout(0.01)
        try:
            accepted.append(quiet.accept()[0])
        except OSError:
            return False
        return True

    phases = [
        ("fetching (pages that take 60 s)", ["/slow/0", "/slow/1"],
         ["--archive-base", "off"], lambda: site.in_flight > 0, 60.0),
        ("asking the archive (it never answers)", [f"/gone/{i}" for i in range(10)],
         ["--archive-base", f"http://127.0.0.1:{quiet.getsockname()[1]}"], connected, 0.0),
        ("notifying (the channel never answers)", ["/page"],
         ["--archive-base", "off", "--notify-on", "always", "--notify",
          f"json://127.0.0.1:{quiet.getsockname()[1]}/hook"], connected, 0.0),
    ]
    for label, paths, extra, began, delay in phases:
        site.routes["/slow/*"] = Route(body=b"<html><body><p>Slow.</p></body></html>",
                                       delay=delay or 0.5)
        with tempfile.TemporaryDirectory() as tmp:
            with open_store(f"sqlite:///{Path(tmp) / 'night.db'}", migrate=True) as store:
                store.add_sources([site.url(p) for p in paths])
                if "/gone/0" in paths:
                    store.load_seeds(seed([CorpusPage(p.lstrip("/"), "", "dead.example", "en",
                                                      ("A fixture passage that was there.",))
                                           for p in paths], site.url(""), Path(tmp) / "s"))
            took = signalled(Path(tmp), ["recheck", "--allow-private", "--readers", "0",
                                         "--archive", str(Path(tmp) / "warc"), "--delay", "0",
                                         *extra], began)
        print(f"  {label}: {took:.1f} s")
        for connection in accepted:
            connection.close()
        accepted.clear()
    for connection in accepted:
        connection.close()
    quiet.close()
    site.close()


if __name__ == "__main__":
    main()
