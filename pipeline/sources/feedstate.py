"""Per-feed poll state and its rules, pure: when a feed is due, when a host may be asked again,
what an answer does to the state (validators, backoff, a host's pause on a rate limit), which key
polls a host, and the one stored form of the state (JSON, in Beam state and in snapshots).
Times are integer µs UTC."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import NamedTuple

from apache_beam.io.filesystems import FileSystems

from pipeline.sources import http as http_fetch
from pipeline.sources.feedlist import FeedSpec

MAX_BACKOFF_S = 6 * 3600  # a failing feed is retried at least this often, never hot
_US = 1_000_000


class FeedState(NamedTuple):
    etag: str | None = None
    last_modified: str | None = None
    last_success: int | None = None  # µs UTC
    failures: int = 0  # consecutive
    next_due: int = 0  # µs UTC
    last_status: int = 0
    last_attempt: int = 0  # µs UTC, when the last request ended: the host's politeness clock


def due_feeds(feeds: Sequence[FeedSpec], states: dict, now: int) -> list[FeedSpec]:
    """Feeds whose next poll time has come, most overdue first."""
    due = [f for f in feeds if states.get(f.url, FeedState()).next_due <= now]
    return sorted(due, key=lambda f: (states.get(f.url, FeedState()).next_due, f.url))


def host_ready_at(feeds: Sequence[FeedSpec], states: dict, delay_us: int) -> int | None:
    """When a host may be asked for its next feed (µs): the politeness delay after its last
    request ended, and not before its next feed is due. None for a host without feeds."""
    if not feeds:
        return None
    due = min(states.get(f.url, FeedState()).next_due for f in feeds)
    last = max(states.get(f.url, FeedState()).last_attempt for f in feeds)
    return max(due, last + delay_us if last else 0)


def shard_of(host: str, shards: int) -> int:
    """The key a host is polled under: stable across processes and restarts (not hash())."""
    return zlib.crc32(host.encode("utf-8")) % max(1, shards)


def retry_delay(interval: int, failures: int) -> int:
    """Seconds until a failing feed is tried again: the interval, doubled per failure, capped."""
    return min(interval * 2 ** max(0, failures - 1), max(interval, MAX_BACKOFF_S))


def after_fetch(
    state: FeedState, result: http_fetch.FetchResult, interval: int, now: int
) -> FeedState:
    """The feed's state after one fetch: validators kept on success, backoff on failure."""
    if result.ok or result.not_modified:
        return state._replace(
            etag=result.etag or state.etag if result.ok else state.etag,
            last_modified=result.last_modified or state.last_modified
            if result.ok
            else state.last_modified,
            last_success=now,
            failures=0,
            next_due=now + interval * _US,
            last_status=result.status,
            last_attempt=now,
        )
    failures = state.failures + 1
    return state._replace(
        failures=failures,
        next_due=now + retry_delay(interval, failures) * _US,
        last_status=result.status,
        last_attempt=now,
    )


def host_pause(result: http_fetch.FetchResult, state: FeedState, interval: int) -> int | None:
    """Seconds the whole host is left alone after this answer: what a 429 or a 503 asked for in
    Retry-After (capped), else after a 429 the feed's own backoff; None when no pause is due."""
    if result.retry_after is not None and result.status in (429, 503):
        return int(min(max(result.retry_after, 1.0), MAX_BACKOFF_S))
    if result.status == 429:
        return retry_delay(interval, state.failures)
    return None


def pause_feeds(states: dict, urls: Sequence[str], until: int) -> None:
    """No feed of the host is due before `until` (µs): a rate limit is the host's, not a feed's."""
    for url in urls:
        state = states.get(url, FeedState())
        states[url] = state._replace(next_due=max(state.next_due, until))


def snapshot_path(state_dir: str, host: str) -> str:
    return f"{state_dir.rstrip('/')}/poller/{host or '_'}.json"


def states_to_json(states: dict) -> str:
    """{url: FeedState} as JSON of plain fields: the one stored form, in Beam state and snapshots.

    Not a pickle: a pickle names the module of FeedState, so moving the class would make the
    state of a running job unreadable after an update.
    """
    return json.dumps({u: s._asdict() for u, s in states.items()}, sort_keys=True)


def states_from_json(text: str) -> dict:
    """The inverse of states_to_json(), tolerant of fields added or dropped since it was written:
    unknown fields are ignored and missing ones take their defaults."""
    known = set(FeedState._fields)
    return {
        url: FeedState(**{k: v for k, v in fields.items() if k in known})
        for url, fields in json.loads(text).items()
    }


def load_snapshot(path: str) -> dict:
    try:
        if not FileSystems.exists(path):
            return {}
        with FileSystems.open(path) as fh:
            return states_from_json(fh.read().decode("utf-8"))
    except Exception:  # noqa: BLE001 - a damaged snapshot only costs one unconditional fetch
        return {}


def save_snapshot(path: str, states: dict) -> None:
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as fh:
        fh.write(states_to_json(states).encode("utf-8"))
    FileSystems.rename([tmp], [path])
