"""The batch chain on N articles under several runners, in one session: FnApiRunner (one
process), DirectRunner multi_processing (1 and 2 worker processes) and Dask (local cluster of 1
and of 2 worker processes). "Two workers against one" is dask-2 against dask-1, and
multiprocess-2 against multiprocess-1 (the same runner with one worker) and against fnapi (one
process, no worker to start and no gRPC between runner and worker).

Prints wall time, docs/s, the ratio to the first runner listed, the CPU of the whole process
tree (this process and the worker processes it started, once they ended) and where the time goes:
start-up, graph translation, execution, shutdown; for Dask also the workers' busy time per step
from the task stream, and "dask-sync": the same Dask graph run in-process, i.e. the translation
without distribution. With --repeat R the runners take turns R times and each reports its least
wall time: on a shared machine one run's wall time swings by a third or more. A runner name with
the suffix -nocache (e.g. multiprocess-2-nocache) runs with --cache_dir off: every process builds
its gazetteer and language model, as before core.cache. A Dask runner name with the suffix -pN
(e.g. dask-2-p4) runs each step in N partitions instead of one per worker thread.

    nice .venv/bin/python bench/bench_runners.py --n 10000 --shared ../shared --repeat 3 [--long]
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import apache_beam as beam

from bench.corpus import LONG_TEXTS, SHORT_TEXTS, build_corpus
from bench.measure import cpu_seconds
from pipeline.graph import build_batch
from pipeline.options import parse_options
from pipeline.runners.choice import runner_context
from pipeline.settings import settings_from

RUNNERS = {
    "fnapi": ["--runner", "FnApiRunner"],
    "multiprocess-1": [
        "--runner",
        "DirectRunner",
        "--direct_running_mode",
        "multi_processing",
        "--direct_num_workers",
        "1",
    ],
    "multiprocess-2": [
        "--runner",
        "DirectRunner",
        "--direct_running_mode",
        "multi_processing",
        "--direct_num_workers",
        "2",
    ],
    "dask-1": ["--dask_local_workers", "1"],
    "dask-2": ["--dask_local_workers", "2"],
}


NOCACHE = "-nocache"  # a runner name's suffix: the same runner with --cache_dir off
PARTITIONS = re.compile(r"-p(\d+)$")  # a Dask runner name's suffix: --dask_npartitions N


def runner_flags(name: str) -> list[str]:
    """A runner's flags; "fnapi-nocache" is fnapi building its models in every process, and
    "dask-2-p4" is dask-2 with 4 partitions per step."""
    if name.endswith(NOCACHE):
        return [*runner_flags(name.removesuffix(NOCACHE)), "--cache_dir", "off"]
    if found := PARTITIONS.search(name):
        return [*RUNNERS[name[: found.start()]], "--dask_npartitions", found.group(1)]
    return RUNNERS[name]


def write_input(n: int, shared: Path, folder: Path, files: int, long: bool = False) -> Path:
    """N articles as JSON Lines in `files` files, cut by URL (so re-deliveries share a file);
    ~1.2 KB texts, or ~2.6 KB with `long` (the size issue "Throughput and memory" measured)."""
    shards: list[list[str]] = [[] for _ in range(files)]
    for item in build_corpus(n, shared, length=LONG_TEXTS if long else SHORT_TEXTS):
        shards[zlib.crc32(item["url"].encode()) % files].append(json.dumps(item))
    folder.mkdir(parents=True, exist_ok=True)
    for i, lines in enumerate(shards):
        (folder / f"part-{i:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _dask_busy(client) -> dict[str, float]:
    """Seconds the workers spent per kind of task, from the scheduler's task stream."""
    busy: dict[str, float] = defaultdict(float)
    for task in client.get_task_stream():
        prefix = task["key"][0] if isinstance(task["key"], tuple) else task["key"]
        kind = str(prefix).split("-")[0] or "other"
        for span in task["startstops"]:
            what = span["action"]
            busy["compute" if what == "compute" else what] += span["stop"] - span["start"]
            if what == "compute":
                busy[f"compute:{kind}"] += span["stop"] - span["start"]
    return dict(busy)


def _watch_tasks(options):
    """A second client on the run's cluster that switches the scheduler's task stream on."""
    from apache_beam.runners.dask.dask_runner import DaskOptions
    from distributed import Client

    client = Client(options.view_as(DaskOptions).address, set_as_default=False)
    client.get_task_stream()  # installs the recorder; tasks from now on are kept
    return client


