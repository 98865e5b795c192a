"""Fit the spoken-language part of check-worthiness (words and word pairs) to the
ClaimBuster sentences, and say how well it does on a part kept aside.

    .venv/bin/pip install scikit-learn   # fitting only; nothing of it is used at run time
    .venv/bin/python bench/fit_spoken.py CLAIMBUSTER_JSON... [--write]

CLAIMBUSTER_JSON are the two-class files of the ClaimBuster dataset (Arslan, Hassan, Li,
Tremayne, "A Benchmark Dataset of Check-worthy Factual Claims", ICWSM 2020,
doi:10.5281/zenodo.3609356), as copied in utaresearch/claimbuster-spotter under
``data/two_class/`` (``kfold_25ncs.json``, ``train.json``): US presidential debate
sentences with ``sentence_id``, ``label`` (1 check-worthy factual claim, 0 not) and ``text``.

The split is fixed by the sentence id: the fifth whose sha256 ends in 0 modulo 5 is kept
aside and read only to print its figure, after the model is chosen on the rest by
five-fold cross-validation. The development articles (tests/fixtures/articles, not the
held-out ones, plus the seed article) are fitted alongside, weighted, so that the article
model keeps its say; held-out articles are scored once, never fitted.

The model is a logistic regression over the article model's own log-odds, its named
features one by one, and TF-IDF of words and word pairs. ``--write`` saves it as
``factcheck/text/spoken-model.json.gz``: numbers and word strings, no sentence.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claims import seed_labels  # noqa: E402
from factcheck.text import spoken  # noqa: E402
from factcheck.text.labelled import load_labelled  # noqa: E402
from factcheck.text.sentences import WEIGHTS, article_z, extract_claims, model_inputs  # noqa: E402

ARTICLE_WEIGHT = 5.0  # each development-article sentence counts as five debate sentences
Rows = list[tuple[str, int]]
NAMES = list(WEIGHTS)


def aside(sentence_id: int) -> bool:
    return int(hashlib.sha256(str(sentence_id).encode()).hexdigest(), 16) % 5 == 0


def claimbuster(paths: list[str]) -> tuple[Rows, Rows]:
    rows: dict[int, tuple[str, int]] = {}
    for path in paths:
        for row in json.loads(Path(path).read_text(encoding="utf-8")):
            rows[int(row["sentence_id"])] = (row["text"], int(row["label"]))
    dev = [r for i, r in sorted(rows.items()) if not aside(i)]
    kept = [r for i, r in sorted(rows.items()) if aside(i)]
    return dev, kept


def articles() -> tuple[Rows, Rows]:
    dev: Rows = []
    held: Rows = []
    labelled = [(*seed_labels(), False)]
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.yaml")):
        article = load_labelled(path)
        labelled.append((article.text, article.labels, article.held_out))
    for text, labels, held_out in labelled:
        found = {(s.start, s.end) for s in extract_claims(text)}
        for start, end, worthy in labels:
            if (start, end) in found:
                (held if held_out else dev).append((text[start:end], int(worthy)))
    return dev, held


def main() -> None:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("claimbuster", nargs="+")
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    debate, kept = claimbuster(args.claimbuster)
    art_dev, art_held = articles()
    train = debate + art_dev
    weights = [1.0] * len(debate) + [ARTICLE_WEIGHT] * len(art_dev)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                 token_pattern=spoken.TOKEN, lowercase=True)
    vectorizer.fit([t for t, _ in debate])

    def inputs(rows: Rows):  # type: ignore[no-untyped-def]
        named = csr_matrix([[float(model_inputs(t).get(n, 0)) for n in NAMES]
                            for t, _ in rows])
        z = csr_matrix([[article_z(t)] for t, _ in rows])
        return hstack([vectorizer.transform([t for t, _ in rows]), named, z]).tocsr()

    x, y = inputs(train), [label for _, label in train]
    # The cut: the one that is best across five folds of the development data.
    cuts = [i / 100 for i in range(25, 66)]
    found = dict.fromkeys(cuts, 0.0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    for fit, test in folds.split(x, y):
        model = LogisticRegression(C=args.c, max_iter=5000).fit(
            x[fit], [y[i] for i in fit], sample_weight=[weights[i] for i in fit])
        p = model.predict_proba(x[test])[:, 1]
        for c in cuts:
            found[c] += f1_score([y[i] for i in test], p >= c) / 5
    cut = max(cuts, key=lambda c: found[c])
    model = LogisticRegression(C=args.c, max_iter=5000).fit(x, y, sample_weight=weights)

    def report(name: str, rows: Rows) -> dict[str, float]:
        truth = [label for _, label in rows]
        guess = model.predict_proba(inputs(rows))[:, 1] >= cut
        out = {"sentences": len(rows), "f1": round(f1_score(truth, guess), 3),
               "precision": round(precision_score(truth, guess), 3),
               "recall": round(recall_score(truth, guess), 3)}
        print(f"{name:<40} {out['sentences']:>6}  F1 {out['f1']:.3f}  "
              f"P {out['precision']:.3f}  R {out['recall']:.3f}")
        return out

    print(f"cut {cut:.2f} (five-fold F1 on development {found[cut]:.3f}), C {args.c}")
    figures = {"cross_validated_f1": round(found[cut], 3),
               "claimbuster_kept_aside": report("ClaimBuster, kept aside (read once)", kept),
               "articles_held_out": report("held-out articles", art_held),
               "articles_development": report("development articles (fitted)", art_dev)}

    vocabulary = vectorizer.vocabulary_
    coef = model.coef_[0]
    terms = {term: [round(float(vectorizer.idf_[i]), 4), round(float(coef[i]), 4)]
             for term, i in vocabulary.items()}
    saved = {
        "about": "Check-worthiness of spoken sentences: logistic regression over the "
                 "article model's log-odds and TF-IDF of words and word pairs, fitted by "
                 "bench/fit_spoken.py to ClaimBuster (doi:10.5281/zenodo.3609356) and the "
                 "development articles. No sentence of either is stored here.",
        "article_weight": round(float(coef[-1]), 4),
        "named": {n: round(float(coef[len(vocabulary) + i]), 4) for i, n in enumerate(NAMES)},
        # The cut is folded into the bias, so 0.5 stays the check-worthy line.
        "bias": round(float(model.intercept_[0]) - math.log(cut / (1 - cut)), 4),
        "terms": terms,
        "figures": figures,
    }
    if args.write:
        path = spoken.MODEL
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
            json.dump(saved, out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes, "
              f"{len(terms):,} terms)")


if __name__ == "__main__":
    main()
