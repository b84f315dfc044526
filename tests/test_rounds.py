"""Poll rounds (pipeline/sources/rounds.py): one host's feeds in order at the politeness delay,
nothing started after the epoch's end or after a pause; hosts side by side on threads, so a host
that hangs holds only its own round. Times come from a fake clock (inline rounds) or are events
(threaded rounds): no assertion is about wall-clock time."""

from __future__ import annotations

import threading

import pytest

from pipeline.sources.clock import SYSTEM_CLOCK, FakeClock, now_us
from pipeline.sources.feedlist import FeedSpec
from pipeline.sources.http import FetchResult
from pipeline.sources.rounds import HostRound, Rounds

US = 1_000_000


def _ok(spec: FeedSpec) -> FetchResult:
    return FetchResult(spec.url, spec.url, 200, body=b"<rss/>")


def _never_pauses(spec, result) -> bool:
    return False


@pytest.fixture
def clock():
    with FakeClock() as fake:
        yield fake


def _feeds(host: str, n: int) -> list[FeedSpec]:
    return [FeedSpec(f"http://{host}/feed/{i}", None) for i in range(n)]


def test_a_round_polls_every_due_feed_a_politeness_delay_apart(clock):
    start = now_us(clock)
    round_ = HostRound(_feeds("a.example", 40), _ok, _never_pauses, clock=clock,
                       delay_us=1 * US, last_request=0, until=None)  # fmt: skip
    round_.run()
    polled = round_.take()
    assert len(polled) == 40 and round_.finished
    starts = [(p.requested_at - start) / US for p in polled]
    assert starts == [float(i) for i in range(40)]  # 40 feeds at a 1 s delay: 39 s, all of them


def test_the_first_request_waits_for_the_delay_after_the_last_one(clock):
    start = now_us(clock)
    round_ = HostRound(_feeds("a.example", 1), _ok, _never_pauses, clock=clock,
                       delay_us=2 * US, last_request=start - US // 2, until=None)  # fmt: skip
    round_.run()
    assert [(p.requested_at - start) / US for p in round_.take()] == [1.5]


def test_no_request_starts_at_or_after_the_epochs_end(clock):
    start = now_us(clock)
    round_ = HostRound(_feeds("a.example", 10), _ok, _never_pauses, clock=clock,
                       delay_us=1 * US, last_request=0, until=start + 3 * US)  # fmt: skip
    round_.run()
    assert [(p.requested_at - start) / US for p in round_.take()] == [0.0, 1.0, 2.0]


def test_a_pause_ends_the_round(clock):
    def limited(spec):
        return FetchResult(spec.url, spec.url, 429, error="HTTP 429", retry_after=60.0)

    round_ = HostRound(_feeds("a.example", 5), limited, lambda s, r: r.status == 429,
                       clock=clock, delay_us=0, last_request=0, until=None)  # fmt: skip
    round_.run()
    assert len(round_.take()) == 1


def test_inline_rounds_run_in_the_callers_thread(clock):
    rounds = Rounds(max_in_flight=1)
    seen = []

    def fetch(spec):
        seen.append(threading.current_thread())
        return _ok(spec)

    rounds.start("a", HostRound(_feeds("a", 2), fetch, _never_pauses, clock=clock,
                                delay_us=0, last_request=0, until=None))  # fmt: skip
    assert not rounds.running("a") or len(rounds.harvest("a")) == 2
    assert seen == [threading.current_thread()] * 2 and not rounds.running("a")


def test_a_hanging_host_holds_only_its_own_round():
    """Host a's fetch blocks until released; host b's round runs and is harvested meanwhile,
    round after round. Then a's outcome arrives too: nothing is lost."""
    rounds = Rounds(max_in_flight=4)
    release, started = threading.Event(), threading.Event()

    def hang(spec):
        started.set()
        assert release.wait(60), "never released"
        return _ok(spec)

    def make(host, fetch, n=1):
        return HostRound(_feeds(host, n), fetch, _never_pauses, clock=SYSTEM_CLOCK,
                         delay_us=0, last_request=0, until=None)  # fmt: skip

    try:
        rounds.start("a", make("a", hang))
        assert started.wait(60)
        for _ in range(3):  # three ticks of b while a hangs
            rounds.start("b", make("b", _ok, 2))
            assert len(rounds.harvest("b", wait=True)) == 2
            assert rounds.running("a") and rounds.harvest("a") == []
        release.set()
        assert [p.spec.url for p in rounds.harvest("a", wait=True)] == ["http://a/feed/0"]
        assert not rounds.running("a")
    finally:
        release.set()
        rounds.close()
