"""Finding the claims in an article: sentences with exact offsets, and which are worth
checking.

:func:`split` cuts a text into sentences (and headings, bylines and list items) with
``text[start:end]`` exact, surviving abbreviations (U.S., Jan., No., Prof., FY) and
curly quotes. :func:`extract_claims` scores each for check-worthiness from features
a fact-checker would name: figures, dates, named entities, attribution verbs,
quotation marks, event verbs, and against them evaluative, ideological or predictive
language. A sentence with both a checkable core and opinion around it is check-worthy,
with both parts named. Pure functions; no model to download.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from factcheck.text import spoken
from factcheck.text.figures import Quantity, find_quantities

__all__ = ["Sentence", "byline_authors", "extract_claims", "model_inputs", "split"]

ABBREVIATIONS = frozenset("""
u.s u.k u.n e.u u.s.a jan feb mar apr jun jul aug sep sept oct nov dec no nos vol prof dr
mr mrs ms st gen sen rep gov lt col maj capt sgt adm inc ltd co corp vs etc e.g i.e fig
approx dept univ est jr sr mt ft
""".split())
SENTENCE_STARTERS = frozenset("""
the this that these those it its he she they we i in on at but and however meanwhile after
before when while as a an his her their our there such according
""".split())

_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+|$)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|tells|according to|stated|states|announced|reported|claimed|"
    r"claims|argued|noted|wrote|declared|vowed|pledged|reaffirmed|mentioned|warned|"
    r"confirmed|denied|insisted|added|explained|estimated|admitted|acknowledged|conceded|"
    r"accused|critici[sz]ed|testified|disclosed|revealed)\b", re.I)
EVENT = re.compile(
    r"\b(?:held|signed|launched|passed|approved|issued|formed|attended|participated|met|"
    r"visited|released|unveiled|adopted|enacted|elected|appointed|announced|invaded|"
    r"opened|closed|founded|established|rose|fell|increased|decreased|doubled|grew|"
    r"declined|reached|recorded|involved|joined|began|ended|won|lost|cut|introduced|"
    r"filed|banned|allowed|allows|raised|lowered|killed|arrested|sentenced|voted|"
    # past-tense events with an actor: who wanted, asked, refused, invited whom
    r"wanted|invited|refused|rejected|asked|requested|proposed|sought|blocked|vetoed|"
    r"withdrew|resigned|postponed|delayed|ordered|agreed|promised|threatened|campaigned|"
    r"returned|resumed|demanded|urged|offered|accepted|built|led|hired|fired|sued|"
    r"charged|bought|sold|paid|spent|received|awarded|granted|backed|opposed|moved|"
    # a change of state: something appeared, disappeared, died, collapsed, expired
    r"appeared|disappeared|died|collapsed|emerged|expired|vanished|survived)\b",
    re.I)
EVALUATIVE = re.compile(
    r"\b(?:aggressive\w*|confrontational|hegemony|hegemonic|downright|gross|grossly|"
    r"seriously|so-called|blatant\w*|dangerous\w*|destabiliz\w*|interference|collusion|"
    r"opportunism|adventurism|ambition\w*|epitomi[sz]e\w*|must|should|ought|clearly|"
    r"obviously|undoubtedly|exactly the opposite|tendency|shame\w*|reckless\w*|"
    r"irresponsible|hypocri\w*|disgrace\w*|arrogan\w*|laughable|courage\w*|soul|"
    r"deserves?|dominate|dominant|subordinate|strongly|ideolog\w*|exciting|"
    r"disastrous|brilliant|excellent|terrible|wonderful|unfair|optimistic|difficult|"
    r"encouraging|welcome|worrying|troubling|remarkable|sad|great|good|bad|wrong|"
    # a stance said as one: "we think", "I believe", "in my view"
    r"(?:I|we) (?:think|believe|feel)|in (?:my|our) (?:view|opinion)|seems to me)\b", re.I)
PREDICTIVE = re.compile(
    r"\b(?:will|would|plans? to|planned to|expected to|is set to|set to|going to|aims? to|"
    r"intends? to|likely|probably|forecast\w*|projected|could|might|getting ready|"
    r"(?:is|are) due|should be)\b", re.I)
# Figures written in words: "twice as much", "a third", "half their members".
MULTIPLES = re.compile(r"\b(?:twice|double[ds]?|tripled?|quadrupled?|half|a third|a quarter|"
                       r"two-thirds|three-quarters|tenfold|\w+-fold)\b", re.I)
# Ordinals written in digits: "his 19th goal", "in the 70th minute".
ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b")
# The past tense by its form, not by a list of topics: a verb ending in -ed ("scored",
# "denied") or one of English's irregular past forms, and the passive ("was acquitted",
# "were sent off"). Words in -ed that are mostly adjectives are left out.
_IRREGULAR_PAST = (
    "became|began|bought|broke|brought|built|caught|chose|came|drew|drove|fed|fell|fled|"
    "flew|fought|forgave|found|froze|gave|got|grew|held|hid|hung|kept|knew|laid|led|lent|"
    "lost|made|met|overtook|paid|ran|rang|rode|rose|sank|sang|saw|shook|shot|sold|sent|"
    "slid|sought|spent|spoke|sprang|stole|stood|struck|stuck|swam|swept|swore|taught|"
    "threw|told|took|tore|undertook|went|withdrew|woke|won|wore|wrote")
_PARTICIPLE = ("been|begun|born|broken|brought|built|caught|chosen|done|drawn|driven|"
               "fallen|found|given|held|jailed|kept|known|laid|led|left|lost|made|met|"
               "paid|run|seen|sent|shot|sold|spent|stolen|struck|taken|taught|thrown|"
               "told|won|written")
_ADJECTIVE_ED = ("so-called|based|interested|concerned|united|advanced|limited|supposed|"
                 "used|experienced|skilled|detailed|related|committed|dedicated|talented|"
                 "beloved|naked|wicked|sacred|crooked|rugged|ragged|wretched|hundred|"
                 "kindred|expected|unexpected|tired|worried|pleased|delighted|excited|"
                 "disappointed|convinced|determined|prepared|scared|bored|amazed|"
                 "embarrassed|satisfied|surprised|shocked|alarmed|relieved")
_NOT_AFTER = r"(?<![\w-])(?<!\bis )(?<!\bare )(?<!\bbe )(?<!\bseems )(?<!\blooks )(?<!\bfeel )"
PAST_TENSE = re.compile(
    rf"(?<![\w-])(?:was|were|had been|has been|have been)\s+(?:\w+ly\s+)?"
    rf"(?:(?!(?:{_ADJECTIVE_ED})\b)[a-z]{{3,}}ed|{_PARTICIPLE})\b"
    rf"|{_NOT_AFTER}(?!(?:{_ADJECTIVE_ED})\b)(?:[a-z]{{2,}}[^e\W]ed|[a-z]{{2,}}ied|"
    rf"(?:dis)?agreed|freed|guaranteed|decreed)(?![\w-])"
    rf"|{_NOT_AFTER}(?:{_IRREGULAR_PAST})(?![\w-])")
COMPARISON = re.compile(
    r"\b(?:more than|less than|fewer than|higher|lower|largest|biggest|smallest|highest|"
    r"lowest|compared with|compared to|than|first|second|third|fourth|fifth|top|rank\w*|"
    r"record)\b", re.I)
QUOTED = re.compile(r"[“\"]([^”\"]{3,})[”\"]")
# When: weekdays, months, seasons of the calendar, spans of time ("for a decade").
WHEN = re.compile(
    r"\b(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"last (?:year|month|week|night|season)|this (?:year|month|week)|since then|"
    r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|\d+) "
    r"(?:years?|months?|weeks?|days?|decades?|minutes?|hours?))|"
    r"January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b")
# A comparison over time that needs no digit of its own.
OVER_TIME = re.compile(
    r"\b(?:(?:highest|lowest|largest|smallest|biggest|fastest|slowest|most|least|worst|"
    r"best|first)\b[^.;]{0,40}?\bsince\b|not seen since|ever recorded|on record|"
    r"record (?:high|low|level)|for the (?:first|second|third|fourth|fifth|\w+th) "
    r"(?:time|year|month|week|quarter)|(?:years?|months?|weeks?|quarters?) "
    r"(?:in a row|running)|(?:grew|grown|rose|risen|fell|fallen|dropped|increased|"
    r"decreased|declined|climbed|slowed|recovered) again|"
    r"(?:has|have|had) (?:fallen|risen|grown|dropped|increased|declined|improved|"
    r"worsened) (?:every|each) (?:year|month|week|quarter)|"
    r"(?:more|less|fewer|higher|lower|faster|slower|larger|smaller) than "
    r"(?:[\w ]{0,30}?\b)?(?:last|previous|before|ever|a year ago|it was|they were)\b|"
    r"(?:a|one) (?:quarter|third|half|tenth) of what it was)", re.I)
# A finding attributed to a study, survey, report or data set rather than a person.
FINDING = re.compile(
    r"\b(?:stud(?:y|ies)|survey|report|analysis|data|poll|census|audit|review|trial|"
    r"research|statistics|figures)\b[^.;]{0,80}?\b(?:found|finds|find|shows?|showed|"
    r"suggests?|suggested|indicates?|indicated|revealed|concluded|estimated)\b|"
    r"\baccording to (?:the |a |an )?[^,.;]{0,60}?\b(?:survey|study|report|data|figures|"
    r"statistics|ministry|office|commission|agency|authority|institute|bureau|"
    r"treasury|census)\b", re.I)
# A statement of change without a figure: discontinued, no longer, takes effect.
CHANGE = re.compile(
    r"\b(?:no longer|until now|(?:discontinued|scrapped|abolished|repealed|withdrawn|"
    r"suspended|extended|cancell?ed|lifted|exempt)|takes? effect|took effect|"
    r"comes? into (?:force|effect)|came into (?:force|effect)|entered into force|"
    r"(?:allows?|allowed|permits?|requires?|required) [^.;]{0,50}?to be\b)", re.I)
# Attribution to a group rather than a named person: "officials said", "anglers say":
# a plural of people (by its ending, or a few irregular ones), then a verb of saying.
GROUP = re.compile(
    r"\b(?:\w+(?:ers|ors|ists|ysts|ians|ants|ents|ives|ials)|police|authorities|unions?|"
    r"spokes(?:man|woman|person)|staff|people)\b[^.;]{0,40}?\b(?:said|says|say|told|"
    r"estimated|warned|reported|found|confirmed|had (?:expected|forecast|predicted))\b",
    re.I)
# A past event told by its absence: "was not invited", "did not attend".
NOT_DONE = re.compile(r"\b(?:was|were|has|have|had) not (?:been )?(?:invited|consulted|"
                      r"informed|told|asked|paid|allowed|included|notified|given|offered|"
                      r"shown|warned|admitted|elected|selected|approved)\b|"
                      r"\b(?:did|does) not (?:attend|sign|vote|pay|meet|respond|reply)\b",
                      re.I)
# A level stated for a subject named before: "It now stands at 12."
LEVEL = re.compile(r"\b(?:stands? at|stood at|now at|totals?|totalled|totaled|"
                   r"amounts? to|came to|reached)\b", re.I)
# Evaluative or aspirational words inside a quotation: a mission statement, a promotion.
PROMOTIONAL = re.compile(
    r"\b(?:mission|vision|committed|commitment|proud\w*|excit\w*|delighted|thrilled|"
    r"pleased|passion\w*|inspir\w*|dream\w*|world-class|excellence|innovat\w*|"
    r"dedicated|hope|fear|healthiest|look forward|journey|empower\w*|strive|values|"
    r"best possible|chosen|fairest|greatest|finest|brightest|together)\b", re.I)
# "It is encouraging that ...": an evaluation wrapped around a statement of fact.
WRAPPER = re.compile(r"^(?:it is|it's|it was|it has been)\s+(?:\w+\s+){0,2}?\w+\s+that\s+",
                     re.I)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article, where it stands, and whether it is worth checking."""

    text: str
    start: int
    end: int
    kind: str  # statistic, quotation, event, attribution, comparison, prediction,
    #            opinion, heading, byline
    check_worthy: bool
    score: float
    features: tuple[str, ...]
    #: For a mixed sentence: its checkable and its opinion parts, named.
    parts: tuple[str, ...] = ()
    #: The words (or word pairs) that raised the score most, strongest first.
    words: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind,
                "check_worthy": self.check_worthy, "score": round(self.score, 3),
                "features": list(self.features), "parts": list(self.parts),
                "words": list(self.words)}


