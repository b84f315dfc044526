"""End-to-end benchmark: N articles of real text through the Beam pipeline and through the same
pure stage functions in a plain Python loop; prints docs/s, per-stage ms/doc and peak RSS.

    python bench/bench_e2e.py --n 10000 --shared ../shared [--runner-args "--direct_num_workers=2 …"]

Each measurement runs in a fresh process so peak RSS belongs to it alone. Compare the two as a
ratio from the same run: the machine may be shared, absolute times move, ratios move less. With
--repeat R the modes take turns R times and each reports its least wall time (one pair of runs
gave 1.01x, 1.14x and 1.25x within ten minutes on this shared machine). With --paired, Beam and
the loop run at once, each on its own core, and swap cores each round; the ratio is the rounds'
geometric mean, since both sides of each round met the same minutes of the host.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import build_note, host_speed

STAGES = ("parse", "dedupe", "language", "entities", "stories", "topics", "write")


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def text_length(long: bool) -> tuple[int, int]:
    from bench.corpus import LONG_TEXTS, SHORT_TEXTS

    return LONG_TEXTS if long else SHORT_TEXTS


def write_shards(
    n: int, shared: Path, folder: Path, shards: int, sentences: tuple[int, int] | None = None
) -> list[Path]:
    from bench.corpus import SHORT_TEXTS, build_corpus

    items = build_corpus(n, shared, length=sentences or SHORT_TEXTS)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(shards):
        path = folder / f"part-{k:03d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for item in items[k::shards]:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


# ---- the framework-free reference: the pipeline's pure functions in one loop ---------------


def _dedupe_loop(articles):
    from transforms.dedupe import bucket_pairs, connected_roots
    from transforms.dedupe.fingerprint import DEFAULT_PARAMS as P
    from transforms.dedupe.fingerprint import band_keys, hasher_for, jaccard_estimate
    from transforms.dedupe.rules import (
        article_identity,
        node_of,
        resolve_group,
        resolve_versions,
    )

    by_identity = defaultdict(list)
    for a in articles:
        by_identity[article_identity(a)].append(a)
    kept, dropped = [], 0
    for deliveries in by_identity.values():
        versions, redelivered = resolve_versions(deliveries)
        kept += versions
        dropped += len(redelivered)
    hasher = hasher_for(P)
    sigs = {node_of(a): hasher.signature(a.text) for a in kept}
    buckets = defaultdict(list)
    for node, sig in sigs.items():
        if len(sig):
            for key in band_keys(sig, P.bands, P.band_rows):
                buckets[key].append(node)
    edges = {pair for members in buckets.values() for pair in bucket_pairs(members)}
    verified = [(x, y) for x, y in edges if jaccard_estimate(sigs[x], sigs[y]) >= P.threshold]
    roots = connected_roots(verified)
    groups = defaultdict(list)
    out = []
    for a in kept:
        root = roots.get(node_of(a))
        if root is None:
            out.append(a)
        else:
            groups[root].append((a, sigs[node_of(a)]))
    for members in groups.values():
        out += resolve_group(members)
    return out, dropped


def _stories_loop(articles):
    from transforms.dedupe import connected_roots, jaccard_estimate, signature_from_bytes
    from transforms.stories.rules import (
        MIN_TEXT_JACCARD,
        NEEDS_TEXT,
        SAME,
        blocking_keys,
        bucket_links,
        profile_of,
        story_id,
        text_signature,
    )

    profiles = {a.article_id: profile_of(a) for a in articles}
    text_of = {a.article_id: a.text for a in articles}
    texts: dict[str, bytes] = {}  # as in Beam: signatures only for the pairs that need them

    def signature(article_id: str):
        if article_id not in texts:
            texts[article_id] = text_signature(text_of[article_id])
        return signature_from_bytes(texts[article_id])

    buckets = defaultdict(list)
    for p in profiles.values():
        for key in blocking_keys(p):
            buckets[key].append(p)
    edges = [(a.duplicate_of, a.article_id) for a in articles if a.duplicate_of]
    for key, members in buckets.items():
        for tag, (x, y) in bucket_links(key, members):
            if tag == "edges" or (
                tag == "text_pairs"
                and jaccard_estimate(signature(x), signature(y)) >= MIN_TEXT_JACCARD
            ):
                edges.append((x, y))
    del SAME, NEEDS_TEXT
    roots = connected_roots(edges)
    return [a._replace(story_id=story_id(roots.get(a.article_id, a.article_id))) for a in articles]


def run_loop(paths: list[Path], out: Path, backend: str | None) -> dict:
    from transforms.core.records import Article, RawDocument
    from transforms.entities.tag import _TagEntitiesFn
    from transforms.language.detect import DEFAULT_BACKEND, _DetectLanguageFn
    from transforms.parse.step import parse_document
    from transforms.topics.score import _ScoreTopicsFn
    from transforms.write.parquet import write_parquet
    from transforms.write.partitioning import partition_date, partition_lang

    spent = dict.fromkeys(STAGES, 0.0)
    started = time.perf_counter()

    def timed(stage, fn, *args):
        t = time.process_time()
        result = fn(*args)
        spent[stage] += time.process_time() - t
        return result

    articles = []
    for path in paths:
        doc = RawDocument(str(path), path.read_bytes(), time.time_ns() // 1000)
        items = timed("parse", lambda d: list(parse_document(d)), doc)
        articles += [a for a in items if isinstance(a, Article)]
    read = len(articles)
    steps = {
        "language": _DetectLanguageFn(backend or DEFAULT_BACKEND, ()),
        "entities": _TagEntitiesFn("rules", None),
        "topics": _ScoreTopicsFn(None, False, "lexicon"),
    }
    for stage, fn in steps.items():
        t = time.process_time()
        fn.setup()  # loading counts against the stage, as on a worker
        spent[stage] += time.process_time() - t
    articles, dropped = timed("dedupe", _dedupe_loop, articles)
    articles = [
        timed("language", steps["language"].apply, a, steps["language"]._resource) for a in articles
    ]
    articles = [
        timed("entities", steps["entities"].apply, a, steps["entities"]._resource) for a in articles
    ]
    articles = timed("stories", _stories_loop, articles)
    articles = [
        timed("topics", steps["topics"].apply, a, steps["topics"]._resource) for a in articles
    ]
    partitions = defaultdict(list)
    for a in articles:
        partitions[(partition_date(a), partition_lang(a))].append(a)
    for (date, lang), rows in partitions.items():
        timed("write", write_parquet, f"{out}/articles/date={date}/lang={lang}/loop.parquet", rows)
    wall = time.perf_counter() - started
    return {
        "mode": "loop",
        "items": read,
        "written": len(articles),
        "dropped": dropped,
        "wall_s": wall,
        "stage_ms_per_doc": {s: 1000 * t / max(1, read) for s, t in spent.items()},
    }


def run_beam(paths: list[Path], out: Path, backend: str | None, runner_args: list[str]) -> dict:
    import apache_beam as beam

    from pipeline.graph import build_batch
    from pipeline.options import ParsedOptions
    from pipeline.runners.batch import local_worker_cache
    from pipeline.settings import RUN, Settings, Steps
    from pipeline.summary import counts_path, read_counts, summarise
    from transforms.language import DEFAULT_BACKEND
    from transforms.write import run_key

    pattern = f"{paths[0].parent}/*.jsonl"
    settings = Settings(
        mode=RUN,
        output=str(out),
        steps=Steps(language_backend=backend or DEFAULT_BACKEND),
        input=pattern,
        run_key=run_key(pattern),
    )
    # The options and the worker cache `newsbeam run` uses (pipeline/runners/batch.py): Beam's
    # own PipelineOptions builds a view afresh each time Beam asks, ~0.3 s more construction.
    options = ParsedOptions(runner_args)
    started = time.perf_counter()
    with local_worker_cache(options):
        p = beam.Pipeline(options=options)
        build_batch(p, settings)
        result = p.run()
        result.wait_until_finish()
    wall = time.perf_counter() - started
    s = summarise(read_counts(counts_path(settings.output, settings.run_key)), wall)
    stage_ms = {}
    try:
        distributions = result.metrics().query()["distributions"]
    except Exception as exc:  # noqa: BLE001 - runners without metrics report only totals
        print(f"no Beam metrics from this runner: {exc}", file=sys.stderr)
        distributions = []
    for d in distributions:
        if d.key.metric.name == "micros_per_article" and d.committed:
            stage_ms[d.key.metric.namespace] = d.committed.mean / 1000
    return {
        "mode": "beam " + " ".join(runner_args),
        "items": s["items_read"],
        "written": s["written"],
        "dropped": s["dropped_duplicates"],
        "dead_lettered": s["dead_lettered"],
        "balanced": s["balanced"],
        "wall_s": wall,
        "stage_ms_per_doc": stage_ms,
    }


def child(args) -> None:
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})  # before Beam starts its threads: they inherit it
    paths = sorted(Path(args.corpus).glob("*.jsonl"))
    with tempfile.TemporaryDirectory() as out:
        if args.mode == "loop":
            report = run_loop(paths, Path(out), args.language_backend)
        else:
            report = run_beam(
                paths, Path(out), args.language_backend, shlex.split(args.runner_args[0])
            )
    report["peak_rss_mb"] = peak_rss_mb()
    print("REPORT " + json.dumps(report))


def _command(mode: str, runner_args: str, corpus: Path, backend: str | None) -> list[str]:
    cmd = [sys.executable, __file__, "--mode", mode, "--corpus", str(corpus)]
    cmd.append(f"--runner-args={runner_args}")
    if backend:
        cmd += ["--language-backend", backend]
    return cmd


def _report(label: str, returncode: int, stdout: str, stderr: str) -> dict | None:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("REPORT ")]
    if returncode or not lines:
        print(f"{label}: failed\n{stderr[-3000:]}")
        return None
    return json.loads(lines[-1][7:])


def _measure(mode: str, runner_args: str, corpus: Path, backend: str | None) -> dict | None:
    """One run in a fresh process (its own peak RSS); None, with the error printed, if it failed."""
    cmd = _command(mode, runner_args, corpus, backend)
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=ROOT)
    return _report(f"{mode} {runner_args}", done.returncode, done.stdout, done.stderr)


def _measure_pinned(jobs: list, corpus: Path, backend: str | None) -> list:
    """Each (mode, runner args, core) at once, each process on its own core: both runs meet the
    same minutes of a shared host. Returns a report (or None) per job."""
    procs = []
    for mode, runner_args, core in jobs:
        procs.append(
            subprocess.Popen(
                [*_command(mode, runner_args, corpus, backend), "--core", str(core)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    reports = []
    for (mode, runner_args, core), proc in zip(jobs, procs, strict=True):
        out, err = proc.communicate()
        reports.append(_report(f"{mode} {runner_args} on core {core}", proc.returncode, out, err))
    return reports


def _paired_rounds(rounds: int, runner_args: str, corpus: Path, backend: str | None) -> tuple:
    """Beam and the loop at once, one per core, the cores swapped each round (one core of a
    shared VM can be steadily slower than the other). Returns the best report of each and the
    ratio of each round."""
    best: dict = {}
    ratios = []
    first, second = sorted(os.sched_getaffinity(0))[:2]  # the CPUs this process may use
    for r in range(rounds):
        cores = (first, second) if r % 2 == 0 else (second, first)
        beam_report, loop_report = _measure_pinned(
            [("beam", runner_args, cores[0]), ("loop", "", cores[1])], corpus, backend
        )
        if beam_report is None or loop_report is None:
            continue
        ratios.append(beam_report["wall_s"] / loop_report["wall_s"])
        print(
            f"round {r + 1}: beam on core {cores[0]}, loop on core {cores[1]}: "
            f"{beam_report['wall_s']:.1f} s / {loop_report['wall_s']:.1f} s = {ratios[-1]:.3f}"
        )
        for report in (beam_report, loop_report):
            if report["mode"] not in best or report["wall_s"] < best[report["mode"]]["wall_s"]:
                best[report["mode"]] = report
    return list(best.values()), ratios


def _interleaved(args, runs: list, corpus: Path) -> list:
    """Each mode in turn, R times; each mode's least wall time."""
    modes = [("beam", r) for r in runs] + ([] if args.skip_loop else [("loop", "")])
    best: dict = {}
    for _ in range(args.repeat):  # interleaved: a slow minute hits every mode
        for mode, runner_args in modes:
            report = _measure(mode, runner_args, corpus, args.language_backend)
            if report is not None and (
                (mode, runner_args) not in best
                or report["wall_s"] < best[(mode, runner_args)]["wall_s"]
            ):
                best[(mode, runner_args)] = report
    return list(best.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--shards", type=int, default=16, help="JSONL files the corpus is split into")
    ap.add_argument("--language-backend", default=None)
    ap.add_argument(
        "--runner-args",
        action="append",
        default=None,
        help="Beam flags for one Beam run; repeat for several (default: FnApiRunner)",
    )
    ap.add_argument("--skip-loop", action="store_true")
    ap.add_argument("--long", action="store_true", help="texts of ~2.6 KB instead of ~1.2 KB")
    ap.add_argument(
        "--repeat", type=int, default=1, help="interleaved rounds; each mode's least wall time"
    )
    ap.add_argument(
        "--paired",
        action="store_true",
        help="run Beam and the loop at once, one per core, swapping cores each round; the ratio "
        "is the geometric mean of the rounds' ratios (needs 2 cores and one Beam runner)",
    )
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--core", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        child(args)
        return
    runs = args.runner_args or ["--runner=FnApiRunner"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        paths = write_shards(args.n, args.shared, corpus, args.shards, text_length(args.long))
        size_kb = sum(p.stat().st_size for p in paths) / 1024
        print(f"corpus: {args.n} items, {len(paths)} JSONL files, {size_kb / 1024:.1f} MB")
        print(f"host: a pure-Python reference loop, {host_speed():.0f} ns per iteration")
        print(build_note())
        ratios = []
        if args.paired:
            if len(runs) != 1 or args.skip_loop or len(os.sched_getaffinity(0)) < 2:
                sys.exit("--paired needs one Beam runner, the loop and two cores")
            reports, ratios = _paired_rounds(args.repeat, runs[0], corpus, args.language_backend)
        else:
            reports = _interleaved(args, runs, corpus)
    how = "paired" if args.paired else "interleaved"
    print(f"\nleast wall time of {args.repeat} {how} run(s) each")
    print(f"{'run':<44} {'docs/s':>8} {'wall s':>8} {'peak RSS MB':>12}  written/dropped")
    for r in reports:
        print(
            f"{r['mode'][:44]:<44} {r['items'] / r['wall_s']:>8.1f} {r['wall_s']:>8.1f} "
            f"{r['peak_rss_mb']:>12.0f}  {r['written']}/{r['dropped']}"
        )
    print("\nper-stage ms/doc (loop: CPU time per stage; beam: apply() time from Beam metrics)")
    print(f"{'stage':<10}" + "".join(f"{r['mode'][:22]:>24}" for r in reports))
    for stage in STAGES:
        cells = [r["stage_ms_per_doc"].get(stage) for r in reports]
        print(
            f"{stage:<10}"
            + "".join(f"{c:>24.3f}" if c is not None else f"{'-':>24}" for c in cells)
        )
    if ratios:
        mean = math.exp(sum(map(math.log, ratios)) / len(ratios))
        print(
            f"\nratio beam/loop wall time, geometric mean of {len(ratios)} paired rounds "
            f"({', '.join(f'{x:.3f}' for x in ratios)}): {mean:.2f}x"
        )
        return
    loop = next((r for r in reports if r["mode"] == "loop"), None)
    if loop:
        for r in reports:
            if r is not loop:
                print(
                    f"\nratio beam/loop wall time ({r['mode']}): {r['wall_s'] / loop['wall_s']:.2f}x"
                )


if __name__ == "__main__":
    main()
