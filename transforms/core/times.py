"""Time in records: integer microseconds since the Unix epoch, UTC. One converter, one day, one
plausibility rule for every step."""

from __future__ import annotations

import time
from datetime import UTC, datetime

US = 1_000_000  # microseconds per second
DAY_US = 86_400 * US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# No web page, feed or online news item is older than the web (1991) and RSS (1999): an earlier
# time is a default or a sentinel (epoch 0, year 1, 1900-01-01, a two-digit year read wrong), not
# a date. Articles older than this are written, but with the date unknown.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return time.time_ns() // 1000


def to_us(value: datetime) -> int:
    """A datetime as µs since the epoch, exactly (no float rounding); naive means UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


EARLIEST_US = to_us(EARLIEST)


def plausible(at: object, ingested_at: int) -> int | None:
    """The time if it can be a published or modified time, else None (unknown).

    The one rule for every format: from EARLIEST to a day after ingestion. Later is a feed or page
    bug, not news from tomorrow; earlier is a sentinel. So every time that leaves parse converts to
    timestamp[us, UTC] and to a four-digit partition date. Anything that is not an int (a float,
    a bool) is not a time in a record.
    """
    if type(at) is not int or not EARLIEST_US <= at <= ingested_at + DAY_US:
        return None
    return at
