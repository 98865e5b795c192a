"""Figures in claims and passages: found, compared, and checked for arithmetic.

A :class:`Quantity` is a figure as written ("more than 10 trillion", "26.3 percent",
"FY 2022", "seven of the 10") with its value, unit and the interval it stands for:
the precision stated ("6.8 trillion" means 6.75 to 6.85 trillion) widened or opened
by its qualifier ("about" +-5%, "more than" upwards). Two figures agree when their
intervals meet. Pure functions; no I/O.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ArithmeticFinding", "FigureCheck", "Quantity", "check_arithmetic",
           "compare_figures", "figure_changes", "find_quantities"]

_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
           "trillion": 1e12, "tn": 1e12, "万": 1e4, "億": 1e8, "兆": 1e12}
_CURRENCIES = {"jpy": "JPY", "¥": "JPY", "￥": "JPY", "yen": "JPY", "usd": "USD",
               "us$": "USD", "$": "USD", "dollar": "USD", "dollars": "USD",
               "us dollars": "USD", "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR",
               "gbp": "GBP", "£": "GBP", "pound": "GBP", "pounds": "GBP", "cny": "CNY",
               "rmb": "CNY", "yuan": "CNY", "円": "JPY", "ドル": "USD", "元": "CNY",
               "ユーロ": "EUR"}
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
                 "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
_WORDS = {w: n for n, w in enumerate(_NUMBER_WORDS)}
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_MONTH = r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
# A number as people write it: 1,234,567.8 (English), 1.234.567,8 (German, Spanish),
# 1 234 567,8 with a no-break or narrow space (French), 1'234'567 (Swiss), or plain.
_NUM = (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"
        r"|\d{1,3}(?:[\u00a0\u202f']\d{3})+(?:,\d+)?|\d+(?:\.\d+)?")
# Full-width digits and signs (Japanese and Chinese text) read as their ASCII forms, one
# character for one, so that offsets stand.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，％＄￥", "0123456789.,%$¥")
_ORDINAL = re.compile(r"\b(?P<num>\d+)(?P<suffix>st|nd|rd|th)\b|第(?P<num2>\d+)", re.I)
_QUALIFIERS = {"about": "about", "around": "about", "approximately": "about",
               "roughly": "about", "some": "about", "nearly": "about", "almost": "about",
               "more than": "above", "over": "above", "above": "above", "exceeding": "above",
               "less than": "below", "under": "below", "below": "below",
               "at least": "at-least", "up to": "at-most", "at most": "at-most"}
_QUALIFIER = r"(?:(?P<qual>" + "|".join(sorted((re.escape(q).replace(r"\ ", r"\s+")
                                                for q in _QUALIFIERS), key=len, reverse=True)) \
    + r")\s+)?"

_FISCAL = re.compile(r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)(?P<year>(?:19|20)\d{2})\b", re.I)
_DATE = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>(?:19|20)\d{{2}})\b"
    rf"|\b{_MONTH.replace('month', 'month3')}\s+(?P<year3>(?:19|20)\d{{2}})\b", re.I)
_COUNT = re.compile(
    r"\b(?P<part>\d+|" + "|".join(_WORDS) + r")\s+(?:out\s+)?of\s+(?:the\s+|its\s+)?(?P<whole>\d+|"
    + "|".join(_WORDS) + r")\b", re.I)
_AMOUNT = re.compile(
    _QUALIFIER
    + r"(?P<cur>JPY|USD|EUR|GBP|CNY|RMB|US\$|\$|¥|￥|€|£)?\s?"
    + rf"(?P<num>{_NUM})(?![\d,]*(?:st|nd|rd|th)\b)"
    + r"(?:\s?-?(?P<scale>(?:thousand|million|billion|trillion|mn|bn|tn)\b|万|億|兆))?"
    + r"(?:[\s-]?(?P<unit>%|percent\b|per\s?cent\b|pct\b|US\s+dollars\b|dollars?\b|yen\b"
    + r"|euros?\b|pounds?\b|yuan\b|€|円|ドル|ユーロ|元|パーセント))?", re.I)


@dataclass(frozen=True)
class Quantity:
    """A figure as written, with the interval of values it stands for."""

    text: str
    start: int
    end: int
    kind: str  # amount | percent | year | fiscal-year | date | count | ordinal | number
    value: float
    unit: str | None = None  # a currency code, "%", or None
    low: float = -math.inf
    high: float = math.inf
    qualifier: str | None = None
    whole: float | None = None  # the "of N" of a count
    scale: float = 1.0  # the scale word's multiplier: 1e12 for "trillion"

    def agrees_with(self, other: Quantity) -> bool:
        return self.low <= other.high and other.low <= self.high

    def comparable(self, other: Quantity) -> bool:
        if self.kind != other.kind:
            return False
        if self.kind == "amount" and self.unit and other.unit and self.unit != other.unit:
            return False
        return not (self.kind == "count" and self.whole != other.whole)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "value": self.value, "unit": self.unit,
                "qualifier": self.qualifier}


def _interval(value: float, step: float, qualifier: str | None) -> tuple[float, float]:
    if qualifier == "about":
        spread = max(step / 2, abs(value) * 0.05)
        return value - spread, value + spread
    if qualifier in ("above", "at-least"):
        return value, math.inf
    if qualifier in ("below", "at-most"):
        return -math.inf, value
    return value - step / 2, value + step / 2


def _overlaps(span: tuple[int, int], taken: bytearray) -> bool:
    return taken.find(1, span[0], span[1]) >= 0


def find_quantities(text: str) -> list[Quantity]:
    """The figures in ``text``, in reading order. Linear in the text's length: the
    characters already taken by a figure are marked, not searched for."""
    found: list[Quantity] = []
    original, text = text, text.translate(_FULL_WIDTH)
    taken = bytearray(len(text))

    def add(q: Quantity) -> None:
        found.append(q)
        taken[q.start:q.end] = b"\x01" * (q.end - q.start)

    for m in _FISCAL.finditer(text):
        year = float(m.group("year"))
        add(Quantity(m.group(), m.start(), m.end(), "fiscal-year", year, None, year, year))
    for m in _DATE.finditer(text):
        if _overlaps(m.span(), taken):
            continue
        month_name = (m.group("month") or m.group("month2") or m.group("month3")).lower()
        month = next((n for name, n in _MONTHS.items() if name.startswith(month_name[:3])), 0)
        year = int(m.group("year") or m.group("year2") or m.group("year3"))
        day = int(m.group("day") or m.group("day2") or 0)
        value = float(year * 10000 + month * 100 + day)
        low, high = (value, value) if day else (value, value + 99)
        add(Quantity(m.group(), m.start(), m.end(), "date", value, None, low, high))
    for m in _COUNT.finditer(text):
        if _overlaps(m.span(), taken):
            continue
        part, whole = m.group("part").lower(), m.group("whole").lower()
        value = float(_WORDS.get(part, part if part.isdigit() else 0))
        total = float(_WORDS.get(whole, whole if whole.isdigit() else 0))
        add(Quantity(m.group(), m.start(), m.end(), "count", value, None, value, value,
                     whole=total))
    for m in _ORDINAL.finditer(text):
        if _overlaps(m.span(), taken):
            continue
        rank = float(m.group("num") or m.group("num2"))
        add(Quantity(original[m.start():m.end()], m.start(), m.end(), "ordinal", rank, None,
                     rank, rank))
    for m in _AMOUNT.finditer(text):
        start = m.start("cur") if m.group("cur") else m.start("num")
        if m.group("qual"):
            start = m.start("qual")
        if _overlaps((m.start("num"), m.end("num")), taken):
            continue
        number = _plain_number(m.group("num"))
        decimals = len(number.split(".")[1]) if "." in number else 0
        scale = _SCALES.get((m.group("scale") or "").lower(), 1.0)
        value = float(number) * scale
        step = 10 ** -decimals * scale
        unit_word = re.sub(r"\s+", " ", (m.group("unit") or "").lower())
        qualifier = _QUALIFIERS.get(re.sub(r"\s+", " ", (m.group("qual") or "").lower()))
        currency = _CURRENCIES.get((m.group("cur") or "").lower()) or _CURRENCIES.get(unit_word)
        unit: str | None
        if unit_word in ("%", "pct") or unit_word.startswith("per"):
            kind, unit = "percent", "%"
        elif currency or m.group("scale"):
            kind, unit = "amount", currency
        elif decimals == 0 and m.group("num").isdigit() and 1900 <= value <= 2099:
            kind, unit = "year", None
            step = 1.0
        else:
            kind, unit = "number", None
        low, high = _interval(value, step, qualifier)
        if kind == "year":
            low, high = value, value
        add(Quantity(original[start:m.end()].strip(), start, m.end(), kind, value, unit, low,
                     high, qualifier, scale=scale))
    return sorted(found, key=lambda q: q.start)


def _plain_number(written: str) -> str:
    """A number as Python reads it, from any of the ways :data:`_NUM` allows."""
    if any(c in written for c in "\u00a0\u202f'"):
        return written.replace("\u00a0", "").replace("\u202f", "").replace("'", "") \
            .replace(",", ".")
    if written.count(".") >= 2:  # 1.234.567,8
        return written.replace(".", "").replace(",", ".")
    return written.replace(",", "")


@dataclass(frozen=True)
class FigureCheck:
    """One figure of a claim against the figures of a passage."""

    claim: Quantity
    status: str  # consistent | inconsistent | not-in-passage
    passage: Quantity | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"figure": self.claim.text, "kind": self.claim.kind, "status": self.status,
                "passage": self.passage.text if self.passage else None}


def _distance(a: Quantity, b: Quantity) -> float:
    return abs(a.value - b.value) / max(abs(a.value), abs(b.value), 1e-9)


def compare_figures(claim: str, passage: str) -> list[FigureCheck]:
    """Each figure of ``claim`` checked against the comparable figures of ``passage``."""
    theirs = find_quantities(passage)
    checks = []
    for mine in find_quantities(claim):
        if mine.kind in ("number", "ordinal"):
            continue  # a bare number or a rank says too little to compare
        candidates = [q for q in theirs if mine.comparable(q)]
        agreeing = [q for q in candidates if mine.agrees_with(q)]
        if agreeing:
            checks.append(FigureCheck(mine, "consistent", agreeing[0]))
        elif candidates:
            checks.append(FigureCheck(mine, "inconsistent",
                                      min(candidates, key=lambda q: _distance(mine, q))))
        else:
            checks.append(FigureCheck(mine, "not-in-passage"))
    return checks


def figure_changes(before: str, after: str) -> list[tuple[str | None, str | None]]:
    """The figures that differ between two versions of a passage: (before, after) pairs."""
    old = [(q.kind, q.unit, q.value, q.qualifier) for q in find_quantities(before)]
    new = [(q.kind, q.unit, q.value, q.qualifier) for q in find_quantities(after)]
    old_text = [q.text for q in find_quantities(before)]
    new_text = [q.text for q in find_quantities(after)]
    changes: list[tuple[str | None, str | None]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left, right = old_text[i1:i2], new_text[j1:j2]
        for k in range(max(len(left), len(right))):
            changes.append((left[k] if k < len(left) else None,
                            right[k] if k < len(right) else None))
    return changes


@dataclass(frozen=True)
class ArithmeticFinding:
    """A change stated in a claim ("double", "+26%") against its own from/to figures."""

    start: Quantity
    end: Quantity
    stated: str
    actual: str
    status: str  # consistent | loose | inconsistent

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start.text, "to": self.end.text, "stated": self.stated,
                "actual": self.actual, "status": self.status}


_FROM_TO = re.compile(r"\bfrom\b(?P<between>.{0,60}?)\bto\b", re.I | re.S)
_MULTIPLES = {"double": 2.0, "doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "twice": 2.0,
              "triple": 3.0, "tripled": 3.0, "tripling": 3.0, "halve": 0.5, "halved": 0.5}
_CHANGE = re.compile(r"\b(?:increase|rise|growth|jump|up|gain|increased|rose|grew)\b", re.I)


def _with_scale(q: Quantity, like: Quantity) -> Quantity:
    """A bare "10" after "from JPY 5.4 trillion ... to" means JPY 10 trillion."""
    if q.kind != "number" or like.kind != "amount":
        return q
    return Quantity(q.text, q.start, q.end, "amount", q.value * like.scale, like.unit,
                    q.low * like.scale, q.high * like.scale, q.qualifier, scale=like.scale)


def check_arithmetic(text: str) -> list[ArithmeticFinding]:
    """Check "from A to B" against a stated change in the same text."""
    quantities = [q for q in find_quantities(text) if q.kind in ("amount", "percent", "number")]
    findings: list[ArithmeticFinding] = []
    for i, a in enumerate(quantities):
        before = text[max(0, a.start - 8):a.start].lower()
        if "from" not in before or i + 1 >= len(quantities):
            continue
        b = _with_scale(quantities[i + 1], a)
        if not re.search(r"\bto\b", text[a.end:b.start], re.I) or b.kind != a.kind or \
                not a.value:
            continue
        ratio = b.value / a.value
        for word, multiple in _MULTIPLES.items():
            if re.search(rf"\b{word}\b", text, re.I):
                off = abs(ratio - multiple) / multiple
                status = "consistent" if off <= 0.05 else "loose" if off <= 0.15 else \
                    "inconsistent"
                findings.append(ArithmeticFinding(a, b, word, f"x{ratio:.2f}", status))
                break
        else:
            for q in quantities:
                if q.kind == "percent" and _CHANGE.search(text[max(0, q.start - 20):q.end + 12]):
                    change = (ratio - 1) * 100
                    status = "consistent" if q.low <= change <= q.high else "inconsistent"
                    findings.append(ArithmeticFinding(a, b, q.text, f"{change:+.1f}%", status))
                    break
    return findings
