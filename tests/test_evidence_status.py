"""Evidence statuses from fixture snapshots of the seeded_web sources (a mocked network).

Every seeded_web source URL is answered by a fixture page we build here around the
passages the seed cites from it (the real pages are never contacted). Then single
pages are edited the ways sources change, and the statuses follow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from html import escape

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import Store
from factcheck.store.models import EvidenceCheckRow
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .conftest import SEEDS

FAST = FetchSettings(min_interval=0.0, retries=0, addresses=AddressPolicy(allow_private=True))
Edit = Callable[[str], str]


def fixture_page(url: str, passages: list[str]) -> str:
    body = "\n".join(f"<p>Fixture paragraph before. {escape(p)} Fixture paragraph after.</p>"
                     for p in passages)
    return (f"<html><head><title>Fixture copy of {escape(url)}</title></head><body>"
            "<nav>Home | Most read | Fixture menu</nav>"
            f"<article><h1>Fixture page</h1>{body}</article><footer>Fixture footer</footer>"
            "</body></html>")


class FixtureNetwork:
    """An httpx transport answering every seeded_web URL with its fixture page."""

    def __init__(self, store: Store) -> None:
        self.passages: dict[str, list[str]] = defaultdict(list)
        for claim in store.claims():
            for evidence in claim.evidence:
                self.passages[evidence.url].append(evidence.passage)
        self.edits: dict[str, Edit] = {}
        self.down: set[str] = set()

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if url in self.down:
            return httpx.Response(503)
        html = fixture_page(url, self.passages[url])
        html = self.edits.get(url, lambda h: h)(html)
        # A stream, as a real transport gives: the fetcher reads raw bytes off it.
        return httpx.Response(200, headers={"Content-Type": "text/html; charset=utf-8"},
                              stream=httpx.ByteStream(html.encode()))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def statuses(store: Store) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(c.key, e.passage[:40]): (e.status, e.found_text)
            for c in store.claims() for e in c.evidence}


def evidence(store: Store, key: str, url_part: str):  # type: ignore[no-untyped-def]
    claim = store.claim(key)
    return next(e for e in claim.evidence if url_part in e.url)


@pytest.fixture
def seeded_web(store: Store) -> tuple[Store, FixtureNetwork]:
    store.load_seeds(SEEDS)
    return store, FixtureNetwork(store)


def test_every_seeded_passage_is_found_in_its_fixture_snapshot(
        seeded_web: tuple[Store, FixtureNetwork]) -> None:
    store, network = seeded_web
    before = statuses(store)
    assert {s for s, _ in before.values()} == {"unchecked"}
    store.fetch(settings=FAST, archive_dir=None, readers=0, transport=network.transport())
    after = statuses(store)
    assert len(after) == len(before) >= 30
    assert {s for s, _ in after.values()} == {"found"}
    budget = evidence(store, "fy2023-defense-budget", "nippon.com/en/news/yjj2023")
    assert budget.reason == "the passage stands in the source as cited"
    assert budget.similarity == 1.0
    assert budget.found_text == budget.passage


def test_edits_to_sources_show_in_their_evidence(seeded_web: tuple[Store, FixtureNetwork]) -> None:
    store, network = seeded_web
    transport = network.transport()
    store.fetch(settings=FAST, archive_dir=None, readers=0, transport=transport)

    yomiuri = "https://japannews.yomiuri.co.jp/politics/defense-security/20221217-77988"
    jiji = "https://www.nippon.com/en/news/yjj2023012300122/japan-diet-starts-ordinary-session-record-budget-proposed.html"
    kyodo = "http://www.sauress.com/en/spaen/2412180"
    nhk = "https://www3.nhk.or.jp/nhkworld/en/news/backstories/3219/"
    scmp = ("https://www.scmp.com/week-asia/politics/article/3179436/"
            "singapore-malaysia-and-philippines-aseans-interest-bidens-ipef")
    network.edits[yomiuri] = lambda h: h.replace("is expected to be boosted",
                                                 "is now projected to be raised")
    network.edits[jiji] = lambda h: h.replace("26.3 pct", "20.3 pct")
    network.edits[nhk] = lambda h: h.replace("alliance protection is now about", "XX") \
        .replace("The US-Japan alliance that in the past was defined by", "Removed.") \
        .replace("projection into the region.", "")
    network.edits[scmp] = lambda h: h.replace("Of Asean’s 10 members,", "Of  ASEAN's\n10 members,")
    network.down.add(kyodo)
    store.fetch(settings=FAST, archive_dir=None, readers=0, transport=transport)

    drifted = evidence(store, "double-defense-budget-fy2027", "20221217-77988")
    assert drifted.passage.startswith("The defense budget, which stood at")
    assert drifted.status == "drifted"
    assert "is now projected to be raised" in (drifted.found_text or "")
    assert any(op == "-" and "expected" in words for op, words, _ in drifted.diff)
    assert drifted.similarity is not None and 0.75 <= drifted.similarity < 1

    changed = evidence(store, "fy2023-defense-budget", "yjj2023012300122")
    assert changed.status == "figures-changed"
    assert changed.reason == "a cited figure changed: 26.3 pct is now 20.3 pct"

    missing = evidence(store, "emanuel-alliance-projection", "nhk.or.jp")
    assert missing.status == "missing"

    reflowed = evidence(store, "ipef-seven-asean-members", "scmp.com")
    assert reflowed.status == "found"
    assert "with only quotes, dashes, spacing or case differing" in (reflowed.reason or "")

    unreachable = evidence(store, "fy2023-defense-budget", "sauress.com")
    assert unreachable.status == "source-unreachable"
    assert "HTTP 503" in (unreachable.reason or "")

    untouched = evidence(store, "two-percent-of-gdp", "jiia.or.jp")
    assert untouched.status == "found"

    with Session(store.engine) as s:
        history = list(s.scalars(select(EvidenceCheckRow.status)))
    assert history.count("found") >= 30  # the first check of every link
    assert {"drifted", "figures-changed", "missing", "source-unreachable"} <= set(history)

    # The evidence still knows the words it was cited for: restoring the page finds them.
    network.edits.clear()
    network.down.clear()
    store.fetch(settings=FAST, archive_dir=None, readers=0, transport=transport)
    assert {s for s, _ in statuses(store).values()} == {"found"}


def test_figures_of_claims_against_their_evidence(seeded_web: tuple[Store, FixtureNetwork]) -> None:
    store, _ = seeded_web
    budget = store.claim("fy2023-defense-budget")
    jiji = next(e for e in budget.evidence if "yjj2023012300122" in e.url)
    assert {f["figure"]: f["status"] for f in jiji.figures} == {
        "December 2022": "not-in-passage", "JPY 6.8 trillion": "consistent",
        "FY 2023": "consistent", "26%": "consistent"}
    ap = next(e for e in budget.evidence if "ktar.com" in e.url)
    assert {f["figure"]: f["status"] for f in ap.figures}["26%"] == "inconsistent"
    double = store.claim("double-defense-budget-fy2027")
    assert double.findings == ({"from": "JPY 5.4 trillion", "to": "more than 10 trillion",
                                "stated": "double", "actual": "x1.85", "status": "loose"},)
    yomiuri = next(e for e in double.evidence if "8.9" in e.passage)
    assert {f["figure"]: f["status"] for f in yomiuri.figures}["more than 10 trillion"] == \
        "inconsistent"


def test_check_evidence_without_fetching(seeded_web: tuple[Store, FixtureNetwork]) -> None:
    store, network = seeded_web
    assert store.check_evidence() == 0  # nothing fetched yet
    store.fetch(settings=FAST, archive_dir=None, readers=0, transport=network.transport())
    assert store.check_evidence() == sum(len(c.evidence) for c in store.claims())
