"""Source health: SourceEvents -> one SOURCE_HEALTH_SCHEMA row per feed per window, written as
OUT/sources/date=…/part-<window>-<run>.parquet. Pure counting lives in health_row(); the shell sums
with a CombineFn, so thousands of feeds cost one small accumulator each, never a grouped list.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import reduce
from typing import NamedTuple

import apache_beam as beam
import pyarrow as pa
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import FixedWindows

from transforms.core.failures import FAILURES, make_failure
from transforms.core.records import FETCH_NOT_FAILED, SOURCE_HEALTH_SCHEMA, SourceEvent
from transforms.write.naming import window_label
from transforms.write.parquet import WRITTEN, WrittenFile, write_table_atomically

STEP = "write_sources"
POLL, PAGE, ITEM = "poll", "page", "item"
# Poll outcomes with a column of their own; "error" (no HTTP answer) counts as a poll only.
POLL_COLUMNS = {
    "200": "http_200",
    "304": "http_304",
    "4xx": "http_4xx",
    "5xx": "http_5xx",
    "timeout": "timeouts",
}
PAGE_COLUMNS = {"ok": "pages_fetched", "robots": "robots_blocked"}
# The summed columns: every int32 column of the schema, in its order.
COUNTERS = tuple(f.name for f in SOURCE_HEALTH_SCHEMA if pa.types.is_int32(f.type))
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class HealthCounts(NamedTuple):
    """What one feed's events in one window add up to. The lists are per event, not summed,
    because a median cannot be merged from medians; a feed has few events per window."""

    polls: int = 0
    http_200: int = 0
    http_304: int = 0
    http_4xx: int = 0
    http_5xx: int = 0
    timeouts: int = 0
    robots_blocked: int = 0
    new_items: int = 0
    pages_fetched: int = 0
    failed: tuple[str, ...] = ()  # the fetch_status of each failed page fetch
    fetch_ms: tuple[float, ...] = ()  # of each poll and page fetch that timed one
    last_success: int | None = None  # µs


def _columns_counted(e: SourceEvent) -> tuple[str, ...]:
    if e.kind == POLL:
        column = POLL_COLUMNS.get(e.outcome)
        return ("polls", column) if column else ("polls",)
    if e.kind == PAGE and e.outcome in PAGE_COLUMNS:
        return (PAGE_COLUMNS[e.outcome],)
    if e.kind == ITEM:
        return ("new_items",)
    return ()


def _latest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)


def add_event(c: HealthCounts, e: SourceEvent) -> HealthCounts:
    """`c` with one more event counted."""
    changes = {name: getattr(c, name) + 1 for name in _columns_counted(e)}
    if e.kind == PAGE and e.outcome not in FETCH_NOT_FAILED:
        changes["failed"] = (*c.failed, e.outcome)
    # A NaN would make the median NaN: an untimed fetch is left out, not guessed.
    timed = e.fetch_ms is not None and math.isfinite(e.fetch_ms)
    if e.kind in (POLL, PAGE) and timed:
        changes["fetch_ms"] = (*c.fetch_ms, float(e.fetch_ms))
    if e.last_success is not None:
        changes["last_success"] = _latest(c.last_success, e.last_success)
    return c._replace(**changes)


def merge_counts(a: HealthCounts, b: HealthCounts) -> HealthCounts:
    return HealthCounts(
        *(getattr(a, n) + getattr(b, n) for n in COUNTERS),
        failed=a.failed + b.failed,
        fetch_ms=a.fetch_ms + b.fetch_ms,
        last_success=_latest(a.last_success, b.last_success),
    )


def counts_to_row(feed: str, window_start_us: int, c: HealthCounts) -> dict:
    """A dict whose keys and value shapes match SOURCE_HEALTH_SCHEMA (times as µs)."""
    return {
        "feed": feed,
        "window_start": window_start_us,
        **{name: getattr(c, name) for name in COUNTERS},
        "fetch_failures": [
            {"reason": reason, "count": n} for reason, n in sorted(Counter(c.failed).items())
        ],
        "median_fetch_ms": statistics.median(c.fetch_ms) if c.fetch_ms else None,
        "last_success": c.last_success,
    }


def health_row(feed: str, window_start_us: int, events: Iterable[SourceEvent]) -> dict:
    """One feed's events in one window as its SOURCE_HEALTH_SCHEMA row."""
    return counts_to_row(feed, window_start_us, reduce(add_event, events, HealthCounts()))


