"""Time in records: integer microseconds since the Unix epoch, UTC. One converter, one day, one
plausibility rule for every step."""

from __future__ import annotations

import time
from datetime import UTC, datetime

US = 1_000_000  # microseconds per second
DAY_US = 86_400 * US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return time.time_ns() // 1000


def to_us(value: datetime) -> int:
    """A datetime as µs since the epoch, exactly (no float rounding); naive means UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def plausible(at: int | None, ingested_at: int) -> int | None:
    """A published time more than a day after ingestion is wrong (a feed or page bug, not news
    from tomorrow), so it counts as unknown."""
    if at is None or at > ingested_at + DAY_US:
        return None
    return at
