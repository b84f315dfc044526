"""Article pages fetched from feed links, on a loopback site: a feed of one-line summaries whose
links lead to real article pages (../shared/eval/html), a robots.txt that disallows one path,
and links that fail. Checked in the server's log and in the written dataset."""

from __future__ import annotations

import glob
import importlib.util
import itertools
import json

import pyarrow.dataset as ds
import pytest
from conftest import ROOT, make_article, shared_path
from page_site import PageSite, load_pages, summary_of

from pipeline.cli import main
from pipeline.sources.clock import FakeClock
from pipeline.sources.pages import PageConfig, _FetchGroupFn
from pipeline.sources_cli import sources_main
from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import parse_document

UA = "pagetest/1.0 (+mailto:ops@example.org)"


def _rows(out) -> list[dict]:
    return ds.dataset(f"{out}/articles", partitioning="hive").to_table().to_pylist()


def _dead(out) -> list[dict]:
    letters = []
    for path in glob.glob(f"{out}/deadletter/**/*.jsonl", recursive=True):
        with open(path, encoding="utf-8") as fh:
            letters += [json.loads(line) for line in fh if line.strip()]
    return letters


def _batch_text(key: str) -> str:
    """The page read as a batch HTML file."""
    path = shared_path("eval", "html", "html", f"{key}.html.gz")
    (article,) = parse_document(RawDocument(str(path), path.read_bytes(), 0))
    return article.text


def _f1(pairs: list[tuple[str, str]]) -> float:
    spec = importlib.util.spec_from_file_location("eval_html", ROOT / "bench" / "eval_html.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.metrics([bench.tp_fp_fn(truth, text) for truth, text in pairs])["f1"]


@pytest.fixture
def pages():
    shared_path("eval", "html", "ground-truth.json")
    return load_pages(ROOT.parent / "shared", 8)


def test_a_batch_run_fetches_allowed_pages_and_never_asks_a_disallowed_one(pages, tmp_path):
    extra = tuple(f"/{kind}/{pages[-1].key}" for kind in ("gone", "data", "big"))
    with PageSite(pages, private=2, extra_links=extra) as site:
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "feed.xml").write_bytes(site.feed())
        out = tmp_path / "out"
        args = ["run", "--input", str(folder), "--output", str(out), "--fetch-articles", "always"]
        args += ["--allow-private-pages"]  # a saved feed's links to 127.0.0.1: trusted here
        assert main([*args, "--politeness-delay", "0", "--user-agent", UA]) == 0
        log = list(site.requests)

    paths = [r.path for r in log]
    assert not [p for p in paths if p.startswith("/private/")], "a disallowed page was asked"
    assert paths.count("/robots.txt") == 1 and paths[0] == "/robots.txt"
    assert {r.user_agent for r in log} == {UA}
    assert len(paths) == len(set(paths)), "a URL was fetched twice"

    rows = {r["url"].split("/", 3)[3]: r for r in _rows(out)}
    by_key = {p.key: p for p in pages}
    for key in site.private:
        row = rows[f"private/{key}"]
        assert (row["fetch_status"], row["text_source"]) == ("robots", "feed")
        assert row["text"] == summary_of(by_key[key])
    pairs_fetched, pairs_batch = [], []
    for page in pages[2:]:
        row = rows[f"news/{page.key}"]
        assert (row["fetch_status"], row["text_source"]) == ("ok", "page")
        assert row["text"] == _batch_text(page.key)  # the same HTML path as batch pages
        assert row["summary"] == summary_of(page) and row["feed_hash"]
        pairs_fetched.append((page.truth, row["text"]))
        pairs_batch.append((page.truth, _batch_text(page.key)))
    assert _f1(pairs_fetched) == _f1(pairs_batch) > 0.9
    for kind, status in (("gone", "http_4xx"), ("data", "not_html"), ("big", "too_large")):
        row = rows[f"{kind}/{pages[-1].key}"]
        assert (row["fetch_status"], row["text_source"]) == (status, "feed"), kind
    failed = {d["source_uri"].split("/", 3)[3].split("/")[0]: d for d in _dead(out)}
    assert set(failed) == {"gone", "data", "big"}
    assert all(d["stage"] == "pages" for d in failed.values())
    assert "too_large" in failed["big"]["error"] and "HTTP 404" in failed["gone"]["error"]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["balanced"] and summary["written"] == len(pages) + 3
    assert summary["pages"] == {"ok": 6, "robots": 2, "http_4xx": 1, "not_html": 1, "too_large": 1}


