"""Check-worthiness of spoken sentences: the lexical layer fitted to debate sentences
(``factcheck/text/spoken.py``). The sentences here are our own, written for the test."""

from __future__ import annotations

import gzip
import json

import pytest

from factcheck.text import spoken
from factcheck.text.sentences import extract_claims


@pytest.mark.parametrize("sentence", [
    "We've lost 700,000 manufacturing jobs in this state since I took office.",
    "My opponent voted against the veterans' health bill twice last year.",
    "Crime in our cities went down by a third while he was governor.",
    "The deficit has doubled under this administration.",
])
def test_spoken_claims_are_check_worthy(sentence: str) -> None:
    (found,) = extract_claims(sentence)
    assert found.check_worthy, found


@pytest.mark.parametrize("sentence", [
    "Thank you, it's wonderful to be here with all of you tonight.",
    "I think the American people are smarter than that.",
    "Let me finish, please, because I listened to you.",
    "We are going to make this country great again, believe me.",
])
def test_what_is_said_to_the_room_is_not(sentence: str) -> None:
    (found,) = extract_claims(sentence)
    assert not found.check_worthy, found


def test_the_decision_names_its_words() -> None:
    (found,) = extract_claims("We've lost 700,000 manufacturing jobs in this state "
                              "since I took office.")
    assert found.words and all(w in found.text.lower() for w in found.words)
    assert found.to_dict()["words"] == list(found.words)
    # common words raise scores but are never given as a reason
    assert not {"the", "of", "in", "we"} & set(found.words)


def test_the_model_file_holds_words_not_sentences() -> None:
    assert spoken.MODEL.stat().st_size < 3_000_000
    with gzip.open(spoken.MODEL, "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert max(len(term.split()) for term in data["terms"]) == 2
    assert set(data["named"]) and data["article_weight"] > 0
