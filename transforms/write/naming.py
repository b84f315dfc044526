"""Deterministic file names: a function of what a run reads (batch) or of the window, pane and run
(stream), and of the shard — so a retried bundle or a re-run overwrites its own file instead of
adding a second copy."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import NamedTuple


def run_key(*parts: str) -> str:
    """A short stable name for what a batch run reads, so a re-run names its files the same."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def window_label(start_s: float) -> str:
    return dt.datetime.fromtimestamp(start_s, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class BatchFiles(NamedTuple):
    """One file per partition and shard, named by the run's input: `batch-<key>-<shard>-of-<n>`.

    A re-run over the same input replaces its own files and deletes the ones it no longer writes;
    other inputs' files stay."""

    key: str
    shards: int = 1

    @property
    def prefix(self) -> str:
        return f"batch-{self.key}"

    @property
    def removes_stale(self) -> bool:
        return True

    def parquet_name(self, window_start: float | None, pane: int, shard: int) -> str:
        return f"{self.prefix}-{shard:04d}-of-{self.shards:04d}.parquet"

    def deadletter_name(self, window_start: float | None, pane: int) -> str:
        return f"{self.prefix}.jsonl"


class WindowFiles(NamedTuple):
    """One file per window, pane, partition and shard: `stream-<window>-<pane>-<shard>-<run>`.

    `run` differs per run, so a restarted stream never overwrites what an earlier run wrote, and
    a late pane is a file of its own."""

    run: str
    shards: int = 1

    @property
    def prefix(self) -> str:
        return "stream"

    @property
    def removes_stale(self) -> bool:
        return False

    def parquet_name(self, window_start: float | None, pane: int, shard: int) -> str:
        return stream_file_name(window_start or 0.0, pane, shard, self.run)

    def deadletter_name(self, window_start: float | None, pane: int) -> str:
        return stream_file_name(window_start or 0.0, pane, 0, self.run, "jsonl")


def stream_file_name(
    window_start: float, pane: int, shard: int, run: str, ext: str = "parquet"
) -> str:
    return f"stream-{window_label(window_start)}-{pane:03d}-{shard:04d}-{run}.{ext}"
