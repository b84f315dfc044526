"""The run summary: count every outcome in the graph, then add them up on the launcher.

Batch counts are computed as data (Combine), not Beam metrics, so they come out the same on every
runner, Dask included; the graph writes them to OUT/_runs/<key>.counts.json and the CLI reads that
file. A local stream sums each epoch's metrics into per-feed and overall totals, one status line
per window.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Iterator, Mapping

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows

from transforms.core.records import FETCH_FAILURES
from transforms.write import write_atomically

SUMMARY_NAME = "summary.json"


def counts_path(output: str, key: str) -> str:
    return f"{output.rstrip('/')}/_runs/batch-{key}.counts.json"


def manifest_path(output: str, key: str) -> str:
    return f"{output.rstrip('/')}/_runs/batch-{key}.manifest.json"


def withdraw_manifest(output: str, key: str) -> None:
    """A run of this input starts: its files are about to change, so its manifest goes first."""
    path = manifest_path(output, key)
    if FileSystems.exists(path):
        FileSystems.delete([path])


def write_manifest(output: str, key: str, summary: Mapping) -> dict:
    """The commit record of a finished batch run, written last: every Parquet file of this input
    with its row count (relative to OUT), its dead-letter file, and its summary. A reader who
    wants only committed data reads the files a manifest lists."""
    import pyarrow.parquet as pq

    root = output.rstrip("/")
    files = []
    pattern = f"{root}/articles/*/*/batch-{key}-*.parquet"
    for m in sorted(FileSystems.match([pattern])[0].metadata_list, key=lambda m: m.path):
        with FileSystems.open(m.path) as fh:
            rows = pq.ParquetFile(fh).metadata.num_rows
        files.append({"path": m.path[len(root) + 1 :], "rows": rows, "bytes": m.size_in_bytes})
    dead = f"{root}/deadletter/batch-{key}.jsonl"
    manifest = {
        "run_key": key,
        "files": files,
        "rows": sum(f["rows"] for f in files),
        "deadletter": dead[len(root) + 1 :] if FileSystems.exists(dead) else None,
        "summary": dict(summary),
    }
    write_atomically(manifest_path(output, key), json.dumps(manifest, indent=1).encode("utf-8"))
    return manifest


def _write_counts(counts: list, path: str) -> None:
    write_atomically(path, json.dumps(dict(sorted(counts)), indent=1).encode("utf-8"))


class CountOutcomes(beam.PTransform):
    """{name: PCollection} -> one counts file at `path`.

    Each element counts 1 under its name, unless `tally` maps the name to a function that returns
    (counter name, amount) for an element, e.g. drops per reason or rows per written file.
    """

    def __init__(self, path: str, tally: Mapping[str, Callable] | None = None):
        super().__init__()
        self._path = path
        self._tally = dict(tally or {})

    def expand(self, named):
        keyed = []
        for name, pcoll in sorted(named.items()):
            fn = self._tally.get(name, lambda _, n=name: (n, 1))
            keyed.append(pcoll | f"Tally_{name.replace('.', '_')}" >> beam.ParDo(_TallyFn(fn)))
        return (
            keyed
            | "FlattenOutcomes" >> beam.Flatten()
            | "SumPerName" >> beam.CombinePerKey(sum)
            | "AllCounts" >> beam.combiners.ToList()
            | "WriteCounts" >> beam.Map(_write_counts, self._path)
        )


class _TallyFn(beam.DoFn):
    """Element -> nothing; at the bundle's end, (counter name, amount) per name it counted. A
    batch run counts every article of every step: one element each would wait in the runner's
    memory (and cross the Flatten) until the run's end, a few per bundle do not. Batch only:
    the sums go out in the global window."""

    def __init__(self, tally: Callable):
        self._tally = tally

    def start_bundle(self) -> None:
        self._sums: dict[str, int] = {}

    def process(self, element) -> Iterator:
        name, amount = self._tally(element)
        self._sums[name] = self._sums.get(name, 0) + amount
        return iter(())

    def finish_bundle(self) -> Iterator:
        for name, amount in self._sums.items():
            yield GlobalWindows.windowed_value((name, amount))


def read_counts(path: str) -> dict[str, int]:
    if not FileSystems.exists(path):
        return {}
    with FileSystems.open(path) as fh:
        return json.loads(fh.read().decode("utf-8"))


def summarise(counts: Mapping[str, int], wall_seconds: float) -> dict:
    """Add the stage counts up into read = written + dropped + dead-lettered."""
    failures = {k: v for k, v in counts.items() if k.endswith(".failures")}
    dropped = {k.split(".", 2)[2]: v for k, v in counts.items() if k.startswith("dedupe.dropped.")}
    read = (
        counts.get("read.failures", 0)
        + counts.get("parse.articles", 0)
        + counts.get("parse.failures", 0)
    )
    written = counts.get("write.rows", 0)
    dead = sum(failures.values())
    return {
        "items_read": read,
        "written": written,
        "dropped_duplicates": sum(dropped.values()),
        "dead_lettered": dead,
        "balanced": read == written + sum(dropped.values()) + dead,
        "documents_read": counts.get("read.documents", 0),
        "files_written": counts.get("write.files", 0),
        "dropped_by_reason": dropped,
        "dead_lettered_by_stage": {k.split(".")[0]: v for k, v in failures.items() if v},
        "pages": {
            k.split(".", 2)[2]: v for k, v in counts.items() if k.startswith("pages.status.")
        },
        "page_fetch_errors": counts.get("pages.fetch_errors", 0),
        "stages": dict(counts),
        "wall_seconds": round(wall_seconds, 3),
    }


def format_summary(s: Mapping) -> str:
    lines = [
        (
            f"newsbeam: read {s['items_read']} items from {s['documents_read']} documents in "
            f"{s['wall_seconds']:.1f} s"
        ),
        f"  written        {s['written']:>8}  ({s['files_written']} files)",
        f"  duplicates     {s['dropped_duplicates']:>8}  {s['dropped_by_reason'] or ''}",
        f"  dead-lettered  {s['dead_lettered']:>8}  {s['dead_lettered_by_stage'] or ''}",
    ]
    if s.get("pages"):
        lines.append(
            f"  article pages  {s['pages'].get('ok', 0):>8}  {s['pages']} "
            f"({s.get('page_fetch_errors', 0)} failed fetches dead-lettered; their items are "
            "written with the feed's text)"
        )
    if not s["balanced"]:
        lines.append("  WARNING: read != written + duplicates + dead-lettered")
    return "\n".join(lines)


class StreamTotals:
    """Counters summed over the epochs of a stream, per feed and overall."""

    FEED_COUNTERS = ("fetched", "not_modified", "errors", "new_items", "redeliveries")

    def __init__(self):
        self.per_feed: dict[str, dict[str, int]] = {}
        self.overall: dict[str, int] = {}

    def add(self, result) -> dict[str, int]:
        """Add one epoch's metrics; returns that epoch's counters alone."""
        epoch: dict[str, int] = {}
        for c in result.metrics().query()["counters"]:
            namespace, name = c.key.metric.namespace, c.key.metric.name
            value = c.committed if c.committed is not None else c.attempted
            if namespace.startswith("feed:"):
                feed = self.per_feed.setdefault(namespace[5:], dict.fromkeys(self.FEED_COUNTERS, 0))
                feed[name] = feed.get(name, 0) + value
                key = f"feed.{name}"
            else:
                key = f"{namespace}.{name}"
            epoch[key] = epoch.get(key, 0) + value
        for key, value in epoch.items():
            self.overall[key] = self.overall.get(key, 0) + value
        return epoch


def status_line(
    epoch: Mapping[str, int], totals: StreamTotals, window_start: float, elapsed: float
) -> str:
    """One line per window on stderr: polls, files, new and re-delivered items, rows, memory."""
    g = epoch.get
    failing = sum(
        1 for f in totals.per_feed.values() if f.get("errors", 0) and not f.get("fetched")
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    at = time.strftime("%H:%M:%SZ", time.gmtime(window_start))
    new = g("feed.new_items", 0) + g("watch.new_items", 0)
    failed = sum(g(f"pages.{s}", 0) for s in FETCH_FAILURES)
    return (
        f"newsbeam stream: window {at} ({elapsed:.1f} s) | polls ok {g('feed.fetched', 0)} "
        f"304 {g('feed.not_modified', 0)} err {g('feed.errors', 0)} | files {g('watch.files', 0)} | "
        f"new {new} redelivered {g('dedupe.exact_redelivery', 0)} | "
        f"pages ok {g('pages.ok', 0)} robots {g('pages.robots', 0)} failed {failed} | "
        f"rows {g('write.rows', 0)} in {g('write.files', 0)} files | feeds {len(totals.per_feed)} "
        f"failing {failing} | peak rss {rss_mb} MB"
    )
