"""Evaluate transforms.parse.feeds.parse_feed on real and adversarial feeds; prints figures.

  .venv/bin/python bench/eval_feeds.py --shared ../shared

rssparser-realworld: 31 saved feeds with rss-parser's expected parse; per item, title, link and
date must equal the expected values. feedparser-tests: ~2,100 unit-test feeds (many broken on
purpose); no crash, every file yields its entries or a Failure, encoding fixtures free of U+FFFD.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import feedparser_result, parse_feed

FETCHED_AT = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp()) * 1_000_000
REALWORLD = Path("eval/feeds/rssparser-realworld/test")
FEEDPARSER_TESTS = Path("eval/feeds/feedparser-tests/tests")
_TAGS = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")


# --- rssparser-realworld ----------------------------------------------------------------------


def load_expected(path: Path) -> dict:
    """rss-parser's expected JSON; one file (encoding.json) was saved as ISO-8859-1."""
    raw = path.read_bytes()
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return json.loads(raw.decode("latin-1"))


def norm_title(value: str | None) -> str:
    """Compare text as a reader sees it: rss-parser keeps entities and tags that we render."""
    text = html.unescape(_TAGS.sub("", html.unescape(value or "")))
    return _WS.sub(" ", text).strip()


def titles_equal(expected: str | None, ours: str | None) -> bool:
    exp, got = norm_title(expected), norm_title(ours)
    if "\ufffd" in exp:
        # rss-parser decoded an undeclared ISO-8859-1 feed as UTF-8; its U+FFFD stands for the
        # letter we decoded, so it matches any one or two characters.
        pattern = ".{1,2}".join(re.escape(part) for part in exp.split("\ufffd"))
        return re.fullmatch(pattern, got) is not None
    return exp == got


def expected_time_us(item: dict) -> int | None:
    iso = item.get("isoDate")
    if not iso:
        return None
    return int(datetime.fromisoformat(iso).timestamp() * 1000) * 1000


