"""Write Articles as Hive-partitioned Parquet, in batch and in stream alike: per window and pane, a
GroupByKey on (date, lang, shard), then a temp file renamed onto a deterministic name.

RUNNERS.md: fileio.WriteToFiles loses rows silently with partitioned destinations and in streaming,
and WriteToParquet cannot partition; this is the pattern that held in batch, streaming and
early-firing tests. Batch runs are one global window and pane, so the same DoFn serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow

from transforms.core.failures import FAILURES, dead_letters
from transforms.core.packing import compress, decompress, pack, unpack
from transforms.core.records import Article, articles_to_table
from transforms.core.spill import spill_dir
from transforms.write.files import TMP_PREFIX, temp_path
from transforms.write.naming import BatchFiles, WindowFiles
from transforms.write.partitioning import partition_dir, partition_key
from transforms.write.spilled import SpillRowsFn, sorted_rows, write_row_groups

ROW_GROUP_ROWS = 8192  # ~40 MB of typical article text per row group: scans prune, files stay few
DECODE_ROWS = 256  # rows the batch writer holds as Python objects at once (_row_group)
WRITTEN = "written"
STEP = "write"


class WrittenFile(NamedTuple):
    path: str
    rows: int


SORT_COLUMNS = ("published_at", "article_id", "version", "content_hash")  # sort_key()'s order
# How every article file is written, by the writer and by compaction alike.
ARTICLE_WRITE_OPTIONS = {
    "compression": "zstd",
    "row_group_size": ROW_GROUP_ROWS,
    "use_dictionary": ["language", "published_at_source", "source_name", "source_uri"],
    "write_statistics": True,
}


def sort_key(a: Article) -> tuple:
    return (a.published_at or 0, a.article_id, a.version, a.content_hash)


def writable_rows(articles: list[Article]) -> tuple[list[Article], list[tuple[Article, Exception]]]:
    """The rows the Parquet schema accepts, and each refused row with why: one value pyarrow
    cannot hold (a time past its range, a wrong type) costs its own row, never its partition."""
    try:
        articles_to_table(articles)
    except Exception:  # noqa: BLE001 - find the culprits row by row
        return _split_rows(articles)
    return articles, []


def writable_table(
    articles: list[Article],
) -> tuple[pa.Table | None, list[tuple[Article, Exception]]]:
    """writable_rows() as the table of the rows it keeps (None if none), converted once."""
    try:
        return articles_to_table(articles), []
    except Exception:  # noqa: BLE001 - find the culprits row by row
        good, bad = _split_rows(articles)
        return (articles_to_table(good) if good else None), bad


def _split_rows(articles: list[Article]) -> tuple[list[Article], list[tuple[Article, Exception]]]:
    good, bad = [], []
    for a in articles:
        try:
            articles_to_table([a])
        except Exception as exc:  # noqa: BLE001 - a refused row becomes a dead letter
            bad.append((a, exc))
        else:
            good.append(a)
    return good, bad


def write_table_atomically(path: str, table, **options) -> int:
    """Write `table` to a temp file beside `path` (its folder made if missing), then rename
    onto it; returns the row count."""
    tmp = temp_path(path)
    try:
        with FileSystems.create(tmp) as fh:
            pq.write_table(table, fh, **options)
        FileSystems.rename([tmp], [path])
    except BaseException:
        if FileSystems.exists(tmp):
            FileSystems.delete([tmp])
        raise
    return table.num_rows


def write_parquet(path: str, articles: Iterable[Article]) -> int:
    """Articles in the writer's order, written atomically to `path`; returns the row count."""
    table = articles_to_table(sorted(articles, key=sort_key))
    return write_table_atomically(path, table, **ARTICLE_WRITE_OPTIONS)


def window_start_of(w) -> float | None:
    """A window's start in seconds; None for the global window of a batch run."""
    return None if isinstance(w, GlobalWindow) else float(w.start)


class _WritePartitionFn(beam.DoFn):
    def __init__(self, output: str, naming: BatchFiles | WindowFiles):
        self._output, self._naming = output, naming
        self._rows = Metrics.counter(STEP, "rows")
        self._files = Metrics.counter(STEP, "files")

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        (date, lang, shard), packed = element
        articles, refused = writable_rows([unpack_article(p) for p in packed])
        for a, exc in refused:
            yield from dead_letters(STEP, (a,), exc)
        if not articles:
            return
        name = self._naming.parquet_name(window_start_of(w), pane.index, shard)
        path = f"{partition_dir(self._output, date, lang)}/{name}"
        try:
            written = WrittenFile(path, write_parquet(path, articles))
        except Exception as exc:  # noqa: BLE001 - rows that could not be written are dead letters
            yield from dead_letters(STEP, articles, exc)
            return
        self._rows.inc(written.rows)
        self._files.inc()
        yield written


