"""Streaming benchmark: many real saved feeds served on loopback, growing while `newsbeam stream` runs.

Prints latency from an item's first 200 response to its row being in Parquet (median, p95),
items/s through the stream, how long the run took past --duration (the drain), and peak RSS with
RSS over time (flat means state is bounded). Some hosts are bad on purpose: `--hang` of them
accept and never answer, `--loris` of them drip their answer a byte a second; the good hosts'
latency must not suffer for it.

    .venv/bin/python bench/bench_stream.py --shared ../shared        # 500 feeds, 50 hosts, 10 min
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import psutil
import pyarrow.dataset as ds
from feed_server import Drip, FeedServer, GrowingFeed

from pipeline.cli import main as newsbeam
from transforms.core.records import Article, RawDocument
from transforms.parse.feeds import parse_feed

MIN_ITEMS = 7  # feeds with fewer items cannot grow for long
MAX_BYTES = 400_000  # leave out the 1.6 MB podcast feed: one feed should not dominate
_LINK = re.compile(
    rb"(<link>)([^<]+)(</link>)|(href=\")([^\"]+)(\")|(<guid[^>]*>)([^<]+)(</guid>)|(<id>)([^<]+)(</id>)"
)


def _unique_links(data: bytes, n: int) -> bytes:
    """Give every copy of a saved feed its own item URLs and ids, as if another outlet served it."""

    def tag(m: re.Match) -> bytes:
        groups = [g for g in m.groups() if g is not None]
        open_, value, close = groups
        sep = b"&" if b"?" in value else b"?"
        return open_ + value + sep + b"nbfeed=%d" % n + close

    return _LINK.sub(tag, data)


def make_feeds(folder: Path, count: int) -> dict[str, GrowingFeed]:
    sources = []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if len(data) <= MAX_BYTES and len(GrowingFeed(data, 0).items) >= MIN_ITEMS:
            sources.append(data)
    feeds = {}
    for n in range(count):
        feed = GrowingFeed(_unique_links(sources[n % len(sources)], n), 0)
        feed.reveal(max(1, len(feed.items) // 3))
        feeds[f"f{n}"] = feed
    return feeds


def grow(feeds: dict[str, GrowingFeed], every: float, stop: threading.Event) -> None:
    """Reveal one item of one feed every `every` seconds, round robin."""
    names = list(feeds)
    i = 0
    while not stop.wait(every):
        feeds[names[i % len(names)]].reveal(1)
        i += 1


def bad_hosts(after: int, hang: int, loris: int) -> list[Drip]:
    """Servers on the loopback addresses after the good ones: `hang` that accept and never
    answer, `loris` that send headers and then a byte a second."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n"
    hosts = [f"127.0.0.{after + i + 1}" for i in range(hang + loris)]
    return [Drip(b"", b" " * 1000, pause=3600.0, host=h) for h in hosts[:hang]] + [
        Drip(head, b"<rss>" + b" " * 1_000_000, pause=1.0, host=h) for h in hosts[hang:]
    ]


def sample_rss(samples: list, stop: threading.Event) -> None:
    proc = psutil.Process()
    start = time.time()
    while not stop.wait(1.0):
        samples.append((time.time() - start, proc.memory_info().rss))


