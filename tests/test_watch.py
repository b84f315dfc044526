"""Folder watch: each new or changed file once, across polls and across runs (markers).

The watch runs on a FakeClock: it lists the folder every 0.4 fake seconds without waiting, and
the folder changes in a callback at a fake time, between two listings, not from a racing thread.
"""

from __future__ import annotations

import os

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.sources.clock import FakeClock, now_us
from pipeline.sources.watch import WatchFolder, marker_path, version_key
from transforms.core.failures import ARTICLES, FAILURES

US = 1_000_000
INTERVAL = 0.4


@pytest.fixture
def clock():
    with FakeClock() as fake:
        yield fake


def _watch(folder, state_dir, clock, seconds, expected):
    """Run the watch for `seconds` of the clock; expect (name, bytes, seconds after start)."""
    start, start_us = clock.now(), now_us(clock)
    state = str(state_dir) if state_dir else None
    # In memory on purpose: a FakeClock's copies share its time only within this process.
    with beam.Pipeline(runner="FnApiRunner") as p:
        docs = p | WatchFolder(
            str(folder), INTERVAL, start, start + seconds, 1024, state, clock=clock
        )
        seen = docs[ARTICLES] | beam.Map(
            lambda d: (os.path.basename(d.source_uri), d.data, (d.fetched_at - start_us) / US)
        )
        assert_that(seen, equal_to(expected))


def test_new_and_changed_files_once_each_and_never_again(tmp_path, clock):
    inbox, state = tmp_path / "inbox", tmp_path / "state"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"first")
    (inbox / ".hidden").write_bytes(b"skipped")

    def change():
        (inbox / "b.txt").write_bytes(b"new file")
        mtime = os.path.getmtime(inbox / "a.txt")
        (inbox / "a.txt").write_bytes(b"second")
        os.utime(inbox / "a.txt", (mtime + 5, mtime + 5))  # distinct even on coarse file systems

    clock.call_at(clock.now() + 1.0, change)  # between the listings at 0.8 s and 1.2 s
    expected = [("a.txt", b"first", 0.0), ("a.txt", b"second", 1.2), ("b.txt", b"new file", 1.2)]
    _watch(inbox, state, clock, 4.0, expected)  # ten listings, each version read once
    # A restart into the same state folder ingests nothing already ingested.
    _watch(inbox, state, clock, 1.2, [])
    b_version = version_key(str(inbox / "b.txt"), os.path.getmtime(inbox / "b.txt"))
    assert os.path.exists(marker_path(str(state), b_version))


def test_without_markers_every_run_ingests_once(tmp_path, clock):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"only")
    for _ in range(2):  # nothing remembers the first run: the second ingests the file again, once
        _watch(inbox, None, clock, 1.5, [("a.txt", b"only", 0.0)])


def test_a_glob_named_folder_fifo_and_large_jsonl_are_watched_like_batch_reads(tmp_path, clock):
    """A watched folder named like a glob is that folder; a FIFO in it is reported once and never
    opened; a JSON Lines file past the cap is read in parts of whole lines."""
    inbox, state = tmp_path / "inbox[1]", tmp_path / "state"
    inbox.mkdir()
    (tmp_path / "inbox1").mkdir()  # what inbox[1] matches as a glob
    (tmp_path / "inbox1" / "decoy.txt").write_bytes(b"not watched")
    os.mkfifo(inbox / "pipe.txt")
    lines = b"".join(b'{"i": %d, "text": "%s"}\n' % (i, b"x" * 100) for i in range(40))
    (inbox / "big.jsonl").write_bytes(lines)
    start = clock.now()
    with beam.Pipeline(runner="FnApiRunner") as p:
        docs = p | WatchFolder(
            str(inbox), INTERVAL, start, start + 1.0, 1024, str(state), clock=clock
        )
        parts = docs[ARTICLES] | beam.Map(lambda d: (os.path.basename(d.source_uri), d.first_item))
        failed = docs[FAILURES] | beam.Map(lambda f: (os.path.basename(f.source_uri), f.error))
        first_items = [0, 8, 16, 24, 32]  # 1 KB parts of 122-byte lines: 8 lines each
        assert_that(parts, equal_to([("big.jsonl", i) for i in first_items]), label="Parts")
        expected_error = f"skipped: {inbox}/pipe.txt is a FIFO (named pipe), not a regular file"
        assert_that(
            failed,
            equal_to([("pipe.txt", expected_error + " (not opened)")]),
            label="Fifo",
        )
    # Both are settled: each has its marker, and a restart reads neither again.
    for name in ("pipe.txt", "big.jsonl"):
        key = version_key(str(inbox / name), os.path.getmtime(inbox / name))
        assert os.path.exists(marker_path(str(state), key))
    _watch(inbox, state, clock, 0.5, [])
