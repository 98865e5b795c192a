"""schema.org as the ClaimReview tests check it: the properties each type may carry."""

from __future__ import annotations

from typing import Any

# schema.org: the properties used, per type, from the type's definition and its parents
# (ClaimReview < Review < CreativeWork < Thing; Claim < CreativeWork; Rating < Intangible).
THING = {"@context", "@type", "name", "url", "description", "sameAs", "image"}
CREATIVE_WORK = THING | {"author", "datePublished", "headline", "dateModified", "publisher",
                         "inLanguage"}
PROPERTIES = {
    "ClaimReview": CREATIVE_WORK | {"claimReviewed", "reviewRating", "itemReviewed",
                                    "reviewBody"},
    "Claim": CREATIVE_WORK | {"appearance", "firstAppearance", "claimInterpreter"},
    "CreativeWork": CREATIVE_WORK,
    "Rating": THING | {"ratingValue", "bestRating", "worstRating", "alternateName", "author",
                       "ratingExplanation", "reviewAspect"},
    "Organization": THING | {"legalName", "logo"},
    "Person": THING | {"givenName", "familyName"},
}


def check_schema(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            check_schema(item)
        return
    if not isinstance(node, dict):
        return
    kind = node["@type"]
    assert kind in PROPERTIES, f"unexpected type {kind}"
    unknown = set(node) - PROPERTIES[kind]
    assert not unknown, f"{kind} has no properties {unknown}"
    for value in node.values():
        check_schema(value)
