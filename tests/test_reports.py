"""Reports: every claim in every format, hostile text escaped, ClaimReview valid, and the
HTML rendered by a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck import Store
from factcheck.errors import ConfigError
from factcheck.reports import (
    AUDIENCES,
    FORMATS,
    SCHEMA_VERSION,
    Publisher,
    build_report,
    claimreview,
    find_publisher,
    left_out_of_claimreview,
    render,
    write_reports,
)
from factcheck.reports.annotate import Run, annotate, paragraphs
from factcheck.reports.build import Report

from .conftest import ARTIFACTS, HOSTILE, OVERFLOW, drift
from .schema_org import check_schema

PUBLISHER = Publisher(name="Fixture Desk", url="https://desk.example/",
                      review_url="https://desk.example/checks/{document}")


def test_every_claim_in_every_format(seeded: Store) -> None:
    report = build_report(seeded)
    claims = seeded.claims()
    assert len(report.claims) == len(claims) >= 50
    desk = render(report, "html", audience="desk")
    public = render(report, "html")
    markdown = render(report, "md", audience="desk")
    data = json.loads(render(report, "json"))
    rows = list(csv.DictReader(io.StringIO(render(report, "csv", bom=False))))
    reviews = json.loads(render(report, "claimreview", publisher=PUBLISHER))
    rated = [c for c in claims if c.checkable and c.verdict]
    for claim in claims:
        assert f'id="claim-{claim.key}"' in desk
        assert f'<a id="claim-{claim.key}"></a>' in markdown
        assert f'data-claim="{claim.key}"' in public  # marked in the article
        assert (f'id="claim-{claim.key}"' in public) == (claim in rated)  # a card if rated
    assert data["schema_version"] == SCHEMA_VERSION
    assert sorted(c["key"] for c in data["claims"]) == sorted(c.key for c in claims)
    assert [c["start"] for c in data["claims"]] == sorted(c.start for c in claims)
    assert data["article"] == seeded.document_text("us-japan-alliance-2023")
    assert len(rows) == sum(max(1, len(c.evidence)) for c in claims)
    assert {r["claim"] for r in rows} == {c.key for c in claims}
    assert {r["checkable"] for r in rows} == {"true", "false"}
    assert len(reviews) == len(rated) == 24


def page(html: str) -> Any:
    from bs4 import BeautifulSoup
    return BeautifulSoup(html, "lxml")


def test_the_annotated_article_marks_every_span_by_its_verdict(seeded: Store) -> None:
    report = build_report(seeded)
    soup = page(render(report, "html"))
    text = seeded.document_text("us-japan-alliance-2023")
    article = soup.select_one(".article-text")
    # The marks come from the stored spans: without the verdict labels, the article
    # reads as it was, word for word.
    bare = page(str(article))
    for tag in bare.select(".tag"):
        tag.decompose()
    assert bare.get_text().split() == text.split()
    numbers = {c.key: i for i, c in enumerate(report.rated, 1)}
    for claim in report.claims:
        marks = article.select(f'[data-claim="{claim.key}"]')
        assert marks, claim.key
        marked = "".join(m.get_text() for m in marks)
        if claim.checkable and claim.rating:
            assert all(m.name == "a" and m["href"] == f"#{claim.anchor}"
                       and f"v-{claim.rating}" in m["class"] for m in marks)
            tag = marks[-1].find_next_sibling("a")
            assert tag is not None and "tag" in tag["class"]
            assert tag.get_text() == f"{numbers[claim.key]} · {claim.label}"  # a label, not
            # only a colour
        else:
            assert all(m.name == "span" and "light" in m["class"] for m in marks)
        assert marked.replace("\n", "") in claim.quote.replace("\n", "")


def test_annotate_gives_the_text_back_and_nests_spans() -> None:
    @dataclass(frozen=True)
    class Span:
        start: int
        end: int
        checkable: bool
    text = "Alpha beta gamma.\nDelta epsilon."
    outer, inner = Span(0, 17, False), Span(6, 10, True)
    across = Span(11, 23, True)
    runs = annotate(text, [outer, inner, across])
    assert "".join(r.text for r in runs) == text
    assert [(r.text, r.claim) for r in runs] == [
        ("Alpha ", outer), ("beta", inner), (" ", outer), ("gamma.\nDelta", across),
        (" epsilon.", None)]
    split = paragraphs(runs)
    assert [[r.text for r in p] for p in split] == [["Alpha ", "beta", " ", "gamma."],
                                                   ["Delta", " epsilon."]]
    assert [(r.first, r.last) for r in split[0][3:] + split[1][:1]] == [(True, False),
                                                                       (False, True)]
    assert annotate(text, [Span(5, 99, True)]) == [Run(text, None)]  # out of range: unmarked


@dataclass(frozen=True, eq=False)
class _Spanned:
    start: int
    end: int
    checkable: bool


@given(st.text("ab \n", max_size=40),
       st.lists(st.tuples(st.integers(-2, 42), st.integers(-2, 42), st.booleans()),
                max_size=8))
def test_every_run_belongs_to_the_innermost_claim_covering_it(
        text: str, spans: list[tuple[int, int, bool]]) -> None:
    claims = [_Spanned(min(a, b), max(a, b), checkable) for a, b, checkable in spans]
    runs = annotate(text, claims)
    assert "".join(r.text for r in runs) == text
    at = 0
    for run in runs:  # the owner, by the rule itself, at every character of the run
        for i in range(at, at + len(run.text)):
            covering = [c for c in claims
                        if 0 <= c.start < c.end <= len(text) and c.start <= i < c.end]
            key = min(((not c.checkable, c.end - c.start, c.start) for c in covering),
                      default=None)
            assert (run.claim and (not run.claim.checkable, run.claim.end - run.claim.start,
                                   run.claim.start)) == key if key else run.claim is None
        at += len(run.text)


def test_public_and_desk_say_different_things(seeded: Store) -> None:
    drift(seeded)
    report = build_report(seeded)
    assert report.needs_review
    public = render(report, "html")
    for word in ("Errno", ".warc", "Needs review", "needs review", "figures-changed"):
        assert word not in public.replace("archive/2026.warc.gz", ""), word
    desk = render(report, "html", audience="desk")
    soup = page(desk)
    first = soup.select("article.card")[0]
    assert first["id"] in {f"claim-{c.key}" for c in report.needs_review}  # first things first
    assert "Needs review" in first.get_text()
    assert any("26.3" in d.get_text() for d in soup.select("del.figure"))
    assert any("20.3" in i.get_text() for i in soup.select("ins.figure"))
    assert "Errno" in desk
    public_md, desk_md = render(report, "md"), render(report, "md", audience="desk")
    assert "Needs review" not in public_md and "Errno" not in public_md
    assert "Needs review" in desk_md and "~~" in desk_md


def test_a_document_without_a_title_is_described_never_keyed(tmp_path: Path,
                                                             store: Store) -> None:
    (tmp_path / "a.txt").write_text("The bridge opened in 1932. It is lovely.\n")
    (tmp_path / "a.yaml").write_text(
        "document: {key: bridge-2024, authors: [A. Writer], published: 2024, "
        "text_file: a.txt, lang: en-GB, summary: 'The date holds.'}\n"
        "claims:\n"
        "  - {key: opened, quote: 'The bridge opened in 1932.', kind: event,\n"
        "     claim: 'The bridge opened in 1932.',\n"
        "     verdict: {rating: 'true', rationale: 'The city says so.', reviewer: desk}}\n"
        "  - {key: lovely, quote: 'It is lovely.', kind: opinion}\n")
    store.load_seeds(tmp_path)
    html = render(build_report(store, "bridge-2024"), "html")
    soup = page(html)
    assert soup.title.get_text() == "Fact-check: An article by A. Writer (2024)"
    assert soup.html["lang"] == "en-GB"
    assert "bridge-2024" not in soup.get_text()
    conclusion = " ".join(soup.select_one(".conclusion").get_text().split())
    assert "The date holds." in conclusion
    assert "We checked 1 claim in this article: 1 true." in conclusion
    assert "1 other statement is opinion" in conclusion


def test_reports_writes_every_document(tmp_path: Path, seeded: Store) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text("Rain fell.\n")
    (other / "b.yaml").write_text(
        "document: {key: rain, title: Rain, text_file: b.txt}\n"
        "claims: [{key: rain, quote: 'Rain fell.', kind: event}]\n")
    seeded.load_seeds(other)
    paths = write_reports(seeded, tmp_path / "out", ("html", "csv"))
    assert sorted(p.name for p in paths) == ["rain.csv", "rain.html",
                                             "us-japan-alliance-2023.csv",
                                             "us-japan-alliance-2023.html"]
    csv_bytes = (tmp_path / "out" / "rain.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with the mark
    desk = write_reports(seeded, tmp_path / "out", ("html",), document="rain",
                         audience="desk")
    assert [p.name for p in desk] == ["rain.desk.html"]


def test_hostile_source_titles_arrive_as_text(seeded: Store) -> None:
    report = build_report(seeded)
    for audience in AUDIENCES:
        html = render(report, "html", audience=audience)
        assert HOSTILE not in html
        assert "<script" not in html.lower()
    html = render(report, "html", audience="desk")
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    markdown = render(report, "md", audience="desk")
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;document.title" in markdown


def test_the_html_needs_nothing_from_outside(seeded: Store) -> None:
    for publisher in (None, PUBLISHER):
        soup = page(render(build_report(seeded), "html", publisher=publisher))
        scripts = soup.find_all("script")
        assert [s["type"] for s in scripts] == (["application/ld+json"] if publisher else [])
        assert not soup.find_all(["link", "img", "iframe", "object", "embed", "video",
                                  "audio", "source", "base"])
        assert not soup.find_all(src=True)
        assert not soup.find_all(style=True)
        styles = " ".join(tag.get_text() for tag in soup.find_all("style"))
        assert not re.search(r"url\(|@import", styles, re.I)
        assert all(a["href"].startswith(("#", "https://", "http://"))
                   for a in soup.find_all("a"))
        csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert csp is not None and "default-src 'none'" in csp["content"]


#: Google's ClaimReview structured data: required and recommended properties.
GOOGLE_REQUIRED = {"claimReviewed", "reviewRating", "url"}
GOOGLE_RECOMMENDED = {"author", "datePublished", "itemReviewed"}
GOOGLE_RATING = {"alternateName"}


def test_claimreview_validates(seeded: Store) -> None:
    reviews = claimreview(build_report(seeded), PUBLISHER)
    check_schema(reviews)
    for review in reviews:
        assert set(review) >= GOOGLE_REQUIRED | GOOGLE_RECOMMENDED, review["url"]
        assert set(review["reviewRating"]) >= GOOGLE_RATING
        assert review["author"] == {"@type": "Organization", "name": "Fixture Desk",
                                    "url": "https://desk.example/"}
        assert review["url"].startswith(
            "https://desk.example/checks/us-japan-alliance-2023#claim-")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", review["datePublished"])
        # Whole sentences that fit: nothing cut, no ellipsis.
        assert len(review["claimReviewed"]) <= 75, review["claimReviewed"]
        assert not review["claimReviewed"].endswith(("...", "…")), review["claimReviewed"]
    budget = next(r for r in reviews if r["url"].endswith("#claim-fy2023-defense-budget"))
    assert budget["reviewRating"] == {"@type": "Rating", "alternateName": "True",
                                      "bestRating": 5, "worstRating": 1, "ratingValue": 5}
    assert "True" not in budget["claimReviewed"]
    assert budget["itemReviewed"]["author"] == [{"@type": "Person", "name": "Chen Hanghui"},
                                                {"@type": "Person", "name": "Dong Pan"}]
    unverified = next(r for r in reviews if r["url"].endswith("#claim-paul-smith-new-stage"))
    assert "ratingValue" not in unverified["reviewRating"]
    assert unverified["reviewRating"]["alternateName"] == "Unverified"


def test_claimreview_leaves_out_what_needs_review_and_needs_a_publisher(seeded: Store) -> None:
    drift(seeded)
    report = build_report(seeded)
    stale = [c.key for c in left_out_of_claimreview(report)]
    assert stale == ["fy2023-defense-budget"]
    urls = {r["url"].rpartition("#claim-")[2] for r in claimreview(report, PUBLISHER)}
    assert "fy2023-defense-budget" not in urls and len(urls) == 23
    everything = claimreview(report, PUBLISHER, include_stale=True)
    assert len(everything) == 24
    with pytest.raises(ConfigError, match="publishing organization"):
        claimreview(report, None)
    # The page embeds the same JSON-LD as --format claimreview.
    soup = page(render(report, "html", publisher=PUBLISHER))
    embedded = json.loads(soup.find("script", type="application/ld+json").string)
    assert embedded == json.loads(render(report, "claimreview", publisher=PUBLISHER))


def test_the_publisher_comes_from_options_environment_or_config(tmp_path: Path,
                                                                monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as missing:
        find_publisher(environ={})
    for name in ("--org", "--org-url", "--review-url"):
        assert name in str(missing.value)
    (tmp_path / "factcheck.toml").write_text(
        '[publisher]\nname = "Toml Desk"\nurl = "https://toml.example/"\n'
        'review_url = "https://toml.example/{document}"\n')
    found = find_publisher(environ={"FACTCHECK_ORG_NAME": "Env Desk"})
    assert found == Publisher("Env Desk", "https://toml.example/", "https://toml.example/{document}")
    assert find_publisher("Cli Desk", environ={}).name == "Cli Desk"
    with pytest.raises(ConfigError, match="not an http"):
        find_publisher(url="javascript:alert(1)", environ={})


def test_templates_can_be_overridden(seeded: Store, tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{{ report.claims|length }} claims in {{ title }}\n")
    assert render(build_report(seeded), "md", templates=tmp_path) == \
        f"{len(seeded.claims())} claims in The US-Japan alliance: from “protection” to " \
        "“projection”\n"


def test_write_reports_writes_each_format(seeded: Store, tmp_path: Path) -> None:
    paths = write_reports(seeded, tmp_path, FORMATS, publisher=PUBLISHER)
    assert [p.name for p in paths] == [
        "us-japan-alliance-2023.html", "us-japan-alliance-2023.md",
        "us-japan-alliance-2023.json", "us-japan-alliance-2023.csv",
        "us-japan-alliance-2023.claimreview.json"]
    assert all(p.stat().st_size > 1000 for p in paths)




@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_reports_render_in_chromium_at_desk_and_phone_widths(
        browser: Any, seeded: Store, tmp_path: Path, audience: str) -> None:
    drift(seeded)
    report = build_report(seeded)
    path = tmp_path / f"{audience}.html"
    path.write_text(render(report, "html", audience=audience, publisher=PUBLISHER),
                    encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        browser.set_window_size(width, 900)
        browser.get(path.as_uri())
        assert browser.title == ("Fact-check: " if audience == "public" else "Desk report: ") \
            + "The US-Japan alliance: from “protection” to “projection”"  # not "pwned"
        assert browser.execute_script(OVERFLOW) == []
        if audience == "desk":
            hostile = browser.execute_script(
                "return [...document.querySelectorAll('.sources a')].map(a => a.textContent)"
                ".filter(t => t.includes('<script>')).length")
            assert hostile > 0  # the hostile title is shown as text, not run
        else:
            marked = browser.execute_script(
                "return new Set([...document.querySelectorAll('.article-text [data-claim]')]"
                ".map(e => e.dataset.claim)).size")
            assert marked == len(report.claims)
            ld = browser.execute_script(
                "return document.querySelector('script[type=\"application/ld+json\"]').text")
            assert json.loads(ld) == claimreview(report, PUBLISHER)
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(height, 16000))
        shot = ARTIFACTS / f"report-{audience}-{width}.png"
        assert browser.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- publishing after a change ---------------------------------------------------------

def test_a_stale_verdict_is_under_review_on_the_readers_page(seeded: Store) -> None:
    drift(seeded)
    html = render(build_report(seeded), "html", publisher=PUBLISHER)
    doc = page(html)
    card = doc.find(id="claim-fy2023-defense-budget")
    assert card is not None and "under-review" in card["class"]
    assert card.find(class_="verdict").get_text().endswith("· Under review")
    assert "under review" in card.get_text() and "withdrawn" in card.get_text()
    old = seeded.claim("fy2023-defense-budget").verdict
    assert old is not None and old.rationale[:40] not in card.get_text()  # nor its reasons
    mark = doc.find("a", attrs={"data-claim": "fy2023-defense-budget"})
    assert mark is not None and "under-review" in mark["class"]
    assert "under review" in doc.find(class_="conclusion").get_text()
    # The desk's copy, and --include-stale, show the verdict as it stands.
    stale = render(build_report(seeded), "html", publisher=PUBLISHER, include_stale=True)
    assert 'id="claim-fy2023-defense-budget"' in stale
    assert "withdrawn until then" not in stale


def test_a_changed_rating_is_an_update_with_its_correction(seeded: Store) -> None:
    seeded.record_verdict("fy2023-defense-budget", "mostly-true",
                          "The figure was revised to 20.3 percent. Details follow.",
                          reviewer="ana", reviewed_on=date(2026, 12, 4))
    report = build_report(seeded)
    (correction,) = report.corrections
    assert (correction.before, correction.after, correction.on) == (
        "True", "Mostly true", date(2026, 12, 4))
    assert correction.why == "The figure was revised to 20.3 percent."
    data = json.loads(render(report, "json"))  # and for machines
    assert data["updated_on"] == "2026-12-04"
    assert data["corrections"] == [{"claim": "fy2023-defense-budget", "before": "True",
                                    "after": "Mostly true", "on": "2026-12-04",
                                    "why": "The figure was revised to 20.3 percent."}]
    doc = page(render(report, "html", publisher=PUBLISHER))
    byline = doc.find(class_="byline").get_text(" ", strip=True)
    assert "for Fixture Desk" in byline and "Updated December 4, 2026" in byline
    corrections = doc.find(id="corrections").find_parent("section").get_text(" ", strip=True)
    assert "rated True, now Mostly true" in corrections
    # The conclusion was written before: the desk sees it flagged.
    assert [ref for ref, _ in report.conclusion_changes] == [
        "us-japan-alliance-2023/fy2023-defense-budget"]
    desk = render(report, "html", audience="desk")
    assert "The conclusion needs review" in desk
    public = render(report, "html", publisher=PUBLISHER)
    assert "The conclusion needs review" not in public


def test_the_page_describes_itself_and_writes_dates_for_people(seeded: Store) -> None:
    report = build_report(seeded)
    doc = page(render(report, "html", publisher=PUBLISHER))
    metas = {m.get("property") or m.get("name"): m["content"] for m in doc.find_all("meta")
             if m.get("content")}
    assert metas["og:url"] == "https://desk.example/checks/us-japan-alliance-2023"
    assert metas["og:site_name"] == "Fixture Desk" and metas["og:type"] == "article"
    assert metas["description"].startswith("The article's dated events")
    japanese = Report(**{**vars(report), "document": {**report.document, "lang": "ja",
                                                      "published": "2024-03-15"}})
    assert "2024年3月15日" in render(japanese, "html", publisher=PUBLISHER)


def test_the_claimant_is_who_made_the_claim_in_claimreview(store: Store,
                                                         tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The mayor said the road budget doubled.\n",
                                    encoding="utf-8")
    (tmp_path / "a.yaml").write_text("""document: {key: a, text_file: a.txt}
claims:
  - key: doubled
    quote: "The mayor said the road budget doubled."
    kind: statistic
    claimant: {name: A. Mayor, url: "https://city.example/mayor"}
    verdict: {rating: "false", rationale: "It rose 12 percent.", date: 2024-03-15}
""", encoding="utf-8")
    store.load_seeds(tmp_path / "a.yaml")
    (review,) = claimreview(build_report(store), PUBLISHER)
    assert review["itemReviewed"]["author"] == {
        "@type": "Person", "name": "A. Mayor", "sameAs": "https://city.example/mayor"}
    assert store.claims()[0].claimant == "A. Mayor"
