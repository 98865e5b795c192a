"""Fetching sources politely and safely.

One :class:`Fetcher` holds one httpx client, a global limit on requests in flight,
and a gate per host (``host:port``): at most ``per_host`` requests in flight and at
least ``min_interval`` seconds between the starts of two requests (raised by a
robots.txt Crawl-delay, pushed back by a Retry-After). Redirects are followed by
hand, so that every hop passes the address policy and robots.txt and the chain is
recorded. Bodies are read as a stream and cut at ``max_bytes``; compressed bodies
are inflated here, with the same cap, so a decompression bomb stops early.

:meth:`Fetcher.fetch` never raises for anything a server or the network does: the
failure is in :attr:`FetchResult.error`.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import random
import re
import ssl
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from factcheck._version import __version__
from factcheck.errors import (
    BadContent,
    BadRedirect,
    BlockedByRobots,
    ConfigError,
    ConnectionFailed,
    FactCheckError,
    FetchError,
    FetchTimeout,
    NetworkError,
    TLSFailure,
    TooLarge,
    TooManyRedirects,
    Withheld,
)
from factcheck.urls import check_sendable
from factcheck.web.robots import ROBOTS_MAX_BYTES, RobotsRules, rules_from_response, unreadable
from factcheck.web.safety import AddressPolicy, guarded_aiohttp_transport, tls_context

__all__ = ["Exchange", "FetchResult", "FetchSettings", "Fetcher", "describe", "header_value",
           "host_key"]

PROJECT_URL = "https://github.com/factcheck/factcheck"
HTTP_MACHINERY = ("aiohttp", "httpx")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
#: Seconds a robots.txt 5xx ("disallow all") is believed before asking again.
ROBOTS_ERROR_TTL = 600.0
#: Response headers kept with a snapshot; the rest are only in the WARC file.
KEPT_HEADERS = ("content-type", "content-length", "content-encoding", "etag",
                "last-modified", "location", "retry-after", "date", "cache-control",
                "content-language", "link", "x-robots-tag")


@dataclass(frozen=True)
class FetchSettings:
    """How politely, safely and patiently to fetch. Every field has a safe default."""

    #: Requests in flight across all hosts.
    concurrency: int = 64
    #: Requests in flight to one host (``host:port``).
    per_host: int = 2
    #: Seconds between the starts of two requests to one host.
    min_interval: float = 1.0
    #: Longest Crawl-delay (seconds) honoured; a larger one is capped here.
    max_crawl_delay: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    #: Seconds for one attempt, every redirect hop and the whole body included.
    total_timeout: float = 60.0
    #: Attempts after the first, on network errors, 429 and 5xx only.
    retries: int = 2
    #: First backoff in seconds; doubled at each retry, with jitter.
    backoff: float = 2.0
    #: A Retry-After longer than this is not waited for: the fetch is recorded as is.
    max_retry_after: float = 120.0
    max_redirects: int = 10
    #: Connection pools kept open at once (one per host); idle ones beyond are closed.
    max_clients: int = 256
    #: Largest body kept, before and after decompression.
    max_bytes: int = 16 * 1024 * 1024
    respect_robots: bool = True
    #: Seconds a robots.txt verdict is cached (RFC 9309: at most 24 hours).
    robots_ttl: float = 24 * 3600
    #: Refuse private, loopback, link-local and metadata addresses unless allowed.
    addresses: AddressPolicy = field(default_factory=AddressPolicy)
    #: Contact address sent as the ``From`` header (RFC 9110), if given.
    contact: str | None = None
    user_agent: str = f"factcheck/{__version__} (+{PROJECT_URL})"
    #: The product token matched against robots.txt groups.
    robots_agent: str = "factcheck"
    #: The connection machinery under the httpx interface: ``aiohttp`` (the default:
    #: a third of the CPU per page) or ``httpx``'s own (what pytest-httpx mocks).
    #: Default: ``$FACTCHECK_HTTP``, else aiohttp.
    http: str = field(default_factory=lambda: os.environ.get("FACTCHECK_HTTP", "aiohttp"))

    def __post_init__(self) -> None:
        if self.http not in HTTP_MACHINERY:
            raise ConfigError(f"unknown HTTP machinery {self.http!r}; "
                              f"choose {' or '.join(HTTP_MACHINERY)}")

    def headers(self) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate",
                   "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,"
                             "text/plain;q=0.8,*/*;q=0.5"}
        if self.contact:
            headers["From"] = self.contact
        return headers


@dataclass(frozen=True)
class Exchange:
    """One request and its response, as sent and received (for the WARC file)."""

    url: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    raw: bytes
    at: datetime


@dataclass(frozen=True)
class FetchResult:
    """What fetching one URL came to: a response, or a classified error."""

    url: str
    started_at: datetime
    elapsed: float
    final_url: str | None = None
    status: int | None = None
    #: Each redirect followed: (status, location it pointed to).
    redirects: tuple[tuple[int, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    #: The body, decompressed; ``None`` for errors and 304s.
    body: bytes | None = None
    error: FetchError | None = None
    attempts: int = 1
    exchanges: tuple[Exchange, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @property
    def content_sha256(self) -> str | None:
        return None if self.body is None else hashlib.sha256(self.body).hexdigest()

    @property
    def permanently_moved(self) -> bool:
        return any(status in PERMANENT_REDIRECTS for status, _ in self.redirects)

    @property
    def outcome(self) -> str:
        """The word a snapshot records: ``fetched`` (2xx), ``unchanged`` (304),
        ``http-error``, or the error's outcome (``timeout``, ``refused``, ``blocked``...)."""
        if self.error is not None:
            return self.error.outcome
        if self.status == 304:
            return "unchanged"
        if self.status is not None and 200 <= self.status < 300:
            return "fetched"
        return "http-error"


