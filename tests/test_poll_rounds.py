"""Hosts polled side by side: the round scheduler on a fake clock (politeness per host, one request
in flight per host, a bounded number across hosts, a hanging host that holds up nobody), then
PollFeeds on three loopback hosts, 127.0.0.1, 127.0.0.2 and localhost, one of them with 40 feeds.

Every time asserted is a fake clock's: a fetch takes no fake time, so the order and the times are
exact however loaded the machine is."""

from __future__ import annotations

import itertools
import threading
from concurrent import futures as cf

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to
from feed_server import FeedServer, GrowingFeed

from pipeline.sources.clock import US, FakeClock, now_us
from pipeline.sources.feedlist import FeedSpec, host_of
from pipeline.sources.feedstate import FeedState, due_feeds, host_ready_at, shard_of
from pipeline.sources.poll import PollerConfig, PollFeeds
from pipeline.sources.rounds import PollRound
from transforms.core.failures import ARTICLES

INTERVAL_US = 300 * US


@pytest.fixture
def clock():
    with FakeClock() as fake:
        yield fake


class _Recorder:
    """Stands in for the fetch: records when each request starts (fake time) and checks that no
    host ever has two in flight; `gates` holds a host's requests until the test opens them."""

    def __init__(self, clock, gates: dict[str, threading.Event] | None = None):
        self.clock, self.gates = clock, gates or {}
        self.lock = threading.Lock()
        self.started: list[tuple[str, str, float]] = []  # (host, url, fake seconds)
        self.in_flight: dict[str, int] = {}
        self.most_at_once = 0
        self.overlap = False
        self.timed_out = False  # a gate that was never opened: the test waited on a hang

    def __call__(self, url: str) -> str:
        host = host_of(url)
        with self.lock:
            self.started.append((host, url, self.clock.now()))
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.overlap |= self.in_flight[host] > 1
            self.most_at_once = max(self.most_at_once, sum(self.in_flight.values()))
        gate = self.gates.get(host)
        if gate is not None:
            with self.clock.hanging():  # a hang, ended by the test (at worst, by a deadline)
                self.timed_out |= not gate.wait(30)
        with self.lock:
            self.in_flight[host] -= 1
        return "ok"


def _feeds(host: str, n: int) -> list[FeedSpec]:
    return [FeedSpec(f"http://{host}/feed/{i:02d}") for i in range(n)]


def _round(by_host, states, clock, delay_s: float, max_in_flight: int) -> PollRound:
    def next_feed(host, now):
        due = due_feeds(by_host[host], states, now)
        return due[0] if due else None

    return PollRound(
        sorted(by_host),
        lambda h: host_ready_at(by_host[h], states, round(delay_s * US)),
        next_feed,
        clock=clock,
        max_in_flight=max_in_flight,
    )


def _record(states, spec, at):
    states[spec.url] = FeedState(next_due=at + INTERVAL_US, last_attempt=at)


def test_forty_feeds_on_one_host_take_forty_delays_and_others_are_not_held(clock):
    by_host = {"big": _feeds("big", 40), "a": _feeds("a", 1), "b": _feeds("b", 2)}
    states: dict = {}
    recorder = _Recorder(clock)
    start = clock.now()
    with cf.ThreadPoolExecutor(4) as pool:
        round_ = _round(by_host, states, clock, delay_s=1.0, max_in_flight=4)
        for spec, result, at in round_.run(
            lambda s: pool.submit(recorder, s.url), now_us(clock) + 60 * US
        ):
            assert result == "ok"
            _record(states, spec, at)
    times = {
        host: [round(t - start, 3) for h, _, t in recorder.started if h == host] for host in by_host
    }
    # One request per politeness delay on the big host: all 40 within 40 s (the issue: ~45 s).
    assert times["big"] == [float(i) for i in range(40)]
    assert times["a"] == [0.0] and times["b"] == [0.0, 1.0]
    assert len({url for _, url, _ in recorder.started}) == 43, "a feed was polled twice"
    assert not recorder.overlap and recorder.most_at_once <= 4