def compare_feed(name: str, shared: Path) -> dict:
    """Per-item comparison of one realworld feed; returns counts and the mismatches."""
    base = shared / REALWORLD
    source = next((base / "input").glob(name + ".*"))
    expected = load_expected(base / "output" / f"{name}.json")["feed"]
    feed_link = expected.get("link") or ""
    doc = RawDocument(str(source), source.read_bytes(), FETCHED_AT)
    start = time.process_time()
    outputs = list(parse_feed(doc))
    elapsed = time.process_time() - start
    items = expected["items"]
    counts = {"items": len(items), "ingested": 0, "articles": 0, "title": 0, "link": 0}
    counts.update({"date": 0, "date_judged": 0, "extra_dates": 0, "all3": 0})
    counts.update({"ms": elapsed * 1000, "misses": []})
    for i, item in enumerate(items):
        out = outputs[i] if i < len(outputs) else None
        if out is None:
            counts["misses"].append((i, "missing", None, None))
            continue
        counts["ingested"] += 1
        article = out if isinstance(out, Article) else None
        counts["articles"] += article is not None
        ours_title = article.title if article else None
        ours_link = article.url if article else None
        ours_date = article.published_at if article else None
        ok_title = titles_equal(item.get("title"), ours_title)
        exp_link = urljoin(feed_link, item["link"]) if item.get("link") else None
        ok_link = (exp_link or None) == (ours_link or None)
        exp_date = expected_time_us(item)
        if exp_date is None and item.get("pubDate"):
            ok_date = True  # rss-parser could not parse it (e.g. Portuguese RFC 822): not judged
            counts["extra_dates"] += ours_date is not None
        else:
            counts["date_judged"] += 1
            ok_date = exp_date == (None if ours_date is None else ours_date // 1000 * 1000)
        counts["title"] += ok_title
        counts["link"] += ok_link
        counts["date"] += ok_date
        counts["all3"] += ok_title and ok_link and ok_date
        for field, ok, exp, got in (
            ("title", ok_title, item.get("title"), ours_title),
            ("link", ok_link, exp_link, ours_link),
            ("date", ok_date, item.get("isoDate"), ours_date),
        ):
            if not ok:
                counts["misses"].append((i, field, exp, got))
    counts["outputs"] = len(outputs)
    return counts


def realworld_names(shared: Path) -> list[str]:
    return sorted(p.stem for p in (shared / REALWORLD / "output").glob("*.json"))


def run_realworld(shared: Path, verbose: bool) -> list[float]:
    print("== rssparser-realworld (expected parse by rss-parser) ==")
    keys = ("items", "ingested", "articles", "title", "link", "date", "date_judged", "extra_dates")
    total = dict.fromkeys((*keys, "all3"), 0)
    per_entry_ms: list[float] = []
    print(f"{'feed':28} {'items':>5} {'ingest':>6} {'art':>4} {'title':>5} {'link':>5} {'date':>5}")
    for name in realworld_names(shared):
        c = compare_feed(name, shared)
        for key in total:
            total[key] += c[key]
        per_entry_ms += [c["ms"] / max(c["outputs"], 1)] * max(c["outputs"], 1)
        print(
            f"{name:28} {c['items']:5} {c['ingested']:6} {c['articles']:4} {c['title']:5} "
            f"{c['link']:5} {c['date']:5}"
        )
        if verbose:
            for miss in c["misses"][:5]:
                print("    miss", miss)
    n = total["items"]
    print(
        f"TOTAL items={n} ingested={total['ingested']} ({total['ingested'] / n:.1%}) "
        f"articles={total['articles']} title={total['title'] / n:.2%} link={total['link'] / n:.2%} "
        f"date={total['date'] / n:.2%} all-three={total['all3'] / n:.2%}"
    )
    print(
        f"dates judged={total['date_judged']}; items whose date rss-parser could not read but "
        f"we did={total['extra_dates']}"
    )
    extra = sorted(
        {p.stem for p in (shared / REALWORLD / "input").iterdir()} - set(realworld_names(shared))
    )
    for name in extra:  # inputs rss-parser has no expectation for
        source = next((shared / REALWORLD / "input").glob(name + ".*"))
        outs = list(parse_feed(RawDocument(str(source), source.read_bytes(), FETCHED_AT)))
        kinds = [type(o).__name__ for o in outs]
        print(f"  (no expectation) {name}: {len(outs)} outputs {dict.fromkeys(kinds)}", end="")
        print(f" {outs[0].error[:70] if outs and isinstance(outs[0], Failure) else ''}")
    return per_entry_ms


# --- feedparser-tests -------------------------------------------------------------------------


_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def fixture_headers(data: bytes) -> dict:
    """The HTTP headers a feedparser fixture declares in its leading comment."""
    for encoding in ("utf-8", "utf-16", "utf-32"):
        try:
            head = data[:2048].decode(encoding)
        except UnicodeDecodeError:
            continue
        if "Description" in head or "Expect" in head:
            return {k.lower(): v for k, v in _HEADER.findall(head)}
    return {}


def fixture_doc(path: Path) -> RawDocument:
    data = path.read_bytes()
    headers = fixture_headers(data)
    # A Content-Location stands for the URL the feed was fetched from.
    source = headers.get("content-location") or str(path)
    return RawDocument(source, data, FETCHED_AT, headers.get("content-type"))


def _feed_strings(result) -> list[str]:
    """Every decoded text of a feedparser result: feed title/description, entry texts."""
    feed = result.get("feed", {})
    out = [feed.get(k) for k in ("title", "subtitle")]
    for e in result.get("entries", []):
        out += [e.get("title"), e.get("summary")] + [c.get("value") for c in e.get("content", [])]
    return [s for s in out if s]


def _plain_feedparser_result(path: Path):
    """What feedparser alone makes of a fixture with its declared headers."""
    import feedparser

    data = path.read_bytes()
    return feedparser.parse(io.BytesIO(data), response_headers=fixture_headers(data))


_EXPECT = re.compile(r"^Expect:\s*(.*?)\s*$", re.MULTILINE)


def expect_holds(path: Path, result) -> bool | None:
    """Does the fixture's own `Expect:` line (a Python expression over feedparser's result, as
    feedparser's test runner evaluates it) hold for this result? None when it has none."""
    import feedparser

    data = path.read_bytes()
    for encoding in ("utf-8", "utf-16", "utf-32", "latin-1"):
        try:
            match = _EXPECT.search(data[:4000].decode(encoding))
        except UnicodeDecodeError:
            continue
        if match:
            try:  # the fixtures are feedparser's BSD test suite, read from ../shared
                return bool(
                    eval(match.group(1), {"feedparser": feedparser, "time": time}, dict(result))
                )
            except Exception:  # noqa: BLE001 - an expression that errors is a failed expectation
                return False
    return None


def _has_replacement(a: Article) -> bool:
    return any("\ufffd" in (s or "") for s in (a.title, a.text, a.summary, a.source_name))


def run_feedparser_tests(shared: Path, verbose: bool) -> list[float]:
    print("== feedparser-tests (feedparser's own fixtures, many broken on purpose) ==")
    files = sorted((shared / FEEDPARSER_TESTS).rglob("*.xml"))
    stats = {"files": 0, "crash": 0, "with_articles": 0, "doc_failure": 0, "empty_feed": 0}
    stats.update({"articles": 0, "entry_failures": 0, "count_mismatch": 0})
    enc = {"files": 0, "articles": 0, "fffd": 0, "fffd_files": [], "same": 0, "differs": []}
    per_entry_ms: list[float] = []
    reasons: dict[str, int] = {}
    expect = {"checked": 0, "ours": 0, "plain": 0}
    for path in files:
        stats["files"] += 1
        doc = fixture_doc(path)
        start = time.process_time()
        try:
            outputs = list(parse_feed(doc))
        except Exception as exc:  # noqa: BLE001 - what we count here
            stats["crash"] += 1
            print("  CRASH", path, exc)
            continue
        elapsed_ms = (time.process_time() - start) * 1000
        articles = [o for o in outputs if isinstance(o, Article)]
        failures = [o for o in outputs if isinstance(o, Failure)]
        stats["articles"] += len(articles)
        if articles:
            stats["with_articles"] += 1
            per_entry_ms += [elapsed_ms / len(outputs)] * len(outputs)
        if failures and not articles and len(failures) == 1 and "entry" not in failures[0].error:
            stats["doc_failure"] += 1
            key = failures[0].error.split(":")[0][:40]
            reasons[key] = reasons.get(key, 0) + 1
        else:
            stats["entry_failures"] += len(failures)
            n_entries = len(feedparser_result(doc).get("entries", []))
            stats["count_mismatch"] += n_entries != len(outputs)
            if not outputs:
                stats["empty_feed"] += 1
        ours_holds = expect_holds(path, feedparser_result(doc))
        if ours_holds is not None:
            expect["checked"] += 1
            expect["ours"] += ours_holds
            expect["plain"] += bool(expect_holds(path, _plain_feedparser_result(path)))
        if path.parent.name == "encoding":
            enc["files"] += 1
            enc["articles"] += len(articles)
            bad = [a for a in articles if _has_replacement(a)]
            enc["fffd"] += len(bad)
            strings = _feed_strings(feedparser_result(doc))
            if bad or any("\ufffd" in s for s in strings):
                enc["fffd_files"].append(path.name)
            # feedparser's suite fixes the right decoding of its fixtures (Expect lines); the
            # charset we impose must give the same text.
            if strings == _feed_strings(_plain_feedparser_result(path)):
                enc["same"] += 1
            else:
                enc["differs"].append(path.name)
    print(
        f"files={stats['files']} crashes={stats['crash']} files-with-articles={stats['with_articles']} "
        f"document-failures={stats['doc_failure']} valid-but-no-entries={stats['empty_feed']}"
    )
    print(
        f"articles={stats['articles']} entry-failures={stats['entry_failures']} "
        f"files-where-outputs!=entries={stats['count_mismatch']}"
    )
    print(
        f"fixtures' own Expect lines holding on the feedparser result behind parse_feed: "
        f"{expect['ours']}/{expect['checked']} (plain feedparser with the fixtures' headers: "
        f"{expect['plain']}/{expect['checked']})"
    )
    print("document failure reasons:", dict(sorted(reasons.items(), key=lambda kv: -kv[1])))
    print(
        f"encoding fixtures: files={enc['files']} articles={enc['articles']} "
        f"articles-with-U+FFFD={enc['fffd']} files-with-U+FFFD-anywhere={enc['fffd_files']}"
    )
    print(
        f"encoding fixtures whose decoded text equals feedparser's own (its suite's expected "
        f"decoding): {enc['same']}/{enc['files']}; differ: {enc['differs']}"
    )
    return per_entry_ms


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="path to the shared folder")
    parser.add_argument("--verbose", action="store_true", help="print mismatches")
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / REALWORLD).is_dir():
        sys.exit(f"missing {shared / REALWORLD}: pass --shared pointing at the shared folder")
    list(parse_feed(RawDocument("warm-up", b"<rss/>", FETCHED_AT)))  # imports out of the timings
    # Timings are CPU time of this process: the machine is shared, wall time measures neighbours.
    real_ms = run_realworld(shared, args.verbose)
    fpt_ms = run_feedparser_tests(shared, args.verbose)
    for label, values in (("rssparser-realworld", real_ms), ("feedparser-tests", fpt_ms)):
        print(
            f"speed {label}: CPU ms/entry median={statistics.median(values):.3f} "
            f"p95={_pct(values, 0.95):.3f} (entries={len(values)})"
        )


if __name__ == "__main__":
    main()
