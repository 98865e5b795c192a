"""Verdict reports people read and machines consume.

    report = build_report(store, "us-japan-alliance-2023")
    html = render(report, "html")                      # the reader's page
    desk = render(report, "html", audience="desk")     # what needs attention first

Formats: ``html`` (one self-contained page), ``md``, ``json`` (versioned schema),
``csv`` (a row per claim and evidence link) and ``claimreview`` (schema.org JSON-LD);
:func:`digest` says what the last recheck changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from factcheck.reports.build import SCHEMA_VERSION, Report, build_report
from factcheck.reports.publisher import NoPublisher, Publisher, find_publisher
from factcheck.reports.render import (
    AUDIENCES,
    FORMATS,
    claimreview,
    datafeed,
    digest_html,
    digest_json,
    digest_markdown,
    digest_text,
    left_out_of_claimreview,
    render,
)
from factcheck.store import Database

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "SCHEMA_VERSION",
    "NoPublisher",
    "Publisher",
    "Report",
    "build_report",
    "claimreview",
    "datafeed",
    "desk_link",
    "digest",
    "find_publisher",
    "left_out_of_claimreview",
    "render",
    "write_reports",
]

SUFFIXES = {"html": ".html", "md": ".md", "json": ".json", "csv": ".csv",
            "claimreview": ".claimreview.json"}


def desk_link(desk_url: str, ref: str) -> str:
    """The review desk's page of claim ``DOCUMENT/KEY``."""
    document, _, key = ref.partition("/")
    return f"{desk_url.rstrip('/')}/claims/{quote(document, safe='')}/{quote(key, safe='')}"


def digest(store: Database, *, run: int | None = None, as_json: bool = False,
           fmt: str = "md", since: datetime | None = None,
           desk_url: str | None = None) -> str:
    """What a recheck run (the latest by default) changed, or every run ``since`` a
    moment, and what needs review now; as ``md``, ``html`` (for mail), ``text`` or
    ``json``. With ``desk_url``, each claim needing review links its desk page."""
    runs = store.runs(limit=200)
    chosen = next((r for r in runs if r["run"] == run), None) if run is not None else (
        runs[0] if runs else None)
    if run is not None and chosen is None:
        store.changes(run)  # raises NotFound, naming the latest runs
    if since is not None:
        changes = store.changes(since=since)
    else:
        changes = store.changes(chosen["run"]) if chosen else []
    needs = [(c.ref, c.review_reasons) for c in store.claims() if c.needs_review]
    if desk_url and not as_json and fmt != "json":
        needs = [(ref, (*reasons, f"review it: {desk_link(desk_url, ref)}"))
                 for ref, reasons in needs]
    renderers = {"md": digest_markdown, "html": digest_html, "text": digest_text,
                 "json": digest_json}
    if fmt not in renderers:
        raise ValueError(f"unknown digest format {fmt!r}; use one of {', '.join(renderers)}")
    return renderers["json" if as_json else fmt](chosen, changes, needs)


def write_reports(store: Database, folder: str | Path, formats: tuple[str, ...] = FORMATS, *,
                  document: str | None = None, audience: str = "public",
                  on_report: Callable[[Report], None] | None = None,
                  **options: Any) -> list[Path]:
    """Write the report of ``document`` (of every document, when none is named) in each
    format to ``folder``; return the paths. Desk HTML and Markdown are ``KEY.desk.html``
    and ``KEY.desk.md``, beside the public ones. ``on_report`` sees each report built."""
    keys = [document] if document is not None else [d.key for d in store.documents()]
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for key in keys:
        report = build_report(store, key)
        if on_report is not None:
            on_report(report)
        for fmt in formats:
            desk = ".desk" if audience == "desk" and fmt in ("html", "md") else ""
            path = folder / f"{report.document['key']}{desk}{SUFFIXES[fmt]}"
            path.write_text(render(report, fmt, audience=audience, **options),
                            encoding="utf-8")
            paths.append(path)
    return paths
