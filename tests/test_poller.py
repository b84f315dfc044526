"""Poller: feed list parsing, scheduling rules, and PollFeeds against a loopback server."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from feed_server import FeedServer, GrowingFeed

from pipeline.sources.feedlist import (
    FeedListError,
    FeedSpec,
    host_of,
    parse_feed_line,
    parse_feed_list,
)
from pipeline.sources.http import FetchResult
from pipeline.sources.poll import (
    MAX_BACKOFF_S,
    FeedState,
    PollerConfig,
    PollFeeds,
    after_fetch,
    due_feeds,
    load_snapshot,
    retry_delay,
    snapshot_path,
)
from pipeline.sources.ticks import Ticks
from transforms.core.failures import ARTICLES, FAILURES

US = 1_000_000


@pytest.mark.parametrize(
    "line, expected",
    [
        ("https://example.com/rss", FeedSpec("https://example.com/rss", None)),
        ("  https://example.com/rss   15m  ", FeedSpec("https://example.com/rss", 900)),
        ("http://example.com/a.xml 90 # comment", FeedSpec("http://example.com/a.xml", 90)),
        ("http://example.com/a.xml 2h", FeedSpec("http://example.com/a.xml", 7200)),
        ("http://example.com/a#frag", FeedSpec("http://example.com/a#frag", None)),
        ("# https://example.com/rss", None),
        ("   ", None),
    ],
)
def test_feed_lines(line, expected):
    assert parse_feed_line(line) == expected


@pytest.mark.parametrize(
    "line, message",
    [
        ("ftp://example.com/rss", "not an http(s) URL"),
        ("https://example.com/rss soon", "not an interval"),
        ("https://example.com/rss 0", "below the minimum"),
        ("https://example.com/rss 5m extra", "expected 'URL [interval]'"),
    ],
)
def test_bad_feed_lines_name_the_line(line, message):
    with pytest.raises(FeedListError) as err:
        parse_feed_list(["# feeds", "https://ok.example/rss", line], "feeds.txt")
    assert str(err.value).startswith("feeds.txt:3: ") and message in str(err.value)


def test_feed_list_keeps_first_of_duplicates():
    feeds = parse_feed_list(
        ["https://a.example/rss 5m", "https://a.example/rss 1h", "https://b.example/x"]
    )
    assert feeds == [FeedSpec("https://a.example/rss", 300), FeedSpec("https://b.example/x", None)]
    assert host_of("https://A.Example:8443/x") == "a.example"


def test_due_feeds_most_overdue_first():
    feeds = [FeedSpec("http://h/a"), FeedSpec("http://h/b"), FeedSpec("http://h/c")]
    states = {"http://h/a": FeedState(next_due=50), "http://h/b": FeedState(next_due=200)}
    assert [f.url for f in due_feeds(feeds, states, now=100)] == ["http://h/c", "http://h/a"]


@pytest.mark.parametrize(
    "failures, delay",
    [(1, 60), (2, 120), (3, 240), (8, 7680), (10, MAX_BACKOFF_S), (30, MAX_BACKOFF_S)],
)
def test_retry_delay_doubles_and_caps(failures, delay):
    assert retry_delay(60, failures) == delay


def test_after_fetch_keeps_validators_and_backs_off():
    ok = FetchResult("u", "u", 200, b"x", etag='"1"', last_modified="Mon")
    state = after_fetch(FeedState(), ok, 300, now=10 * US)
    assert (state.etag, state.last_modified, state.failures) == ('"1"', "Mon", 0)
    assert state.next_due == 310 * US and state.last_success == 10 * US
    not_modified = after_fetch(state, FetchResult("u", "u", 304), 300, now=400 * US)
    assert not_modified.etag == '"1"' and not_modified.next_due == 700 * US
    failed = after_fetch(
        not_modified, FetchResult("u", "u", 500, error="HTTP 500"), 300, now=800 * US
    )
    failed = after_fetch(failed, FetchResult("u", "u", 0, error="reset"), 300, now=900 * US)
    assert failed.failures == 2 and failed.next_due == 900 * US + 600 * US
    assert failed.etag == '"1"' and failed.last_success == 400 * US


RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    + b"".join(b"<item><title>n%d</title><guid>g%d</guid></item>" % (i, i) for i in range(5))
    + b"</channel></rss>"
)


def test_poll_feeds_fetches_once_then_304_and_reports_failures(tmp_path):
    with FeedServer({"a": GrowingFeed(RSS, 2)}) as srv:
        feeds = (FeedSpec(srv.url("/feed/a"), 1), FeedSpec(srv.url("/error"), 1))
        config = PollerConfig(feeds=feeds, politeness_delay=0.0, retries=0, state_dir=str(tmp_path))
        start = time.time()
        with beam.Pipeline() as p:
            polled = p | PollFeeds(config, start, start + 3.5, 0.5)
            docs = polled[ARTICLES] | "Uri" >> beam.Map(lambda d: (d.source_uri, b"n1" in d.data))
            errors = polled[FAILURES] | "Err" >> beam.Map(
                lambda f: (f.stage, f.source_uri, f.error)
            )
            assert_that(docs, equal_to([(srv.url("/feed/a"), True)]), label="OneDocument")
            # Backoff: failures at about 0 s, 1 s and 3 s (2 or 3 of them), never once per tick (7).
            err = ("fetch", srv.url("/error"), "HTTP 500")
            assert_that(errors, _backed_off(err), label="BackedOff")
        feed_requests = [h for path, h in srv.requests if path == "/feed/a"]
        assert len(feed_requests) >= 2  # about once a second, after a slow first tick
        assert all(h.get("If-None-Match") for h in feed_requests[1:])  # conditional after the first
        snapshot = load_snapshot(snapshot_path(str(tmp_path), "127.0.0.1"))
        assert snapshot[srv.url("/feed/a")].etag and snapshot[
            srv.url("/error")
        ].failures == srv.count("/error")
        assert 2 <= srv.count("/error") <= 3
        raw = json.loads(Path(snapshot_path(str(tmp_path), "127.0.0.1")).read_text())
        assert raw[srv.url("/feed/a")]["last_status"] == 304


def _backed_off(expected):
    def check(actual):
        assert 2 <= len(actual) <= 3 and set(actual) == {expected}, actual

    return check


def test_politeness_one_request_per_host_per_delay():
    with FeedServer({"a": GrowingFeed(RSS, 2), "b": GrowingFeed(RSS, 3)}) as srv:
        feeds = (FeedSpec(srv.url("/feed/a"), 1), FeedSpec(srv.url("/feed/b"), 1))
        config = PollerConfig(feeds=feeds, politeness_delay=0.8, retries=0)
        start = time.time()
        with beam.Pipeline() as p:
            polled = p | PollFeeds(config, start, start + 3.0, 0.2)
            assert_that(polled[ARTICLES] | beam.Map(lambda d: d.source_uri), _two_feeds(feeds))
        gaps = [b - a for a, b in itertools.pairwise(srv.times)]
        assert len(srv.times) >= 3 and min(gaps) >= 0.75, gaps


def _two_feeds(feeds):
    def check(actual):
        assert set(actual) == {f.url for f in feeds}, actual

    return check


def test_ticks_are_paced_not_spun():
    # The stock PeriodicImpulse spins the local runner (measured: ~1.4 s of CPU over 3 s).
    start, cpu = time.time() + 0.5, time.process_time()
    with beam.Pipeline() as p:
        ticks = p | Ticks(start, start + 3.5, 1.0) | beam.Map(lambda t: round(t - start, 3))
        assert_that(ticks, equal_to([0.0, 1.0, 2.0, 3.0]))
    assert time.process_time() - cpu < 0.9


def test_missed_ticks_collapse_into_the_newest():
    start = time.time() - 5.2  # five ticks overdue when the pipeline starts
    with beam.Pipeline() as p:
        ticks = p | Ticks(start, start + 7.5, 1.0) | beam.Map(lambda t: round(t - start))
        assert_that(ticks, _collapsed)


def _collapsed(actual):
    # One tick for all the overdue ones (5, or 6 if the start was slow), then 6 and 7 on time.
    assert sorted(actual)[-2:] == [6, 7] and len(actual) in (2, 3) and min(actual) >= 5, actual
