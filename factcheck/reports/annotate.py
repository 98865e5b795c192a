"""The annotated article: a document's text cut into runs, each marked by the claim
whose stored span covers it.

Offsets come from the claims' stored spans and nothing else (no searching the text),
so a mark is exactly where the seed or the desk put the claim. Spans may nest or
overlap: every run belongs to the innermost claim covering it, a checkable claim
before a not-checkable one, so a rated statistic inside an opinion keeps its mark.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

__all__ = ["Run", "Spanned", "annotate", "paragraphs"]


class Spanned(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def checkable(self) -> bool: ...


C = TypeVar("C", bound=Spanned)


@dataclass(frozen=True)
class Run(Generic[C]):
    """A run of the text and the claim it belongs to (None: no claim covers it)."""

    text: str
    claim: C | None
    #: True for the first run of a claim's mark: where its label goes.
    first: bool = False
    #: True for the last run of a claim's mark.
    last: bool = False


def annotate(text: str, claims: Iterable[C]) -> list[Run[C]]:
    """``text`` as runs, in order; joined, they give ``text`` back exactly.

    One sweep over the cut points: a heap holds the claims begun so far, innermost
    first, and those already ended are dropped as they reach its top (linear in the
    claims, up to a logarithm, however many there are)."""
    spans = [c for c in claims if 0 <= c.start < c.end <= len(text)]
    cuts = sorted({0, len(text), *(c.start for c in spans), *(c.end for c in spans)})
    starting: dict[int, list[tuple[int, C]]] = {}
    for order, c in enumerate(spans):
        starting.setdefault(c.start, []).append((order, c))
    begun: list[tuple[tuple[bool, int, int], int, C]] = []
    pieces: list[tuple[int, int, C | None]] = []
    for lo, hi in itertools.pairwise(cuts):
        for order, c in starting.get(lo, ()):
            heapq.heappush(begun, ((not c.checkable, c.end - c.start, c.start), order, c))
        while begun and begun[0][2].end <= lo:
            heapq.heappop(begun)
        owner = begun[0][2] if begun else None
        if pieces and pieces[-1][2] is owner:
            pieces[-1] = (pieces[-1][0], hi, owner)
        else:
            pieces.append((lo, hi, owner))
    return _flagged(text, pieces)


def _flagged(text: str, pieces: Sequence[tuple[int, int, C | None]]
                         ) -> list[Run[C]]:
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for i, (_, _, owner) in enumerate(pieces):
        if owner is not None:
            firsts.setdefault(id(owner), i)
            lasts[id(owner)] = i
    return [Run(text[lo:hi], owner,
                first=owner is not None and firsts[id(owner)] == i,
                last=owner is not None and lasts[id(owner)] == i)
            for i, (lo, hi, owner) in enumerate(pieces)]


def paragraphs(runs: Sequence[Run[C]]) -> list[list[Run[C]]]:
    """The runs cut at line breaks into paragraphs (a mark across a break is cut in two,
    each part keeping its claim); empty paragraphs are left out."""
    out: list[list[Run[C]]] = [[]]
    for run in runs:
        lines = run.text.split("\n")
        for i, line in enumerate(lines):
            if i:
                out.append([])
            if line:
                out[-1].append(Run(line, run.claim, first=run.first and i == 0,
                                   last=run.last and i == len(lines) - 1))
    return [p for p in out if any(r.text.strip() for r in p)]
