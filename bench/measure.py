"""What the benchmarks measure the same way: CPU of a process tree."""

from __future__ import annotations

import resource
import time


def cpu_seconds() -> float:
    """User+system CPU of this process and of its children that have ended and been waited for
    (a local runner's worker processes, once the run has stopped them)."""
    own, ended = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def host_speed(iterations: int = 2_000_000, repeat: int = 3) -> float:
    """CPU nanoseconds per iteration of a fixed pure-Python loop, least of repeat: the speed of
    this machine and interpreter at the time, so that figures from different days can be told
    apart from a slower host (no package is involved). Prints nothing of newsbeam."""
    best = float("inf")
    for _ in range(repeat):
        started, total = time.process_time(), 0
        for i in range(iterations):
            total += i
        best = min(best, time.process_time() - started)
    return best / iterations * 1e9


def build_note() -> str:
    """Which build of newsbeam's modules the figures come from: compiled or pure Python."""
    from transforms.core.compiled import PURE_PYTHON_ENV, compiled_files, pure_python_requested

    built = sum(1 for _ in compiled_files())
    if pure_python_requested():
        return f"modules: pure Python ({PURE_PYTHON_ENV}=1; {built} compiled ones left unused)"
    if not built:
        return "modules: pure Python (none compiled: no C compiler, or not built)"
    return f"modules: {built} compiled by setup.py (README, 'Compiled modules')"
