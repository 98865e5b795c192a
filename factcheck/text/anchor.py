"""Finding a cited passage again in a new snapshot of its source.

A passage is kept as W3C Web Annotation selectors: a ``TextQuoteSelector`` (the
exact words, with 32 characters of context either side) and a
``TextPositionSelector`` (start and end offsets). Re-anchoring tries, in order, as
Hypothesis does:

1. the old position, if the text there is still the quote;
2. an exact search (several hits are told apart by context and closeness);
3. a normalized search: curly and straight quotes, dashes, white space, soft
   hyphens and zero-width characters, NFKC and case are forgiven;
4. an approximate search: candidate places are where a few words of the quote
   occur, each scored 50 x quote + 20 x prefix + 20 x suffix + 2 x closeness, and
   the best kept if the quote's similarity reaches ``threshold``.

The outcome is ``found`` (steps 1-3), ``drifted`` (step 4: the words found now,
their similarity and a word diff) or ``missing``. Offsets always refer to the
original text. Pure functions; no I/O.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz

__all__ = ["CONTEXT", "Anchor", "Selector", "anchor", "changed_words", "figure_flags",
           "selector_at", "word_diff"]

CONTEXT = 32
DEFAULT_THRESHOLD = 0.75

_QUOTES = "\"'“”„‟‘’‚‛«»‹›″′＂＇"
_DASHES = "-‐‑‒–—―−﹘﹣－"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Selector:
    """Where a passage stands in a text: the W3C quote and position selectors."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None

    def to_w3c(self) -> list[dict[str, Any]]:
        quote = {"type": "TextQuoteSelector", "exact": self.exact, "prefix": self.prefix,
                 "suffix": self.suffix}
        if self.start is None or self.end is None:
            return [quote]
        return [quote, {"type": "TextPositionSelector", "start": self.start, "end": self.end}]

    @classmethod
    def from_w3c(cls, selectors: list[dict[str, Any]]) -> Selector:
        quote = next(s for s in selectors if s.get("type") == "TextQuoteSelector")
        position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), {})
        return cls(exact=quote["exact"], prefix=quote.get("prefix", ""),
                   suffix=quote.get("suffix", ""), start=position.get("start"),
                   end=position.get("end"))


@dataclass(frozen=True)
class Anchor:
    """The outcome of looking for a passage in a text."""

    status: str  # found | drifted | missing
    method: str | None = None  # position | exact | normalized | approximate
    start: int | None = None
    end: int | None = None
    found: str | None = None  # the text standing there now
    similarity: float = 0.0  # 1.0 when found
    diff: tuple[tuple[str, str], ...] = ()  # word diff, quote -> found (drifted only)
    selector: Selector | None = None  # re-anchored against the new text

    @property
    def placed(self) -> bool:
        return self.status != "missing"


def selector_at(text: str, start: int, end: int, context: int = CONTEXT) -> Selector:
    """The selectors for ``text[start:end]``."""
    return Selector(exact=text[start:end], prefix=text[max(0, start - context):start],
                    suffix=text[end:end + context], start=start, end=end)


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """A word diff: ("=", words), ("-", removed words), ("+", added words)."""
    a, b = before.split(), after.split()
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return tuple(ops)


_DIGIT = re.compile(r"\d")


def figure_flags(diff: Iterable[Sequence[str]]) -> tuple[tuple[str, str, bool], ...]:
    """A word diff with each change flagged when its words hold a figure, so a reader's
    eye goes to the numbers first: (op, words, holds a figure)."""
    return tuple((str(op), str(words), op != "=" and bool(_DIGIT.search(str(words))))
                 for op, words, *_ in diff)


