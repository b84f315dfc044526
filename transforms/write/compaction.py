"""Compaction of a partition's stream files into one Parquet file, swapped in atomically.

A day of one-minute windows leaves thousands of small `stream-*.parquet` files per partition;
readers pay per file. compact_partition() reads them all, writes their rows (sorted as the writer
sorts them, with the one schema) into one file in a staging folder under OUT/_compacted/ (outside
OUT/articles/: DuckDB's and Polars' `**/*.parquet` globs enter hidden folders), then exchanges the
two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE), so a reader listing the
partition sees the old set of files or the new file, never both and never neither. The old files
are not deleted at once: a reader that opened them before the swap may still be reading them, so
they go to OUT/_compacted/<stamp>/ and are removed by a later compaction once they are older than
a grace period. (A reader that listed the old files but had not opened one yet gets a "file not
found" and reads again: an error, never a wrong set of rows.) A file a stream wrote into the partition while it was compacted is moved back at once.

Only stream files are compacted: a batch run's files are already one per partition and shard, and
they belong to their run, which replaces them on a re-run (compacting them would double its rows).
Local filesystems only (a rename exchange is a POSIX-local operation).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.core.records import ARTICLE_SCHEMA
from transforms.write.dataset import read_schema
from transforms.write.parquet import ARTICLE_WRITE_OPTIONS, SORT_COLUMNS

COMPACTED = "_compacted"  # OUT/_compacted/<stamp>/date=…/lang=…: replaced files, kept a while
GRACE_S = 3600.0  # a reader has this long to finish reading files that were compacted away
STREAM_PREFIX = "stream-"
PREFIX = "compact-"
STAGING = ".staging-"  # OUT/_compacted/.staging-<stamp>/: a compaction being built
_STAMP = "%Y%m%dT%H%M%SZ"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Compacted(NamedTuple):
    partition: str
    files_before: int
    rows: int
    path: str | None  # the new file; None when there was nothing to compact


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one atomic step (Linux renameat2 with RENAME_EXCHANGE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError("this system has no renameat2: compaction needs Linux (glibc 2.28+)")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"cannot exchange {a} and {b}: {os.strerror(err)}")


def compactable(partition: Path) -> list[Path]:
    """The partition's stream files and earlier compactions: what one file replaces."""
    return sorted(
        p
        for p in partition.iterdir()
        if p.is_file() and p.suffix == ".parquet" and p.name.startswith((STREAM_PREFIX, PREFIX))
    )


def _merged(files: list[Path]) -> pa.Table:
    """Every row of `files` in the one schema (older files lack newer columns: nulls), sorted by
    the writer's columns (undated rows last, where the writer puts them first)."""
    table = pa.concat_tables([pq.read_table(f, schema=read_schema()) for f in files])
    return table.sort_by([(k, "ascending") for k in SORT_COLUMNS]).cast(ARTICLE_SCHEMA)


def compact_partition(partition: Path, out: Path, stamp: str) -> Compacted:
    """One file for the partition's stream files; the old ones to OUT/_compacted/<stamp>/."""
    files = compactable(partition)
    if len(files) < 2:
        return Compacted(str(partition), len(files), 0, None)
    table = _merged(files)
    # Built outside OUT/articles/: DuckDB's and Polars' `**/*.parquet` globs enter hidden folders.
    staging = out / COMPACTED / f"{STAGING}{stamp}" / partition.parent.name / partition.name
    staging.parent.mkdir(parents=True, exist_ok=True)
    # The partition's other files (a batch run's) stay: hard links, no copy.
    shutil.copytree(partition, staging, ignore=_only_others(files), copy_function=os.link)
    new = staging / f"{PREFIX}{stamp}.parquet"
    pq.write_table(table, new, **ARTICLE_WRITE_OPTIONS)
    if pq.read_metadata(new).num_rows != sum(pq.read_metadata(f).num_rows for f in files):
        shutil.rmtree(staging)
        raise RuntimeError(f"{partition}: the compacted file does not hold every row; unchanged")
    exchange(partition, staging)  # readers now list the new file; `staging` holds the old set
    _move_back_newcomers(staging, partition, {f.name for f in files})
    trash = out / COMPACTED / stamp / partition.parent.name / partition.name
    trash.parent.mkdir(parents=True, exist_ok=True)
    while trash.exists():  # compacted twice within a second: keep both old sets
        trash = trash.with_name(trash.name + "+")
    staging.rename(trash)
    for empty in (staging.parent, staging.parent.parent):  # date=…, then .staging-<stamp>
        try:
            empty.rmdir()
        except OSError:  # another partition of this compaction is still there
            break
    return Compacted(str(partition), len(files), table.num_rows, str(partition / new.name))


def _only_others(files: list[Path]):
    names = {f.name for f in files}
    return lambda _dir, entries: [e for e in entries if e in names or e.startswith(".")]


def _move_back_newcomers(old: Path, partition: Path, compacted: set[str]) -> None:
    """Files a stream renamed into the partition after it was listed went into what is now the
    old folder: each goes back (one rename each), never into the trash."""
    for p in old.iterdir():
        new = p.is_file() and p.suffix == ".parquet" and p.name not in compacted
        if new and not (partition / p.name).exists():
            p.rename(partition / p.name)


def sweep(out: Path, now: float, grace_s: float = GRACE_S) -> int:
    """Delete compacted-away files older than the grace period; returns how many folders went."""
    root = out / COMPACTED
    if not root.is_dir():
        return 0
    gone = 0
    for stamp in sorted(root.iterdir()):
        at = stamp_time(stamp.name)
        if stamp.is_dir() and at is not None and now - at > grace_s:
            shutil.rmtree(stamp)
            gone += 1
    return gone


def stamp_time(stamp: str) -> float | None:
    """A stamp's time (its folder's name says when it was compacted); None if it is no stamp."""
    try:
        at = dt.datetime.strptime(stamp.removeprefix(STAGING), _STAMP)
        return at.replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def partitions(out: Path, date: str | None) -> list[Path]:
    """OUT/articles/date=…/lang=… folders, of one date when given."""
    root = out / "articles"
    days = [root / f"date={date}"] if date else sorted(root.glob("date=*"))
    return [p for d in days if d.is_dir() for p in sorted(d.glob("lang=*")) if p.is_dir()]


def stamp_now(now: float | None = None) -> str:
    return time.strftime(_STAMP, time.gmtime(now if now is not None else time.time()))
