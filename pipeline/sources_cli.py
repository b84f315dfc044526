"""`newsbeam sources OUT`: the feeds that need a look, as a terminal table from OUT/sources/ (the
rows WriteSourceHealth writes). Sums come from the report's source_health.sql and flags from its
attention() rules, so the terminal and the HTML report never disagree at default thresholds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from pipeline.options import PlainParser, UsageError, number_at_least
from pipeline.report.dataset import connect, find_files, partition_day, rows
from pipeline.report.health import SLOW_MS, STALE_POLLS, attention

PROG = "newsbeam sources"
URGENCY = ("failing", "robots", "stale", "slow")  # attention()'s flags, most urgent first
FEED_WIDTH = 60  # longer feed URLs are cut, so every column stays in place
# Only when no file sits in a date= folder: the newest day the files hold.
NEWEST_SQL = "SELECT max(window_start)::DATE FROM read_parquet($all, union_by_name = true)"


class NoData(Exception):
    """OUT/sources/ holds no row: exit status 1."""


class Period(NamedTuple):
    since: dt.date
    until: dt.date
    files: tuple[str, ...]  # only those whose date= partition is in the period (or unknown)


class Column(NamedTuple):
    header: str
    width: int
    cell: Callable[[dict], str]


def sources_parser() -> argparse.ArgumentParser:
    parser = PlainParser(
        prog=PROG,
        allow_abbrev=False,
        description="Show the feeds that need a look (failing, blocked by robots.txt, stale, "
        "slow), most urgent first, from OUT/sources/ as written by `newsbeam stream`.",
    )
    parser.add_argument("dataset", metavar="OUT", help="The --output folder of newsbeam stream.")
    parser.add_argument(
        "--days",
        type=number_at_least(int, 1),
        default=1,
        metavar="N",
        help="How many days (N) of windows to sum, ending at the newest window in the data "
        "(UTC days). Default: 1.",
    )
    parser.add_argument(
        "--all", action="store_true", help="List every feed, not only those that need attention."
    )
    parser.add_argument(
        "--stale-polls",
        type=number_at_least(int, 1),
        default=STALE_POLLS,
        metavar="N",
        help="Flag a feed stale after N answered polls (200 or 304) without one new item. "
        f"Default: {STALE_POLLS}.",
    )
    parser.add_argument(
        "--slow-ms",
        type=number_at_least(float, 0, inclusive=False),
        default=SLOW_MS,
        metavar="MS",
        help=f"Flag a feed slow when its median fetch takes over MS milliseconds. "
        f"Default: {SLOW_MS:.0f}.",
    )
    return parser


def parse_sources_args(argv: Sequence[str]) -> argparse.Namespace:
    args = sources_parser().parse_args(list(argv))
    if not os.path.isdir(args.dataset):
        raise UsageError(f"{args.dataset} is not a folder (give the --output of newsbeam stream)")
    return args


def flags(feed: dict, stale_polls: int, slow_ms: float) -> list[str]:
    """attention()'s flags (the HTML report's rules), at the thresholds asked for."""
    return attention(feed, stale_polls, slow_ms)


def urgency(feed: dict) -> tuple:
    """Sort key: by the most urgent flag, then more flags, more polls, and the feed's name."""
    first = URGENCY.index(feed["flags"][0]) if feed["flags"] else len(URGENCY)
    return (first, -len(feed["flags"]), -feed["polls"], feed["feed"])


def period(root: str, days: int, con) -> Period:
    """The `days` UTC days ending at the newest window, and the files that can hold them."""
    files = find_files(root).sources
    if not files:
        raise NoData(f"no source health data in {root}/sources/ (newsbeam stream writes it)")
    known = [d for d in map(partition_day, files) if d is not None]
    until = max(known) if known else con.execute(NEWEST_SQL, {"all": list(files)}).fetchone()[0]
    if until is None:
        raise NoData(f"the files in {root}/sources/ hold no row")
    since = until - dt.timedelta(days=days - 1)
    keep = tuple(f for f in files if (d := partition_day(f)) is None or since <= d <= until)
    return Period(since, until, keep)


