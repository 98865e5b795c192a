"""Signing in and out of the desk."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from factcheck.desk.web import Refused, desk, form_of, page, signed_in

__all__ = ["login", "logout"]


async def login(request: Request) -> Response:
    next_path = request.query_params.get("next", "/")
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    if request.method == "GET":
        return page(request, "login.html.j2", next=next_path, error=None)
    here = desk(request)
    # The socket's peer: forwarded headers count only from proxies the desk was
    # told to trust (factcheck serve --forwarded-allow-ips); none by default.
    client = request.client.host if request.client else "unknown"
    try:
        form = await form_of(request)
    except Refused as exc:
        return PlainTextResponse(str(exc), exc.status)
    name, password = form.get("name", ""), form.get("password", "")
    if not here.by_client.allow(client) or not here.by_name.allow(name.strip().lower()[:100]):
        return page(request, "login.html.j2", 429, next=next_path,
                    error="Too many attempts: wait a minute and try again.")
    async with here.hashing:
        right = await run_in_threadpool(here.store.check_password, name, password)
    if not right:
        return page(request, "login.html.j2", 401, next=next_path,
                    error="Wrong name or password.")
    request.session.clear()
    request.session.update(token=here.store.add_session(name), csrf=secrets.token_urlsafe(32))
    return RedirectResponse(next_path, 303)


@signed_in
async def logout(request: Request) -> Response:
    desk(request).store.end_session(str(request.session.get("token", "")))
    request.session.clear()
    return RedirectResponse("/login", 303)
