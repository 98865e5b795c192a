"""From a response body to text: pure functions, bytes in, a :class:`Page` out.

- HTML: the *main text* (trafilatura, favouring precision, so navigation and "most
  read" lists stay out; the text of ``<article>``/``<main>``/``<body>`` as the
  fallback) for noticing changes; the *full visible text*, as a reader sees it (a
  browser's ``innerText``: inline elements joined, blocks on lines of their own), for
  finding quotes;
  metadata from meta tags, OpenGraph and JSON-LD. The page is parsed once, with lxml,
  and the tree handed to trafilatura: 16 ms for a 50 KB page against 24 ms with
  BeautifulSoup and a second parse (bench/suite.py).
- PDF: the text of each page (pypdf).
- Plain text: decoded as it is. Anything else is recorded as unsupported.

Nothing here raises on a hostile body: what could not be done is in ``Page.problem``,
and every string of a :class:`Page` is free of NUL and the other characters a database
text column or an XML parser refuses, whatever the body held.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from factcheck.core import sha256_text

__all__ = ["Page", "clean_text", "decode", "extract", "normalize_text", "text_sha256"]

# trafilatura and pypdf log at WARNING about pages they find odd; those pages are
# recorded with their problem instead.
for _noisy in ("trafilatura", "pypdf", "htmldate", "courlan"):
    logging.getLogger(_noisy).setLevel(logging.ERROR)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# The legacy encodings of the WHATWG Encoding Standard: what detection chooses among.
_WEB_CODECS = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256",
               "cp1257", "cp1258", "iso8859_2", "iso8859_5", "iso8859_7", "koi8_r",
               "koi8_u", "cp932", "euc_jp", "iso2022_jp", "gb18030", "big5", "euc_kr")
_LATIN_CODECS = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "iso8859-2",
                           "iso8859-15", "latin-1", "iso8859-1"})


@dataclass(frozen=True)
class Page:
    """What a response body says, as text and metadata."""

    kind: str  # html | pdf | text | unsupported
    text: str = ""  # all visible text: where quotes are looked for
    main_text: str = ""  # the main content: what a change is judged on
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published: str | None = None
    modified: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    charset: str | None = None
    pages: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def metadata(self) -> dict[str, str]:
        fields = ("author", "site_name", "published", "modified", "canonical_url", "language")
        return {f: v for f in fields if (v := getattr(self, f))}


def normalize_text(text: str) -> str:
    """Text as compared across snapshots: NFKC, one space between words, no edges."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def text_sha256(text: str) -> str:
    """The hash of :func:`normalize_text`; equal for text that differs only in layout."""
    return sha256_text(normalize_text(text))


def _codec(name: str | None) -> str | None:
    """The Python codec for a charset label, if it is a text encoding (a page that says
    ``charset=rot13`` or ``hex`` gets what browsers do: the label is ignored)."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("'\""))
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode(body: bytes, header_charset: str | None = None, *, html: bool = False
           ) -> tuple[str, str]:
    """Decode ``body``: the header's charset, then a BOM, then ``<meta>``, then detection.

    Returns the text and the codec used. Undecodable bytes become U+FFFD.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    candidates = [_codec(header_charset)]
    if html:
        match = _META_CHARSET.search(body[:4096])
        candidates.append(_codec(match.group(1).decode("ascii", "replace")) if match else None)
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            return body.decode(candidate), candidate
        except UnicodeDecodeError:
            continue  # the declared charset is wrong: fall through to detection
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only when nothing declared fits: rare

    best = from_bytes(body[:65536], cp_isolation=list(_WEB_CODECS)).best()
    detected = (_codec(best.encoding) if best is not None else None) or "cp1252"
    if detected in _LATIN_CODECS:
        # Short Western text fits several Latin code pages equally well; like browsers,
        # prefer windows-1252 whenever it decodes the bytes.
        try:
            return body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return body.decode(detected, errors="replace"), detected


def _sniff(body: bytes, content_type: str | None) -> str:
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:1024].lstrip().lower()
    if declared == "application/pdf" or body.startswith(b"%PDF-"):
        return "pdf"
    if declared in ("text/html", "application/xhtml+xml") or (
            declared in ("", "application/octet-stream", "text/plain")
            and (head.startswith((b"<!doctype html", b"<html")) or b"<body" in head)):
        return "html"
    if declared.startswith("text/") or declared in ("", "application/json",
                                                     "application/xml"):
        return "text"
    return "unsupported"


# What a database text column or a UTF-8 encoder refuses: NUL, and lone surrogates
# (which a body can only produce through a broken decoder). C0 controls other than tab,
# newline and carriage return are dropped too: lxml refuses them, and no text holds them.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without the characters a database or a parser refuses."""
    return _UNSTORABLE.sub("", text)


