"""When to check a source next: its interval with jitter, failures backing off."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

__all__ = ["BACKOFF_CAP", "FIRST_RETRY", "JITTER", "MIN_INTERVAL", "next_check",
           "parse_interval"]

#: The shortest check interval a source may have: rechecking a page more often than
#: hourly is impolite and tells a desk nothing new.
MIN_INTERVAL = timedelta(hours=1)
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

#: +-10% of the interval, so that a host's sources do not all fall due at one moment.
JITTER = 0.10
#: After a failure, try again after this, doubling per consecutive failure ...
FIRST_RETRY = timedelta(hours=1)
#: ... but never wait longer than this: a failing source is never dropped.
BACKOFF_CAP = timedelta(days=7)


def next_check(now: datetime, interval: timedelta, failures: int,
               rng: random.Random | None = None) -> datetime:
    """The next check time after a check that left ``failures`` consecutive failures."""
    uniform = rng.uniform if rng is not None else random.uniform
    wait = interval if failures <= 0 else min(BACKOFF_CAP, FIRST_RETRY * 2 ** (failures - 1))
    return now + wait * (1 + uniform(-JITTER, JITTER))


def parse_interval(text: str) -> timedelta:
    """``"7d"``, ``"12h"``, ``"2w"``, ``"90m"`` as a timedelta; ValueError saying what is
    accepted otherwise, or when it is under an hour."""
    value = str(text).strip().lower()
    unit = value[-1:] if value else ""
    if unit not in _UNITS or not value[:-1].isdigit() or not value[:-1].isascii():
        raise ValueError(f"{text!r} is not an interval: use a whole number and m, h, d or w "
                         "(7d, 12h, 2w)")
    interval = timedelta(seconds=int(value[:-1]) * _UNITS[unit])
    if interval < MIN_INTERVAL:
        raise ValueError(f"{text!r} is shorter than {MIN_INTERVAL}: a source is checked "
                         "at most hourly")
    return interval