def feed_rows(con, p: Period, stale_polls: int, slow_ms: float) -> list[dict]:
    """Per feed: the report's sums (failed page fetches included) and flags; most urgent
    first."""
    params = {"sources": list(p.files), "since": p.since, "until": p.until}
    feeds = [
        {
            **f,
            "failures": sum(r["count"] for r in f["fetch_failures"] or ()),
            "flags": flags(f, stale_polls, slow_ms),
        }
        for f in rows(con, "source_health", params)
    ]
    return sorted(feeds, key=urgency)


def iso(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else "never"


def summary(feeds: list[dict], first: dt.datetime | None, last: dt.datetime | None) -> str:
    counts = ", ".join(f"{sum(n in f['flags'] for f in feeds)} {n}" for n in URGENCY)
    needy = sum(bool(f["flags"]) for f in feeds)
    return (
        f"{len(feeds)} feeds, {needy} need attention ({counts}), "
        f"windows from {iso(first)} to {iso(last)}"
    )


def _count(key: str) -> Callable[[dict], str]:
    return lambda f: str(f[key] or 0)


def _ms(f: dict) -> str:
    return "-" if f["median_fetch_ms"] is None else f"{f['median_fetch_ms']:.0f}"


COLUMNS = (
    Column("flags", len(",".join(URGENCY)), lambda f: ",".join(f["flags"]) or "-"),
    Column("polls", 6, _count("polls")),
    Column("ok", 6, _count("ok")),
    Column("304", 6, _count("not_modified")),
    Column("4xx", 6, _count("http_4xx")),
    Column("5xx", 6, _count("http_5xx")),
    Column("timeouts", 8, _count("timeouts")),
    Column("new", 6, _count("new_items")),
    Column("pages", 6, _count("pages_fetched")),
    Column("robots", 6, _count("robots_blocked")),
    Column("failures", 8, _count("failures")),
    Column("median ms", 9, _ms),
    Column("last success", 20, lambda f: iso(f["last_success"])),
)


def _cut(feed: str, width: int) -> str:
    return feed if len(feed) <= width else feed[: width - 1] + "…"


def table_lines(feeds: list[dict]) -> list[str]:
    """A header and a line per feed: the feed column as wide as the longest feed (up to
    FEED_WIDTH), the flags left-aligned, numbers right-aligned."""
    width = min(FEED_WIDTH, max([len("feed"), *(len(f["feed"]) for f in feeds)]))

    def line(feed: str, cells: list[str]) -> str:
        parts = [f"{_cut(feed, width):<{width}}", f"{cells[0]:<{COLUMNS[0].width}}"]
        parts += [f"{cell:>{c.width}}" for cell, c in zip(cells[1:], COLUMNS[1:], strict=True)]
        return "  ".join(parts).rstrip()

    header = line("feed", [c.header for c in COLUMNS])
    return [header, *(line(f["feed"], [c.cell(f) for c in COLUMNS]) for f in feeds)]


def report(args: argparse.Namespace) -> list[str]:
    """The lines to print: the summary, then the table of the feeds asked for (if any)."""
    con = connect()
    try:
        p = period(args.dataset.rstrip("/") or "/", args.days, con)
        feeds = feed_rows(con, p, args.stale_polls, args.slow_ms)
    finally:
        con.close()
    if not feeds:
        raise NoData(f"no window from {p.since} to {p.until} in {args.dataset}/sources/")
    first = min(f["first_window"] for f in feeds)
    last = max(f["last_window"] for f in feeds)
    shown = feeds if args.all else [f for f in feeds if f["flags"]]
    return [summary(feeds, first, last), *(table_lines(shown) if shown else [])]


def sources_main(argv: Sequence[str]) -> int:
    """0 with the table printed, 1 when OUT/sources/ holds no data, 2 for a bad argument."""
    if any(a in ("-h", "--help") for a in argv):
        sources_parser().print_help()
        return 0
    try:
        lines = report(parse_sources_args(argv))
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except NoData as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0
