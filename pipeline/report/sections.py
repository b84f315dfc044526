"""The report's content: one Section per view, each a chart spec and the table of the same
numbers, made from the query rows. No HTML here (page.py) and no SQL (queries/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.report import charts
from pipeline.report.dataset import DatasetFiles, rows

TITLE_CHARS = 90
OUTLETS_SHOWN = 5  # a story's outlets listed in its table row before "and N more"  # a story's title on the chart's axis is cut here (the table has it whole)


@dataclass(frozen=True)
class Sparkline:
    """Counts per period, drawn as a small inline SVG line in a table cell."""

    values: tuple[int, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    table: Table | None = None
    chart: dict | None = None
    empty: str = ""  # said instead of a chart and table when there is nothing to show


@dataclass(frozen=True)
class Context:
    files: DatasetFiles
    since: dt.date
    until: dt.date
    grain: str
    periods: tuple[dt.date, ...] = field(default=())
    dead_letters: int = 0  # in the days asked
    exact_redeliveries: int = 0  # over all runs in OUT/_runs/ (dataset.exact_redeliveries)
    feed_counters: dict = field(
        default_factory=dict
    )  # of stream runs (dataset.stream_feed_counters)


def pivot(data: Sequence[dict], row_key: str, col_key: str, value: str) -> Table:
    """Long rows -> one row per `row_key`, one column per `col_key` (largest total first), and a
    total column."""
    totals: dict[Any, int] = {}
    cells: dict[Any, dict[Any, int]] = {}
    for r in data:
        totals[r[col_key]] = totals.get(r[col_key], 0) + r[value]
        cells.setdefault(r[row_key], {})[r[col_key]] = r[value]
    columns = sorted(totals, key=lambda c: (-totals[c], str(c)))
    body = tuple(
        (key, *(cells[key].get(c, 0) for c in columns), sum(cells[key].values()))
        for key in sorted(cells)
    )
    return Table((row_key, *map(str, columns), "total"), body)


def overview(con, ctx: Context) -> Section:
    ((articles, sources, languages, near),) = con.execute(
        "SELECT count(*), count(DISTINCT source), count(DISTINCT language), "
        "count(*) FILTER (WHERE near_duplicate) FROM articles"
    ).fetchall()
    ((stories,),) = con.execute(
        "SELECT count(*) FROM (SELECT story_id FROM articles WHERE story_id IS NOT NULL "
        "GROUP BY story_id HAVING count(*) >= 2)"
    ).fetchall()
    table = Table(
        ("figure", "value"),
        (
            ("articles written", articles),
            ("sources", sources),
            ("languages", languages),
            ("stories of two articles or more", stories),
            ("near-duplicates written (duplicate_of set)", near),
            ("exact re-deliveries dropped (all runs)", ctx.exact_redeliveries),
            ("dead letters", ctx.dead_letters),
        ),
    )
    return Section(
        "overview",
        "At a glance",
        f"{ctx.since} to {ctx.until}, by published date (UTC).",
        table=table,
    )


def volume(con, ctx: Context, by: str) -> Section:
    label = {"language": "Language", "source": "Source"}[by]
    data = rows(con, f"volume_by_{by}")
    title = f"Articles per {ctx.grain} by {by}"
    intro = f"The 10 largest {by}s by articles; the rest are counted as 'other'." + (
        " A source is the site or feed name, else the URL's host, else the input file's folder and name."
        if by == "source"
        else ""
    )
    if not data:
        return Section(f"volume-{by}", title, intro, empty="No articles in this period.")
    return Section(
        f"volume-{by}",
        title,
        intro,
        table=pivot(data, "period", by, "articles"),
        chart=charts.stacked_periods(data, by, label, ctx.grain, title),
    )


def _sparkline(trend: dict[dt.date, int], periods: Sequence[dt.date]) -> Sparkline:
    return Sparkline(tuple(trend.get(p, 0) for p in periods))


def entities(con, ctx: Context) -> Section:
    title = "Top 20 linked entities"
    intro = (
        "Entities linked to Wikidata, by the number of articles that name them; the trend "
        f"is articles per {ctx.grain} across the period."
    )
    top = rows(con, "top_entities")
    if not top:
        return Section("entities", title, intro, empty="No linked entities in this period.")
    trends: dict[str, dict[dt.date, int]] = {}
    for r in rows(con, "entity_trend"):
        trends.setdefault(r["id"], {})[r["period"]] = r["articles"]
    table = Table(
        ("rank", "entity", "Wikidata", "label", "articles", "trend"),
        tuple(
            (
                i,
                r["name"],
                r["id"],
                r["label"],
                r["articles"],
                _sparkline(trends.get(r["id"], {}), ctx.periods),
            )
            for i, r in enumerate(top, 1)
        ),
    )
    values = [
        {"entity": f"{r['name']} ({r['id']})", "articles": r["articles"], "label": r["label"]}
        for r in top
    ]
    chart = charts.ranked_bars(values, "entity", "articles", ("Entity", "Articles"), title, "label")
    return Section("entities", title, intro, table=table, chart=chart)


def rising(con, ctx: Context) -> Section:
    data = rows(con, "rising_entities")
    title = "Rising entities"
    intro = (
        "Linked entities named in more articles in the last 7 days of the period than in the 7 "
        "days before (at least 3 articles in the last 7 days)."
    )
    if not data:
        return Section("rising", title, intro, empty="No entity rose in the last 7 days.")
    table = Table(
        ("entity", "Wikidata", "label", "last 7 days", "previous 7 days"),
        tuple(
            (r["name"], r["id"], r["label"], r["last_7_days"], r["previous_7_days"]) for r in data
        ),
    )
    return Section("rising", title, intro, table=table)


def topics(con, ctx: Context) -> Section:
    data = rows(con, "topics")
    title = f"IPTC topics per {ctx.grain}"
    intro = (
        "Each article counts once, under its best-scored IPTC Media Topics top-level topic; "
        "the chart shows shares, the table articles."
    )
    if not data:
        return Section("topics", title, intro, empty="No articles in this period.")
    return Section(
        "topics",
        title,
        intro,
        table=pivot(data, "period", "topic", "articles"),
        chart=charts.stacked_periods(
            data,
            "topic",
            "IPTC topic",
            ctx.grain,
            f"Share of articles by IPTC topic per {ctx.grain}",
            share=True,
        ),
    )


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")


def _some(names: Sequence[str], shown: int = OUTLETS_SHOWN) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "(no title)").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stories(con, ctx: Context) -> Section:
    data = rows(con, "stories")
    title = "Largest stories"
    intro = (
        "Articles the stories step grouped as one event (across outlets and languages), the "
        "20 largest of two articles or more."
    )
    if not data:
        return Section("stories", title, intro, empty="No story has two articles in this period.")
    table = Table(
        (
            "first article's title",
            "outlets",
            "languages",
            "first seen (UTC)",
            "last seen (UTC)",
            "articles",
        ),
        tuple(
            (
                r["first_title"] or "(no title)",
                _some(r["outlets"]),
                ", ".join(r["languages"]),
                _stamp(r["first_seen"]),
                _stamp(r["last_seen"]),
                r["articles"],
            )
            for r in data
        ),
    )
    values = [
        {
            "story": f"{i}. {_short(r['first_title'], TITLE_CHARS)}",
            "articles": r["articles"],
            "first_seen": _iso(r["first_seen"]),
            "last_seen": _iso(r["last_seen"]),
        }
        for i, r in enumerate(data, 1)
    ]
    return Section(
        "stories",
        title,
        intro,
        table=table,
        chart=charts.story_timeline(values, "Timelines of the largest stories"),
    )


def duplicates(con, ctx: Context) -> Section:
    (d,) = rows(con, "duplicates")
    outcomes = [
        ("original articles written", d["originals"]),
        ("near-duplicates written", d["near_duplicates"]),
        ("exact re-deliveries dropped", ctx.exact_redeliveries),
        ("dead-lettered", ctx.dead_letters),
    ]
    total = sum(n for _, n in outcomes) or 1
    title = "Duplicates and dead letters"
    intro = (
        "What became of the items read: near-duplicates are written with duplicate_of set; exact "
        "re-deliveries (same URL and content) are dropped and counted in OUT/_runs/ over all "
        "runs, whatever the period."
    )
    table = Table(
        ("outcome", "items", "share"), tuple((name, n, f"{n / total:.1%}") for name, n in outcomes)
    )
    values = [{"outcome": name, "items": n} for name, n in outcomes]
    chart = charts.ranked_bars(values, "outcome", "items", ("Outcome", "Items"), "Items by outcome")
    return Section("duplicates", title, intro, table=table, chart=chart)


def deadletters(con, ctx: Context) -> Section:
    data = rows(con, "deadletter_reasons")
    title = "Dead letters by stage and reason"
    intro = (
        "Items that failed, by the stage that failed them and the first clause of the error "
        "(numbers as N); each record in OUT/deadletter/ keeps the raw payload."
    )
    if not data:
        return Section("deadletters", title, intro, empty="No dead letters in this period.")
    table = Table(
        ("stage", "reason", "dead letters"),
        tuple((r["stage"], r["reason"], r["dead_letters"]) for r in data),
    )
    values = [
        {"reason": _short(r["reason"], 60), "stage": r["stage"], "dead_letters": r["dead_letters"]}
        for r in data
    ]
    chart = charts.ranked_bars(
        values, "reason", "dead_letters", ("Reason", "Dead letters"), title, "stage"
    )
    return Section("deadletters", title, intro, table=table, chart=chart)


def sources(con, ctx: Context) -> Section:
    data = rows(con, "sources")
    title = "Sources"
    intro = "The 50 largest sources: their last article tells which may have gone quiet."
    if not data:
        return Section("sources", title, intro, empty="No articles in this period.")
    table = Table(
        (
            "source",
            "articles",
            "near-duplicate share",
            "languages",
            "first article (UTC)",
            "last article (UTC)",
        ),
        tuple(
            (
                r["source"],
                r["articles"],
                f"{r['near_duplicate_share']:.1%}",
                ", ".join(r["languages"]),
                _stamp(r["first_article"]),
                _stamp(r["last_article"]),
            )
            for r in data
        ),
    )
    return Section("sources", title, intro, table=table)
