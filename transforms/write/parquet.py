"""Write Articles as Hive-partitioned Parquet, in batch and in stream alike: per window and pane, a
GroupByKey on (date, lang, shard), then a temp file renamed onto a deterministic name.

RUNNERS.md: fileio.WriteToFiles loses rows silently with partitioned destinations and in streaming,
and WriteToParquet cannot partition; this is the pattern that held in batch, streaming and
early-firing tests. Batch runs are one global window and pane, so the same DoFn serves both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow

from transforms.core.failures import FAILURES, dead_letters
from transforms.core.records import Article, articles_to_table
from transforms.write.naming import BatchFiles, WindowFiles
from transforms.write.partitioning import partition_dir, partition_key

ROW_GROUP_ROWS = 8192  # ~40 MB of typical article text per row group: scans prune, files stay few
WRITTEN = "written"
STEP = "write"


class WrittenFile(NamedTuple):
    path: str
    rows: int


def sort_key(a: Article) -> tuple:
    return (a.published_at or 0, a.article_id, a.version, a.content_hash)


def write_parquet(path: str, articles: Iterable[Article]) -> int:
    """Write rows to a temp file beside `path`, then rename onto it; returns the row count."""
    rows = sorted(articles, key=sort_key)
    table = articles_to_table(rows)
    directory, name = path.rsplit("/", 1)
    tmp = f"{directory}/.tmp-{name}-{uuid.uuid4().hex}"
    try:
        with FileSystems.create(tmp) as fh:
            pq.write_table(
                table,
                fh,
                compression="zstd",
                row_group_size=ROW_GROUP_ROWS,
                use_dictionary=["language", "published_at_source", "source_name", "source_uri"],
                write_statistics=True,
            )
        FileSystems.rename([tmp], [path])
    except BaseException:
        if FileSystems.exists(tmp):
            FileSystems.delete([tmp])
        raise
    return len(rows)


def window_start_of(w) -> float | None:
    """A window's start in seconds; None for the global window of a batch run."""
    return None if isinstance(w, GlobalWindow) else float(w.start)


class _WritePartitionFn(beam.DoFn):
    def __init__(self, output: str, naming: BatchFiles | WindowFiles):
        self._output, self._naming = output, naming
        self._rows = Metrics.counter(STEP, "rows")
        self._files = Metrics.counter(STEP, "files")

    def process(self, element, w=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam) -> Iterator:
        (date, lang, shard), articles = element
        articles = list(articles)
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


def remove_stale_files(output: str, prefix: str, keep: Iterable[str]) -> int:
    """Delete this run's files (and temp leftovers) that the current run did not write."""
    keep = set(keep)
    base = f"{output.rstrip('/')}/articles/*/*/"
    stale = [
        m.path
        for pattern in (f"{base}{prefix}-*.parquet", f"{base}.tmp-{prefix}-*")
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
    input must be windowed (WindowArticles) and every window and pane is a file of its own.
    """

    def __init__(self, output: str, naming: BatchFiles | WindowFiles):
        super().__init__()
        self._output, self._naming = output, naming

    def expand(self, articles):
        shards = self._naming.shards
        out = (
            articles
            | "KeyByPartition" >> beam.Map(lambda a: (partition_key(a, shards), a))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WritePartition"
            >> beam.ParDo(_WritePartitionFn(self._output, self._naming)).with_outputs(
                FAILURES, main=WRITTEN
            )
        )
        if self._naming.removes_stale:
            output, prefix = self._output, self._naming.prefix
            (
                out[WRITTEN]
                | "WrittenPaths" >> beam.Map(lambda w: w.path)
                | "AllWritten" >> beam.combiners.ToList()
                | "RemoveStale" >> beam.Map(lambda paths: remove_stale_files(output, prefix, paths))
            )
        return out