def _is_boundary(text: str, stop: int, end: int) -> bool:
    """Does the punctuation ending at ``end`` close a sentence?"""
    token_start = stop
    while token_start > 0 and not text[token_start - 1].isspace():
        token_start -= 1
    token = text[token_start:stop].lower().strip("“\"‘'([")
    following = text[end:].lstrip()
    if not following:
        return True
    next_word = _WORD.match(following)
    if token in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token) \
            or re.fullmatch(r"[a-z]", token):
        # "U.S. forces", "Jan. 13", "J. Smith": no break, unless a sentence plainly starts
        return next_word is not None and next_word.group().lower() in SENTENCE_STARTERS \
            and token not in ("no", "nos", "vol", "fig", "st", "dr", "mr", "mrs", "ms",
                              "prof", "gen", "sen", "rep", "gov")
    first = following[0]
    return first.isupper() or first.isdigit() or first in "“\"‘'([¥$€£"


def split(text: str) -> list[tuple[int, int, str]]:
    """Sentences as (start, end, shape): shape is ``sentence``, ``heading``, ``byline``
    or ``item``. White space is never inside the span's ends."""
    pieces: list[tuple[int, int, str]] = []
    position = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = position + len(body) - len(body.lstrip())
        stop = position + len(body.rstrip())
        position += len(line)
        if start >= stop:
            continue
        content = text[start:stop]
        if content.lower().startswith("by ") and len(content.split()) <= 12 \
                and not _END.search(content[-2:]):
            pieces.append((start, stop, "byline"))
            continue
        item = _LIST_ITEM.match(content)
        if item and not _END.search(content[:-1]):
            pieces.append((start + item.end(), stop, "item"))
            continue
        if not re.search(r"[.!?…][\"”’')\]]*$", content) and len(content.split()) <= 20:
            pieces.append((start, stop, "heading"))
            continue
        sentence_start = start
        for match in _END.finditer(text, start, stop):
            if _is_boundary(text, match.start(), match.end()):
                pieces.append((sentence_start, match.end(), "sentence"))
                rest = text[match.end():stop]
                sentence_start = match.end() + len(rest) - len(rest.lstrip())
        if sentence_start < stop:
            pieces.append((sentence_start, stop, "sentence"))
    return pieces


