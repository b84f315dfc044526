"""Dead letters -> OUT/deadletter/<run>.jsonl: one JSON object per Failure (stage, source_uri, error,
payload, at), sorted, written temp + rename so a re-run replaces its own file."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms.core.records import Failure


def failure_to_json(f: Failure) -> str:
    at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=f.at)
    return json.dumps(
        {
            "stage": f.stage,
            "source_uri": f.source_uri,
            "error": f.error,
            "payload": f.payload,
            "at": at.isoformat(),
        },
        ensure_ascii=False,
    )


def deadletter_path(output: str, key: str) -> str:
    return f"{output.rstrip('/')}/deadletter/batch-{key}.jsonl"


def write_deadletters(path: str, failures: Iterable[Failure]) -> int:
    rows = sorted(failures, key=lambda f: (f.stage, f.source_uri, f.error, f.payload))
    directory, name = path.rsplit("/", 1)
    tmp = f"{directory}/.tmp-{name}-{uuid.uuid4().hex}"
    with FileSystems.create(tmp) as fh:
        for f in rows:
            fh.write(failure_to_json(f).encode("utf-8") + b"\n")
    FileSystems.rename([tmp], [path])
    return len(rows)


def _remove_if_empty(count: int, path: str) -> None:
    if count == 0 and FileSystems.exists(path):
        FileSystems.delete([path])


class WriteDeadLetters(beam.PTransform):
    """All Failures of a run into one JSON Lines file; a run without failures leaves none behind."""

    def __init__(self, output: str, key: str):
        super().__init__()
        self._path = deadletter_path(output, key)

    def expand(self, failures):
        path = self._path
        written = (
            failures
            | "KeyAll" >> beam.Map(lambda f: (0, f))
            | "GroupAll" >> beam.GroupByKey()
            | "Write" >> beam.MapTuple(lambda _, fs: write_deadletters(path, fs))
        )
        (
            failures
            | "Count" >> beam.combiners.Count.Globally()
            | "RemoveStale" >> beam.Map(_remove_if_empty, path)
        )
        return written
