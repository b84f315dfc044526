"""Source health: SourceEvents -> one row per feed per window (health_row), the Beam shell that
writes OUT/sources/date=…/part-<window>-<run>.parquet, and `newsbeam sources` reading it back."""

import datetime as dt
import os
from functools import reduce

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipeline.report.health import attention
from pipeline.sources_cli import flags, sources_main
from transforms.core.records import SOURCE_HEALTH_SCHEMA, SourceEvent
from transforms.core.times import US, to_us
from transforms.write import WriteSourceHealth
from transforms.write.parquet import WRITTEN
from transforms.write.sources import (
    HealthCounts,
    add_event,
    counts_to_row,
    health_row,
    merge_counts,
    sources_dir,
    write_health_file,
)

FEED = "https://news.example/rss"
T0 = to_us(dt.datetime(2026, 8, 31, 23, 55, tzinfo=dt.UTC))  # a window start, 5 min before a day
EARLIER, LATER = T0 - 3600 * US, T0 - 60 * US


def ev(kind, outcome, ms=None, last=None, at=T0 + US, feed=FEED):
    return SourceEvent(feed, at, kind, outcome, ms, last)


EVENTS = [
    ev("poll", "200", 100.0, EARLIER),
    ev("poll", "304", 50.0, LATER),
    ev("poll", "304", 60.0, LATER),
    ev("poll", "4xx", 30.0, EARLIER),
    ev("poll", "5xx", 400.0),
    ev("poll", "timeout", 5000.0, EARLIER),
    ev("poll", "error"),  # no HTTP answer: a poll, no column of its own, untimed
    ev("page", "ok", 200.0),
    ev("page", "ok", 300.0),
    ev("page", "robots"),
    ev("page", "http_5xx", 700.0),
    ev("page", "timeout", 9000.0),
    ev("page", "timeout", 8000.0),
    ev("page", "too_large", 250.0),
    ev("page", "skipped"),
    ev("page", "not_fetched"),
    ev("item", "new"),
    ev("item", "new"),
    ev("item", "new", 99999.0),  # an item's fetch_ms is not a fetch: left out of the median
]


def test_health_row_counts_every_column():
    assert health_row(FEED, T0, EVENTS) == {
        "feed": FEED,
        "window_start": T0,
        "polls": 7,
        "http_200": 1,
        "http_304": 2,
        "http_4xx": 1,
        "http_5xx": 1,
        "timeouts": 1,
        "robots_blocked": 1,
        "new_items": 3,
        "pages_fetched": 2,
        "fetch_failures": [
            {"reason": "http_5xx", "count": 1},
            {"reason": "timeout", "count": 2},
            {"reason": "too_large", "count": 1},
        ],
        # 30 50 60 100 200 250 300 400 700 5000 8000 9000: the middle two are 250 and 300
        "median_fetch_ms": 275.0,
        "last_success": LATER,
    }


def test_a_window_without_polls_has_no_last_success():
    row = health_row(FEED, T0, [ev("item", "new"), ev("page", "ok", 80.0), ev("page", "robots")])
    assert (row["polls"], row["http_200"], row["timeouts"]) == (0, 0, 0)
    assert (row["new_items"], row["pages_fetched"], row["robots_blocked"]) == (1, 1, 1)
    assert row["fetch_failures"] == []
    assert row["median_fetch_ms"] == 80.0
    assert row["last_success"] is None


def test_a_window_of_pages_knows_the_poll_that_delivered_them():
    # Under load a poll's page fetches land in the next window, which has no poll of its own.
    row = health_row(FEED, T0, [ev("page", "ok", 80.0, EARLIER), ev("item", "new", None, LATER)])
    assert row["polls"] == 0 and row["last_success"] == LATER


def test_no_timed_fetch_means_no_median():
    row = health_row(FEED, T0, [ev("poll", "error"), ev("poll", "200", float("nan"), EARLIER)])
    assert (row["polls"], row["http_200"], row["median_fetch_ms"]) == (2, 1, None)
    assert row["last_success"] == EARLIER


@pytest.mark.parametrize("split", [0, 1, 6, 10, len(EVENTS)])
def test_merged_accumulators_give_the_same_row(split):
    """The CombineFn may sum parts of a feed's events on different workers."""
    first = reduce(add_event, EVENTS[:split], HealthCounts())
    rest = reduce(add_event, EVENTS[split:], HealthCounts())
    merged = counts_to_row(FEED, T0, merge_counts(rest, first))
    assert merged == health_row(FEED, T0, EVENTS)


