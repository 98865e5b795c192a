"""Drafting a seed file for a new article, so its claims need not be typed by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from factcheck.text.sentences import byline_authors, extract_claims

__all__ = ["draft_seed"]


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    base = "-".join(words)[:60].strip("-") or "sentence"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def draft_seed(article: str | Path, output: str | Path) -> dict[str, Any]:
    """Write a seed file for ``article`` to ``output`` and return what was written.

    Every sentence is accounted for: check-worthy ones become checkable draft claims
    with no verdict; the rest are recorded as not checkable; headings as
    characterizations. A person edits it (restates claims, adds evidence and verdicts)
    and loads it with ``factcheck seed``.
    """
    article, output = Path(article), Path(output)
    text = article.read_text(encoding="utf-8")
    sentences = extract_claims(text)
    document: dict[str, Any] = {
        "key": _slug(article.stem, set()),
        "text_file": os.path.relpath(article.resolve(), output.resolve().parent)}
    keys: set[str] = set()
    claims = []
    for s in sentences:
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
            claim["note"] = "; ".join(notes)
        claims.append(claim)
    data = {"document": document, "claims": claims}
    header = (f"# Draft claims for {article.name}, made by `factcheck draft-seed`.\n"
              "# Edit: restate claims, split mixed sentences, add evidence and verdicts,\n"
              "# then load with `factcheck seed`.\n")
    output.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                              width=100), encoding="utf-8")
    return data
