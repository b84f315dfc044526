"""Article-page benchmark: feeds of summaries on `--hosts` loopback hosts (127.0.0.1..N), whose
links lead to the HTML benchmark's real pages (../shared/eval/html), fetched by
`newsbeam run --fetch-articles always` at `--politeness-delay` per host.

Prints pages per second (first to last request, from the servers' logs; robots.txt included)
against the ceiling the politeness delay allows (hosts / delay), every host's spacing, and the
main-text F1 of the fetched pages against the same pages read as batch HTML files (they must be
equal: one extraction path), with the benchmark's own metric (bench/eval_html.py).

    .venv/bin/python bench/bench_pages.py --shared ../shared          # 91 pages, 20 hosts, 1 s
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pyarrow.dataset as ds
from page_site import PageSite, load_pages

from pipeline.cli import main as newsbeam
from transforms.core.records import RawDocument
from transforms.parse import parse_document


def _eval_html():
    spec = importlib.util.spec_from_file_location("eval_html", ROOT / "bench" / "eval_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _batch_text(shared: Path, key: str) -> str:
    path = shared / "eval" / "html" / "html" / f"{key}.html.gz"
    found = [a for a in parse_document(RawDocument(str(path), path.read_bytes(), 0))]
    return getattr(found[0], "text", "") if found else ""


def run(shared: Path, hosts: int, delay: float, concurrency: int) -> None:
    pages = load_pages(shared, 10_000)
    sites = [
        PageSite(pages[i::hosts], host=f"127.0.0.{i + 1}", robots="User-agent: *\nDisallow: /x/\n")
        for i in range(hosts)
    ]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            for i, site in enumerate(sites):
                (folder / f"feed{i:02d}.xml").write_bytes(site.feed())
            started = time.time()
            args = ["run", "--input", str(folder), "--output", f"{tmp}/out"]
            args += ["--fetch-articles", "always", "--politeness-delay", str(delay)]
            args += ["--allow-private-pages"]  # saved feeds linking loopback hosts
            assert newsbeam([*args, "--fetch-concurrency", str(concurrency)]) == 0
            wall = time.time() - started
            rows = ds.dataset(f"{tmp}/out/articles", partitioning="hive").to_table().to_pylist()
    finally:
        for site in sites:
            site.close()
    _report(shared, pages, sites, rows, hosts, delay, wall)


def _report(shared, pages, sites, rows, hosts, delay, wall) -> None:
    log = sorted(r for site in sites for r in site.requests)
    times = [r.at for r in log]
    span = max(times) - min(times)
    fetched = [r for r in log if r.path.startswith("/news/")]
    gaps = [
        b.at - a.at
        for site in sites
        for a, b in itertools.pairwise(sorted(site.requests, key=lambda r: r.at))
    ]
    print(
        f"pages {len(fetched)} on {hosts} hosts (+{len(log) - len(fetched)} robots.txt), "
        f"politeness {delay:g} s: {len(log)} requests in {span:.1f} s = "
        f"{len(fetched) / span:.2f} pages/s ({len(log) / span:.2f} requests/s; ceiling "
        f"{hosts / delay:.1f} requests/s); run wall {wall:.1f} s"
    )
    print(
        f"per-host spacing: min {min(gaps):.3f} s, median {statistics.median(gaps):.3f} s "
        f"(never below the delay: {min(gaps) >= delay})"
    )
    bench = _eval_html()
    truth = {p.key: p.truth for p in pages}
    by_key = {r["url"].rsplit("/", 1)[1]: r for r in rows}
    ok = [k for k in truth if by_key.get(k, {}).get("fetch_status") == "ok"]
    same = sum(by_key[k]["text"] == _batch_text(shared, k) for k in ok)
    fetched_f1 = bench.metrics([bench.tp_fp_fn(truth[k], by_key[k]["text"]) for k in ok])
    batch_f1 = bench.metrics([bench.tp_fp_fn(truth[k], _batch_text(shared, k)) for k in ok])
    print(
        f"main-text F1 over {len(ok)} fetched pages: fetched {fetched_f1['f1']:.4f} "
        f"(P {fetched_f1['precision']:.4f} R {fetched_f1['recall']:.4f}), batch HTML "
        f"{batch_f1['f1']:.4f}; identical texts {same}/{len(ok)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--hosts", type=int, default=20, help="loopback addresses 127.0.0.1..N")
    ap.add_argument("--politeness-delay", type=float, default=1.0)
    ap.add_argument("--fetch-concurrency", type=int, default=16)
    args = ap.parse_args()
    run(Path(args.shared), args.hosts, args.politeness_delay, args.fetch_concurrency)


if __name__ == "__main__":
    main()
