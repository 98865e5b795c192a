"""A small web of fixture hosts on loopback, for the demo, the tests and benchmarks.

Each :class:`FixtureHost` is a threaded HTTP server on 127.0.0.1 with its own port
(a "host" for the per-host limits), serving the routes it is given. It counts
requests per path and the most it ever had in flight at once. Everything it serves
is written by us: fixtures, never real sources.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"


def page(name: str) -> bytes:
    """A fixture page of the test suite (in a checkout)."""
    return (PAGES / name).read_bytes()


@dataclass
class Route:
    """A response: status, headers, body; optional ETag/Last-Modified validation."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    validators: bool = True  # send ETag and Last-Modified, answer 304 when they match


Handler = Callable[["RequestHandler"], None]


class RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits
    # for the client's delayed ACK of the headers (40 ms on Linux), on every request.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = self.server.host
        path = self.path.split("?", 1)[0]
        with host.lock:
            host.hits[path] += 1
            host.arrivals.append(time.monotonic())
            host.in_flight += 1
            host.max_in_flight = max(host.max_in_flight, host.in_flight)
        try:
            route = host.route(path)
            if route is None:
                self.respond(Route(status=404, body=b"<html><body>Not found</body></html>",
                                   validators=False))
            elif isinstance(route, Route):
                self.respond(route)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with host.lock:
                host.in_flight -= 1

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        with self.server.host.lock:
            self.server.host.posts.append((self.path, self.rfile.read(length)))
        self.respond(Route(status=204, content_type=None, validators=False))

    def respond(self, route: Route) -> None:
        if route.delay:
            time.sleep(route.delay)
        digest = hashlib.sha256(route.body).hexdigest()
        etag = f'"{digest[:16]}"'
        # A different body has a different date too, as on a real server.
        modified = formatdate(1_700_000_000 + int(digest[:6], 16), usegmt=True)
        if route.validators and route.status == 200 and (
                self.headers.get("If-None-Match") == etag
                or self.headers.get("If-Modified-Since") == modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.validators and route.status == 200:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        self.wfile.write(route.body)
        with self.server.host.lock:
            self.server.host.bytes_sent += len(route.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    host: FixtureHost


class FixtureHost:
    """One loopback HTTP server with declared routes."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.hits: Counter[str] = Counter()
        #: When each request arrived (time.monotonic), in order.
        self.arrivals: list[float] = []
        self.posts: list[tuple[str, bytes]] = []
        self.bytes_sent = 0  # response bodies, for benchmarks
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.server = _Server((address, 0), RequestHandler)
        self.server.host = self
        self.address = address
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route(self, path: str) -> Route | Handler | None:
        """The route for ``path``: its own, else the longest ``/prefix/*`` that covers
        it, else ``*``, else None (a 404)."""
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("/*") and path.startswith(p[:-1])]
        if prefixes:
            return self.routes[max(prefixes, key=len)]
        return self.routes.get("*")

    def url(self, path: str = "/") -> str:
        return f"http://{self.address}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- hostile handlers ------------------------------------------------------------------

def trickle(seconds_per_byte: float, total: int) -> Handler:
    """A server that sends its body one byte at a time."""
    def handler(request: RequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(total))
        request.end_headers()
        for _ in range(total):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(seconds_per_byte)
    return handler


def huge(megabytes: int, *, declare_length: bool = False) -> Handler:
    """A body of ``megabytes`` MiB, streamed (never held in memory)."""
    chunk = b"<p>" + b"filler " * 146 + b"</p>\n"  # about 1 KiB
    def handler(request: RequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        if declare_length:
            request.send_header("Content-Length", str(megabytes * 1024 * len(chunk)))
        request.send_header("Connection", "close")
        request.end_headers()
        request.close_connection = True
        for _ in range(megabytes * 1024):
            request.wfile.write(chunk)
    return handler


def gzip_bomb(megabytes: int) -> Route:
    """A small gzip body that inflates to ``megabytes`` MiB of zeros."""
    return Route(body=gzip.compress(b"\0" * (megabytes * 1024 * 1024), 9),
                 headers={"Content-Encoding": "gzip"}, validators=False)


def redirect(status: int, location: str) -> Route:
    return Route(status=status, headers={"Location": location}, content_type=None,
                 validators=False)


def make_pdf(pages: list[str], title: bytes | None = None) -> bytes:
    """A small valid PDF with one line of Helvetica text per page, and ``title`` (raw
    PDF string bytes, escapes allowed) in its document information, if given."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b""]
    kids = []
    objects[2] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    for text in pages:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % content_id)
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    info = b""
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title)
        info = b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, info, xref)
    return bytes(out)


class FixtureArchive:
    """A public archive on loopback that speaks the Wayback Machine's Memento endpoints:
    TimeMaps in link format (``/web/timemap/link/URL``), raw captures
    (``/web/TIMESTAMPid_/URL``) and Save Page Now (``/save/URL``). A FIXTURE: it holds
    only the captures a test or the demo gives it."""

    def __init__(self, host: FixtureHost) -> None:
        self.host = host
        self.captures: dict[str, dict[str, bytes]] = {}
        self.saved: list[str] = []
        host.routes["/web/*"] = self._web
        host.routes["/save/*"] = self._save

    @property
    def base(self) -> str:
        return self.host.url("/").rstrip("/")

    def capture(self, url: str, at: datetime, body: bytes) -> None:
        """Hold ``body`` as the capture of ``url`` taken at ``at``."""
        self.captures.setdefault(url, {})[at.astimezone(UTC).strftime("%Y%m%d%H%M%S")] = body

    def _web(self, handler: RequestHandler) -> None:
        rest = handler.path.split("/web/", 1)[1]
        if rest.startswith("timemap/link/"):
            url = rest.removeprefix("timemap/link/")
            held = self.captures.get(url)
            if not held:
                handler.respond(Route(status=404, body=b"no captures", validators=False))
                return
            lines = [f'<{url}>; rel="original",',
                     f'<{self.base}/web/timemap/link/{url}>; rel="self"; '
                     'type="application/link-format",']
            for stamp in sorted(held):
                at = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
                lines.append(f'<{self.base}/web/{stamp}/{url}>; rel="memento"; '
                             f'datetime="{formatdate(at.timestamp(), usegmt=True)}",')
            handler.respond(Route(body="\n".join(lines).rstrip(",").encode(),
                                  content_type="application/link-format", validators=False))
            return
        stamp, _, url = rest.partition("/")
        body = self.captures.get(url, {}).get(stamp.removesuffix("id_"))
        if body is None:
            handler.respond(Route(status=404, body=b"not in the archive", validators=False))
        else:
            handler.respond(Route(body=body, validators=False))

    def _save(self, handler: RequestHandler) -> None:
        self.saved.append(handler.path.split("/save/", 1)[1])
        handler.respond(Route(body=b"saved", validators=False))
