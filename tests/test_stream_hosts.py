"""`newsbeam stream` with bad hosts beside a good one, on loopback: 127.0.0.2 hangs (accepts and
never answers), localhost drips its answer a byte a second (a slow loris), 127.0.0.1 serves a real
feed that grows at every poll.

What is checked is the order of events, not how long they took: the good host is polled while a bad one
holds a request open; every good item served lands in the window of its
fetch (so in Parquet when that window's epoch ends); the bad hosts are dead-lettered as timeouts.
The one time check is the run's own length against a bound far above its drain time (the failure
it guards against is a run that never ends: before the total deadline it ran for minutes)."""

from __future__ import annotations

import glob
import json
import time

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import shared_path
from feed_server import Drip, FeedServer, GrowingFeed

from pipeline.cli import main
from pipeline.sources.feedlist import host_of

WINDOW, DURATION, FETCH_TIMEOUT = 4, 12, 2.0


@pytest.mark.slow
def test_a_hanging_host_and_a_slow_loris_hold_up_no_good_host(tmp_path):
    folder = shared_path("eval", "feeds", "rssparser-realworld", "test", "input")
    feed = GrowingFeed((folder / "guardian.rss").read_bytes(), 3, grow_per_fetch=2)
    out = str(tmp_path / "out")
    loris_head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n"
    with (
        FeedServer({"g": feed}) as good,
        Drip(b"", b" " * 100, pause=60.0, host="127.0.0.2") as hang,
        Drip(loris_head, b"<rss>" + b" " * 10_000, pause=1.0) as loris,
    ):
        loris_url = loris.url("/feed").replace("127.0.0.1", "localhost")
        urls = [good.url("/feed/g"), hang.url("/feed"), loris_url]
        assert len({host_of(u) for u in urls}) == 3
        args = ["stream", "--output", out, "--window", str(WINDOW), "--duration", str(DURATION)]
        args += ["--poll-interval", "1", "--politeness-delay", "0"]
        args += ["--fetch-timeout", str(FETCH_TIMEOUT)]
        for url in urls:
            args += ["--feed", url]
        started = time.time()
        assert main(args) == 0
        took = time.time() - started
        polls = list(good.times)

    # The good host was asked while a bad host's request was open: each is held for the whole
    # fetch deadline (the Deadline timer never fires early), and a poll fell inside one.
    held = [(t, t + FETCH_TIMEOUT) for t in hang.accepted + loris.accepted]
    assert held and any(a < p < b for p in polls for a, b in held), (polls, held)
    table = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive").to_table()
    rows = table.select(["title", "source_uri", "ingested_at"]).to_pylist()
    assert {r["source_uri"] for r in rows} == {urls[0]}
    assert len(rows) == len(feed.first_served), "a served item did not reach Parquet"
    # Each file holds one window's fetches: an item is written when its own window's epoch
    # ends, not held back to a later one by a host still waiting on its fetch.
    files = glob.glob(f"{out}/articles/**/*.parquet", recursive=True)
    assert len(files) >= 2
    for path in files:
        fetched = pq.read_table(path, columns=["ingested_at"]).column(0).to_pylist()
        assert len({int(t.timestamp()) // WINDOW for t in fetched}) == 1, path

    errors = {}
    for path in glob.glob(f"{out}/deadletter/*.jsonl"):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                errors.setdefault(host_of(d["source_uri"]), set()).add(d["error"])
    for bad in ("127.0.0.2", "localhost"):
        assert any("timed out" in e for e in errors[bad]), errors
    assert loris.sent < 100, "the slow loris was read to its end"
    # Ended: the duration, one fetch deadline of drain, and a wide allowance for the last
    # window's processing on a loaded machine (the README states the drain measured).
    assert took < DURATION + FETCH_TIMEOUT + 90, took
