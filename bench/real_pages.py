"""Flags on real pages: the corpus of tests/fixtures/corpus read as the recheck reads it.

For each of its pages (real published pages, see the corpus README): the first check
(each cited sentence anchored in the page's reader text), a round of churn outside the
article, and the edits the tests make (a figure, an ordinal, a paragraph removed).
Prints how many sentences are found, how many churn flags, and what each kind of edit
was called; and the old way of reading markup (a line per text node) for comparison.
Library level, no server: tests/test_corpus.py runs the same through the recheck.

    python bench/real_pages.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.policy.evidence import assess
from factcheck.text.extract import extract
from tests import corpus


def main() -> None:
    pages = corpus.load()
    first: Counter[str] = Counter()
    churned: Counter[str] = Counter()
    edits: dict[str, Counter[str]] = {"figure": Counter(), "ordinal": Counter(),
                                      "paragraph removed": Counter()}
    seconds = 0.0
    for page in pages:
        body = page.body
        started = time.perf_counter()
        text = extract(body, "text/html", page.url).text
        seconds += time.perf_counter() - started
        churn_text = extract(corpus.churn(body, 1), "text/html", page.url).text
        for sentence in page.sentences:
            first[assess(sentence, text).status] += 1
            churned[assess(sentence, churn_text).status] += 1
            for kind, edit in (("figure", corpus.edit_figure),
                               ("ordinal", corpus.edit_ordinal)):
                changed = edit(body, sentence)
                if changed is not None:
                    edited = extract(changed[0], "text/html", page.url).text
                    edits[kind][assess(sentence, edited).status] += 1
            removed = corpus.remove_paragraph(body, sentence)
            if removed is not None:
                edited = extract(removed, "text/html", page.url).text
                edits["paragraph removed"][assess(sentence, edited).status] += 1
    total = sum(first.values())
    print(f"Real pages: {len(pages)} pages from {len({p.site for p in pages})} sites, "
          f"{total} cited sentences")
    print(f"  first check: {first['found']} of {total} found "
          f"({100 * first['found'] / total:.1f}%); {dict(first)}")
    flagged = total - churned["found"]
    print(f"  churn outside the article: {flagged} flagged; {dict(churned)}")
    for kind, statuses in edits.items():
        print(f"  edit, {kind}: {sum(statuses.values())} edits; {dict(statuses)}")
    print(f"  extract: {1000 * seconds / len(pages):.1f} ms per page (mean)")


if __name__ == "__main__":
    main()