class _WriteSpilledPartitionFn(_WritePartitionFn):
    """((date, lang, shard), chunk paths) -> the partition's file, from its spilled rows
    (write/spilled.py), decoded and checked one row group at a time."""

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        (date, lang, shard), paths = element
        packed = sorted_rows(list(paths))
        refused: list[tuple[Article, Exception]] = []
        groups = (
            _row_group(packed[start : start + ROW_GROUP_ROWS], refused)
            for start in range(0, len(packed), ROW_GROUP_ROWS)
        )
        name = self._naming.parquet_name(window_start_of(w), pane.index, shard)
        path = f"{partition_dir(self._output, date, lang)}/{name}"
        try:
            written = WrittenFile(path, write_row_groups(path, groups, ARTICLE_WRITE_OPTIONS))
        except Exception as exc:  # noqa: BLE001 - rows that could not be written are dead letters
            yield from dead_letters(STEP, [unpack(p) for p in packed], exc)
            return
        for a, exc in refused:
            yield from dead_letters(STEP, (a,), exc)
        if written.rows:
            self._rows.inc(written.rows)
            self._files.inc()
            yield written


def _row_group(packed: list[bytes], refused: list) -> pa.Table | None:
    """One row group's packed rows as one table, decoded DECODE_ROWS at a time: an article as
    Python objects is several times its Arrow columns (18.6 KB against 5.0 KB, enriched bench
    articles), and a partition's row group grows with the input up to ROW_GROUP_ROWS rows.
    Decoded whole, it made the writer the peak of a run of 100,000 articles of ~2.6 KB (+50 MiB
    there, +9 at 10,000). The batches' tables are joined without a copy, into the same row
    group. Rows the schema refuses go to `refused`."""
    tables = []
    for start in range(0, len(packed), DECODE_ROWS):
        table, bad = writable_table([unpack(p) for p in packed[start : start + DECODE_ROWS]])
        refused.extend(bad)
        if table is not None:
            tables.append(table)
    return pa.concat_tables(tables) if tables else None


def _key_and_pack(shards: int):
    """The batch writer's (partition, packed row): the rows are compressed by the chunk
    (spilled.py), not one by one."""
    return lambda a: (partition_key(a, shards), pack(a))


def pack_article(a: Article) -> bytes:
    """An article as a stream's partition shuffle carries it (_KeyByPartitionFn): core.packing's
    bytes, compressed. The local runner holds a whole window's rows in that shuffle; compressed,
    they are about half the bytes (290 enriched bench articles: 5.1 KB -> 2.7 KB each)."""
    return compress(pack(a))


def unpack_article(packed: bytes) -> Article:
    return unpack(decompress(packed))


class _KeyByPartitionFn(beam.DoFn):
    """Article -> ((date, lang, shard), packed Article); an article no partition can name (or
    the coder cannot encode) is a dead letter of its own, never the run's end."""

    def __init__(self, shards: int):
        self._shards = shards

    def process(self, a: Article) -> Iterator:
        try:
            keyed = partition_key(a, self._shards), pack_article(a)
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the run
            yield from dead_letters(STEP, (a,), exc)
            return
        yield keyed


def remove_stale_files(output: str, prefix: str, keep: Iterable[str]) -> int:
    """Delete this run's files (and temp leftovers) that the current run did not write."""
    keep = set(keep)
    base = f"{output.rstrip('/')}/articles/*/*/"
    stale = [
        m.path
        for pattern in (f"{base}{prefix}-*.parquet", f"{base}{TMP_PREFIX}{prefix}-*")
        for m in FileSystems.match([pattern])[0].metadata_list
        if m.path not in keep
    ]
    if stale:
        FileSystems.delete(stale)
    return len(stale)


class WriteArticles(beam.PTransform):
    """Articles -> OUT/articles/date=…/lang=…/<name>.parquet, names from `naming`.

    Outputs "written" (WrittenFile per file) and "failures". With BatchFiles, a re-run over the
    same input replaces its own files and deletes those it no longer writes; with WindowFiles the
    input must be windowed (WindowArticles) and every window and pane is a file of its own. With
    `spill` (a batch run's spill folder), the partition shuffle carries chunk paths and the rows
    wait in files (spilled.py), so no runner holds the run's rows while it groups them.
    """

    def __init__(self, output: str, naming: BatchFiles | WindowFiles, spill: str | None = None):
        super().__init__()
        self._output, self._naming, self._spill = output, naming, spill

    def expand(self, articles):
        shards = self._naming.shards
        if self._spill is None:  # a stream's windows, or a caller without a spill folder
            key_fn = _KeyByPartitionFn(shards)
            write_fn = _WritePartitionFn(self._output, self._naming)
        else:  # batch: the shuffle carries chunk paths, the rows wait in files (spilled.py)
            key_fn = SpillRowsFn(spill_dir(self._spill, STEP), _key_and_pack(shards), STEP)
            write_fn = _WriteSpilledPartitionFn(self._output, self._naming)
        keyed = articles | "KeyByPartition" >> beam.ParDo(key_fn).with_outputs(
            FAILURES, main="keyed"
        )
        out = (
            keyed["keyed"]
            | "GroupByPartition" >> beam.GroupByKey()
            | "WritePartition" >> beam.ParDo(write_fn).with_outputs(FAILURES, main=WRITTEN)
        )
        if self._naming.removes_stale:
            output, prefix = self._output, self._naming.prefix
            (
                out[WRITTEN]
                | "WrittenPaths" >> beam.Map(lambda w: w.path)
                | "AllWritten" >> beam.combiners.ToList()
                | "RemoveStale" >> beam.Map(lambda paths: remove_stale_files(output, prefix, paths))
            )
        failures = (keyed[FAILURES], out[FAILURES]) | "AllWriteFailures" >> beam.Flatten()
        return {WRITTEN: out[WRITTEN], FAILURES: failures}