def byline_authors(byline: str) -> list[str]:
    """The names in a byline: "By Chen Hanghui and Dong Pan" -> ["Chen Hanghui", "Dong Pan"]."""
    names = re.sub(r"^\s*by\s+", "", byline, flags=re.I)
    return [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", names)
            if n.strip()]


def _entities(sentence: str) -> list[str]:
    words = sentence.split()
    found = []
    for i, word in enumerate(words):
        bare = word.strip("“”\"‘’'(),.;:!?–—")
        if len(bare) < 2:
            continue
        if bare.isupper() and any(c.isalpha() for c in bare):
            found.append(bare)  # acronyms: NATO, JSDF, ASEAN
        elif i > 0 and bare[0].isupper() and bare.lower() not in SENTENCE_STARTERS:
            found.append(bare)
    return found


#: How much each feature counts, and at most how many times (a logistic score). Fitted by
#: ``bench/fit_weights.py`` (L2-regularised logistic regression, strength 0.1, on the
#: development articles only); refit and paste when a feature or an article changes.
WEIGHTS = {
    "figures": (4.12, 2),
    "dates": (1.43, 2),
    "entities": (0.20, 4),
    "attribution": (1.13, 1),
    "quotation": (0.91, 1),
    "event": (0.70, 2),
    "past-tense": (2.61, 2),
    "comparison": (1.19, 1),
    "over-time": (2.96, 1),
    "finding": (1.20, 1),
    "change": (3.49, 1),
    "group-attribution": (2.36, 1),
    "level": (0.69, 1),
    "not-done": (1.65, 1),
    "evaluative": (-2.73, 4),
    "predictive": (-0.92, 2),
    "promotional": (-4.26, 1),
    "reported-speech": (0.29, 2),
}
BIAS = -2.15


