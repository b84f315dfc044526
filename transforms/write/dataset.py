"""Read back what the sink wrote: recent rows of OUT/articles, for the stream's restart seeds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import apache_beam as beam

from transforms.core.times import to_us

_TIME_COLUMNS = ("ingested_at", "published_at", "modified_at")


def read_schema():
    """ARTICLE_SCHEMA with every column nullable: files of an older schema version lack the
    newer columns, which then read as nulls."""
    import pyarrow as pa

    from transforms.core.records import ARTICLE_SCHEMA

    return pa.schema([f.with_nullable(True) for f in ARTICLE_SCHEMA])


def read_rows(
    output: str,
    since_us: int,
    columns: Sequence[str],
    hashes: Iterable[str] | None = None,
) -> list[dict]:
    """Rows of OUT/articles ingested at or after `since_us` (only those whose content_hash is in
    `hashes`, when given), with `columns`; times as µs. No dataset yet: no rows."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    root = f"{output.rstrip('/')}/articles"
    try:
        dataset = ds.dataset(
            root,
            schema=read_schema(),
            format="parquet",
            partitioning="hive",
            exclude_invalid_files=True,
        )
    except (FileNotFoundError, OSError):
        return []
    since = ds.field("ingested_at") >= ds.scalar(pa.scalar(since_us, pa.timestamp("us", tz="UTC")))
    if hashes is not None:
        since = since & ds.field("content_hash").isin(sorted(hashes))
    rows = dataset.to_table(columns=list(columns), filter=since).to_pylist()
    for row in rows:
        for column in _TIME_COLUMNS:
            if row.get(column) is not None:
                row[column] = to_us(row[column])
    return rows


class ReadSeed(beam.PTransform):
    """PBegin -> the (key, value) pairs a stateful streaming step starts from, made by
    `entries(output, since_us)` out of what OUT/articles already holds, once when the job starts."""

    def __init__(self, output: str, since_us: int, entries: Callable[[str, int], Iterator[tuple]]):
        super().__init__()
        self._output, self._since, self._entries = output, since_us, entries

    def expand(self, pbegin):
        output, since, entries = self._output, self._since, self._entries
        return (
            pbegin
            | "Start" >> beam.Impulse()  # a standard primitive: Create is not portable in streaming
            | "ReadDataset" >> beam.FlatMap(lambda _: entries(output, since))
        )
