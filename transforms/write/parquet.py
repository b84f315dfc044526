"""Write Articles as Hive-partitioned Parquet: GroupByKey per (date, lang, shard), temp + rename.

A partition's file name is a function of the run's input and the shard only, so a retried bundle or
a re-run overwrites the same file instead of adding a second copy (RUNNERS.md: fileio.WriteToFiles
loses data silently with partitioned destinations; WriteToParquet cannot partition).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems

from transforms.core.failures import FAILURES, article_payload, make_failure
from transforms.core.records import Article, articles_to_table
from transforms.write.partitioning import batch_file_name, partition_dir, partition_key

ROW_GROUP_ROWS = 8192  # ~40 MB of typical article text per row group: scans prune, files stay few
WRITTEN = "written"


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


class _WritePartitionFn(beam.DoFn):
    def __init__(self, output: str, key: str, shards: int):
        self._output, self._key, self._shards = output, key, shards

    def process(self, element) -> Iterator:
        (date, lang, shard), articles = element
        articles = list(articles)
        path = f"{partition_dir(self._output, date, lang)}/{batch_file_name(self._key, shard, self._shards)}"
        try:
            yield WrittenFile(path, write_parquet(path, articles))
        except Exception as exc:  # noqa: BLE001 - rows that could not be written are dead letters
            for a in articles:
                yield pvalue.TaggedOutput(
                    FAILURES, make_failure("write", a.source_uri, exc, article_payload(a))
                )


def remove_stale_files(output: str, key: str, keep: Iterable[str]) -> int:
    """Delete this run's files (and temp leftovers) that the current run did not write."""
    keep = set(keep)
    base = f"{output.rstrip('/')}/articles/*/*/"
    stale = [
        m.path
        for pattern in (f"{base}batch-{key}-*.parquet", f"{base}.tmp-batch-{key}-*")
        for m in FileSystems.match([pattern])[0].metadata_list
        if m.path not in keep
    ]
    if stale:
        FileSystems.delete(stale)
    return len(stale)


class WriteArticles(beam.PTransform):
    """Articles -> OUT/articles/date=…/lang=…/batch-<key>-<shard>-of-<n>.parquet.

    Outputs "written" (WrittenFile per file) and "failures". `key` names the run's input so that a
    re-run over the same input replaces its own files and other inputs' files stay.
    """

    def __init__(self, output: str, key: str, shards: int = 1):
        super().__init__()
        self._output, self._key, self._shards = output, key, shards

    def expand(self, articles):
        shards = self._shards
        out = (
            articles
            | "KeyByPartition" >> beam.Map(lambda a: (partition_key(a, shards), a))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WritePartition"
            >> beam.ParDo(_WritePartitionFn(self._output, self._key, shards)).with_outputs(
                FAILURES, main=WRITTEN
            )
        )
        output, key = self._output, self._key
        (
            out[WRITTEN]
            | "WrittenPaths" >> beam.Map(lambda w: w.path)
            | "AllWritten" >> beam.combiners.ToList()
            | "RemoveStale" >> beam.Map(lambda paths: remove_stale_files(output, key, paths))
        )
        return out
