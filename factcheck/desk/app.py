"""The review desk's routes (see :mod:`factcheck.desk`)."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from factcheck import Store
from factcheck.errors import EditConflict, FactCheckError, NotFound, VerdictConflict
from factcheck.records import Claim, Stance
from factcheck.text.anchor import figure_flags
from factcheck.text.sentences import split
from factcheck.web.fetcher import FetchSettings

__all__ = ["CSP", "DeskSettings", "create_app", "server_config"]

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


class _Refused(Exception):
    """A request refused before any route sees it: its status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _form(request: Request) -> dict[str, str]:
    """The request's form, within the limits, as strings; a NUL anywhere is refused."""
    from starlette.exceptions import HTTPException

    try:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS,
                                  max_part_size=MAX_BODY)
    except HTTPException as exc:
        raise _Refused(400, f"refused: {exc.detail}") from None
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    if len(fields) != len(form):
        raise _Refused(400, "refused: the desk takes no files")
    if any("\x00" in name or "\x00" in value for name, value in fields.items()):
        raise _Refused(400, "refused: a NUL character in the form")
    return fields


class _Limits:
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


def _sources_line(claim: Claim) -> str:
    """The states of a claim's sources in a few words: "3 sources: 2 unchanged, 1 error"
    (never "error, error, error")."""
    if not claim.evidence:
        return "no sources"
    states = Counter(e.source_state or "unchecked" for e in claim.evidence)
    count = len(claim.evidence)
    return (f"{count} source{'s' if count != 1 else ''}: "
            + ", ".join(f"{n} {state}" for state, n in states.most_common()))


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
    by_client, by_name = _Throttle(SIGN_IN_ATTEMPTS), _Throttle(SIGN_IN_ATTEMPTS)
    hashing = asyncio.Semaphore(HASHING_AT_ONCE)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("user", getattr(request.state, "user", None))
        context.setdefault("csrf", request.session.get("csrf", ""))
        context.setdefault("flash", request.session.pop("flash", None))
        return HTMLResponse(env.get_template(template).render(**context), status_code=status)

    def signed_in(handler: Callable[[Request], Awaitable[Response]]
                  ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapper(request: Request) -> Response:
            # The cookie names a session kept in the database: signed out, or ended
            # by a new password, it opens nothing, whoever kept a copy.
            user = store.session_user(str(request.session.get("token", "")))
            if user is None:
                request.session.clear()
                return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
            request.state.user = user
            try:
                if request.method == "POST":
                    form = await _form(request)
                    token = form.get("csrf", "")
                    if not hmac.compare_digest(token, request.session.get("csrf", "-")):
                        return PlainTextResponse("refused: the form's CSRF token is missing "
                                                 "or wrong; reload the page and try again",
                                                 403)
                return await handler(request)
            except _Refused as exc:
                return PlainTextResponse(str(exc), exc.status)
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
        # The socket's peer: forwarded headers count only from proxies the desk was
        # told to trust (factcheck serve --forwarded-allow-ips); none by default.
        client = request.client.host if request.client else "unknown"
        try:
            form = await _form(request)
        except _Refused as exc:
            return PlainTextResponse(str(exc), exc.status)
        name, password = form.get("name", ""), form.get("password", "")
        if not by_client.allow(client) or not by_name.allow(name.strip().lower()[:100]):
            return page(request, "login.html.j2", 429, next=next_path,
                        error="Too many attempts: wait a minute and try again.")
        async with hashing:
            right = await run_in_threadpool(store.check_password, name, password)
        if not right:
            return page(request, "login.html.j2", 401, next=next_path,
                        error="Wrong name or password.")
        request.session.clear()
        request.session.update(token=store.add_session(name), csrf=secrets.token_urlsafe(32))
        return RedirectResponse(next_path, 303)

    @signed_in
    async def logout(request: Request) -> Response:
        store.end_session(str(request.session.get("token", "")))
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
        conclusions = {d.key: changes for d in store.documents()
                       if (changes := store.conclusion_review(d.key))}
        return page(request, "queue.html.j2", claims=shown, counts=counts, wanted=wanted,
                    options=options, conclusions=conclusions,
                    sources={c.ref: _sources_line(c) for c in shown})

    def _claim_page(request: Request, claim: Claim, status: int = 200,
                    **extra: Any) -> Response:
        history = store.verdict_history(claim.document).get(claim.ref, [])
        before, span, after = _neighbours(store.document_text(claim.document), claim)
        snapshots = {e.url: [s for s in store.snapshots(e.url) if s.content_sha256][-5:]
                     for e in claim.evidence}
        ratings = [r for r in store.scale if r.checkable == claim.checkable]
        extra.setdefault("edits", store.edits(claim.ref))
        extra.setdefault("stances", [s.value for s in Stance])
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
        form = await _form(request)
        rating, rationale = form.get("rating", ""), form.get("rationale", "")
        try:
            seen = datetime.fromisoformat(form["based_on"]) if form.get("based_on") else None
        except ValueError:
            raise _Refused(400, "refused: the form's based_on is not a time") from None
        try:
            # The database decides whether a verdict came in since this form was drawn.
            store.record_verdict(ref, rating, rationale, reviewer=request.state.user,
                                 based_on=seen)
        except VerdictConflict:
            claim = store.claim(ref)
            return page(request, "conflict.html.j2", 409, claim=claim, rating=rating,
                        rationale=rationale,
                        based_on=claim.verdict.created_at.isoformat() if claim.verdict
                        else "",
                        ratings=[r for r in store.scale if r.checkable == claim.checkable])
        except FactCheckError as exc:
            return _claim_page(request, claim, 400, error=str(exc), rating=rating,
                               rationale=rationale)
        request.session["flash"] = f"Verdict recorded: {rating}."
        return RedirectResponse(f"/claims/{quote(claim.document)}/{quote(claim.key)}", 303)

    def _claim_ref(request: Request) -> str:
        return f"{request.path_params['document']}/{request.path_params['key']}"

    def _back(claim: Claim) -> Response:
        return RedirectResponse(f"/claims/{quote(claim.document)}/{quote(claim.key)}", 303)

    async def _edit(request: Request, change: Callable[[dict[str, str], Claim], str]
                    ) -> Response:
        """Apply one edit of the claim from its form; say what was done, or why not."""
        claim = store.claim(_claim_ref(request))
        form = await _form(request)
        try:
            request.session["flash"] = change(form, claim)
        except EditConflict as exc:
            return _claim_page(request, store.claim(claim.ref), 409, error=str(exc))
        except FactCheckError as exc:
            return _claim_page(request, claim, 400, error=str(exc))
        return _back(claim)

    @signed_in
    async def edit_claim(request: Request) -> Response:
        def change(form: dict[str, str], claim: Claim) -> str:
            store.edit_claim(claim.ref, form.get("words", ""), editor=request.state.user,
                             seen=form.get("seen") or None)
            return "The claim's words were changed."
        return await _edit(request, change)

    @signed_in
    async def edit_evidence(request: Request) -> Response:
        def change(form: dict[str, str], claim: Claim) -> str:
            store.edit_evidence(claim.ref, form.get("url", ""),
                                passage=form.get("passage", ""),
                                stance=form.get("stance", ""), editor=request.state.user,
                                seen_passage=form.get("seen_passage", ""),
                                seen_stance=form.get("seen_stance", ""))
            return "The evidence was changed and checked again."
        return await _edit(request, change)

    @signed_in
    async def add_evidence(request: Request) -> Response:
        def change(form: dict[str, str], claim: Claim) -> str:
            store.add_evidence(claim.ref, form.get("url", "").strip(),
                               passage=form.get("passage", ""),
                               stance=form.get("stance", "supports"),
                               editor=request.state.user)
            return "The source was added; the nightly recheck tracks it."
        return await _edit(request, change)

    def _document_page(request: Request, key: str, status: int = 200,
                       **extra: Any) -> Response:
        summary, written = store.document_summary(key)
        extra.setdefault("summary", summary or "")
        return page(request, "document.html.j2", status, document=key, seen=summary or "",
                    written=written, changes=store.conclusion_review(key),
                    edits=store.edits(document=key), **extra)

    @signed_in
    async def document_view(request: Request) -> Response:
        return _document_page(request, request.path_params["document"])

    @signed_in
    async def edit_conclusion(request: Request) -> Response:
        key = request.path_params["document"]
        form = await _form(request)
        try:
            store.edit_conclusion(key, form.get("summary", ""), editor=request.state.user,
                                  seen=form.get("seen") or None)
        except EditConflict as exc:
            return _document_page(request, key, 409, error=str(exc),
                                  summary=form.get("summary", ""))
        except FactCheckError as exc:
            return _document_page(request, key, 400, error=str(exc),
                                  summary=form.get("summary", ""))
        request.session["flash"] = "The conclusion was written again."
        return RedirectResponse(f"/documents/{quote(key)}", 303)

    @signed_in
    async def match(request: Request) -> Response:
        """Have we checked this before? The claims a pasted text repeats."""
        if request.method == "GET":
            return page(request, "match.html.j2", text="", results=None)
        text = (await _form(request)).get("text", "")
        if not text.strip():
            return page(request, "match.html.j2", 400, text=text, results=None,
                        error="Paste some text first.")
        # Embedding and the index load are CPU and database work: off the event loop.
        results = await run_in_threadpool(store.match, text, limit=3,
                                          every_sentence=len(text) < 400)
        return page(request, "match.html.j2", text=text, results=results)

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
            Route("/claims/{document}/{key}/claim", edit_claim, methods=["POST"]),
            Route("/claims/{document}/{key}/evidence", edit_evidence, methods=["POST"]),
            Route("/claims/{document}/{key}/evidence/new", add_evidence, methods=["POST"]),
            Route("/documents/{document}", document_view),
            Route("/documents/{document}/conclusion", edit_conclusion, methods=["POST"]),
            Route("/match", match, methods=["GET", "POST"]),
            Route("/source-text", source_text),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ],
        middleware=[
            Middleware(_Limits),
            Middleware(BaseHTTPMiddleware, dispatch=headers),
            Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="desk",
                       same_site="strict", https_only=settings.https_only,
                       max_age=12 * 3600),
        ])


def server_config(app: Any, host: str, port: int, forwarded_allow_ips: str | None = None
                  ) -> Any:
    """The uvicorn configuration the desk runs with. Forwarded headers
    (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only from the proxies
    named in ``forwarded_allow_ips`` (comma-separated addresses or networks); by default
    from none, so a client cannot pose as many to the sign-in throttle."""
    import uvicorn

    trusted = (forwarded_allow_ips or "").strip()
    return uvicorn.Config(app, host=host, port=port, log_level="warning",
                          proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
                          server_header=False)