_DIGITS = re.compile(r"[0-9]{1,12}")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]{1,1024}")


def header_value(value: str | None) -> str | None:
    """``value`` if it can be sent back in a header (visible ASCII, at most 1 KB), else
    None: validators from a stranger's server are kept and sent only when valid."""
    if value is None:
        return None
    value = value.strip()
    return value if _HEADER_VALUE.fullmatch(value) else None


def host_key(url: str) -> str:
    """The politeness unit: ``host:port`` of a URL."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if _DIGITS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def inflate(raw: bytes, encoding: str | None, cap: int) -> bytes:
    """Undo a Content-Encoding, never producing more than ``cap`` bytes."""
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    body = raw
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, zlib.decompressobj(16 + zlib.MAX_WBITS), cap)
        elif coding == "deflate":
            try:
                body = _inflate(body, zlib.decompressobj(), cap)
            except BadContent:  # some servers send raw deflate without the zlib header
                body = _inflate(body, zlib.decompressobj(-zlib.MAX_WBITS), cap)
        else:
            raise BadContent(f"unsupported content encoding {coding!r}")
    return body


def _inflate(data: bytes, decoder: zlib._Decompress, cap: int) -> bytes:
    out = bytearray()
    try:
        chunk = decoder.decompress(data, cap + 1)
        while True:
            out += chunk
            if len(out) > cap:
                raise TooLarge(f"the body inflates to more than {cap:,} bytes "
                               "(a decompression bomb?); stopped")
            if not decoder.unconsumed_tail:
                break
            chunk = decoder.decompress(decoder.unconsumed_tail, cap + 1 - len(out))
        out += decoder.flush()
    except zlib.error as exc:
        raise BadContent(f"the compressed body is corrupt: {exc}") from exc
    return bytes(out)


class HostGate:
    """At most ``limit`` requests in flight to one host, their starts ``interval`` apart.

    The interval is kept between the moments requests are really sent, not the moments
    they pass the gate: a request that passed and then waited for a global slot would
    otherwise be sent late, and the next one on time, closer than the interval. So each
    request waits for the previous one to be sent, then for the interval after that.
    Waiting here holds no global slot.
    """

    def __init__(self, limit: int, interval: float, clock: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._lock = asyncio.Lock()
        self._clock = clock
        self._sleep = sleep
        self.interval = interval
        self._not_before = 0.0  # a Retry-After
        self._last_start = -math.inf
        self._previous_sent: asyncio.Event | None = None
        self.in_flight = 0
        #: Set when the run stops: whatever still waits for its turn is never sent.
        self.closed = False

    def defer(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (a Retry-After)."""
        self._not_before = max(self._not_before, self._clock() + seconds)

    def sent(self, turn: asyncio.Event) -> None:
        """The request holding ``turn`` is being sent now: the interval counts from here."""
        if not turn.is_set():
            self._last_start = self._clock()
            turn.set()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[asyncio.Event]:
        """Wait for this host's turn; yields the turn, to pass to :meth:`sent`."""
        async with self._slots:
            async with self._lock:
                if self._previous_sent is not None:
                    await self._previous_sent.wait()
                wait = max(self._last_start + self.interval, self._not_before) - self._clock()
                if wait > 0 and not self.closed:
                    await self._sleep(wait)
                if self.closed:
                    raise Withheld("not sent: the run was stopping")
                turn = self._previous_sent = asyncio.Event()
            self.in_flight += 1
            try:
                yield turn
            finally:
                self.in_flight -= 1
                self.sent(turn)  # never sent (it failed first): the next may go


