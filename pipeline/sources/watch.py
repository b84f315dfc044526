"""Folder watch, a Beam source: ticks + listing -> once per path@mtime -> RawDocument | Failure.

MatchContinuously's own deduplication is broken on the local runner (RUNNERS.md: every poll runs at
once and only the first file is seen), so matching runs as MatchContinuously(has_deduplication=
False) does, and a stateful DoFn keyed by path@mtime lets each new or changed file through once.
A marker per ingested version (under the state folder) keeps that promise across restarts. Files
are read as the batch source reads them (sources/reading.py): large JSON Lines part by part,
special files reported, never opened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import BooleanCoder
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.transforms.window import TimestampedValue

from pipeline.sources.clock import SYSTEM_CLOCK, Clock, now_us
from pipeline.sources.paths import folder_pattern, is_input_path, match_inputs
from pipeline.sources.reading import PART_BYTES, READ_ERROR, FileReader
from pipeline.sources.ticks import Ticks
from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Failure

_US = 1_000_000
_PARTS = "parts"


def version_key(path: str, mtime: float) -> str:
    """One key per version of a file: a rewrite with a new mtime is a new document."""
    return f"{path}@{mtime:.6f}"


def marker_path(state_dir: str, key: str) -> str:
    return f"{state_dir.rstrip('/')}/watch/{hashlib.sha1(key.encode('utf-8')).hexdigest()}"


class _OncePerVersionFn(beam.DoFn):
    """(path@mtime, metadata) -> metadata, the first time only.

    State is one flag per file version; it is bounded by the files that exist in the folder, and
    the marker files make it disposable, so it carries no TTL timer.
    """

    SEEN = ReadModifyWriteStateSpec("seen", BooleanCoder())

    def __init__(self, state_dir: str | None):
        self._state_dir = state_dir

    def process(self, element, seen=beam.DoFn.StateParam(SEEN)) -> Iterator:  # noqa: B008
        key, metadata = element
        if not seen.read():
            seen.write(True)
            # A marker means an earlier run into this output ingested this version already.
            if not (self._state_dir and FileSystems.exists(marker_path(self._state_dir, key))):
                yield metadata


class _ReadVersionFn(beam.DoFn):
    """A file version -> its documents (parts of a large one on the "parts" output) and failures.

    Its marker is written once the file is read, or found to be a file never to read (special,
    oversized); not after an I/O error, so a restart tries that file again. It goes to the
    epoch's staging folder when there is one (sources/staging.py), committed with the rows.
    """

    def __init__(self, max_bytes: int, state_dir: str | None, clock: Clock, part_bytes: int):
        self._max_bytes, self._state_dir, self._clock = max_bytes, state_dir, clock
        self._part_bytes = part_bytes
        self._files = Metrics.counter("watch", "files")

    def setup(self):
        self._reader = FileReader(self._max_bytes, self._part_bytes)

    def process(self, metadata) -> Iterator:
        path = metadata.path
        fetched_at = now_us(self._clock)
        retry = read_any = False
        for read in self._reader.read(path, fetched_at):
            stamped = TimestampedValue(read.item, fetched_at / _US)
            if isinstance(read.item, Failure):
                retry = retry or read.item.error.startswith(READ_ERROR)
                yield pvalue.TaggedOutput(FAILURES, stamped)
            else:
                read_any = True
                yield pvalue.TaggedOutput(_PARTS, stamped) if read.part else stamped
        if read_any:
            self._files.inc()
        if self._state_dir and not retry:
            key = version_key(path, metadata.last_updated_in_seconds)
            with FileSystems.create(marker_path(self._state_dir, key)) as fh:
                fh.write(key.encode("utf-8"))


class WatchFolder(beam.PTransform):
    """PBegin -> "articles": RawDocument per new or changed file (or per part of a large one),
    "failures": what could not be read, special files included.

    Lists the folder every `interval` seconds from `start` to `stop` (epoch seconds; None: forever)
    by `clock`: the wall clock unless a test passes a FakeClock. Versions with a marker under
    `state_dir` are skipped; new markers go to `staging_dir` when given.
    """

    def __init__(
        self,
        folder: str,
        interval: float,
        start: float,
        stop: float | None,
        max_bytes: int,
        state_dir: str | None = None,
        *,
        staging_dir: str | None = None,
        clock: Clock = SYSTEM_CLOCK,
        part_bytes: int = PART_BYTES,
    ):
        super().__init__()
        # No listing at construction: the launcher may not reach the bucket (Dataflow dry runs).
        self._pattern = folder_pattern(folder)
        self._interval, self._start, self._stop = interval, start, stop
        self._max_bytes, self._state_dir, self._clock = max_bytes, state_dir, clock
        self._part_bytes, self._staging_dir = part_bytes, staging_dir

    def expand(self, pbegin):
        # MatchContinuously(has_deduplication=False) is PeriodicImpulse + MatchAll; spelled out
        # so that its ticks are paced (sources/ticks.py) instead of spinning the local runner,
        # and listed by match_inputs, which takes a folder's name literally.
        pattern = self._pattern
        read = (
            pbegin
            | "Tick" >> Ticks(self._start, self._stop, self._interval, clock=self._clock)
            | "Match" >> beam.FlatMap(lambda _: match_inputs(pattern))
            | "SkipNonInput" >> beam.Filter(lambda m: is_input_path(m.path))
            | "KeyByVersion"
            >> beam.Map(
                lambda m: (version_key(m.path, m.last_updated_in_seconds), m)
            ).with_output_types(tuple[str, fileio.FileMetadata])
            | "OncePerVersion" >> beam.ParDo(_OncePerVersionFn(self._state_dir))
            | "Read"
            >> beam.ParDo(
                _ReadVersionFn(
                    self._max_bytes,
                    self._staging_dir or self._state_dir,
                    self._clock,
                    self._part_bytes,
                )
            ).with_outputs(FAILURES, _PARTS, main=ARTICLES)
        )
        # A file that fits in one part stays where it was read; parts of a large one spread.
        parts = read[_PARTS] | "SpreadParts" >> beam.Reshuffle()
        documents = (read[ARTICLES], parts) | "Documents" >> beam.Flatten()
        return {ARTICLES: documents, FAILURES: read[FAILURES]}
