"""`newsbeam report OUT`: one self-contained HTML page of what a dataset holds — volume by
language and source, leading and rising entities, IPTC topics, the largest stories, duplicates,
dead letters and source health — read with DuckDB, drawn with Vega-Lite (specs built by Altair),
every chart beside a table of its numbers.

Pipeline: dataset.py finds the committed files and makes DuckDB temp tables (queries/*.sql);
sections.py and health.py turn query rows into Sections; page.py renders them into one file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from pipeline.report import dataset, health, sections
from pipeline.version import newsbeam_version

EARLIEST = dt.date(1, 1, 1)
LATEST = dt.date(9999, 12, 31)


class NothingToReport(Exception):
    """The dataset has no articles and no dead letters in the days asked."""


@dataclass(frozen=True)
class ReportResult:
    path: str
    bytes: int
    articles: int
    dead_letters: int
    first_day: dt.date
    last_day: dt.date
    grain: str


def _periods(con, first: dt.date, last: dt.date, grain: str) -> tuple[dt.date, ...]:
    rows = con.execute(
        "SELECT unnest(generate_series(date_trunc($g, $first)::DATE, $last::DATE, "
        "('1 ' || $g)::INTERVAL))::DATE",
        {"g": grain, "first": first, "last": last},
    ).fetchall()
    return tuple(r[0] for r in rows)


def build_sections(con, ctx: sections.Context) -> list[sections.Section]:
    return [
        sections.overview(con, ctx),
        sections.volume(con, ctx, "language"),
        sections.volume(con, ctx, "source"),
        sections.entities(con, ctx),
        sections.rising(con, ctx),
        sections.topics(con, ctx),
        sections.stories(con, ctx),
        sections.duplicates(con, ctx),
        sections.deadletters(con, ctx),
        sections.sources(con, ctx),
        health.health(con, ctx),
    ]


def build_report(
    root: str, since: dt.date | None, until: dt.date | None, now: dt.datetime
) -> tuple[str, dict]:
    """The page for the dataset at `root` (a local folder) and the counts it shows."""
    from pipeline.report import page

    since, until = since or EARLIEST, until or LATEST
    files = dataset.files_between(dataset.find_files(root), since, until)
    con = dataset.connect()
    first, last = dataset.day_span(files, since, until)
    grain = dataset.grain_for(first, last)
    dataset.load_tables(con, files, since, until, grain)
    ((articles,),) = con.execute("SELECT count(*) FROM articles").fetchall()
    ((dead,),) = con.execute("SELECT count(*) FROM deadletters").fetchall()
    if not articles and not dead:
        days = "" if (since, until) == (EARLIEST, LATEST) else f" between {since} and {until}"
        raise NothingToReport(
            f"no articles and no dead letters in {root}{days} "
            f"(looked in {root}/articles/ and {root}/deadletter/)"
        )
    if not articles:  # only dead letters: their days are the report's
        first, last = con.execute(
            'SELECT min("at")::DATE, max("at")::DATE FROM deadletters'
        ).fetchone()
        grain = dataset.grain_for(first, last)
    ctx = sections.Context(
        files,
        first,
        last,
        grain,
        _periods(con, first, last, grain),
        dead_letters=dead,
        exact_redeliveries=dataset.exact_redeliveries(files),
        feed_counters=dataset.stream_feed_counters(files),
    )
    header = {
        "title": f"newsbeam report: {os.path.basename(os.path.abspath(root))}",
        "subtitle": (
            f"{articles:,} articles published {first} to {last} (UTC), one bar per {grain}; "
            f"dataset {os.path.abspath(root)}; made {now.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC."
        ),
        "footer": (
            f"Made by newsbeam {newsbeam_version()} with DuckDB and Vega-Lite (charts: Vega, "
            "Vega-Lite and Vega-Embed, BSD-3-Clause, © University of Washington Interactive "
            "Data Lab). Every chart's numbers are in the table beside it."
        ),
    }
    stats = {
        "articles": articles,
        "dead_letters": dead,
        "first": first,
        "last": last,
        "grain": grain,
    }
    return page.render(build_sections(con, ctx), header, grain), stats


def write_report(
    root: str, output: str, since: dt.date | None, until: dt.date | None, now: dt.datetime
) -> ReportResult:
    """Build the page and write it to `output` whole (temp file + rename)."""
    from transforms.write import write_atomically

    text, stats = build_report(root, since, until, now)
    data = text.encode("utf-8")
    write_atomically(os.path.abspath(output), data)
    return ReportResult(
        output,
        len(data),
        stats["articles"],
        stats["dead_letters"],
        stats["first"],
        stats["last"],
        stats["grain"],
    )
