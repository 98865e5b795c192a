"""A FIXTURE corpus for the benchmarks: pages in the size and shape of real news and
government pages, written by us (generated deterministically), never fetched.

A news page carries what a real one does around its article: a mega-menu, a cookie
banner, inline CSS, analytics and ad scripts, JSON-LD, a framework's inline JSON state
(often the largest part of a modern page), HTML comments, related links and a footer.
A government page is table-heavy: statistics tables, breadcrumbs, a side menu. PDFs
are multi-page reports. Sizes are what the bench asks for (50-500 KB of HTML).
"""

from __future__ import annotations

import json
import random

from factcheck.fixtureweb import make_pdf

__all__ = ["government_page", "news_page", "pdf_report"]

_WORDS = ("council budget ministry defense spending fiscal percent trillion agreement "
          "alliance minister summit security strategy report survey figures growth "
          "record level year quarter regional government official statement rose fell "
          "increase decrease approved announced policy measure program investment trade "
          "economic analysis data published office national local public committee").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 28))]
    if rng.random() < 0.5:
        words.insert(rng.randint(0, len(words)), f"{rng.randint(1, 999)}.{rng.randint(0, 9)}")
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _links(rng: random.Random, n: int, prefix: str) -> str:
    return "".join(f'<li class="nav-item"><a href="/{prefix}/{i}" data-track="nav-{i}">'
                   f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)}</a></li>"
                   for i in range(n))


def _script(rng: random.Random, size: int) -> str:
    parts = []
    while sum(map(len, parts)) < size:
        name = "".join(rng.choice("abcdefghijklmnop") for _ in range(6))
        parts.append(f"function {name}(a,b){{var c=a+b*{rng.randint(1, 99)};"
                     f"return c>{rng.randint(1, 999)}?window.{name}_x(c):null}}")
    return "".join(parts)


def _state(rng: random.Random, size: int) -> str:
    """A framework's inline state: the page's data again, as JSON."""
    items = []
    while len(json.dumps(items)) < size:
        items.append({"id": rng.randint(1, 10**9), "headline": _sentence(rng),
                      "summary": _sentence(rng), "tags": rng.sample(_WORDS, 4),
                      "url": f"/news/{rng.randint(1, 10**6)}"})
    return json.dumps({"props": {"pageProps": {"related": items}}, "buildId": "fixture"})


def news_page(size: int, seed: int = 0) -> bytes:
    """A news article page of about ``size`` bytes (a FIXTURE)."""
    rng = random.Random(seed)
    article_share = 0.3  # the article is about a third of a real page's bytes
    paragraphs = []
    while sum(map(len, paragraphs)) < size * article_share:
        paragraphs.append(f"<p>{_paragraph(rng)}</p>")
    css = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 4099 % 16**6:06x}}}"
                  for i in range(int(size * 0.04 / 45)))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": _sentence(rng), "datePublished": "2023-01-13T09:00:00Z",
                     "author": {"@type": "Person", "name": "Fixture Reporter"},
                     "publisher": {"@type": "Organization", "name": "Fixture Times"}})
    head = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_sentence(rng)[:80]} | Fixture Times</title>"
            + "".join(f"<meta property='og:x{i}' content='{rng.choice(_WORDS)}'>"
                      for i in range(30))
            + "<meta property='og:site_name' content='Fixture Times'>"
            f"<meta property='article:published_time' content='2023-01-13T09:00:00Z'>"
            f"<style>{css}</style><script type='application/ld+json'>{ld}</script>"
            f"<script>{_script(rng, int(size * 0.08))}</script></head>")
    body = ("<body><div id='cookie-banner'><p>We use cookies to improve your experience. "
            "<button>Accept</button></p></div>"
            f"<header><nav class='mega-menu'><ul>{_links(rng, 150, 'section')}</ul></nav>"
            "<div class='ticker'>Breaking: " + _sentence(rng) + "</div></header>"
            "<main><article><h1>" + _sentence(rng) + "</h1>"
            "<p class='byline'>By Fixture Reporter · 13 January 2023</p>"
            "<figure><img src='/img/lead.jpg' alt=''><figcaption>" + _sentence(rng)
            + "</figcaption></figure>")
    for i, p in enumerate(paragraphs):
        body += p
        if i % 6 == 5:
            body += (f"<div class='ad-slot' id='ad-{i}'><script>{_script(rng, 600)}</script>"
                     f"</div><!-- ad slot {i}: {_sentence(rng)} -->")
        if i % 9 == 8:
            body += f"<aside class='read-more'><a href='/r/{i}'>{_sentence(rng)}</a></aside>"
    body += (f"</article><section class='related'><ul>{_links(rng, 30, 'news')}</ul></section>"
             "</main><footer><ul>" + _links(rng, 100, "footer") + "</ul>"
             "<p>© Fixture Times. A page written for the factcheck benchmarks.</p></footer>")
    state = _state(rng, max(0, size - len(head) - len(body) - 200))
    return (head + body + f"<script id='__NEXT_DATA__' type='application/json'>{state}"
            "</script></body></html>").encode()


def government_page(size: int, seed: int = 0) -> bytes:
    """A statistics release of about ``size`` bytes, table-heavy (a FIXTURE)."""
    rng = random.Random(seed)
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
             "Statistical release (fixture) | Ministry of Fixtures</title>"
             f"<style>{'td{padding:2px} ' * 200}</style></head><body>"
             f"<nav class='breadcrumbs'><ul>{_links(rng, 6, 'home')}</ul></nav>"
             f"<aside class='side-menu'><ul>{_links(rng, 60, 'topics')}</ul></aside>"
             f"<main><h1>Statistical release: {_sentence(rng)}</h1>"]
    n = 0
    while sum(map(len, parts)) < size - 500:
        parts.append(f"<h2>Table {n + 1}</h2><p>{_paragraph(rng)}</p><table><thead><tr>"
                     + "".join(f"<th>{rng.choice(_WORDS)}</th>" for _ in range(6))
                     + "</tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{rng.randint(1, 99999):,}.{rng.randint(0, 9)}"
                                                "</td>" for _ in range(6)) + "</tr>"
                               for _ in range(20))
                     + "</tbody></table>")
        n += 1
    parts.append("</main><footer><p>Ministry of Fixtures. A page written for the factcheck "
                 "benchmarks.</p></footer></body></html>")
    return "".join(parts).encode()


def pdf_report(pages: int, seed: int = 0) -> bytes:
    """A report of ``pages`` pages of text, as a PDF (a FIXTURE)."""
    rng = random.Random(seed)
    return make_pdf([" ".join(_sentence(rng) for _ in range(12)) for _ in range(pages)],
                    title=b"Annual report (fixture)")