# --- the Beam shell ------------------------------------------------------------------------------

W2 = T0 + 300 * US  # the next 5-minute window: 2026-09-01T00:00:00Z
NAMES = [
    "date=2026-08-31/part-20260831T235500Z-r1.parquet",
    "date=2026-09-01/part-20260901T000000Z-r1.parquet",
]
STREAM = [
    ev("poll", "200", 120.0, T0, at=T0 + 10 * US, feed="https://b.example/rss"),
    ev("item", "new", at=T0 + 11 * US, feed="https://b.example/rss"),
    ev("poll", "5xx", 40.0, at=T0 + 12 * US, feed="https://a.example/rss"),
    ev("poll", "304", 30.0, T0, at=W2 + 5 * US, feed="https://b.example/rss"),
    ev("page", "timeout", 9000.0, at=W2 + 299 * US, feed="https://b.example/rss"),
]


def _write(out, events, run="r1"):
    with TestPipeline() as p:
        written = (
            p
            | beam.Create(events)
            | beam.Map(lambda e: TimestampedValue(e, e.at / 1e6))
            | WriteSourceHealth(str(out), 300, run)
        )
        assert_that(written[WRITTEN] | beam.Map(lambda w: w.rows), equal_to([2, 1]))


def _files(out):
    """Every file under OUT/sources, hidden temp files included."""
    root = f"{out}/sources"
    return sorted(
        os.path.relpath(os.path.join(d, n), root) for d, _, names in os.walk(root) for n in names
    )


def _rows(out, name):
    return pq.read_table(f"{out}/sources/{name}").to_pylist()


def test_one_file_per_window_named_by_window_and_run(tmp_path):
    _write(tmp_path, STREAM)
    assert _files(tmp_path) == NAMES
    for name in NAMES:
        schema = pq.read_schema(f"{tmp_path}/sources/{name}")
        assert schema.equals(SOURCE_HEALTH_SCHEMA)
        assert schema.metadata == SOURCE_HEALTH_SCHEMA.metadata
    first, second = _rows(tmp_path, NAMES[0]), _rows(tmp_path, NAMES[1])
    assert [
        (r["feed"], r["polls"], r["http_200"], r["http_5xx"], r["new_items"]) for r in first
    ] == [
        ("https://a.example/rss", 1, 0, 1, 0),
        ("https://b.example/rss", 1, 1, 0, 1),
    ]  # sorted by feed
    start = dt.datetime(2026, 8, 31, 23, 55, tzinfo=dt.UTC)
    assert {r["window_start"] for r in first} == {start}
    assert first[1]["last_success"] == start and first[1]["median_fetch_ms"] == 120.0
    (b,) = second
    assert b["window_start"] == dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    assert (b["feed"], b["polls"], b["http_304"], b["median_fetch_ms"]) == (
        "https://b.example/rss",
        1,
        1,
        4515.0,
    )
    assert b["fetch_failures"] == [{"reason": "timeout", "count": 1}]


def test_a_rerun_overwrites_its_own_files(tmp_path):
    _write(tmp_path, STREAM)
    one_more_item = ev("item", "new", at=W2 + 7 * US, feed="https://b.example/rss")
    _write(tmp_path, [*STREAM, one_more_item])
    assert _files(tmp_path) == NAMES  # the same names, no second copy, no temp file left
    (b,) = _rows(tmp_path, NAMES[1])
    assert b["new_items"] == 1  # the second run's content, not the first's


# --- newsbeam sources ----------------------------------------------------------------------------

DAY1 = to_us(dt.datetime(2026, 9, 1, 23, 55, tzinfo=dt.UTC))  # the day before, its last window
DAY2 = to_us(dt.datetime(2026, 9, 2, 10, 0, tzinfo=dt.UTC))


def _polls(feed, outcome, n, last=None, ms=100.0):
    return [ev("poll", outcome, ms, last, feed=feed) for _ in range(n)]


