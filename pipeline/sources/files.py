"""Batch file source: a pattern of local paths or Beam filesystem URIs -> RawDocument | Failure.

Each file is read by sources/reading.py: JSON Lines and JSON arrays part by part, whatever their
size, other files whole up to --max-input-bytes, special files reported; decompression of
anything else and undecodable bytes are judged by the parse step. Files are spread over workers;
the parts of one file are parsed where they are read, one part at a time, so a large file is never
held whole (a shuffle of parts would hold every part in the local runner's memory). The costly
steps run after the dedupe's spill (core.spill), whose chunks spread over workers again.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import FileMetadata

from pipeline.sources.paths import count_inputs, expand_input, is_input_path, match_inputs
from pipeline.sources.reading import PART_BYTES, FileReader
from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Failure
from transforms.core.times import now_us

DOCUMENTS = ARTICLES  # the main output tag of the source: the documents it read
FILES = "files"  # one path per file whose content went to parse, for the run's counts

__all__ = ["FILES", "ReadDocuments", "count_inputs", "expand_input", "is_input_path"]


class _ReadFileFn(beam.DoFn):
    def __init__(self, max_bytes: int, part_bytes: int):
        self._max_bytes, self._part_bytes = max_bytes, part_bytes

    def setup(self):
        self._reader = FileReader(self._max_bytes, self._part_bytes)

    def process(self, metadata: FileMetadata) -> Iterator:
        read_any = False
        for read in self._reader.read(metadata.path, now_us()):
            if isinstance(read.item, Failure):
                yield pvalue.TaggedOutput(FAILURES, read.item)
                continue
            read_any = True
            yield read.item
        if read_any:
            yield pvalue.TaggedOutput(FILES, metadata.path)


class ReadDocuments(beam.PTransform):
    """Match a pattern and read each input file once. Outputs "articles" (RawDocument: a file, or
    a part of a large one), "failures" (Failure) and "files" (the path of each file read)."""

    def __init__(self, pattern: str, max_bytes: int, part_bytes: int = PART_BYTES):
        super().__init__()
        self._pattern = pattern
        self._max_bytes, self._part_bytes = max_bytes, part_bytes

    def expand(self, pbegin):
        read = (
            pbegin
            | "Match" >> beam.Create([self._pattern])
            | "List" >> beam.FlatMap(match_inputs)
            | "SkipNonInput" >> beam.Filter(lambda m: is_input_path(m.path))
            | "Reshuffle" >> beam.Reshuffle()
            | "Read"
            >> beam.ParDo(_ReadFileFn(self._max_bytes, self._part_bytes)).with_outputs(
                FAILURES, FILES, main=DOCUMENTS
            )
        )
        return {DOCUMENTS: read[DOCUMENTS], FAILURES: read[FAILURES], FILES: read[FILES]}
