"""A feed's polling state — validators, last success, consecutive failures, next due time — and
its one stored form: JSON text, in Beam state and in the per-host snapshot files under
OUT/_stream/poller/ (staged per epoch on the local runner: sources/staging.py)."""

from __future__ import annotations

import json
from typing import NamedTuple

from apache_beam.io.filesystems import FileSystems


class FeedState(NamedTuple):
    etag: str | None = None
    last_modified: str | None = None
    last_success: int | None = None  # µs UTC
    failures: int = 0  # consecutive
    next_due: int = 0  # µs UTC
    last_status: int = 0


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
