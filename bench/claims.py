"""Check-worthiness: precision and recall on labelled articles, and speed.

    .venv/bin/python bench/claims.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from factcheck.seeds import read_seed  # noqa: E402 - after the path is set
from factcheck.text.labelled import Scores, load_labelled, score  # noqa: E402
from factcheck.text.sentences import extract_claims  # noqa: E402


def seed_labels() -> tuple[str, tuple[tuple[int, int, bool], ...]]:
    """The seed article, labelled by its curated claims: check-worthy where a checkable
    claim rests on the sentence."""
    seed = read_seed(ROOT / "seeds" / "claims.yaml")
    text = seed.document.text
    spans = [(c.start, c.end) for c in seed.claims if c.checkable]
    labels = tuple((s.start, s.end, any(a < s.end and s.start < b for a, b in spans))
                   for s in extract_claims(text) if s.kind not in ("heading", "byline"))
    return text, labels


def main() -> None:
    rows: dict[str, Scores] = {}
    text, labels = seed_labels()
    rows["seed article (opinion, curated claims)"] = score(extract_claims(text), labels)
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.yaml")):
        article = load_labelled(path)
        rows[article.title] = score(extract_claims(article.text), article.labels)
    total = Scores(*(sum(getattr(r, f) for r in rows.values()) for f in (
        "sentences", "boundaries_right", "true_positives", "false_positives",
        "false_negatives")))
    rows["all"] = total
    print(f"{'article':<62} {'sent':>4} {'split ok':>8} {'P':>5} {'R':>5}")
    for name, r in rows.items():
        print(f"{name[:62]:<62} {r.sentences:>4} {r.boundaries_right:>8} "
              f"{r.precision:>5.2f} {r.recall:>5.2f}")
    words = " ".join([text] * 8)
    start = time.perf_counter()
    extract_claims(words)
    seconds = time.perf_counter() - start
    count = len(words.split())
    print(f"{count:,} words in {seconds * 1000:.0f} ms")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "claims.json").write_text(json.dumps({
        "machine": "2 cores",
        "articles": {n: {"sentences": r.sentences, "split_right": r.boundaries_right,
                         "precision": round(r.precision, 3), "recall": round(r.recall, 3)}
                     for n, r in rows.items()},
        "words": count, "seconds": round(seconds, 3)}, indent=2))


if __name__ == "__main__":
    main()
