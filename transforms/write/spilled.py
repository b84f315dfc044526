"""The batch writer's shuffle without the rows: each bundle parks its packed rows in one chunk file
per partition, the GroupByKey on (date, lang, shard) carries chunk paths, and each partition's
file is written from its chunks.

The local runner holds a whole shuffle in memory, two or three copies of it while it groups: with
the rows in it, writing was the peak of a 100,000-article run (RSS 925 MB before the step,
1,652 MB during it). A partition is read back as packed rows, sorted by a byte key that sorts
as sort_key() does, and decoded one row group at a time, so what the step holds is one partition's
packed rows and one row group of articles, whatever the input's size.

Chunks are core.spill's files of byte strings (SpillByKeyFn): random names, written to a
temporary name and renamed; they go with the run's spill folder. Each chunk is compressed whole,
not row by row: `bench/bench_packing.py --n 300` (enriched bench articles, session 35, a slow
hour) gives 25 µs per article to compress in a chunk of 256, to 0.36 of the bytes, against 66 µs
(122.6 - 56.8) and 0.50 one row at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from transforms.core.failures import dead_letters
from transforms.core.framing import frame
from transforms.core.records import ARTICLE_SCHEMA, Article
from transforms.core.spill import SpillByKeyFn, read_blobs
from transforms.write.files import temp_path

CHUNK_BYTES = 4 << 20  # a partition's chunk is written once its packed rows reach this
_TIME_OFFSET = 1 << 63  # µs as unsigned big-endian bytes: negative times sort first too


def sort_bytes(a: Article) -> bytes:
    """sort_key(a) as bytes that sort the same way: big-endian times and versions, and each text
    after its UTF-8 bytes and a NUL (UTF-8 keeps code-point order; the NUL puts a prefix first)."""
    return (
        ((a.published_at or 0) + _TIME_OFFSET).to_bytes(8, "big")
        + a.article_id.encode("utf-8")
        + b"\0"
        + a.version.to_bytes(8, "big", signed=False)
        + a.content_hash.encode("utf-8")
        + b"\0"
    )


def read_rows_chunk(path: str) -> list[tuple[bytes, bytes]]:
    """A chunk's (sort bytes, packed row) pairs."""
    out = []
    for e in read_blobs(path, compressed=True):
        size = int.from_bytes(e[:2], "big")
        out.append((e[2 : 2 + size], e[2 + size :]))
    return out


class SpillRowsFn(SpillByKeyFn):
    """Article -> ((date, lang, shard), chunk path), one path per partition per bundle (more for a
    partition past CHUNK_BYTES). `key_and_pack(article)` gives its partition and packed row and
    raises on an article no partition can name: that article is a dead letter of its own."""

    def __init__(self, directory: str, key_and_pack, step: str):
        super().__init__(directory, CHUNK_BYTES, ".rows", compressed=True)
        self._key_and_pack, self._step = key_and_pack, step

    def process(self, a: Article) -> Iterator:
        try:
            key, packed = self._key_and_pack(a)
            entry = frame(sort_bytes(a), 2) + packed
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the run
            yield from dead_letters(self._step, (a,), exc)
            return
        yield from self.add(key, entry)


def sorted_rows(paths: list[str]) -> list[bytes]:
    """A partition's packed rows from its chunks, in the writer's order."""
    pairs = [pair for path in sorted(paths) for pair in read_rows_chunk(path)]
    pairs.sort(key=lambda pair: pair[0])
    return [packed for _, packed in pairs]


def write_row_groups(path: str, groups: Iterator[pa.Table | None], options: dict) -> int:
    """Row groups (tables of ARTICLE_SCHEMA), in order, into one Parquet file written atomically;
    returns the row count. Nothing is written (and 0 returned) when every group is empty."""
    options = dict(options)
    group_rows = options.pop("row_group_size")
    tmp, rows, writer, fh = temp_path(path), 0, None, None
    try:
        for table in groups:
            if table is None or not table.num_rows:
                continue
            if writer is None:
                fh = FileSystems.create(tmp)
                writer = pq.ParquetWriter(fh, ARTICLE_SCHEMA, **options)
            writer.write_table(table, row_group_size=group_rows)
            rows += table.num_rows
        if writer is not None:
            writer.close()
            fh.close()
            FileSystems.rename([tmp], [path])
    except BaseException:
        if fh is not None:
            fh.close()
        if FileSystems.exists(tmp):
            FileSystems.delete([tmp])
        raise
    return rows