class Fetcher:
    """Fetch URLs with the politeness and safety of ``settings``.

    Use as an async context manager. ``transport`` replaces the network (tests);
    ``clock`` and ``sleep`` replace time, so that waiting can be tested without waiting.
    """

    def __init__(self, settings: FetchSettings | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = s = settings or FetchSettings()
        self._clock, self._sleep, self._now = clock, sleep, now
        # One transport (one connection pool) per host: httpcore's pool does work in
        # proportion to connections x waiting requests on every request, so small
        # per-host pools stay cheap however many hosts a run touches. Requests go to the
        # transport itself, not through an httpx client: the client would parse every
        # Location header to build a redirect it is not asked to follow, and raise on a
        # stranger's malformed one before the answer could be recorded.
        self._shared = transport
        self._clients: OrderedDict[str, httpx.AsyncBaseTransport] = OrderedDict()
        self._headers = s.headers()
        self._timeouts = httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout,
                                       write=s.read_timeout, pool=None).as_dict()
        self._closing: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(s.concurrency)
        self._gates: dict[str, HostGate] = {}
        self._withholding = False
        self._robots: dict[str, tuple[float, RobotsRules]] = {}  # origin: (expiry, rules)
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for transport in [*self._clients.values(), *([self._shared] if self._shared else [])]:
            await transport.aclose()
        self._clients.clear()
        if self._closing:
            await asyncio.gather(*self._closing)

    def _transport(self, url: str) -> httpx.AsyncBaseTransport:
        if self._shared is not None:
            return self._shared
        key = host_key(url)
        transport = self._clients.get(key)
        if transport is not None:
            self._clients.move_to_end(key)
            return transport
        limits = httpx.Limits(max_connections=self.settings.per_host,
                              max_keepalive_connections=self.settings.per_host)
        guarded: Callable[[AddressPolicy, httpx.Limits, ssl.SSLContext | None],
                          httpx.AsyncBaseTransport]
        if self.settings.http == "aiohttp":
            guarded = guarded_aiohttp_transport
        else:
            from factcheck.web.httpcore_guard import guarded_transport as guarded
        transport = self._clients[key] = guarded(self.settings.addresses, limits,
                                                 tls_context())
        self._evict_idle_clients()
        return transport

    def _evict_idle_clients(self) -> None:
        """Keep at most ``max_clients`` pools: close the least recently used idle ones,
        so that memory stays flat however many hosts a run touches."""
        excess = len(self._clients) - self.settings.max_clients
        for key in list(self._clients):
            if excess <= 0:
                break
            gate = self._gates.get(key)
            if gate is not None and gate.in_flight:
                continue
            task = asyncio.ensure_future(self._clients.pop(key).aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
            excess -= 1

    def withhold_queued(self) -> None:
        """From now on, send nothing that is still waiting for its host's turn (the run
        is stopping); what was sent already goes on."""
        self._withholding = True
        for gate in self._gates.values():
            gate.closed = True

    def gate(self, url: str) -> HostGate:
        key = host_key(url)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = HostGate(self.settings.per_host,
                                               self.settings.min_interval,
                                               self._clock, self._sleep)
            gate.closed = self._withholding
        return gate

    # -- the public call ----------------------------------------------------------

    async def fetch(self, url: str, *, etag: str | None = None,
                    last_modified: str | None = None) -> FetchResult:
        """Fetch ``url`` (conditionally, given the last ETag / Last-Modified)."""
        conditional = {}
        if etag := header_value(etag):
            conditional["If-None-Match"] = etag
        if last_modified := header_value(last_modified):
            conditional["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            attempt += 1
            result = await self._attempt(url, conditional)
            result = replace(result, attempts=attempt)
            delay = self._retry_delay(result, attempt)
            if delay is None:
                return result
            await self._sleep(delay)

    def _retry_delay(self, result: FetchResult, attempt: int) -> float | None:
        s = self.settings
        if attempt > s.retries:
            return None
        retryable = isinstance(result.error, NetworkError) or result.status == 429 or (
            result.status is not None and result.status >= 500 and result.error is None)
        if not retryable:
            return None
        after = retry_after_seconds(result.headers.get("retry-after"), self._now())
        if after is not None:
            if after > s.max_retry_after:
                return None
            self.gate(result.final_url or result.url).defer(after)
            return after
        return float(s.backoff * 2 ** (attempt - 1) * random.uniform(0.75, 1.25))

    async def _attempt(self, url: str, conditional: dict[str, str]) -> FetchResult:
        """One attempt: every redirect hop, within one ``total_timeout`` of network time.

        Whatever happens (a server's answer, a library's exception) becomes the result's
        ``error``: this is the boundary where one source's trouble stops.
        """
        started, t0 = self._now(), self._clock()
        redirects: list[tuple[int, str]] = []
        exchanges: list[Exchange] = []
        current = url
        budget = _Budget(self.settings.total_timeout)

        def done(**fields: object) -> FetchResult:
            return FetchResult(url=url, started_at=started, elapsed=self._clock() - t0,
                               redirects=tuple(redirects), exchanges=tuple(exchanges),
                               **fields)  # type: ignore[arg-type]

        try:
            check_sendable(url)
            for _hop in range(self.settings.max_redirects + 1):
                await self._check_robots(current)
                exchange = await self._exchange(current, conditional, budget=budget)
                exchanges.append(exchange)
                headers = _kept(exchange.headers)
                location = headers.get("location")
                if exchange.status in REDIRECTS and location:
                    target = urljoin(current, location.strip())
                    try:
                        check_sendable(target)
                    except FactCheckError as exc:
                        return done(final_url=current, status=exchange.status, headers=headers,
                                    error=BadRedirect(f"redirect to a URL that cannot be "
                                                      f"fetched: {exc}"))
                    redirects.append((exchange.status, target))
                    if target == url or target in (u for _, u in redirects[:-1]):
                        return done(final_url=target, status=exchange.status, headers=headers,
                                    error=TooManyRedirects(f"redirect loop back to {target}"))
                    current = target
                    continue
                body = None
                if exchange.status != 304:
                    body = inflate(exchange.raw, headers.get("content-encoding"),
                                   self.settings.max_bytes)
                return done(final_url=current, status=exchange.status, headers=headers,
                            body=body)
            return done(final_url=current, error=TooManyRedirects(
                f"more than {self.settings.max_redirects} redirects"))
        except FetchError as exc:
            return done(final_url=current, error=exc)
        except FactCheckError as exc:  # an unsendable URL
            return done(final_url=current, error=FetchError(str(exc)))
        except Exception as exc:  # a library's surprise: this source's, not the run's
            return done(final_url=current, error=FetchError(describe(exc)))

    # -- one request ----------------------------------------------------------------

    async def _exchange(self, url: str, extra_headers: dict[str, str],
                        max_bytes: int | None = None, budget: _Budget | None = None
                        ) -> Exchange:
        cap = self.settings.max_bytes if max_bytes is None else max_bytes
        budget = budget or _Budget(self.settings.total_timeout)
        # The host's gate first, then a global slot: waiting for a busy host must not
        # hold a slot that another host could use. The clock runs only after both: the
        # budget counts network time, shared by every hop of an attempt.
        gate = self.gate(url)
        # The request is made before its turn: the host's slot is held for the exchange
        # itself, not for building it. (Its transport is taken in turn: a host's idle
        # pool may be closed while the request waits.)
        request = httpx.Request("GET", url, headers={**self._headers, **extra_headers},
                                extensions={"timeout": self._timeouts})
        async with gate.slot() as turn, self._slots:
            if gate.closed:  # it waited for a global slot while the run began to stop
                raise Withheld("not sent: the run was stopping")
            if budget.left <= 0:
                raise FetchTimeout(f"no complete answer within {budget.total:g} s")
            t0 = self._clock()
            try:
                async with asyncio.timeout(budget.left):
                    return await self._send(url, request, cap, max_bytes is not None,
                                            lambda: gate.sent(turn))
            except TimeoutError as exc:
                raise FetchTimeout(f"no complete answer within {budget.total:g} s") from exc
            finally:
                budget.spent += self._clock() - t0

    async def _send(self, url: str, request: httpx.Request, cap: int, keep_head: bool,
                    sending: Callable[[], None] = lambda: None) -> Exchange:
        transport = self._transport(url)
        at = self._now()
        sending()  # the host's interval counts from here
        try:
            response = await transport.handle_async_request(request)
            response.request = request
        except httpx.TimeoutException as exc:
            if not _timed_out(exc):
                raise _network_error(exc) from exc
            raise FetchTimeout(f"{type(exc).__name__}: {exc or 'timed out'}") from exc
        except httpx.TransportError as exc:
            raise _network_error(exc) from exc
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap and not keep_head:
                raise TooLarge(f"the server declares {int(declared):,} bytes; "
                               f"the cap is {cap:,}")
            raw = bytearray()
            chunks = _already_read(response) if response.is_stream_consumed else \
                response.aiter_raw()
            try:
                async for chunk in chunks:
                    raw += chunk
                    if len(raw) > cap:
                        if keep_head:  # robots.txt: parse the head, read no more
                            break
                        raise TooLarge(f"the body exceeds the cap of {cap:,} bytes; "
                                       "stopped reading")
            except httpx.TimeoutException as exc:
                if not _timed_out(exc):
                    raise _network_error(exc) from exc
                raise FetchTimeout(f"read timed out after {len(raw):,} bytes") from exc
            except httpx.TransportError as exc:
                raise _network_error(exc) from exc
        finally:
            await response.aclose()
        return Exchange(
            url=url, request_headers=tuple(request.headers.items()),
            status=response.status_code, reason=response.reason_phrase or "",
            http_version=response.http_version, headers=tuple(response.headers.items()),
            raw=bytes(raw), at=at)

    # -- robots.txt -------------------------------------------------------------------

    async def _check_robots(self, url: str) -> None:
        if not self.settings.respect_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached is None or self._clock() >= cached[0]:
                rules = await self._read_robots(origin)
                if isinstance(rules, FetchError):
                    # Not cached: the next attempt (or the next source) asks again.
                    raise type(rules)(str(rules))
                # A 5xx verdict ("disallow all") is kept briefly; real rules for the TTL.
                ttl = self.settings.robots_ttl if rules.disallow_all_because is None \
                    else min(self.settings.robots_ttl, ROBOTS_ERROR_TTL)
                cached = (self._clock() + ttl, rules)
                self._robots[origin] = cached
        rules = cached[1]
        if rules.disallow_all_because:
            raise BlockedByRobots(rules.disallow_all_because)
        if not rules.allows(url):
            raise BlockedByRobots(f"robots.txt disallows {parts.path or '/'} "
                                  f"for {self.settings.robots_agent}")

    async def _read_robots(self, origin: str) -> RobotsRules | FetchError:
        url = f"{origin}/robots.txt"
        agent = self.settings.robots_agent
        try:
            for _hop in range(5):  # RFC 9309: follow at least five redirects
                exchange = await self._exchange(url, {}, max_bytes=ROBOTS_MAX_BYTES)
                location = dict(_kept(exchange.headers)).get("location")
                if exchange.status in REDIRECTS and location:
                    url = urljoin(url, location.strip())
                    try:
                        check_sendable(url)
                    except FactCheckError:
                        break  # RFC 9309: a redirect that cannot be followed is "unavailable"
                    continue
                body = exchange.raw
                encoding = dict(_kept(exchange.headers)).get("content-encoding")
                rules = None
                if encoding:
                    try:
                        body = inflate(body, encoding, ROBOTS_MAX_BYTES * 4)
                    except FetchError as exc:
                        rules = unreadable(agent, str(exc))
                rules = rules or rules_from_response(agent, exchange.status, body)
                delay = rules.crawl_delay()
                if delay is not None:
                    gate = self.gate(origin)
                    gate.interval = max(gate.interval, min(delay, self.settings.max_crawl_delay))
                return rules
            return RobotsRules(agent)  # too many redirects: RFC 9309 says "unavailable"
        except FetchError as exc:  # network failure, refused address: the page says so too
            return exc
        except Exception as exc:  # a library's surprise is this origin's, not the run's
            return FetchError(describe(exc))


@dataclass
class _Budget:
    """Seconds of network time one attempt may spend, over all its hops."""

    total: float
    spent: float = 0.0

    @property
    def left(self) -> float:
        return self.total - self.spent


def describe(exc: BaseException) -> str:
    """``Class: message`` of an unexpected exception, one line, not too long."""
    message = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


async def _already_read(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body of a response that a transport (a test's, say) handed over already read."""
    yield response.content


def _kept(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, raw_value in headers:
        lowered = name.lower()
        value = raw_value.replace("\x00", "")  # a database text column refuses NUL
        if lowered in KEPT_HEADERS:
            kept[lowered] = f"{kept[lowered]}, {value}" if lowered in kept else value
    return kept


def _timed_out(exc: httpx.TimeoutException) -> bool:
    """Is this a timeout? httpx-aiohttp maps every aiohttp connection error, a server
    that hung up included, to ``ConnectTimeout``; its cause says what it was."""
    import aiohttp

    cause = exc.__cause__
    return not isinstance(cause, aiohttp.ClientConnectionError) or isinstance(
        cause, aiohttp.ServerTimeoutError)


def _network_error(exc: httpx.TransportError) -> FetchError:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, FetchError):
            return cause
        if "SSL" in type(cause).__name__ or "CERTIFICATE" in str(cause).upper():
            return TLSFailure(str(cause) or type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    return ConnectionFailed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
