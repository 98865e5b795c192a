"""Benchmark: anchoring a cited passage in 100 KB and 1 MB texts, and figure parsing.

Exact (the passage is there as cited), normalized (reflowed white space and curly
quotes), approximate (two words edited) and missing (deleted). Median of repeated
runs, in milliseconds. Writes bench/results/anchoring.json.

    .venv/bin/python bench/anchoring.py
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from factcheck.text.anchor import anchor
from factcheck.text.figures import compare_figures, find_quantities

QUOTE = ("The defense budget, which stood at ¥5.4 trillion in fiscal 2022, is expected "
         "to be boosted to about ¥8.9 trillion in fiscal 2027.")
WORDS = ("the of and to in a is that for on with as by at from its was budget defense "
         "government minister plan policy year fiscal trillion billion percent region "
         "alliance security council report spending increase official statement").split()


def filler(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    length = 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize()
        sentence += f" {rng.randint(1, 999)}.{rng.randint(0, 9)} " + rng.choice(WORDS) + "."
        out.append(sentence)
        length += len(sentence) + 1
    return " ".join(out)


def median_ms(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    rows = {}
    for label, size in (("100 KB", 100_000), ("1 MB", 1_000_000)):
        base = filler(size)
        middle = len(base) * 2 // 3
        text = base[:middle] + " " + QUOTE + " " + base[middle:]
        cases = {
            "exact": text,
            "normalized": text.replace(QUOTE, QUOTE.replace(", which", ",\n   which")
                                       .replace("The defense", "THE DEFENSE")),
            "approximate": text.replace(QUOTE, QUOTE.replace("boosted", "raised")
                                        .replace("about", "roughly")),
            "missing": base,
        }
        row = {}
        for case, haystack in cases.items():
            status = anchor(haystack, QUOTE).status
            row[case] = {"status": status,
                         "median_ms": round(median_ms(lambda h=haystack: anchor(h, QUOTE),
                                                      repeat=15), 3)}
        rows[label] = row
    figures_ms = median_ms(lambda: compare_figures(QUOTE, QUOTE), repeat=200)
    parse_100k = median_ms(lambda: find_quantities(filler(100_000)[:100_000]), repeat=5)
    result = {"machine": "2 cores", "anchoring": rows,
              "compare_figures_one_passage_ms": round(figures_ms, 3),
              "find_quantities_100kb_ms": round(parse_100k, 1)}
    print(f"{'text':<8} {'case':<12} {'status':<9} {'median ms':>10}")
    for label, row in rows.items():
        for case, cell in row.items():
            print(f"{label:<8} {case:<12} {cell['status']:<9} {cell['median_ms']:>10.3f}")
    print(f"compare_figures on one passage: {figures_ms:.3f} ms; "
          f"find_quantities on 100 KB: {parse_100k:.1f} ms")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "anchoring.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
