"""robots.txt as RFC 9309 reads it, parsed by protego and cached per origin.

- 2xx: the rules apply (the first 500 KiB are parsed).
- 4xx (401 and 403 included): no rules, everything is allowed.
- 5xx: everything is disallowed until a later read succeeds.
- A 2xx body that cannot be read as text (binary, UTF-16 without a byte order mark, a
  compression that cannot be undone) is treated as the server failing, never as "no
  rules": everything is disallowed, and asked again soon. RFC 9309 asks for UTF-8; a
  legacy 8-bit file's rules are ASCII, so other bytes are replaced and the rules kept.
- A network failure is reported as that failure: the page is not fetched either.
A verdict is cached for at most ``ttl`` seconds (24 h by default).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from protego import Protego

__all__ = ["ROBOTS_MAX_BYTES", "RobotsRules", "rules_from_response"]

ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says to ``agent``."""

    agent: str
    parser: Protego | None = None
    disallow_all_because: str | None = None

    def allows(self, url: str) -> bool:
        if self.disallow_all_because is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, self.agent))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return None if delay is None else float(delay)


def rules_from_response(agent: str, status: int, body: bytes) -> RobotsRules:
    """The rules for a robots.txt that answered ``status`` with ``body``."""
    if 200 <= status < 300:
        text = _decode(body[:ROBOTS_MAX_BYTES])
        if text is None:
            return unreadable(agent, "its body is not text")
        return RobotsRules(agent, parser=Protego.parse(text))
    if 400 <= status < 500:
        return RobotsRules(agent)
    return RobotsRules(agent, disallow_all_because=(
        f"robots.txt answered {status}; RFC 9309 treats the site as disallowed"))


def unreadable(agent: str, why: str) -> RobotsRules:
    """A robots.txt that answered but cannot be read: disallow, as for a server error."""
    return RobotsRules(agent, disallow_all_because=(
        f"robots.txt cannot be read ({why}); treated as a server error: disallowed"))


def _decode(body: bytes) -> str | None:
    for bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if body.startswith(bom):
            try:
                return body.decode("utf-16")
            except UnicodeDecodeError:
                return None
    if b"\x00" in body:  # binary, or UTF-16 with no byte order mark
        return None
    return body.decode("utf-8-sig", errors="replace")