def test_at_most_max_in_flight_across_hosts(clock):
    by_host = {f"h{i}": _feeds(f"h{i}", 1) for i in range(10)}
    states: dict = {}
    gates = {h: threading.Event() for h in by_host}
    recorder = _Recorder(clock, gates)
    seen = []
    with cf.ThreadPoolExecutor(10) as pool:
        round_ = _round(by_host, states, clock, delay_s=1.0, max_in_flight=3)
        run = round_.run(lambda s: pool.submit(recorder, s.url), now_us(clock) + 10 * US)
        opener = threading.Timer(0.2, lambda: [g.set() for g in gates.values()])
        opener.start()
        for spec, _, at in run:
            seen.append(spec.url)
            _record(states, spec, at)
    assert len(seen) == 10 and recorder.most_at_once == 3


def test_a_hanging_host_holds_up_nobody(clock):
    by_host = {"hang": _feeds("hang", 3), "good": _feeds("good", 5)}
    states: dict = {}
    gate = threading.Event()
    recorder = _Recorder(clock, {"hang": gate})
    start = clock.now()
    harvested = []
    with cf.ThreadPoolExecutor(4) as pool:
        round_ = _round(by_host, states, clock, delay_s=1.0, max_in_flight=4)
        for spec, _, at in round_.run(
            lambda s: pool.submit(recorder, s.url), now_us(clock) + 8 * US
        ):
            harvested.append((host_of(spec.url), round((at / US) - start, 3)))
            _record(states, spec, at)
            if sum(h == "good" for h, _ in harvested) == 5:
                gate.set()  # the hang ends only once the good host is done
    good = [t for h, t in harvested if h == "good"]
    assert good == [0.0, 1.0, 2.0, 3.0, 4.0], "the good host waited for the hanging one"
    # The hanging request ends after the good host's last; the host's next request waits the
    # politeness delay after that, within the round.
    hang_starts = [round(t - start, 3) for h, _, t in recorder.started if h == "hang"]
    assert hang_starts[0] == 0.0 and len(hang_starts) == 3
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(hang_starts))
    assert not recorder.overlap
    assert not recorder.timed_out, "the round waited for the hanging host to give up"


def test_nothing_starts_after_the_deadline_and_in_flight_requests_are_kept(clock):
    by_host = {"slow": _feeds("slow", 3)}
    states: dict = {}
    gate = threading.Event()
    recorder = _Recorder(clock, {"slow": gate})
    with cf.ThreadPoolExecutor(2) as pool:
        round_ = _round(by_host, states, clock, delay_s=0.0, max_in_flight=2)
        run = round_.run(lambda s: pool.submit(recorder, s.url), now_us(clock) + 2 * US)

        def hang_past_the_deadline():
            clock.sleep(3)  # the request takes 3 s of the round's 2
            gate.set()

        threading.Timer(0.1, hang_past_the_deadline).start()
        got = []
        for spec, _, at in run:
            got.append(spec.url)
            _record(states, spec, at)
    # The deadline passed while the first request hung: it is reported, and nothing else started.
    assert len(got) == 1 and len(recorder.started) == 1


def _numbered(n: int) -> dict[str, GrowingFeed]:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>x</title><guid>g</guid></item></channel></rss>"
    )
    return {f"f{i:02d}": GrowingFeed(rss, 1) for i in range(n)}


