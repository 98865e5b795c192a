"""The exceptions factcheck raises.

Every error a caller may want to catch derives from :class:`FactCheckError`::

    FactCheckError
    ├── ConfigError            a setting or a rating scale file is unusable
    │   └── NoPublisher        no publisher is configured at all (ClaimReview needs one)
    ├── InvalidURL             a URL is not an absolute http(s) URL
    ├── UnknownRating          a rating is not on the scale in use
    ├── NotFound               no claim, document or source by that name
    │   └── AmbiguousClaim     a claim key names claims in several documents
    ├── DamagedRecord          a WARC record is truncated, unreadable, or not the bytes
    │                          whose SHA-256 was recorded when it was fetched
    ├── SeedError              a seed file is malformed; names the file, claim and field
    │   └── SeedErrors         several claims of one file are; ``problems`` lists each
    ├── AppendOnlyError        an attempt to change or delete a verdict
    │   └── VerdictConflict    a verdict recorded since the one a reviewer saw
    ├── EditConflict           what a reviewer edits was changed since they saw it
    ├── JobRunning             another recheck holds this SQLite database
    └── FetchError             fetching a source failed; ``outcome`` is how it is recorded
        ├── AddressRefused     the host resolves to a private, loopback, link-local or
        │                      metadata address (never contacted)
        ├── BlockedByRobots    robots.txt disallows the URL, or could not be read (5xx)
        ├── TooLarge           the body, or what it decompresses to, exceeds the cap
        ├── TooManyRedirects   a redirect loop, or more hops than allowed
        ├── BadRedirect        a redirect to a URL that cannot be fetched (data:, bad port)
        ├── BadContent         an encoding that cannot be decoded
        ├── Withheld           not sent: the run was stopping (the source is not recorded)
        └── NetworkError       the exchange itself failed
            ├── FetchTimeout           connect, read or total time ran out
            ├── TLSFailure             the TLS handshake or certificate failed
            └── ConnectionFailed       no connection, or it broke
                └── NameResolutionFailed   the host name did not resolve
                    └── NameNotFound       the resolver says the name does not exist
"""

from __future__ import annotations

__all__ = [
    "AddressRefused",
    "AmbiguousClaim",
    "AppendOnlyError",
    "BadContent",
    "BadRedirect",
    "BlockedByRobots",
    "ConfigError",
    "ConnectionFailed",
    "DamagedRecord",
    "EditConflict",
    "FactCheckError",
    "FetchError",
    "FetchTimeout",
    "InvalidURL",
    "JobRunning",
    "NameNotFound",
    "NameResolutionFailed",
    "NetworkError",
    "NoPublisher",
    "NotFound",
    "SeedError",
    "SeedErrors",
    "TLSFailure",
    "TooLarge",
    "TooManyRedirects",
    "UnknownRating",
    "VerdictConflict",
    "Withheld",
]


class FactCheckError(Exception):
    """Base class of every error factcheck raises on purpose."""


class ConfigError(FactCheckError):
    """A setting or a rating scale file is unusable."""


class NoPublisher(ConfigError):
    """No publisher is configured at all (as opposed to one configured wrongly)."""


class InvalidURL(FactCheckError):
    """A URL is not an absolute http(s) URL with a host."""


class UnknownRating(FactCheckError):
    """A rating label is not on the scale in use."""


class NotFound(FactCheckError):
    """No claim, document or source goes by that name."""


class AmbiguousClaim(NotFound):
    """A bare claim key matches claims in several documents; say ``DOCUMENT/KEY``."""


class AppendOnlyError(FactCheckError):
    """Verdicts are append-only: record a new one instead of changing or deleting one."""


class VerdictConflict(AppendOnlyError):
    """Another verdict was recorded since the one the reviewer saw: theirs would
    silently follow a verdict they never read. Decided in the database, so any number
    of desk processes agree."""


class EditConflict(FactCheckError):
    """What a reviewer edits (a claim's words, a conclusion, a passage) was changed by
    someone else since they saw it: nothing is written over it."""


class JobRunning(FactCheckError):
    """Another recheck holds this SQLite database; one job runs at a time."""


class DamagedRecord(FactCheckError):
    """A WARC record cannot be trusted: the file is truncated or unreadable there, or
    its body is not the bytes whose SHA-256 was recorded when they were fetched."""


class SeedError(FactCheckError):
    """A seed file is malformed.

    ``path`` is the file, ``claim`` the claim key (or ``None`` for the document part),
    ``field`` the offending field (a dotted path such as ``evidence[1].url``).
    """

    def __init__(self, path: str, message: str, *, claim: str | None = None,
                 field: str | None = None) -> None:
        self.path = path
        self.claim = claim
        self.field = field
        self.message = message
        where = path
        if claim is not None:
            where += f": claim {claim!r}"
        if field is not None:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")


class SeedErrors(SeedError):
    """Several claims of one seed file are malformed: ``problems`` holds each one's
    :class:`SeedError` (file, claim and field), and the message lists them all."""

    def __init__(self, problems: list[SeedError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.path, first.message, claim=first.claim, field=first.field)
        self.args = (f"{len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems),)


class FetchError(FactCheckError):
    """Fetching a source failed. ``outcome`` is the word a snapshot records for it."""

    outcome = "error"


class AddressRefused(FetchError):
    """The host resolves to an address that is not public; nothing was sent to it."""

    outcome = "refused"


class Withheld(FetchError):
    """The request was waiting for its turn when the run began to stop: it was never
    sent, and the source is left for the next run (nothing is recorded of it)."""

    outcome = "withheld"


class BlockedByRobots(FetchError):
    """robots.txt disallows the URL (or answered 5xx, which RFC 9309 reads as "disallow")."""

    outcome = "blocked"


class TooLarge(FetchError):
    """The body, or what it decompresses to, is larger than the cap."""

    outcome = "too-large"


class TooManyRedirects(FetchError):
    """A redirect loop, or more redirects than allowed."""

    outcome = "redirect-loop"


class BadRedirect(FetchError):
    """A redirect to a URL that cannot be fetched (``data:``, ``javascript:``, a bad port)."""

    outcome = "bad-redirect"


class BadContent(FetchError):
    """The body uses a content encoding that cannot be decoded."""

    outcome = "bad-content"


class NetworkError(FetchError):
    """The exchange itself failed: worth retrying, and a sign of our own network when
    every host fails alike."""

    outcome = "network-error"


class FetchTimeout(NetworkError):
    """Connecting, reading, or the whole fetch took longer than allowed."""

    outcome = "timeout"


class TLSFailure(NetworkError):
    """The TLS handshake failed or the certificate was refused."""

    outcome = "tls-error"


class ConnectionFailed(NetworkError):
    """No connection could be made, or it broke mid-way."""

    outcome = "connection-error"


class NameResolutionFailed(ConnectionFailed):
    """The host name did not resolve."""

    outcome = "dns-error"


class NameNotFound(NameResolutionFailed):
    """The resolver answered that the host name does not exist (NXDOMAIN): a domain
    that keeps not existing is link rot, not an outage."""

    outcome = "no-such-host"