def _figures(words: str) -> list[Quantity]:
    """The figures in ``words`` that count for a quotation (its ordinals do not)."""
    return [q for q in find_quantities(words) if q.kind != "ordinal"]


def _states_a_fact(words: str) -> bool:
    """Does a quotation's own content state something a source could confirm: a figure,
    a time, an event, a change, a finding? (Its past tenses alone are not enough:
    "we have turned the page" is a figure of speech.)"""
    return bool(_figures(words) or MULTIPLES.search(words) or WHEN.search(words)
                or any(p.search(words) for p in (EVENT, NOT_DONE, CHANGE, FINDING,
                                                 OVER_TIME, LEVEL)))


def _quotations(sentence: str) -> tuple[int, int]:
    """(quotations that count, promotional ones). A quotation is check-worthy for what
    it says, not for being one: words that are evaluative or aspirational with no
    figure or date of their own, or a sentence that is mostly quoted speech stating no
    fact at all, are a promotion; a quoted term that states nothing (scare quotes, a
    name) counts for neither."""
    counted = promotional = 0
    speech = ATTRIBUTION.search(sentence) or GROUP.search(sentence)
    for words in QUOTED.findall(sentence):
        timeless = not _figures(words) and not WHEN.search(words)
        if PROMOTIONAL.search(words) and timeless:
            promotional += 1
        elif _states_a_fact(words):
            counted += 1
        elif speech and len(words) * 2 >= len(sentence):
            promotional += 1
    return counted, promotional