def test_three_loopback_hosts_one_with_forty_feeds(clock):
    with (
        FeedServer(_numbered(40), clock=clock) as big,
        FeedServer(_numbered(2), host="127.0.0.2", clock=clock) as two,
    ):
        # localhost is a third host by name, served by the first server on 127.0.0.1.
        other = big.url("/feed/f00").replace("127.0.0.1", "localhost")
        feeds = [FeedSpec(big.url(f"/feed/f{i:02d}"), 300) for i in range(40)]
        feeds += [FeedSpec(two.url("/feed/f00"), 300), FeedSpec(two.url("/feed/f01"), 300)]
        feeds += [FeedSpec(other, 300)]
        config = PollerConfig(feeds=tuple(feeds), politeness_delay=1.0, retries=0)
        assert {host_of(f.url) for f in feeds} == {"127.0.0.1", "127.0.0.2", "localhost"}
        start = clock.now()
        with beam.Pipeline(runner="FnApiRunner") as p:
            polled = p | PollFeeds(config, start, start + 45, 1.0, clock=clock)
            urls = polled[ARTICLES] | beam.Map(lambda d: d.source_uri)
            assert_that(urls, equal_to([f.url for f in feeds]))  # each once
        arrivals = {}
        for (_path, headers), t in zip(big.requests, big.times, strict=True):
            arrivals.setdefault(headers["Host"].split(":")[0], []).append(round(t - start, 3))
        assert arrivals["127.0.0.1"] == [float(i) for i in range(40)]
        assert arrivals["localhost"] == [0.0]
        assert [round(t - start, 3) for t in two.times] == [0.0, 1.0]


def test_shards_are_stable_and_spread():
    hosts = [f"10.0.0.{i}" for i in range(200)]
    assert [shard_of(h, 4) for h in hosts] == [shard_of(h, 4) for h in hosts]
    assert len({shard_of(h, 4) for h in hosts}) == 4
    assert {shard_of(h, 1) for h in hosts} == {0}


def test_a_round_started_after_its_deadline_polls_what_is_due_once(clock):
    # A late tick (the local runner starts an epoch's pipeline slowly): the feeds due now are
    # polled, politely, and nothing after; nothing spins (the fake clock raises on a loop that
    # reads it without sleeping).
    by_host = {"a": _feeds("a", 2), "b": _feeds("b", 1)}
    states: dict = {}
    recorder = _Recorder(clock)
    with cf.ThreadPoolExecutor(2) as pool:
        round_ = _round(by_host, states, clock, delay_s=1.0, max_in_flight=2)
        for spec, _, at in round_.run(lambda s: pool.submit(recorder, s.url), now_us(clock) - 1):
            _record(states, spec, at)
    assert sorted(url for _, url, _ in recorder.started) == ["http://a/feed/00", "http://b/feed/00"]


class _WaitRecorder:
    """The fake clock, recording how long each wait for the pool was allowed to last."""

    def __init__(self, clock):
        self.clock, self.waits = clock, []

    def now(self):
        return self.clock.now()

    def sleep(self, seconds):
        self.clock.sleep(seconds)

    def wait(self, pending, seconds):
        self.waits.append(seconds)
        return self.clock.wait(pending, seconds)


def test_at_capacity_the_round_waits_for_a_request_instead_of_spinning(clock):
    # Ten hosts are due and three may be in flight: while the three hang, waking up for the
    # other seven is pointless (and on the real clock, a wait of 0 s in a loop burns a core).
    by_host = {f"h{i}": _feeds(f"h{i}", 1) for i in range(10)}
    states: dict = {}
    gates = {h: threading.Event() for h in by_host}
    recorder, waits = _Recorder(clock, gates), _WaitRecorder(clock)
    with cf.ThreadPoolExecutor(10) as pool:
        round_ = _round(by_host, states, waits, delay_s=1.0, max_in_flight=3)
        run = round_.run(lambda s: pool.submit(recorder, s.url), now_us(clock) + 10 * US)
        threading.Timer(0.2, lambda: [g.set() for g in gates.values()]).start()
        for spec, _, at in run:
            _record(states, spec, at)
    assert len(recorder.started) == 10
    # Never a zero-length wait: at capacity the round waits for a request to end (None).
    assert None in waits.waits and all(s is None or s > 0 for s in waits.waits), waits.waits
