"""Extraction: pure functions from bytes to text and metadata, on fixture pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.fixtureweb import make_pdf, page
from factcheck.text.extract import clean_text, decode, extract, normalize_text, text_sha256


def test_article_main_text_leaves_out_navigation_and_most_read() -> None:
    result = extract(page("article.html"), "text/html", "https://fixture.example/news/1", "utf-8")
    assert result.kind == "html"
    assert "approved a budget of 6,821.9 million crowns" in result.main_text
    for boilerplate in ("Most read", "Fixture story one", "Sport", "tracking", "font-family"):
        assert boilerplate not in result.main_text
    assert "Most read" in result.text  # the full visible text keeps everything shown
    assert "tracking" not in result.text and "font-family" not in result.text


def test_article_metadata() -> None:
    result = extract(page("article.html"), "text/html", "https://fixture.example/news/1", "utf-8")
    assert result.title == "Budget plan approved (fixture)"
    assert result.author == "Fixture Reporter"
    assert result.site_name == "Fixture Times"
    assert result.published == "2024-03-01T09:00:00Z"
    assert result.modified == "2024-03-02T10:30:00Z"
    assert result.canonical_url == "https://fixture.example/news/budget-plan"
    assert result.language == "en"


def test_metadata_from_json_ld_alone() -> None:
    html = b"""<html><head><script type="application/ld+json">
    {"@graph": [{"@type": "WebSite", "name": "x"},
                {"@type": ["NewsArticle"], "headline": "LD headline",
                 "author": [{"name": "A. One"}, {"name": "B. Two"}],
                 "publisher": {"name": "LD Publisher"}, "dateModified": "2024-05-01"}]}
    </script></head><body><p>Body text.</p></body></html>"""
    result = extract(html, "text/html")
    assert (result.title, result.author, result.site_name, result.modified) == (
        "LD headline", "A. One, B. Two", "LD Publisher", "2024-05-01")


@pytest.mark.parametrize(("name", "header", "expected", "phrase"), [
    ("latin1-meta.html", None, "iso8859-1", "crème brûlée"),
    ("wrong-charset.html", "utf-8", "cp1252", "“we will double it” – a promise of €5 billion"),
    ("shift-jis-undeclared.html", None, "cp932", "二十六パーセント"),
    ("article.html", None, "utf-8", "council’s own figures"),
])
def test_charset_from_header_then_meta_then_detection(
        name: str, header: str | None, expected: str, phrase: str) -> None:
    result = extract(page(name), "text/html", None, header)
    assert result.charset == expected
    assert phrase in result.text


def test_a_right_header_wins_over_meta() -> None:
    body = '<meta charset="iso-8859-1"><p>naïve</p>'.encode()
    assert decode(body, "utf-8", html=True) == (body.decode(), "utf-8")


def test_malformed_html_still_gives_its_text() -> None:
    result = extract(page("malformed.html"), "text/html")
    assert "the fixture agency reported 42 incidents in 2023" in result.text
    assert result.title == "Broken page (fixture)"


def test_pdf_text_per_page() -> None:
    result = extract(make_pdf(["Page one: 6,821.9 billion yen.", "Page two (fixture)."]),
                     "application/pdf")
    assert result.kind == "pdf"
    assert result.pages == ("Page one: 6,821.9 billion yen.", "Page two (fixture).")
    assert "6,821.9 billion" in result.main_text


def test_pdf_sniffed_without_a_content_type_and_a_broken_pdf_is_recorded() -> None:
    assert extract(make_pdf(["Sniffed."]), None).pages == ("Sniffed.",)
    broken = extract(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage", None)
    assert broken.kind == "pdf"
    assert broken.problem is not None and broken.text == ""


def test_plain_text_and_unsupported_types() -> None:
    assert extract("Plain text, ¥5.4 trillion.".encode(), "text/plain").text == \
        "Plain text, ¥5.4 trillion."
    image = extract(b"\x89PNG\r\n\x1a\n....", "image/png")
    assert image.kind == "unsupported"
    assert image.problem == "unsupported content type 'image/png'"


def test_text_hash_ignores_layout_only() -> None:
    assert text_sha256("A  budget\n of ¥5.4\ttrillion") == text_sha256("A budget of ¥5.4 trillion")
    assert text_sha256("A budget of ¥5.4 trillion") != text_sha256("A budget of ¥5.5 trillion")
    assert normalize_text("ｆｕｌｌ\u00a0width") == "full width"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000),
       st.sampled_from([None, "text/html", "application/pdf", "text/plain", "image/png",
                        "application/octet-stream"]),
       st.sampled_from([None, "utf-8", "bogus-charset", "shift_jis", "latin-1"]))
def test_extract_never_raises(body: bytes, content_type: str | None, charset: str | None) -> None:
    result = extract(body, content_type, "http://fixture.example/", charset)
    assert isinstance(result.text, str) and isinstance(result.main_text, str)


UNSEEN = "\u00ad\u200b\u2060\ufeff\ufdd0"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_html_wrapped_text_is_found(words: str) -> None:
    from html import escape
    body = f"<html><body><p>{escape(words)}</p></body></html>".encode()
    result = extract(body, "text/html")
    # NUL and the other C0 controls are dropped (a database or lxml refuses them), and
    # so are the characters a reader never sees (soft hyphens, zero-width spaces).
    seen = normalize_text(clean_text(words).translate(dict.fromkeys(map(ord, UNSEEN))))
    assert seen in normalize_text(result.text) or not seen