def latencies(
    out: str, servers: list[tuple[FeedServer, dict]], after: float = 0.0
) -> tuple[list[float], list[float]]:
    """Seconds from first served, and from first shown in the feed, to the mtime of the Parquet
    file holding the row."""
    visible: dict[tuple[str, str], float] = {}
    for path in glob.glob(f"{out}/articles/*/*/stream-*.parquet"):
        mtime = os.stat(path).st_mtime
        table = ds.dataset(path, format="parquet").to_table(columns=["article_id", "source_uri"])
        for row in table.to_pylist():
            key = (row["source_uri"], row["article_id"])
            visible[key] = min(visible.get(key, mtime), mtime)
    served, shown = [], []
    for server, feeds in servers:
        for name, feed in feeds.items():
            url = server.url(f"/feed/{name}")
            body = feed.head + b"\n".join(feed.items[: len(feed.first_served)]) + feed.tail
            outputs = list(parse_feed(RawDocument(source_uri=url, data=body, fetched_at=0)))
            for index, item in enumerate(outputs):
                if isinstance(item, Article) and feed.first_served.get(index, 0) > after:
                    seen = visible.get((url, item.article_id))
                    if seen is not None:
                        served.append(seen - feed.first_served[index])
                        shown.append(seen - feed.revealed_at[index])
    return sorted(served), sorted(shown)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--hosts", type=int, default=50, help="loopback addresses 127.0.0.1..N")
    ap.add_argument("--hang", type=int, default=2, help="hosts that accept and never answer")
    ap.add_argument("--loris", type=int, default=1, help="hosts that drip a byte a second")
    ap.add_argument("--fetch-timeout", type=float, default=10.0)
    ap.add_argument("--duration", type=int, default=600)
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--poll-interval", type=int, default=30)
    ap.add_argument("--reveal-every", type=float, default=0.5, help="seconds between new items")
    ap.add_argument("--politeness-delay", type=float, default=0.2, help="0: every due feed at once")
    ap.add_argument("--fetch-articles", default="never", choices=("auto", "always", "never"))
    ap.add_argument("--output", default=None)
    args = ap.parse_args()

    folder = Path(args.shared) / "eval" / "feeds" / "rssparser-realworld" / "test" / "input"
    if not folder.is_dir():
        print(f"needs {folder}", file=sys.stderr)
        return 2
    out = args.output or tempfile.mkdtemp(prefix="bench-stream-")
    good_hosts = args.hosts - args.hang - args.loris
    per_host = max(1, args.feeds // args.hosts)
    feeds = make_feeds(folder, per_host * good_hosts)
    by_host = [dict(list(feeds.items())[h::good_hosts]) for h in range(good_hosts)]
    servers = [FeedServer(f, host=f"127.0.0.{h + 1}") for h, f in enumerate(by_host)]
    bad = bad_hosts(good_hosts, args.hang, args.loris)
    bad_urls = [d.url(f"/feed/b{i}") for d in bad for i in range(per_host)]
    stop, samples = threading.Event(), []
    for s in servers:
        s.__enter__()
    threading.Thread(target=grow, args=(feeds, args.reveal_every, stop), daemon=True).start()
    threading.Thread(target=sample_rss, args=(samples, stop), daemon=True).start()
    argv = [
        "--output",
        out,
        "--window",
        str(args.window),
        "--poll-interval",
        str(args.poll_interval),
    ]
    argv += ["--duration", str(args.duration), "--politeness-delay", str(args.politeness_delay)]
    argv += ["--fetch-timeout", str(args.fetch_timeout)]
    # The saved feeds link to the real sites, which this machine cannot reach: the polls are
    # what this measures (bench/bench_pages.py measures article pages on loopback sites).
    argv += ["--fetch-articles", args.fetch_articles]
    for server, served in zip(servers, by_host, strict=True):
        argv += [a for name in served for a in ("--feed", server.url(f"/feed/{name}"))]
    argv += [a for url in bad_urls for a in ("--feed", url)]
    started = time.time()
    try:
        newsbeam(["stream", *argv])
    finally:
        stop.set()
        wall = time.time() - started
        for s in servers:
            s.__exit__(None, None, None)
        for d in bad:
            d.close()

    lat, shown = latencies(out, list(zip(servers, by_host, strict=True)))
    # Steady state: leave out the start-up burst (every feed's backlog in the first windows).
    steady, _ = latencies(out, list(zip(servers, by_host, strict=True)), started + 2 * args.window)
    rows = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive").count_rows()
    (summary,) = glob.glob(f"{out}/_runs/stream-*.json")
    overall = json.loads(Path(summary).read_text(encoding="utf-8"))["overall"]
    through = overall.get("feed.new_items", 0) + overall.get("dedupe.exact_redelivery", 0)
    rss = [r for _, r in samples]
    print(
        f"feeds {len(feeds) + len(bad_urls)} on {args.hosts} hosts ({args.hang} hang, "
        f"{args.loris} slow-loris, {len(bad_urls)} feeds on them), window {args.window} s, "
        f"poll {args.poll_interval} s, fetch timeout {args.fetch_timeout:g} s, run {wall:.0f} s "
        f"(drain past --duration {wall - args.duration:.1f} s), output {out}"
    )
    print(
        f"fetches {overall.get('feed.fetched', 0)} (304: {overall.get('feed.not_modified', 0)}, "
        f"errors {overall.get('feed.errors', 0)}), rows {rows}, items through dedupe {through}"
    )
    if lat:
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        print(
            f"latency first-served -> in Parquet: median {statistics.median(lat):.1f} s, p95 {p95:.1f} s, "
            f"max {lat[-1]:.1f} s over {len(lat)} items (goal p95 <= window + 15 = {args.window + 15} s)"
        )
    if steady:
        p95 = steady[min(len(steady) - 1, int(0.95 * len(steady)))]
        print(
            f"steady state (first served after {2 * args.window} s): median "
            f"{statistics.median(steady):.1f} s, p95 {p95:.1f} s over {len(steady)} items"
        )
    if shown:
        p95 = shown[min(len(shown) - 1, int(0.95 * len(shown)))]
        print(
            f"latency shown in feed -> in Parquet (adds the poll interval): median "
            f"{statistics.median(shown):.1f} s, p95 {p95:.1f} s"
        )
    print(f"items/s through the stream: {through / wall:.1f} (new rows/s {rows / wall:.2f})")
    if rss:
        marks = [samples[int(len(samples) * f) - 1] for f in (0.1, 0.25, 0.5, 0.75, 1.0)]
        trail = ", ".join(f"{t / 60:.1f} min {r / 2**20:.0f} MB" for t, r in marks)
        print(f"peak RSS {max(rss) / 2**20:.0f} MB; RSS over time: {trail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
