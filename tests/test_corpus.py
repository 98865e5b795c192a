"""Flags a desk can trust, on real pages: the corpus (tests/fixtures/corpus, 193 real
published pages from 138 sites in eight languages, 577 sentences read from them by a
browser) served on loopback and rechecked as a newsroom's sources would be.

First check: every cited sentence is found. A round of churn outside the articles:
nothing is flagged. Then the articles are edited in their markup: a changed figure, a
changed ordinal, a removed paragraph are each flagged with their status, and an alert
names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from factcheck import Store, open_store
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.tracking.recheck import RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from . import corpus

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
OPTIONS = RecheckOptions(
    settings=FetchSettings(min_interval=0.0, retries=0, total_timeout=10.0,
                           addresses=AddressPolicy.allowing("127.0.0.1/32")),
    archive_dir=None, readers=1, all_sources=True)
PAGES = corpus.load()


def at(moment: datetime):  # type: ignore[no-untyped-def]
    return lambda: moment


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureHost]:
    host = FixtureHost()
    yield host
    host.close()


def serve(web: FixtureHost, bodies: dict[str, bytes]) -> None:
    for path, body in bodies.items():
        web.routes[path] = Route(body=body, content_type="text/html")


def statuses(store: Store) -> dict[tuple[str, str], str]:
    """(page path, sentence) -> evidence status."""
    return {(e.url.rsplit("/", 1)[1], e.passage): e.status
            for c in store.claims() for e in c.evidence}


@pytest.fixture(scope="module")
def checked(web: FixtureHost, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Store, dict[str, object]]]:
    """The corpus seeded and checked three nights: as published, churned, edited."""
    folder = tmp_path_factory.mktemp("corpus")
    bodies = {page.path: page.body for page in PAGES}
    serve(web, bodies)
    url = URL.create("sqlite", database=str(folder / "factcheck.db"))
    with open_store(url, migrate=True) as store:
        store.load_seeds(corpus.seed(PAGES, web.url(""), folder / "seeds"))
        nights: dict[str, object] = {}
        nights["first"] = store.recheck(OPTIONS, clock=at(T0))
        nights["first-statuses"] = statuses(store)
        nights["first-review"] = [c.key for c in store.claims() if c.needs_review]
        nights["first-states"] = {s.url: s.state for s in store.sources()}

        serve(web, {path: corpus.churn(body, 1) for path, body in bodies.items()})
        nights["churn"] = store.recheck(OPTIONS, clock=at(T0 + timedelta(days=1)))
        nights["churn-statuses"] = statuses(store)
        nights["churn-review"] = [c.key for c in store.claims() if c.needs_review]

        edits: dict[tuple[str, str], str] = {}  # (path, sentence) -> expected status
        edited: dict[str, bytes] = {}
        for page in PAGES:
            for sentence in page.sentences:
                ordinal = corpus.edit_ordinal(page.body, sentence)
                if ordinal is not None and page.path not in edited:
                    edited[page.path] = ordinal[0]
                    edits[(page.name, sentence)] = "figures-changed"
                    nights.setdefault("ordinals", []).append(ordinal[1:])  # type: ignore[attr-defined]
        figure_pages = [p for p in PAGES if p.path not in edited][::3]
        for page in figure_pages:
            changed = corpus.edit_figure(page.body, page.sentences[0])
            if changed is not None:
                edited[page.path] = changed[0]
                edits[(page.name, page.sentences[0])] = "figures-changed"
        for page in [p for p in PAGES if p.path not in edited][::4]:
            removed = corpus.remove_paragraph(page.body, page.sentences[-1])
            if removed is not None:
                edited[page.path] = removed
                edits[(page.name, page.sentences[-1])] = "missing"
        serve(web, {path: corpus.churn(edited.get(path, body), 2)
                    for path, body in bodies.items()})
        nights["edits"] = edits
        nights["edited-pages"] = set(edited)
        nights["edited"] = store.recheck(OPTIONS, clock=at(T0 + timedelta(days=2)))
        nights["edited-statuses"] = statuses(store)
        nights["edited-review"] = {c.key: c.evidence[0] for c in store.claims()
                                   if c.needs_review}
        nights["edited-states"] = {s.url: s.state for s in store.sources()}
        yield store, nights


def test_the_corpus_is_what_its_readme_says() -> None:
    assert len(PAGES) >= 100
    assert len({p.site for p in PAGES}) >= 50
    assert {"ja", "zh", "de", "fr", "es"} <= {p.language for p in PAGES}
    assert all(len(p.sentences) >= 2 for p in PAGES)


def test_every_cited_sentence_is_found_on_the_first_check(
        checked: tuple[Store, dict[str, object]]) -> None:
    _, nights = checked
    found = nights["first-statuses"]
    assert isinstance(found, dict) and len(found) == sum(len(p.sentences) for p in PAGES)
    not_found = {k: v for k, v in found.items() if v != "found"}
    assert not not_found
    assert nights["first-review"] == []
    states = nights["first-states"]
    assert isinstance(states, dict) and set(states.values()) == {"unchanged"}


def test_churn_outside_the_article_flags_nothing(
        checked: tuple[Store, dict[str, object]]) -> None:
    _, nights = checked
    statuses_ = nights["churn-statuses"]
    assert isinstance(statuses_, dict) and set(statuses_.values()) == {"found"}
    assert nights["churn-review"] == []
    assert nights["churn"].newly_stale == []  # type: ignore[attr-defined]


def test_edits_are_flagged_with_their_status_and_nothing_else_is(
        checked: tuple[Store, dict[str, object]]) -> None:
    _, nights = checked
    edits = nights["edits"]
    after = nights["edited-statuses"]
    assert isinstance(edits, dict) and isinstance(after, dict)
    kinds = list(edits.values())
    assert kinds.count("figures-changed") >= 40 and kinds.count("missing") >= 20
    assert nights["ordinals"]  # e.g. ("50th", "57th")
    wrong = {k: (v, after[k]) for k, v in edits.items() if after[k] != v}
    assert not wrong
    # Every sentence of a page left alone still stands.
    untouched = {k: v for k, v in after.items()
                 if f"/{k[0]}" not in nights["edited-pages"]}  # type: ignore[operator]
    assert untouched and set(untouched.values()) == {"found"}
    # Each edit is news: its claim is newly stale, and no page is called a soft 404.
    summary = nights["edited"]
    stale = {ref for ref, _ in summary.newly_stale}  # type: ignore[attr-defined]
    assert len(stale) >= len(edits)
    states = nights["edited-states"]
    assert isinstance(states, dict) and "soft-404" not in states.values()


def test_a_changed_ordinal_is_a_changed_figure_on_a_real_page(
        checked: tuple[Store, dict[str, object]], tmp_path: Path) -> None:
    page = next(p for p in PAGES for s in p.sentences if corpus.edit_ordinal(p.body, s))
    sentence = next(s for s in page.sentences if corpus.edit_ordinal(page.body, s))
    edited = corpus.edit_ordinal(page.body, sentence)
    assert edited is not None
    from factcheck.policy.evidence import assess
    from factcheck.text.extract import extract

    result = assess(sentence, extract(edited[0], "text/html", page.url).text)
    assert result.status == "figures-changed"
    assert (edited[1], edited[2]) in result.figure_changes
