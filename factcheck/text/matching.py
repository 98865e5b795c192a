"""Have we checked this before? Whether a new sentence repeats a claim already checked.

A match means the same claim, not the same topic. Two steps:

1. **Closeness**: static word embeddings (WordLlama's, shipped inside its package: no
   download, no deep-learning framework; a sentence is the mean of its token vectors).
   Paraphrases land close ("Tokyo intends to lift military spending" and "Japan plans to
   raise its defense budget"), and so do near misses ("Japan plans to *cut* ...").
2. **Same claim**: what the project already reads in a sentence must agree. Figures of
   the same kind must share a value; years too; the named places, people and parties
   must not be swapped for others (capitals and demonyms count as their country); the
   direction of change must not turn around; and the words the two do *not* share must
   still be about the same thing ("resurfacing roads" is not "a single bus stop").

``compare`` is the pure judgement of one pair; ``Matcher`` holds the claims' vectors and
finds the best matches for a sentence among 100,000 claims in milliseconds.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from factcheck.text.figures import Quantity, find_quantities

__all__ = ["EMBEDDING", "Comparison", "Matcher", "compare", "embed"]

#: The embedding in use, recorded beside each stored vector (a new one re-embeds).
EMBEDDING = "wordllama-l2-supercat-256"
#: How close a sentence and a claim must be, at least (cosine of their vectors).
SIMILAR = 0.45
#: How close they must be when they share no figure and no name (nothing anchors them).
UNANCHORED = 0.7
#: Where a sentence is a near copy of a claim, how close each passage it puts in place
#: of the claim's words must be to them.
SAME_SUBJECT = 0.45

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class _Embedding:
    tokenizer: Any
    weights: Vectors


@cache
def _model() -> _Embedding:
    """WordLlama's 256-dimension token vectors and tokenizer, read from its package's
    files (its own loader looks for the tokenizer in a folder the wheel lacks, then goes
    to the network; and importing the package costs 0.4 s of start-up we need not pay)."""
    from safetensors import safe_open
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordllama is not installed (pip install wordllama)")
    root = Path(next(iter(spec.submodule_search_locations)))
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np") as f:
        weights = np.ascontiguousarray(f.get_tensor("embedding.weight"), dtype=np.float32)
    return _Embedding(tokenizer, weights)


def embed(texts: Sequence[str]) -> Vectors:
    """Unit vectors for ``texts`` (one row each): the mean of their tokens' vectors, as
    WordLlama makes them."""
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    model = _model()
    encoded = model.tokenizer.encode_batch(list(texts), add_special_tokens=False)
    lengths = np.array([max(len(e.ids), 1) for e in encoded])
    ids = np.concatenate([np.asarray(e.ids or [0], dtype=np.int64) for e in encoded])
    np.clip(ids, 0, len(model.weights) - 1, out=ids)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    vectors = np.add.reduceat(model.weights[ids], starts, axis=0) / lengths[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Vectors = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    return unit


# --- what must agree -------------------------------------------------------------------

_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({w: str(10 * i) for i, w in enumerate(
    "thirty forty fifty sixty seventy eighty ninety".split(), start=3)})
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_FRACTIONS = {"half": "50%", "a third": "33%", "one third": "33%", "a quarter": "25%",
              "one quarter": "25%", "a fifth": "20%", "one fifth": "20%", "a tenth": "10%",
              "one tenth": "10%", "two thirds": "67%", "three quarters": "75%",
              "two fifths": "40%", "one in two": "50%", "one in three": "33%",
              "one in four": "25%", "one in five": "20%", "one in ten": "10%"}
_FRACTION = re.compile(r"\b(" + "|".join(sorted(_FRACTIONS, key=len, reverse=True))
                       + r")\b(?! (?:as|the|of the) )", re.I)

# Where a capital, a demonym or a long name stands for its country (the usual metonymy of
# news copy), both are read as the country. Keys are matched as whole words.
_ALIASES = {
    "united states": "US", "u.s.": "US", "usa": "US", "america": "US", "american": "US",
    "americans": "US", "washington": "US", "japanese": "Japan", "tokyo": "Japan",
    "chinese": "China", "beijing": "China", "russian": "Russia", "moscow": "Russia",
    "kremlin": "Russia", "british": "UK", "britain": "UK", "united kingdom": "UK",
    "london": "UK", "french": "France", "paris": "France", "german": "Germany",
    "berlin": "Germany", "korean": "Korea", "seoul": "Korea", "south korea": "Korea",
    "indian": "India", "delhi": "India", "new delhi": "India", "brazilian": "Brazil",
    "italian": "Italy", "rome": "Italy", "spanish": "Spain", "madrid": "Spain",
    "canadian": "Canada", "ottawa": "Canada", "australian": "Australia",
    "canberra": "Australia", "european": "Europe", "eu": "Europe", "polish": "Poland",
    "warsaw": "Poland", "swedish": "Sweden", "stockholm": "Sweden", "norwegian": "Norway",
    "oslo": "Norway", "ukrainian": "Ukraine", "kyiv": "Ukraine", "taiwanese": "Taiwan",
    "taipei": "Taiwan", "mexican": "Mexico", "democrat": "Democrats",
    "democratic": "Democrats", "republican": "Republicans", "gop": "Republicans",
    "tory": "Conservatives", "tories": "Conservatives", "conservative": "Conservatives",
    "labor": "Labour",
}
# Names that also stand first in a sentence, where capitals tell nothing.
_ALIASES.update({name.lower(): name for name in """
US UK Japan China Russia France Germany Korea India Brazil Italy Spain Canada Australia
Europe Poland Sweden Norway Ukraine Taiwan Mexico Democrats Republicans Conservatives Labour
Africa Asia Argentina Austria Belgium Bolivia Chile Colombia Denmark Egypt Ethiopia Finland
Ghana Greece Hungary Indonesia Iran Iraq Ireland Israel Kenya Malaysia Morocco Netherlands
Nigeria Pakistan Peru Philippines Portugal Romania Saudi Singapore Switzerland Thailand
Turkey Vietnam Venezuela Congress Senate Parliament""".split()})
_ALIAS = re.compile(r"(?<![\w.])(" + "|".join(
    re.escape(k) for k in sorted(_ALIASES, key=len, reverse=True)) + r")(?![\w])", re.I)
_COMMON = frozenset("""
the this that these those it its he she they we i in on at but and however meanwhile after
before when while as a an his her their our there such according one two half some many
most all every each no not our your my last next new over since within under between from
for of to by with without what who how why where if then than there here
""".split())
_NAME = re.compile(r"[A-Z][\w’'.-]*")
_UP = re.compile(r"\b(?:rais\w*|rise[ns]?|rose|rising|increas\w*|lift\w*|boost\w*|grow\w*|"
                 r"grew|higher|highest|doubl\w*|tripl\w*|expand\w*|gain\w*|up|more|hired|"
                 r"hir(?:e|es|ing))\b", re.I)
_DOWN = re.compile(r"\b(?:cut\w*|reduc\w*|lower\w*|decreas\w*|fall\w*|fell|drop\w*|"
                   r"declin\w*|shr[iau]nk\w*|slash\w*|halv\w*|lowest|less|fewer|down|"
                   r"laid off|lay\w* off|fired|lost|los(?:e|es|ing))\b", re.I)
# Pairs that turn a claim around without a word of rising or falling.
_OPPOSITES = (("imported more", "exported more"), ("voted for", "voted against"),
              ("in favour of", "against"), ("in favor of", "against"))
_WORDS = re.compile(r"[a-z][a-z’'-]+")
_FUNCTION = _COMMON | frozenset("""
is are was were be been being has have had do does did will would can could should may
might must per cent percent than very just only also its it's about into out off up down
""".split())


def _numbers(text: str) -> str:
    text = _FRACTION.sub(lambda m: _FRACTIONS[m.group().lower()], text)
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group().lower()], text)


@lru_cache(maxsize=4096)
def _names(text: str) -> frozenset[str]:
    """Named places, people, parties and organisations, as one spelling each. A known
    name counts only as written with a capital: "told us" is not the US, "labor costs"
    not Labour, "a democratic vote" not the Democrats."""
    named = [m for m in _ALIAS.finditer(text) if m.group()[0].isupper()]
    found = {_ALIASES[m.group().lower()].lower() for m in named}
    rest = text
    for m in reversed(named):
        rest = rest[:m.start()] + " " + rest[m.end():]
    for i, word in enumerate(rest.split()):
        bare = word.strip("“”\"‘’'(),.;:!?–—")
        if len(bare) < 2 or not _NAME.fullmatch(bare) or bare.lower() in _COMMON:
            continue
        if i == 0 and not bare.isupper():
            continue  # a capital at the start says nothing (known names were read above)
        found.add(bare.rstrip("’'s").lower() if bare.endswith(("’s", "'s")) else bare.lower())
    return frozenset(found)


def _direction(text: str) -> set[str]:
    up = {m.group().lower() for m in _UP.finditer(text)}
    down = {m.group().lower() for m in _DOWN.finditer(text)}
    return ({"up"} if up else set()) | ({"down"} if down else set())


@lru_cache(maxsize=4096)
def _figures(text: str) -> tuple[Quantity, ...]:
    """The figures of ``text`` (ordinals aside), numbers in words read as digits. Cached:
    a sentence is compared with up to 25 close claims, and claims recur across sentences."""
    return tuple(q for q in find_quantities(_numbers(text)) if q.kind != "ordinal")


def _figures_differ(a: Sequence[Quantity], b: Sequence[Quantity]) -> str | None:
    """'year' or 'figure' where a figure of one has comparable ones in the other and none
    of them agrees; None where they agree or cannot be compared."""
    for q in a:
        others = [r for r in b if q.comparable(r)]
        if others and not any((q.low < r.high and r.low < q.high) or q.value == r.value
                              for r in others):
            return "year" if q.kind in ("year", "fiscal-year", "date") else "figure"
    return None


@dataclass(frozen=True)
class Comparison:
    """How close a sentence is to a claim, and what differs (None: the same claim)."""

    similarity: float
    differs: str | None  # figure, year, name, direction, subject, distance

    @property
    def same(self) -> bool:
        return self.differs is None


def compare(sentence: str, claim: str, *, similarity: float | None = None,
            embedder: Callable[[Sequence[str]], Vectors] = embed) -> Comparison:
    """Does ``sentence`` repeat ``claim``? ``similarity`` is their cosine when the caller
    has it already (the index does)."""
    if similarity is None:
        a, b = embedder([sentence, claim])
        similarity = float(a @ b)
    differs: str | None = None
    figures, their_figures = _figures(sentence), _figures(claim)
    names, their_names = _names(sentence), _names(claim)
    anchored = bool(names & their_names) or any(
        q.comparable(r) and q.low < r.high and r.low < q.high
        for q in figures for r in their_figures)
    if similarity < (SIMILAR if anchored else UNANCHORED):
        differs = "distance"
    elif (found := _figures_differ(figures, their_figures)
          or _figures_differ(their_figures, figures)):
        differs = found
    elif _swapped(names, their_names):
        differs = "name"
    elif _turned(sentence, claim):
        differs = "direction"
    elif _substituted(sentence, claim, embedder):
        differs = "subject"
    return Comparison(round(similarity, 3), differs)


def _substituted(a: str, b: str, embedder: Callable[[Sequence[str]], Vectors]) -> bool:
    """Is ``a`` a near copy of ``b`` (most of its words the same, in order) with some words
    put in place of others that mean something else ("resurfacing roads" for "a single
    bus stop")? A paraphrase, worded anew, is not a near copy and is not judged here."""
    wa, wb = _WORDS.findall(a.lower()), _WORDS.findall(b.lower())
    blocks = SequenceMatcher(None, wa, wb, autojunk=False)
    same = sum(size for _, _, size in blocks.get_matching_blocks())
    if same < 0.5 * max(len(wa), len(wb)):
        return False
    pairs = [(" ".join(wa[i1:i2]), " ".join(wb[j1:j2]))
             for op, i1, i2, j1, j2 in blocks.get_opcodes() if op == "replace"]
    pairs = [(x, y) for x, y in pairs if set(x.split()) - _FUNCTION and set(y.split()) - _FUNCTION]
    if not pairs:
        return False
    vectors = embedder([text for pair in pairs for text in pair])
    return any(float(vectors[2 * i] @ vectors[2 * i + 1]) < SAME_SUBJECT
               for i in range(len(pairs)))


def _swapped(a: frozenset[str], b: frozenset[str]) -> bool:
    """A name of one stands where the other has another: each has one the other lacks."""
    return bool(a - b) and bool(b - a)


def _turned(a: str, b: str) -> bool:
    da, db = _direction(a), _direction(b)
    if len(da) == 1 and len(db) == 1 and da != db:
        return True
    la, lb = a.lower(), b.lower()
    return any((x in la and y in lb and y not in la) or (y in la and x in lb and x not in la)
               for x, y in _OPPOSITES)


# --- the index -----------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    claim_id: int
    comparison: Comparison


class Matcher:
    """The claims' unit vectors, ready to be searched. ``words`` gives the words of the
    claims asked for by id (a dict, or a query for the few closest of many)."""

    def __init__(self, ids: Sequence[int], vectors: Vectors,
                 words: Mapping[int, str] | Callable[[list[int]], Mapping[int, str]]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.vectors = vectors
        self._words = words

    def words(self, ids: list[int]) -> Mapping[int, str]:
        if callable(self._words):
            return self._words(ids)
        return {i: self._words[i] for i in ids}

    def closest(self, vector: Vectors, pool: int = 25) -> list[tuple[int, float]]:
        """The ``pool`` claims closest to ``vector`` that are close enough to judge."""
        if not len(self.ids):
            return []
        scores = self.vectors @ vector
        k = min(pool, len(self.ids))
        best = np.argpartition(-scores, k - 1)[:k]
        return [(int(self.ids[i]), float(scores[i]))
                for i in sorted(best, key=lambda j: -scores[j]) if scores[i] >= SIMILAR]

    def search(self, sentence: str, *, limit: int = 5, vector: Vectors | None = None,
               pool: int = 25) -> list[Candidate]:
        """The claims ``sentence`` repeats, closest first (at most ``limit``)."""
        v = embed([sentence])[0] if vector is None else vector
        close = self.closest(v, pool)
        return judge(sentence, close, self.words([i for i, _ in close]), limit=limit)


def judge(sentence: str, close: list[tuple[int, float]], words: Mapping[int, str], *,
          limit: int = 5) -> list[Candidate]:
    """Of the claims ``close`` to ``sentence`` (id, cosine; closest first), those it
    repeats."""
    found = []
    for claim_id, similarity in close:
        comparison = compare(sentence, words[claim_id], similarity=similarity)
        if comparison.same:
            found.append(Candidate(claim_id, comparison))
            if len(found) == limit:
                break
    return found
