"""Rating scales: the labels a verdict may carry, and what each one means.

The default scale has seven lowercase labels. Five rate checkable claims from
best to worst and map to a ClaimReview ``ratingValue`` between ``worstRating`` 1
and ``bestRating`` 5; ``unverified`` and ``not-checkable`` have no place on that
line, so ClaimReview carries them by ``alternateName`` alone. Every label also maps
to the AVeriTeC label nearest to it, for exchanging data with research datasets.

A team may bring its own scale as a YAML file (see :func:`load_scale`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from factcheck.errors import ConfigError, UnknownRating

__all__ = ["AVERITEC_LABELS", "DEFAULT_SCALE", "Rating", "RatingScale", "load_scale"]

AVERITEC_LABELS = (
    "Supported",
    "Refuted",
    "Not Enough Evidence",
    "Conflicting Evidence/Cherrypicking",
)


@dataclass(frozen=True)
class Rating:
    """One label of a scale.

    ``value`` is the ClaimReview ``ratingValue`` (``None`` when the label has no
    place between worst and best); ``checkable`` says whether the label rates a
    checkable claim (``not-checkable`` is the one that does not).
    """

    slug: str
    name: str
    definition: str
    value: int | None
    averitec: str
    checkable: bool = True


@dataclass(frozen=True)
class RatingScale:
    """An ordered set of ratings with the ClaimReview bounds ``worst``..``best``."""

    name: str
    ratings: tuple[Rating, ...]
    best: int
    worst: int

    def __post_init__(self) -> None:
        slugs = [r.slug for r in self.ratings]
        if len(set(slugs)) != len(slugs):
            raise ConfigError(f"scale {self.name!r}: rating labels must be unique")
        low, high = sorted((self.worst, self.best))
        for r in self.ratings:
            if r.value is not None and not low <= r.value <= high:
                raise ConfigError(
                    f"scale {self.name!r}: rating {r.slug!r} value {r.value} "
                    f"is outside {self.worst}..{self.best}")
            if r.averitec not in AVERITEC_LABELS:
                raise ConfigError(
                    f"scale {self.name!r}: rating {r.slug!r} has AVeriTeC label "
                    f"{r.averitec!r}; expected one of {', '.join(AVERITEC_LABELS)}")
        if not any(not r.checkable for r in self.ratings):
            raise ConfigError(
                f"scale {self.name!r} needs one rating with checkable: false, "
                "for opinions, predictions and characterizations")

    def __iter__(self) -> Iterator[Rating]:
        return iter(self.ratings)

    def __contains__(self, slug: object) -> bool:
        return any(r.slug == slug for r in self.ratings)

    def get(self, slug: str) -> Rating:
        """The rating labelled ``slug``; :class:`UnknownRating` if the scale has none."""
        for r in self.ratings:
            if r.slug == slug:
                return r
        raise UnknownRating(
            f"{slug!r} is not on the {self.name!r} scale; "
            f"use one of: {', '.join(r.slug for r in self.ratings)}")

    @property
    def not_checkable(self) -> Rating:
        """The label for claims that evidence cannot settle."""
        return next(r for r in self.ratings if not r.checkable)


DEFAULT_SCALE = RatingScale(
    name="factcheck",
    best=5,
    worst=1,
    ratings=(
        Rating("true", "True",
               "Accurate as stated, with nothing significant missing.",
               5, "Supported"),
        Rating("mostly-true", "Mostly true",
               "Accurate, but a detail (a figure, a date, a scope) needs clarifying.",
               4, "Supported"),
        Rating("misleading", "Misleading",
               "Half true: partly accurate, or accurate figures picked or framed "
               "to leave a false impression.",
               3, "Conflicting Evidence/Cherrypicking"),
        Rating("mostly-false", "Mostly false",
               "Contains an element of truth but ignores facts that change the picture.",
               2, "Refuted"),
        Rating("false", "False",
               "Not accurate.",
               1, "Refuted"),
        Rating("unverified", "Unverified",
               "Checkable, but no evidence was found either way.",
               None, "Not Enough Evidence"),
        Rating("not-checkable", "Not checkable",
               "An opinion, prediction or characterization: evidence cannot settle it.",
               None, "Not Enough Evidence", checkable=False),
    ),
)


def _field(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ConfigError(f"{where}: missing {key!r}")
    return data[key]


def load_scale(path: str | Path) -> RatingScale:
    """Read a team's rating scale from a YAML file.

    The file has ``name``, ``best``, ``worst`` and a list ``ratings`` whose items have
    ``slug``, ``name``, ``definition``, ``value`` (an integer or null), ``averitec``
    and optionally ``checkable`` (default true). Raises :class:`ConfigError` naming
    the file and the field at fault.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the scale: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("ratings"), list):
        raise ConfigError(f"{path}: a scale is a mapping with a list 'ratings'")
    ratings = []
    for i, item in enumerate(data["ratings"]):
        where = f"{path}: ratings[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: each rating is a mapping")
        value = item.get("value")
        if value is not None and not isinstance(value, int):
            raise ConfigError(f"{where}: 'value' must be an integer or null")
        ratings.append(Rating(
            slug=str(_field(item, "slug", where)),
            name=str(_field(item, "name", where)),
            definition=str(_field(item, "definition", where)),
            value=value,
            averitec=str(_field(item, "averitec", where)),
            checkable=bool(item.get("checkable", True)),
        ))
    best, worst = _field(data, "best", str(path)), _field(data, "worst", str(path))
    if not isinstance(best, int) or not isinstance(worst, int):
        raise ConfigError(f"{path}: 'best' and 'worst' must be integers")
    try:
        return RatingScale(name=str(_field(data, "name", str(path))),
                           ratings=tuple(ratings), best=best, worst=worst)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
