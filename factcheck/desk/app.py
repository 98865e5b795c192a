"""The review desk as an app: its routes, guards and server (see :mod:`factcheck.desk`).

The pages live by concern: :mod:`~factcheck.desk.claims` (the queue and a claim's page),
:mod:`~factcheck.desk.documents` (a document's conclusion, "checked before?"),
:mod:`~factcheck.desk.sign_in`; what they share is :mod:`~factcheck.desk.web`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from factcheck import Store
from factcheck.desk import claims, documents, sign_in
from factcheck.desk.web import CSP, Desk, DeskSettings, Limits, security_headers

__all__ = ["CSP", "DeskSettings", "create_app", "server_config"]

ROUTES = [
    Route("/", claims.queue),
    Route("/login", sign_in.login, methods=["GET", "POST"]),
    Route("/logout", sign_in.logout, methods=["POST"]),
    Route("/claims/{document}/{key}", claims.claim_view),
    Route("/claims/{document}/{key}/verdict", claims.record, methods=["POST"]),
    Route("/claims/{document}/{key}/recheck", claims.fetch_now, methods=["POST"]),
    Route("/claims/{document}/{key}/claim", claims.edit_claim, methods=["POST"]),
    Route("/claims/{document}/{key}/evidence", claims.edit_evidence, methods=["POST"]),
    Route("/claims/{document}/{key}/evidence/new", claims.add_evidence, methods=["POST"]),
    Route("/documents/{document}", documents.document_view),
    Route("/documents/{document}/conclusion", documents.edit_conclusion, methods=["POST"]),
    Route("/match", documents.match, methods=["GET", "POST"]),
    Route("/source-text", claims.source_text),
    Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
]


def create_app(store: Store, settings: DeskSettings | None = None) -> Starlette:
    """The desk over ``store``."""
    settings = settings or DeskSettings()
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(Limits),
            Middleware(BaseHTTPMiddleware, dispatch=security_headers),
            Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="desk",
                       same_site="strict", https_only=settings.https_only,
                       max_age=12 * 3600),
        ])
    app.state.desk = Desk(store, settings)
    return app


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