def _cleaned(page: Page) -> Page:
    changes: dict[str, Any] = {
        f.name: clean_text(value) for f in fields(page)
        if isinstance(value := getattr(page, f.name), str) and _UNSTORABLE.search(value)}
    if any(_UNSTORABLE.search(p) for p in page.pages):
        changes["pages"] = tuple(clean_text(p) for p in page.pages)
    return replace(page, **changes) if changes else page


def extract(body: bytes, content_type: str | None = None, url: str | None = None,
            header_charset: str | None = None) -> Page:
    """Read ``body`` as the page at ``url`` served with ``content_type``.

    Never raises: a body that cannot be read is a page with a ``problem``, and every
    string of the page is free of characters a database refuses.
    """
    try:
        page = _extract(body, content_type, url, header_charset)
        # An HTML page's strings all come from its text, cleaned before parsing.
        return page if page.kind == "html" else _cleaned(page)
    except Exception as exc:  # a parser's surprise on a hostile body: this page's problem
        message = " ".join(str(exc).split())[:200]
        return Page(kind="unsupported",
                    problem=f"the body could not be read ({type(exc).__name__}: {message})")


def _extract(body: bytes, content_type: str | None, url: str | None,
             header_charset: str | None) -> Page:
    kind = _sniff(body, content_type)
    if kind == "pdf":
        return _pdf(body)
    if kind == "html":
        return _html(body, url, header_charset)
    if kind == "text":
        text, charset = decode(body, header_charset)
        return Page(kind="text", text=text, main_text=text, charset=charset)
    return Page(kind="unsupported",
                problem=f"unsupported content type {content_type or 'unknown'!r}")


# -- HTML ------------------------------------------------------------------------------

# Text as a reader sees it (what a browser's ``innerText`` gives): inline elements join
# their neighbours with no space of their own, blocks and ``<br>`` break lines, and the
# markup's own white space (newlines and indentation between tags included) is one space.
# Elements a browser shows as blocks; everything else (a, span, em, b, sup, abbr, time,
# q, cite, mark, small, code, and tags it does not know) is inline.
_BLOCKS = ("address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
           "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
           "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header",
           "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol",
           "optgroup", "option", "p", "plaintext", "pre", "section", "summary", "table",
           "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul", "xmp", "br")
# Where a block begins or ends, before white space is folded: a Unicode noncharacter
# (never meant for interchange; taken out of a page that holds one anyway).
_BREAK = "\ufdd0"
# Line breaks as str.splitlines() knows them, besides \n and \r: a line of their own.
_RARE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_RARE_BREAK = re.compile(f"[{_RARE_BREAKS}]")
# Two spaces or more: a literal prefix the regular expression engine scans for at C
# speed (a pattern that tried every single space between words cost 20 times more).
_SPACE_RUNS = re.compile("  +")
_LINE_BREAKS = re.compile(f" ?{_BREAK}[ {_BREAK}]*")
# Characters a reader never sees, that would split a word for matching: soft hyphens,
# zero-width spaces, word joiners, a stray byte-order mark.
_UNSEEN = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Every text node below an element, as plain strings, in document order (XPath in C:
# a tenth of the time of itertext()).
_TEXT_NODES = etree.XPath(".//text()", smart_strings=False)
_HIDDEN = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object",
           etree.Comment, etree.ProcessingInstruction)


def _mark_blocks(node: HtmlElement) -> None:
    """Mark where each block begins and ends (and each ``<br>``), in the tree itself, so
    that one join of its text nodes keeps the lines and nothing else."""
    for pre in node.iter("pre", "textarea", "listing", "plaintext", "xmp"):
        # Preformatted text keeps its own line breaks.
        for inner in pre.iter():
            if inner.text and "\n" in inner.text:
                inner.text = inner.text.replace("\n", _BREAK)
            if inner is not pre and inner.tail and "\n" in inner.tail:
                inner.tail = inner.tail.replace("\n", _BREAK)
    for element in node.iter(*_BLOCKS):
        if element.tag != "br":
            element.text = _BREAK + element.text if element.text else _BREAK
        element.tail = _BREAK + element.tail if element.tail else _BREAK


def _reader_text(node: HtmlElement) -> str:
    """The text of ``node`` as a reader sees it: a line per block, words joined across
    inline elements, white space folded, lines stripped, no empty lines. A few passes
    over the joined text, not a loop over its lines."""
    text = "".join(_TEXT_NODES(node))
    if any(c in text for c in _RARE_BREAKS):
        text = _RARE_BREAK.sub(_BREAK, text)
    text = (text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
            .replace("\u00a0", " ").translate(_UNSEEN))
    text = _LINE_BREAKS.sub("\n", _SPACE_RUNS.sub(" ", text))
    return text.replace("\n ", "\n").strip(" \n")