def test_links_to_internal_addresses_are_not_requested_by_default(pages, tmp_path):
    with PageSite(pages[:2], host="127.0.0.3") as inside:
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "feed.xml").write_bytes(inside.feed())  # a saved feed: no polled host to trust
        out = tmp_path / "out"
        args = ["run", "--input", str(folder), "--output", str(out), "--fetch-articles", "always"]
        assert main(args) == 0
        asked = inside.paths()
    assert asked == []  # not even robots.txt
    rows = _rows(out)
    assert {r["fetch_status"] for r in rows} == {"skipped"} and len(rows) == 2
    assert {r["text"] for r in rows} == {summary_of(p) for p in pages[:2]}
    assert not _dead(out)


def _group_items(site: PageSite, links: list[str]) -> list[Article]:
    feed = f"{site.base}/feed.xml"
    return [make_article(f"Teaser {i}.", url=link, source_uri=feed) for i, link in enumerate(links)]


def _run_group(clock, items, **config) -> tuple[list[Article], list]:
    fn = _FetchGroupFn(PageConfig(mode="always", retries=0, **config), clock)
    fn.setup()
    out = list(fn.process((0, items)))
    articles = [o for o in out if isinstance(o, Article)]
    tagged = [o.value.value for o in out if not isinstance(o, Article)]
    return articles, tagged


def test_crawl_delay_spaces_the_pages_of_a_host_on_a_fake_clock(pages):
    with FakeClock(start=1_800_000_000.0) as clock:
        robots = "User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n"
        with PageSite(pages[:4], robots=robots, clock=clock) as site:
            items = _group_items(site, [site.link(p.key) for p in pages[:4]])
            articles, _ = _run_group(clock, items, politeness_delay=0.5, user_agent=UA)
            log = list(site.requests)
    assert log[0].path == "/robots.txt" and len(log) == 5
    times = [r.at for r in log]
    assert [round(b - a, 3) for a, b in itertools.pairwise(times)] == [3.0] * 4
    assert {a.fetch_status for a in articles} == {"ok"} and len(articles) == 4


def test_a_redirect_into_a_disallowed_path_is_not_followed(pages):
    with FakeClock(start=1_800_000_000.0) as clock, PageSite(pages[:2], clock=clock) as site:
        links = [f"{site.base}/moved/{pages[0].key}", site.link(pages[1].key)]
        articles, tagged = _run_group(clock, _group_items(site, links), politeness_delay=0.0)
        paths = site.paths()
    assert f"/moved/{pages[0].key}" in paths
    assert not [p for p in paths if p.startswith("/private/")], paths
    assert sorted(a.fetch_status for a in articles) == ["ok", "robots"]
    assert not [t for t in tagged if isinstance(t, Failure)]


def test_pages_past_the_groups_time_budget_keep_the_feed_text(pages):
    with FakeClock(start=1_800_000_000.0) as clock:
        robots = "User-agent: *\nCrawl-delay: 3\n"
        with PageSite(pages[:3], robots=robots, clock=clock) as site:
            items = _group_items(site, [site.link(p.key) for p in pages[:3]])
            articles, _ = _run_group(clock, items, politeness_delay=0.5, budget_s=4)
            paths = site.paths()
    assert len(paths) == 2  # robots.txt at 0 s, one page at 3 s; the next would start at 6 s
    assert sorted(a.fetch_status for a in articles) == ["ok", "skipped", "skipped"]
    assert {a.text for a in articles if a.fetch_status == "skipped"} <= {"Teaser 1.", "Teaser 2."}


