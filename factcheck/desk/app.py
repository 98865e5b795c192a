"""The review desk's routes (see :mod:`factcheck.desk`)."""

from __future__ import annotations

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
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from factcheck.errors import FactCheckError, NotFound
from factcheck.records import Claim
from factcheck.store import Store
from factcheck.text.anchor import figure_flags
from factcheck.text.sentences import split
from factcheck.web.fetcher import FetchSettings

__all__ = ["CSP", "DeskSettings", "create_app"]

#: Nothing but our own stylesheet, and forms posted to ourselves.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
#: Sign-in attempts allowed per client address per minute.
SIGN_IN_ATTEMPTS = 5


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


class _Throttle:
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


def _neighbours(text: str, claim: Claim) -> tuple[str, str, str]:
    """The sentence before the claim, the claim's own span, and the sentence after."""
    pieces = [(s, e) for s, e, _ in split(text)]
    before = " ".join(text[s:e] for s, e in pieces if e <= claim.start)[-400:]
    after = " ".join(text[s:e] for s, e in pieces if s >= claim.end)[:400]
    return before, claim.quote, after


def create_app(store: Store, settings: DeskSettings | None = None) -> Starlette:
    """The desk over ``store``."""
    settings = settings or DeskSettings()
    env = _environment()
    throttle = _Throttle(SIGN_IN_ATTEMPTS)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("user", request.session.get("user"))
        context.setdefault("csrf", request.session.get("csrf", ""))
        context.setdefault("flash", request.session.pop("flash", None))
        return HTMLResponse(env.get_template(template).render(**context), status_code=status)

    def signed_in(handler: Callable[[Request], Awaitable[Response]]
                  ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapper(request: Request) -> Response:
            if not request.session.get("user"):
                return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
            if request.method == "POST":
                form = await request.form()
                token = str(form.get("csrf", ""))
                if not hmac.compare_digest(token, request.session.get("csrf", "-")):
                    return PlainTextResponse("refused: the form's CSRF token is missing or "
                                             "wrong; reload the page and try again", 403)
            try:
                return await handler(request)
            except NotFound as exc:
                return page(request, "message.html.j2", 404, title="Not found",
                            message=str(exc))
            except FactCheckError as exc:  # a malformed URL or key in the address
                return page(request, "message.html.j2", 400, title="Cannot show that",
                            message=str(exc))
        return wrapper

    async def login(request: Request) -> Response:
        next_path = request.query_params.get("next", "/")
        if not next_path.startswith("/") or next_path.startswith("//"):
            next_path = "/"
        if request.method == "GET":
            return page(request, "login.html.j2", next=next_path, error=None)
        client = request.client.host if request.client else "unknown"
        if not throttle.allow(client):
            return page(request, "login.html.j2", 429, next=next_path,
                        error="Too many attempts: wait a minute and try again.")
        form = await request.form()
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        if not store.check_password(name, password):
            return page(request, "login.html.j2", 401, next=next_path,
                        error="Wrong name or password.")
        request.session.clear()
        request.session.update(user=name, csrf=secrets.token_urlsafe(32))
        return RedirectResponse(next_path, 303)

    @signed_in
    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", 303)

    @signed_in
    async def queue(request: Request) -> Response:
        claims = store.claims()
        wanted = {k: request.query_params.get(k, "") for k in ("document", "rating", "state")}
        shown = [c for c in claims
                 if (not wanted["document"] or c.document == wanted["document"])
                 and (not wanted["rating"] or (c.verdict and c.verdict.rating
                                               == wanted["rating"]))
                 and (not wanted["state"] or any(e.source_state == wanted["state"]
                                                 for e in c.evidence))]
        shown.sort(key=lambda c: (not c.needs_review, c.document, c.start))
        counts = {"claims": len(claims), "needs review": sum(c.needs_review for c in claims),
                  "checkable": sum(c.checkable for c in claims),
                  "rated": sum(1 for c in claims if c.checkable and c.verdict)}
        options = {"document": sorted({c.document for c in claims}),
                   "rating": [r.slug for r in store.scale],
                   "state": sorted({e.source_state for c in claims for e in c.evidence
                                    if e.source_state})}
        return page(request, "queue.html.j2", claims=shown, counts=counts, wanted=wanted,
                    options=options)

    def _claim_page(request: Request, claim: Claim, status: int = 200,
                    **extra: Any) -> Response:
        history = store.verdict_history(claim.document).get(claim.ref, [])
        before, span, after = _neighbours(store.document_text(claim.document), claim)
        snapshots = {e.url: [s for s in store.snapshots(e.url) if s.content_sha256][-5:]
                     for e in claim.evidence}
        ratings = [r for r in store.scale if r.checkable == claim.checkable]
        return page(request, "claim.html.j2", status, claim=claim, history=history,
                    before=before, span=span, after=after, snapshots=snapshots,
                    ratings=ratings, figure_flags=figure_flags,
                    based_on=claim.verdict.created_at.isoformat() if claim.verdict else "",
                    **extra)

    @signed_in
    async def claim_view(request: Request) -> Response:
        ref = f"{request.path_params['document']}/{request.path_params['key']}"
        return _claim_page(request, store.claim(ref))

    @signed_in
    async def record(request: Request) -> Response:
        ref = f"{request.path_params['document']}/{request.path_params['key']}"
        claim = store.claim(ref)
        form = await request.form()
        rating, rationale = str(form.get("rating", "")), str(form.get("rationale", ""))
        based_on = str(form.get("based_on", ""))
        current = claim.verdict.created_at.isoformat() if claim.verdict else ""
        if based_on != current:  # someone recorded a verdict since this form was drawn
            return page(request, "conflict.html.j2", 409, claim=claim, rating=rating,
                        rationale=rationale, based_on=current,
                        ratings=[r for r in store.scale if r.checkable == claim.checkable])
        try:
            store.record_verdict(ref, rating, rationale,
                                 reviewer=request.session.get("user"))
        except FactCheckError as exc:
            return _claim_page(request, claim, 400, error=str(exc), rating=rating,
                               rationale=rationale)
        request.session["flash"] = f"Verdict recorded: {rating}."
        return RedirectResponse(f"/claims/{quote(claim.document)}/{quote(claim.key)}", 303)

    @signed_in
    async def recheck(request: Request) -> Response:
        ref = f"{request.path_params['document']}/{request.path_params['key']}"
        claim = store.claim(ref)
        report = await store.fetch_async([e.url for e in claim.evidence],
                                         settings=settings.fetch,
                                         archive_dir=settings.archive_dir, readers=0)
        outcomes = ", ".join(f"{n} {o}" for o, n in sorted(report.outcomes.items()))
        request.session["flash"] = f"Rechecked {report.sources} source(s) now: " + (
            outcomes or "nothing fetched") + (f" ({report.offline})" if report.offline else "")
        return RedirectResponse(f"/claims/{quote(claim.document)}/{quote(claim.key)}", 303)

    @signed_in
    async def source_text(request: Request) -> Response:
        url, sha = request.query_params.get("url", ""), request.query_params.get("sha")
        snapshot, text = store.snapshot_text(url, sha=sha or None)
        head = (f"{snapshot.url}\nfetched {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC, HTTP "
                f"{snapshot.http_status}, content SHA-256 {snapshot.content_sha256}\n"
                "(our stored text of this snapshot, not the live page)\n\n")
        return PlainTextResponse(head + (text or "(no text)"))

    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]
                      ) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    from starlette.middleware.base import BaseHTTPMiddleware
    static = Path(__file__).parent / "static"
    return Starlette(
        routes=[
            Route("/", queue),
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/claims/{document}/{key}", claim_view),
            Route("/claims/{document}/{key}/verdict", record, methods=["POST"]),
            Route("/claims/{document}/{key}/recheck", recheck, methods=["POST"]),
            Route("/source-text", source_text),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        middleware=[
            Middleware(BaseHTTPMiddleware, dispatch=headers),
            Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="desk",
                       same_site="strict", https_only=settings.https_only,
                       max_age=12 * 3600),
        ])
