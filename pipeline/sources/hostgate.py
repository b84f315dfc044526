"""Per-host politeness shared by every fetcher of a worker process: the feed poller and the page
fetcher ask the same host through one gate, so a page fetch never follows a poll of its host
closer than the politeness delay, and a host that said "come back later" (429/503 with
Retry-After) is left alone by both.

Times are µs on the caller's clock. The gates are kept per clock (by its name), so a test's
FakeClock never sees the wall clock's entries. Bounded: a host's entry is dropped once it is
stale (its last request and any pause are an hour past), checked when the table grows.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from pipeline.sources.clock import Clock, clock_key

_US = 1_000_000
STALE_US = 3600 * _US
MAX_HOSTS = 50_000  # past this many entries the stale ones are swept


class _Host(NamedTuple):
    last_end: int = 0  # µs, when the last request to the host ended (0: none yet)
    paused_until: int = 0  # µs, no request before this (a Retry-After)


class HostGate:
    """When a host may be asked next, whoever asks."""

    def __init__(self):
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    def ready_at(self, host: str, delay_us: int) -> int:
        """The earliest µs a request to `host` may start: `delay_us` after its last request
        ended and not before a pause it asked for; 0 for a host never asked."""
        with self._lock:
            h = self._hosts.get(host, _Host())
        after_last = h.last_end + delay_us if h.last_end else 0
        return max(after_last, h.paused_until)

    def ended(self, host: str, at_us: int) -> None:
        with self._lock:
            h = self._hosts.get(host, _Host())
            self._hosts[host] = h._replace(last_end=max(h.last_end, at_us))
            if len(self._hosts) > MAX_HOSTS:
                self._sweep(at_us)

    def pause(self, host: str, until_us: int) -> None:
        with self._lock:
            h = self._hosts.get(host, _Host())
            self._hosts[host] = h._replace(paused_until=max(h.paused_until, until_us))

    def _sweep(self, now_us: int) -> None:
        stale = [
            host
            for host, h in self._hosts.items()
            if max(h.last_end, h.paused_until) + STALE_US < now_us
        ]
        for host in stale:
            del self._hosts[host]


_GATES: dict[str, HostGate] = {}
_GATES_LOCK = threading.Lock()


def gate_for(clock: Clock) -> HostGate:
    """The process's gate for this clock (the wall clock's, or one FakeClock's)."""
    key = clock_key(clock)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = HostGate()
        return gate
