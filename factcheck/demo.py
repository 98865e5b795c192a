"""A DEMONSTRATION of the whole loop on a fixture web served on 127.0.0.1.

    python -m factcheck.demo [FOLDER]        (make demo)

Nothing here is a real source: a small "web" of fixture pages is served on loopback,
a fixture article's claims cite them, and a recheck records the baseline. Then the
pages change the ways sources do: one is edited (a figure revised), one moves
(a permanent redirect), one is gone (404 for over a day) and one blocks us (403).
Later rechecks, with the clock moved on, say what changed and which verdicts need
review. The database and WARC files are left in FOLDER (default ``demo/``).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from factcheck import RecheckOptions, RunSummary, Store, open_store
from factcheck.errors import ConfigError
from factcheck.fixtureweb import FixtureArchive, FixtureHost, Route, redirect
from factcheck.wacz import export_wacz
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

BANNER = "DEMONSTRATION: fixture pages on 127.0.0.1, not real sources"
DESK_URL = "http://127.0.0.1:8080/"
DESK_USER, DESK_PASSWORD = "demo", "demo-desk-password"

PAGES = {
    "/budget": ("City budget approved (fixture)",
                "The council approved a budget of 6,821.9 million crowns for fiscal 2025, "
                "an increase of 26.3 percent from the year before."),
    "/statement": ("Joint statement (fixture)",
                   "The two mayors reaffirmed that the partnership remains the cornerstone "
                   "of the region's prosperity."),
    "/report": ("Audit report (fixture)",
                "The audit office found that seven of the 10 projects were delivered on "
                "time in 2024."),
    "/interview": ("Interview (fixture)",
                   "The harbour master said the new quay would open in the spring of 2026."),
    "/archive": ("Archive note (fixture)",
                 "The fixture library holds 1.2 million volumes, the largest collection "
                 "in the province."),
}

ARTICLE = (
    "A fixture article for the demonstration. The council approved a budget of 6,821.9 "
    "million crowns, up 26.3 percent. The mayors called their partnership the cornerstone "
    "of the region's prosperity. Seven of the 10 projects were delivered on time. The new "
    "quay opens in 2026. The library holds 1.2 million volumes.")


def html(title: str, body: str) -> bytes:
    return (f"<html><head><title>{title}</title></head><body><nav>Fixture home | Most read"
            f"</nav><article><h1>{title}</h1><p>{body}</p><p>This page is a fixture served "
            "for the factcheck demonstration.</p></article></body></html>").encode()


def seed(folder: Path, host: FixtureHost) -> Path:
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    quotes = {
        "budget": ("The council approved a budget of 6,821.9 million crowns, up 26.3 percent.",
                   "/budget", "statistic"),
        "cornerstone": ("The mayors called their partnership the cornerstone of the region's "
                        "prosperity.", "/statement", "quotation"),
        "projects": ("Seven of the 10 projects were delivered on time.", "/report",
                     "statistic"),
        "quay": ("The new quay opens in 2026.", "/interview", "event"),
        "library": ("The library holds 1.2 million volumes.", "/archive", "statistic"),
    }
    claims: list[dict[str, Any]] = [{
        "key": "fixture-byline", "quote": "A fixture article for the demonstration.",
        "kind": "characterization"}]
    for key, (quote, page, kind) in quotes.items():
        claims.append({
            "key": key, "quote": quote, "kind": kind,
            "verdict": {"rating": "true", "rationale": "The fixture page says so."},
            "evidence": [{"url": host.url(page), "quote": PAGES[page][1],
                          "stance": "supports"}]})
    path = folder / "demo-claims.yaml"
    path.write_text(yaml.safe_dump({
        "document": {"key": "demo-article", "title": "Demonstration article (fixture)",
                     "text_file": "article.txt"},
        "reviewer": "demo", "claims": claims}, allow_unicode=True), encoding="utf-8")
    return path


def show(store: Store, summary: RunSummary, label: str) -> None:
    states = ", ".join(f"{k} {v}" for k, v in sorted(summary.states.items()))
    print(f"\n[{label}] run {summary.run_id}: {summary.status}; checked {summary.checked}"
          f" ({states}); needs review {len(summary.needs_review)}; exit code "
          f"{summary.exit_code}")
    for event in store.changes(summary.run_id):
        if event["subject"] == "source" and event["before"] is not None:
            print(f"  source {event['source']}: {event['before']} -> {event['after']}"
                  f" ({event['reason']})")
        elif event["subject"] == "claim":
            print(f"  claim {event['claim']}: {event['after']} ({event['reason']})")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "demo")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.db").unlink(missing_ok=True)
    print(BANNER)
    host, archive_host = FixtureHost(), FixtureHost()
    archive = FixtureArchive(archive_host)  # a fixture public archive, on loopback too
    try:
        for path, (title, body) in PAGES.items():
            host.routes[path] = Route(body=html(title, body))
        options = RecheckOptions(
            settings=FetchSettings(min_interval=0.0, retries=0,
                                   addresses=AddressPolicy.allowing("127.0.0.1/32")),
            archive_dir=folder / "archive", readers=0, archive_base=archive.base)
        start = datetime.now(UTC)
        with open_store(folder / "demo.db", migrate=True) as store:
            store.load_seeds(seed(folder, host))
            show(store, store.recheck(options, clock=lambda: start), "day 0: the baseline")

            print("\nThe fixture web changes: /budget is edited (26.3 -> 20.3 percent), "
                  "/statement moves (301), /report is gone (404), /interview blocks us (403).")
            title, body = PAGES["/budget"]
            host.routes["/budget"] = Route(body=html(title, body.replace("26.3", "20.3")))
            host.routes["/statement"] = redirect(301, host.url("/statements/2025/joint"))
            host.routes["/statements/2025/joint"] = Route(body=html(*PAGES["/statement"]))
            host.routes["/report"] = Route(status=404, body=b"not found", validators=False)
            # The archive captured /report a week before the verdicts.
            archive.capture(host.url("/report"), start - timedelta(days=7),
                            html(*PAGES["/report"]))
            host.routes["/interview"] = Route(status=403, body=b"forbidden", validators=False)
            show(store, store.recheck(options, clock=lambda: start + timedelta(hours=27)),
                 "day 1")
            last = store.recheck(options, clock=lambda: start + timedelta(hours=52))
            show(store, last, "day 2: the 404 has lasted a day")

            print("\nClaims whose verdict needs review:")
            for claim in store.claims():
                for reason in claim.review_reasons:
                    print(f"  {claim.key}: {reason}")
            projects = store.claim("projects").evidence[0]
            print(f"\nThe archive's copy of {projects.url}: {projects.archived_url} "
                  f"({projects.archive_status}: {projects.archive_reason})")

            print("\nThe desk re-rates the budget claim; the verdict records the bytes "
                  "it rests on:")
            verdict = store.record_verdict(
                "budget", "mostly-true", "The page now says 20.3 percent; the article's "
                "26.3 was the figure first published.", reviewer="demo desk")
            for rested in verdict.rested_on:
                print(f"  {rested['url']}: content {rested['content_sha256'][:16]}..., "
                      f"{rested['warc_file']}#{rested['warc_offset']}")
            try:
                exported = export_wacz(store, folder / "evidence.wacz", folder / "archive",
                                       document="demo-article")
                print(f"Evidence package: {exported.path} ({len(exported.records)} "
                      "exchange(s); open it in ReplayWeb.page)")
            except ConfigError as exc:
                print(f"Evidence package: not written ({exc})")
            from factcheck.reports import write_reports
            written = [*write_reports(store, folder / "reports", ("html", "md")),
                       *write_reports(store, folder / "reports", ("html",), audience="desk")]
            print(f"\nReports: {', '.join(str(p) for p in written)}")
            print(f"Database: {folder / 'demo.db'}; WARC files: {folder / 'archive'}")
            store.add_reviewer(DESK_USER, DESK_PASSWORD)
            print(f"\nThe review desk: factcheck --db {folder / 'demo.db'} serve --allow-private"
                  f"\n  then open {DESK_URL} and sign in as {DESK_USER} / {DESK_PASSWORD} "
                  "(a demonstration login)")
            print(f"Try: factcheck --db {folder / 'demo.db'} changes --run {last.run_id - 1}")
        return 0
    finally:
        host.close()
        archive_host.close()
        print(f"\n{BANNER}")


if __name__ == "__main__":
    raise SystemExit(main())
