"""Dead letters -> OUT/deadletter/<name>.jsonl: one JSON object per Failure (stage, source_uri,
error, payload, at), sorted, written temp + rename so a retry or re-run replaces its own file.
Batch runs write one file per run; streams one per window and pane."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms.core.records import Failure
from transforms.write.files import remove_leftovers, temp_path
from transforms.write.naming import BatchFiles, WindowFiles
from transforms.write.parquet import window_start_of


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


def deadletter_dir(output: str) -> str:
    return f"{output.rstrip('/')}/deadletter"


def write_deadletters(path: str, failures: Iterable[Failure]) -> int:
    rows = sorted(failures, key=lambda f: (f.stage, f.source_uri, f.error, f.payload))
    tmp = temp_path(path)
    with FileSystems.create(tmp) as fh:
        for f in rows:
            # A lone surrogate in a payload becomes its JSON escape: a dead letter is never lost.
            fh.write(failure_to_json(f).encode("utf-8", "backslashreplace") + b"\n")
    FileSystems.rename([tmp], [path])
    return len(rows)


class _WriteFailuresFn(beam.DoFn):
    def __init__(self, output: str, naming: BatchFiles | WindowFiles):
        self._output, self._naming = output, naming

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        _, failures = element
        name = self._naming.deadletter_name(window_start_of(w), pane.index)
        yield write_deadletters(f"{deadletter_dir(self._output)}/{name}", failures)


def _clean_up(count: int, path: str) -> None:
    """After the run's file is written (or there was nothing to write): no file from an earlier
    run of the same input when this one had no failures, and no temp file a crash left behind."""
    if count == 0 and FileSystems.exists(path):
        FileSystems.delete([path])
    remove_leftovers(path)


class WriteDeadLetters(beam.PTransform):
    """All Failures of a run (batch) or of a window and pane (stream) into one JSON Lines file.
    A batch run without failures leaves none behind, so a re-run that fixed its input is clean."""

    def __init__(self, output: str, naming: BatchFiles | WindowFiles):
        super().__init__()
        self._output, self._naming = output, naming

    def expand(self, failures):
        written = (
            failures
            | "KeyAll" >> beam.Map(lambda f: (0, f))
            | "GroupAll" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(_WriteFailuresFn(self._output, self._naming))
        )
        if self._naming.removes_stale:
            path = f"{deadletter_dir(self._output)}/{self._naming.deadletter_name(None, 0)}"
            (
                written  # after the write: a leftover temp file is never this run's own
                | "Count" >> beam.CombineGlobally(sum)
                | "RemoveStale" >> beam.Map(_clean_up, path)
            )
        return written
