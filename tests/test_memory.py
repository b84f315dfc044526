"""core.memory: free heap pages go back to the system at most once per interval."""

from __future__ import annotations

import os
import platform
import types

import pytest

from transforms.core.memory import ARROW_POOL_ENV, Trimmer, use_system_allocator_for_arrow


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_trims_at_most_once_per_interval_by_the_clock_it_is_given():
    clock, calls = _Clock(), []
    trimmer = Trimmer(every=5.0, clock=clock, trim=lambda pad: calls.append(pad) or 1)
    assert trimmer.trim() is True
    clock.now += 4.9
    assert trimmer.trim() is False
    clock.now += 0.2
    assert trimmer.trim() is True
    assert calls == [0, 0]


def test_without_malloc_trim_nothing_is_called():
    trimmer = Trimmer(trim=None)
    trimmer._trim = None  # a C library without malloc_trim (musl, macOS)
    assert trimmer.trim() is False


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_blocks_inside_the_heap_go_back_to_the_system():
    """Blocks freed below a live one stay in glibc's heap (and in RSS) until a trim."""
    blocks = [bytes(1000) + bytes([i % 256]) for i in range(60_000)]  # ~60 MB, malloc'd
    last = blocks[-1]
    del blocks  # all but the last are free, and the last keeps the heap's top in use
    before = _rss_mib()
    assert Trimmer(every=0.0).trim() is True
    assert before - _rss_mib() > 30, (before, _rss_mib())
    assert last[-1] == (60_000 - 1) % 256


def test_arrow_allocates_with_malloc_once_packing_is_imported():
    import pyarrow as pa

    import transforms.core.packing  # noqa: F401 - importing it makes the choice

    if ARROW_POOL_ENV in os.environ:
        pytest.skip(f"{ARROW_POOL_ENV} names a pool here: that choice is kept")
    assert pa.default_memory_pool().backend_name == "system"


def test_a_pool_the_user_named_is_kept():
    class _Arrow:  # records what would change the process's pool
        def __init__(self):
            self.set = []

        def system_memory_pool(self):
            return "system pool"

        def set_memory_pool(self, pool):
            self.set.append(pool)

        def default_memory_pool(self):
            return types.SimpleNamespace(backend_name="mimalloc")

    arrow = _Arrow()
    assert use_system_allocator_for_arrow(arrow, {ARROW_POOL_ENV: "mimalloc"}) == "mimalloc"
    assert arrow.set == []
    use_system_allocator_for_arrow(arrow, {})
    assert arrow.set == ["system pool"]
