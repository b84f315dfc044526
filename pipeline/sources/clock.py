"""Clocks for the streaming sources: now() in epoch seconds and sleep(seconds).

SystemClock is the real one and the default everywhere. FakeClock is for tests: its sleep()
advances time at once and runs callbacks scheduled at fake times, so a run is deterministic
however loaded the machine is.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from concurrent import futures as cf
from contextlib import contextmanager
from typing import Protocol, Self

US = 1_000_000
# How often (real seconds) FakeClock.wait looks again whether every pending future is a hang.
_HANG_POLL_S = 0.005


class Clock(Protocol):
    def now(self) -> float:
        """Epoch seconds."""

    def sleep(self, seconds: float) -> None:
        """Return once `seconds` have passed on this clock."""

    def wait(self, pending: Collection[cf.Future], seconds: float | None) -> set[cf.Future]:
        """The futures of `pending` that are done, waiting until one is or `seconds` pass."""


class SystemClock:
    """Wall-clock time and a real sleep."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def wait(self, pending: Collection[cf.Future], seconds: float | None) -> set[cf.Future]:
        timeout = None if seconds is None else max(0.0, seconds)
        return cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED).done

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


def clock_key(clock: Clock) -> str:
    """Which timeline a clock reads ("system", or a FakeClock's name): the key of per-process
    tables that hold times (host gates, robots.txt), so a test's fake times never mix with
    real ones."""
    return getattr(clock, "name", "system")


def now_us(clock: Clock) -> int:
    """The clock's time as integer µs since the epoch, the unit of every time in the records."""
    return round(clock.now() * US)


class ClockSpinning(RuntimeError):
    """A loop read a FakeClock many times while nothing slept: a busy-wait, which on the real
    clock burns a core and here would never end."""


class _Timeline:
    """One fake clock's time, sleep record and scheduled callbacks, shared by all its copies."""

    def __init__(self, start_us: int, spin_limit: int):
        self.lock = threading.Lock()  # guards the fields below, held briefly
        self.advancing = threading.RLock()  # one sleeper at a time moves time and runs callbacks
        self.now_us = start_us
        self.spin_limit = spin_limit
        self.reads_since_advance = 0
        self.reads = 0
        self.sleeps: list[float] = []
        self.pending: list[tuple[int, int, Callable[[], None]]] = []  # heap of (at µs, seq, fn)
        self.seq = itertools.count()
        self.hanging = 0  # threads inside FakeClock.hanging(): a test's host that does not answer


# Time lives here, not in the FakeClock object: Beam pickles every DoFn (FnApiRunner too), so the
# Ticks source, the poller and the watch each hold their own copy of the clock. A copy carries
# only the name and finds the one timeline of this process by it, so all copies agree on the time.
_TIMELINES: dict[str, _Timeline] = {}
_TIMELINES_LOCK = threading.Lock()


class FakeClock:
    """A test clock: sleep() moves time forward at once; call_at() runs a callback at a fake time.

    Works wherever the copies run in the process that created the clock (FnApiRunner in memory,
    the local default); a copy unpickled in another process raises instead of keeping its own
    time. Use it as a context manager, or close() it, to drop its timeline.
    """

    def __init__(
        self, start: float = 1_700_000_000.0, *, name: str | None = None, spin_limit: int = 1000
    ):
        self.name = name or f"fake-clock-{uuid.uuid4().hex}"
        with _TIMELINES_LOCK:
            if self.name in _TIMELINES:
                raise ValueError(f"a FakeClock named {self.name!r} exists already")
            _TIMELINES[self.name] = _Timeline(round(start * US), spin_limit)

    def _timeline(self) -> _Timeline:
        timeline = _TIMELINES.get(self.name)
        if timeline is None:
            raise RuntimeError(
                f"FakeClock {self.name!r} is not registered in this process (closed, or unpickled "
                "by a runner in another process): fake clocks need an in-process runner"
            )
        return timeline

    def now(self) -> float:
        t = self._timeline()
        with t.lock:
            t.reads += 1
            t.reads_since_advance += 1
            if t.reads_since_advance > t.spin_limit:
                raise ClockSpinning(
                    f"{t.reads_since_advance} reads of {self.name} without a sleep: a busy-wait"
                )
            return t.now_us / US

    def sleep(self, seconds: float) -> None:
        """Advance by `seconds` (at least 1 µs if positive), running callbacks due on the way,
        each at its own time."""
        t = self._timeline()
        with t.advancing:
            with t.lock:
                t.sleeps.append(seconds)
                step = max(1, round(seconds * US)) if seconds > 0 else 0
                if step:  # sleep(0) in a loop is still a busy-wait
                    t.reads_since_advance = 0
                target = t.now_us + step
            while (due := self._pop_due(t, target)) is not None:
                due()  # outside t.lock: a callback may read the clock
            with t.lock:
                t.now_us = max(t.now_us, target)

    @staticmethod
    def _pop_due(t: _Timeline, target: int) -> Callable[[], None] | None:
        with t.lock:
            if not t.pending or t.pending[0][0] > target:
                return None
            at, _, fn = heapq.heappop(t.pending)
            t.now_us = max(t.now_us, at)
            return fn

    def wait(self, pending: Collection[cf.Future], seconds: float | None) -> set[cf.Future]:
        """Wait (really) for one of `pending` to finish; no fake time passes. Work done in other
        threads, a loopback fetch say, takes no time on a fake clock: it is done before the next
        fake moment, so waiting for it first keeps a run in the same order however slow the
        machine. Only a hang is not waited for: when every pending future's thread is inside
        hanging() and `seconds` is given, `seconds` pass on this clock and nothing is done, as
        a real wait would time out while a host does not answer."""
        if not pending:
            return set()
        t = self._timeline()
        while True:
            done = cf.wait(pending, timeout=_HANG_POLL_S, return_when=cf.FIRST_COMPLETED).done
            if done:
                return done
            with t.lock:
                all_hang = t.hanging >= len(pending)
            if seconds is not None and all_hang:
                self.sleep(seconds)
                return set()

    @contextmanager
    def hanging(self) -> Iterator[None]:
        """Marks what the calling thread does inside as a hang for wait(): a test's stand-in
        for a host that does not answer blocks inside it, and the round goes on without it."""
        t = self._timeline()
        with t.lock:
            t.hanging += 1
        try:
            yield
        finally:
            with t.lock:
                t.hanging -= 1

    def call_at(self, when: float, fn: Callable[[], None]) -> None:
        """Run fn() in the sleep that reaches `when` (epoch seconds), with now() == when.

        Callbacks stay in this process and are never pickled, so they may be any callable.
        """
        t = self._timeline()
        with t.lock:
            heapq.heappush(t.pending, (round(when * US), next(t.seq), fn))

    @property
    def sleeps(self) -> tuple[float, ...]:
        """Every sleep asked of this clock, in seconds, in order."""
        t = self._timeline()
        with t.lock:
            return tuple(t.sleeps)

    @property
    def reads(self) -> int:
        """How many times now() was called."""
        t = self._timeline()
        with t.lock:
            return t.reads

    def close(self) -> None:
        with _TIMELINES_LOCK:
            _TIMELINES.pop(self.name, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FakeClock(name={self.name!r})"
