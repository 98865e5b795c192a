"""The desk's document pages (a document's conclusion), and "have we checked this
before?" for a pasted text."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from factcheck.desk.web import desk, form_of, page, signed_in
from factcheck.errors import EditConflict, FactCheckError

__all__ = ["document_view", "edit_conclusion", "match"]


def _document_page(request: Request, key: str, status: int = 200, **extra: Any) -> Response:
    store = desk(request).store
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
    form = await form_of(request)
    try:
        desk(request).store.edit_conclusion(key, form.get("summary", ""),
                                            editor=request.state.user,
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
    text = (await form_of(request)).get("text", "")
    if not text.strip():
        return page(request, "match.html.j2", 400, text=text, results=None,
                    error="Paste some text first.")
    # Embedding and the index load are CPU and database work: off the event loop.
    results = await run_in_threadpool(desk(request).store.match, text, limit=3,
                                      every_sentence=len(text) < 400)
    return page(request, "match.html.j2", text=text, results=results)
