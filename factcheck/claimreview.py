"""Published fact-checks, read from their schema.org ClaimReview markup. Pure functions.

Fact-checkers mark every published fact-check up with ClaimReview (it is how search
engines and aggregators find them), in one of three syntaxes, and publish feeds of them:

- JSON-LD, as one object, an array, or a ``@graph`` whose nodes refer to each other by
  ``@id``; a page may carry several scripts, and one broken script does not hide the
  good one beside it (each is read on its own);
- microdata and RDFa, read by `extruct <https://github.com/scrapinghub/extruct>`_ and
  brought to the same shape as JSON-LD;
- a JSON feed: the schema.org ``DataFeed`` (``dataFeedElement`` -> ``item``), a plain
  list of ClaimReview objects, or what the Google Fact Check Tools API's
  ``claims:search`` returns;
- a ``sitemap.xml`` listing fact-check pages (or a sitemap index of such sitemaps).

Each review becomes a :class:`Review`: the claim reviewed, who reviewed it and when,
the publisher's own label (kept verbatim), its rating value and bounds, who made the
claim and where it appeared. :func:`rating_for` maps a label to a rating of the team's
scale: the desk's own map first, then the labels publishers commonly use (a label that
is a sentence beginning with the verdict counts by that verdict), then the rating value
within its bounds; a label that maps to nothing is None, never guessed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from factcheck.scale import RatingScale

__all__ = ["BUILTIN_LABELS", "Review", "cited_links", "rating_for", "reviews_in_html",
           "reviews_in_json", "sitemap_urls"]


@dataclass(frozen=True)
class Review:
    """One published review of one claim."""

    claim_reviewed: str
    #: The fact-check's own URL (the page the review is published on).
    url: str | None = None
    #: When it was published (ISO 8601 as given: "2024-03-15", "2024-03-15T09:00:00Z").
    date: str | None = None
    #: The organization (or person) that published the review.
    reviewer: str | None = None
    #: The publisher's own label, verbatim ("Pants on Fire!", "Incorrect. It fell ...").
    label: str | None = None
    value: float | None = None
    best: float | None = None
    worst: float | None = None
    #: Who made the claim (``itemReviewed.author``).
    claimant: str | None = None
    #: Where the claim was made (``itemReviewed.appearance`` and ``firstAppearance``).
    appearances: tuple[str, ...] = ()
    headline: str | None = None
    body: str | None = None
    language: str | None = None


# -- reading a node of any syntax ----------------------------------------------------

def _short(name: str) -> str:
    """``https://schema.org/ClaimReview``, ``schema:ClaimReview`` -> ``ClaimReview``."""
    return re.split(r"[/#:]", name)[-1]


def _types(node: Mapping[str, Any]) -> set[str]:
    kinds = node.get("@type") or node.get("type") or ()
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return {_short(k) for k in kinds if isinstance(k, str)}


class _Graph:
    """Nodes by ``@id``, so that a reference is read as the node it names."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)
                      and len(n) > 1}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"], value)
        return value

    def all(self, node: Mapping[str, Any], name: str) -> list[Any]:
        value = node.get(name)
        if value is None:
            value = next((v for k, v in node.items() if _short(k) == name), None)
        values = value if isinstance(value, list) else [] if value is None else [value]
        return [self.resolve(v) for v in values]

    def get(self, node: Mapping[str, Any], name: str) -> Any:
        values = self.all(node, name)
        return values[0] if values else None

    def text(self, node: Mapping[str, Any], name: str) -> str | None:
        return _text(self.get(node, name))


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        return " ".join(value.split()) or None
    return None


def _number(value: Any) -> float | None:
    text = _text(value)
    try:
        number = float(text) if text is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _name(graph: _Graph, value: Any) -> str | None:
    value = graph.resolve(value)
    if isinstance(value, list):
        value = next(iter(value), None)
    if isinstance(value, dict):
        return graph.text(value, "name") or graph.text(value, "legalName")
    return _text(value)


def _url(graph: _Graph, value: Any, base: str | None) -> str | None:
    value = graph.resolve(value)
    if isinstance(value, dict):
        value = graph.get(value, "url") or (value.get("@id") if str(
            value.get("@id", "")).startswith("http") else None)
    text = _text(value)
    if not text:
        return None
    url = urljoin(base or "", text)
    return url if urlsplit(url).scheme in ("http", "https") else None


def _review(graph: _Graph, node: Mapping[str, Any], page_url: str | None) -> Review | None:
    claim = graph.text(node, "claimReviewed")
    item = graph.get(node, "itemReviewed")
    item = item if isinstance(item, dict) else {}
    if not claim:  # some put the claim's words on the item instead
        claim = graph.text(item, "text") or graph.text(item, "name")
    if not claim:
        return None
    rating = graph.get(node, "reviewRating")
    rating = rating if isinstance(rating, dict) else {}
    appearances = [_url(graph, a, page_url) for name in ("appearance", "firstAppearance")
                   for a in graph.all(item, name)]
    return Review(
        claim_reviewed=claim,
        url=_url(graph, node.get("url"), page_url) or page_url,
        date=graph.text(node, "datePublished") or graph.text(node, "dateCreated"),
        reviewer=_name(graph, graph.get(node, "author"))
        or _name(graph, graph.get(node, "publisher")),
        label=graph.text(rating, "alternateName") or graph.text(rating, "name"),
        value=_number(graph.get(rating, "ratingValue")),
        best=_number(graph.get(rating, "bestRating")),
        worst=_number(graph.get(rating, "worstRating")),
        claimant=_name(graph, graph.get(item, "author")),
        appearances=tuple(dict.fromkeys(a for a in appearances if a)),
        headline=graph.text(node, "headline") or graph.text(node, "name"),
        body=graph.text(node, "reviewBody") or graph.text(node, "description"),
        language=graph.text(node, "inLanguage"))


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON value, however deep (a DataFeed's items, a @graph)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            yield value
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def _reviews(nodes: list[dict[str, Any]], page_url: str | None) -> list[Review]:
    graph = _Graph(nodes)
    found = [_review(graph, n, page_url) for n in nodes if "ClaimReview" in _types(n)]
    return list(dict.fromkeys(r for r in found if r is not None))


# -- JSON: feeds, lists, the Fact Check Tools API ---------------------------------------

def reviews_in_json(data: Any, base_url: str | None = None) -> list[Review]:
    """The reviews in a JSON document: a DataFeed, a list or a single ClaimReview, or
    the Google Fact Check Tools API's ``claims:search`` answer."""
    if isinstance(data, dict) and isinstance(data.get("claims"), list):
        return _fact_check_tools(data["claims"])
    return _reviews(list(_walk(data)), base_url)


