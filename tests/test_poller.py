"""Poller: feed list parsing, scheduling rules, PollFeeds against a loopback server, and the fake
clock the streaming sources are tested on."""

from __future__ import annotations

import itertools
import json
import math
import pickle
import threading
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.coders import PickleCoder
from apache_beam.portability import common_urns
from apache_beam.runners.pipeline_context import PipelineContext
from apache_beam.testing.util import assert_that, equal_to
from feed_server import FeedServer, GrowingFeed

from pipeline.sources.clock import ClockSpinning, FakeClock, now_us
from pipeline.sources.feedlist import (
    FeedListError,
    FeedSpec,
    host_of,
    parse_feed_line,
    parse_feed_list,
)
from pipeline.sources.feedstate import (
    MAX_BACKOFF_S,
    FeedState,
    after_fetch,
    due_feeds,
    host_pause,
    load_snapshot,
    pause_feeds,
    retry_delay,
    snapshot_path,
    states_from_json,
    states_to_json,
)
from pipeline.sources.http import USER_AGENT, FetchResult
from pipeline.sources.poll import PollerConfig, PollFeeds, _PollShardFn
from pipeline.sources.ticks import MAX_WAIT_S, Ticks
from transforms.core.failures import ARTICLES, FAILURES

US = 1_000_000


@pytest.fixture
def clock():
    """A fake clock: sources sleep on it without waiting, so runs are exact and fast under load."""
    with FakeClock() as fake:
        yield fake


def _pipeline() -> beam.Pipeline:
    # In memory on purpose: a FakeClock's copies share its time only within this process.
    return beam.Pipeline(runner="FnApiRunner")


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


def _seconds_after(start_us: int):
    return lambda at_us: (at_us - start_us) / US


def test_poll_feeds_fetches_once_then_304_and_backs_off(tmp_path, clock):
    with FeedServer({"a": GrowingFeed(RSS, 2)}, clock=clock) as srv:
        feed, error = srv.url("/feed/a"), srv.url("/error")
        config = PollerConfig(
            feeds=(FeedSpec(feed, 1), FeedSpec(error, 1)),
            politeness_delay=0.0,
            retries=0,
            state_dir=str(tmp_path),
        )
        start = clock.now()
        since = _seconds_after(now_us(clock))
        with _pipeline() as p:
            polled = p | PollFeeds(config, start, start + 3.5, 0.5, clock=clock)
            docs = polled[ARTICLES] | "Doc" >> beam.Map(
                lambda d: (d.source_uri, b"n1" in d.data, since(d.fetched_at))
            )
            errors = polled[FAILURES] | "Err" >> beam.Map(
                lambda f: (f.stage, f.source_uri, f.error, since(f.at), _next_try(f))
            )
            assert_that(docs, equal_to([(feed, True, 0.0)]), label="OneDocument")
            # Backoff from the 1 s interval, doubling: failures at 0 s, 1 s and 3 s (the next one
            # due at 7 s), not one per 0.5 s tick.
            err = ("fetch", error, "HTTP 500")
            backed_off = [(*err, 0.0, 1), (*err, 1.0, 2), (*err, 3.0, 4)]
            assert_that(errors, equal_to(backed_off), label="BackedOff")
        feed_requests = [
            (h, t)
            for (path, h), t in zip(srv.requests, srv.times, strict=True)
            if path == "/feed/a"
        ]
        # Once a second, on the feed's interval: 200 at 0 s, then conditional GETs answered 304.
        assert [round(t - start, 3) for _, t in feed_requests] == [0.0, 1.0, 2.0, 3.0]
        assert all(h.get("If-None-Match") for h, _ in feed_requests[1:])
        assert srv.count("/error") == 3
        snapshot = load_snapshot(snapshot_path(str(tmp_path), "127.0.0.1"))
        assert snapshot[feed].etag and snapshot[error].failures == 3
        raw = json.loads(Path(snapshot_path(str(tmp_path), "127.0.0.1")).read_text())
        assert raw[feed]["last_status"] == 304


def _next_try(failure) -> int:
    return json.loads(failure.payload)["next_try_in_s"]


def test_politeness_one_request_per_host_per_delay(clock):
    with FeedServer({"a": GrowingFeed(RSS, 2), "b": GrowingFeed(RSS, 3)}, clock=clock) as srv:
        a, b = srv.url("/feed/a"), srv.url("/feed/b")
        config = PollerConfig(feeds=(FeedSpec(a, 1), FeedSpec(b, 1)), politeness_delay=0.8)
        config = config._replace(retries=0)
        start = clock.now()
        since = _seconds_after(now_us(clock))
        with _pipeline() as p:
            polled = p | PollFeeds(config, start, start + 3.0, 0.2, clock=clock)
            docs = polled[ARTICLES] | beam.Map(lambda d: (d.source_uri, since(d.fetched_at)))
            # Both feeds are due at 0 s; the second waits for the delay instead of following at once.
            assert_that(docs, equal_to([(a, 0.0), (b, 0.8)]))
        times = [round(t - start, 3) for t in srv.times]
        gaps = [round(y - x, 3) for x, y in itertools.pairwise(times)]
        assert min(gaps) >= config.politeness_delay, times
        # …and polling is not starved: one request per delay, the most overdue feed first.
        assert times == [0.0, 0.8, 1.6, 2.4]
        assert [path for path, _ in srv.requests] == ["/feed/a", "/feed/b"] * 2


