"""Does a page read like the site's answer for a page that does not exist? Pure functions.

A site that answers a missing path with a 200 (a *soft 404*) is told by asking it for a
path that cannot exist (the probe) and comparing its answer with the cited page. Both
share the site's template (menus, footers, promo boxes), and on a heavy template that
is nearly all of either page, so a whole-page similarity says "the same" of every page
of the site. What tells them apart is the page's **own text**: its lines of main text
that the probe's answer does not show (a line counts as shown when the answer has the
same line, or one within a few characters of it: a clock, a counter, the path echoed
back). An article has sentences of its own; a "not found" page has none.

:func:`similarity` is 1.0 for a page with no text of its own, falling to 0.0 at
``OWN_TEXT`` characters of its own; the recheck calls a page a soft 404 at 0.9 or more,
and never when a cited passage is found on it.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz, process

__all__ = ["OWN_TEXT", "SOFT_404", "similarity"]

#: How much a page must read like the site's answer for a missing page to be one.
SOFT_404 = 0.9
#: Characters of text of its own that make a page more than a "not found" answer.
OWN_TEXT = 200
#: How alike two lines must be (0-100) to count as the same line of the template.
SAME_LINE = 85


def _path_words(url: str | None) -> list[str]:
    """The parts of a URL's path a page may echo back ("/news/some-slug")."""
    if not url:
        return []
    path = unquote(urlsplit(url).path)
    parts = [p for p in path.split("/") if len(p) >= 3]
    return sorted({path, *parts}, key=len, reverse=True)


def _lines(text: str, url: str | None) -> list[str]:
    for word in _path_words(url):
        text = text.replace(word, " ")
    return [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]


def similarity(page: str, missing: str, *, page_url: str | None = None,
               probe_url: str | None = None) -> float:
    """How much ``page`` (a main text) reads like ``missing`` (the site's answer for a
    path that does not exist): 1.0 when every line of the page is a line of that answer,
    0.0 when the page has ``OWN_TEXT`` characters of its own or more."""
    own_lines = _lines(page, page_url)
    theirs = _lines(missing, probe_url)
    shown = set(theirs)
    unshown = [line for line in own_lines if line not in shown]
    if sum(map(len, unshown)) >= 10 * OWN_TEXT:  # an article: no need to look closer
        return 0.0
    own = 0
    for line in unshown:
        if not theirs or process.extractOne(line, theirs, scorer=fuzz.ratio,
                                            score_cutoff=SAME_LINE) is None:
            own += len(line)
            if own >= OWN_TEXT:
                return 0.0
    return round(1.0 - own / OWN_TEXT, 3)
