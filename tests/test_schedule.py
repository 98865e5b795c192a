"""Scheduling, change classes and staleness: the pure parts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from factcheck.policy.changes import Observation, classify
from factcheck.policy.schedule import BACKOFF_CAP, FIRST_RETRY, next_check
from factcheck.policy.staleness import EvidenceState, basis_of, review_reasons

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_next_check_spreads_around_the_interval() -> None:
    rng = random.Random(1)
    times = [next_check(NOW, DAY, 0, rng) for _ in range(1000)]
    offsets = [(t - NOW) / DAY for t in times]
    assert 0.9 <= min(offsets) < 0.92 and 1.08 < max(offsets) <= 1.1
    assert len({round(o, 3) for o in offsets}) > 150  # spread, not bunched


def test_failures_back_off_to_a_cap_and_never_stop() -> None:
    rng = random.Random(2)
    waits = [(next_check(NOW, DAY, n, rng) - NOW) for n in range(1, 15)]
    assert FIRST_RETRY * 0.9 <= waits[0] <= FIRST_RETRY * 1.1
    assert waits[3] > waits[2] > waits[1] > waits[0]
    assert all(w <= BACKOFF_CAP * 1.1 for w in waits)
    assert waits[-1] >= BACKOFF_CAP * 0.9


def seen(**fields: object) -> Observation:
    base: dict[str, object] = {"url": "https://fixture.example/story", "outcome": "fetched",
                               "http_status": 200, "now": NOW}
    return Observation(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(("observation", "state"), [
    (seen(previous_text_sha256=None, text_sha256="a"), "unchanged"),
    (seen(previous_text_sha256="a", text_sha256="a"), "unchanged"),
    (seen(outcome="unchanged", http_status=304, previous_text_sha256="a"), "unchanged"),
    (seen(previous_text_sha256="a", text_sha256="b"), "changed"),
    (seen(permanently_moved=True, final_url="https://fixture.example/new"), "moved"),
    (seen(final_url="https://fixture.example/story/", permanently_moved=True), "unchanged"),
    (seen(canonical_url="https://elsewhere.example/story"), "unchanged"),  # first check
    (seen(canonical_url="https://elsewhere.example/story", previous_text_sha256="a",
          text_sha256="a"), "moved"),
    (seen(canonical_url="https://elsewhere.example/story", previous_text_sha256="a",
          text_sha256="a", previous_canonical_url="https://elsewhere.example/story"),
     "unchanged"),
    (seen(canonical_url="https://fixture.example/story?utm_source=x"), "unchanged"),
    (seen(soft_404_similarity=0.97, previous_text_sha256="a", text_sha256="b"), "soft-404"),
    (seen(soft_404_similarity=0.4, previous_text_sha256="a", text_sha256="b"), "changed"),
    (seen(outcome="blocked", http_status=None), "blocked"),
    (seen(outcome="refused", http_status=None), "blocked"),
    (seen(outcome="http-error", http_status=403), "blocked"),
    (seen(outcome="http-error", http_status=429), "error"),
    (seen(outcome="http-error", http_status=429, consecutive_failures=2), "blocked"),
    (seen(outcome="http-error", http_status=404), "error"),
    (seen(outcome="http-error", http_status=404, consecutive_failures=1,
          failing_since=NOW - timedelta(hours=3)), "error"),
    (seen(outcome="http-error", http_status=410, consecutive_failures=1,
          failing_since=NOW - DAY), "gone"),
    (seen(outcome="http-error", http_status=500), "error"),
    (seen(outcome="timeout", http_status=None), "error"),
])
def test_change_classes(observation: Observation, state: str) -> None:
    assert classify(observation)[0] == state


def ev(status: str, source_state: str | None = "unchanged", evidence_id: int = 1) -> EvidenceState:
    return EvidenceState(evidence_id, 10 + evidence_id, f"https://s{evidence_id}.example/",
                         status, f"{status} reason", source_state)


def test_staleness_flags_only_what_moved_since_the_verdict() -> None:
    basis = basis_of([ev("unchecked", None)])
    assert review_reasons(basis, [ev("found")]) == []
    assert review_reasons(basis, [ev("drifted")]) == [
        "evidence drifted at https://s1.example/: drifted reason"]
    assert review_reasons(basis, [ev("found", "gone")]) == ["source gone: https://s1.example/"]
    assert review_reasons(basis, [ev("source-unreachable", "error")]) == []
    # A verdict recorded after the drift rests on it: no flag until it moves again.
    assert review_reasons(basis_of([ev("drifted")]), [ev("drifted")]) == []
    assert len(review_reasons(basis_of([ev("drifted")]), [ev("missing")])) == 1
    assert review_reasons(None, [ev("figures-changed")]) != []


def test_intervals_are_read_as_a_desk_writes_them() -> None:
    from factcheck.policy.schedule import parse_interval

    assert parse_interval("7d") == timedelta(days=7)
    assert parse_interval("12h") == timedelta(hours=12)
    assert parse_interval("2W") == timedelta(weeks=2)
    assert parse_interval("90m") == timedelta(minutes=90)
    for bad in ("7", "d", "1.5d", "-1d", "7y", "30m", "٣d"):
        with pytest.raises(ValueError, match=r"interval|hourly"):
            parse_interval(bad)
