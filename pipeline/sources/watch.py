"""Folder watch, a Beam source: ticks + MatchAll -> once per path@mtime -> RawDocument | Failure.

MatchContinuously's own deduplication is broken on the local runner (RUNNERS.md: every poll runs at
once and only the first file is seen), so matching runs as MatchContinuously(has_deduplication=
False) does, and a stateful DoFn keyed by path@mtime lets each new or changed file through once.
A marker per ingested version (under the state folder) keeps that promise across restarts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import BooleanCoder
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.transforms.window import TimestampedValue

from pipeline.sources.clock import SYSTEM_CLOCK, Clock, now_us
from pipeline.sources.files import is_input_path
from pipeline.sources.ticks import Ticks
from transforms.core.failures import ARTICLES, FAILURES, make_failure
from transforms.core.records import RawDocument

STEP = "read"
_US = 1_000_000


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
    def __init__(self, max_bytes: int, state_dir: str | None, clock: Clock = SYSTEM_CLOCK):
        self._max_bytes, self._state_dir, self._clock = max_bytes, state_dir, clock
        self._files = Metrics.counter("watch", "files")

    def process(self, metadata) -> Iterator:
        path = metadata.path
        fetched_at = now_us(self._clock)
        try:
            with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
                data = fh.read(self._max_bytes + 1)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a dead letter, not a crash
            failure = make_failure(STEP, path, exc, b"")._replace(at=fetched_at)
            yield pvalue.TaggedOutput(FAILURES, TimestampedValue(failure, fetched_at / _US))
            return
        self._files.inc()
        if self._state_dir:
            key = version_key(path, metadata.last_updated_in_seconds)
            with FileSystems.create(marker_path(self._state_dir, key)) as fh:
                fh.write(key.encode("utf-8"))
        doc = RawDocument(
            source_uri=path,
            data=data[: self._max_bytes],
            fetched_at=fetched_at,
            truncated=len(data) > self._max_bytes,
        )
        yield TimestampedValue(doc, fetched_at / _US)


class WatchFolder(beam.PTransform):
    """PBegin -> "articles": RawDocument per new or changed file, "failures": unreadable files.

    Lists the folder every `interval` seconds from `start` to `stop` (epoch seconds; None: forever)
    by `clock`: the wall clock unless a test passes a FakeClock.
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
        clock: Clock = SYSTEM_CLOCK,
    ):
        super().__init__()
        # No listing at construction: the launcher may not reach the bucket (Dataflow dry runs).
        glob = any(ch in folder for ch in "*?[")
        self._pattern = folder if glob else f"{folder.rstrip('/')}/**"
        self._interval, self._start, self._stop = interval, start, stop
        self._max_bytes, self._state_dir, self._clock = max_bytes, state_dir, clock

    def expand(self, pbegin):
        # MatchContinuously(has_deduplication=False) is PeriodicImpulse + MatchAll; spelled out
        # so that its ticks are paced (sources/ticks.py) instead of spinning the local runner.
        pattern = self._pattern
        return (
            pbegin
            | "Tick" >> Ticks(self._start, self._stop, self._interval, clock=self._clock)
            | "Pattern" >> beam.Map(lambda _: pattern)
            | "Match" >> fileio.MatchAll()
            | "SkipNonInput" >> beam.Filter(lambda m: is_input_path(m.path))
            | "KeyByVersion"
            >> beam.Map(
                lambda m: (version_key(m.path, m.last_updated_in_seconds), m)
            ).with_output_types(tuple[str, fileio.FileMetadata])
            | "OncePerVersion" >> beam.ParDo(_OncePerVersionFn(self._state_dir))
            | "Read"
            >> beam.ParDo(
                _ReadVersionFn(self._max_bytes, self._state_dir, self._clock)
            ).with_outputs(FAILURES, main=ARTICLES)
        )
