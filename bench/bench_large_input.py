"""A JSON Lines file larger than --max-input-bytes: is every item read, in how much memory?

    python bench/bench_large_input.py --n 50000 --scale 2 --shared ../shared          # reader only
    python bench/bench_large_input.py --n 50000 --scale 2 --shared ../shared --e2e    # + newsbeam run

Builds one file of N articles (bench/corpus.py; --scale repeats each text to make items larger),
plain and gzipped, then reads each with the source's reader alone (parts, items, MB/s, peak RSS)
and, with --e2e, runs `newsbeam run` on the plain file with the default cap and prints the summary.
Each measurement runs in a fresh process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(n: int, scale: int, shared: Path, folder: Path) -> Path:
    from bench.corpus import build_corpus

    path = folder / f"large-{n}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for item in build_corpus(n, shared):
            item["text"] = "\n\n".join([item["text"]] * scale)
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    with path.open("rb") as src, gzip.open(f"{path}.gz", "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst)
    return path


def read_only(path: str, max_bytes: int) -> dict:
    """The reader alone, as ReadDocuments runs it: parts, items and failures of one file."""
    from pipeline.sources.reading import FileReader
    from transforms.core.records import RawDocument

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Python + Beam imported
    started = time.perf_counter()
    parts = items = failures = largest = 0
    for read in FileReader(max_bytes).read(path, 0):
        if isinstance(read.item, RawDocument):
            parts += 1
            largest = max(largest, len(read.item.data))
            items += sum(1 for line in read.item.data.split(b"\n") if line.strip())
        else:
            failures += 1
    seconds = time.perf_counter() - started
    return {
        "file": Path(path).name,
        "file_mb": round(Path(path).stat().st_size / 1e6, 1),
        "parts": parts,
        "largest_part_mb": round(largest / 1e6, 2),
        "items": items,
        "failures": failures,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(baseline),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def e2e(path: Path, output: Path) -> dict:
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--input", str(path), "--output", str(output)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    summary = json.loads((output / "summary.json").read_text()) if run.returncode == 0 else {}
    keys = ("items_read", "written", "dropped_duplicates", "dead_lettered", "balanced")
    return {
        "exit": run.returncode,
        **{k: summary.get(k) for k in keys},
        "documents_read": summary.get("documents_read"),
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "stderr_tail": run.stderr.strip().splitlines()[-3:] if run.returncode else [],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--scale", type=int, default=2, help="copies of each article's text")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--max-input-bytes", type=int, default=64 * 1024 * 1024)
    ap.add_argument("--e2e", action="store_true", help="also run newsbeam on the file")
    ap.add_argument("--read-only", help=argparse.SUPPRESS)  # the child process's job
    args = ap.parse_args()
    if args.read_only:
        print(json.dumps(read_only(args.read_only, args.max_input_bytes)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = build(args.n, args.scale, args.shared, Path(tmp))
        print(f"{args.n} articles, {path.stat().st_size / 1e6:.1f} MB (cap {args.max_input_bytes})")
        for name in (str(path), f"{path}.gz"):
            cap = ["--max-input-bytes", str(args.max_input_bytes)]
            print(json.dumps(_child(["--read-only", name, *cap])))
        if args.e2e:
            print(json.dumps(e2e(path, Path(tmp) / "out")))


if __name__ == "__main__":
    main()