def test_a_429_with_retry_after_pauses_the_whole_host(clock):
    feeds = {"a": GrowingFeed(RSS, 2), "b": GrowingFeed(RSS, 3)}
    with FeedServer(feeds, clock=clock) as srv:
        limited, b = srv.url("/limited/3/a"), srv.url("/feed/b")
        config = PollerConfig(feeds=(FeedSpec(limited, 1), FeedSpec(b, 1)), politeness_delay=0.0)
        config = config._replace(user_agent="acme-monitor/2.0 (+https://acme.example)")
        start = clock.now()
        since = _seconds_after(now_us(clock))
        with _pipeline() as p:
            polled = p | PollFeeds(config, start, start + 4.5, 0.5, clock=clock)
            docs = polled[ARTICLES] | beam.Map(lambda d: (d.source_uri, since(d.fetched_at)))
            errors = polled[FAILURES] | "Err" >> beam.Map(
                lambda f: (f.error, json.loads(f.payload)["retry_after_s"], since(f.at))
            )
            # Both are due at 0 s (b first by URL). The 429 asks for 3 s: b, due again at 1 s
            # and 2 s on its own interval, waits with it, and nothing is retried before 3 s.
            assert_that(docs, equal_to([(b, 0.0), (limited, 3.0)]), label="AfterThePause")
            assert_that(errors, equal_to([("HTTP 429", 3.0, 0.0)]), label="OneRateLimit")
        assert [round(t - start, 3) for t in srv.times] == [0.0, 0.0, 3.0, 3.0, 4.0, 4.0]
        assert [p for p, _ in srv.requests][:2] == ["/feed/b", "/limited/3/a"]
        assert {h["User-Agent"] for _, h in srv.requests} == {config.user_agent}


def test_host_pause_rules():
    state = FeedState(failures=3)
    limited = FetchResult("u", "u", 429, error="HTTP 429", retry_after=90.0)
    assert host_pause(limited, state, 60) == 90
    assert host_pause(limited._replace(retry_after=10**9), state, 60) == MAX_BACKOFF_S
    assert host_pause(limited._replace(retry_after=0.0), state, 60) == 1
    assert host_pause(limited._replace(retry_after=None), state, 60) == retry_delay(60, 3)
    assert host_pause(limited._replace(status=503), state, 60) == 90
    assert host_pause(limited._replace(status=503, retry_after=None), state, 60) is None
    assert host_pause(FetchResult("u", "u", 500, error="HTTP 500"), state, 60) is None
    states = {"a": FeedState(next_due=5 * US), "b": FeedState(next_due=50 * US)}
    pause_feeds(states, ["a", "b", "c"], 20 * US)
    assert {u: s.next_due for u, s in states.items()} == {"a": 20 * US, "b": 50 * US, "c": 20 * US}
    assert USER_AGENT.startswith("newsbeam/")


@pytest.mark.parametrize("interval", [1.0, 2.5])
def test_ticks_are_paced_not_spun(interval):
    # The stock PeriodicImpulse spins the local runner: resumed at once after each deferral, it
    # reads the time and defers again, thousands of times a tick. Paced, each resumption sleeps
    # (at most MAX_WAIT_S, to notice a stop), so a tick costs a few sleeps and a few clock reads;
    # a loop that reads the clock 20 times without sleeping makes the fake clock raise.
    with FakeClock(spin_limit=20) as clock:
        start = clock.now() + 0.5
        with _pipeline() as p:
            ticks = p | Ticks(start, start + 3.5 * interval, interval, clock=clock)
            relative = ticks | beam.Map(lambda t: round(t - start, 3))
            assert_that(relative, equal_to([round(i * interval, 3) for i in range(4)]))
        sleeps_per_tick = math.ceil(interval / MAX_WAIT_S) + 1
        assert len(clock.sleeps) <= 4 * sleeps_per_tick, clock.sleeps
        assert clock.reads <= 4 * len(clock.sleeps), (clock.reads, clock.sleeps)
        assert max(clock.sleeps) <= MAX_WAIT_S
        # The waiting happened on the clock: it stands past the last tick.
        assert clock.now() >= start + 3 * interval


