"""The desk's claim pages: the queue, a claim with its evidence, its verdict and edits,
fetching its sources now, and the stored text of a snapshot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from factcheck.desk.web import Refused, desk, form_of, page, signed_in
from factcheck.errors import EditConflict, FactCheckError, VerdictConflict
from factcheck.records import Claim, Stance
from factcheck.text.sentences import split

__all__ = ["add_evidence", "claim_view", "edit_claim", "edit_evidence", "fetch_now", "queue",
           "record", "source_text"]


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


def _ref(request: Request) -> str:
    return f"{request.path_params['document']}/{request.path_params['key']}"


def _back(claim: Claim) -> Response:
    return RedirectResponse(f"/claims/{quote(claim.document)}/{quote(claim.key)}", 303)


def _based_on(claim: Claim) -> str:
    return claim.verdict.created_at.isoformat() if claim.verdict else ""


@signed_in
async def queue(request: Request) -> Response:
    store = desk(request).store
    claims = store.claims()
    wanted = {k: request.query_params.get(k, "") for k in ("document", "rating", "state")}
    shown = [c for c in claims
             if (not wanted["document"] or c.document == wanted["document"])
             and (not wanted["rating"] or (c.verdict and c.verdict.rating == wanted["rating"]))
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


def _claim_page(request: Request, claim: Claim, status: int = 200, **extra: Any) -> Response:
    store = desk(request).store
    history = store.verdict_history(claim.document).get(claim.ref, [])
    before, span, after = _neighbours(store.document_text(claim.document), claim)
    snapshots = {e.url: [s for s in store.snapshots(e.url) if s.content_sha256][-5:]
                 for e in claim.evidence}
    ratings = [r for r in store.scale if r.checkable == claim.checkable]
    extra.setdefault("edits", store.edits(claim.ref))
    extra.setdefault("stances", [s.value for s in Stance])
    return page(request, "claim.html.j2", status, claim=claim, history=history,
                before=before, span=span, after=after, snapshots=snapshots,
                ratings=ratings, based_on=_based_on(claim),
                **extra)


@signed_in
async def claim_view(request: Request) -> Response:
    return _claim_page(request, desk(request).store.claim(_ref(request)))


@signed_in
async def record(request: Request) -> Response:
    """A new verdict, unless another was recorded since the form was drawn."""
    store = desk(request).store
    ref = _ref(request)
    claim = store.claim(ref)
    form = await form_of(request)
    rating, rationale = form.get("rating", ""), form.get("rationale", "")
    try:
        seen = datetime.fromisoformat(form["based_on"]) if form.get("based_on") else None
    except ValueError:
        raise Refused(400, "refused: the form's based_on is not a time") from None
    try:
        # The database decides whether a verdict came in since this form was drawn.
        store.record_verdict(ref, rating, rationale, reviewer=request.state.user,
                             based_on=seen)
    except VerdictConflict:
        claim = store.claim(ref)
        return page(request, "conflict.html.j2", 409, claim=claim, rating=rating,
                    rationale=rationale, based_on=_based_on(claim),
                    ratings=[r for r in store.scale if r.checkable == claim.checkable])
    except FactCheckError as exc:
        return _claim_page(request, claim, 400, error=str(exc), rating=rating,
                           rationale=rationale)
    request.session["flash"] = f"Verdict recorded: {rating}."
    return _back(claim)


async def _edit(request: Request, change: Callable[[dict[str, str], Claim], str]) -> Response:
    """Apply one edit of the claim from its form; say what was done, or why not."""
    store = desk(request).store
    claim = store.claim(_ref(request))
    form = await form_of(request)
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
        desk(request).store.edit_claim(claim.ref, form.get("words", ""),
                                       editor=request.state.user,
                                       seen=form.get("seen") or None)
        return "The claim's words were changed."
    return await _edit(request, change)


@signed_in
async def edit_evidence(request: Request) -> Response:
    def change(form: dict[str, str], claim: Claim) -> str:
        desk(request).store.edit_evidence(
            claim.ref, form.get("url", ""), passage=form.get("passage", ""),
            stance=form.get("stance", ""), editor=request.state.user,
            seen_passage=form.get("seen_passage", ""), seen_stance=form.get("seen_stance", ""))
        return "The evidence was changed and checked again."
    return await _edit(request, change)


@signed_in
async def add_evidence(request: Request) -> Response:
    def change(form: dict[str, str], claim: Claim) -> str:
        desk(request).store.add_evidence(claim.ref, form.get("url", "").strip(),
                                         passage=form.get("passage", ""),
                                         stance=form.get("stance", "supports"),
                                         editor=request.state.user)
        return "The source was added; the nightly recheck tracks it."
    return await _edit(request, change)


@signed_in
async def fetch_now(request: Request) -> Response:
    """The claim's sources fetched now (the page's "Recheck now" button): fetched and
    recorded as a recheck records them, outside any run."""
    here = desk(request)
    claim = here.store.claim(_ref(request))
    report = await here.store.fetch_async([e.url for e in claim.evidence],
                                          settings=here.settings.fetch,
                                          archive_dir=here.settings.archive_dir, readers=0)
    outcomes = ", ".join(f"{n} {o}" for o, n in sorted(report.outcomes.items()))
    request.session["flash"] = f"Rechecked {report.sources} source(s) now: " + (
        outcomes or "nothing fetched") + (f" ({report.offline})" if report.offline else "")
    return _back(claim)


@signed_in
async def source_text(request: Request) -> Response:
    url, sha = request.query_params.get("url", ""), request.query_params.get("sha")
    snapshot, text = desk(request).store.snapshot_text(url, sha=sha or None)
    head = (f"{snapshot.url}\nfetched {snapshot.fetched_at:%Y-%m-%d %H:%M} UTC, HTTP "
            f"{snapshot.http_status}, content SHA-256 {snapshot.content_sha256}\n"
            "(our stored text of this snapshot, not the live page)\n\n")
    return PlainTextResponse(head + (text or "(no text)"))
