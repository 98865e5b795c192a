"""Fit check-worthiness weights to the development articles (L2-regularised logistic
regression over the named features), and say how well the fit generalises.

    .venv/bin/python bench/fit_weights.py [--l2 1.0]

The model stays the readable one in ``factcheck/text/sentences.py``: a bias plus one
weight per named feature (counts capped as in ``WEIGHTS``). This script prints the
fitted table to paste there, and two honest figures on the development articles:
the fit scored on what it was fitted to, and leave-one-article-out (each article
scored by weights fitted without it), for each regularisation strength tried. Held-out
articles are never read here.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claims import seed_labels  # noqa: E402
from factcheck.text.labelled import load_labelled  # noqa: E402
from factcheck.text.sentences import BIAS, WEIGHTS, extract_claims, model_inputs  # noqa: E402

NAMES = list(WEIGHTS)
Row = tuple[list[float], bool]


def development() -> dict[str, list[Row]]:
    """Every labelled sentence of the development articles as (inputs, check-worthy)."""
    articles: list[tuple[str, str, tuple[tuple[int, int, bool], ...]]] = [
        ("seed article", *seed_labels())]
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.yaml")):
        article = load_labelled(path)
        if not article.held_out:
            articles.append((path.stem, article.text, article.labels))
    rows: dict[str, list[Row]] = {}
    for name, text, labels in articles:
        found = {(s.start, s.end) for s in extract_claims(text)}
        rows[name] = []
        for start, end, worthy in labels:
            if (start, end) in found:
                x = model_inputs(text[start:end])
                rows[name].append(([float(x.get(n, 0)) for n in NAMES], worthy))
    return rows


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a small, positive-definite system)."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def fit(rows: list[Row], l2: float) -> tuple[float, list[float]]:
    """Bias and weights minimising the logistic loss plus ``l2`` times the squared
    weights (the bias is not penalised), by Newton's method."""
    k = len(NAMES) + 1
    w = [0.0] * k  # w[0] is the bias
    for _ in range(50):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in rows:
            v = [1.0, *x]
            p = 1 / (1 + math.exp(-sum(a * b for a, b in zip(w, v, strict=True))))
            for i in range(k):
                grad[i] += (p - float(y)) * v[i]
                for j in range(k):
                    hess[i][j] += p * (1 - p) * v[i] * v[j]
        for i in range(1, k):
            grad[i] += 2 * l2 * w[i]
            hess[i][i] += 2 * l2
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w[0], w[1:]


def scores(rows: list[Row], bias: float, weights: list[float]) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for x, y in rows:
        guess = bias + sum(a * b for a, b in zip(weights, x, strict=True)) >= 0
        tp += guess and y
        fp += guess and not y
        fn += y and not guess
    return tp, fp, fn


def _pr(tp: int, fp: int, fn: int) -> str:
    return f"P {tp / max(tp + fp, 1):.2f} R {tp / max(tp + fn, 1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--l2", type=float, default=0.1,
                        help="print the table fitted with this strength (default 0.1: within "
                             "a hair of the best leave-one-article-out F1, with smaller weights)")
    args = parser.parse_args()
    rows = development()
    everything = [r for group in rows.values() for r in group]
    print(f"{len(everything)} development sentences in {len(rows)} articles")
    print(f"the weights in sentences.py now: "
          f"{_pr(*scores(everything, BIAS, [WEIGHTS[n][0] for n in NAMES]))}")
    for l2 in (0.03, 0.1, 0.3, 1.0, 3.0):
        tally = [0, 0, 0]
        for held in rows:
            bias, weights = fit([r for name, g in rows.items() if name != held for r in g], l2)
            for i, n in enumerate(scores(rows[held], bias, weights)):
                tally[i] += n
        bias, weights = fit(everything, l2)
        tp, fp, fn = tally
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        print(f"l2 {l2:>4}: fitted on all {_pr(*scores(everything, bias, weights))}; "
              f"leave-one-article-out {_pr(tp, fp, fn)} (F1 {f1:.3f})")
    l2 = args.l2
    bias, weights = fit(everything, l2)
    print(f"\nWEIGHTS fitted with l2 {l2} (paste into factcheck/text/sentences.py):")
    print("WEIGHTS = {")
    for name, weight in zip(NAMES, weights, strict=True):
        print(f'    "{name}": ({weight:.2f}, {WEIGHTS[name][1]}),')
    print("}")
    print(f"BIAS = {bias:.2f}")


if __name__ == "__main__":
    main()
