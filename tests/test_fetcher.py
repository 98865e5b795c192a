"""The fetcher against mocked HTTP (pytest-httpx): politeness, retries, caps, robots."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from email.utils import formatdate

import httpx
import pytest
from pytest_httpx import HTTPXMock

from factcheck._version import __version__
from factcheck.errors import BadContent
from factcheck.web.fetcher import Fetcher, FetchResult, FetchSettings, inflate
from factcheck.web.safety import AddressPolicy

pytestmark = pytest.mark.httpx_mock(assert_all_requests_were_expected=True)

URL = "https://news.fixture.example/story"
ROBOTS = "https://news.fixture.example/robots.txt"


class Sleeps:
    """A stand-in for asyncio.sleep that records and does not wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def fetch(url: str = URL, *, sleeps: Sleeps | None = None, **settings: object) -> FetchResult:
    options = {"min_interval": 0.0, "respect_robots": False, "backoff": 1.0,
               "addresses": AddressPolicy(allow_private=True), **settings}

    async def go() -> FetchResult:
        async with Fetcher(FetchSettings(**options),  # type: ignore[arg-type]
                           sleep=sleeps or Sleeps()) as fetcher:
            return await fetcher.fetch(url, etag='"v1"', last_modified="Mon, 01 Jan 2024")
    return asyncio.run(go())


def test_an_honest_and_conditional_request(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, html="<p>hello</p>", headers={"ETag": '"v2"'})
    result = fetch(contact="desk@fixture.example")
    request = httpx_mock.get_request()
    assert request is not None
    assert request.headers["User-Agent"].startswith(f"factcheck/{__version__} (+http")
    assert request.headers["From"] == "desk@fixture.example"
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Mon, 01 Jan 2024"
    assert result.outcome == "fetched"
    assert result.body == b"<p>hello</p>"
    assert result.headers["etag"] == '"v2"'
    assert result.content_type == "text/html"


def test_a_304_is_unchanged_with_no_body(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=304)
    result = fetch()
    assert (result.outcome, result.body, result.not_modified) == ("unchanged", None, True)


def test_5xx_is_retried_with_backoff_then_succeeds(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=503)
    httpx_mock.add_response(url=URL, status_code=502)
    httpx_mock.add_response(url=URL, text="ok")
    sleeps = Sleeps()
    result = fetch(sleeps=sleeps)
    assert (result.outcome, result.attempts) == ("fetched", 3)
    assert len(sleeps.calls) == 2
    assert 0.75 <= sleeps.calls[0] <= 1.25 and 1.5 <= sleeps.calls[1] <= 2.5


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_are_never_retried(httpx_mock: HTTPXMock, status: int) -> None:
    httpx_mock.add_response(url=URL, status_code=status)
    result = fetch()
    assert (result.outcome, result.status, result.attempts) == ("http-error", status, 1)
    assert len(httpx_mock.get_requests()) == 1


def test_429_waits_as_retry_after_says(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=URL, text="ok")
    sleeps = Sleeps()
    result = fetch(sleeps=sleeps)
    assert result.outcome == "fetched"
    assert sleeps.calls[0] == 7.0


def test_retry_after_as_a_date_and_too_long_to_wait(httpx_mock: HTTPXMock) -> None:
    later = formatdate(4_000_000_000, usegmt=True)  # decades away
    httpx_mock.add_response(url=URL, status_code=429, headers={"Retry-After": later})
    result = fetch()
    assert (result.outcome, result.status, result.attempts) == ("http-error", 429, 1)


def test_network_errors_are_retried_then_classified(httpx_mock: HTTPXMock) -> None:
    for _ in range(3):
        httpx_mock.add_exception(httpx.ConnectTimeout("connect timed out"), url=URL)
    result = fetch()
    assert (result.outcome, result.attempts) == ("timeout", 3)
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=URL)
    assert fetch(retries=0).outcome == "connection-error"


def test_redirect_chain_is_followed_and_recorded(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, status_code=301, headers={"Location": "/moved"})
    httpx_mock.add_response(url="https://news.fixture.example/moved", status_code=302,
                            headers={"Location": "https://archive.fixture.example/final"})
    httpx_mock.add_response(url="https://archive.fixture.example/final", text="here")
    result = fetch()
    assert result.outcome == "fetched"
    assert result.final_url == "https://archive.fixture.example/final"
    assert result.redirects == ((301, "https://news.fixture.example/moved"),
                                (302, "https://archive.fixture.example/final"))
    assert result.permanently_moved
    assert len(result.exchanges) == 3


