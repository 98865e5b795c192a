"""Soft 404s judged on what matters: a page's own text, never a template, never a page
whose cited passage stands; and a soft-404 suspicion never hides an edit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factcheck import Store
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.text.extract import extract
from factcheck.text.soft404 import OWN_TEXT, SOFT_404, similarity
from factcheck.tracking.recheck import RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .corpus import CorpusPage, seed

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
OPTIONS = RecheckOptions(
    settings=FetchSettings(min_interval=0.0, retries=0, total_timeout=5.0,
                           addresses=AddressPolicy.allowing("127.0.0.1/32")),
    archive_dir=None, readers=0, all_sources=True)


def template(content: str) -> bytes:
    """A fixture site's heavy template around ``content``: a mega-menu, a promo box, a
    "most read" list and a footer far longer than any of its articles."""
    menu = "".join(f'<li><a href="/section/{i}">Fixture section {i} news and views</a></li>'
                   for i in range(80))
    most_read = "".join(f"<li><a href='/story/{i}/x'>Fixture headline number {i} that "
                        f"everyone read this week</a></li>" for i in range(20))
    return (f"<html><head><title>Fixture Daily</title></head><body><header><nav><ul>{menu}"
            f"</ul></nav></header><div class='promo'><p>Subscribe to Fixture Daily for "
            f"unlimited access to our journalism.</p></div><main>{content}</main><aside>"
            f"<h2>Most read</h2><ol>{most_read}</ol></aside><footer><p>Fixture Daily, "
            f"fixture street 1. All fixture rights reserved.</p></footer></body></html>"
            ).encode()


NOT_FOUND = template("<h1>Page not found</h1><p>Sorry, we could not find that page.</p>")
ARTICLES = {
    1: ("Council approves budget", "The council approved a budget of 412 million crowns "
        "on Monday, up 6 percent on last year."),
    2: ("Bridge repairs", "Repairs to the old bridge will take 14 weeks and cost 2.3 million "
        "crowns, the city engineer said."),
    3: ("School numbers", "The district counted 18,240 pupils this autumn, its highest "
        "number since 1998."),
}


def article(number: int, figure_from: str = "", figure_to: str = "") -> bytes:
    headline, sentence = ARTICLES[number]
    sentence = sentence.replace(figure_from, figure_to) if figure_from else sentence
    return template(f"<article><h1>{headline}</h1><p>{sentence}</p><p>Fixture reporting "
                    f"continues below with more context.</p></article>")


def main_text(body: bytes) -> str:
    return extract(body, "text/html").main_text


def test_a_template_is_not_a_missing_page() -> None:
    page, missing = main_text(article(1)), main_text(NOT_FOUND)
    assert similarity(page, missing) < SOFT_404
    assert similarity(missing, missing) == 1.0


def test_a_missing_page_that_echoes_its_path_is_still_one() -> None:
    asked = "<p>No page at /news/2019/budget-plan, sorry. Try the search.</p>"
    probe = "<p>No page at /news/2019/factcheck-probe-abc123, sorry. Try the search.</p>"
    assert similarity(main_text(template(asked)), main_text(template(probe)),
                      page_url="http://fixture.example/news/2019/budget-plan",
                      probe_url="http://fixture.example/news/2019/factcheck-probe-abc123"
                      ) >= SOFT_404


def test_own_text_decides() -> None:
    shared = "Fixture menu line\nFixture footer line\n"
    assert similarity(shared + "x" * OWN_TEXT, shared) == 0.0
    assert similarity(shared + "x" * (OWN_TEXT // 2), shared) == 0.5


@pytest.fixture
def site() -> Iterator[FixtureHost]:
    host = FixtureHost()
    # Every unknown path: the template with "not found", and a 200.
    host.routes["*"] = Route(body=NOT_FOUND, validators=False)
    yield host
    host.close()


def serve(site: FixtureHost, bodies: dict[int, bytes]) -> None:
    for number, body in bodies.items():
        # The site ignores the slug: /story/1/anything answers with story 1.
        site.routes[f"/story/{number}/*"] = Route(body=body)


def published(store: Store, site: FixtureHost, tmp_path: Path) -> None:
    """The three stories served, and a claim citing each."""
    serve(site, {n: article(n) for n in ARTICLES})
    pages = [CorpusPage(f"story/{n}/slug-{n}", "", "template.example", "en",
                        (ARTICLES[n][1],)) for n in ARTICLES]
    store.load_seeds(seed(pages, site.url(""), tmp_path / "seeds"))


def test_on_a_template_site_pages_stand_and_edits_are_flagged(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    published(store, site, tmp_path)
    first = store.recheck(OPTIONS, clock=lambda: T0)
    assert dict(first.states) == {"unchanged": 3}
    assert first.needs_review == []
    assert {e.status for c in store.claims() for e in c.evidence} == {"found"}

    serve(site, {1: article(1, "412", "421"), 2: article(2, "14 weeks", "41 weeks"),
                 3: article(3, "18,240", "12,840")})
    second = store.recheck(OPTIONS, clock=lambda: T0 + timedelta(days=1))
    assert dict(second.states) == {"changed": 3}
    assert {e.status for c in store.claims() for e in c.evidence} == {"figures-changed"}
    assert len(second.newly_stale) == 3  # each is news: an alert would go out


def test_a_page_that_became_the_missing_page_is_a_soft_404(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    published(store, site, tmp_path)
    store.recheck(OPTIONS, clock=lambda: T0)
    serve(site, {2: NOT_FOUND})  # story 2 taken down: the site answers "not found"
    second = store.recheck(OPTIONS, clock=lambda: T0 + timedelta(days=1))
    assert dict(second.states) == {"unchanged": 2, "soft-404": 1}
    states = {s.url.rsplit("/", 2)[-2]: s.state for s in store.sources()}
    assert states == {"1": "unchanged", "2": "soft-404", "3": "unchanged"}
    assert len(second.newly_stale) == 1


def test_a_soft_404_suspicion_never_hides_an_edit(store: Store, site: FixtureHost,
                                                  tmp_path: Path) -> None:
    # A page whose cited passage stands is never a soft 404, even when the site's answer
    # for a missing page is that very page (a site that answers everything with it).
    body = article(1)
    site.routes["*"] = Route(body=body, validators=False)
    serve(site, {1: body})
    pages = [CorpusPage("story/1/slug", "", "template.example", "en", (ARTICLES[1][1],))]
    store.load_seeds(seed(pages, site.url(""), tmp_path / "seeds"))
    first = store.recheck(OPTIONS, clock=lambda: T0)
    assert dict(first.states) == {"unchanged": 1}
    edited = article(1, "412", "421")
    site.routes["*"] = Route(body=edited, validators=False)
    serve(site, {1: edited})
    second = store.recheck(OPTIONS, clock=lambda: T0 + timedelta(days=1))
    assert dict(second.states) == {"changed": 1}
    assert len(second.newly_stale) == 1


def test_a_passage_that_keeps_moving_is_news_once(store: Store, site: FixtureHost,
                                                  tmp_path: Path) -> None:
    published(store, site, tmp_path)
    store.recheck(OPTIONS, clock=lambda: T0)
    serve(site, {1: article(1, "approved", "passed")})
    second = store.recheck(OPTIONS, clock=lambda: T0 + timedelta(days=1))
    assert len(second.newly_stale) == 1
    assert {e.status for c in store.claims() for e in c.evidence} >= {"drifted"}
    # The next night the same passage reads differently again: its reason's words
    # change ("removed approved; added adopted"), but nothing new moved; the desk is
    # not told twice.
    serve(site, {1: article(1, "approved", "adopted")})
    third = store.recheck(OPTIONS, clock=lambda: T0 + timedelta(days=2))
    assert dict(third.states) == {"changed": 1, "unchanged": 2}
    assert third.newly_stale == []
    assert third.needs_review  # still flagged, of course
