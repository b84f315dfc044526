"""Folder watch: each new or changed file once, across polls and across runs (markers)."""

from __future__ import annotations

import glob
import os
import threading
import time

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.sources.watch import WatchFolder, marker_path, version_key
from transforms.core.failures import ARTICLES


def _watch(folder, state_dir, seconds, expected, change=None):
    start = time.time()
    if change:  # change the folder once the first version is in, however slow the start was
        threading.Thread(target=_after_first_marker, args=(state_dir, change), daemon=True).start()
    with beam.Pipeline() as p:
        docs = p | WatchFolder(str(folder), 0.4, start, start + seconds, 1024, str(state_dir))
        seen = docs[ARTICLES] | beam.Map(lambda d: (os.path.basename(d.source_uri), d.data))
        assert_that(seen, equal_to(expected))


def _after_first_marker(state_dir, change, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline and not glob.glob(f"{state_dir}/watch/*"):
        time.sleep(0.05)
    change()


def test_new_and_changed_files_once_each_and_never_again(tmp_path):
    inbox, state = tmp_path / "inbox", tmp_path / "state"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"first")
    (inbox / ".hidden").write_bytes(b"skipped")

    def change():
        (inbox / "b.txt").write_bytes(b"new file")
        (inbox / "a.txt").write_bytes(b"second")
        later = time.time() + 5  # a distinct mtime even on coarse file systems
        os.utime(inbox / "a.txt", (later, later))

    expected = [("a.txt", b"first"), ("a.txt", b"second"), ("b.txt", b"new file")]
    _watch(inbox, state, 4.0, expected, change)
    # A restart into the same state folder ingests nothing already ingested.
    _watch(inbox, state, 1.2, [])
    assert os.path.exists(
        marker_path(
            str(state), version_key(str(inbox / "b.txt"), os.path.getmtime(inbox / "b.txt"))
        )
    )


def test_without_markers_every_run_ingests_once(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_bytes(b"only")
    start = time.time()
    with beam.Pipeline() as p:
        docs = p | WatchFolder(str(inbox), 0.3, start, start + 1.5, 1024, None)
        assert_that(docs[ARTICLES] | beam.Map(lambda d: d.data), equal_to([b"only"]))
