"""Park whole articles in files while a batch step decides over small records.

A batch step that must see every article before it can mark one (the dedupe, the story grouping)
would otherwise hold every article in the runner while it waits: Beam's local runner keeps a whole
PCollection in memory at each fusion break, so peak memory grows with the input. Spill() writes
articles to chunk files (256 per file, core.packing's bytes, compressed) and passes on one small
record per article, keyed by its place in a chunk (`ref`); the step decides over those records,
then reads the chunks back with its decisions as a side input (read_chunk). Only chunk paths and
small records cross a shuffle, so they are also all a multi-process or Dask run sends between
workers.

Chunk names are random, not derived from their content: two batches of identical articles (a
file that repeats one line 512 times) must stay two chunks, with a ref for each delivery. A
retried bundle's abandoned chunk is never referenced (a failed bundle's outputs are discarded) and
goes with the run's spill folder. Each file goes to a temporary name first and is renamed onto
its own, so a chunk path that is passed on always names a whole file.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

from transforms.core.failures import FAILURES, BatchingFn, dead_letters
from transforms.core.framing import frame, unpack
from transforms.core.memory import give_back_free_memory
from transforms.core.packing import compress, decompress, pack
from transforms.core.packing import unpack as unpack_article
from transforms.core.records import Article

CHUNKS = "chunks"
REFS = "refs"
CHUNK_ARTICLES = 256
SUFFIX = ".spill"
_WIDTH = 4  # bytes of each encoded article's length


def spill_dir(base: str | None, step: str) -> str:
    """Where `step` spills: under `base` (a run's own folder), else a fresh local temp folder
    (tests and single-process use), deleted when this process exits."""
    root = base
    if root is None:
        root = tempfile.mkdtemp(prefix="newsbeam-spill-")
        atexit.register(shutil.rmtree, root, True)
    return f"{root.rstrip('/')}/{step}"


def make_ref(chunk_id: bytes, index: int) -> bytes:
    return chunk_id + index.to_bytes(2, "big")


def write_chunk(directory: str, articles: list[Article]) -> tuple[str, bytes]:
    """Articles -> (chunk path, chunk id); the i-th article's ref is make_ref(chunk id, i)."""
    if len(articles) > 0xFFFF:
        raise ValueError(f"a chunk holds at most 65535 articles, not {len(articles)}")
    framed = b"".join(frame(pack(a), _WIDTH) for a in articles)
    chunk_id = uuid.uuid4().bytes
    path = f"{directory}/{chunk_id.hex()}{SUFFIX}"
    _write_whole(path, f"{directory}/.tmp-{chunk_id.hex()}", compress(framed))
    return path, chunk_id


def _write_whole(path: str, tmp: str, data: bytes | bytearray) -> None:
    """data to tmp, then renamed onto path: a path that is passed on always names a whole file."""
    try:
        with FileSystems.create(tmp) as fh:
            fh.write(data)
        FileSystems.rename([tmp], [path])
    except BaseException:
        if FileSystems.exists(tmp):
            FileSystems.delete([tmp])
        raise


def read_chunk(path: str) -> Iterator[tuple[bytes, Article]]:
    """A chunk's (ref, Article) pairs, in the order they were spilled."""
    chunk_id = bytes.fromhex(path.rsplit("/", 1)[-1][: -len(SUFFIX)])
    with FileSystems.open(path) as fh:
        framed = decompress(fh.read())
    for index, encoded in enumerate(unpack(framed, _WIDTH)):
        yield make_ref(chunk_id, index), unpack_article(encoded)


def write_framed(
    directory: str, framed: bytes | bytearray, suffix: str = ".blobs", compressed: bool = False
) -> str:
    """Framed byte strings (frame(…, 4) each) -> a new file, written to a temporary name and
    renamed, compressed whole if asked; returns its path (a random name: a retried bundle's file
    is never referenced)."""
    name = uuid.uuid4().hex
    path = f"{directory}/{name}{suffix}"
    _write_whole(path, f"{directory}/.tmp-{name}", compress(framed) if compressed else framed)
    return path


def read_blobs(path: str, compressed: bool = False) -> list[bytes]:
    """A write_framed() file's byte strings; `compressed` as it was written."""
    with FileSystems.open(path) as fh:
        data = fh.read()
    return unpack(decompress(data) if compressed else data, _WIDTH)


def blobs_in(paths: Iterable[str]) -> Iterator[bytes]:
    """The byte strings of several files (a grouped key's files), one file read at a time."""
    for path in paths:
        yield from read_blobs(path)


def framed_blob(blob: bytes) -> bytes:
    """blob as write_framed() files hold it: read_blobs() gives it back."""
    return frame(blob, _WIDTH)


class SpillByKeyFn(beam.DoFn):
    """(key, bytes) -> (key, file path): a bundle's values of one key go to files, so a GroupByKey
    after it carries paths, and its consumer reads the files (read_blobs) one key at a time. The
    local runner holds a grouped PCollection whole, two or three copies while it groups: for the
    dedupe's LSH band entries (32 per article) that was the peak of a 100,000-article run.

    What waits for a file is bounded: a key's values go out at `chunk_bytes`, and every key's
    once all of them reach `budget_bytes` (a local runner's bundle is the whole input). With
    `compressed`, each file is compressed whole (read_blobs(path, compressed=True) reads it)."""

    def __init__(
        self,
        directory: str,
        chunk_bytes: int = 4 << 20,
        suffix: str = ".blobs",
        budget_bytes: int = 16 << 20,
        compressed: bool = False,
    ):
        self._directory, self._chunk_bytes, self._suffix = directory, chunk_bytes, suffix
        self._budget, self._compressed = budget_bytes, compressed

    def start_bundle(self) -> None:
        self._open: dict = {}  # key -> bytearray of framed values
        self._total = 0

    def process(self, kv: tuple) -> Iterator:
        yield from self.add(*kv)

    def add(self, key, blob: bytes) -> Iterator:
        framed = self._open.get(key)
        if framed is None:
            framed = self._open[key] = bytearray()
        framed += framed_blob(blob)
        self._total += len(blob) + _WIDTH
        if len(framed) >= self._chunk_bytes:
            yield key, self._flush(key)
        elif self._total >= self._budget:
            for k in list(self._open):
                yield k, self._flush(k)

    def finish_bundle(self) -> Iterator:
        for key in list(self._open):
            yield GlobalWindows.windowed_value((key, self._flush(key)))
        give_back_free_memory()

    def _flush(self, key) -> str:
        framed = self._open.pop(key)
        self._total -= len(framed)
        return write_framed(self._directory, framed, self._suffix, self._compressed)


def remove_spill(base: str) -> None:
    """Delete a run's spill folder (after the run; chunks are only needed while it runs), and its
    parent if that is left empty locally (rmdir refuses a folder another run is using)."""
    if FileSystems.exists(base):
        FileSystems.delete([base])
    if "://" not in base:
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(base.rstrip("/")))


