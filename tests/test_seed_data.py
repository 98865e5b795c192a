"""The seeded article: complete, verbatim, and honest about what was not found."""

from __future__ import annotations

import hashlib

import pytest

from factcheck import DEFAULT_SCALE, read_seeds
from factcheck.seeds import Seed, uncovered

from .conftest import SEEDS, SHARED


@pytest.fixture(scope="module")
def seed() -> Seed:
    (only,) = read_seeds(SEEDS)
    return only


def test_article_is_the_shared_article_byte_for_byte() -> None:
    ours = (SEEDS / "article.txt").read_bytes()
    if not (SHARED / "seeds" / "article.txt").exists():
        pytest.skip(f"no shared folder at {SHARED} to compare with")
    assert ours == (SHARED / "seeds" / "article.txt").read_bytes()


def test_document_metadata(seed: Seed) -> None:
    doc = seed.document
    assert doc.authors == ("Chen Hanghui", "Dong Pan")
    assert doc.published == "2023"
    assert doc.text_sha256 == hashlib.sha256((SEEDS / "article.txt").read_bytes()).hexdigest()


def test_every_sentence_is_accounted_for(seed: Seed) -> None:
    text = seed.document.text
    assert seed.document.byline is not None
    spans = [(c.start, c.end) for c in seed.claims]
    start = text.index(seed.document.byline)
    spans.append((start, start + len(seed.document.byline)))
    assert [text[s:e] for s, e in uncovered(text, spans)] == []


def test_every_claim_rests_on_its_exact_span(seed: Seed) -> None:
    for claim in seed.claims:
        assert seed.document.text[claim.start:claim.end] == claim.quote


def test_every_claim_has_a_verdict_with_a_rationale(seed: Seed) -> None:
    for claim in seed.claims:
        assert claim.verdict is not None, claim.key
        assert DEFAULT_SCALE.get(claim.verdict.rating).checkable == claim.checkable, claim.key
        assert len(claim.verdict.rationale) > 30, claim.key


def test_checkable_claims_cite_evidence_or_say_none_was_found(seed: Seed) -> None:
    for claim in seed.claims:
        if not claim.checkable:
            continue
        assert claim.verdict is not None
        if claim.verdict.rating == "unverified":
            assert claim.evidence == (), f"{claim.key}: unverified yet cites evidence"
        else:
            assert any(e.stance == "supports" for e in claim.evidence) or \
                   any(e.stance == "refutes" for e in claim.evidence), claim.key


def test_evidence_is_copied_verbatim_from_the_research_notes(seed: Seed) -> None:
    notes_path = SHARED / "research" / "article-sources.md"
    if not notes_path.exists():
        pytest.skip(f"no research notes at {notes_path} to compare with")
    notes = notes_path.read_text(encoding="utf-8")
    cited = [(c.key, e) for c in seed.claims for e in c.evidence]
    assert len(cited) >= 30
    for key, evidence in cited:
        assert evidence.url in notes, f"{key}: {evidence.url} is not in the research notes"
        assert f'"{evidence.quote}"' in notes, f"{key}: quote not verbatim: {evidence.quote[:60]}"


def _claim(seed: Seed, key: str):  # type: ignore[no-untyped-def]
    return next(c for c in seed.claims if c.key == key)


def test_the_unsourced_attribution_is_unverified(seed: Seed) -> None:
    smith = _claim(seed, "paul-smith-new-stage")
    assert smith.verdict is not None and smith.verdict.rating == "unverified"
    assert smith.evidence == ()


def test_ipef_launch_and_lobbying_are_rated_apart(seed: Seed) -> None:
    launch = _claim(seed, "ipef-launch-tokyo-may-2022")
    lobbied = _claim(seed, "ipef-lobbied-by-japan")
    assert launch.verdict is not None and launch.verdict.rating == "true"
    assert lobbied.verdict is not None and lobbied.verdict.rating == "unverified"
    assert launch.start <= lobbied.start < lobbied.end <= launch.end


@pytest.mark.parametrize(("key", "rating", "mentions"), [
    ("double-defense-budget-fy2027", "misleading", "8.9"),
    ("emanuel-alliance-projection", "mostly-true", "2024"),
    ("indo-pacific-strategy-environment", "mostly-true", "in which it operates"),
    ("two-percent-of-gdp", "mostly-true", "complementary initiatives"),
    ("fy2023-defense-budget", "true", "26.3%"),
])
def test_where_sources_differ_the_rationale_says_so(
        seed: Seed, key: str, rating: str, mentions: str) -> None:
    claim = _claim(seed, key)
    assert claim.verdict is not None
    assert claim.verdict.rating == rating
    assert mentions in claim.verdict.rationale
