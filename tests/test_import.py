"""Bringing in published fact-checks from their ClaimReview markup.

Every page, feed and sitemap here is a FIXTURE written for these tests (invented
fact-checks of invented claims), served on loopback or read from a temporary file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factcheck import Store, open_store
from factcheck.claimreview import Review, rating_for, reviews_in_html, reviews_in_json
from factcheck.cli import cli
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.reports import Publisher, build_report, datafeed
from factcheck.scale import DEFAULT_SCALE
from factcheck.tracking.recheck import RecheckOptions
from factcheck.web.fetcher import FetchSettings
from factcheck.web.safety import AddressPolicy

from .schema_org import check_schema

LOOPBACK = FetchSettings(min_interval=0.0, retries=0,
                         addresses=AddressPolicy.allowing("127.0.0.1/32"))
PUBLISHER = Publisher(name="Fixture Desk", url="https://desk.example/",
                      review_url="https://desk.example/checks/{document}")


def review_ld(claim: str, label: str, *, value: int | None = None, url: str = "",
              appearance: str = "https://claims.example/speech") -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    node: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": claim,
        "datePublished": "2024-03-15", "reviewRating": rating,
        "author": {"@type": "Organization", "name": "Fixture Checks"},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Mayor"},
                         "appearance": {"@type": "CreativeWork", "url": appearance}}}
    if url:
        node["url"] = url
    return node


def page(body_markup: str, head: str = "", claim_text: str = "") -> bytes:
    """A fixture fact-check page: a menu and share buttons around an article citing
    its sources."""
    return f"""<!doctype html><html lang="en"><head><title>Fixture fact-check</title>
{head}</head><body><nav><a href="/">Home</a> <a href="/tag/budget">Budget</a></nav>
<article><h1>Did the mayor double the budget?</h1>
<p>The claim: {claim_text or "The city doubled its road budget in 2023."}</p>
<p>The city's <a href="https://city.example/budget-2023">budget report</a> shows the road
budget rose from 4.1 million to 4.6 million, about 12 percent, not double. The
<a href="https://stats.example/roads">statistics office</a> gives the same figures.</p>
<p>Share: <a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a>
<a href="https://twitter.com/intent/tweet?url=x">Twitter</a></p>
{body_markup}</article></body></html>""".encode()


def ld(*nodes: Any) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>'
                   for n in nodes)


CLAIM = "The city doubled its road budget in 2023."
SHAPES = {
    "single": page("", ld(review_ld(CLAIM, "False"))),
    "array": page("", ld([review_ld(CLAIM, "False"),
                          review_ld("Potholes fell by 40 percent.", "Mostly True")])),
    "graph": page("", ld({"@context": "https://schema.org", "@graph": [
        {"@id": "#review", "@type": "ClaimReview", "claimReviewed": CLAIM,
         "author": {"@id": "#org"}, "itemReviewed": {"@id": "#claim"},
         "reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire!"}},
        {"@id": "#org", "@type": "Organization", "name": "Graph Checks"},
        {"@id": "#claim", "@type": "Claim", "author": {"@id": "#mayor"},
         "appearance": {"@type": "CreativeWork", "url": "https://claims.example/speech"}},
        {"@id": "#mayor", "@type": "Person", "name": "A. Mayor"}]})),
    "microdata": page(
        '<div itemscope itemtype="https://schema.org/ClaimReview">'
        f'<meta itemprop="claimReviewed" content="{CLAIM}">'
        '<div itemprop="author" itemscope itemtype="https://schema.org/Organization">'
        '<meta itemprop="name" content="Micro Checks"></div>'
        '<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
        '<meta itemprop="alternateName" content="Half True"></div></div>'),
    "rdfa": page(
        '<div vocab="https://schema.org/" typeof="ClaimReview">'
        f'<meta property="claimReviewed" content="{CLAIM}">'
        '<div property="reviewRating" typeof="Rating">'
        '<meta property="alternateName" content="Incorrect. It rose by about 12 percent.">'
        '</div></div>'),
    "broken": page("", '<script type="application/ld+json">{"@type": "ClaimReview", oops'
                       '</script>' + ld(review_ld(CLAIM, "False"))),
    "none": page(""),
    "spanish": page("", ld(review_ld(CLAIM, "Engañoso"))),
}
EXPECTED = {"single": ("False", "false"), "array": ("False", "false"),
            "graph": ("Pants on Fire!", "false"), "microdata": ("Half True", "misleading"),
            "rdfa": ("Incorrect. It rose by about 12 percent.", "false"),
            "broken": ("False", "false")}


@pytest.fixture
def site() -> Iterator[FixtureHost]:
    host = FixtureHost()
    for name, body in SHAPES.items():
        host.routes[f"/checks/{name}"] = Route(body=body)
    for path in ("/budget-2023", "/roads", "/speech"):
        host.routes[path] = Route(body=b"<html><body><p>A fixture source page.</p></body></html>")
    yield host
    host.close()


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_each_shape_of_markup_is_read(shape: str) -> None:
    reviews, _ = reviews_in_html(SHAPES[shape].decode(), "https://checks.example/c")
    first = reviews[0]
    assert first.claim_reviewed == CLAIM
    assert (first.label, rating_for(first, DEFAULT_SCALE)) == EXPECTED[shape]


def test_graph_references_are_followed() -> None:
    (review,), _ = reviews_in_html(SHAPES["graph"].decode(), "https://checks.example/c")
    assert (review.reviewer, review.claimant, review.appearances) == (
        "Graph Checks", "A. Mayor", ("https://claims.example/speech",))


def test_a_broken_script_is_named_and_the_good_one_read() -> None:
    reviews, problems = reviews_in_html(SHAPES["broken"].decode(), None)
    assert len(reviews) == 1 and problems and "JSON-LD script 1" in problems[0]


@pytest.mark.parametrize(("label", "value", "expected"), [
    ("True", None, "true"), ("Mostly True", None, "mostly-true"),
    ("Half True", None, "misleading"), ("Mostly False", None, "mostly-false"),
    ("False", None, "false"), ("Pants on Fire!", None, "false"),
    ("Correct", None, "true"), ("Incorrect", None, "false"),
    ("Misleading", None, "misleading"), ("Missing context", None, "misleading"),
    ("Incorrect. It fell by about a third over the decade.", None, "false"),
    ("Correct: the figure is the ministry's own.", None, "true"),
    ("Falsely attributed", None, None),  # a sentence that does not begin with a verdict
    ("Our own words", 2, "mostly-false"),  # the value within worst..best
    ("Our own words", 9, None),  # outside its bounds: no rating
    ("Engañoso", None, None),
])
def test_the_mapping_table(label: str, value: int | None, expected: str | None) -> None:
    review = Review(CLAIM, label=label, value=value, best=5 if value else None,
                    worst=1 if value else None)
    assert rating_for(review, DEFAULT_SCALE) == expected


def test_a_rating_map_maps_any_language() -> None:
    review = Review(CLAIM, label="Engañoso")
    assert rating_for(review, DEFAULT_SCALE, {"engañoso": "misleading"}) == "misleading"


def test_importing_pages_gives_claims_verdicts_and_tracked_sources(
        store: Store, site: FixtureHost) -> None:
    urls = [site.url(f"/checks/{name}") for name in ("single", "array", "graph")]
    report = store.import_claimreview(urls, settings=LOOPBACK)
    assert not report.failed
    assert report.seeded.documents_added == 3 and report.seeded.claims_added == 4
    claims = {(c.document, c.claim): c for c in store.claims()}
    single = next(c for (d, text), c in claims.items() if d.endswith("checks-single"))
    assert single.verdict is not None
    assert (single.verdict.rating, single.verdict.publisher_label, single.verdict.reviewer,
            single.verdict.reviewed_on) == ("false", "False", "Fixture Checks",
                                            date(2024, 3, 15))
    assert single.verdict.origin == f"claimreview:{site.url('/checks/single')}"
    assert single.quote == CLAIM  # its span in the page's text
    assert single.claimant == "A. Mayor"
    by_stance = {e.stance: [] for e in single.evidence}
    for e in single.evidence:
        by_stance[e.stance].append(e.url)
    assert by_stance["appearance"] == ["https://claims.example/speech"]
    assert by_stance["cited"] == ["https://city.example/budget-2023",
                                  "https://stats.example/roads"]  # not the share buttons
    doc = next(d for d in store.documents() if d.key.endswith("checks-single"))
    assert (doc.url, doc.title, doc.published) == (site.url("/checks/single"),
                                                   "Fixture fact-check", "2024-03-15")

    again = store.import_claimreview(urls, settings=LOOPBACK)
    assert not again.seeded.changed  # the same sources: nothing new

    site.routes["/checks/single"] = Route(body=page("", ld(review_ld(CLAIM, "Mostly False"))))
    rerated = store.import_claimreview(urls, settings=LOOPBACK)
    assert rerated.seeded.verdicts_added == 1 and rerated.seeded.claims_added == 0
    single = next(c for c in store.claims() if c.document.endswith("checks-single"))
    assert single.verdict is not None and single.verdict.rating == "mostly-false"
    assert [v.publisher_label for v in store.verdicts(f"{single.document}/{single.key}")
            ] == ["False", "Mostly False"]


def test_unreadable_sources_are_named_and_the_rest_imported(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    bad_json = tmp_path / "feed.json"
    bad_json.write_text("{not json", encoding="utf-8")
    report = store.import_claimreview(
        [site.url("/checks/none"), site.url("/checks/missing"), str(bad_json),
         str(tmp_path / "absent.html"), site.url("/checks/spanish")], settings=LOOPBACK)
    reasons = {s["source"]: s["error"] for s in report.sources}
    assert "no ClaimReview" in reasons[site.url("/checks/none")]
    assert "HTTP 404" in reasons[site.url("/checks/missing")]
    assert "unreadable JSON" in reasons[str(bad_json)]
    assert reasons[str(tmp_path / "absent.html")]
    assert reasons[site.url("/checks/spanish")] is None
    assert len(report.failed) == 4
    (warning,) = report.warnings
    assert "'Engañoso' maps to no rating" in warning
    (claim,) = store.claims()
    assert claim.verdict is not None
    assert (claim.verdict.rating, claim.verdict.publisher_label) == ("unverified", "Engañoso")


def test_feeds_of_each_kind(store: Store, tmp_path: Path) -> None:
    feed = {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [
        {"@type": "DataFeedItem", "item": [review_ld(CLAIM, "False",
                                                     url="https://checks.example/a")]},
        {"@type": "DataFeedItem", "item": [review_ld("Buses run every 5 minutes.", "True",
                                                     url="https://checks.example/b")]}]}
    listed = [review_ld("Trams are free on Sundays.", "Mostly True",
                        url="https://checks.example/c")]
    api = {"claims": [{"text": "Parking costs 3 euros an hour.", "claimant": "A. Mayor",
                       "claimReview": [{"publisher": {"name": "API Checks",
                                                      "site": "api.example"},
                                        "url": "https://api.example/parking",
                                        "title": "Parking prices", "reviewDate":
                                        "2024-05-01T00:00:00Z", "textualRating": "False",
                                        "languageCode": "en"}]}]}
    paths = []
    for name, data in (("datafeed", feed), ("list", listed), ("api", api)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(path)
    report = store.import_claimreview(paths)
    assert not report.failed
    assert report.seeded.documents_added == 4 and report.seeded.claims_added == 4
    ratings = {c.claim: (c.verdict.rating if c.verdict else None) for c in store.claims()}
    assert ratings == {CLAIM: "false", "Buses run every 5 minutes.": "true",
                       "Trams are free on Sundays.": "mostly-true",
                       "Parking costs 3 euros an hour.": "false"}
    parking = next(c for c in store.claims() if c.claim.startswith("Parking"))
    assert parking.verdict is not None and parking.verdict.reviewer == "API Checks"
    assert parking.verdict.reviewed_on == date(2024, 5, 1)


def test_a_sitemap_brings_in_its_pages(store: Store, site: FixtureHost) -> None:
    site.routes["/sitemap.xml"] = Route(body=(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{site.url(f'/checks/{n}')}</loc></url>"
                  for n in ("single", "microdata", "rdfa", "none"))
        + "</urlset>").encode(), content_type="application/xml")
    report = store.import_claimreview([site.url("/sitemap.xml")], settings=LOOPBACK)
    assert report.seeded.documents_added == 3
    assert [s["source"] for s in report.failed] == [site.url("/checks/none")]


def test_imported_sources_are_rechecked(store: Store, site: FixtureHost) -> None:
    body = page("", ld(review_ld(CLAIM, "False", appearance=site.url("/speech"))),
                ).replace(b"https://city.example/budget-2023", site.url("/budget-2023").encode()
                          ).replace(b"https://stats.example/roads", site.url("/gone").encode())
    site.routes["/checks/local"] = Route(body=body)
    store.import_claimreview([site.url("/checks/local")],
                             settings=FetchSettings(min_interval=0.0, addresses=AddressPolicy(
                                 allow_private=True)))
    summary = store.recheck(RecheckOptions(settings=LOOPBACK, archive_dir=None, readers=0,
                                           archive_base=None))
    assert summary.status == "finished"
    statuses = {e.url.rsplit("/", 1)[1]: e.status for c in store.claims() for e in c.evidence}
    assert statuses == {"speech": "linked", "budget-2023": "linked",
                        "gone": "source-unreachable"}


def test_the_datafeed_export_validates_and_reads_back(store: Store, site: FixtureHost,
                                                       tmp_path: Path) -> None:
    store.import_claimreview([site.url("/checks/array"), site.url("/checks/graph")],
                             settings=LOOPBACK)
    reports = [build_report(store, d.key) for d in store.documents()]
    feed = datafeed(reports, PUBLISHER)
    assert feed["@type"] == "DataFeed" and len(feed["dataFeedElement"]) == 3
    for element in feed["dataFeedElement"]:
        assert element["@type"] == "DataFeedItem"
        check_schema(element["item"])
    labels = sorted(e["item"][0]["reviewRating"]["alternateName"]
                    for e in feed["dataFeedElement"])
    assert labels == ["False", "Mostly True", "Pants on Fire!"]  # the publishers' own
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed), encoding="utf-8")
    with open_store(f"sqlite:///{tmp_path / 'other.db'}", migrate=True) as other:
        back = other.import_claimreview([path])
        assert not back.failed
        assert sorted((c.claim, c.verdict.publisher_label if c.verdict else None)
                      for c in other.claims()) == sorted(
            (c.claim, c.verdict.publisher_label if c.verdict else None)
            for c in store.claims())
    assert reviews_in_json(feed)[0].reviewer in ("Fixture Checks", "Graph Checks")


def test_the_command_line(site: FixtureHost, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    rating_map = tmp_path / "map.yaml"
    rating_map.write_text("Engañoso: misleading\n", encoding="utf-8")
    ok = runner.invoke(cli, ["--db", db, "import-claimreview", "--allow-private",
                             "--rating-map", str(rating_map), "--delay", "0",
                             site.url("/checks/spanish"), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["changes"]["claims_added"] == 1
    failed = runner.invoke(cli, ["--db", db, "import-claimreview", "--allow-private",
                                 "--delay", "0", site.url("/checks/none")])
    assert failed.exit_code == 1 and "no ClaimReview" in failed.output
    bad_map = tmp_path / "bad.yaml"
    bad_map.write_text("Engañoso: sort-of\n", encoding="utf-8")
    refused = runner.invoke(cli, ["--db", db, "import-claimreview", "--rating-map",
                                  str(bad_map), site.url("/checks/spanish")])
    assert refused.exit_code == 1 and "'sort-of' is not a rating" in refused.output
    feed = runner.invoke(cli, ["--db", db, "report", "--format", "datafeed", "--org", "Desk",
                               "--org-url", "https://desk.example/", "--review-url",
                               "https://desk.example/{document}"])
    assert feed.exit_code == 0, feed.output
    assert json.loads(feed.output)["dataFeedElement"][0]["item"][0]["reviewRating"][
        "alternateName"] == "Engañoso"


def test_a_strange_source_is_named_and_never_stops_the_import(store: Store,
                                                              tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")  # RecursionError
    odd = tmp_path / "api.json"
    odd.write_text(json.dumps({"claims": [{"text": "Trams are free on Sundays.",
                                           "claimReview": [{"publisher": "Odd Checks",
                                                            "textualRating": "False",
                                                            "url": "https://odd.example/t"}]}]}),
                   encoding="utf-8")
    report = store.import_claimreview([deep, odd])
    reasons = {s["source"]: s["error"] for s in report.sources}
    assert reasons[str(deep)] and "RecursionError" in reasons[str(deep)]
    assert reasons[str(odd)] is None
    (claim,) = store.claims()
    assert claim.verdict is not None and claim.verdict.reviewer == "Odd Checks"