def _counts(sentence: str) -> dict[str, int]:
    quantities = find_quantities(sentence)
    quoted, promotional = _quotations(sentence)
    return {
        "figures": sum(q.kind in ("amount", "percent", "count", "number") for q in quantities)
        + len(MULTIPLES.findall(sentence)) + len(ORDINAL.findall(sentence)),
        "dates": sum(q.kind in ("date", "year", "fiscal-year") for q in quantities)
        + len(WHEN.findall(sentence)),
        "entities": len(_entities(sentence)),
        "attribution": len(ATTRIBUTION.findall(sentence)),
        "quotation": quoted,
        "event": len(EVENT.findall(sentence)),
        "past-tense": len(PAST_TENSE.findall(sentence)),
        "comparison": len(COMPARISON.findall(sentence)),
        "over-time": len(OVER_TIME.findall(sentence)),
        "finding": len(FINDING.findall(sentence)),
        "change": len(CHANGE.findall(sentence)),
        "group-attribution": len(GROUP.findall(sentence)),
        "level": len(LEVEL.findall(sentence)),
        "not-done": len(NOT_DONE.findall(sentence)),
        "evaluative": len(EVALUATIVE.findall(sentence)) if not promotional else 0,
        "predictive": len(PREDICTIVE.findall(sentence)),
        "promotional": promotional,
    }


def _article_counts(sentence: str) -> dict[str, int]:
    counts = _counts(sentence)
    wrapper = WRAPPER.match(sentence)
    if wrapper:  # judge the statement inside the evaluation; name the wrapper apart
        inner = _counts(sentence[wrapper.end():])
        if _z(inner) > _z(counts):
            counts = {**inner, "wrapped": 1}
    return counts


def article_z(sentence: str) -> float:
    """The article model's log-odds for ``sentence``: its named features, weighted."""
    return _z(_article_counts(sentence))


def _score(sentence: str) -> tuple[float, tuple[str, ...], dict[str, int], tuple[str, ...]]:
    """(score, named features, their counts, the words that raised the score). The score
    is the spoken layer's (``spoken.py``) on top of the article model's log-odds."""
    counts = _article_counts(sentence)
    features = tuple(name for name, n in counts.items() if n)
    z, words = spoken.model().z(sentence, _z(counts), _inputs(counts))
    return 1 / (1 + math.exp(-z)), features, counts, words


def model_inputs(sentence: str) -> dict[str, int]:
    """What the article model's log-odds of ``sentence`` is a weighted sum of
    (``bench/fit_weights.py`` fits the weights to these)."""
    return _inputs(_article_counts(sentence))


def _inputs(counts: dict[str, int]) -> dict[str, int]:
    """Each feature's count, capped; plus reported speech (what someone said they would
    do is what they said, not a prediction of ours)."""
    capped = {name: min(counts.get(name, 0), cap) for name, (_, cap) in WEIGHTS.items()}
    if counts.get("attribution"):
        capped["reported-speech"] = min(counts.get("predictive", 0), WEIGHTS["reported-speech"][1])
    return capped


def _z(counts: dict[str, int]) -> float:
    return BIAS + sum(WEIGHTS[name][0] * n for name, n in _inputs(counts).items())


def _kind(counts: dict[str, int], check_worthy: bool) -> str:
    if counts["quotation"] and counts["attribution"]:
        return "quotation"
    if counts["attribution"]:
        return "attribution"
    if not check_worthy:
        return "prediction" if counts["predictive"] and not counts["evaluative"] \
            else "opinion"
    if counts["figures"]:
        return "comparison" if counts["comparison"] and not counts["dates"] else "statistic"
    if counts["predictive"] and not counts["event"]:
        return "prediction"
    if counts["quotation"]:
        return "quotation"
    return "event"


def extract_claims(text: str, *, threshold: float = 0.5) -> list[Sentence]:
    """Every sentence of ``text``, scored; check-worthy ones have ``score >= threshold``."""
    sentences = []
    for start, end, shape in split(text):
        body = text[start:end]
        if shape in ("heading", "byline"):
            sentences.append(Sentence(body, start, end, shape, False, 0.0, ()))
            continue
        score, features, counts, words = _score(body)
        worthy = score >= threshold
        parts: tuple[str, ...] = ()
        wrapped = WRAPPER.match(body) if counts.get("wrapped") else None
        if worthy and (counts["evaluative"] or wrapped):
            checkable = [f for f in features if f not in ("evaluative", "predictive",
                                                          "wrapped")]
            opinion = [wrapped.group().strip()] if wrapped else sorted(
                {m.group().lower() for m in EVALUATIVE.finditer(body)})
            parts = (f"checkable: {', '.join(checkable)}",
                     f"opinion: {', '.join(opinion)}")
        sentences.append(Sentence(body, start, end, _kind(counts, worthy), worthy, score,
                                  features, parts, words))
    return sentences
