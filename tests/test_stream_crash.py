"""A stream killed at the worst moments and restarted loses nothing and doubles nothing: feeds with
validators (ETag, Last-Modified), a feed without, and a watched file.

- `kill -9` after the sources fetched and read but before the window's rows are written: the
  validators and markers they staged are discarded, so the restart fetches and reads again.
- A crash after the rows are written but before the staged state is committed: the restart
  fetches again and the dedupe, seeded from the dataset, drops what is already there.
"""

from __future__ import annotations

import glob
import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from conftest import ROOT, shared_path
from feed_server import FeedServer, GrowingFeed

from pipeline.cli import main
from pipeline.runners import stream as stream_runner
from transforms.core.records import Article, RawDocument
from transforms.parse.feeds import parse_feed

pytestmark = pytest.mark.slow
FOLDER = ("eval", "feeds", "rssparser-realworld", "test", "input")
WAIT_S = 120  # a hang guard, never a measure


def _feeds() -> dict[str, GrowingFeed]:
    folder = shared_path(*FOLDER)
    return {
        "heise.atom": GrowingFeed((folder / "heise.atom").read_bytes(), 6),
        "uol.rss": GrowingFeed((folder / "uolNoticias.rss").read_bytes(), 15),
    }


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    lines = [
        {"url": f"https://inbox.example/{i}", "title": f"Inbox story {i}",
         "text": f"Inbox story number {i} says the council met on Tuesday about the budget. " * 4}
        for i in range(3)
    ]  # fmt: skip
    (inbox / "drop.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return inbox


def _ids(url: str, feed: GrowingFeed) -> set[str]:
    doc = RawDocument(source_uri=url, data=feed.body(), fetched_at=0)
    return {a.article_id for a in parse_feed(doc) if isinstance(a, Article)}


def _rows(out: Path) -> list[dict]:
    if not glob.glob(f"{out}/articles/*/*/*.parquet"):
        return []
    table = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive").to_table(
        columns=["article_id", "version", "source_uri"]
    )
    return table.to_pylist()


def _args(server: FeedServer, out: Path, inbox: Path) -> list[str]:
    args = ["--output", str(out), "--watch", str(inbox), "--poll-interval", "1"]
    args += ["--politeness-delay", "0", "--feed", server.url("/feed/heise.atom")]
    return [*args, "--feed", server.url("/plain/uol.rss")]


def _assert_each_item_once(server: FeedServer, out: Path) -> None:
    rows = _rows(out)
    keys = [(r["article_id"], r["version"]) for r in rows]
    assert len(keys) == len(set(keys)), "a row was written twice"
    by_source: dict[str, set] = {}
    for r in rows:
        by_source.setdefault(r["source_uri"], set()).add(r["article_id"])
    heise, uol = server.url("/feed/heise.atom"), server.url("/plain/uol.rss")
    assert by_source.pop(heise) == _ids(heise, server.feeds["heise.atom"])
    assert by_source.pop(uol) == _ids(uol, server.feeds["uol.rss"])
    (inbox_rows,) = by_source.values()  # the watched file
    assert len(inbox_rows) == 3


def _saved(out: Path) -> tuple[list[str], list[str]]:
    """Poller snapshots and watch markers, staged or committed."""
    return (
        glob.glob(f"{out}/_stream/**/poller/*.json", recursive=True),
        glob.glob(f"{out}/_stream/**/watch/*", recursive=True),
    )


def test_kill_9_before_the_window_is_written_loses_nothing(tmp_path):
    out, inbox = tmp_path / "out", _inbox(tmp_path)
    with FeedServer(_feeds()) as server:
        args = _args(server, out, inbox)
        # An hour-long window: the kill comes long before it closes (the epoch ends on the hour).
        cmd = [sys.executable, "-m", "pipeline", "stream", *args, "--window", "3600"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and proc.poll() is None:
                snapshots, markers = _saved(out)
                fetched = server.count("/feed/heise.atom") and server.count("/plain/uol.rss")
                if fetched and len(snapshots) == 1 and markers:
                    break
                time.sleep(0.2)
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            assert all(_saved(out)), "the sources saved nothing before the kill"
        finally:
            proc.kill()
            proc.communicate(timeout=60)
        assert _rows(out) == [], "the window was written before the kill: the test saw nothing"
        assert not glob.glob(f"{out}/_stream/poller/*.json"), "validators committed before rows"
        assert not glob.glob(f"{out}/_stream/watch/*"), "a watch marker committed before rows"

        assert main(["stream", *args, "--window", "2", "--duration", "4"]) == 0
        _assert_each_item_once(server, out)
        assert glob.glob(f"{out}/_stream/poller/*.json") and glob.glob(f"{out}/_stream/watch/*")
        assert not glob.glob(f"{out}/_stream/staged/*"), "staged state left behind"


def test_a_crash_between_rows_and_commit_doubles_nothing(tmp_path, monkeypatch):
    out, inbox = tmp_path / "out", _inbox(tmp_path)
    commit = stream_runner.commit_staged

    def crash_once_rows_exist(state_dir, epoch):
        if not _rows(out):
            return commit(state_dir, epoch)
        raise RuntimeError("killed after the rows, before the commit")

    with FeedServer(_feeds()) as server:
        args = [*_args(server, out, inbox), "--window", "2"]
        monkeypatch.setattr(stream_runner, "commit_staged", crash_once_rows_exist)
        with pytest.raises(RuntimeError, match="before the commit"):
            main(["stream", *args, "--duration", "20"])
        assert glob.glob(f"{out}/_stream/staged/*/poller/*.json"), "nothing was staged"
        monkeypatch.undo()
        before = len(server.requests)
        assert main(["stream", *args, "--duration", "4"]) == 0
        again = [h for path, h in server.requests[before:] if path == "/feed/heise.atom"]
        assert again, "the restart did not poll the feed"
        _assert_each_item_once(server, out)
