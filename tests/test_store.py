"""The store on SQLite and PostgreSQL: seeding, idempotency, verdict history."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from factcheck import (
    AmbiguousClaim,
    AppendOnlyError,
    ConfigError,
    NotFound,
    Store,
    UnknownRating,
    open_store,
)
from factcheck.store.models import ClaimRow, EvidenceRow, SourceRow, VerdictRow

from .conftest import SEEDS


def _counts(store: Store) -> dict[str, int]:
    with Session(store.engine) as s:
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
                for model in (ClaimRow, EvidenceRow, SourceRow, VerdictRow)}


def _edit(seed_dir: Path, key: str, **changes: object) -> None:
    path = seed_dir / "claims.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    claim = next(c for c in data["claims"] if c["key"] == key)
    for name, value in changes.items():
        if value is None:
            claim.pop(name, None)
        else:
            claim[name] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_seeding_fills_the_claims_table(store: Store) -> None:
    report = store.load_seeds(SEEDS)
    assert report.documents_added == 1
    assert report.claims_added == len(store.claims()) >= 50
    assert report.uncovered == {}
    claims = {c.key: c for c in store.claims()}
    budget = claims["fy2023-defense-budget"]
    text = store.document_text("us-japan-alliance-2023")
    assert text[budget.start:budget.end] == budget.quote
    assert budget.kind == "statistic" and budget.checkable
    assert budget.verdict is not None and budget.verdict.rating == "true"
    assert budget.verdict.reviewed_on == date(2026, 11, 25)
    assert [e.stance for e in budget.evidence] == ["supports"] * 3 + ["refutes"]
    assert all(e.status == "unchecked" for e in budget.evidence)
    assert budget.verdict.created_at.tzinfo is not None
    assert budget.verdict.created_at.utcoffset() == UTC.utcoffset(None)


def test_one_source_row_serves_every_claim_citing_it(store: Store) -> None:
    store.load_seeds(SEEDS)
    sources = {s.url: s for s in store.sources()}
    statement = sources["https://exbulletin.com/world/international/2005997/"]
    assert statement.claims == ("us-japan-alliance-2023/joint-statement-cornerstone",
                                "us-japan-alliance-2023/treaty-covers-diaoyu-senkaku")
    assert len(sources) == _counts(store)["source"]
    assert all(s.status == "unchecked" and s.last_checked_at is None for s in sources.values())


def test_seeding_twice_changes_nothing(store: Store) -> None:
    store.load_seeds(SEEDS)
    before, claims = _counts(store), store.claims()
    report = store.load_seeds(SEEDS)
    assert not report.changed
    assert _counts(store) == before
    assert store.claims() == claims


def test_a_changed_rating_appends_a_verdict(store: Store, seed_dir: Path) -> None:
    store.load_seeds(seed_dir)
    claims_before = _counts(store)["claim"]
    _edit(seed_dir, "ipef-lobbied-by-japan",
          verdict={"rating": "false", "rationale": "A source now shows the opposite.",
                   "date": date(2026, 12, 1)})
    report = store.load_seeds(seed_dir)
    assert (report.verdicts_added, report.claims_added, report.claims_changed) == (1, 0, 0)
    history = store.verdicts("ipef-lobbied-by-japan")
    assert [v.rating for v in history] == ["misleading", "false"]
    assert store.claim("ipef-lobbied-by-japan").verdict == history[-1]
    assert _counts(store)["claim"] == claims_before


def test_a_reviewers_verdict_is_not_undone_by_reseeding(store: Store, seed_dir: Path) -> None:
    store.load_seeds(seed_dir)
    recorded = store.record_verdict("paul-smith-new-stage", "false",
                                    "The college lists no such professor.", reviewer="desk")
    assert recorded.origin == "api"
    assert not store.load_seeds(seed_dir).changed
    assert store.claim("paul-smith-new-stage").verdict == recorded
    _edit(seed_dir, "paul-smith-new-stage",
          verdict={"rating": "mostly-false", "rationale": "Edited in the seed file."})
    assert store.load_seeds(seed_dir).verdicts_added == 1
    assert [v.rating for v in store.verdicts("paul-smith-new-stage")] == [
        "unverified", "false", "mostly-false"]


def test_claims_and_evidence_left_out_of_the_file_are_withdrawn_not_lost(
        store: Store, seed_dir: Path) -> None:
    store.load_seeds(seed_dir)
    path = seed_dir / "claims.yaml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["claims"] = [c for c in data["claims"] if c["key"] != "reality-exactly-opposite"]
    budget = next(c for c in data["claims"] if c["key"] == "fy2023-defense-budget")
    budget["evidence"] = budget["evidence"][:3]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    counts = _counts(store)

    report = store.load_seeds(seed_dir)
    assert (report.claims_withdrawn, report.evidence_withdrawn) == (1, 1)
    assert report.uncovered == {
        "us-japan-alliance-2023": ["but the reality is exactly the opposite"]}
    assert "reality-exactly-opposite" not in {c.key for c in store.claims()}
    assert len(store.claim("fy2023-defense-budget").evidence) == 3
    assert _counts(store) == counts  # nothing deleted

    path.write_text(original, encoding="utf-8")
    report = store.load_seeds(seed_dir)
    assert (report.claims_changed, report.evidence_changed) == (1, 1)
    assert len(store.claim("fy2023-defense-budget").evidence) == 4
    assert len(store.verdicts("reality-exactly-opposite")) == 1


def test_verdicts_are_append_only(store: Store) -> None:
    store.load_seeds(SEEDS)
    with Session(store.engine) as s:
        verdict = s.scalars(select(VerdictRow)).first()
        assert verdict is not None
        verdict.rating = "false"
        with pytest.raises(AppendOnlyError):
            s.flush()
        s.rollback()
        verdict = s.scalars(select(VerdictRow)).first()
        s.delete(verdict)
        with pytest.raises(AppendOnlyError):
            s.flush()


def test_record_verdict_checks_what_it_is_given(store: Store) -> None:
    store.load_seeds(SEEDS)
    with pytest.raises(UnknownRating):
        store.record_verdict("fy2023-defense-budget", "pants-on-fire", "Because.")
    with pytest.raises(ConfigError, match="checkable"):
        store.record_verdict("fy2023-defense-budget", "not-checkable", "Because.")
    with pytest.raises(ConfigError, match="rationale"):
        store.record_verdict("fy2023-defense-budget", "true", "  ")
    with pytest.raises(NotFound):
        store.record_verdict("no-such-claim", "true", "Because.")
    assert len(store.verdicts("fy2023-defense-budget")) == 1


def test_a_bare_key_shared_by_two_documents_must_be_qualified(
        store: Store, seed_dir: Path) -> None:
    data = yaml.safe_load((seed_dir / "claims.yaml").read_text(encoding="utf-8"))
    data["document"]["key"] = "reprint"
    (seed_dir / "reprint.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                           encoding="utf-8")
    store.load_seeds(seed_dir)
    with pytest.raises(AmbiguousClaim, match="reprint/fy2023-defense-budget"):
        store.claim("fy2023-defense-budget")
    verdict = store.record_verdict("reprint/fy2023-defense-budget", "mostly-true", "Rounded.")
    assert store.claim("reprint/fy2023-defense-budget").verdict == verdict
    assert store.claim("us-japan-alliance-2023/fy2023-defense-budget").verdict != verdict
    assert {d.key for d in store.documents()} == {"reprint", "us-japan-alliance-2023"}


def test_an_unmigrated_database_says_to_run_init(db_url: URL) -> None:
    with pytest.raises(ConfigError, match="factcheck init"):
        open_store(db_url)


def test_summary_counts_by_kind_and_verdict(store: Store) -> None:
    store.load_seeds(SEEDS)
    summary = store.summary()
    claims = store.claims()
    assert summary.claims == len(claims) == sum(summary.by_kind.values())
    assert sum(summary.by_rating.values()) == len(claims)
    assert summary.by_rating["not-checkable"] == len([c for c in claims if not c.checkable])
    assert summary.sources == len(store.sources())