def test_a_429_with_retry_after_backs_off_then_fetches(pages):
    with (
        FakeClock(start=1_800_000_000.0) as clock,
        PageSite(pages[:2], robots="", clock=clock, retry_after=30) as site,
    ):
        links = [f"{site.base}/limited/{pages[0].key}", site.link(pages[1].key)]
        articles, _ = _run_group(clock, _group_items(site, links), politeness_delay=1.0)
        log = list(site.requests)
    limited = [r.at for r in log if r.path.startswith("/limited/")]
    assert len(limited) == 2 and limited[1] - limited[0] >= 30.0
    others = [r.at for r in log if r.path.startswith("/news/")]
    assert others and all(t >= limited[0] + 30.0 for t in others)  # the whole host waited
    assert {a.fetch_status for a in articles} == {"ok"}


def test_a_robots_txt_that_fails_disallows_every_page_for_now(pages):
    with FakeClock(start=1_800_000_000.0) as clock, PageSite(pages[:2], clock=clock) as site:
        site.robots_status = 503
        items = _group_items(site, [site.link(p.key) for p in pages[:2]])
        articles, tagged = _run_group(clock, items, politeness_delay=0.0)
        paths = site.paths()
    assert paths == ["/robots.txt"]
    assert {a.fetch_status for a in articles} == {"robots"}
    assert {a.text for a in articles} == {"Teaser 0.", "Teaser 1."}
    assert not [t for t in tagged if isinstance(t, Failure)]  # robots is a choice, not an error


@pytest.mark.slow
def test_a_stream_fetches_each_page_once_across_a_restart_and_reports_health(
    pages, tmp_path, capsys
):
    out = tmp_path / "out"
    with PageSite(pages[:5], private=1) as site:
        args = ["stream", "--feed", f"{site.base}/feed.xml", "--output", str(out)]
        args += ["--window", "3", "--poll-interval", "1", "--politeness-delay", "0"]
        assert main([*args, "--duration", "5"]) == 0
        first = site.paths()
        assert main([*args, "--duration", "3"]) == 0
        again = site.paths()[len(first) :]
    assert sorted(p for p in first if p.startswith("/news/")) == sorted(
        f"/news/{p.key}" for p in pages[1:5]
    )
    assert not [p for p in first if p.startswith("/private/")], "a disallowed page was asked"
    assert not [p for p in again if p.startswith(("/news/", "/private/"))], again
    assert "/feed.xml" in again  # it did poll again: the items were known, not unseen
    rows = _rows(out)
    assert len(rows) == 5
    statuses = sorted(r["fetch_status"] for r in rows)
    assert statuses == ["ok"] * 4 + ["robots"]

    health = ds.dataset(f"{out}/sources", partitioning="hive").to_table().to_pylist()
    assert {h["feed"] for h in health} == {f"{site.base}/feed.xml"}
    assert sum(h["pages_fetched"] for h in health) == 4
    assert sum(h["robots_blocked"] for h in health) == 1
    assert sum(h["new_items"] for h in health) == 5
    assert sum(h["polls"] for h in health) >= 2 and all(h["last_success"] for h in health)
    err = capsys.readouterr().err
    assert "pages ok" in err  # the status line
    assert sources_main([str(out), "--all"]) == 0
    assert f"{site.base}/feed.xml"[:40] in capsys.readouterr().out


@pytest.mark.cluster
def test_a_batch_run_on_a_local_dask_cluster_fetches_pages_too(pages, tmp_path):
    with PageSite(pages[:4], private=1) as site:
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "feed.xml").write_bytes(site.feed())
        out = tmp_path / "out"
        args = ["run", "--input", str(folder), "--output", str(out), "--fetch-articles", "always"]
        args += ["--allow-private-pages", "--politeness-delay", "0", "--dask-local-workers", "2"]
        assert main(args) == 0
        paths = site.paths()
    assert not [p for p in paths if p.startswith("/private/")]
    assert sorted(r["fetch_status"] for r in _rows(out)) == ["ok", "ok", "ok", "robots"]
