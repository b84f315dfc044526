"""One poll round: the due feeds of many hosts fetched side by side, each host politely.

The rules, per host: at most one request in flight, and at least the politeness delay between the
end of one request and the start of the next. Across hosts: up to `max_in_flight` requests at
once, on a thread pool shared by the whole worker process, so a host that hangs or drips holds
one thread for at most its fetch deadline and never the others. A round launches requests until
its deadline; those in flight then finish (each within the fetch deadline) and are reported too.

Results come back in the order they finish, from the generator's own thread, so the caller
updates the feed states (and Beam metrics, and outputs) before the next request is chosen. Every
time is read from an injected clock; Clock.wait() is how the round waits for the pool, so on a
fake clock a loopback fetch takes no time and a run is exact.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures as cf

from pipeline.sources.clock import US, Clock, now_us
from pipeline.sources.feedlist import FeedSpec

MAX_WAIT_S = 1.0  # the longest the round waits without looking again (a stop, a due feed)

_EXECUTORS: dict[int, cf.ThreadPoolExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def fetch_executor(max_in_flight: int) -> cf.ThreadPoolExecutor:
    """The worker process's fetch threads: one pool per size, shared by every DoFn instance,
    so the requests in flight per worker stay bounded however many bundles run at once."""
    with _EXECUTORS_LOCK:
        executor = _EXECUTORS.get(max_in_flight)
        if executor is None:
            executor = cf.ThreadPoolExecutor(max_in_flight, thread_name_prefix="newsbeam-fetch")
            _EXECUTORS[max_in_flight] = executor
        return executor


class PollRound:
    """Fetches for `hosts` until a deadline.

    `ready_at(host)` says when the host may be asked next (µs; None: nothing to ask) and
    `next_feed(host, now)` which feed to ask for; both read the caller's feed states, which the
    caller updates with each result before the round goes on.
    """

    def __init__(
        self,
        hosts: Sequence[str],
        ready_at: Callable[[str], int | None],
        next_feed: Callable[[str, int], FeedSpec | None],
        *,
        clock: Clock,
        max_in_flight: int,
    ):
        self._hosts, self._ready, self._next_feed = tuple(hosts), ready_at, next_feed
        self._clock, self._max = clock, max(1, max_in_flight)
        self._in_flight: dict[cf.Future, tuple[str, FeedSpec]] = {}

    def run(
        self, start: Callable[[FeedSpec], cf.Future], deadline_us: int
    ) -> Iterator[tuple[FeedSpec, object, int]]:
        """(feed, what start(feed)'s future returned, when it was harvested in µs), until no
        feed is due before `deadline_us` and nothing is in flight. What is due when the round
        starts is started even past the deadline: a late tick still polls once."""
        first = True
        while True:
            now = now_us(self._clock)
            if now < deadline_us or first:
                self._launch(start, now)
                first = False
            if self._in_flight:
                yield from self._harvest(now, deadline_us)
                continue
            if now >= deadline_us:
                return
            wake = self._next_wake()
            if wake is None or wake >= deadline_us:
                return
            self._clock.sleep(min((wake - now) / US, MAX_WAIT_S))

    def _busy(self) -> set[str]:
        return {host for host, _ in self._in_flight.values()}

    def _launch(self, start: Callable[[FeedSpec], cf.Future], now: int) -> None:
        busy = self._busy()
        ready = {h: self._ready(h) for h in self._hosts if h not in busy}
        for host in sorted(
            (h for h, at in ready.items() if at is not None and at <= now),
            key=lambda h: (ready[h], h),
        ):
            if len(self._in_flight) >= self._max:
                return
            spec = self._next_feed(host, now)
            if spec is not None:
                self._in_flight[start(spec)] = (host, spec)

    def _next_wake(self) -> int | None:
        busy = self._busy()
        wakes = [self._ready(h) for h in self._hosts if h not in busy]
        wakes = [w for w in wakes if w is not None]
        return min(wakes) if wakes else None

    def _harvest(self, now: int, deadline_us: int) -> Iterator[tuple[FeedSpec, object, int]]:
        # At capacity, or past the deadline, only a finished request can change anything.
        open_slot = len(self._in_flight) < self._max and now < deadline_us
        wake = self._next_wake() if open_slot else None
        wait_s = None if wake is None else min(max(0, wake - now) / US, MAX_WAIT_S)
        done = self._clock.wait(list(self._in_flight), wait_s)
        for future in [f for f in self._in_flight if f in done]:  # in launch order
            _host, spec = self._in_flight.pop(future)
            yield spec, future.result(), now_us(self._clock)
