"""Fetching real HTTP on loopback: fixture hosts, hostile pages, the store end to end."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from factcheck import Store
from factcheck.fixtureweb import (
    FixtureHost,
    RequestHandler,
    Route,
    gzip_bomb,
    huge,
    make_pdf,
    page,
    redirect,
    trickle,
)
from factcheck.store.models import SnapshotRow, TextBlobRow
from factcheck.web.fetcher import Fetcher, FetchResult, FetchSettings
from factcheck.web.safety import AddressPolicy

LOOPBACK = AddressPolicy.allowing("127.0.0.1/32")


def settings(**overrides: object) -> FetchSettings:
    base: dict[str, object] = {"min_interval": 0.0, "retries": 1, "backoff": 0.01,
                               "total_timeout": 5.0, "addresses": LOOPBACK}
    return FetchSettings(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def host() -> Iterator[FixtureHost]:
    h = FixtureHost()
    yield h
    h.close()


def fetch_one(url: str, **overrides: object) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings(**overrides)) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


def test_refused_addresses_are_never_contacted(host: FixtureHost) -> None:
    host.routes["/page"] = Route(body=b"secret")
    result = fetch_one(host.url("/page"), addresses=AddressPolicy())
    assert result.outcome == "refused"
    assert sum(host.hits.values()) == 0  # not even robots.txt


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(host: FixtureHost) -> None:
    inside = FixtureHost("127.0.0.2")
    try:
        inside.routes["/admin"] = Route(body=b"internal")
        host.routes["/go"] = redirect(302, inside.url("/admin"))
        result = fetch_one(host.url("/go"))
        assert result.outcome == "refused"
        assert result.redirects == ((302, inside.url("/admin")),)
        assert sum(inside.hits.values()) == 0
    finally:
        inside.close()


def test_a_trickling_server_times_out(host: FixtureHost) -> None:
    host.routes["/slow"] = trickle(0.05, 400)
    result = fetch_one(host.url("/slow"), total_timeout=0.5, retries=0)
    assert result.outcome == "timeout"


def test_a_60_mb_body_is_cut_at_the_cap(host: FixtureHost) -> None:
    host.routes["/huge"] = huge(60)
    host.routes["/declared"] = huge(60, declare_length=True)
    assert fetch_one(host.url("/huge"), max_bytes=2 * 1024 * 1024).outcome == "too-large"
    declared = fetch_one(host.url("/declared"), max_bytes=2 * 1024 * 1024)
    assert declared.outcome == "too-large"
    assert "declares" in str(declared.error)


def test_hostile_bodies_keep_memory_modest(host: FixtureHost) -> None:
    host.routes["/huge"] = huge(60)
    host.routes["/bomb"] = gzip_bomb(200)
    host.routes["/bad-gzip"] = Route(body=b"this is not gzip", validators=False,
                                     headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        results = [fetch_one(host.url(p), max_bytes=4 * 1024 * 1024)
                   for p in ("/huge", "/bomb", "/bad-gzip")]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.outcome for r in results] == ["too-large", "too-large", "bad-content"]
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a 4 MiB cap"


def test_status_codes(host: FixtureHost) -> None:
    host.routes["/gone"] = Route(status=410, body=b"gone")
    host.routes["/broken"] = Route(status=500, body=b"oops")
    assert fetch_one(host.url("/missing")).status == 404
    assert fetch_one(host.url("/gone")).outcome == "http-error"
    broken = fetch_one(host.url("/broken"), retries=2)
    assert (broken.status, broken.attempts) == (500, 3)
    assert host.hits["/broken"] == 3


def test_429_then_success_over_real_http(host: FixtureHost) -> None:
    answers = iter([Route(status=429, headers={"Retry-After": "0"}, validators=False),
                    Route(body=b"<p>finally</p>")])
    host.routes["/busy"] = lambda request: request.respond(next(answers))
    result = fetch_one(host.url("/busy"))
    assert (result.outcome, result.attempts) == ("fetched", 2)


def test_robots_over_real_http(host: FixtureHost) -> None:
    host.routes["/robots.txt"] = Route(body=b"User-agent: *\nDisallow: /private/\n",
                                       content_type="text/plain")
    host.routes["/private/page"] = Route(body=b"hidden")
    host.routes["/public"] = Route(body=b"<p>open</p>")
    assert fetch_one(host.url("/private/page"), respect_robots=True).outcome == "blocked"
    assert fetch_one(host.url("/public"), respect_robots=True).outcome == "fetched"
    assert host.hits["/private/page"] == 0
    broken = FixtureHost()
    try:
        broken.routes["/robots.txt"] = Route(status=503, validators=False)
        assert fetch_one(broken.url("/page"), respect_robots=True).outcome == "blocked"
        assert broken.hits["/page"] == 0
    finally:
        broken.close()


def test_the_per_host_limit_is_never_exceeded(host: FixtureHost) -> None:
    host.routes["*"] = Route(body=b"<p>slow page</p>", delay=0.05)

    async def go() -> list[FetchResult]:
        async with Fetcher(settings(per_host=2, concurrency=16)) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(host.url(f"/p{i}")) for i in range(30)))
    results = asyncio.run(go())
    assert all(r.outcome == "fetched" for r in results)
    assert 1 <= host.max_in_flight <= 2  # 2 on any machine not starved of CPU


# -- the store, end to end ----------------------------------------------------------

@pytest.fixture
def web(fixture_hosts: Callable[[int], list[FixtureHost]]) -> list[FixtureHost]:
    return fixture_hosts(4)


def populate(web: list[FixtureHost]) -> tuple[list[str], dict[str, str]]:
    """About 300 sources: ordinary pages on every host, and hostile ones on the last."""
    urls: list[str] = []
    for number, h in enumerate(web[:3]):
        for i in range(90):
            body = page("article.html").replace(b"6,821.9", f"{number}.{i}".encode())
            h.routes[f"/story/{i}"] = Route(body=body)
            urls.append(h.url(f"/story/{i}"))
    hostile = web[3]
    hostile.routes.update({
        "/pdf": Route(body=make_pdf(["Fixture PDF page."]), content_type="application/pdf"),
        "/latin1": Route(body=page("latin1-meta.html"), content_type="text/html"),
        "/wrong-charset": Route(body=page("wrong-charset.html")),
        "/malformed": Route(body=page("malformed.html")),
        "/huge": huge(60),
        "/bomb": gzip_bomb(200),
        "/slow": trickle(0.05, 400),
        "/loop-a": redirect(302, hostile.url("/loop-b")),
        "/loop-b": redirect(302, hostile.url("/loop-a")),
        "/moved": redirect(301, hostile.url("/pdf")),
        "/gone": Route(status=410, validators=False),
        "/image": Route(body=b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    })
    expected = {
        "/pdf": "fetched", "/latin1": "fetched", "/wrong-charset": "fetched",
        "/malformed": "fetched", "/huge": "too-large", "/bomb": "too-large",
        "/slow": "timeout", "/loop-a": "redirect-loop", "/moved": "fetched",
        "/gone": "http-error", "/image": "fetched", "/nowhere": "http-error",
    }
    urls += [hostile.url(p) for p in expected]
    return urls, {hostile.url(p): o for p, o in expected.items()}


def test_fetching_hundreds_of_sources_then_a_rerun_of_304s(
        store: Store, web: list[FixtureHost], tmp_path: Path) -> None:
    urls, expected = populate(web)
    fast = settings(per_host=2, concurrency=16, total_timeout=1.0, retries=0,
                    max_bytes=4 * 1024 * 1024)
    report = store.fetch(urls, settings=fast, archive_dir=tmp_path / "warc")
    assert report.sources == len(urls) == 282
    outcomes = {url: outcome for url, outcome, _, _ in report.results}
    assert len(outcomes) == len(urls)
    for url, outcome in expected.items():
        assert outcomes[url] == outcome, url
    assert sum(o == "fetched" for o in outcomes.values()) == 270 + 6
    # Counted on the ordinary hosts: on the hostile one the server goes on writing a
    # body we abandoned (too large, too slow) for a moment after we let go of it.
    assert max(h.max_in_flight for h in web[:3]) <= 2

    sources = {s.url: s for s in store.sources()}
    story = sources[web[0].url("/story/3")]
    assert (story.status, story.http_status, story.title) == (
        "fetched", 200, "Budget plan approved (fixture)")
    assert story.content_sha256 and story.text_sha256 and story.last_checked_at
    assert "0.3 million crowns" in (store.latest_text(story.url, main=True) or "")
    assert sources[web[3].url("/moved")].final_url == web[3].url("/pdf")
    assert "Fixture PDF page." in (store.latest_text(web[3].url("/pdf")) or "")
    assert sources[web[3].url("/huge")].consecutive_failures == 1

    with Session(store.engine) as s:
        blobs = s.scalar(select(func.count()).select_from(TextBlobRow))
        snapshots = s.scalar(select(func.count()).select_from(SnapshotRow))
    assert snapshots == len(urls)

    stories = [u for u in urls if "/story/" in u]
    text_before = store.latest_text(story.url)
    again = store.fetch(stories, settings=fast, archive_dir=tmp_path / "warc")
    rerun = {url: outcome for url, outcome, _, _ in again.results}
    assert all(rerun[u] == "unchanged" for u in stories)
    assert again.bytes_received < report.bytes_received / 20
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(TextBlobRow)) == blobs
    history = store.snapshots(story.url)
    # The 304 saw what the first fetch saw: one row stands for both checks.
    assert [(h.outcome, h.times_seen) for h in history] == [("fetched", 2)]
    assert history[0].last_seen_at is not None
    assert history[0].last_seen_at > history[0].fetched_at
    assert store.latest_text(story.url) == text_before

    records = []
    for warc in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as stream:
            records += [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                         r.rec_headers.get_header("WARC-Payload-Digest"))
                        for r in ArchiveIterator(stream)]
    responses = [r for r in records if r[0] == "response"]
    assert {uri for _, uri, _ in responses} >= set(stories)
    assert all(digest and digest.startswith("sha1:") for _, _, digest in responses)
    assert sum(r[0] == "request" for r in records) == len(responses)
    first = history[0]
    assert first.warc_file is not None and first.warc_offset is not None
    with open(tmp_path / "warc" / first.warc_file, "rb") as stream:
        stream.seek(first.warc_offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Target-URI") == story.url
        assert b"Budget plan approved" in record.content_stream().read()


def test_connection_pools_stay_bounded_across_many_hosts() -> None:
    web = [FixtureHost() for _ in range(5)]
    try:
        for h in web:
            h.routes["/p"] = Route(body=b"<p>fixture</p>")

        async def go() -> tuple[list[FetchResult], int]:
            async with Fetcher(settings(max_clients=2)) as fetcher:
                results = [await fetcher.fetch(h.url("/p")) for h in web * 2]
                return results, len(fetcher._clients)
        results, pools = asyncio.run(go())
        assert all(r.outcome == "fetched" for r in results)
        assert pools == 2
    finally:
        for h in web:
            h.close()


def test_a_request_waiting_its_turn_survives_its_hosts_pool_being_closed(
        fixture_hosts: Callable[[int], list[FixtureHost]]) -> None:
    """A host's second page waits out the host's interval with nothing in flight, so
    its pool is idle, and another host's first page closes it (one pool allowed). The
    waiting page is sent on a live pool, not recorded as a failure."""
    first, other = fixture_hosts(2)
    for h in (first, other):
        h.routes["/p/*"] = Route(body=b"<p>fixture</p>")

    async def go() -> list[FetchResult]:
        async with Fetcher(settings(max_clients=1, min_interval=0.3)) as fetcher:
            async def other_later() -> FetchResult:
                await asyncio.sleep(0.15)  # while the first host's second page waits
                return await fetcher.fetch(other.url("/p/1"))
            return list(await asyncio.gather(fetcher.fetch(first.url("/p/1")),
                                             fetcher.fetch(first.url("/p/2")),
                                             other_later()))
    results = asyncio.run(go())
    assert [r.outcome for r in results] == ["fetched"] * 3, [r.error for r in results]


def test_store_fetch_keeps_the_offline_guard(store: Store, host: FixtureHost) -> None:
    dead = "http://expired-fixture-domain.invalid/story"
    report = store.fetch([dead], settings=settings(), archive_dir=None, readers=0)
    # Nothing ever answered: a dead domain cannot be told from a dead network.
    assert report.offline is not None and "no source has ever answered" in report.offline
    with Session(store.engine) as s:
        assert s.scalar(select(func.count()).select_from(SnapshotRow)) == 0

    host.routes["/page"] = Route(body=b"<html><body><p>fixture</p></body></html>")
    assert store.fetch([host.url("/page")], settings=settings(), archive_dir=None,
                       readers=0).offline is None
    again = store.fetch([dead], settings=settings(), archive_dir=None, readers=0)
    assert again.offline is None  # a host known to be up answers: the domain is dead
    assert [(s.outcome, s.error_class) for s in store.snapshots(dead)] == [
        ("no-such-host", "NameNotFound")]


def test_the_interval_holds_between_requests_as_sent_not_as_queued() -> None:
    """min_interval is kept at the server even when requests that passed the host's gate
    then wait for a global slot (here: one slot, held by a slow second host)."""
    paced, busy = FixtureHost(), FixtureHost()
    paced.routes["*"] = Route(body=b"<p>paced</p>")
    busy.routes["*"] = Route(body=b"<p>busy</p>", delay=0.15)
    try:
        async def go() -> None:
            async with Fetcher(settings(min_interval=0.25, per_host=2, concurrency=1,
                                        retries=0)) as fetcher:
                await asyncio.gather(*(fetcher.fetch(h.url(f"/p{i}"))
                                       for i in range(6) for h in (paced, busy)))
        asyncio.run(go())
        gaps = [b - a for a, b in zip(paced.arrivals, paced.arrivals[1:], strict=False)]
    finally:
        paced.close()
        busy.close()
    assert len(gaps) >= 6  # robots.txt and six pages
    assert min(gaps) >= 0.25 - 0.01, gaps


def test_the_warc_records_what_we_asked_and_the_bytes_the_server_sent(
        host: FixtureHost, tmp_path: Path, store: Store) -> None:
    """On either HTTP machinery: the request record holds the headers the server got,
    the response record the very bytes it sent (gzip left compressed, headers in the
    order sent; names are written in lower case, as they always were)."""
    import gzip

    body = gzip.compress(b"<html><body><p>The fixture council approved the budget.</p>"
                         b"</body></html>", mtime=0)
    received: list[list[tuple[str, str]]] = []

    def handler(request: RequestHandler) -> None:
        received.append(list(request.headers.items()))
        request.send_response(200)
        for name, value in (("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Encoding", "gzip"), ("X-Fixture-Case", "KeptAsSent"),
                            ("Content-Length", str(len(body)))):
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)
    host.routes["/gz"] = handler
    store.fetch([host.url("/gz")], settings=settings(respect_robots=False),
                archive_dir=tmp_path / "warc")
    (sent,) = received
    requests, responses = [], []
    for warc in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream, no_record_parse=False):
                if record.rec_type == "request":
                    requests.append(record.http_headers.headers)
                elif record.rec_type == "response":
                    responses.append((record.http_headers.headers,
                                      record.raw_stream.read()))
    (asked,) = requests
    assert {(n.lower(), v) for n, v in asked} == {(n.lower(), v) for n, v in sent}
    ((headers, payload),) = responses
    assert payload == body  # as sent: still compressed
    assert [n for n, _ in headers] == ["server", "date", "content-type", "content-encoding",
                                       "x-fixture-case", "content-length"]
    assert ("x-fixture-case", "KeptAsSent") in headers
