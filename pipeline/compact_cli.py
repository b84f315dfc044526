"""`newsbeam compact OUT [--date D]`: one Parquet file per partition instead of a day of stream
windows (transforms/write/compaction.py says how the swap stays atomic for readers)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from transforms.write.compaction import (
    GRACE_S,
    compact_partition,
    partitions,
    stamp_now,
    sweep,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise SystemExit(f"newsbeam compact: error: {message}")


def _day(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {value!r}") from exc


def compact_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="newsbeam compact",
        description="Rewrite each partition's stream files into one Parquet file, atomically for "
        "readers: a listing shows the old files or the new one, never both. Batch runs' files "
        "are left as they are (one per partition and shard already).",
    )
    p.add_argument("dataset", metavar="OUT", help="The --output folder of newsbeam run/stream.")
    p.add_argument(
        "--date",
        type=_day,
        default=None,
        help="Compact this day's partitions (UTC, YYYY-MM-DD). Default: every day before today, "
        "which a running stream no longer writes (it writes today's windows).",
    )
    p.add_argument(
        "--grace-hours",
        type=float,
        default=GRACE_S / 3600,
        help="Keep replaced files in OUT/_compacted/ this long for readers still reading them. "
        "Default: 1.",
    )
    return p


def compact_main(argv: Sequence[str], now: float | None = None) -> int:
    """0 when done (also when there was nothing to compact); 2 for a bad argument."""
    try:
        args = compact_parser().parse_args(list(argv))
    except SystemExit as exc:
        if exc.code in (0, None):
            return 0
        print(exc.code, file=sys.stderr)
        return 2
    out = Path(args.dataset)
    if not (out / "articles").is_dir():
        print(f"newsbeam compact: error: {out}/articles is not a folder", file=sys.stderr)
        return 2
    now = time.time() if now is None else now
    today = dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()
    found = partitions(out, args.date)
    if args.date is None:
        found = [p for p in found if p.parent.name.removeprefix("date=") < today]
    stamp, files, rows, done = stamp_now(now), 0, 0, 0
    for partition in found:
        result = compact_partition(partition, out, stamp)
        if result.path is not None:
            done, files, rows = done + 1, files + result.files_before, rows + result.rows
            name = f"{partition.parent.name}/{partition.name}"
            print(f"  {name}: {result.files_before} files -> 1 ({result.rows:,} rows)")
    swept = sweep(out, now, args.grace_hours * 3600)
    print(
        f"newsbeam compact: {done} of {len(found)} partitions compacted, {files} files -> {done}, "
        f"{rows:,} rows; {swept} old compaction(s) removed from {out}/_compacted/"
    )
    return 0
