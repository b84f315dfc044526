"""Where a batch run's memory goes, stage by stage, and how its peak grows with the input.

    .venv/bin/python bench/bench_stage_memory.py --n 10000 --n 100000 [--long] [--shared ../shared]

For each N: bench/corpus.py's corpus (16 JSONL files, as bench_throughput.py writes it), then
`newsbeam run` on FnApiRunner in a child process that notes, as each fused stage starts (the
runner's bundle log), the process's RSS and its peak so far. Prints, per fused stage (named by its
steps), how much it raised the peak and the peak by its end, then the run's peak and the ratio of
the last N's peak to the first's (issue "Throughput and memory" asks ≤ 1.25 from 10,000 to 100,000
articles). The stage that raised the peak most is where memory grows with the input: a PCollection
the runner holds whole (Beam's local runner keeps every PCollection that crosses a fusion break in
memory).
"""

from __future__ import annotations

import argparse
import logging
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_BOOKKEEPING = {"AllFailures", "CountOutcomes"}  # fused into most stages: named only when alone
_STEP = re.compile(r"\(([A-Z][A-Za-z]+)/|ref_AppliedPTransform_([A-Z][A-Za-z]+)-")


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: after fork and exec that starts at the
    parent's RSS, and the parent holds the corpus it just wrote."""
    with open("/proc/self/status") as fh:
        line = next(ln for ln in fh if ln.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


class _StageLog(logging.Handler):
    """One line per stage start: seconds, RSS MiB, peak MiB, the stage's name."""

    def __init__(self, out):
        super().__init__(logging.DEBUG)
        self._out, self._t0 = out, time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("Running bundle for stage"):
            stage = str(record.args[0]).replace("\t", " ")
            took = time.monotonic() - self._t0
            self._out.write(f"{took:.1f}\t{_rss_mib():.0f}\t{_peak_mib():.0f}\t{stage}\n")
            self._out.flush()


def child(input_glob: str, output: str, log_path: str) -> None:
    """Run the pipeline in this process with the stage log on (what the parent measures)."""
    from apache_beam.runners.portability.fn_api_runner import fn_runner

    from pipeline.cli import main

    with open(log_path, "w") as log:
        fn_runner._BUNDLE_LOGGER.addHandler(_StageLog(log))
        fn_runner._BUNDLE_LOGGER.setLevel(logging.DEBUG)
        fn_runner._BUNDLE_LOGGER.propagate = False
        sys.argv = ["newsbeam", "run", "--input", input_glob, "--output", output]
        main()
        log.write(f"end\t{_rss_mib():.0f}\t{_peak_mib():.0f}\tend\n")


def step_of(stage: str) -> str:
    """The steps a fused stage runs, in order ("Deduplicate+DetectLanguage+TagEntities+…")."""
    found = list(dict.fromkeys(a or b for a, b in _STEP.findall(stage)))
    steps = [x for x in found if x not in _BOOKKEEPING] or found
    return "+".join(steps[:3]) + ("+…" if len(steps) > 3 else "") if steps else "other"


def stage_peaks(lines: list[str]) -> list[tuple[str, float, float]]:
    """(steps, peak when the stage started, peak by its end) per stage, in the order they ran:
    a stage's peak is the one the next stage's line (or the end line) reports."""
    rows = [ln.split("\t", 3) for ln in lines if ln.strip()]
    return [
        (step_of(stage), float(peak), float(rows[k + 1][2]))
        for k, (_, _, peak, stage) in enumerate(rows[:-1])
    ]


def by_step(stages: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """(steps, peak by the end of their last stage, MiB their stages raised the peak by), in
    the order they first ran."""
    out: dict[str, list[float]] = {}
    for step, before, after in stages:
        row = out.setdefault(step, [0.0, 0.0])
        row[0] = max(row[0], after)
        row[1] += after - before
    return [(step, peak, raised) for step, (peak, raised) in out.items()]


def measure(n: int, shared: Path, long: bool, tmp: Path) -> float:
    from bench.bench_e2e import text_length, write_shards

    corpus, out, log = tmp / f"corpus-{n}", tmp / f"out-{n}", tmp / f"stages-{n}.tsv"
    write_shards(n, shared, corpus, 16, text_length(long))
    started = time.perf_counter()
    cmd = [sys.executable, __file__, "--child", f"{corpus}/*.jsonl", str(out), str(log)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    lines = log.read_text().splitlines()
    peak = float(lines[-1].split("\t")[2])
    print(f"\n{n} articles: peak RSS {peak:.0f} MiB, {wall:.1f} s wall")
    print(f"  {'raised':>6} {'peak after':>10}  steps of the stage (MiB)")
    for step, peak, raised in by_step(stage_peaks(lines)):
        print(f"  {raised:6.0f} {peak:10.0f}  {step}")
    return peak


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="articles; repeat for several runs")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--long", action="store_true", help="texts of ~2.6 KB instead of ~1.2 KB")
    args = ap.parse_args()
    sizes = args.n or [10000, 100000]
    with tempfile.TemporaryDirectory() as tmp:
        peaks = [measure(n, args.shared, args.long, Path(tmp)) for n in sizes]
    if len(peaks) > 1:
        print(f"\npeak at {sizes[-1]} / peak at {sizes[0]}: {peaks[-1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    main()
