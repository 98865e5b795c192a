"""The digest of recheck runs: Markdown, plain text, HTML for mail, JSON; one run or
every run since a date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from factcheck import Store
from factcheck.fixtureweb import FixtureHost, Route
from factcheck.reports import digest
from factcheck.reports.render import digest_html, digest_text

from .test_recheck import ARTICLE, QUOTE, T0, at, claims_file, options


@pytest.fixture
def site() -> Iterator[FixtureHost]:
    host = FixtureHost()
    yield host
    host.close()


def test_since_a_date_gathers_every_run_and_each_format_says_it(
        store: Store, site: FixtureHost, tmp_path: Path) -> None:
    site.routes["/story"] = Route(body=ARTICLE)
    site.routes["/other"] = Route(body=ARTICLE.replace(b"6,821.9", b"1.0"))
    store.load_seeds(claims_file(tmp_path, site.url("/story"), QUOTE))
    store.add_sources([site.url("/other")])
    store.recheck(options(), clock=at(T0))
    site.routes["/other"] = Route(status=403, body=b"no", validators=False)
    store.recheck(options(all_sources=True), clock=at(T0 + timedelta(hours=27)))
    site.routes["/story"] = Route(body=ARTICLE.replace(b"26.3 percent", b"20.3 percent"))
    store.recheck(options(all_sources=True), clock=at(T0 + timedelta(hours=54)))

    latest = store.changes()
    since = store.changes(since=T0)
    assert {e["run"] for e in since} == {1, 2, 3}
    assert len(since) > len(latest)
    assert any(e["subject"] == "source" and e["after"] == "blocked" for e in since)
    assert not any(e["after"] == "blocked" for e in latest)

    text = digest(store, fmt="text", since=T0)
    assert "Verdicts that need review (1)" in text
    assert "- fixture-article/budget: evidence figures-changed" in text
    assert "unchanged → blocked" in text
    markdown = digest(store, fmt="md", since=T0)
    assert "\n## Verdicts that need review (1)\n" in markdown and "# #" not in markdown
    html = BeautifulSoup(digest(store, fmt="html", since=T0), "html.parser")
    assert html.title is not None and html.title.string == "factcheck: what changed"
    items = [li.get_text(" ", strip=True) for li in html.find_all("li")]
    assert any("fixture-article/budget" in i and "26.3 percent is now 20.3" in i
               for i in items)


def test_the_html_digest_escapes_what_pages_control() -> None:
    run = {"run": 1, "status": "finished", "started_at": T0, "checked": 1, "errors": 0,
           "reason": None}
    changes = [{"subject": "source", "source": "https://fixture.example/<script>x</script>",
                "before": "unchanged", "after": "moved", "reason": '<img src=x onerror="1">',
                "claim": None}]
    html = digest_html(run, changes, [("doc/<b>claim</b>", ("<i>why</i>",))])
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert soup.find("b") is None and soup.find("i") is None
    assert "&lt;script&gt;" in html
    assert "<script>" in digest_text(run, changes, [])  # plain text is not markup
