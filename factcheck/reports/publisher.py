"""Who publishes a fact-check: the organization named in every ClaimReview and where
the reviews live.

Each setting is taken from the first place that gives it: the caller (the CLI's
``--org``, ``--org-url``, ``--review-url``), the environment (``FACTCHECK_ORG_NAME``,
``FACTCHECK_ORG_URL``, ``FACTCHECK_REVIEW_URL``), then a config file
(``$FACTCHECK_CONFIG``, else ``./factcheck.toml``)::

    [publisher]
    name = "Example Fact Desk"
    url = "https://factdesk.example/"
    review_url = "https://factdesk.example/checks/{document}"

``{document}`` in ``review_url`` stands for the document's key. Nothing is guessed:
a missing setting is a :class:`~factcheck.errors.ConfigError` that names it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from factcheck.errors import ConfigError, NoPublisher

__all__ = ["NoPublisher", "Publisher", "find_publisher"]

_SETTINGS = (("name", "--org", "FACTCHECK_ORG_NAME"),
             ("url", "--org-url", "FACTCHECK_ORG_URL"),
             ("review_url", "--review-url", "FACTCHECK_REVIEW_URL"))


@dataclass(frozen=True)
class Publisher:
    """The organization behind a fact-check and where its reviews are published."""

    name: str
    url: str
    review_url: str

    def review_page(self, document: str) -> str:
        """Where the fact-check of ``document`` is published."""
        return self.review_url.replace("{document}", document)


def _config_file(environ: Mapping[str, str]) -> tuple[Path | None, dict[str, object]]:
    named = environ.get("FACTCHECK_CONFIG")
    path = Path(named) if named else Path("factcheck.toml")
    if not path.is_file():
        if named:
            raise ConfigError(f"FACTCHECK_CONFIG names {named}, which is not a file")
        return None, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it as TOML: {exc}") from exc
    table = data.get("publisher", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [publisher] must be a table")
    return path, table


def find_publisher(name: str | None = None, url: str | None = None,
                   review_url: str | None = None, *,
                   environ: Mapping[str, str] | None = None) -> Publisher:
    """The publisher from the arguments, the environment or the config file; raises
    :class:`ConfigError` naming every setting that is missing or not an http(s) URL."""
    environ = os.environ if environ is None else environ
    given = {"name": name, "url": url, "review_url": review_url}
    path, table = _config_file(environ)
    values: dict[str, str] = {}
    missing, bad = [], []
    for key, option, variable in _SETTINGS:
        value = given[key] or environ.get(variable) or table.get(key)
        if not isinstance(value, str) or not value.strip():
            where = f"{option}, {variable}" + (f" or [publisher] {key} in {path}" if path
                                               else f" or [publisher] {key} in factcheck.toml")
            missing.append(f"{key} ({where})")
            continue
        value = value.strip()
        if key != "name" and not re.match(r"(?i)https?://[^/\s]+", value):
            bad.append(f"{key} {value!r} is not an http(s) URL")
        values[key] = value
    if missing or bad:
        error = NoPublisher if len(missing) == len(_SETTINGS) else ConfigError
        raise error("ClaimReview needs the publishing organization: "
                          + "; ".join([*(f"missing {m}" for m in missing), *bad]))
    return Publisher(**values)
