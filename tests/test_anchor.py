"""Anchoring passages: table tests for edits, property tests for robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.text.anchor import (
    Selector,
    anchor,
    changed_words,
    figure_flags,
    selector_at,
    word_diff,
)

QUOTE = ("The defense budget, which stood at ¥5.4 trillion in fiscal 2022, is expected "
         "to be boosted to about ¥8.9 trillion in fiscal 2027.")
PAGE = ("Home | World | Most read\nPolitics\n" + QUOTE
        + " The government aims to reach ¥11 trillion by including other spending.\n© Fixture")


def test_found_exactly_then_by_position() -> None:
    first = anchor(PAGE, QUOTE)
    assert (first.status, first.method) == ("found", "exact")
    assert PAGE[first.start:first.end] == QUOTE  # type: ignore[misc]
    assert first.selector is not None
    again = anchor(PAGE, first.selector)
    assert (again.status, again.method, again.start) == ("found", "position", first.start)


def test_the_selector_is_w3c() -> None:
    start = PAGE.index(QUOTE)
    selector = selector_at(PAGE, start, start + len(QUOTE))
    w3c = selector.to_w3c()
    assert w3c[0] == {"type": "TextQuoteSelector", "exact": QUOTE,
                      "prefix": PAGE[start - 32:start], "suffix": PAGE[start + len(QUOTE):][:32]}
    assert w3c[1] == {"type": "TextPositionSelector", "start": start, "end": start + len(QUOTE)}
    assert Selector.from_w3c(w3c) == selector


def test_a_moved_sentence_is_found_where_it_went() -> None:
    moved = "Breaking news first. " * 20 + PAGE
    old = anchor(PAGE, QUOTE).selector
    found = anchor(moved, old)  # type: ignore[arg-type]
    assert (found.status, found.method) == ("found", "exact")
    assert found.start == PAGE.index(QUOTE) + len("Breaking news first. ") * 20


@pytest.mark.parametrize("reflowed", [
    PAGE.replace("The defense budget, which", "The defense\n   budget,  which"),
    PAGE.replace("¥", "￥"),  # full-width yen: NFKC
    PAGE.replace("The defense", "THE DEFENSE"),
    PAGE.replace("to be boosted", "to be boost\u00aded"),  # a soft hyphen
])
def test_reflowed_text_is_still_found(reflowed: str) -> None:
    found = anchor(reflowed, QUOTE)
    assert (found.status, found.method) == ("found", "normalized")
    assert found.found is not None and "8.9 trillion" in found.found
    assert reflowed[found.start:found.end] == found.found  # type: ignore[misc]


def test_curly_and_straight_quotes_and_dashes_are_one() -> None:
    text = 'He said "we will double it" - a promise - in 2023.'
    found = anchor(text, "He said “we will double it” – a promise – in 2023.")
    assert (found.status, found.method, found.found) == ("found", "normalized", text)


def test_a_changed_word_drifts_with_the_new_text_and_a_diff() -> None:
    edited = PAGE.replace("boosted", "raised")
    found = anchor(edited, QUOTE)
    assert (found.status, found.method) == ("drifted", "approximate")
    assert found.found == QUOTE.replace("boosted", "raised")
    assert 0.9 < found.similarity < 1.0
    assert ("-", "boosted") in found.diff and ("+", "raised") in found.diff


def test_a_deleted_passage_is_missing_not_dropped() -> None:
    gone = PAGE.replace(QUOTE, "")
    found = anchor(gone, QUOTE)
    assert found.status == "missing"
    assert not found.placed


def test_several_hits_are_told_apart_by_context() -> None:
    text = "alpha beta: the figure rose. gamma delta: the figure rose. epsilon"
    second = text.index("the figure rose", 20)
    selector = Selector("the figure rose", prefix="gamma delta: ", suffix=". epsilon")
    assert anchor(text, selector).start == second


def test_word_diff() -> None:
    assert word_diff("up 26.3 percent from", "up 20 percent from") == (
        ("=", "up"), ("-", "26.3"), ("+", "20"), ("=", "percent from"))


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=200, deadline=None)
@given(_text, _text)
def test_anchoring_never_raises(text: str, quote: str) -> None:
    found = anchor(text, quote)
    assert found.status in ("found", "drifted", "missing")
    if found.placed:
        assert found.start is not None and found.end is not None
        assert 0 <= found.start <= found.end <= len(text)
        assert text[found.start:found.end] == found.found


@settings(max_examples=200, deadline=None)
@given(_text, _text, st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                             max_size=80).filter(lambda q: q.strip() != ""))
def test_a_quote_inserted_anywhere_is_found_exactly_there(
        before: str, after: str, quote: str) -> None:
    text = before + quote + after
    found = anchor(text, Selector(quote, prefix=before[-32:], suffix=after[:32]))
    assert found.status == "found"
    assert text[found.start:found.end] == quote  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["the", "budget", "“rose”", "26.3", "per", "cent", "–", "¥5.4",
                                 "ﬁscal", "Year", "bud\u00adget"]), min_size=1, max_size=12),
       st.sampled_from([" ", "  ", "\n", "\t ", "\u00a0"]))
def test_normalized_offsets_point_into_the_original(words: list[str], gap: str) -> None:
    original = "Preface ﬁrst. " + gap.join(words) + " Afterword."
    # The quote as a person would type it: no soft hyphens, straight quotes, "fi".
    quote = " ".join(w.replace("\u00ad", "").replace("“", '"').replace("”", '"')
                     .replace("ﬁ", "fi") for w in words)
    found = anchor(original, quote)
    assert found.status == "found"
    assert original[found.start:found.end] == found.found  # type: ignore[misc]
    assert found.start >= len("Preface ﬁrst.")  # type: ignore[operator]


def test_changed_words_pairs_each_removal_with_its_replacement() -> None:
    diff = word_diff("a budget of 26.3 percent in 2023 was approved",
                     "a budget of 20.3 percent was approved by the council")
    assert changed_words(diff) == [("26.3", "20.3"), ("in 2023", ""), ("", "by the council")]
    assert changed_words(()) == []
    assert figure_flags(diff)[1] == ("-", "26.3", True)
