"""Peak memory and time of parse_document alone on big generated feeds; prints the figures.

    python bench/bench_parse_memory.py [--n 10000 50000] [--formats rss atom] [--modes sliced whole]

Each (format, N, mode) runs in a fresh process, so its peak RSS is its own: the figure printed is
that process's peak RSS, beside the RSS once the feed's bytes are built (the baseline every run
pays) and the difference, what parsing added. Items are near-identical (one template sentence, a
counter and a few varied words), as in the issue's feeds. The parse output is consumed one item at
a time and dropped, as a Beam DoFn hands it on. Mode "sliced" is parse_document as it is (feeds
over feeds.SLICE_BYTES go to feedparser in slices of entries); "whole" raises SLICE_BYTES so the
whole feed goes to feedparser at once: what feedparser itself costs on a big feed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["budget", "council", "harbour", "railway", "school", "hospital", "museum", "bridge"]


def rss_feed(n: int) -> bytes:
    items = []
    for i in range(n):
        word = WORDS[i % len(WORDS)]
        items.append(
            f"<item><title>Council item {i}: the {word} report</title>"
            f"<link>https://news.example.com/a/{i}</link><guid>urn:item:{i}</guid>"
            f"<pubDate>Wed, 04 Feb 2026 09:{i % 60:02d}:00 +0100</pubDate>"
            f"<description>&lt;p&gt;The city council approved the {word} plan number {i} after a "
            f"long debate on Tuesday evening, officials said.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Big feed</title><link>https://news.example.com/</link>"
        + "\n".join(items)
        + "</channel></rss>"
    ).encode()


def atom_feed(n: int) -> bytes:
    entries = []
    for i in range(n):
        word = WORDS[i % len(WORDS)]
        entries.append(
            f"<entry><title>Council item {i}: the {word} report</title>"
            f'<link href="/a/{i}"/><id>urn:item:{i}</id>'
            f"<updated>2026-02-04T09:{i % 60:02d}:00+01:00</updated>"
            f'<content type="html">&lt;p&gt;The city council approved the {word} plan number {i} '
            f"after a long debate on Tuesday evening, officials said.&lt;/p&gt;</content></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Big feed</title><link rel="self" href="https://news.example.com/atom.xml"/>'
        + "\n".join(entries)
        + "</feed>"
    ).encode()


def _child(fmt: str, n: int, mode: str) -> None:
    """Runs in the measured process: build the feed, parse it, print one JSON line."""
    import resource

    sys.path.insert(0, str(ROOT))
    from transforms.core.records import Article, RawDocument
    from transforms.parse import feeds, parse_document

    if mode == "whole":
        feeds.SLICE_BYTES = feeds.MAX_FEED_BYTES

    list(parse_document(RawDocument("warm.rss", rss_feed(3), 0)))  # imports, feedparser loaded
    data = rss_feed(n) if fmt == "rss" else atom_feed(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    doc = RawDocument(f"big.{fmt}", data, 1_900_000_000_000_000)
    del data
    started = time.process_time()  # CPU time: the machine may be shared
    articles = failures = 0
    for item in parse_document(doc):
        if isinstance(item, Article):
            articles += 1
        else:
            failures += 1
    seconds = time.process_time() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"format": fmt, "n": n, "mode": mode, "mb": round(len(doc.data) / 2**20, 1)}
    result |= {"articles": articles, "failures": failures, "seconds": round(seconds, 1)}
    result |= {"baseline_mb": round(base), "peak_mb": round(peak)}
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--formats", nargs="+", default=["rss", "atom"])
    parser.add_argument("--modes", nargs="+", default=["sliced", "whole"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]), args.child[2])
        return
    print(
        f"{'format':<6} {'items':>7} {'mode':<6} {'MB':>5} {'articles':>8} {'fail':>4} "
        f"{'CPU s':>6} {'items/s':>7} {'base MB':>7} {'peak MB':>7} {'parse MB':>8}"
    )
    for fmt in args.formats:
        for n in args.n:
            for mode in args.modes:
                command = [sys.executable, __file__, "--child", fmt, str(n), mode]
                run = subprocess.run(command, capture_output=True, text=True, check=True)
                r = json.loads(run.stdout.strip().splitlines()[-1])
                rate = r["articles"] / r["seconds"] if r["seconds"] else float("inf")
                print(
                    f"{fmt:<6} {n:>7} {mode:<6} {r['mb']:>5} {r['articles']:>8} "
                    f"{r['failures']:>4} {r['seconds']:>6} {rate:>7.0f} {r['baseline_mb']:>7} "
                    f"{r['peak_mb']:>7} {r['peak_mb'] - r['baseline_mb']:>8}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
