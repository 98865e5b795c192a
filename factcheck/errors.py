"""The exceptions factcheck raises.

Every error a caller may want to catch derives from :class:`FactCheckError`::

    FactCheckError
    ├── ConfigError            a setting or a rating scale file is unusable
    ├── InvalidURL             a URL is not an absolute http(s) URL
    ├── UnknownRating          a rating is not on the scale in use
    ├── NotFound               no claim, document or source by that name
    │   └── AmbiguousClaim     a claim key names claims in several documents
    ├── SeedError              a seed file is malformed; names the file, claim and field
    └── AppendOnlyError        an attempt to change or delete a verdict
"""

from __future__ import annotations

__all__ = [
    "AmbiguousClaim",
    "AppendOnlyError",
    "ConfigError",
    "FactCheckError",
    "InvalidURL",
    "NotFound",
    "SeedError",
    "UnknownRating",
]


class FactCheckError(Exception):
    """Base class of every error factcheck raises on purpose."""


class ConfigError(FactCheckError):
    """A setting or a rating scale file is unusable."""


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