def health_table(rows: Iterable[dict]) -> pa.Table:
    """Rows sorted by feed, with the declared schema: never one inferred from the first row."""
    return pa.Table.from_pylist(sorted(rows, key=lambda r: r["feed"]), schema=SOURCE_HEALTH_SCHEMA)


def day_of(us: int) -> str:
    return (_EPOCH + dt.timedelta(microseconds=us)).date().isoformat()


def sources_dir(output: str, date: str) -> str:
    return f"{output.rstrip('/')}/sources/date={date}"


def health_file_name(window_start_s: float, run: str) -> str:
    """One file per window and run: a retried bundle or a re-run of `run` overwrites its own."""
    return f"part-{window_label(window_start_s)}-{run}.parquet"


def write_health_file(path: str, rows: Iterable[dict]) -> int:
    """Write rows to a temp file beside `path`, then rename onto it; returns the row count."""
    return write_table_atomically(path, health_table(rows), compression="zstd")


class _SumHealthFn(beam.CombineFn):
    def create_accumulator(self) -> HealthCounts:
        return HealthCounts()

    def add_input(self, acc: HealthCounts, e: SourceEvent) -> HealthCounts:
        return add_event(acc, e)

    def merge_accumulators(self, accs: Iterable[HealthCounts]) -> HealthCounts:
        return reduce(merge_counts, accs, HealthCounts())

    def extract_output(self, acc: HealthCounts) -> HealthCounts:
        return acc


class _HealthRowFn(beam.DoFn):
    """(feed, counts) -> (window date, row): the row needs its window's start, which only a
    DoFn can see."""

    def process(self, element, w=beam.DoFn.WindowParam) -> Iterator[tuple[str, dict]]:
        feed, counts = element
        start_us = w.start.micros
        yield day_of(start_us), counts_to_row(feed, start_us, counts)


class _WriteHealthFn(beam.DoFn):
    def __init__(self, output: str, run: str):
        self._output, self._run = output, run
        self._rows = Metrics.counter(STEP, "rows")
        self._files = Metrics.counter(STEP, "files")

    def process(self, element, w=beam.DoFn.WindowParam) -> Iterator:
        date, rows = element
        rows = list(rows)
        name = health_file_name(float(w.start), self._run)
        path = f"{sources_dir(self._output, date)}/{name}"
        try:
            written = WrittenFile(path, write_health_file(path, rows))
        except Exception as exc:  # noqa: BLE001 - rows that could not be written are dead letters
            for row in rows:
                payload = json.dumps(row, default=str)
                yield pvalue.TaggedOutput(FAILURES, make_failure(STEP, row["feed"], exc, payload))
            return
        self._rows.inc(written.rows)
        self._files.inc()
        yield written


class WriteSourceHealth(beam.PTransform):
    """Timestamped SourceEvents (event time = `at`) -> one Parquet file per window of `window_s`
    seconds: OUT/sources/date=<window day>/part-<window start>-<run>.parquet, a row per feed.

    Outputs "written" (WrittenFile per file) and "failures". Only the default trigger is
    supported: one pane per window, so the file name needs no pane index; late events are dropped.
    """

    def __init__(self, output: str, window_s: int, run: str):
        super().__init__()
        self._output, self._window_s, self._run = output, window_s, run

    def expand(self, events):
        out = (
            events
            | "WindowSourceEvents" >> beam.WindowInto(FixedWindows(self._window_s))
            | "KeyByFeed"
            >> beam.Map(lambda e: (e.feed, e)).with_output_types(tuple[str, SourceEvent])
            | "SumPerFeed" >> beam.CombinePerKey(_SumHealthFn())
            | "HealthRow" >> beam.ParDo(_HealthRowFn())
            | "GroupByWindow" >> beam.GroupByKey()
            | "WriteHealthFile"
            >> beam.ParDo(_WriteHealthFn(self._output, self._run)).with_outputs(
                FAILURES, main=WRITTEN
            )
        )
        return {WRITTEN: out[WRITTEN], FAILURES: out[FAILURES]}
