"""Rendering a :class:`~factcheck.reports.build.Report`: HTML, Markdown, JSON, CSV,
schema.org ClaimReview, and the digest of a recheck run.

HTML and Markdown come from Jinja2 templates a team can override: put a
``report.html.j2`` or ``report.md.j2`` in a folder and pass it as ``templates``.
Everything a source or a seed controls is escaped: HTML autoescaping; Markdown gets
its HTML and link syntax neutralized and its link targets percent-encoded; CSV cells
that a spreadsheet would run as formulas are neutralized; ClaimReview JSON-LD escapes
``<``, ``>`` and ``&`` so it can be embedded in a page as it is.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from factcheck.core import json_time
from factcheck.errors import ConfigError
from factcheck.reports.build import ClaimEntry, Report
from factcheck.reports.publisher import Publisher
from factcheck.text.markdown import escape_markdown

__all__ = ["AUDIENCES", "DIGEST_FORMATS", "FORMATS", "claimreview", "datafeed", "digest_html",
           "digest_json", "digest_markdown", "digest_text", "json_for_html",
           "left_out_of_claimreview", "render", "to_csv", "to_html", "to_json", "to_markdown"]

FORMATS = ("html", "md", "json", "csv", "claimreview")
#: ``public``: what a reader of the fact-check needs; ``desk``: everything, what needs
#: attention first.
AUDIENCES = ("public", "desk")
DIGEST_FORMATS = ("md", "html", "text", "json")
CSV_COLUMNS = ("document", "claim", "kind", "checkable", "quote", "start", "end", "rating",
               "label", "rationale", "needs_review", "review_reasons", "evidence_url",
               "source_title", "publisher", "stance", "passage", "evidence_status",
               "evidence_reason", "last_checked_at")

_markdown_text = escape_markdown


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f<>()\[\]\\`\"' ]")


def _markdown_url(value: object) -> str:
    """A URL safe as a Markdown link target: http(s) only, with every character that
    could end the link or open HTML percent-encoded."""
    url = str(value).strip()
    if not re.match(r"(?i)https?://", url):
        return "#"
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    """OWASP's rule against CSV injection: a text cell a spreadsheet would read as a
    formula (=, +, -, @, tab, carriage return first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def json_for_html(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/ld+json">``: ``<``, ``>``,
    ``&`` and the JavaScript line separators are escaped as ``\\uXXXX``."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text + "\n"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    """``1 claim``, ``2 claims``; ``plural`` for the irregular ones."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _environment(templates: str | Path | None, autoescape: bool) -> Environment:
    loaders: list[Any] = [PackageLoader("factcheck.reports", "templates")]
    if templates is not None:
        loaders.insert(0, FileSystemLoader(str(templates)))
    env = Environment(loader=ChoiceLoader(loaders),
                      autoescape=select_autoescape(["html.j2"]) if autoescape else False,
                      trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)
    env.filters["md"] = _markdown_text
    env.filters["mdurl"] = _markdown_url
    env.filters["plural"] = _plural
    env.filters["host"] = lambda url: (urlsplit(str(url)).hostname or str(url)).removeprefix(
        "www.")
    env.filters["httpurl"] = lambda url: url if re.match(r"(?i)https?://", str(url)) else "#"
    return env


def _context(report: Report, audience: str, publisher: Publisher | None,
             include_stale: bool) -> dict[str, Any]:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    rated = report.rated
    # On the reader's page a verdict under review is shown as such, never with the
    # rating it had as if it stood (--include-stale shows it as it was).
    under_review = {c.key for c in rated if c.needs_review} \
        if audience == "public" and not include_stale else set()
    standing = [c for c in rated if c.key not in under_review]
    names = {r["slug"]: r["name"] for r in report.scale["ratings"]}
    tally = [(r["slug"], r["name"], n) for r in report.scale["ratings"]
             if (n := sum(1 for c in standing if c.rating == r["slug"]))]
    words = [f"{n} {name.lower()}" for _, name, n in tally]
    if under_review:
        words.append(f"{len(under_review)} under review")
    lang = report.document.get("lang") or "en"
    page_url = publisher.review_page(report.document["key"]) if publisher else None
    if audience == "desk":  # what needs attention first, then the rest in article order
        cards = [c for c in report.claims if c.needs_review] + [
            c for c in report.claims if not c.needs_review]
    else:
        cards = rated
    ld = None
    if publisher is not None and audience == "public":
        ld = json_for_html(claimreview(report, publisher, include_stale=include_stale))
    return {"report": report, "doc": report.document, "scale": _Scale(report.scale),
            "title": report.title, "audience": audience, "desk": audience == "desk",
            "cards": cards, "numbers": {c.key: i for i, c in enumerate(rated, 1)},
            "tally": tally, "tally_words": _and(words), "under_review": under_review,
            "publisher": publisher, "page_url": page_url,
            "description": _description(report, words),
            "day": lambda value: _day(value, lang),
            "names": names, "runs": report.marked_article(),
            "unrated": [c for c in report.claims if not c.checkable],
            "jsonld": ld}


def _day(value: date | datetime | str | None, lang: str) -> str:
    """A date as people write it in the page's language ("15 March 2024", "2024年3月15日");
    ISO 8601 if the language is unknown."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10]) if len(value) >= 10 else None
        except ValueError:
            value = None
        if value is None:
            return ""
    day = value.date() if isinstance(value, datetime) else value
    try:
        from babel.core import UnknownLocaleError
        from babel.dates import format_date

        return str(format_date(day, format="long", locale=lang.replace("-", "_")))
    except (ImportError, ValueError, UnknownLocaleError):
        return day.isoformat()


def _description(report: Report, words: list[str]) -> str:
    """The page's description (search engines, link previews): the conclusion, else
    what was checked."""
    summary = report.document.get("summary")
    if summary:
        return " ".join(str(summary).split())[:300]
    checked = f"We checked {len(report.rated)} claims"
    return f"{checked}: {_and(words)}." if words else f"{checked}."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] \
        if items else ""


class _Scale:
    """The scale as templates use it (attribute access)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.name = data["name"]
        self.ratings = [type("Rating", (), r)() for r in data["ratings"]]


def to_html(report: Report, templates: str | Path | None = None, *,
            audience: str = "public", publisher: Publisher | None = None,
            include_stale: bool = False) -> str:
    """One self-contained page: inline CSS, no outside requests, and no script but the
    ClaimReview JSON-LD (public pages, when the ``publisher`` is known)."""
    return _environment(templates, True).get_template("report.html.j2").render(
        **_context(report, audience, publisher, include_stale))


def to_markdown(report: Report, templates: str | Path | None = None, *,
                audience: str = "public") -> str:
    return _environment(templates, False).get_template("report.md.j2").render(
        **_context(report, audience, None, False))


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _csv_cell(value)


def to_csv(report: Report, *, bom: bool = True) -> str:
    """One row per claim and evidence link (a claim without evidence gets one row).
    With ``bom`` (the default) the text starts with a UTF-8 byte order mark, so that
    Excel reads curly quotes and accents as they are."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for c in report.claims:
        base = {"document": report.document["key"], "claim": c.key, "kind": c.kind,
                "checkable": c.checkable, "quote": c.quote, "start": c.start, "end": c.end,
                "rating": c.rating or "", "label": c.label or "", "rationale": c.rationale or "",
                "needs_review": c.needs_review, "review_reasons": "; ".join(c.review_reasons)}
        rows = [base] if not c.evidence else [
            {**base, "evidence_url": e.url, "source_title": e.source_title or "",
             "publisher": e.publisher or "", "stance": e.stance, "passage": e.passage,
             "evidence_status": e.status, "evidence_reason": e.reason or "",
             "last_checked_at": e.last_checked_at.isoformat() if e.last_checked_at else ""}
            for e in c.evidence]
        for row in rows:
            writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return out.getvalue()


def left_out_of_claimreview(report: Report) -> list[ClaimEntry]:
    """The rated claims whose verdicts need review: ClaimReview leaves them out unless
    told to include them as they stand."""
    return [c for c in report.rated if c.needs_review]


def claimreview(report: Report, publisher: Publisher | None, *,
                include_stale: bool = False) -> list[dict[str, Any]]:
    """schema.org ClaimReview JSON-LD: one per rated checkable claim, complete by
    construction (``claimReviewed`` whole, ``datePublished`` always, the author and
    review URL from ``publisher``). Verdicts that need review are left out unless
    ``include_stale``."""
    if publisher is None:
        raise ConfigError("ClaimReview needs the publishing organization: give --org, "
                          "--org-url and --review-url (or FACTCHECK_ORG_NAME, "
                          "FACTCHECK_ORG_URL, FACTCHECK_REVIEW_URL, or [publisher] in "
                          "factcheck.toml)")
    doc = report.document
    scale = report.scale
    values = {r["slug"]: r["value"] for r in scale["ratings"]}
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": report.title}
    if doc.get("url"):
        appearance["url"] = doc["url"]
    if doc.get("published"):
        appearance["datePublished"] = doc["published"]
    if doc.get("authors"):
        appearance["author"] = [{"@type": "Person", "name": a} for a in doc["authors"]]
    if doc.get("publisher"):
        appearance["publisher"] = {"@type": "Organization", "name": doc["publisher"]}
    page = publisher.review_page(doc["key"])
    reviews = []
    for c in report.rated:
        if c.needs_review and not include_stale:
            continue
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": c.label,
                                  "bestRating": scale["best"], "worstRating": scale["worst"]}
        if values.get(c.rating) is not None:
            rating["ratingValue"] = values[c.rating]
        claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance,
                                 "firstAppearance": appearance}
        if doc.get("authors"):
            claim["author"] = [{"@type": "Person", "name": a} for a in doc["authors"]]
        if doc.get("published"):
            claim["datePublished"] = doc["published"]
        when = c.reviewed_on or (c.recorded_at.date() if c.recorded_at else None)
        review: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "url": f"{page}#{c.anchor}",
            # Never cut: a cut can drop exactly what the verdict is about.
            "claimReviewed": " ".join((c.claim or c.quote).split()),
            "reviewRating": rating, "itemReviewed": claim,
            "author": {"@type": "Organization", "name": publisher.name, "url": publisher.url}}
        imported = c.verdict is not None and c.verdict.origin.startswith("claimreview:")
        if imported and c.verdict is not None:
            # A published fact-check brought in: its own page, label and reviewer.
            if c.verdict.publisher_label:
                rating["alternateName"] = c.verdict.publisher_label
            if doc.get("url"):
                review["url"] = doc["url"]
            if c.verdict.reviewer:
                review["author"] = {"@type": "Organization", "name": c.verdict.reviewer}
            appeared = [e.url for e in c.evidence if e.stance == "appearance"]
            claim = {"@type": "Claim"}
            if appeared:
                claim["appearance"] = [{"@type": "CreativeWork", "url": u} for u in appeared]
            review["itemReviewed"] = claim
        if c.claimant:  # who made the claim, not who wrote the article
            author: dict[str, Any] = {"@type": "Person", "name": c.claimant}
            if c.claimant_url:
                author["sameAs"] = c.claimant_url
            review["itemReviewed"]["author"] = author
        if when is not None:
            review["datePublished"] = when.isoformat()
        reviews.append(review)
    return reviews


def datafeed(reports: list[Report], publisher: Publisher | None, *,
             include_stale: bool = False) -> dict[str, Any]:
    """The schema.org ClaimReview ``DataFeed`` of ``reports`` (a document's, or every
    document's): what a desk hands to aggregators. One ``DataFeedItem`` per review."""
    items = []
    for report in reports:
        for review in claimreview(report, publisher, include_stale=include_stale):
            item = {k: v for k, v in review.items() if k != "@context"}
            items.append({"@type": "DataFeedItem",
                          "dateCreated": review.get("datePublished"), "item": [item]})
    return {"@context": "https://schema.org", "@type": "DataFeed",
            "dateModified": datetime.now(UTC).isoformat(timespec="seconds"),
            "dataFeedElement": items}


def render(report: Report, fmt: str, *, audience: str = "public",
           templates: str | Path | None = None, publisher: Publisher | None = None,
           include_stale: bool = False, bom: bool = True) -> str:
    """``report`` in format ``fmt`` (one of :data:`FORMATS`) for ``audience`` (one of
    :data:`AUDIENCES`; HTML and Markdown differ by it)."""
    if fmt == "html":
        return to_html(report, templates, audience=audience, publisher=publisher,
                       include_stale=include_stale)
    if fmt == "md":
        return to_markdown(report, templates, audience=audience)
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report, bom=bom)
    if fmt == "claimreview":
        return json_for_html(claimreview(report, publisher, include_stale=include_stale))
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


# -- the digest of a recheck run ------------------------------------------------------

def digest_json(run: dict[str, Any] | None, changes: list[dict[str, Any]],
                needs_review: list[tuple[str, tuple[str, ...]]]) -> str:
    """What the last run changed and which verdicts need review, as JSON."""
    return json.dumps({
        "latest_run": {k: json_time(v) for k, v in run.items()} if run else None,
        "changes": [{k: json_time(v) for k, v in c.items()} for c in changes],
        "review_queue": [{"claim": ref, "reasons": list(r)} for ref, r in needs_review],
    }, indent=2, ensure_ascii=False) + "\n"


def _digest_parts(run: dict[str, Any] | None, changes: list[dict[str, Any]],
                  needs_review: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    """The digest as plain data: what every format shows, decided once."""
    return {
        "run": run,
        "needs_review": [(ref, "; ".join(reasons)) for ref, reasons in needs_review],
        "sources": [c for c in changes if c["subject"] == "source" and c["before"] is not None],
        "evidence": [c for c in changes
                     if c["subject"] == "evidence" and c["before"] != "unchecked"],
    }


def _digest_lines(parts: dict[str, Any], esc: Callable[[object], str], strong: str,
                  heading: str) -> str:
    run = parts["run"]
    lines = [f"{heading}factcheck: what changed", ""]
    if run is None:
        lines.append("No recheck has run yet.")
        return "\n".join(lines) + "\n"
    lines.append(f"Run {run['run']} ({run['status']}), {run['started_at']:%Y-%m-%d %H:%M} UTC: "
                 f"checked {run['checked']}, errors {run['errors']}.")
    if run.get("reason"):
        lines.append(f"\n{esc(run['reason'])}")
    sub = "#" + heading if heading else ""  # "# " -> "## "
    lines += ["", f"{sub}Verdicts that need review ({len(parts['needs_review'])})", ""]
    lines += [f"- {strong}{esc(ref)}{strong}: {esc(why)}"
              for ref, why in parts["needs_review"]] or ["None."]
    lines += ["", f"{sub}Sources that changed ({len(parts['sources'])})", ""]
    lines += [f"- {esc(c['source'])}: {c['before']} → {c['after']}"
              + (f" ({esc(c['reason'])})" if c["reason"] else "")
              for c in parts["sources"]] or ["None."]
    lines += ["", f"{sub}Evidence that moved ({len(parts['evidence'])})", ""]
    lines += [f"- {esc(c['claim'] or '')} at {esc(c['source'])}: {c['before']} → {c['after']}"
              for c in parts["evidence"]] or ["None."]
    return "\n".join(lines) + "\n"


def digest_markdown(run: dict[str, Any] | None, changes: list[dict[str, Any]],
                    needs_review: list[tuple[str, tuple[str, ...]]]) -> str:
    """The digest in Markdown, to post (a source's text is escaped)."""
    return _digest_lines(_digest_parts(run, changes, needs_review), _markdown_text, "**", "# ")


def digest_text(run: dict[str, Any] | None, changes: list[dict[str, Any]],
                needs_review: list[tuple[str, tuple[str, ...]]]) -> str:
    """The digest as plain text, for a terminal or a plain mail."""
    return _digest_lines(_digest_parts(run, changes, needs_review),
                         lambda value: " ".join(str(value).split()), "", "")


def digest_html(run: dict[str, Any] | None, changes: list[dict[str, Any]],
                needs_review: list[tuple[str, tuple[str, ...]]]) -> str:
    """The digest as one HTML page for mail clients: inline styles, everything escaped."""
    return _environment(None, True).get_template("digest.html.j2").render(
        **_digest_parts(run, changes, needs_review))
