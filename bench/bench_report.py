"""How long `newsbeam report` takes and how large its page is, at 10k and 100k articles.

    python bench/bench_report.py                   # 10,000 and 100,000 articles over 90 days
    python bench/bench_report.py --n 2000 --days 30

Each dataset is synthetic (bench/report_dataset.py: the pipeline's schema, one file per date and
language, skewed sources, entities and stories, 2% dead letters) and written once per size into
--work. The report runs as the CLI, in a child process, so its wall time, CPU time and peak RSS are
its own: they include Python start-up and imports. The goals: ≤ 10 s and ≤ 3 MB at 100k rows.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_dataset import make_dataset

ROOT = Path(__file__).resolve().parent.parent
NEWSBEAM = [sys.executable, "-m", "pipeline"]


def dataset(work: Path, n: int, days: int) -> Path:
    out = work / f"report-{n}-{days}d"
    if not (out / "_runs").exists():
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        make_dataset(out, n, days=days, dead=n // 50, exact=n // 100, sources=300)
        print(f"wrote {n:,} articles in {time.perf_counter() - started:.1f} s to {out}")
    return out


def measure(out: Path, page: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [*NEWSBEAM, "report", str(out), "--output", str(page)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_mb": after.ru_maxrss / 1024,
        "bytes": page.stat().st_size,
    }


def script_bytes() -> int:
    from pipeline.report import page

    return sum(len(page._script(name).encode()) for name in page.SCRIPTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    js = script_bytes()
    print(f"inlined charting code (vega + vega-lite + vega-embed): {js / 1e6:.2f} MB")
    print(f"{'articles':>9} {'files':>6} {'wall s':>7} {'CPU s':>6} {'peak RSS MB':>11} "
          f"{'page MB':>8} {'data MB':>8}")  # fmt: skip
    for n in args.n:
        out = dataset(args.work, n, args.days)
        files = len(list((out / "articles").glob("*/*/*.parquet")))
        m = measure(out, args.work / f"report-{n}.html")
        print(f"{n:>9,} {files:>6,} {m['wall']:>7.2f} {m['cpu']:>6.2f} {m['rss_mb']:>11.0f} "
              f"{m['bytes'] / 1e6:>8.2f} {(m['bytes'] - js) / 1e6:>8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
