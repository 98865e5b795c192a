"""Check-worthiness as people speak it: the words and word pairs of debate sentences.

The article model (``sentences.py``) names what a sentence states: figures, dates, events,
changes. Spoken sentences state the same things in other words ("we've lost 700,000
jobs", "he voted against it twice"), so a second, lexical layer is fitted by
``bench/fit_spoken.py`` on the ClaimBuster debate sentences: a logistic regression over the
article model's log-odds, its named features one by one, and TF-IDF of words and word
pairs. The model file holds numbers and words, no sentence, and is read once per process
(180 KB gzipped).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: How words are cut (scikit-learn's token pattern, so the fit and the run agree).
TOKEN = r"(?u)\b\w+\b"
_TOKEN = re.compile(TOKEN)
#: Words rarer than this (an idf above it: in fewer than about 1 in 20 sentences) are named
#: among the reasons for a score.
NAMED = 4.0
MODEL = Path(__file__).with_name("spoken-model.json.gz")


@dataclass(frozen=True)
class SpokenModel:
    article_weight: float
    bias: float
    named: dict[str, float]  # the article model's named features, weighted anew
    terms: dict[str, tuple[float, float]]  # word or word pair: (idf, weight)

    def z(self, sentence: str, article_z: float,
          named: dict[str, int]) -> tuple[float, tuple[str, ...]]:
        """The log-odds of ``sentence`` being check-worthy, and the words that raised it
        most (at most three, strongest first)."""
        words = _TOKEN.findall(sentence.lower())
        counts = Counter(words)
        counts.update(f"{a} {b}" for a, b in itertools.pairwise(words))
        values: dict[str, float] = {}
        for term, n in counts.items():
            known = self.terms.get(term)
            if known:
                values[term] = (1 + math.log(n)) * known[0]
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        parts = {term: v / norm * self.terms[term][1] for term, v in values.items()}
        # Common words (low idf: "of", "in") raise scores too, but name nothing.
        raised = sorted((t for t, p in parts.items() if p > 0.05 and self.terms[t][0] > NAMED),
                        key=lambda t: -parts[t])
        base = self.bias + self.article_weight * article_z + sum(
            self.named.get(name, 0.0) * n for name, n in named.items())
        return (base + sum(parts.values()),
                tuple(raised[:3]))


@cache
def model() -> SpokenModel:
    with gzip.open(MODEL, "rt", encoding="utf-8") as f:
        data = json.load(f)
    return SpokenModel(float(data["article_weight"]), float(data["bias"]),
                       {n: float(w) for n, w in data.get("named", {}).items()},
                       {t: (float(i), float(w)) for t, (i, w) in data["terms"].items()})
