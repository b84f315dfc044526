"""Hosts side by side in a real `newsbeam stream`: two hosts that hang (every answer slower than
the fetch timeout, retried) beside a good host. Their fetches overlap instead of queueing one
behind the other, and the good host's items land. The checks are on the order of the requests the
servers saw, not on durations."""

from __future__ import annotations

import collections

import pyarrow.dataset as ds
import pytest
from conftest import shared_path
from feed_server import FeedServer, GrowingFeed

from pipeline.cli import main
from transforms.core.records import Article, RawDocument
from transforms.parse.feeds import parse_feed

pytestmark = pytest.mark.slow
FOLDER = ("eval", "feeds", "rssparser-realworld", "test", "input")


def test_hanging_hosts_are_waited_for_side_by_side(tmp_path):
    folder = shared_path(*FOLDER)
    good_feed = GrowingFeed((folder / "uolNoticias.rss").read_bytes(), 3)
    out = tmp_path / "out"
    with (
        FeedServer({"uol.rss": good_feed}) as good,
        FeedServer({}, slow_seconds=30.0, host="127.0.0.2") as bad1,
        FeedServer({}, slow_seconds=30.0, host="127.0.0.3") as bad2,
    ):
        args = ["stream", "--output", str(out), "--window", "2", "--duration", "2"]
        args += ["--poll-interval", "60", "--politeness-delay", "0", "--fetch-timeout", "2"]
        for url in (good.url("/feed/uol.rss"), bad1.url("/slow/feed/x"), bad2.url("/slow/feed/y")):
            args += ["--feed", url]
        assert main(args) == 0
        earlier, later = sorted((list(bad1.times), list(bad2.times)))
    # One after another, the later host would be asked only once the earlier had given up (three
    # attempts of 2 s); side by side, it is asked before the earlier one's first attempt ends.
    assert len(earlier) >= 2 and later, (earlier, later)  # attempt 1 timed out and was retried
    assert later[0] < earlier[1], (earlier, later)

    rows = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive").to_table(
        columns=["article_id"]
    )
    ids = collections.Counter(rows.column("article_id").to_pylist())
    url = good.url("/feed/uol.rss")
    doc = RawDocument(source_uri=url, data=good_feed.body(), fetched_at=0)
    expected = {a.article_id for a in parse_feed(doc) if isinstance(a, Article)}
    assert set(ids) == expected and all(n == 1 for n in ids.values())