def test_redirect_loop_and_too_many_redirects(httpx_mock: HTTPXMock) -> None:
    other = "https://news.fixture.example/other"
    httpx_mock.add_response(url=URL, status_code=302, headers={"Location": other})
    httpx_mock.add_response(url=other, status_code=302, headers={"Location": URL})
    result = fetch()
    assert result.outcome == "redirect-loop"
    assert "loop" in str(result.error)
    for hop in range(3):
        httpx_mock.add_response(url=f"{URL}{hop}", status_code=307,
                                headers={"Location": f"{URL}{hop + 1}"})
    assert fetch(f"{URL}0", max_redirects=2).outcome == "redirect-loop"


def test_gzip_and_deflate_are_inflated(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, content=gzip.compress(b"<p>zipped</p>"),
                            headers={"Content-Encoding": "gzip"})
    assert fetch().body == b"<p>zipped</p>"
    assert inflate(zlib.compress(b"deflated"), "deflate", 100) == b"deflated"
    raw = zlib.compressobj(wbits=-15)
    assert inflate(raw.compress(b"raw deflate") + raw.flush(), "deflate", 100) == b"raw deflate"


def test_a_decompression_bomb_stops_at_the_cap(httpx_mock: HTTPXMock) -> None:
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), 9)
    assert len(bomb) < 100_000
    httpx_mock.add_response(url=URL, content=bomb, headers={"Content-Encoding": "gzip"})
    result = fetch(max_bytes=1024 * 1024)
    assert result.outcome == "too-large"
    assert "decompression bomb" in str(result.error)


def test_bodies_over_the_cap(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, content=b"x" * 5000)
    assert fetch(max_bytes=4096).outcome == "too-large"


def test_undecodable_bodies_are_bad_content(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=URL, content=b"whatever", headers={"Content-Encoding": "br"})
    assert fetch().outcome == "bad-content"
    with pytest.raises(BadContent, match="corrupt"):
        inflate(b"not gzip at all", "gzip", 100)


# -- robots.txt ------------------------------------------------------------------------

def test_robots_disallow_blocks_without_fetching(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROBOTS, text="User-agent: factcheck\nDisallow: /story\n")
    result = fetch(respect_robots=True)
    assert result.outcome == "blocked"
    assert [str(r.url) for r in httpx_mock.get_requests()] == [ROBOTS]


def test_robots_for_other_agents_do_not_apply(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROBOTS, text="User-agent: otherbot\nDisallow: /\n")
    httpx_mock.add_response(url=URL, text="ok")
    assert fetch(respect_robots=True).outcome == "fetched"


@pytest.mark.parametrize(("status", "outcome"), [(404, "fetched"), (401, "fetched"),
                                                 (403, "fetched"), (503, "blocked")])
def test_robots_status_per_rfc_9309(httpx_mock: HTTPXMock, status: int, outcome: str) -> None:
    httpx_mock.add_response(url=ROBOTS, status_code=status)
    if outcome == "fetched":
        httpx_mock.add_response(url=URL, text="ok")
    result = fetch(respect_robots=True, retries=0)
    assert result.outcome == outcome


def test_robots_is_read_once_per_origin_and_crawl_delay_spaces_requests(
        httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=ROBOTS, text="User-agent: *\nCrawl-delay: 5\n")
    httpx_mock.add_response(url=URL, text="one")
    httpx_mock.add_response(url=URL + "2", text="two")
    sleeps = Sleeps()

    async def go() -> list[FetchResult]:
        settings = FetchSettings(min_interval=0.0, addresses=AddressPolicy(allow_private=True))
        async with Fetcher(settings, sleep=sleeps) as fetcher:
            return [await fetcher.fetch(URL), await fetcher.fetch(URL + "2")]
    results = asyncio.run(go())
    assert [r.outcome for r in results] == ["fetched", "fetched"]
    assert [str(r.url) for r in httpx_mock.get_requests()].count(ROBOTS) == 1
    assert any(4.0 < s <= 5.0 for s in sleeps.calls)


def test_no_response_can_crash_a_fetch(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.RemoteProtocolError("garbage status line"), url=URL)
    result = fetch(retries=0)
    assert result.outcome == "connection-error"
    assert "garbage" in str(result.error)
