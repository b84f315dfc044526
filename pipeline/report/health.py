"""Source health: how each feed fared, from OUT/sources/ (one row per feed per stream window) when
it is there, else from the per-feed poll counters local stream runs leave in OUT/_runs/. Feeds that
need attention come first: failing, blocked by robots.txt, stale or slow."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.report import charts
from pipeline.report.dataset import rows
from pipeline.report.sections import Context, Section, Table

STALE_POLLS = 5  # answered polls without one new item before a feed counts as stale
SLOW_MS = 5000.0  # a median fetch slower than this is slow
SHOWN_FEEDS = 100
CHARTED_FEEDS = 30
TITLE = "Source health"


def attention(feed: Mapping, stale_polls: int = STALE_POLLS, slow_ms: float = SLOW_MS) -> list[str]:
    """Why a feed needs a look, from its summed counters (keys of source_health.sql)."""
    answered = feed.get("ok", 0) + feed.get("not_modified", 0)
    flags = []
    if feed.get("polls", 0) and not answered:
        flags.append("failing")
    if feed.get("robots_blocked", 0):
        flags.append("robots")
    if answered >= stale_polls and not feed.get("new_items", 0):
        flags.append("stale")
    if (feed.get("median_fetch_ms") or 0) > slow_ms:
        flags.append("slow")
    return flags


def _ordered(feeds: list[dict]) -> list[dict]:
    return sorted(feeds, key=lambda f: (not attention(f), -f.get("polls", 0), f["feed"]))


def _chart(feeds: list[dict], outcomes: tuple[str, ...]) -> dict:
    values = [
        {"feed": f["feed"], "outcome": name.replace("_", " "), "polls": f.get(name, 0)}
        for f in feeds[:CHARTED_FEEDS]
        for name in outcomes
        if f.get(name, 0)
    ]
    return charts.stacked_bars(
        values, "feed", "polls", "outcome", ("Feed", "Polls"), "Poll outcomes per feed"
    )


def from_dataset(con, ctx: Context) -> Section:
    params = {"sources": list(ctx.files.sources), "since": ctx.since, "until": ctx.until}
    feeds = _ordered(rows(con, "source_health", params))
    intro = (
        f"From OUT/sources/: polls and their answers per feed. Attention: failing (no answer), "
        f"robots (pages disallowed), stale (no new item in {STALE_POLLS} answered polls or "
        f"more), slow (median fetch over {SLOW_MS / 1000:.0f} s)."
    )
    if not feeds:
        return Section("health", TITLE, intro, empty="No feed was polled in this period.")
    columns = (
        "feed",
        "attention",
        "polls",
        "ok",
        "not_modified",
        "http_4xx",
        "http_5xx",
        "timeouts",
        "robots_blocked",
        "new_items",
        "pages_fetched",
        "median_fetch_ms",
        "last_success",
    )
    body = tuple(
        (
            f["feed"],
            ", ".join(attention(f)),
            *(f[c] for c in columns[2:-1]),
            f["last_success"].isoformat() if f["last_success"] else "never",
        )
        for f in feeds[:SHOWN_FEEDS]
    )
    chart = _chart(feeds, ("ok", "not_modified", "http_4xx", "http_5xx", "timeouts"))
    return Section("health", TITLE, intro, table=Table(columns, body), chart=chart)


def from_stream_runs(ctx: Context) -> Section:
    feeds = _ordered(
        [
            {
                "feed": url,
                "polls": c.get("fetched", 0) + c.get("not_modified", 0) + c.get("errors", 0),
                "ok": c.get("fetched", 0),
                "not_modified": c.get("not_modified", 0),
                "errors": c.get("errors", 0),
                "new_items": c.get("new_items", 0),
                "redeliveries": c.get("redeliveries", 0),
            }
            for url, c in ctx.feed_counters.items()
        ]
    )
    intro = (
        "Poll counters of the local stream runs in OUT/_runs/ (all runs, whatever the period). "
        f"Attention: failing (no poll answered), stale (no new item in {STALE_POLLS} answered "
        "polls or more)."
    )
    columns = (
        "feed",
        "attention",
        "polls",
        "ok",
        "not_modified",
        "errors",
        "new_items",
        "redeliveries",
    )
    body = tuple(
        (f["feed"], ", ".join(attention(f)), *(f[c] for c in columns[2:]))
        for f in feeds[:SHOWN_FEEDS]
    )
    chart = _chart(feeds, ("ok", "not_modified", "errors"))
    return Section("health", TITLE, intro, table=Table(columns, body), chart=chart)


def health(con, ctx: Context) -> Section:
    if ctx.files.sources:
        return from_dataset(con, ctx)
    if ctx.feed_counters:
        return from_stream_runs(ctx)
    return Section(
        "health",
        TITLE,
        "How each polled feed fares.",
        empty="No feed health data: OUT/sources/ and stream runs in OUT/_runs/ appear once "
        "`newsbeam stream` has polled feeds into OUT.",
    )