def _metas(tree: HtmlElement) -> dict[str, str]:
    """Every ``<meta>``'s content by its property or name (the first non-empty), in one
    pass over the tree."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if content:
            for key in (meta.get("property"), meta.get("name")):
                if key:
                    found.setdefault(key, content)
    return found


def _meta(metas: dict[str, str], *names: str) -> str | None:
    return next((metas[n] for n in names if n in metas), None)


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                yield item


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _parse(text: str) -> HtmlElement | None:
    # lxml refuses str input that declares an encoding; the text is decoded already.
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


_C0_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _needs_cleaning(body: bytes, charset: str) -> bool:
    """Whether the decoded text may hold what :func:`clean_text` removes. Decoding never
    makes lone surrogates, and an ASCII-compatible codec makes a C0 control only from
    that very byte, so for those one C-speed pass over the bytes says it (most pages:
    no)."""
    if "16" in charset or "32" in charset:  # UTF-16/32: bytes say nothing of characters
        return True
    return len(body.translate(None, _C0_BYTES)) != len(body)


def _html(body: bytes, url: str | None, header_charset: str | None) -> Page:
    text, charset = decode(body, header_charset, html=True)
    if _BREAK in text:
        text = text.replace(_BREAK, "")
    tree = _parse(clean_text(text) if _needs_cleaning(body, charset) else text)
    if tree is None:
        return Page(kind="html", charset=charset, problem="the page has no parsable HTML")
    ld: dict[str, Any] = {}
    for item in _json_ld(tree):
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and (k.endswith("Article") or k in (
                "BlogPosting", "Report", "WebPage", "ScholarlyArticle")) for k in kinds):
            ld = {**item, **ld} if ld else item
    metas = _metas(tree)
    titles = tree.xpath("//title")
    title = _meta(metas, "og:title", "twitter:title") or _name(ld.get("headline")) or (
        " ".join(titles[0].text_content().split()) if titles else None)
    canonical = None
    hrefs = tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), "
                       "' canonical ')]/@href")
    if hrefs and str(hrefs[0]).strip():
        canonical = urljoin(url or "", str(hrefs[0]).strip())
    elif (og_url := _meta(metas, "og:url")) is not None:
        canonical = urljoin(url or "", og_url)
    language = tree.get("lang")
    author = _meta(metas, "author", "article:author", "dc.creator") or _name(ld.get("author"))
    site_name = _meta(metas, "og:site_name", "application-name") or _name(ld.get("publisher"))
    published = _meta(metas, "article:published_time", "datePublished", "date", "pubdate",
                      "dc.date", "dc.date.issued") or _name(ld.get("datePublished"))
    modified = _meta(metas, "article:modified_time", "og:updated_time", "dateModified") or \
        _name(ld.get("dateModified"))

    import trafilatura  # here, not at import: a 304-only run never loads it

    main, problem = None, None
    try:  # given our parsed tree, trafilatura need not parse the page again
        main = trafilatura.extract(tree, url=url, include_comments=False,
                                   include_tables=True, deduplicate=False)
    except Exception as exc:  # trafilatura on hostile markup: fall back, say why
        problem = f"main-text extraction failed ({type(exc).__name__}); used the page text"

    etree.strip_elements(tree, *_HIDDEN, with_tail=False)
    bodies = tree.xpath("//body")
    root = bodies[0] if bodies else tree
    _mark_blocks(root)
    visible = _reader_text(root)

    if not main:
        containers = tree.xpath("//article") or tree.xpath("//main")
        main = _reader_text(containers[0]) if containers else visible

    return Page(
        kind="html", text=visible, main_text=main, title=title or None, author=author,
        site_name=site_name, published=published, modified=modified, canonical_url=canonical,
        language=language if isinstance(language, str) else None,
        charset=charset, problem=problem)


# -- PDF -------------------------------------------------------------------------------

def _pdf(body: bytes) -> Page:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages: list[str] = []
        problem = None
        for number, page in enumerate(reader.pages, 1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # one bad page does not lose the others
                pages.append("")
                problem = f"page {number}: text could not be extracted ({type(exc).__name__})"
        info = reader.metadata
        title = str(info.title) if info is not None and info.title else None
        author = str(info.author) if info is not None and info.author else None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        return Page(kind="pdf", problem=f"malformed PDF: {type(exc).__name__}: {exc}")
    text = "\n\f\n".join(pages)
    return Page(kind="pdf", text=text, main_text=text, title=title or None,
                author=author or None, pages=tuple(pages), problem=problem)