def _fact_check_tools(claims: list[Any]) -> list[Review]:
    reviews = []
    for claim in claims:
        if not isinstance(claim, dict) or not _text(claim.get("text")):
            continue
        for review in claim.get("claimReview") or ():
            if not isinstance(review, dict):
                continue
            publisher = review.get("publisher")
            publisher = publisher if isinstance(publisher, dict) else {"name": publisher}
            reviews.append(Review(
                claim_reviewed=_text(claim["text"]) or "", url=_text(review.get("url")),
                date=_text(review.get("reviewDate")),
                reviewer=_text(publisher.get("name")) or _text(publisher.get("site")),
                label=_text(review.get("textualRating")), claimant=_text(claim.get("claimant")),
                headline=_text(review.get("title")),
                language=_text(review.get("languageCode"))))
    return reviews


# -- HTML: JSON-LD, microdata, RDFa ------------------------------------------------------

_LD_SCRIPT = etree.XPath("//script[translate(@type, 'LDJSONAPLICT+', 'ldjsonaplict+')"
                         "='application/ld+json']")


def _json_ld(tree: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Every JSON-LD script read on its own: a broken one is named, the rest are read."""
    nodes: list[dict[str, Any]] = []
    problems = []
    for number, script in enumerate(_LD_SCRIPT(tree), 1):
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            import jstyleson  # comments and trailing commas, as extruct forgives them

            try:
                data = jstyleson.loads(text, strict=False)
            except ValueError as exc:
                problems.append(f"JSON-LD script {number} is not valid JSON ({exc})")
                continue
        nodes.extend(_walk(data))
    return nodes, problems


def _from_rdfa(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RDFa as extruct gives it (expanded JSON-LD) in the compact shape: ``{"@value": x}``
    is x, a one-item list is its item, property IRIs are their last part."""
    def compact(value: Any) -> Any:
        if isinstance(value, list):
            values = [compact(v) for v in value]
            return values[0] if len(values) == 1 else values
        if isinstance(value, dict):
            if "@value" in value:
                return value["@value"]
            return {("@type" if k == "@type" else k if k.startswith("@") else _short(k)):
                    compact(v) for k, v in value.items()}
        return value
    return [compact(item) for item in items if isinstance(item, dict)]


def reviews_in_html(html: str, url: str | None = None) -> tuple[list[Review], list[str]]:
    """The reviews a page carries, in any syntax, and what could not be read."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        return [], [f"the page has no parsable HTML ({exc})"]
    nodes, problems = _json_ld(tree)
    reviews = _reviews(nodes, url)
    if "itemscope" in html or "typeof" in html:  # microdata or RDFa may be there too
        import extruct

        try:
            other = extruct.extract(html, base_url=url, syntaxes=["microdata", "rdfa"],
                                    uniform=True, errors="strict")
        except Exception as exc:  # a parser's surprise: the JSON-LD still counts
            problems.append(f"microdata or RDFa could not be read ({type(exc).__name__})")
        else:
            more = [n for item in other.get("microdata", []) for n in _walk(item)]
            more += _from_rdfa(other.get("rdfa", []))
            # A page that marks a review up twice (JSON-LD and microdata) has one review.
            seen = {r.claim_reviewed for r in reviews}
            reviews += [r for r in _reviews(more, url) if r.claim_reviewed not in seen]
    return reviews, problems


# -- sitemaps -------------------------------------------------------------------------

def sitemap_urls(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, sitemap URLs) of a sitemap or a sitemap index; raises ValueError for
    what is not a sitemap. Entities are not expanded and no network is used."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"not a sitemap (its root is <{kind}>)")
    locs = [(loc.text or "").strip() for loc in root.iter("{*}loc")]
    locs = [u for u in locs if urlsplit(u).scheme in ("http", "https")]
    return (locs, []) if kind == "urlset" else ([], locs)


# -- ratings ----------------------------------------------------------------------------

#: Labels publishers commonly use, mapped to the default scale. Compared in lower case,
#: without the final punctuation; a label that is a sentence is read by its first words.
BUILTIN_LABELS: dict[str, str] = {
    "true": "true", "correct": "true", "accurate": "true", "verdadero": "true",
    "vrai": "true", "richtig": "true", "geppetto checkmark": "true",
    "mostly true": "mostly-true", "mostly correct": "mostly-true",
    "mostly accurate": "mostly-true", "largely accurate": "mostly-true",
    "half true": "misleading", "half-true": "misleading", "mixture": "misleading",
    "misleading": "misleading", "missing context": "misleading",
    "needs context": "misleading", "lacks context": "misleading",
    "cherry picks": "misleading", "exaggerated": "misleading", "partly true": "misleading",
    "partially true": "misleading", "mixed": "misleading",
    "mostly false": "mostly-false", "partly false": "mostly-false",
    "partially false": "mostly-false", "mostly inaccurate": "mostly-false",
    "false": "false", "incorrect": "false", "inaccurate": "false", "wrong": "false",
    "fake": "false", "pants on fire": "false", "four pinocchios": "false",
    "falso": "false", "faux": "false", "falsch": "false", "fabricated": "false",
    "unproven": "unverified", "unsupported": "unverified", "unverified": "unverified",
    "no evidence": "unverified", "unsubstantiated": "unverified",
    "research in progress": "unverified",
}


def _label_key(label: str) -> str:
    return " ".join(label.lower().replace("’", "'").split()).strip(" .!?:;,")


def rating_for(review: Review, scale: RatingScale,
               rating_map: Mapping[str, str] | None = None) -> str | None:
    """The rating of ``scale`` a review's label or value says, or None."""
    label = _label_key(review.label or "")
    if label:
        mine = {_label_key(k): v for k, v in (rating_map or {}).items()}
        builtin = BUILTIN_LABELS if scale.name == "factcheck" else {}
        for table in (mine, builtin):
            if label in table and table[label] in scale:
                return table[label]
        # "Incorrect. It fell by about a third": the verdict is the first words.
        first = _label_key(re.split(r"[.:;,!?(\u2014\u2013]| - ", label, maxsplit=1)[0])
        for table in (mine, builtin):
            if first != label and first in table and table[first] in scale:
                return table[first]
    if review.value is not None and review.best is not None and review.worst is not None \
            and review.best != review.worst:
        share = (review.value - review.worst) / (review.best - review.worst)
        if 0.0 <= share <= 1.0:
            ours = scale.worst + share * (scale.best - scale.worst)
            rated = [r for r in scale if r.value is not None]
            if rated:
                return min(rated, key=lambda r: abs(r.value - ours)).slug  # type: ignore[operator]
    return None


# -- the links a fact-check cites ---------------------------------------------------------

#: Hosts and paths of share buttons and the like: never a source.
_FURNITURE = re.compile(
    r"(facebook\.com/(sharer|share|dialog)|twitter\.com/(intent|share)|x\.com/intent"
    r"|linkedin\.com/(share|sharing)|pinterest\.com/pin/create|reddit\.com/submit"
    r"|wa\.me/|api\.whatsapp\.com|t\.me/share|telegram\.me/share|mailto:|/wp-login"
    r"|/(tag|tags|category|author|authors)/)", re.I)


def cited_links(html: str, url: str | None) -> list[str]:
    """The links in a fact-check's main text, in order: its sources (and where the claim
    was made), not its navigation, share buttons or the site's own furniture."""
    import trafilatura

    try:
        xml = trafilatura.extract(html, url=url, output_format="xml", include_links=True,
                                  include_comments=False, include_tables=True)
    except Exception:  # trafilatura on hostile markup: the page has no links we trust
        return []
    if not xml:
        return []
    try:
        root = etree.fromstring(xml.encode("utf-8"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    page = urlsplit(url or "")
    links = []
    for ref in root.iter("ref"):
        target = urljoin(url or "", (ref.get("target") or "").strip())
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _FURNITURE.search(target):
            continue
        if (parts.netloc, parts.path) == (page.netloc, page.path):
            continue  # a link within the page itself
        links.append(target.split("#", 1)[0])
    return list(dict.fromkeys(links))
