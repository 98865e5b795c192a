"""The corpus of real pages (tests/fixtures/corpus): loading it, seeding its cited
sentences as evidence, and the edits and churn the tests and the benchmark apply.

The pages are real published pages from two open-source test sets (see the corpus's
README); the sentences were read from them by Chromium (bench/make_corpus.py). Each
edit here is made in the page's markup, as a site's own edit would be.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lxml.html
import yaml

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
_NUMBER = re.compile(r"(?<![\w.,])(\d+)(?![\w])")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")


@dataclass(frozen=True)
class CorpusPage:
    name: str
    url: str
    site: str
    language: str | None
    sentences: tuple[str, ...]

    @property
    def body(self) -> bytes:
        return gzip.decompress((CORPUS / "pages" / f"{self.name}.html.gz").read_bytes())

    @property
    def path(self) -> str:
        return f"/{self.name}"


def load() -> list[CorpusPage]:
    entries = json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))
    return [CorpusPage(e["name"], e["url"], e["site"], e["language"], tuple(e["sentences"]))
            for e in entries]


def seed(pages: list[CorpusPage], base_url: str, folder: Path) -> Path:
    """A seed with one claim per cited sentence, each rated and citing its page (served
    at ``base_url`` + the page's path). The claims' own text is ours."""
    lines, claims = [], []
    for i, page in enumerate(pages):
        for j, sentence in enumerate(page.sentences):
            quote = f"Claim {i}-{j} rests on a sentence of {page.site}."
            lines.append(quote)
            claims.append({
                "key": f"c{i}-{j}", "quote": quote, "kind": "statistic",
                "claim": quote,
                "verdict": {"rating": "true", "rationale": "The page says so (corpus test).",
                            "date": date(2026, 1, 1)},
                "evidence": [{"url": base_url + page.path, "quote": sentence,
                              "stance": "supports"}]})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "corpus.yaml").write_text(yaml.safe_dump({
        "document": {"key": "corpus", "title": "Corpus of real pages",
                     "text_file": "corpus.txt"},
        "reviewer": "corpus test", "claims": claims}, allow_unicode=True), encoding="utf-8")
    return folder


def churn(body: bytes, round_: int) -> bytes:
    """The page with what changes on every visit outside the article: a ticker with the
    time, a promo box of random words, a script nonce."""
    rng = random.Random(round_)
    words = " ".join(rng.choice(("sale", "deal", "new", "today", "offer", "now", "win"))
                     for _ in range(12))
    extra = (f'<div class="ticker">Updated 0{round_ % 10}:{rng.randint(10, 59)} UTC</div>'
             f'<aside class="promo"><p>{words}</p></aside>'
             f'<script nonce="{rng.getrandbits(64):x}">var t={round_};</script>').encode()
    match = re.search(rb"<body[^>]*>", body, re.I)
    if match is None:
        return extra + body
    return body[:match.end()] + extra + body[match.end():]


def _tree(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(body.decode("utf-8", "replace"))


_QUOTES = str.maketrans("‘’“”", "''\"\"")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(_QUOTES)


def _holder(tree: lxml.html.HtmlElement, sentence: str) -> lxml.html.HtmlElement | None:
    """The smallest element whose text holds ``sentence``; None where the page shows
    the sentence twice (a caption repeating the article: one edit leaves the other)."""
    wanted = _squash(sentence)
    if _squash(tree.text_content()).count(wanted) != 1:
        return None
    best = None
    for element in tree.iter("p", "li", "div", "blockquote", "td", "span", "section"):
        if wanted in _squash(element.text_content()) and (
                best is None or len(element.text_content()) < len(best.text_content())):
            best = element
    return best


def edit_figure(body: bytes, sentence: str, pattern: re.Pattern[str] = _NUMBER
                ) -> tuple[bytes, str, str] | None:
    """The page with the first figure of ``sentence`` changed in its markup (in the text
    node that holds it): (new body, old figure, new figure), or None if it cannot be."""
    match = pattern.search(sentence)
    if match is None:
        return None
    old = match.group(0)
    digits = match.group(1)
    new_digits = str(int(digits) + 7) if len(digits) < 4 else str(int(digits) - 3)
    new = old.replace(digits, new_digits, 1)
    tree = _tree(body)
    holder = _holder(tree, sentence)
    if holder is None:
        return None
    wanted = _squash(sentence[:match.start()] + new + sentence[match.end():])
    written = re.compile(rf"(?<![\w.,]){re.escape(old)}(?!\w)")
    for element in holder.iter():
        for attribute in ("text", "tail"):
            value = getattr(element, attribute)
            if (element is holder and attribute == "tail") or not value:
                continue
            for place in written.finditer(value):
                setattr(element, attribute, value[:place.start()] + new + value[place.end():])
                if wanted in _squash(holder.text_content()):  # the figure in the sentence
                    return lxml.html.tostring(tree, encoding="utf-8"), old, new
                setattr(element, attribute, value)
    return None


def edit_ordinal(body: bytes, sentence: str) -> tuple[bytes, str, str] | None:
    return edit_figure(body, sentence, _ORDINAL)


def remove_paragraph(body: bytes, sentence: str) -> bytes | None:
    """The page without the element that holds ``sentence``."""
    tree = _tree(body)
    holder = _holder(tree, sentence)
    if holder is None or holder.getparent() is None:
        return None
    holder.drop_tree()
    middle = _squash(sentence)[len(_squash(sentence)) // 3:2 * len(_squash(sentence)) // 3]
    if middle in _squash(tree.text_content()):
        return None  # much of it is said elsewhere on the page: not a clean removal
    return lxml.html.tostring(tree, encoding="utf-8")
