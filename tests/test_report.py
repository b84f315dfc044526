"""`newsbeam report`: the numbers on the page equal DuckDB queries written here, independently of
the shipped SQL, on the same dataset; the charts carry the same numbers as their tables; hostile
titles stay text; the page is self-contained; the CLI's errors are one line."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.report import NothingToReport, build_report, dataset, health, page, sections
from tests.conftest import ROOT
from tests.report_page import number, read_page, table

sys.path.insert(0, str(ROOT / "bench"))
from report_dataset import make_dataset, write_sources

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)  # an injected clock: the page says when


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    made = make_dataset(out, 600, days=40, dead=45, exact=7)
    text, _ = build_report(str(out), None, None, NOW)
    return out, made, text, read_page(text)


def sql(out: Path, query: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE VIEW a AS SELECT * FROM read_parquet('{out}/articles/*/*/*.parquet', "
        "hive_partitioning = true)"
    )
    return con.execute(query).fetchall()


def chart_values(spec: dict) -> list[dict]:
    if "datasets" in spec:
        return next(iter(spec["datasets"].values()))
    return spec["data"]["values"]


def test_overview_counts_equal_duckdb_and_what_went_in(built):
    out, made, _, p = built
    _, body = table(p, "overview")
    shown = {row[0]: number(row[1]) for row in body}
    ((n, sources, langs, near),) = sql(
        out,
        "SELECT count(*), count(DISTINCT coalesce(source_name, split_part(url, '/', 3))), "
        "count(DISTINCT language), count(duplicate_of) FROM a",
    )
    ((stories,),) = sql(
        out, "SELECT count(*) FROM (SELECT story_id FROM a GROUP BY 1 HAVING count(*) > 1)"
    )
    assert shown["articles written"] == n == len(made["articles"])
    assert shown["sources"] == sources
    assert shown["languages"] == langs
    assert shown["near-duplicates written (duplicate_of set)"] == near
    assert shown["stories of two articles or more"] == stories
    assert shown["exact re-deliveries dropped (all runs)"] == made["exact"] + 2  # batch + stream
    assert shown["dead letters"] == len(made["failures"])


def test_daily_volume_by_language_equals_duckdb(built):
    out, made, _, p = built
    header, body = table(p, "volume-language")
    assert header[0] == "period" and header[-1] == "total"
    expected = {
        (str(d), lang): c
        for d, lang, c in sql(out, "SELECT date::DATE, language, count(*) FROM a GROUP BY ALL")
    }
    top10 = [lang for lang, _ in Counter(a.language for a in made["articles"]).most_common(10)]
    langs = header[1:-1]
    assert set(langs) == {*top10, "other"}  # 13 languages in: the 3 smallest are 'other'
    for row in body:
        day, cells, total = row[0], [number(c) for c in row[1:-1]], number(row[-1])
        for lang, shown in zip(langs, cells, strict=True):
            if lang != "other":
                assert shown == expected.get((day, lang), 0), (day, lang)
        assert total == sum(c for (d, _), c in expected.items() if d == day) == sum(cells)
    assert sum(number(r[-1]) for r in body) == len(made["articles"])


def test_top_entities_equal_duckdb_and_the_chart_agrees(built):
    out, _, _, p = built
    _, body = table(p, "entities")
    expected = sql(
        out,
        "SELECT e.id, count(DISTINCT article_id) AS n FROM "
        "(SELECT article_id, unnest(entities) AS e FROM a) WHERE e.id IS NOT NULL "
        "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
    )
    assert [(r[2], number(r[4])) for r in body] == [(qid, n) for qid, n in expected]
    trend = body[0][5]  # "articles per day: 0, 3, …" (the sparkline's label)
    assert sum(int(x) for x in trend.split(":")[1].split(",")) == expected[0][1]
    bars = {v["entity"]: v["articles"] for v in chart_values(p.specs["entities"])}
    assert bars == {f"{r[1]} ({r[2]})": number(r[4]) for r in body}


def test_topic_table_counts_best_top_level_topic(built):
    _, made, _, p = built
    header, body = table(p, "topics")
    best = Counter(
        next((t.label for t in a.topics if t.score > 0), "no IPTC topic") for a in made["articles"]
    )
    column_totals = {h: sum(number(r[i]) for r in body) for i, h in enumerate(header) if i}
    assert {k: v for k, v in column_totals.items() if k != "total"} == dict(best)


def test_largest_stories_equal_duckdb(built):
    out, _, _, p = built
    _, body = table(p, "stories")
    expected = sql(
        out,
        "SELECT arg_min(title, published_at), count(*), min(published_at) FROM a "
        "GROUP BY story_id HAVING count(*) > 1 ORDER BY 2 DESC, 3 LIMIT 20",
    )
    assert [(r[0], number(r[5])) for r in body] == [(t, n) for t, n, _ in expected]
    assert body[0][3] == expected[0][2].strftime("%Y-%m-%d %H:%M")


def test_duplicates_and_dead_letters_equal_what_went_in(built):
    _, made, _, p = built
    _, body = table(p, "duplicates")
    shown = {r[0]: number(r[1]) for r in body}
    near = sum(a.duplicate_of is not None for a in made["articles"])
    assert shown == {
        "original articles written": len(made["articles"]) - near,
        "near-duplicates written": near,
        "exact re-deliveries dropped": made["exact"] + 2,
        "dead-lettered": len(made["failures"]),
    }
    _, body = table(p, "deadletters")
    reasons = Counter(
        (f.stage, re.sub(r"[0-9]+", "N", re.split(r"[:(\[{]", f.error)[0].strip()))
        for f in made["failures"]
    )
    assert {(r[0], r[1]): number(r[2]) for r in body} == dict(reasons)


def test_every_chart_has_a_title_labelled_axes_and_a_table(built):
    _, _, _, p = built
    assert set(p.specs) <= set(p.tables)
    assert len(p.specs) >= 8
    for name, spec in p.specs.items():
        assert spec["title"] and spec["description"], name
        layers = spec.get("layer", [spec])
        for layer in layers:
            for channel in ("x", "y"):
                enc = layer["encoding"].get(channel)
                if enc and "title" in enc:
                    assert enc["title"], (name, channel)
        assert any(layer["encoding"].get(c, {}).get("title") for layer in layers for c in "xy")


def test_the_page_is_self_contained(built):
    _, _, text, _ = built
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "sourceMappingURL" not in text
    assert text.count("<script>") == 4  # vega, vega-lite, vega-embed, the embed loop
    assert "2026-12-03 12:00 UTC" in text  # the injected clock, not the machine's


def test_hostile_titles_and_sources_stay_text(tmp_path):
    out = tmp_path / "out"
    made = make_dataset(out, 30, days=3)
    evil = "</script><script>alert(1)</script><b>x</b>"
    from transforms.core.records import articles_to_table

    a = made["articles"][0]._replace(
        article_id="evil", title=evil, source_name=evil, story_id="s0000"
    )
    b = made["articles"][1]._replace(
        article_id="evil2", title=evil, source_name=evil, story_id="s0000"
    )
    folder = out / "articles" / "date=2026-09-02" / "lang=en"
    folder.mkdir(parents=True, exist_ok=True)
    import pyarrow.parquet as pq

    pq.write_table(articles_to_table([a, b]), folder / "evil.parquet")
    text, _ = build_report(str(out), None, None, NOW)
    assert "<script>alert" not in text and "<b>x</b>" not in text
    p = read_page(text)
    assert evil in [r[0] for r in table(p, "sources")[1]]  # shown as text, intact
    assert p.tags.count("script") == 4 + len(p.specs)


def test_since_until_filter_by_published_day(tmp_path):
    out = tmp_path / "out"
    make_dataset(out, 300, days=30)
    since, until = dt.date(2026, 9, 10), dt.date(2026, 9, 12)
    text, stats = build_report(str(out), since, until, NOW)
    ((n,),) = sql(out, f"SELECT count(*) FROM a WHERE date BETWEEN '{since}' AND '{until}'")
    assert stats["articles"] == n > 0
    days = [r[0] for r in table(read_page(text), "volume-language")[1]]
    assert days == ["2026-09-10", "2026-09-11", "2026-09-12"]
    with pytest.raises(NothingToReport):
        build_report(str(out), dt.date(2030, 1, 1), None, NOW)


def test_unwritten_temp_files_are_not_read(tmp_path):
    out = tmp_path / "out"
    make_dataset(out, 50, days=2)
    leftover = next((out / "articles").glob("*/*")) / ".tmp-batch-x-0000-of-0001.parquet"
    leftover.write_bytes(b"PAR1 half a file")
    _, stats = build_report(str(out), None, None, NOW)
    assert stats["articles"] == 50


def test_source_health_from_the_sources_dataset_flags_who_needs_attention(tmp_path):
    out = tmp_path / "out"
    make_dataset(out, 40, days=2)
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    base = {"polls": 10, "http_200": 0, "http_304": 0, "http_4xx": 0, "http_5xx": 0,
            "timeouts": 0, "robots_blocked": 0, "new_items": 0, "pages_fetched": 0}  # fmt: skip
    write_sources(out, start, [
        {**base, "feed": "https://ok.example/rss", "http_200": 8, "http_304": 2, "new_items": 30,
         "median_fetch_ms": 120.0, "last_success": start},
        {**base, "feed": "https://down.example/rss", "http_5xx": 6, "timeouts": 4},
        {**base, "feed": "https://quiet.example/rss", "http_304": 10, "last_success": start},
        {**base, "feed": "https://slow.example/rss", "http_200": 10, "new_items": 3,
         "median_fetch_ms": 9000.0, "robots_blocked": 2, "last_success": start},
    ])  # fmt: skip
    p = read_page(build_report(str(out), None, None, NOW)[0])
    _, body = table(p, "health")
    flags = {r[0]: r[1] for r in body}
    assert flags == {
        "https://down.example/rss": "failing",
        "https://quiet.example/rss": "stale",
        "https://slow.example/rss": "robots, slow",
        "https://ok.example/rss": "",
    }
    assert [r[0] for r in body][-1] == "https://ok.example/rss"  # attention first
    assert "health" in p.specs


def test_source_health_falls_back_to_stream_run_counters(built):
    _, _, _, p = built
    header, body = table(p, "health")
    assert header[:3] == ["feed", "attention", "polls"]
    assert {r[0]: r[1] for r in body} == {
        "https://down.example.org/rss": "failing",
        "https://news0.example.com/feed.xml": "",
    }


def test_attention_rules():
    assert health.attention({"polls": 3}) == ["failing"]
    assert health.attention({"polls": 6, "ok": 1, "not_modified": 5}) == ["stale"]
    assert health.attention({"polls": 6, "ok": 6, "new_items": 1, "median_fetch_ms": 6000}) == [
        "slow"
    ]
    assert health.attention({"polls": 0}) == []


@pytest.mark.parametrize(
    ("days", "grain"), [(1, "day"), (92, "day"), (93, "week"), (3 * 366, "week"), (1200, "month")]
)
def test_grain_widens_with_the_span(days, grain):
    first = dt.date(2026, 1, 1)
    assert dataset.grain_for(first, first + dt.timedelta(days=days - 1)) == grain


def test_pivot_puts_the_largest_column_first_and_totals_rows():
    rows = [{"p": 1, "l": "it", "n": 2}, {"p": 1, "l": "en", "n": 5}, {"p": 2, "l": "it", "n": 4}]
    t = sections.pivot(rows, "p", "l", "n")
    assert t.columns == ("p", "it", "en", "total")
    assert t.rows == ((1, 2, 5, 7), (2, 4, 0, 4))


def test_script_json_cannot_close_its_script_element():
    text = page.script_json({"t": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text) == {"t": "</script><!-- & -->"}


def test_vendored_vega_lite_matches_altairs_schema():
    import altair as alt

    bundle = (ROOT / "pipeline/report/data/vega-lite.min.js").read_text(encoding="utf-8")
    assert f'"{alt.SCHEMA_VERSION.lstrip("v")}"' in bundle[:2000]


def test_readme_shows_the_queries_the_report_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "pipeline/report/queries").glob("*.sql")):
        assert path.read_text(encoding="utf-8").strip() in readme, path.name


def test_cli_writes_the_page_and_reports_errors_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    make_dataset(out, 20, days=2)
    html = tmp_path / "r.html"
    assert main(["report", str(out), "--output", str(html)]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert not list(tmp_path.glob(".tmp-*"))
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert main(["report", str(out), "--since", "2026-13-01"]) == 2
    assert main(["report", str(out), "--since", "2026-10-02", "--until", "2026-10-01"]) == 2
    assert main(["report", str(out), "--since", "2031-01-01", "--output", str(html)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 5 and all(line.startswith("newsbeam report") for line in err)


def test_many_files_are_scanned_in_batches_with_the_same_page(tmp_path, monkeypatch):
    out = tmp_path / "out"
    make_dataset(out, 200, days=12, dead=5)
    whole, _ = build_report(str(out), None, None, NOW)
    monkeypatch.setattr(dataset, "FILES_PER_SCAN", 3)
    assert len(dataset.find_files(str(out)).articles) > 3 * 4
    assert build_report(str(out), None, None, NOW)[0] == whole


def test_files_outside_since_until_are_never_opened(tmp_path):
    out = tmp_path / "out"
    make_dataset(out, 100, days=5)
    broken = out / "articles" / "date=2020-01-01" / "lang=en"
    broken.mkdir(parents=True)
    (broken / "batch-x-0000-of-0001.parquet").write_bytes(b"not parquet at all")
    _, stats = build_report(str(out), dt.date(2026, 9, 1), None, NOW)
    assert stats["articles"] == 100
    assert dataset.partition_day(f"{out}/articles/date=2026-09-03/lang=it/x.parquet") == dt.date(
        2026, 9, 3
    )
    assert dataset.partition_day(f"{out}/articles/date=junk/lang=it/x.parquet") is None


def test_a_dataset_of_dead_letters_only_still_reports_them(tmp_path):
    out = tmp_path / "out"
    made = make_dataset(out, 0, days=3, dead=12)
    text, stats = build_report(str(out), None, None, NOW)
    assert stats["articles"] == 0 and stats["dead_letters"] == 12 and stats["grain"] == "day"
    page_ = read_page(text)
    assert sum(number(r[2]) for r in table(page_, "deadletters")[1]) == len(made["failures"])
    assert "volume-language" not in page_.tables  # said in words: no articles in this period