def test_missed_ticks_collapse_into_the_newest(clock):
    start = clock.now() - 5.2  # five ticks overdue when the pipeline starts
    with _pipeline() as p:
        ticks = (
            p | Ticks(start, start + 7.5, 1.0, clock=clock) | beam.Map(lambda t: round(t - start))
        )
        # One tick (5) for all the overdue ones, then 6 and 7 on time.
        assert_that(ticks, equal_to([5, 6, 7]))


# --- the per-feed state: JSON text under a standard coder, not pickles ---------------------------


class _MemoryState:
    """ReadModifyWriteState in a dict's stead, to run the poller's DoFn outside a pipeline."""

    def __init__(self):
        self.value = None

    def read(self):
        return self.value

    def write(self, value):
        self.value = value


def test_feed_state_coder_is_standard_and_free_of_module_paths(clock):
    coder = _PollShardFn.FEEDS.coder
    assert not isinstance(coder, PickleCoder)
    # A well-known coder: its bytes mean the same to any SDK version and any class layout.
    assert coder.to_runner_api(PipelineContext()).spec.urn == common_urns.coders.STRING_UTF8.urn
    with FeedServer({"a": GrowingFeed(RSS, 2)}, clock=clock) as srv:
        feed, error = srv.url("/feed/a"), srv.url("/error")
        config = PollerConfig(feeds=(FeedSpec(feed, 60), FeedSpec(error, 60)), retries=0)
        config = config._replace(politeness_delay=0.0)
        fn = _PollShardFn(config, round_s=1.0, stop=None, clock=clock)
        fn.setup()
        feeds_state = _MemoryState()

        def poll():
            element = (0, clock.now())
            list(fn.process(element, feeds_state=feeds_state))

        poll()
        encoded = coder.encode(feeds_state.value)
        for module in (b"pipeline", b"transforms", b"FeedState", b"__main__", b"\x80"):
            assert module not in encoded, encoded
        plain = json.loads(encoded)
        assert plain[feed]["etag"] and plain[feed]["last_status"] == 200
        assert plain[error]["failures"] == 1
        # What the DoFn reads back is what it wrote: the next poll of the feed is conditional.
        feeds_state.value = coder.decode(encoded)
        clock.sleep(60)
        poll()
        feed_headers = [h for path, h in srv.requests if path == "/feed/a"]
        assert len(feed_headers) == 2
        assert feed_headers[-1].get("If-None-Match") == plain[feed]["etag"]
        assert json.loads(feeds_state.value)[feed]["last_status"] == 304


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"u": {"etag": "x", "failures": 2}}', {"u": FeedState(etag="x", failures=2)}),
        # A field a later version added, and one it dropped: ignored and defaulted.
        ('{"u": {"etag": "x", "priority": 3}}', {"u": FeedState(etag="x")}),
        ("{}", {}),
    ],
)
def test_states_from_json_tolerates_other_versions(text, expected):
    assert states_from_json(text) == expected


def test_states_json_round_trips():
    states = {"http://h/a": FeedState('"e"', "Mon", 1, 2, 3, 304), "http://h/b": FeedState()}
    assert states_from_json(states_to_json(states)) == states


# --- the fake clock -------------------------------------------------------------------------------


def test_fake_clock_copies_share_one_time(clock):
    # Beam pickles each DoFn, so Ticks, the poller and the watch each hold a copy.
    copy = pickle.loads(pickle.dumps(clock))
    start = clock.now()
    copy.sleep(2.5)
    assert clock.now() == copy.now() == start + 2.5
    assert now_us(clock) == round(start * US) + 2_500_000
    clock.close()
    with pytest.raises(RuntimeError, match="not registered"):
        copy.now()


def test_fake_clock_runs_callbacks_at_their_time_in_order(clock):
    start, seen = clock.now(), []
    clock.call_at(start + 2, lambda: seen.append(("late", clock.now() - start)))
    clock.call_at(start + 1, lambda: seen.append(("early", clock.now() - start)))
    clock.call_at(start + 9, lambda: seen.append(("beyond", clock.now() - start)))
    clock.sleep(5)
    assert seen == [("early", 1.0), ("late", 2.0)] and clock.now() == start + 5
    clock.sleep(4)
    assert seen[-1] == ("beyond", 9.0)


def test_fake_clock_sleeps_from_many_threads_add_up(clock):
    start = clock.now()

    def sleeper():
        for _ in range(200):
            clock.sleep(0.25)

    threads = [threading.Thread(target=sleeper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.now() == start + 200.0 and len(clock.sleeps) == 800


def test_fake_clock_reports_a_busy_wait():
    with FakeClock(spin_limit=3) as clock:
        for _ in range(3):
            clock.now()
        clock.sleep(0.1)  # waiting resets the count
        for _ in range(3):
            clock.now()
        with pytest.raises(ClockSpinning):
            clock.now()
