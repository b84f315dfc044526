"""Batch file source: a glob of local paths or Beam filesystem URIs -> RawDocument | Failure.

Files are read raw (no transparent decompression) and capped, so gzip bombs, oversized pages and
undecodable bytes are judged by the parse step, which turns them into dead letters.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.core.failures import ARTICLES, FAILURES, make_failure
from transforms.core.records import RawDocument
from transforms.core.times import now_us

DOCUMENTS = ARTICLES  # the main output tag of the source: the documents it read

# Files beside the input that are not input: expectation sidecars, hidden and temporary files.
_SKIPPED_SUFFIXES = (".expect.json",)


def is_input_path(path: str) -> bool:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return bool(name) and not name.startswith((".", "_")) and not name.endswith(_SKIPPED_SUFFIXES)


def expand_input(pattern: str) -> str:
    """A folder means everything below it; a glob or a file is taken as it is."""
    if any(ch in pattern for ch in "*?["):
        return pattern
    if "://" not in pattern:
        return os.path.join(pattern, "**") if os.path.isdir(pattern) else pattern
    try:  # object stores have no folders: a prefix that is not an object is read as one
        matched = bool(FileSystems.match([pattern])[0].metadata_list)
    except Exception:  # noqa: BLE001 - an unmatched pattern is judged by count_inputs
        matched = False
    return pattern if matched else FileSystems.join(pattern.rstrip("/"), "**")


def count_inputs(pattern: str) -> int:
    """How many input files the (expanded) pattern matches; used to validate before a run."""
    result = FileSystems.match([pattern])[0]
    return sum(1 for m in result.metadata_list if is_input_path(m.path))


class _ReadFileFn(beam.DoFn):
    def __init__(self, max_bytes: int):
        self._max_bytes = max_bytes

    def process(self, readable: fileio.ReadableFile) -> Iterator:
        path = readable.metadata.path
        try:
            with readable.open(compression_type=CompressionTypes.UNCOMPRESSED) as fh:
                data = fh.read(self._max_bytes + 1)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a dead letter, not a crash
            yield pvalue.TaggedOutput(FAILURES, make_failure("read", path, exc, b""))
            return
        yield RawDocument(
            source_uri=path,
            data=data[: self._max_bytes],
            fetched_at=now_us(),
            content_type=None,
            truncated=len(data) > self._max_bytes,
        )


class ReadDocuments(beam.PTransform):
    """Match a pattern and read each input file once; outputs "articles" (RawDocument) and "failures"."""

    def __init__(self, pattern: str, max_bytes: int):
        super().__init__()
        self._pattern = pattern
        self._max_bytes = max_bytes

    def expand(self, pbegin):
        return (
            pbegin
            | "Match" >> fileio.MatchFiles(self._pattern)
            | "SkipNonInput" >> beam.Filter(lambda m: is_input_path(m.path))
            | "Reshuffle" >> beam.Reshuffle()
            | "Open" >> fileio.ReadMatches()
            | "Read"
            >> beam.ParDo(_ReadFileFn(self._max_bytes)).with_outputs(FAILURES, main=DOCUMENTS)
        )
