"""When to check a source next: its interval with jitter, failures backing off."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

__all__ = ["BACKOFF_CAP", "FIRST_RETRY", "JITTER", "next_check"]

#: +-10% of the interval, so that a host's sources do not all fall due at one moment.
JITTER = 0.10
#: After a failure, try again after this, doubling per consecutive failure ...
FIRST_RETRY = timedelta(hours=1)
#: ... but never wait longer than this: a failing source is never dropped.
BACKOFF_CAP = timedelta(days=7)


def next_check(now: datetime, interval: timedelta, failures: int,
               rng: random.Random | None = None) -> datetime:
    """The next check time after a check that left ``failures`` consecutive failures."""
    rng = rng or random.Random()
    wait = interval if failures <= 0 else min(BACKOFF_CAP, FIRST_RETRY * 2 ** (failures - 1))
    return now + wait * (1 + rng.uniform(-JITTER, JITTER))
