"""Long fuzzing runs of the parser entry points (and, with --chain, of whole batch runs): the same
generators and invariants as tests/test_fuzz_parse.py and tests/test_fuzz_chain.py, for minutes
instead of CI's bounded few hundred inputs.

    python bench/fuzz.py --minutes 10 [--out bench/out/fuzz] [--shared ../shared] [--chain]
    python bench/fuzz.py --replay bench/out/fuzz/<property>/<signature>-1.pkl

Every input runs in a worker process with a time limit (a hang is an input that outlives it) and a
memory limit; the worker is restarted after a hang or a crash of its own. Prints, per property,
how many inputs it tried, the distinct failures (crashes and broken invariants, by exception and
place) and the hangs, and saves each failure's first inputs under --out as a pickle to --replay,
its raw bytes when it is a document, and a JSON note with the error and traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import multiprocessing as mp
import os
import pickle
import resource
import sys
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEEP_PER_SIGNATURE = 3  # reproducers saved per distinct failure


class Outcome(NamedTuple):
    kind: str  # ok | failure | hang
    signature: str  # exception type and the innermost place in the project it came from
    message: str
    trace: str


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if str(ROOT) in f.filename and "/bench/" not in f.filename]
    if not frames:
        return type(exc).__name__
    where = ours[-1] if ours else frames[-1]
    path = where.filename.removeprefix(f"{ROOT}/")
    place = f"{path}:{where.lineno}"
    return f"{type(exc).__name__} at {place}"


def _worker(conn, memory_mb: int) -> None:
    """Run (property, input) pairs sent over `conn` until told to stop; reply with an Outcome."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    quiet = open(os.devnull, "w")  # noqa: SIM115 - the worker's whole life
    sys.stdout = sys.stderr = quiet  # runs print summaries, libraries log; outcomes say it all
    logging.disable(logging.CRITICAL)
    from tests.fuzz_chain import run_and_check
    from tests.fuzz_properties import BY_NAME

    checks = {name: p.check for name, p in BY_NAME.items()} | {"chain": run_and_check}
    while True:
        task = conn.recv()
        if task is None:
            return
        name, value = task
        try:
            checks[name](value)
            conn.send(Outcome("ok", "", "", ""))
        except BaseException as exc:  # noqa: BLE001 - every failure is a finding, reported back
            message = f"{type(exc).__name__}: {str(exc)[:2000]}"
            conn.send(Outcome("failure", _signature(exc), message, traceback.format_exc()[-8000:]))


class Worker:
    def __init__(self, memory_mb: int):
        self._memory_mb = memory_mb
        self._start()

    def _start(self) -> None:
        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_worker, args=(child, self._memory_mb), daemon=True)
        self._proc.start()

    def run(self, name: str, value, timeout: float) -> Outcome:
        self._conn.send((name, value))
        if self._conn.poll(timeout):
            try:
                return self._conn.recv()
            except EOFError:
                pass  # the worker died (a hard crash of the interpreter): restart it below
            self._restart()
            return Outcome("failure", "worker died", "the worker process exited", "")
        self._restart()
        return Outcome("hang", "hang", f"no answer within {timeout:.0f} s", "")

    def _restart(self) -> None:
        self._proc.kill()  # our own child, by its handle
        self._proc.join()
        self._start()

    def close(self) -> None:
        self._conn.send(None)
        self._proc.join(timeout=10)
        if self._proc.is_alive():
            self._proc.kill()


class Findings:
    def __init__(self, out: Path):
        self.out = out
        self.tried: Counter = Counter()
        self.by_signature: dict[tuple[str, str], list] = defaultdict(list)
        self.counts: Counter = Counter()

    def add(self, name: str, value, outcome: Outcome) -> None:
        self.tried[name] += 1
        if outcome.kind == "ok":
            return
        key = (name, outcome.signature)
        self.counts[key] += 1
        if len(self.by_signature[key]) < KEEP_PER_SIGNATURE:
            self.by_signature[key].append(
                self._save(name, value, outcome, len(self.by_signature[key]))
            )

    def _save(self, name: str, value, outcome: Outcome, n: int) -> str:
        folder = self.out / name
        folder.mkdir(parents=True, exist_ok=True)
        stem = hashlib.sha1(outcome.signature.encode()).hexdigest()[:10] + f"-{n + 1}"
        (folder / f"{stem}.pkl").write_bytes(pickle.dumps((name, value)))
        data = getattr(value, "data", None)
        if isinstance(data, bytes):
            (folder / f"{stem}-{Path(value.name).name or 'doc'}").write_bytes(data)
        note = {"property": name, "kind": outcome.kind, "signature": outcome.signature,
                "message": outcome.message, "input": repr(value)[:4000],
                "traceback": outcome.trace}  # fmt: skip
        (folder / f"{stem}.json").write_text(json.dumps(note, indent=1, ensure_ascii=False))
        return str(folder / f"{stem}.pkl")


