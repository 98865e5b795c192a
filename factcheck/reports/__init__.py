"""Verdict reports people read and machines consume.

    report = build_report(store, "us-japan-alliance-2023")
    html = render(report, "html")

Formats: ``html`` (one self-contained page), ``md``, ``json`` (versioned schema),
``csv`` (a row per claim and evidence link) and ``claimreview`` (schema.org JSON-LD);
:func:`digest` says what the last recheck changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from factcheck.reports.build import SCHEMA_VERSION, Report, build_report
from factcheck.reports.render import (
    FORMATS,
    claimreview,
    digest_json,
    digest_markdown,
    render,
)
from factcheck.store import Store

__all__ = ["FORMATS", "SCHEMA_VERSION", "Report", "build_report", "claimreview", "digest",
           "render", "write_reports"]

SUFFIXES = {"html": ".html", "md": ".md", "json": ".json", "csv": ".csv",
            "claimreview": ".claimreview.json"}


def digest(store: Store, *, run: int | None = None, as_json: bool = False) -> str:
    """What a recheck run (the latest by default) changed, and what needs review now."""
    runs = store.runs(limit=200)
    chosen = next((r for r in runs if r["run"] == run), None) if run is not None else (
        runs[0] if runs else None)
    if run is not None and chosen is None:
        store.changes(run)  # raises NotFound, naming the latest runs
    changes = store.changes(chosen["run"]) if chosen else []
    needs = [(c.ref, c.review_reasons) for c in store.claims() if c.needs_review]
    return (digest_json if as_json else digest_markdown)(chosen, changes, needs)


def write_reports(store: Store, folder: str | Path, formats: tuple[str, ...] = FORMATS, *,
                  document: str | None = None, **options: Any) -> list[Path]:
    """Write the document's report in each format to ``folder``; return the paths."""
    report = build_report(store, document)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{report.document['key']}{SUFFIXES[fmt]}"
        path.write_text(render(report, fmt, **options), encoding="utf-8")
        paths.append(path)
    return paths
