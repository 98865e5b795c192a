"""Source URLs, normalized so that one row serves every claim that cites a page."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit, urlunsplit

import httpx
import idna

from factcheck.errors import InvalidURL

__all__ = ["MAX_URL_LENGTH", "check_sendable", "normalize_url"]

#: Longer URLs are refused: most servers answer 414 past 8 KB, and a page that
#: redirects to a megabyte of URL is an attack, not a source.
MAX_URL_LENGTH = 8192

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that only say how a reader arrived; they never select a different page.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_")
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ocid", "cmpid", "smid",
})


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def check_sendable(url: str) -> httpx.URL:
    """The URL as the fetcher will send it, or :class:`InvalidURL` saying why it cannot be.

    The same parser as the fetcher's (httpx), so that what passes here can be requested:
    it refuses control characters, IPv4 hosts in octal or with leading zeros or out of
    range, ports out of range, non-HTTP schemes and URLs over ``MAX_URL_LENGTH``.
    """
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"{url[:80]!r}...: the URL is {len(url):,} characters long; "
                         f"at most {MAX_URL_LENGTH:,} are accepted")
    try:
        parsed = httpx.URL(url)
        port = urlsplit(url).port
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InvalidURL(f"{url!r}: {exc}") from exc
    if parsed.scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"{url!r}: only absolute http:// and https:// URLs can be fetched")
    if not parsed.host:
        raise InvalidURL(f"{url!r}: the URL has no host")
    if port == 0:
        raise InvalidURL(f"{url!r}: port 0 cannot be connected to")
    return parsed


def normalize_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL.

    Lowercases the scheme and host, encodes an international host with IDNA 2008
    (UTS #46), drops
    the default port, the fragment and tracking parameters (``utm_*``, ``fbclid``,
    ``gclid``...), and gives an empty path ``/``. The path and the remaining query,
    in their order, are kept as they are: servers may treat them case-sensitively.
    Idempotent. Raises :class:`InvalidURL` for anything but an absolute http(s) URL.
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidURL("a URL must be a non-empty string")
    text = url.strip()
    if len(text) > MAX_URL_LENGTH:
        check_sendable(text)  # says why
    if any(c.isspace() for c in text):
        raise InvalidURL(f"{url!r}: a URL cannot contain white space")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"{url!r}: only absolute http:// and https:// URLs can be sources")
    host = parts.hostname
    if not host:
        raise InvalidURL(f"{url!r}: the URL has no host")
    if not host.isascii():
        # IDNA 2008 with UTS #46 mapping, as browsers and httpx do: "straße.de" is
        # xn--strae-oqa.de, not strasse.de (Python's own codec is IDNA 2003).
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError) as exc:
            raise InvalidURL(f"{url!r}: the host is not a valid domain name ({exc})") from exc
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    if parts.username is not None:
        raise InvalidURL(f"{url!r}: credentials do not belong in a source URL")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Filter the query as text, pair by pair, so that what stays is byte for byte
    # what was given (re-encoding would turn "?open" into "?open=" or "%20" into "+").
    query = "&".join(pair for pair in parts.query.split("&")
                     if pair and not _is_tracking(unquote_plus(pair.partition("=")[0])))
    normalized = urlunsplit((scheme, netloc, parts.path or "/", query, ""))
    check_sendable(normalized)
    return normalized
