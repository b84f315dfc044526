"""`newsbeam stream` end to end against feed servers on loopback: real saved feeds that grow between
polls, a static feed answered with 304, a 500, a redirect loop and a server slower than the fetch
timeout; then a restart into the same output that must add nothing twice."""

from __future__ import annotations

import collections
import glob
import json
import os
import signal
import subprocess
import sys
import time

import pyarrow.dataset as ds
import pytest
from conftest import ROOT, shared_path
from feed_server import FeedServer, GrowingFeed

from pipeline.cli import main
from transforms.core.records import Article, RawDocument
from transforms.parse.feeds import parse_feed

FEEDS = ("rssparser-realworld", "test", "input")


def _rows(out: str) -> list[dict]:
    dataset = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive")
    return dataset.to_table(
        columns=["article_id", "version", "source_uri", "content_hash"]
    ).to_pylist()


def _served_ids(url: str, feed: GrowingFeed) -> set[str]:
    """article_ids of every item the server has shown so far, as the parser names them."""
    body = feed.head + b"\n".join(feed.items[: len(feed.first_served)]) + feed.tail
    doc = RawDocument(source_uri=url, data=body, fetched_at=0)
    return {a.article_id for a in parse_feed(doc) if isinstance(a, Article)}


def _dead_letters(out: str) -> list[dict]:
    rows = []
    for path in glob.glob(f"{out}/deadletter/*.jsonl"):
        with open(path, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh]
    return rows


@pytest.fixture()
def servers():
    folder = shared_path("eval", "feeds", *FEEDS)
    feeds = {
        "guardian.rss": GrowingFeed((folder / "guardian.rss").read_bytes(), 5, grow_per_fetch=4),
        "heise.atom": GrowingFeed((folder / "heise.atom").read_bytes(), 6),  # never changes: 304s
    }
    with FeedServer(feeds) as good, FeedServer({}, slow_seconds=1.5, host="127.0.0.2") as bad:
        yield good, bad


def _args(good: FeedServer, bad: FeedServer, out: str, duration: int) -> list[str]:
    args = ["--output", out, "--window", "3", "--poll-interval", "1", "--duration", str(duration)]
    args += ["--politeness-delay", "0", "--fetch-timeout", "0.5"]
    for url in (good.url("/feed/guardian.rss"), good.url("/feed/heise.atom")):
        args += ["--feed", url]
    for url in (bad.url("/error"), bad.url("/loop"), bad.url("/slow/feed/x")):
        args += ["--feed", url]
    return args


@pytest.mark.slow
def test_stream_ingests_new_items_once_and_a_restart_adds_nothing_twice(servers, tmp_path):
    good, bad = servers
    out = str(tmp_path / "out")
    guardian, heise = good.url("/feed/guardian.rss"), good.url("/feed/heise.atom")

    # Hosts are polled one after another on the local runner, so every round waits for the bad
    # host's timeouts and retries (~4.5 s): 15 s leaves room for at least two rounds under load.
    assert main(["stream", *_args(good, bad, out, 15)]) == 0

    rows = _rows(out)
    per_feed = collections.Counter(r["source_uri"] for r in rows)
    keys = [(r["article_id"], r["version"]) for r in rows]
    assert len(keys) == len(set(keys)), "a row was written twice"
    served = _served_ids(guardian, good.feeds["guardian.rss"])
    assert len(served) > 5, "the feed did not grow between polls"
    assert {r["article_id"] for r in rows if r["source_uri"] == guardian} == served
    assert per_feed[heise] == len(_served_ids(heise, good.feeds["heise.atom"])) == 6
    heise_requests = [h for path, h in good.requests if path == "/feed/heise.atom"]
    assert len(heise_requests) >= 2 and all(h.get("If-None-Match") for h in heise_requests[1:])

    errors = {
        (d["source_uri"].rsplit("/", 1)[1], d["stage"]): d["error"] for d in _dead_letters(out)
    }
    assert errors[("error", "fetch")] == "HTTP 500"
    assert "too many redirects" in errors[("loop", "fetch")]
    assert "timed out" in errors[("x", "fetch")].lower()
    # 3 attempts per poll; polls back off 1, 2, 4, 8 s: at most 5 polls in a run of < 30 s.
    assert bad.count("/error") <= 3 * 5, "a failing feed was retried hot"

    (summary,) = glob.glob(f"{out}/_runs/stream-*.json")
    with open(summary, encoding="utf-8") as fh:
        report = json.load(fh)
    assert report["per_feed"][heise]["not_modified"] >= 1
    assert report["per_feed"][guardian]["new_items"] == len(served)
    assert report["overall"]["write.rows"] == len(rows)

    # Restart into the same output, with the poller's validators gone: every feed answers 200
    # again and only items never served before may be added.
    for snapshot in glob.glob(f"{out}/_stream/poller/*.json"):
        os.remove(snapshot)
    assert main(["stream", *_args(good, bad, out, 2)]) == 0
    again = _rows(out)
    keys = [(r["article_id"], r["version"]) for r in again]
    assert len(keys) == len(set(keys)), "the restart wrote a row twice"
    assert collections.Counter(r["source_uri"] for r in again)[heise] == 6
    assert {r["article_id"] for r in again if r["source_uri"] == guardian} == _served_ids(
        guardian, good.feeds["guardian.rss"]
    )
    assert len(again) > len(rows), "the restarted stream added nothing new"


@pytest.mark.slow
def test_ctrl_c_drains_the_current_window_and_exits_cleanly(tmp_path):
    folder = shared_path("eval", "feeds", *FEEDS)
    feeds = {"uol.rss": GrowingFeed((folder / "uolNoticias.rss").read_bytes(), 15)}
    out = str(tmp_path / "out")
    with FeedServer(feeds) as good:
        url = good.url("/feed/uol.rss")
        cmd = [sys.executable, "-m", "pipeline", "stream", "--feed", url, "--output", out]
        cmd += ["--window", "2", "--poll-interval", "1", "--politeness-delay", "0"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not good.count("/feed/"):
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)  # stream started and fetched: stop it like a user
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "stopping after the current window" in err
    rows = _rows(out)
    assert {r["article_id"] for r in rows} == _served_ids(url, feeds["uol.rss"])
