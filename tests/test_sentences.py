"""Finding claims in an article: splitting, check-worthiness, drafts of seed files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck import read_seed
from factcheck.drafts import draft_seed
from factcheck.seeds import uncovered
from factcheck.text.labelled import load_labelled, score
from factcheck.text.sentences import BIAS, WEIGHTS, byline_authors, extract_claims, split

from .conftest import ROOT, SEEDS

ARTICLES = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.yaml"))


@pytest.mark.parametrize(("text", "sentences"), [
    ("The U.S. Navy said so. The next sentence starts here.",
     ["The U.S. Navy said so.", "The next sentence starts here."]),
    ("He arrived on Jan. 13 in Tokyo. Then he left.",
     ["He arrived on Jan. 13 in Tokyo.", "Then he left."]),
    ("Prof. Ada Lind spoke first. No. 10 answered later.",
     ["Prof. Ada Lind spoke first.", "No. 10 answered later."]),
    ("Funding for FY 2023 rose. “It is a record,” she said. Officials agreed.",
     ["Funding for FY 2023 rose.", "“It is a record,” she said.", "Officials agreed."]),
    ("Troops left the U.S. The war was over.", ["Troops left the U.S.", "The war was over."]),
])
def test_abbreviations_and_quotes_do_not_break_sentences(text: str,
                                                         sentences: list[str]) -> None:
    assert [text[s:e] for s, e, _ in split(text)] == sentences


def test_headings_bylines_and_lists() -> None:
    text = ("By Ann Lee and Bo Chen\nBudget approved\nThe council approved it on Tuesday.\n"
            "- First item of a list\n- Second item")
    shapes = [(text[s:e], shape) for s, e, shape in split(text)]
    assert shapes == [("By Ann Lee and Bo Chen", "byline"), ("Budget approved", "heading"),
                      ("The council approved it on Tuesday.", "sentence"),
                      ("First item of a list", "item"), ("Second item", "item")]
    assert byline_authors("By Chen Hanghui and Dong Pan") == ["Chen Hanghui", "Dong Pan"]
    assert byline_authors("By A. One, B. Two and C. Three") == ["A. One", "B. Two", "C. Three"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_offsets_are_exact_and_never_overlap(text: str) -> None:
    last = 0
    for sentence in extract_claims(text):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.start >= last
        assert sentence.text == sentence.text.strip()
        last = sentence.end


@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_labelled_articles_split_exactly_and_score_well(path: Path) -> None:
    article = load_labelled(path)
    scores = score(extract_claims(article.text), article.labels)
    assert scores.boundaries_right == scores.sentences
    assert len(article.kinds) == len(article.labels)
    if article.held_out:  # scored by bench/claims.py, not held to a bar to tune against
        return
    assert scores.precision >= 0.75
    assert scores.recall >= 0.75


@pytest.mark.parametrize(("sentence", "feature"), [
    ("Container traffic fell to its lowest level since 2009 during the strike.", "over-time"),
    ("Freight rates grew again in the second week of the dispute.", "over-time"),
    ("A national survey found that fewer pupils walk to school.", "finding"),
    ("Student housing is no longer exempt.", "change"),
    ("The clause allows the cap to be reviewed after three years.", "change"),
    ("Smaller firms were not invited to the talks.", "not-done"),
    ("It now stands at 12.", "level"),
    ("Party officials said the leader would not concede.", "group-attribution"),
    # the past tense by its form, with verbs in no list of ours
    ("Striker Tomas Ek scored both goals.", "past-tense"),
    ("The contractor's chief executive was acquitted.", "past-tense"),
    ("Kestrel's captain was sent off in the 70th minute.", "past-tense"),
])
def test_kinds_of_claims_without_a_figure_of_their_own(sentence: str, feature: str) -> None:
    (found,) = extract_claims(sentence)
    assert found.check_worthy, found
    assert feature in found.features  # the decision names what made it


def test_a_promotional_quotation_is_not_check_worthy_for_being_one() -> None:
    (promo,) = extract_claims("“Our mission is to give every child the best possible "
                              "start,” the director said.")
    assert not promo.check_worthy and "promotional" in promo.features
    (factual,) = extract_claims("“The winter of 2021 cost us eleven weeks,” Varga said.")
    assert factual.check_worthy and "promotional" not in factual.features


def test_a_quotation_counts_for_what_it_says() -> None:
    # quoted speech stating no figure, time, event, change or finding: a promotion
    (speech,) = extract_claims("“This team never stops believing,” Borg said.")
    assert not speech.check_worthy and "promotional" in speech.features
    # a quoted term is neither a quotation nor a promotion
    (term,) = extract_claims("Japan calls itself the “Western country in Asia” at home.")
    assert "quotation" not in term.features and "promotional" not in term.features
    # quoted speech that states an event keeps its weight
    (event,) = extract_claims("“We signed the contract in May,” Borg said.")
    assert event.check_worthy and "quotation" in event.features


def test_past_participles_used_as_adjectives_are_not_past_events() -> None:
    for sentence in ("I am interested in the so-called deal.", "She was disappointed.",
                     "The plan is misguided.", "A hundred people need help indeed."):
        (found,) = extract_claims(sentence)
        assert "past-tense" not in found.features, sentence


def test_a_stance_said_as_one_is_opinion() -> None:
    (stance,) = extract_claims("We think the council got it wrong.")
    assert not stance.check_worthy and "evaluative" in stance.features


def test_the_weights_are_the_fit_to_the_development_articles() -> None:
    """WEIGHTS is what bench/fit_weights.py fits: a changed feature or article without a
    refit fails here."""
    sys.path.insert(0, str(ROOT))
    from bench.fit_weights import development, fit

    bias, weights = fit([r for rows in development().values() for r in rows], 0.1)
    assert round(bias, 2) == BIAS
    assert [round(w, 2) for w in weights] == [w for w, _cap in WEIGHTS.values()]


def test_a_fact_wrapped_in_an_evaluation_is_found_and_both_parts_named() -> None:
    (sentence,) = extract_claims("It is encouraging that the smoking rate fell in every "
                                 "region last year.")
    assert sentence.check_worthy
    assert sentence.parts[1] == "opinion: It is encouraging that"


def test_the_seed_article_against_its_curated_claims() -> None:
    seed = read_seed(SEEDS / "claims.yaml")
    text = seed.document.text
    spans = [(c.start, c.end) for c in seed.claims if c.checkable]
    sentences = [s for s in extract_claims(text) if s.kind not in ("heading", "byline")]
    labels = tuple((s.start, s.end, any(a < s.end and s.start < b for a, b in spans))
                   for s in sentences)
    scores = score(sentences, labels)
    assert scores.precision >= 0.8
    assert scores.recall >= 0.7
    kinds = {s.kind for s in extract_claims(text)}
    assert {"byline", "heading", "statistic", "opinion"} <= kinds


def test_a_mixed_sentence_names_both_parts() -> None:
    (sentence,) = extract_claims(
        "The reckless council approved a budget of 2.4 billion crowns on Tuesday.")
    assert sentence.check_worthy
    assert sentence.parts[0].startswith("checkable: ")
    assert sentence.parts[1] == "opinion: reckless"


def test_a_ten_thousand_word_article() -> None:
    # Its speed is measured by bench/claims.py (about 0.1 s); here, that it works.
    text = (SEEDS / "article.txt").read_text(encoding="utf-8")
    big = "\n".join([text] * 8)
    assert len(big.split()) > 10_000
    sentences = extract_claims(big)
    assert len(sentences) == 8 * len(extract_claims(text))


def test_a_draft_seed_accounts_for_every_sentence(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes((SEEDS / "article.txt").read_bytes())
    data = draft_seed(article, tmp_path / "draft.yaml")
    seed = read_seed(tmp_path / "draft.yaml")
    assert seed.document.authors == ("Chen Hanghui", "Dong Pan")
    assert uncovered(seed.document.text, [(c.start, c.end) for c in seed.claims]
                     + [(0, len("By Chen Hanghui and Dong Pan"))]) == []
    assert all(c.verdict is None for c in seed.claims if c.checkable)
    assert sum(1 for c in data["claims"] if c.get("checkable")) >= 10
