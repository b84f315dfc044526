"""What the benchmarks measure the same way: CPU of a process tree."""

from __future__ import annotations

import resource


def cpu_seconds() -> float:
    """User+system CPU of this process and of its children that have ended and been waited for
    (a local runner's worker processes, once the run has stopped them)."""
    own, ended = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime
