"""What a report reads from OUT: its files, found once, and the DuckDB tables made from them.

Only committed files are read: the writers' temporary files are hidden (`.tmp-…`) and skipped,
so a report taken while a run writes sees whole files only. The SQL lives in `queries/*.sql`, the same text the
README shows, so users can run it themselves.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

FILES_PER_SCAN = 1000  # one scan of many small files holds ~100 KB per file: scan them in batches
# The widest span shown day by day, then week by week; wider spans go month by month.
DAILY_UP_TO_DAYS = 92
WEEKLY_UP_TO_DAYS = 3 * 366


@dataclass(frozen=True)
class DatasetFiles:
    root: str
    articles: tuple[str, ...]
    deadletters: tuple[str, ...]
    sources: tuple[str, ...]
    batch_counts: tuple[str, ...]
    stream_reports: tuple[str, ...]


def _committed(pattern: str) -> tuple[str, ...]:
    paths = glob.glob(pattern)  # `*` never matches a hidden name, but say so plainly
    return tuple(sorted(p for p in paths if not os.path.basename(p).startswith(".")))


def find_files(root: str) -> DatasetFiles:
    root = root.rstrip("/") or "/"
    return DatasetFiles(
        root=root,
        articles=_committed(f"{root}/articles/*/*/*.parquet"),
        deadletters=_committed(f"{root}/deadletter/*.jsonl"),
        sources=_committed(f"{root}/sources/*/*.parquet"),
        batch_counts=_committed(f"{root}/_runs/batch-*.counts.json"),
        stream_reports=_committed(f"{root}/_runs/stream-*.json"),
    )


@cache
def query_text(name: str) -> str:
    return resources.files("pipeline.report").joinpath(f"queries/{name}.sql").read_text("utf-8")


def grain_for(first: dt.date, last: dt.date) -> str:
    """One bar per day for up to three months, per week for up to three years, else per month."""
    days = (last - first).days + 1
    if days <= DAILY_UP_TO_DAYS:
        return "day"
    return "week" if days <= WEEKLY_UP_TO_DAYS else "month"


def connect():
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Keeping scan order costs memory per file; every query here orders its own result.
    con.execute("SET preserve_insertion_order = false")
    return con


def partition_day(path: str) -> dt.date | None:
    """The day of a file under OUT/articles/date=YYYY-MM-DD/…, None if the path does not say."""
    for part in reversed(path.split("/")):
        if part.startswith("date="):
            try:
                return dt.date.fromisoformat(part[5:])
            except ValueError:
                return None
    return None


def files_between(files: DatasetFiles, since: dt.date, until: dt.date) -> DatasetFiles:
    """Only the article files whose partition day is within [since, until] (or unknown): the
    others are never opened."""
    keep = []
    for path in files.articles:
        day = partition_day(path)
        if day is None or since <= day <= until:
            keep.append(path)
    return replace(files, articles=tuple(keep))


def day_span(files: DatasetFiles, since: dt.date, until: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last partition day of the article files, or (since, until) if none says."""
    days = [d for d in map(partition_day, files.articles) if d is not None]
    return (min(days), max(days)) if days else (since, until)


def load_tables(con, files: DatasetFiles, since: dt.date, until: dt.date, grain: str) -> None:
    """The report's temp tables: articles and mentions (empty when there are no files), and
    deadletters."""
    params = {"since": since, "until": until}
    if files.articles:
        select, verb = query_text("articles"), "CREATE TEMP TABLE articles AS"
        for start in range(0, len(files.articles), FILES_PER_SCAN):
            batch = list(files.articles[start : start + FILES_PER_SCAN])
            con.execute(f"{verb} {select}", {**params, "files": batch, "grain": grain})
            verb = "INSERT INTO articles"
        con.execute(query_text("mentions"))
    else:
        con.execute(
            "CREATE TEMP TABLE articles (article_id VARCHAR, day DATE, period DATE, "
            "language VARCHAR, source VARCHAR, title VARCHAR, seen_at TIMESTAMPTZ, "
            "near_duplicate BOOLEAN, story_id VARCHAR, topic VARCHAR, linked STRUCT(text VARCHAR,"
            ' label VARCHAR, id VARCHAR, start INTEGER, "end" INTEGER)[])'
        )
        con.execute(
            "CREATE TEMP TABLE mentions (article_id VARCHAR, day DATE, period DATE, id VARCHAR, "
            "text VARCHAR, label VARCHAR)"
        )
    if files.deadletters:
        con.execute(query_text("deadletters"), {**params, "deadletters": list(files.deadletters)})
    else:
        con.execute(
            "CREATE TEMP TABLE deadletters (stage VARCHAR, source_uri VARCHAR, reason VARCHAR, "
            '"at" TIMESTAMPTZ)'
        )


def rows(con, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A query's result as plain dicts."""
    cursor = con.execute(query_text(name), params or {})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def exact_redeliveries(files: DatasetFiles) -> int:
    """Exact re-deliveries dropped before writing, summed over every run in OUT/_runs/ (batch
    counts and stream reports). They are not in the dataset, so no date filter applies."""
    total = 0
    for path in files.batch_counts:
        total += int(_read_json(path).get("dedupe.dropped.exact_redelivery", 0) or 0)
    for path in files.stream_reports:
        overall = _read_json(path).get("overall") or {}
        total += int(overall.get("dedupe.exact_redelivery", 0) or 0)
    return total


def stream_feed_counters(files: DatasetFiles) -> dict[str, dict[str, int]]:
    """Per-feed poll counters summed over every local stream run in OUT/_runs/."""
    feeds: dict[str, dict[str, int]] = {}
    for path in files.stream_reports:
        for feed, counters in (_read_json(path).get("per_feed") or {}).items():
            mine = feeds.setdefault(feed, {})
            for name, value in (counters or {}).items():
                if isinstance(value, int):
                    mine[name] = mine.get(name, 0) + value
    return feeds