def _generate(strategy, seconds: float, on_value) -> None:
    """Feed values from `strategy` to on_value for about `seconds` (fresh randomness per call)."""
    from hypothesis import HealthCheck, Phase, given, settings

    stop = time.monotonic() + seconds

    @settings(max_examples=50, deadline=None, database=None, derandomize=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def feed(value):
        if time.monotonic() < stop:
            on_value(value)

    while time.monotonic() < stop:
        try:
            feed()
        except Exception as exc:  # noqa: BLE001 - a generator problem must not end a long run
            print(f"  generator error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return


def fuzz(args) -> Findings:
    from tests.fuzz_chain import chain_case
    from tests.fuzz_docs import Seeds, fixture_seeds, read_seeds
    from tests.fuzz_properties import PROPERTIES

    seeds = fixture_seeds()
    if args.shared:
        feeds = Path(args.shared) / "eval" / "feeds"
        folders = [feeds / "rssparser-realworld" / "test" / "input"]
        folders += [p for p in (feeds / "feedparser-tests").rglob("*") if p.is_dir()]
        seeds = Seeds(sorted({*seeds, *read_seeds(*[f for f in folders if f.is_dir()])}))
    print(f"fuzz: {len(seeds)} real documents to mutate", flush=True)
    targets = [(p.name, p.strategy(seeds)) for p in PROPERTIES]
    if args.chain:
        targets.append(("chain", chain_case()))
    if args.only:
        targets = [t for t in targets if t[0] in args.only.split(",")]
    findings = Findings(Path(args.out))
    worker = Worker(args.memory_mb)
    deadline = time.monotonic() + args.minutes * 60
    try:
        while time.monotonic() < deadline:
            for name, strategy in targets:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                timeout = args.timeout * (4 if name == "chain" else 1)

                def run(value, name=name, timeout=timeout):
                    findings.add(name, value, worker.run(name, value, timeout))

                _generate(strategy, min(args.slice, left), run)
            print(f"  {sum(findings.tried.values())} inputs, {sum(findings.counts.values())} "
                  f"failing, {int(deadline - time.monotonic())} s left", flush=True)  # fmt: skip
    finally:
        worker.close()
    return findings


def report(findings: Findings, minutes: float) -> None:
    print(f"\nfuzz: {sum(findings.tried.values())} inputs in {minutes:g} min")
    print(f"{'property':38} {'inputs':>8} {'failing':>8} {'distinct':>8} {'hangs':>6}")
    for name, tried in sorted(findings.tried.items()):
        keys = [k for k in findings.counts if k[0] == name]
        failing = sum(findings.counts[k] for k in keys if k[1] != "hang")
        hangs = findings.counts.get((name, "hang"), 0)
        print(f"{name:38} {tried:>8} {failing:>8} {len(keys):>8} {hangs:>6}")
    print("\ndistinct failures (property | signature | count | first reproducer):")
    for (name, signature), paths in sorted(findings.by_signature.items()):
        note = json.loads(Path(paths[0]).with_suffix(".json").read_text())
        print(f"- {name} | {signature} | {findings.counts[(name, signature)]} | {paths[0]}")
        print(f"    {note['message'][:300]}")


def replay(path: str) -> None:
    from tests.fuzz_chain import run_and_check
    from tests.fuzz_properties import BY_NAME

    name, value = pickle.loads(Path(path).read_bytes())
    print(f"replaying {name}: {repr(value)[:300]}")
    (run_and_check if name == "chain" else BY_NAME[name].check)(value)
    print("holds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "fuzz"),
                        help="folder for reproducers (default: bench/out/fuzz, not versioned)")  # fmt: skip
    parser.add_argument("--shared", help="../shared: mutate its 2,100+ real feeds too")
    parser.add_argument("--chain", action="store_true", help="also whole batch runs (seconds each)")
    parser.add_argument("--only", help="comma-separated property names")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per input: a hang")
    parser.add_argument("--slice", type=float, default=15, help="seconds per property per round")
    parser.add_argument("--memory-mb", type=int, default=3072, help="worker address-space limit")
    parser.add_argument("--replay", help="a saved .pkl reproducer: run its check once")
    args = parser.parse_args()
    if args.replay:
        replay(args.replay)
        return
    started = time.monotonic()
    findings = fuzz(args)
    report(findings, (time.monotonic() - started) / 60)


if __name__ == "__main__":
    main()
