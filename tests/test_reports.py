"""Reports: every claim in every format, hostile text escaped, ClaimReview valid, and the
HTML rendered by a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from factcheck import Store
from factcheck.reports import (
    FORMATS,
    SCHEMA_VERSION,
    build_report,
    claimreview,
    render,
    write_reports,
)
from factcheck.store.models import SourceRow

from .conftest import ROOT, SEEDS

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
ARTIFACTS = Path(os.environ.get("FACTCHECK_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))


@pytest.fixture
def seeded(store: Store) -> Store:
    store.load_seeds(SEEDS)
    with Session(store.engine) as s, s.begin():
        s.execute(update(SourceRow).where(SourceRow.url.like("%nippon.com%"))
                  .values(title=HOSTILE))
    return store


def test_every_claim_in_every_format(seeded: Store) -> None:
    report = build_report(seeded)
    claims = seeded.claims()
    assert len(report.claims) == len(claims) >= 50
    html = render(report, "html")
    markdown = render(report, "md")
    data = json.loads(render(report, "json"))
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    reviews = json.loads(render(report, "claimreview", organization="Fixture Desk",
                                organization_url="https://desk.example/",
                                review_url="https://desk.example/checks/us-japan"))
    for claim in claims:
        assert f'id="claim-{claim.key}"' in html
        assert f'<a id="claim-{claim.key}"></a>' in markdown
    assert data["schema_version"] == SCHEMA_VERSION
    assert [c["key"] for c in data["claims"]] == [c.key for c in claims]
    assert len(rows) == sum(max(1, len(c.evidence)) for c in claims)
    assert {r["claim"] for r in rows} == {c.key for c in claims}
    rated = [c for c in claims if c.checkable and c.verdict]
    assert len(reviews) == len(rated) == 24
    assert "Not checkable" in html  # opinions are listed, so coverage shows


def test_hostile_source_titles_arrive_as_text(seeded: Store) -> None:
    report = build_report(seeded)
    html = render(report, "html")
    assert HOSTILE not in html
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    markdown = render(report, "md")
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;document.title" in markdown


def test_the_html_needs_nothing_from_outside(seeded: Store) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(render(build_report(seeded), "html"), "lxml")
    assert not soup.find_all(["script", "link", "img", "iframe", "object", "embed", "video",
                              "audio", "source", "base"])
    assert not soup.find_all(src=True)
    assert not soup.find_all(style=True)
    styles = " ".join(tag.get_text() for tag in soup.find_all("style"))
    assert not re.search(r"url\(|@import", styles, re.I)
    assert all(a["href"].startswith(("#", "https://", "http://")) for a in soup.find_all("a"))


# schema.org: the properties used, per type, from the type's definition and its parents
# (ClaimReview < Review < CreativeWork < Thing; Claim < CreativeWork; Rating < Intangible).
THING = {"@context", "@type", "name", "url", "description", "sameAs", "image"}
CREATIVE_WORK = THING | {"author", "datePublished", "headline", "dateModified", "publisher",
                         "inLanguage"}
PROPERTIES = {
    "ClaimReview": CREATIVE_WORK | {"claimReviewed", "reviewRating", "itemReviewed",
                                    "reviewBody"},
    "Claim": CREATIVE_WORK | {"appearance", "firstAppearance", "claimInterpreter"},
    "CreativeWork": CREATIVE_WORK,
    "Rating": THING | {"ratingValue", "bestRating", "worstRating", "alternateName", "author",
                       "ratingExplanation", "reviewAspect"},
    "Organization": THING | {"legalName", "logo"},
    "Person": THING | {"givenName", "familyName"},
}


def check_schema(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            check_schema(item)
        return
    if not isinstance(node, dict):
        return
    kind = node["@type"]
    assert kind in PROPERTIES, f"unexpected type {kind}"
    unknown = set(node) - PROPERTIES[kind]
    assert not unknown, f"{kind} has no properties {unknown}"
    for value in node.values():
        check_schema(value)


def test_claimreview_uses_only_defined_properties(seeded: Store) -> None:
    reviews = claimreview(build_report(seeded), organization="Fixture Desk",
                          organization_url="https://desk.example/",
                          review_url="https://desk.example/checks/us-japan")
    check_schema(reviews)
    budget = next(r for r in reviews if r["url"].endswith("#claim-fy2023-defense-budget"))
    assert budget["reviewRating"] == {"@type": "Rating", "alternateName": "True",
                                      "bestRating": 5, "worstRating": 1, "ratingValue": 5}
    assert "True" not in budget["claimReviewed"]
    for review in reviews:  # whole sentences that fit: nothing cut, no ellipsis
        assert len(review["claimReviewed"]) <= 75, review["claimReviewed"]
        assert not review["claimReviewed"].endswith(("...", "…")), review["claimReviewed"]
    assert budget["itemReviewed"]["author"] == [{"@type": "Person", "name": "Chen Hanghui"},
                                                {"@type": "Person", "name": "Dong Pan"}]
    unverified = next(r for r in reviews if r["url"].endswith("#claim-paul-smith-new-stage"))
    assert "ratingValue" not in unverified["reviewRating"]
    assert unverified["reviewRating"]["alternateName"] == "Unverified"


def test_templates_can_be_overridden(seeded: Store, tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("{{ report.claims|length }} claims in {{ title }}\n")
    assert render(build_report(seeded), "md", templates=tmp_path) == \
        f"{len(seeded.claims())} claims in The US-Japan alliance: from “protection” to " \
        "“projection”\n"


def test_write_reports_writes_each_format(seeded: Store, tmp_path: Path) -> None:
    paths = write_reports(seeded, tmp_path, FORMATS)
    assert [p.name for p in paths] == [
        "us-japan-alliance-2023.html", "us-japan-alliance-2023.md",
        "us-japan-alliance-2023.json", "us-japan-alliance-2023.csv",
        "us-japan-alliance-2023.claimreview.json"]
    assert all(p.stat().st_size > 1000 for p in paths)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (the test set-up installs Debian's chromium)")
    pytest.skip("chromium is not installed: `apt-get install chromium` (make test does)")


def test_the_html_renders_in_headless_chromium(seeded: Store, tmp_path: Path) -> None:
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_text(render(build_report(seeded), "html"), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--window-size=420,2000"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Fact-check: The US-Japan alliance: from “protection” to “projection”</title>" \
        in dom.stdout  # not "pwned"
    assert "&lt;script&gt;document.title" in dom.stdout  # the hostile title, as text
    assert 'id="claim-fy2023-defense-budget"' in dom.stdout
    shot = subprocess.run([*flags, f"--screenshot={screenshot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