def _dataset(out):
    """Yesterday: a feed seen only then. Today, two windows: healthy, failing, robots, stale."""
    ok, down = "https://ok.example/rss", "https://down.example/rss"
    robots, quiet = "https://robots.example/rss", "https://quiet.example/rss"
    today = {
        DAY2: {
            ok: [*_polls(ok, "200", 3, DAY2), ev("item", "new", feed=ok)],
            down: _polls(down, "5xx", 2) + _polls(down, "timeout", 1),
            robots: [*_polls(robots, "200", 2, DAY2), ev("item", "new", feed=robots)]
            + [ev("page", "robots", feed=robots), ev("page", "http_4xx", 80.0, feed=robots)],
            quiet: _polls(quiet, "304", 3, DAY2),
        },
        DAY2 + 300 * US: {
            ok: _polls(ok, "304", 2, DAY2),
            down: _polls(down, "error", 2, ms=None),
            quiet: _polls(quiet, "304", 3, DAY2),
        },
    }
    for start, feeds in today.items():
        rows = [health_row(feed, start, events) for feed, events in feeds.items()]
        write_health_file(f"{sources_dir(str(out), '2026-09-02')}/w{start}.parquet", rows)
    old = health_row("https://old.example/rss", DAY1, _polls("https://old.example/rss", "5xx", 4))
    write_health_file(f"{sources_dir(str(out), '2026-09-01')}/old.parquet", [old])


def _table(capsys, *argv):
    """sources_main's output: the summary line, the header line, and the flags of each feed
    listed (feed -> flags) with the lines they came from."""
    assert sources_main([*argv]) == 0
    summary, *lines = capsys.readouterr().out.splitlines()
    header, *body = lines or [""]
    return summary, header, {r.split()[0]: r.split()[1] for r in body}, body


def test_sources_lists_who_needs_attention_most_urgent_first(tmp_path, capsys):
    _dataset(tmp_path)
    summary, header, flagged, body = _table(capsys, str(tmp_path))
    assert summary == (
        "4 feeds, 3 need attention (1 failing, 1 robots, 1 stale, 0 slow), "
        "windows from 2026-09-02T10:00:00Z to 2026-09-02T10:05:00Z"
    )
    assert header.split()[:3] == ["feed", "flags", "polls"]
    assert body[0].split()[:3] == ["https://down.example/rss", "failing", "5"]
    assert flagged == {
        "https://down.example/rss": "failing",
        "https://robots.example/rss": "robots",
        "https://quiet.example/rss": "stale",
    }
    robots_row = next(r for r in body if r.startswith("https://robots."))
    assert robots_row.split()[-4:] == ["1", "1", "100", "2026-09-02T10:00:00Z"]  # robots, failures
    assert len({len(line) for line in [header, *body]}) == 1  # fixed width


def test_sources_all_days_and_thresholds(tmp_path, capsys):
    _dataset(tmp_path)
    _, _, every, _ = _table(capsys, str(tmp_path), "--all")
    assert every["https://ok.example/rss"] == "-" and len(every) == 4
    summary, _, flagged, _ = _table(capsys, str(tmp_path), "--days", "2")
    assert summary.startswith("5 feeds, 4 need attention (2 failing,")
    assert "from 2026-09-01T23:55:00Z to 2026-09-02T10:05:00Z" in summary
    assert flagged["https://old.example/rss"] == "failing"
    _, _, flagged, _ = _table(capsys, str(tmp_path), "--stale-polls", "7", "--slow-ms", "90")
    assert flagged["https://quiet.example/rss"] == "slow"  # 6 answered polls: not stale at 7
    assert flagged["https://robots.example/rss"] == "robots,slow"


@pytest.mark.parametrize(
    "feed",
    [
        {"polls": 3, "ok": 0, "not_modified": 0, "new_items": 0, "robots_blocked": 0},
        {"polls": 6, "ok": 1, "not_modified": 5, "new_items": 0, "robots_blocked": 2},
        {"polls": 6, "ok": 6, "not_modified": 0, "new_items": 1, "median_fetch_ms": 6000.0},
        {"polls": 9, "ok": 4, "not_modified": 0, "new_items": 0, "median_fetch_ms": 5000.0},
    ],
)
def test_default_thresholds_agree_with_the_report(feed):
    full = {"robots_blocked": 0, "median_fetch_ms": None, **feed}
    assert flags(full, 5, 5000.0) == attention(full)


def test_no_data_is_exit_1_and_a_bad_argument_exit_2(tmp_path, capsys):
    assert sources_main([str(tmp_path)]) == 1
    (tmp_path / "sources").mkdir()
    assert sources_main([str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("no source health data" in line for line in err)
    assert sources_main([str(tmp_path), "--days", "0"]) == 2
    assert sources_main([str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("newsbeam sources: error:") for line in err)
