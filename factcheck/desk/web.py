"""What every desk page shares: the desk's state, pages from templates, signing in,
forms within limits, and the guards in front of every request."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from factcheck import FetchSettings, Store
from factcheck.errors import FactCheckError, NotFound

__all__ = ["CSP", "Desk", "DeskSettings", "Handler", "Limits", "Refused", "Throttle", "desk",
           "form_of", "page", "security_headers", "signed_in"]

#: Nothing but our own stylesheet, and forms posted to ourselves.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
#: Sign-in attempts allowed per client address, and per name, per minute.
SIGN_IN_ATTEMPTS = 5
#: The largest request body any route takes (a verdict's rationale fits many times).
MAX_BODY = 64 * 1024
#: The most fields a form may have (the largest form has five).
MAX_FIELDS = 20
#: Password checks running at once: argon2 is made to be slow, and runs off the event
#: loop; a crowd of guessers waits here, never in front of other pages.
HASHING_AT_ONCE = 2

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class DeskSettings:
    """How the desk fetches when a reviewer asks for a recheck, and its cookie secret."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    archive_dir: Path | None = Path("archive")
    #: Signs the session cookies; random per start unless given (sessions then end
    #: when the server restarts).
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    #: Send the cookie over HTTPS only (behind a TLS proxy).
    https_only: bool = False


class Throttle:
    """At most ``limit`` events per key in the last ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        seen = self.events[key]
        while seen and seen[0] < now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("factcheck.desk", "templates"),
                      autoescape=select_autoescape(["html.j2"]))
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.filters["httpurl"] = lambda url: url if urlsplit(str(url)).scheme in (
        "http", "https") else "#"
    return env


class Desk:
    """One desk's state: its store, settings, templates and sign-in throttles (kept on
    the app as ``app.state.desk``)."""

    def __init__(self, store: Store, settings: DeskSettings) -> None:
        self.store, self.settings = store, settings
        self.templates = _environment()
        self.by_client, self.by_name = Throttle(SIGN_IN_ATTEMPTS), Throttle(SIGN_IN_ATTEMPTS)
        self.hashing = asyncio.Semaphore(HASHING_AT_ONCE)


def desk(request: Request) -> Desk:
    """The desk serving ``request``."""
    found: Desk = request.app.state.desk
    return found


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page from ``template``, with who is signed in, the CSRF token and the flash."""
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("csrf", request.session.get("csrf", ""))
    context.setdefault("flash", request.session.pop("flash", None))
    return HTMLResponse(desk(request).templates.get_template(template).render(**context),
                        status_code=status)


class Refused(Exception):
    """A request refused before any route sees it: its status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def form_of(request: Request) -> dict[str, str]:
    """The request's form, within the limits, as strings; a NUL anywhere is refused."""
    from starlette.exceptions import HTTPException

    try:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS,
                                  max_part_size=MAX_BODY)
    except HTTPException as exc:
        raise Refused(400, f"refused: {exc.detail}") from None
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    if len(fields) != len(form):
        raise Refused(400, "refused: the desk takes no files")
    if any("\x00" in name or "\x00" in value for name, value in fields.items()):
        raise Refused(400, "refused: a NUL character in the form")
    return fields


def signed_in(handler: Handler) -> Handler:
    """Only for a reviewer signed in; a form posted needs the session's CSRF token.
    Errors the library raises become a page saying what could not be shown."""
    async def wrapper(request: Request) -> Response:
        # The cookie names a session kept in the database: signed out, or ended
        # by a new password, it opens nothing, whoever kept a copy.
        user = desk(request).store.session_user(str(request.session.get("token", "")))
        if user is None:
            request.session.clear()
            return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
        request.state.user = user
        try:
            if request.method == "POST":
                form = await form_of(request)
                token = form.get("csrf", "")
                if not hmac.compare_digest(token, request.session.get("csrf", "-")):
                    return PlainTextResponse("refused: the form's CSRF token is missing "
                                             "or wrong; reload the page and try again", 403)
            return await handler(request)
        except Refused as exc:
            return PlainTextResponse(str(exc), exc.status)
        except NotFound as exc:
            return page(request, "message.html.j2", 404, title="Not found", message=str(exc))
        except FactCheckError as exc:  # a malformed URL or key in the address
            return page(request, "message.html.j2", 400, title="Cannot show that",
                        message=str(exc))
    return wrapper


class Limits:
    """Pure ASGI, before everything: a body over ``MAX_BODY`` (or of unknown length) is
    refused before it is read, and so is a NUL in the path or the query."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                status, message = refusal
                await PlainTextResponse(message, status)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _refusal(scope: Any) -> tuple[int, str] | None:
        raw = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
        for part in (raw, scope.get("query_string", b"")):
            if b"\x00" in part or b"%00" in part.lower():
                return 400, "refused: a NUL character in the address"
        if scope["method"] in ("POST", "PUT", "PATCH"):
            length = dict(scope["headers"]).get(b"content-length")
            if length is None or not length.isdigit():
                return 411, "refused: a body needs its Content-Length"
            if int(length) > MAX_BODY:
                return 413, f"refused: a body over {MAX_BODY // 1024} KB"
        return None


async def security_headers(request: Request, call_next: Handler) -> Response:
    """Every answer: the CSP, no sniffing, no referrer, no framing, no caching."""
    response = await call_next(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