def changed_words(diff: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """The edits of a word diff as (old words, new words) pairs: a removal and the
    addition right after it are one edit; "" where nothing was removed or added."""
    edits: list[tuple[str, str]] = []
    pending: str | None = None
    for op, words, *_ in diff:
        if op == "-":
            if pending is not None:
                edits.append((pending, ""))
            pending = str(words)
        elif op == "+":
            edits.append((pending or "", str(words)))
            pending = None
        elif pending is not None:
            edits.append((pending, ""))
            pending = None
    if pending is not None:
        edits.append((pending, ""))
    return edits


# -- normalized search ---------------------------------------------------------------

# Punctuation that a markup-to-text step, or a typist, may set off with a space or not:
# "Reuters ," and "Reuters,", "( 25 )" and "(25)", "$ 700" and "$700" are the same words.
_CLOSING = ".,;:!?)]}%»›”’…"
_OPENING = "([{«‹“‘$€£¥"
# What may end or begin a quote without being part of its words: a sentence's last stop
# lost where an element ends, or a quotation mark that the page sets elsewhere.
_EDGE = ".,;:!?…" + _QUOTES


def _char_pattern(char: str) -> str:
    if char in _QUOTES:
        return f"[{re.escape(_QUOTES)}]"
    if char in _DASHES:
        return rf"\s*[{re.escape(_DASHES)}]\s*"
    if char in _CLOSING:
        return rf"\s*{re.escape(char)}"
    if char in _OPENING:
        return rf"{re.escape(char)}\s*"
    return re.escape(char)


def _tolerant_pattern(quote: str) -> re.Pattern[str] | None:
    """A regex matching ``quote`` however quotes, dashes, spaces (between words, and
    next to punctuation) and case are written; the quote's edge punctuation (a final
    full stop, its quotation marks) may be there or not."""
    folded = unicodedata.normalize("NFKC", quote).replace(_INVISIBLE[0], "").strip()
    core = folded.strip(_EDGE + " ")
    lead = trail = ""
    if _WORD.search(core):
        begin = folded.index(core)
        lead, trail, folded = folded[:begin], folded[begin + len(core):], core
    words = [w for w in folded.split() if w]
    if not words:
        return None
    invisible = f"[{_INVISIBLE}]*"
    parts = [_word_pattern(word) for word in words]
    between = rf"[\s{_INVISIBLE}]+"
    pattern = "".join(rf"(?:{_char_pattern(c)}\s*)?" for c in lead if not c.isspace())
    pattern += parts[0]
    for before, after, part in zip(words, words[1:], parts[1:], strict=False):
        # "( 25 )" is "(25)": around punctuation, the space may be there or not.
        loose = before[-1] in _OPENING + _DASHES or after[0] in _CLOSING + _DASHES
        pattern += (invisible.join(("", r"\s*", "")) if loose else between) + part
    pattern += "".join(rf"(?:\s*{_char_pattern(c)})?" for c in trail if not c.isspace())
    return re.compile(pattern, re.IGNORECASE)


_PUNCTUATION_RUN = re.compile(f"[{re.escape(_CLOSING + _QUOTES)}]{{2,}}")


def _word_pattern(word: str) -> str:
    """One word of a quote: each character as it may be written; a run of closing
    punctuation and quotation marks in any order (",”" and "”,")."""
    invisible = f"[{_INVISIBLE}]*"
    pieces: list[str] = []
    last = 0
    for run in _PUNCTUATION_RUN.finditer(word):
        pieces += [_char_pattern(c) for c in word[last:run.start()] if c not in _INVISIBLE]
        pieces.append(rf"\s*[{re.escape(_CLOSING + _QUOTES)}]{{{len(run.group())}}}")
        last = run.end()
    pieces += [_char_pattern(c) for c in word[last:] if c not in _INVISIBLE]
    return invisible.join(pieces)


class _Folded:
    """``text`` in NFKC with a map from its offsets back to the original's."""

    def __init__(self, text: str) -> None:
        self.original = text
        if unicodedata.is_normalized("NFKC", text):
            self.text, self._marks, self._shift = text, [], []
            return
        pieces: list[str] = []
        marks: list[int] = []  # folded offsets where the shift changes
        shifts: list[int] = []  # original - folded, from that mark on
        folded = last = 0
        for match in re.finditer(r"[^\x00-\x7f]", text):
            pieces.append(text[last:match.start()])
            folded += match.start() - last
            char = unicodedata.normalize("NFKC", match.group())
            pieces.append(char)
            folded += len(char)
            last = match.end()
            if len(char) != 1:
                marks.append(folded)
                shifts.append(last - folded)
        pieces.append(text[last:])
        self.text, self._marks, self._shift = "".join(pieces), marks, shifts

    def original_offset(self, offset: int) -> int:
        i = bisect_right(self._marks, offset) - 1
        return offset if i < 0 else min(len(self.original), offset + self._shift[i])


def _context_score(text: str, start: int, end: int, selector: Selector) -> float:
    score = 0.0
    if selector.prefix:
        score += fuzz.ratio(selector.prefix, text[max(0, start - len(selector.prefix)):start])
    if selector.suffix:
        score += fuzz.ratio(selector.suffix, text[end:end + len(selector.suffix)])
    return score


def _closeness(start: int, selector: Selector, length: int) -> float:
    if selector.start is None or length == 0:
        return 0.0
    return 100.0 * (1 - min(1.0, abs(start - selector.start) / length))


def _best(text: str, spans: list[tuple[int, int]], selector: Selector) -> tuple[int, int]:
    if len(spans) == 1:
        return spans[0]
    return max(spans, key=lambda s: (_context_score(text, s[0], s[1], selector)
                                     + 0.1 * _closeness(s[0], selector, len(text))))


# -- approximate search ----------------------------------------------------------------

def _candidates(text_lower: str, quote: str, limit: int = 40) -> list[int]:
    """Places in the text where a few consecutive words of the quote occur."""
    words = _WORD.findall(quote.lower())
    size = 3 if len(words) >= 6 else 2 if len(words) >= 3 else 1
    hits: dict[int, int] = {}
    for i in range(0, max(1, len(words) - size + 1)):
        gram = words[i:i + size]
        if not gram:
            continue
        needle = gram[0] if size == 1 else " ".join(gram)
        offset_in_quote = quote.lower().find(gram[0])
        position = text_lower.find(needle)
        seen = 0
        while position >= 0 and seen < 8:
            bucket = max(0, position - max(0, offset_in_quote))
            key = bucket // 64
            hits[key] = hits.get(key, 0) + 1
            position = text_lower.find(needle, position + 1)
            seen += 1
    ranked = sorted(hits, key=lambda k: -hits[k])[:limit]
    return [k * 64 for k in ranked]


def _approximate(text: str, selector: Selector, threshold: float) -> Anchor | None:
    quote = selector.exact
    length = len(quote)
    slack = max(16, min(256, length // 2))
    text_lower = text.lower()
    starts = _candidates(text_lower, quote)
    if selector.start is not None and selector.start < len(text):
        starts.append(selector.start)
    best: tuple[float, int, int, float] | None = None
    for start in dict.fromkeys(starts):
        lo, hi = max(0, start - slack), min(len(text), start + length + 2 * slack)
        window = text[lo:hi]
        if not window:
            continue
        aligned = fuzz.partial_ratio_alignment(quote, window)
        if aligned is None:
            continue
        found_start, found_end = lo + aligned.dest_start, lo + aligned.dest_end
        found_start, found_end = _snap_to_words(text, found_start, found_end)
        similarity = fuzz.ratio(quote, text[found_start:found_end]) / 100
        score = (50 * similarity * 100 + 20 * _context_score(text, found_start, found_end,
                                                             selector) / 2
                 + 2 * _closeness(found_start, selector, len(text)))
        if best is None or score > best[0]:
            best = (score, found_start, found_end, similarity)
    if best is None or best[3] < threshold:
        return None
    _, start, end, similarity = best
    found = text[start:end]
    return Anchor("drifted", "approximate", start, end, found, round(similarity, 3),
                  word_diff(quote, found), selector_at(text, start, end))


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space from a match, then widen it to whole words at both ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


# -- the entry point ---------------------------------------------------------------

def anchor(text: str, passage: str | Selector, *,
           threshold: float = DEFAULT_THRESHOLD) -> Anchor:
    """Find ``passage`` (a quote, or the selectors it was last found with) in ``text``."""
    selector = passage if isinstance(passage, Selector) else Selector(exact=passage)
    quote = selector.exact
    if not quote.strip():
        return Anchor("missing")

    def found(method: str, start: int, end: int) -> Anchor:
        return Anchor("found", method, start, end, text[start:end], 1.0,
                      selector=selector_at(text, start, end))

    if selector.start is not None and text[selector.start:selector.end] == quote:
        return found("position", selector.start, selector.start + len(quote))

    spans: list[tuple[int, int]] = []
    position = text.find(quote)
    while position >= 0 and len(spans) < 50:
        spans.append((position, position + len(quote)))
        position = text.find(quote, position + 1)
    if spans:
        return found("exact", *_best(text, spans, selector))

    pattern = _tolerant_pattern(quote)
    if pattern is not None:
        folded = _Folded(text)
        matches = [(m.start(), m.end()) for _, m in zip(range(50), pattern.finditer(folded.text),
                                                          strict=False)]
        if matches:
            spans = [(folded.original_offset(s), folded.original_offset(e)) for s, e in matches]
            return found("normalized", *_best(text, spans, selector))

    drifted = _approximate(text, selector, threshold)
    if drifted is not None:
        return drifted
    return Anchor("missing", selector=replace(selector))
