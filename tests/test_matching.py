"""Have we checked this before? Matching new sentences to the claims in the table.

The labelled sentences are ours (tests/fixtures/matching.yaml); the claims matched in the
store are the seed article's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from factcheck import Store
from factcheck.cli import cli
from factcheck.store.models import ClaimRow, ClaimVectorRow
from factcheck.text.matching import Matcher, compare, embed

from .test_json_schemas import validator

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PARAPHRASE = ("Tokyo intends to lift military spending to two percent of GDP over "
              "five years, the fixture minister said.")
LABELLED = yaml.safe_load((ROOT / "tests" / "fixtures" / "matching.yaml").read_text("utf-8"))


@pytest.mark.parametrize(("sentence", "differs"), [
    ("Japan plans to raise its defense budget to 3% of GDP within five years.", "figure"),
    ("Germany plans to raise its defense budget to 2% of GDP within five years.", "name"),
    ("Japan plans to cut its defense budget to 2% of GDP within five years.", "direction"),
    ("Japan plans to raise its education budget to 2% of GDP within five years.", "subject"),
    ("Japan plans to raise its defense budget to 2% of GDP by 2031.", None),
])
def test_a_near_miss_is_named_by_what_differs(sentence: str, differs: str | None) -> None:
    claim = "Japan plans to raise its defense budget to 2% of GDP within five years."
    assert compare(sentence, claim).differs == differs


def test_a_paraphrase_is_the_same_claim() -> None:
    found = compare("Tokyo intends to lift military spending to two percent of GDP over "
                    "five years.",
                    "Japan plans to raise its defense budget to 2% of GDP within five years.")
    assert found.same and found.similarity > 0.5


def test_another_year_and_another_figure_in_words() -> None:
    claim = "Unemployment fell to 3.5% in 2019, the lowest rate in 50 years."
    assert compare("In 2019 the jobless rate dropped to 3.5 percent, a fifty-year low.",
                   claim).same
    assert compare("Unemployment fell to 3.5% in 2009, the lowest rate in 50 years.",
                   claim).differs == "year"
    assert compare("A tenth of all new cars sold in Norway last year were electric.",
                   "Half of all new cars sold in Norway last year were electric."
                   ).differs == "figure"


def test_a_known_name_counts_only_with_its_capital() -> None:
    """"us" and "labor" in lower case are words, not the US and Labour: they do not stand
    where the claim has another name."""
    claim = "Japan's defense budget rose 4% in 2023."
    assert compare("The minister told us the defense budget rose 4% in 2023.", claim).same
    assert compare("Germany's defense budget rose 4% in 2023.", claim).differs == "name"
    assert compare("In the port, labor costs rose 4% in 2023, the fixture union said.",
                   "Port costs in Rotterdam rose 4% in 2023.").differs != "name"
    assert compare("The US defense budget rose 4% in 2023.", claim).differs == "name"


@pytest.mark.parametrize("held_out", [False, True])
def test_the_labelled_set(held_out: bool) -> None:
    """Floors under the figures bench/matching.py prints (both parts)."""
    claims = [c["claim"] for c in LABELLED["claims"]] + LABELLED["table"]
    matcher = Matcher(range(len(claims)), embed(claims), dict(enumerate(claims)))
    found = missed = wrong = 0
    for i, c in enumerate(LABELLED["claims"]):
        if bool(c.get("held_out")) != held_out:
            continue
        for sentence in c["same"]:
            best = matcher.search(sentence)
            if best and best[0].claim_id == i:
                found += 1
            else:
                missed += 1
        for sentence in c["not"].values():
            wrong += any(m.claim_id == i for m in matcher.search(sentence))
    assert wrong == 0
    assert found / (found + missed) >= 0.85


def test_the_store_finds_a_checked_claim_with_its_verdict(store: Store) -> None:
    store.load_seeds(SEEDS)
    (result,) = store.match(PARAPHRASE)
    best = result.matches[0]
    assert best.claim == "us-japan-alliance-2023/two-percent-of-gdp"
    assert best.rating == "mostly-true" and best.reviewed_on is not None
    assert result.to_dict()["matches"][0]["claim"] == best.claim
    # headings and opinions are not fact-checks to be found again
    with Session(store.engine) as s:
        kept = s.scalar(select(func.count()).select_from(ClaimVectorRow))
        checkable = s.scalar(select(func.count()).select_from(ClaimRow)
                             .where(ClaimRow.checkable.is_(True)))
    assert kept == checkable
    assert store.match("The weather in the fixture town was lovely all week.",
                       every_sentence=True)[0].matches == []


def test_the_index_follows_edits_and_withdrawals(store: Store) -> None:
    store.load_seeds(SEEDS)
    ref = "us-japan-alliance-2023/two-percent-of-gdp"
    assert store.match(PARAPHRASE)[0].matches[0].claim == ref
    words = store.claim(ref).claim
    store.edit_claim(ref, "Japan plans to raise its fisheries budget to 9% of GDP.",
                     editor="ana", seen=words)
    assert all(m.claim != ref for m in store.match(PARAPHRASE)[0].matches)
    store.edit_claim(ref, words or "", editor="ana",
                     seen="Japan plans to raise its fisheries budget to 9% of GDP.")
    assert store.match(PARAPHRASE)[0].matches[0].claim == ref
    with Session(store.engine) as s, s.begin():
        s.execute(update(ClaimRow).where(ClaimRow.key == "two-percent-of-gdp")
                  .values(withdrawn_at=func.now()))
    assert all(m.claim != ref for m in store.match(PARAPHRASE)[0].matches)


def test_a_second_process_reads_the_stored_index(store: Store) -> None:
    store.load_seeds(SEEDS)
    store.match(PARAPHRASE)
    with Session(store.engine) as s:
        before = s.scalar(select(func.count()).select_from(ClaimVectorRow))
    other = Store(engine=store.engine)
    assert other.match(PARAPHRASE)[0].matches[0].claim.endswith("two-percent-of-gdp")
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(ClaimVectorRow)) == before


def test_extract_claims_and_draft_seed_match(store: Store, tmp_path: Path) -> None:
    store.load_seeds(SEEDS)
    article = tmp_path / "new-article.txt"
    article.write_text(f"{PARAPHRASE}\n\nThe fixture committee met on Tuesday.\n",
                       encoding="utf-8")
    db = ["--db", store.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    answer = runner.invoke(cli, [*db, "extract-claims", str(article), "--match", "--json"])
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    validator("extract-claims").validate(data)
    assert data[0]["matches"][0]["claim"].endswith("/two-percent-of-gdp")
    text = runner.invoke(cli, [*db, "extract-claims", str(article), "--match"]).output
    assert "checked before: us-japan-alliance-2023/two-percent-of-gdp (rated mostly-true" in text
    answer = runner.invoke(cli, [*db, "draft-seed", str(article), "--match"])
    assert answer.exit_code == 0 and "1 checked before" in answer.output
    draft = yaml.safe_load(article.with_suffix(".yaml").read_text("utf-8"))
    assert "checked before: us-japan-alliance-2023/two-percent-of-gdp" in \
        draft["claims"][0]["note"]
