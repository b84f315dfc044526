"""`newsbeam compact OUT [--date D]`: one Parquet file per partition instead of a day of stream
windows (transforms/write/compaction.py says how the swap stays atomic for readers)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.options import PlainParser, UsageError, day
from transforms.write.compaction import (
    GRACE_S,
    compact_partition,
    partitions,
    stamp_now,
    sweep,
)

PROG = "newsbeam compact"


def compact_parser() -> argparse.ArgumentParser:
    p = PlainParser(
        prog=PROG,
        allow_abbrev=False,
        description="Rewrite each partition's stream files into one Parquet file, atomically for "
        "readers: a listing shows the old files or the new one, never both. Batch runs' files "
        "are left as they are (one per partition and shard already).",
    )
    p.add_argument("dataset", metavar="OUT", help="The --output folder of newsbeam run/stream.")
    p.add_argument(
        "--date",
        type=day,
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
    if any(a in ("-h", "--help") for a in argv):
        compact_parser().print_help()
        return 0
    try:
        args = compact_parser().parse_args(list(argv))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.dataset)
    if not (out / "articles").is_dir():
        print(f"{PROG}: error: {out}/articles is not a folder", file=sys.stderr)
        return 2
    now = time.time() if now is None else now
    today = dt.datetime.fromtimestamp(now, dt.UTC).date().isoformat()
    found = partitions(out, args.date.isoformat() if args.date else None)
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
