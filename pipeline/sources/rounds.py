"""Poll rounds: each host's due feeds fetched one after another, hosts side by side.

A round is one host's work for now: its due feeds in order, each request at least the politeness
delay after the one before, none started after the epoch ends, and none after the host asked to be
left alone (a 429, a Retry-After). Rounds of different hosts run at once on a bounded pool of
threads (`max_in_flight`), so a host that hangs holds only its own round: the others go on, and the
poller collects what each round has fetched so far at every tick. With `max_in_flight` ≤ 1 a round
runs inline, in the caller's thread (the old one-host-after-another behaviour, and what tests on a
fake clock use, since a fake clock cannot let two threads sleep at the same time).

Nothing here touches Beam: the poller's DoFn turns outcomes into state, counters and outputs on its
own thread, where Beam's metrics and state live.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple

from pipeline.sources.clock import Clock, now_us
from pipeline.sources.feedlist import FeedSpec
from pipeline.sources.http import FetchResult

_US = 1_000_000


class Polled(NamedTuple):
    """One fetch of a round: what was asked, what came back, when (µs UTC)."""

    spec: FeedSpec
    result: FetchResult
    requested_at: int
    fetched_at: int


class HostRound:
    """One host's due feeds, fetched in order by `fetch(spec)`, `delay_us` apart at least, the
    first no sooner than `delay_us` after `last_request`; none started at or after `until`
    (µs; None: no end); none after an answer `pauses(spec, result)` says stops the host."""

    def __init__(
        self,
        feeds: Sequence[FeedSpec],
        fetch: Callable[[FeedSpec], FetchResult],
        pauses: Callable[[FeedSpec, FetchResult], bool],
        *,
        clock: Clock,
        delay_us: int,
        last_request: int,
        until: int | None,
    ):
        self._feeds, self._fetch, self._pauses = list(feeds), fetch, pauses
        self._clock, self._delay, self._last, self._until = clock, delay_us, last_request, until
        self._lock = threading.Lock()
        self._ready: list[Polled] = []
        self._stop = threading.Event()
        self.finished = False

    def run(self) -> None:
        try:
            for spec in self._feeds:
                if not self._wait_turn():
                    break
                requested = now_us(self._clock)
                result = self._fetch(spec)
                self._last = requested
                with self._lock:
                    self._ready.append(Polled(spec, result, requested, now_us(self._clock)))
                if self._pauses(spec, result):
                    break
        finally:
            self.finished = True

    def _wait_turn(self) -> bool:
        """Sleep until the host may be asked again; False when the round must end instead."""
        if self._stop.is_set():
            return False
        start = max(now_us(self._clock), self._last + self._delay)
        if self._until is not None and start >= self._until:
            return False
        wait = start - now_us(self._clock)
        if wait > 0:
            self._clock.sleep(wait / _US)
        return not self._stop.is_set()

    def stop(self) -> None:
        """End after the fetch in progress: the worker is closing."""
        self._stop.set()

    def take(self) -> list[Polled]:
        with self._lock:
            ready, self._ready = self._ready, []
        return ready


class Rounds:
    """The rounds in progress on one worker, at most one per host."""

    def __init__(self, max_in_flight: int):
        self._pool = (
            ThreadPoolExecutor(max_in_flight, "newsbeam-poll") if max_in_flight > 1 else None
        )
        self._rounds: dict[str, tuple[HostRound, Future | None]] = {}

    def running(self, host: str) -> bool:
        return host in self._rounds

    def start(self, host: str, round_: HostRound) -> None:
        if self._pool is None:
            round_.run()
            self._rounds[host] = (round_, None)
        else:
            self._rounds[host] = (round_, self._pool.submit(round_.run))

    def harvest(self, host: str, *, wait: bool = False) -> list[Polled]:
        """What the host's round has fetched since the last harvest; with `wait`, all it will
        fetch (a round starts no request at or after its `until`, so the wait is bounded)."""
        entry = self._rounds.get(host)
        if entry is None:
            return []
        round_, future = entry
        if wait and future is not None:
            future.result()
        finished = round_.finished  # read before take(): nothing is added once it is set
        ready = round_.take()
        if finished:
            del self._rounds[host]
        return ready

    def close(self) -> None:
        for round_, _ in self._rounds.values():
            round_.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
