"""Drafting a seed file for a new article, so its claims need not be typed by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from factcheck.text.sentences import byline_authors, extract_claims

if TYPE_CHECKING:
    from factcheck.store import Database
    from factcheck.store.matching import Match

__all__ = ["checked_before", "draft_seed"]


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    base = "-".join(words)[:60].strip("-") or "sentence"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def checked_before(match: Match) -> str:
    """How a draft (and the CLI) names a claim a sentence repeats and how it was judged."""
    judged = f"rated {match.rating}" if match.rating else "no verdict yet"
    if match.reviewed_on:
        judged += f" on {match.reviewed_on.isoformat()}"
    where = f", {match.url}" if match.url else ""
    return f"checked before: {match.claim} ({judged}; similarity {match.similarity:.2f}{where})"


def draft_seed(article: str | Path, output: str | Path, *,
               store: Database | None = None) -> dict[str, Any]:
    """Write a seed file for ``article`` to ``output`` and return what was written.

    Every sentence is accounted for: check-worthy ones become checkable draft claims
    with no verdict; the rest are recorded as not checkable; headings as
    characterizations. A person edits it (restates claims, adds evidence and verdicts)
    and loads it with ``factcheck seed``.

    With ``store``, a check-worthy sentence that repeats claims already in its table says
    so in its note (which claim, its rating and when), so the checker starts there.
    """
    article, output = Path(article), Path(output)
    text = article.read_text(encoding="utf-8")
    sentences = extract_claims(text)
    repeats = {m.sentence.start: m.matches for m in store.match(text)} if store else {}
    document: dict[str, Any] = {
        "key": _slug(article.stem, set()),
        "text_file": os.path.relpath(article.resolve(), output.resolve().parent)}
    keys: set[str] = set()
    claims = []
    for s in sentences:
        if s.kind == "heading" and "title" not in document:
            document["title"] = s.text
        if s.kind == "byline":
            document["byline"] = s.text
            document["authors"] = byline_authors(s.text)
            continue
        claim: dict[str, Any] = {"key": _slug(s.text, keys), "quote": s.text}
        if text.count(s.text) > 1:
            claim["start"] = s.start
        if s.kind == "heading":
            claim.update(kind="characterization", checkable=False, note="Section heading.")
        else:
            claim.update(kind=s.kind, checkable=s.check_worthy)
            notes = [f"check-worthiness {s.score:.2f} ({', '.join(s.features) or 'none'})"]
            notes += list(s.parts)
            notes += [checked_before(m) for m in repeats.get(s.start, [])]
            claim["note"] = "; ".join(notes)
        claims.append(claim)
    document.setdefault("title", None)
    document["published"] = None
    data = {"document": document, "claims": claims}
    header = (f"# Draft claims for {article.name}, made by `factcheck draft-seed`.\n"
              "# Edit: fill in the document's title and published date (YYYY, YYYY-MM or\n"
              "# YYYY-MM-DD; empty ones may stay empty), restate claims, split mixed\n"
              "# sentences, and give each check-worthy claim what it rests on, like this:\n"
              "#\n"
              "#   - key: ...\n"
              "#     quote: ...                  # as drafted: the article's exact words\n"
              "#     claim: \"The assertion in our words (75 characters at most).\"\n"
              "#     claimant: {name: Who said it, url: https://example.org/who}\n"
              "#     verdict: {rating: \"true\", rationale: \"Why, in a sentence or two.\",\n"
              "#               date: 2024-03-15}\n"
              "#     evidence:\n"
              "#       - {url: \"https://example.org/source\", quote: \"The passage, verbatim.\",\n"
              "#          stance: supports}\n"
              "#\n"
              "# then load it with `factcheck seed`.\n")
    output.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                              width=100), encoding="utf-8")
    return data
