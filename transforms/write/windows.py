"""Windowed sinks for the stream: Article -> OUT/articles/date=…/lang=…/stream-….parquet, and
Failure -> OUT/deadletter/stream-….jsonl, one file per window, pane, partition and shard.

Elements carry their ingestion time as timestamp, so an old article in a feed is on time in the
window it was fetched in and is written under its published date; nothing is ever late unless the
runner falls behind by more than ALLOWED_LATENESS_S, and even then a late pane is a new file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms import trigger, window

from transforms.core.failures import FAILURES, article_payload, make_failure
from transforms.write.deadletter import write_deadletters
from transforms.write.parquet import WRITTEN, WrittenFile, write_parquet
from transforms.write.partitioning import partition_dir, partition_key

ALLOWED_LATENESS_S = 7 * 86400  # a backlog of a week is still written, each late pane a new file


def window_label(start_s: float) -> str:
    return dt.datetime.fromtimestamp(start_s, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def stream_file_name(
    window_start: float, pane: int, shard: int, run: str, ext: str = "parquet"
) -> str:
    """Deterministic per (window, pane, shard, run): a retried bundle overwrites its own file, and
    a restarted run (another `run`) never overwrites what an earlier run wrote."""
    return f"stream-{window_label(window_start)}-{pane:03d}-{shard:04d}-{run}.{ext}"


class WindowArticles(beam.PTransform):
    """Cut the stream into FixedWindows of `seconds` of ingestion time: on time at the watermark,
    then one more pane per late element (AfterCount(1) inside AfterWatermark; a bare
    Repeatedly(AfterCount) stalls the local runner)."""

    def __init__(self, seconds: int):
        super().__init__()
        self._seconds = seconds

    def expand(self, pcoll):
        return pcoll | "FixedWindows" >> beam.WindowInto(
            window.FixedWindows(self._seconds),
            trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
            accumulation_mode=trigger.AccumulationMode.DISCARDING,
            allowed_lateness=ALLOWED_LATENESS_S,
        )


class _WritePaneFn(beam.DoFn):
    def __init__(self, output: str, run: str):
        self._output, self._run = output, run
        self._rows = Metrics.counter("write", "rows")
        self._files = Metrics.counter("write", "files")

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        (date, lang, shard), articles = element
        articles = list(articles)
        name = stream_file_name(float(w.start), pane.index, shard, self._run)
        path = f"{partition_dir(self._output, date, lang)}/{name}"
        try:
            written = WrittenFile(path, write_parquet(path, articles))
        except Exception as exc:  # noqa: BLE001 - rows that could not be written are dead letters
            for a in articles:
                yield pvalue.TaggedOutput(
                    FAILURES, make_failure("write", a.source_uri, exc, article_payload(a))
                )
            return
        self._rows.inc(written.rows)
        self._files.inc()
        yield written


class WriteArticleWindows(beam.PTransform):
    """Windowed Articles -> "written" (WrittenFile per file) and "failures".

    Per window and pane, a GroupByKey on (date, lang, shard), then temp + rename onto a
    deterministic name (RUNNERS.md: WriteToFiles and WriteToParquet lose rows in streaming).
    """

    def __init__(self, output: str, run: str, shards: int = 1):
        super().__init__()
        self._output, self._run, self._shards = output, run, shards

    def expand(self, articles):
        shards = self._shards
        return (
            articles
            | "KeyByPartition" >> beam.Map(lambda a: (partition_key(a, shards), a))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WritePane"
            >> beam.ParDo(_WritePaneFn(self._output, self._run)).with_outputs(
                FAILURES, main=WRITTEN
            )
        )


class _WriteFailuresFn(beam.DoFn):
    def __init__(self, output: str, run: str):
        self._output, self._run = output, run

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        _, failures = element
        name = stream_file_name(float(w.start), pane.index, 0, self._run, "jsonl")
        yield write_deadletters(f"{self._output.rstrip('/')}/deadletter/{name}", failures)


class WriteFailureWindows(beam.PTransform):
    """Windowed Failures -> OUT/deadletter/stream-<window>-<pane>-0000-<run>.jsonl."""

    def __init__(self, output: str, run: str):
        super().__init__()
        self._output, self._run = output, run

    def expand(self, failures):
        return (
            failures
            | "KeyAll" >> beam.Map(lambda f: (0, f))
            | "GroupAll" >> beam.GroupByKey()
            | "WritePane" >> beam.ParDo(_WriteFailuresFn(self._output, self._run))
        )
