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
from factcheck.text.labelled import Scores, by_kind, load_labelled, score  # noqa: E402
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


def _total(rows: list[Scores]) -> Scores:
    return Scores(*(sum(getattr(r, f) for r in rows) for f in (
        "sentences", "boundaries_right", "true_positives", "false_positives",
        "false_negatives")))


def main() -> None:
    rows: dict[str, Scores] = {}
    held_out: dict[str, Scores] = {}
    kinds: dict[str, dict[str, list[int]]] = {"development": {}, "held out": {}}
    text, labels = seed_labels()
    rows["seed article (opinion, curated claims)"] = score(extract_claims(text), labels)
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.yaml")):
        article = load_labelled(path)
        sentences = extract_claims(article.text)
        (held_out if article.held_out else rows)[article.title] = score(sentences,
                                                                        article.labels)
        tally = kinds["held out" if article.held_out else "development"]
        for kind, (right, total) in by_kind(sentences, article).items():
            tally.setdefault(kind, [0, 0])
            tally[kind][0] += right
            tally[kind][1] += total
    rows["all development articles"] = _total(list(rows.values()))
    held_out["all held-out articles"] = _total(list(held_out.values()))
    print(f"{'article':<62} {'sent':>4} {'split ok':>8} {'P':>5} {'R':>5}")
    for title, group in (("development (the features were tuned on these)", rows),
                         ("held out (written after, scored once)", held_out)):
        print(f"-- {title}")
        for name, r in group.items():
            print(f"{name[:62]:<62} {r.sentences:>4} {r.boundaries_right:>8} "
                  f"{r.precision:>5.2f} {r.recall:>5.2f}")
    print("\nBy kind (sentences judged right / sentences):")
    names = sorted({k for t in kinds.values() for k in t})
    print(f"{'kind':<24} {'development':>12} {'held out':>9}")
    for kind in names:
        cells = [f"{t[kind][0]}/{t[kind][1]}" if kind in t else "-" for t in kinds.values()]
        print(f"{kind:<24} {cells[0]:>12} {cells[1]:>9}")
    words = " ".join([text] * 8)
    start = time.perf_counter()
    extract_claims(words)
    seconds = time.perf_counter() - start
    count = len(words.split())
    print(f"{count:,} words in {seconds * 1000:.0f} ms")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)

    def table(group: dict[str, Scores]) -> dict[str, dict[str, float]]:
        return {n: {"sentences": r.sentences, "split_right": r.boundaries_right,
                    "precision": round(r.precision, 3), "recall": round(r.recall, 3)}
                for n, r in group.items()}
    (out / "claims.json").write_text(json.dumps({
        "machine": "2 cores", "development": table(rows), "held_out": table(held_out),
        "by_kind": kinds, "words": count, "seconds": round(seconds, 3)}, indent=2))


if __name__ == "__main__":
    main()
