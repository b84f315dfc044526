"""Small records through spill files instead of the runner's memory: a GroupByKey whose values
wait in files (SpilledGroupByKey), and a PCollection with many readers held as file paths
(SpillRecordsFn, read_records).

Beam's local runner keeps every PCollection that crosses a fusion break in memory, encoded, until
its last reader has run, and copies it while a stage reads it; a grouped one two or three times
over. For one record per article with its 1 KiB signature, at 100,000 articles, that was the
run's peak. Records are marshal's bytes: these are the run's own transient files, written and
read by the same code, never state. Keys and values must be what marshal writes back exactly
(str, bytes, int, float, bool, None, in plain tuples and lists).
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindows

from transforms.core.memory import give_back_free_memory
from transforms.core.spill import SpillByKeyFn, blobs_in, framed_blob, read_blobs, write_framed


class SpilledGroupByKey(beam.PTransform):
    """(key, value) -> (key, [values]), a GroupByKey whose values wait in spill files: the keys go
    to `groups` groups (crc32 of the key; str or bytes keys), each bundle's entries of a group to
    files (SpillByKeyFn), the shuffle carries the files' paths, and each group is read back and
    grouped by key where it is consumed: the runner holds paths, a consumer one group's entries.
    The order of a key's values is not defined, as with a GroupByKey."""

    def __init__(self, directory: str, groups: int = 64):
        super().__init__()
        self._directory, self._groups = directory, groups

    def expand(self, pcoll):
        return (
            pcoll
            | "KeyByGroup" >> beam.Map(_group_entry, self._groups)
            | "SpillGroups" >> beam.ParDo(SpillByKeyFn(self._directory))
            | "GroupByGroup" >> beam.GroupByKey()
            | "ReadGroup" >> beam.FlatMap(_read_group)
        )


def _group_entry(kv: tuple, groups: int) -> tuple[int, bytes]:
    key = kv[0]
    key_bytes = key if isinstance(key, bytes) else key.encode("utf-8")
    return zlib.crc32(key_bytes) % groups, marshal.dumps((key, kv[1]))


def _read_group(group: tuple) -> Iterator[tuple]:
    by_key: dict = {}
    for entry in blobs_in(group[1]):
        key, value = marshal.loads(entry)
        by_key.setdefault(key, []).append(value)
    return iter(by_key.items())


class SpillRecordsFn(beam.DoFn):
    """Record -> the path of a file of records (at most `chunk_bytes` of them each, the rest at
    the end of the bundle): a PCollection many steps read is passed on as paths, and each reader
    reads the files (read_records). Files are written whole under random names (core.spill)."""

    def __init__(self, directory: str, chunk_bytes: int = 4 << 20):
        self._directory, self._chunk_bytes = directory, chunk_bytes

    def start_bundle(self) -> None:
        self._framed = bytearray()

    def process(self, record) -> Iterator[str]:
        self._framed += framed_blob(marshal.dumps(record))
        if len(self._framed) >= self._chunk_bytes:
            yield self._flush()

    def finish_bundle(self) -> Iterator:
        if self._framed:
            yield GlobalWindows.windowed_value(self._flush())
        give_back_free_memory()

    def _flush(self) -> str:
        framed, self._framed = self._framed, bytearray()  # written as it is: no copy
        return write_framed(self._directory, framed, ".records")


def read_records(path: str) -> Iterator:
    """A SpillRecordsFn file's records, in the order they were written."""
    return (marshal.loads(entry) for entry in read_blobs(path))