def run_dask_sync(input_dir: Path, out: Path) -> dict:
    """The Dask runner's bag graph computed in this process by dask's synchronous scheduler:
    the cost of the translation alone, without processes, serialisation or transfers."""
    import dask

    from pipeline.runners.dask import _OVERRIDES, _BagTranslator, _count, readers_of

    options = parse_options("run", ["--input", str(input_dir), "--output", str(out)])
    t0 = time.perf_counter()
    p = beam.Pipeline(runner="FnApiRunner", options=options)
    build_batch(p, settings_from("run", options, 0.0))
    p.replace_all(list(_OVERRIDES))
    translator = _BagTranslator(npartitions=2, readers=readers_of(p))  # dask-2's partitions
    p.visit(translator)
    t1 = time.perf_counter()
    dask.compute(*[bag.map_partitions(_count) for bag in translator.leaves()], scheduler="sync")
    t2 = time.perf_counter()
    gc.unfreeze()  # the bundles froze this process's objects (dask_steps); later runners must not
    counts = json.loads(next(out.glob("_runs/*.counts.json")).read_text())
    return {
        "runner": "dask-sync",
        "wall": t2 - t0,
        "phases": {"translate": t1 - t0, "execute": t2 - t1},
        "busy": {},
        "rows": counts.get("write.rows", 0),
        "read": counts.get("parse.articles", 0) + counts.get("parse.failures", 0),
    }


def run_once(name: str, flags: list[str], input_dir: Path, out: Path) -> dict:
    options = parse_options("run", [*flags, "--input", str(input_dir), "--output", str(out)])
    settings = settings_from("run", options, 0.0)
    phases: dict[str, float] = {}
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    with runner_context(options) as runner:
        t1 = time.perf_counter()
        phases["startup"] = t1 - t0
        watcher = _watch_tasks(options) if runner is not None else None
        p = beam.Pipeline(runner=runner, options=options)
        build_batch(p, settings)
        result = p.run()
        t2 = time.perf_counter()
        phases["translate+submit"] = t2 - t1
        result.wait_until_finish()
        t3 = time.perf_counter()
        phases["execute"] = t3 - t2
        busy = _dask_busy(watcher) if watcher is not None else {}
        if watcher is not None:
            watcher.close()
    phases["shutdown"] = time.perf_counter() - t3
    counts = json.loads(next(out.glob("_runs/*.counts.json")).read_text())
    return {
        "runner": name,
        "wall": time.perf_counter() - t0,
        "cpu": cpu_seconds() - cpu0,
        "phases": phases,
        "busy": busy,
        "rows": counts.get("write.rows", 0),
        "read": counts.get("parse.articles", 0) + counts.get("parse.failures", 0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=16, help="input files the corpus is cut into")
    ap.add_argument("--long", action="store_true", help="texts of ~2.6 KB instead of ~1.2 KB")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument(
        "--runners",
        default=",".join([*RUNNERS, "dask-sync"]),
        help=f"comma-separated subset; a name ending {NOCACHE} runs without the model cache, "
        "a Dask name ending -pN with N partitions",
    )
    ap.add_argument(
        "--repeat", type=int, default=1, help="interleaved rounds; each runner's least wall time"
    )
    args = ap.parse_args()
    sentences = args.shared / "eval" / "langid" / "language-testdata" / "sentences"
    if not sentences.is_dir():
        sys.exit(f"needs {sentences} (the team's shared/ folder)")

    work = Path(tempfile.mkdtemp(prefix="bench-runners-"))
    try:
        input_dir = write_input(args.n, args.shared, work / "input", args.files, args.long)
        best: dict[str, dict] = {}
        for round_ in range(args.repeat):  # interleaved, so a slow minute hits every runner
            for name in args.runners.split(","):
                out = work / f"out-{name}-{round_}"
                if name == "dask-sync":
                    r = run_dask_sync(input_dir, out)
                else:
                    r = run_once(name, runner_flags(name), input_dir, out)
                print(json.dumps(r, default=lambda x: round(x, 2)), flush=True)
                if name not in best or r["wall"] < best[name]["wall"]:
                    best[name] = r
                shutil.rmtree(out, ignore_errors=True)
        results = list(best.values())
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = results[0]["wall"]
    print(
        f"\nN = {args.n} articles ({'~2.6' if args.long else '~1.2'} KB texts) in {args.files} "
        "JSON Lines files; same corpus, same session; "
        f"least wall of {args.repeat}"
    )
    print(
        f"{'runner':<16}{'wall s':>9}{'docs/s':>9}{'vs ' + results[0]['runner']:>12}"
        f"{'CPU s':>8}  phases (s)"
    )
    for r in results:
        phases = "  ".join(f"{k} {v:.1f}" for k, v in r["phases"].items())
        cpu = f"{r['cpu']:>8.1f}" if "cpu" in r else f"{'':>8}"
        print(
            f"{r['runner']:<16}{r['wall']:>9.1f}{r['read'] / r['wall']:>9.1f}"
            f"{base / r['wall']:>11.2f}x{cpu}  {phases}"
        )
        if r["busy"]:
            top = sorted(
                ((k[8:], v) for k, v in r["busy"].items() if k.startswith("compute:")),
                key=lambda kv: -kv[1],
            )[:5]
            print(
                f"{'':<16}workers busy {r['busy'].get('compute', 0):.1f} s computing, "
                f"{r['busy'].get('transfer', 0):.1f} s transferring; top tasks: "
                + ", ".join(f"{k} {v:.1f}" for k, v in top)
            )


if __name__ == "__main__":
    main()
