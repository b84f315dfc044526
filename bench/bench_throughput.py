"""Articles per CPU-second, end to end, `newsbeam run` against the naive script users write today
(bench/naive_script.py: seeded langdetect, an exact hash, one Parquet file), paired in one run on
the same corpus (bench/corpus.py: news-like articles in 7 languages, ~10% copies; texts of
~1.2 KB, or ~2.6 KB with --long, the size issue "Throughput and memory" measured). With
--repeat R the runs are interleaved R times and each reports its least CPU: on a shared machine
one run's CPU time swings by a third.

Each runs as its own process; CPU is that process's user + system time (os.wait4), so imports,
graph construction and model loading count, as they do for a user. Also prints a run on 10
articles (the fixed cost) and the marginal cost per article. Compare ratios from one run.

With --against TREE, `newsbeam run` of another checkout (a git worktree of an older commit) runs
in the same rounds, from its own folder with this interpreter, so its own pipeline/ and
transforms/ are imported: the ratio "N x the articles per CPU-second of that tree" is then
measured as the issue asks, in one run on one corpus, instead of against a figure from another
day (this machine's speed moves by a factor of two between hours).

    .venv/bin/python bench/bench_throughput.py --n 2000 --shared ../shared
    git worktree add /tmp/base 1db3f23 && .venv/bin/python bench/bench_throughput.py --n 10000 \
        --long --against /tmp/base
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import build_note, host_speed


def _run(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """(CPU s, wall s, peak RSS MB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


AGAINST = "newsbeam run, --against tree"


def _newsbeam(py: str, corpus: Path, out: str, ner_backend: str) -> list[str]:
    """`newsbeam run` as a module, so a run started in another checkout imports that checkout's
    code. Trees older than --ner-backend had only the rules, the default: it is passed only when
    another backend is asked for."""
    cmd = [py, "-m", "pipeline", "run", "--input", str(corpus), "--output", out]
    return cmd + (["--ner-backend", ner_backend] if ner_backend != "rules" else [])


def _corpus(n: int, shared: Path, folder: Path, long: bool) -> None:
    from bench.bench_e2e import text_length, write_shards

    write_shards(n, shared, folder, 16, text_length(long))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--long", action="store_true", help="texts of ~2.6 KB instead of ~1.2 KB")
    ap.add_argument("--ner-backend", default="rules", help="passed to both newsbeam runs")
    ap.add_argument(
        "--repeat", type=int, default=1, help="run each command this often; report its least CPU"
    )
    ap.add_argument(
        "--against",
        type=Path,
        help="another checkout whose `newsbeam run` joins the rounds (e.g. a worktree of an older "
        "commit); its ratio to this tree is printed",
    )
    args = ap.parse_args()
    py = sys.executable
    host_before = host_speed()
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "corpus", Path(tmp) / "small"
        _corpus(args.n, args.shared, big, args.long)
        _corpus(10, args.shared, small, args.long)
        texts = [
            len(json.loads(line)["text"].encode("utf-8"))
            for path in big.glob("*.jsonl")
            for line in path.open(encoding="utf-8")
        ]
        runs = {
            "naive script": (
                [py, str(ROOT / "bench" / "naive_script.py"), str(big), f"{tmp}/n.parquet"],
                None,
            ),
            "newsbeam run": (_newsbeam(py, big, f"{tmp}/o", args.ner_backend), None),
            "newsbeam run, 10 articles": (
                _newsbeam(py, small, f"{tmp}/o10", args.ner_backend),
                None,
            ),
        }
        if args.against:
            runs[AGAINST] = (_newsbeam(py, big, f"{tmp}/a", args.ner_backend), args.against)
        results: dict[str, tuple[float, float, float]] = {}
        for _ in range(args.repeat):  # interleaved, so a slow spell of the machine hits all
            for name, (cmd, cwd) in runs.items():
                got = _run(cmd, cwd)
                results[name] = min(results.get(name, got), got)  # least CPU: least interference
    print(
        f"corpus: {args.n} articles (bench/corpus.py), mean text {sum(texts) / len(texts) / 1024:.2f}"
        f" KB; one process per run, least CPU of {args.repeat}; --ner-backend {args.ner_backend}"
    )
    print(f"{'run':<28}{'CPU s':>8}{'wall s':>8}{'art/CPU-s':>11}{'peak RSS MB':>13}")
    for name, (cpu, wall, rss) in results.items():
        n = 10 if name.endswith("10 articles") else args.n
        print(f"{name:<28}{cpu:>8.2f}{wall:>8.2f}{n / cpu:>11.1f}{rss:>13.0f}")
    naive, beam, fixed = (results[k][0] for k in list(runs)[:3])
    print(
        f"newsbeam / naive throughput: {naive / beam:.2f}x; fixed cost {fixed:.2f} CPU-s; marginal "
        f"{1000 * (beam - fixed) / (args.n - 10):.2f} ms CPU per article "
        f"({(args.n - 10) / (beam - fixed):.0f} articles per marginal CPU-s)"
    )
    if AGAINST in results:
        print(
            f"newsbeam / {args.against}: {results[AGAINST][0] / beam:.2f}x the articles per "
            "CPU-second, in the same rounds"
        )
    print(
        f"host: a pure-Python reference loop took {host_before:.0f} ns per iteration before the "
        f"runs, {host_speed():.0f} after (bench/measure.py host_speed; compare days by it)"
    )
    print(build_note())


if __name__ == "__main__":
    main()
