"""Labelled articles for measuring check-worthiness: loading them and scoring a run.

A labelled article is YAML: ``title``, optional ``byline``, optional ``held_out: true``
(written after the features were developed, scored once), and ``paragraphs``, each a
``{heading: text}`` or a list of ``[check_worthy, sentence]`` pairs or
``[check_worthy, sentence, kind]`` triples (the labelling guide in
``tests/fixtures/articles/README.md`` names the kinds). The text is the byline, then
the paragraphs one per line, sentences joined by a space, so every labelled sentence
has exact offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from factcheck.text.sentences import Sentence

__all__ = ["Labelled", "Scores", "by_kind", "load_labelled", "score"]


@dataclass(frozen=True)
class Labelled:
    title: str
    text: str
    #: (start, end, check_worthy) for every labelled sentence.
    labels: tuple[tuple[int, int, bool], ...]
    #: The kind of each labelled sentence ("" where the file gives none), in order.
    kinds: tuple[str, ...] = ()
    #: Written after the features, scored once: kept out of development.
    held_out: bool = False


@dataclass(frozen=True)
class Scores:
    sentences: int
    boundaries_right: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def load_labelled(path: str | Path) -> Labelled:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    lines: list[str] = []
    labels: list[tuple[int, int, bool]] = []
    kinds: list[str] = []
    offset = 0
    if data.get("byline"):
        lines.append(data["byline"])
        offset += len(data["byline"]) + 1
    for paragraph in data["paragraphs"]:
        if isinstance(paragraph, dict):
            line = paragraph["heading"]
        else:
            parts: list[str] = []
            for worthy, sentence, *kind in paragraph:
                start = offset + sum(len(p) + 1 for p in parts)
                labels.append((start, start + len(sentence), bool(worthy)))
                kinds.append(kind[0] if kind else "")
                parts.append(sentence)
            line = " ".join(parts)
        lines.append(line)
        offset += len(line) + 1
    return Labelled(data["title"], "\n".join(lines), tuple(labels), tuple(kinds),
                    bool(data.get("held_out")))


def by_kind(sentences: list[Sentence], article: Labelled) -> dict[str, tuple[int, int]]:
    """Per labelled kind: (sentences judged right, sentences of that kind)."""
    predicted = {(s.start, s.end): s.check_worthy for s in sentences}
    tally: dict[str, tuple[int, int]] = {}
    for (start, end, worthy), kind in zip(article.labels, article.kinds, strict=True):
        right, total = tally.get(kind or "unlabelled", (0, 0))
        tally[kind or "unlabelled"] = (right + (predicted.get((start, end)) == worthy),
                                       total + 1)
    return tally


def score(sentences: list[Sentence], labels: tuple[tuple[int, int, bool], ...]) -> Scores:
    """Check-worthiness against the labels; a sentence split wrongly counts as missed."""
    predicted = {(s.start, s.end): s.check_worthy for s in sentences}
    tp = fp = fn = right = 0
    for start, end, worthy in labels:
        guess = predicted.get((start, end))
        if guess is not None:
            right += 1
        if worthy and guess:
            tp += 1
        elif worthy:
            fn += 1
        elif guess:
            fp += 1
    return Scores(len(labels), right, tp, fp, fn)