class _SpillFn(BatchingFn):
    """Articles, CHUNK_ARTICLES at a time -> one chunk file, (ref, extract(article)) per article
    and the chunk's path. An article extract() fails on is a dead letter and is not spilled."""

    def __init__(self, directory: str, extract: Callable, step: str):
        super().__init__(CHUNK_ARTICLES)
        self._directory, self._extract, self._step = directory, extract, step

    def run_batch(self, batch: list[Article]) -> Iterator:
        kept, extracted = [], []
        for a in batch:
            try:
                extracted.append(self._extract(a))
            except Exception as exc:  # noqa: BLE001 - an article we cannot read is a dead letter
                yield from dead_letters(self._step, (a,), exc)
                continue
            kept.append(a)
        if not kept:
            return
        path, chunk_id = write_chunk(self._directory, kept)
        yield pvalue.TaggedOutput(CHUNKS, path)
        for i, value in enumerate(extracted):
            yield make_ref(chunk_id, i), value


class Spill(beam.PTransform):
    """Articles -> {"refs": (ref, extract(article)), "chunks": chunk paths, "failures"}."""

    def __init__(self, directory: str, extract: Callable, step: str):
        super().__init__()
        self._directory, self._extract, self._step = directory, extract, step

    def expand(self, articles):
        return articles | "WriteChunks" >> beam.ParDo(
            _SpillFn(self._directory, self._extract, self._step)
        ).with_outputs(CHUNKS, FAILURES, main=REFS)
