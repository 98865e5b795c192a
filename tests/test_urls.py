import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck import InvalidURL, normalize_url
from factcheck.web.httpcore_guard import GuardedBackend


@pytest.mark.parametrize(("given_url", "normal"), [
    ("HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?b=2&a=1"),
    ("http://example.com:80", "http://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/a?utm_source=x&id=7&fbclid=abc&UTM_Medium=y", "https://example.com/a?id=7"),
    ("https://example.com/a?utm_source=x", "https://example.com/a"),
    ("https://www.wired-gov.net/wg/news.nsf/articles/pm+meeting?open",
     "https://www.wired-gov.net/wg/news.nsf/articles/pm+meeting?open"),
    ("https://example.com/q?a=b%20c", "https://example.com/q?a=b%20c"),
    ("https://bücher.de/", "https://xn--bcher-kva.de/"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("  https://example.com/  ", "https://example.com/"),
])
def test_normalize(given_url: str, normal: str) -> None:
    assert normalize_url(given_url) == normal


@pytest.mark.parametrize("bad", [
    "", "example.com/page", "ftp://example.com/", "javascript:alert(1)", "https:///path",
    "https://user:secret@example.com/", "https://exa mple.com/", "http://example.com:99999/",
])
def test_refuse(bad: str) -> None:
    with pytest.raises(InvalidURL):
        normalize_url(bad)


_segment = st.text(alphabet="abcXYZ019-._~%+", min_size=0, max_size=8)
_urls = st.builds(
    lambda scheme, host, port, path, query, frag: (
        f"{scheme}://{host}{port}/{'/'.join(path)}{'?' + '&'.join(query) if query else ''}"
        f"{'#' + frag if frag else ''}"),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}\.(com|org|jp)", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(_segment, max_size=4),
    st.lists(st.builds(lambda k, v: f"{k}={v}",
                       st.sampled_from(["id", "utm_source", "page", "fbclid", "q"]), _segment),
             max_size=4),
    _segment,
)


@given(_urls)
def test_normalizing_is_idempotent_and_drops_only_noise(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "#" not in once
    assert "utm_source=" not in once and "fbclid=" not in once
    host = once.split("://", 1)[1].split("/", 1)[0]
    assert host == host.lower()


def test_international_hosts_use_idna_2008() -> None:
    # IDNA 2003 (Python's codec) would map ß to "ss": another domain, another owner.
    assert normalize_url("https://straße.de/a") == "https://xn--strae-oqa.de/a"
    assert normalize_url("https://Bücher.example/") == "https://xn--bcher-kva.example/"
    assert normalize_url("https://xn--strae-oqa.de/a") == "https://xn--strae-oqa.de/a"
    assert normalize_url("https://under_score.example/") == "https://under_score.example/"


def test_a_connect_timeout_on_one_address_tries_the_next(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    import httpcore

    from factcheck.web import safety

    async def two_addresses(host: str, port: int) -> list[str]:
        return ["2001:db8::1", "192.0.2.1"]

    tried: list[str] = []

    class Inner:
        async def connect_tcp(self, host: str, port: int, **_: object) -> str:
            tried.append(host)
            if host == "2001:db8::1":
                raise httpcore.ConnectTimeout("timed out")
            return "connected"

    monkeypatch.setattr(safety, "resolve", two_addresses)
    backend = GuardedBackend(safety.AddressPolicy(allow_private=True))
    backend._inner = Inner()  # type: ignore[assignment]
    assert asyncio.run(backend.connect_tcp("fixture.example", 443)) == "connected"
    assert tried == ["2001:db8::1", "192.0.2.1"]
