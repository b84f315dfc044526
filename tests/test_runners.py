"""Runners: flag checks (pure), the Dask translation on small graphs against FnApiRunner, and the
batch chain's output on Dask and on multi-process DirectRunner equal to FnApiRunner's, row for row."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import zlib
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam import pvalue
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import userstate

from tests.conftest import ROOT, SEEDS, SHARED, shared_path

distributed = pytest.importorskip(
    "distributed", reason="needs the dask extra: pip install '.[dask]'"
)

from pipeline.options import UsageError, parse_options
from pipeline.runners.choice import is_dask, runner_context, runner_problem

# --- flags --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, dask, problem",
    [
        ([], False, None),
        (["--runner", "DirectRunner"], False, None),
        (["--runner", "DaskRunner"], True, None),
        (["--runner", "daskrunner", "--dask_client_address", "tcp://h:8786"], True, None),
        (["--dask_local_workers", "2"], True, None),
        (["--runner", "DaskRunner", "--dask_local_workers", "2"], True, None),
        (
            ["--runner", "FnApiRunner", "--dask_local_workers", "2"],
            False,
            "--runner is FnApiRunner",
        ),
        (["--dask_local_workers", "2", "--dask_client_address", "tcp://h:8786"], True, "not both"),
        (["--runner", "DaskRunner", "--streaming"], True, "batch pipelines only"),
    ],
)
def test_runner_flags(argv, dask, problem):
    options = parse_options("run", argv)
    assert is_dask(options) is dask
    found = runner_problem(options, "run")
    assert (found is None) if problem is None else (problem in found)


def test_a_stream_is_refused_the_dask_runner():
    assert "batch pipelines only" in runner_problem(
        parse_options("stream", ["--runner", "Dask"]), "stream"
    )


def test_dask_local_workers_is_a_run_flag():
    with pytest.raises(UsageError, match="applies to `newsbeam run` only"):
        parse_options("stream", ["--dask-local-workers", "2"])


@pytest.mark.cluster
def test_cli_runs_the_seeds_on_a_local_dask_cluster(tmp_path):
    from pipeline import cli

    out = tmp_path / "out"
    assert cli.main(["run", "--dask_local_workers", "2", "--output", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["written"], summary["balanced"]) == (5, True)


def test_the_local_cluster_neither_steals_work_nor_profiles_it():
    """The cluster --dask_local_workers starts does not steal work: the runner puts partition
    i's tasks on worker i, and a steal only moved a task away from its input (an idle worker
    pulled a whole partition of articles to count them). Its workers do not run the sampling
    profiler, whose wake-ups took CPU from the steps when every core was busy."""
    import dask
    from apache_beam.runners.dask.dask_runner import DaskOptions

    options = parse_options("run", ["--dask_local_workers", "1"])
    with runner_context(options):
        address = options.view_as(DaskOptions).address
        with distributed.Client(address, set_as_default=False) as client:
            extensions = client.run_on_scheduler(
                lambda dask_scheduler: list(dask_scheduler.extensions)
            )
            profiling = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
    assert "stealing" not in extensions and "shuffle" in extensions
    assert list(profiling.values()) == [False]


def test_the_local_clusters_workers_keep_a_missed_heartbeat_off_the_console():
    """Workers preload pipeline.logfilter: its filter sits on their distributed.worker logger."""
    from apache_beam.runners.dask.dask_runner import DaskOptions

    def worker_filters():
        import logging

        return [type(f).__name__ for f in logging.getLogger("distributed.worker").filters]

    options = parse_options("run", ["--dask_local_workers", "1"])
    with runner_context(options):
        address = options.view_as(DaskOptions).address
        with distributed.Client(address, set_as_default=False) as client:
            filters = client.run(worker_filters)
    assert ["QuietHeartbeatMisses" in names for names in filters.values()] == [True]


def test_cli_accepts_the_dask_flags():
    from pipeline.cli import flag_parser

    known, unknown = flag_parser("newsbeam run").parse_known_args(
        ["--dask_local_workers", "3", "--dask_client_address", "tcp://h:8786"]
    )
    assert unknown == [] and known.dask_local_workers == 3 and known.address == "tcp://h:8786"


def test_dask_is_imported_only_for_its_flags():
    """A run without Dask's flags does not import the Dask runner (~0.25 CPU-s); one with them
    still parses, in a fresh process where nothing imported it before."""
    probe = (
        "import sys; from pipeline.options import parse_options; "
        "o = parse_options('run', sys.argv[1:]); "
        "print('apache_beam.runners.dask.dask_runner' in sys.modules)"
    )

    def imported(*flags: str) -> str:
        cmd = [sys.executable, "-c", probe, "--output", "out", *flags]
        done = subprocess.run(
            cmd, check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert imported() == "False"
    assert imported("--dask_client_address", "tcp://h:8786") == "True"


# --- the Dask translation on small graphs -------------------------------------------------------


def _split(x):
    yield pvalue.TaggedOutput("odd", x) if x % 2 else x


class _CountSetups(beam.DoFn):
    """Writes one marker file per setup() so the test can count them across worker processes."""

    def __init__(self, folder: str):
        self._folder = folder

    def setup(self):
        Path(self._folder, f"setup-{os.getpid()}-{id(self)}").touch()

    def process(self, x, total, evens):
        yield (x % 3, (x, total, len(evens)))


def _small_graph(p, folder: str) -> None:
    """Every construct the batch chain relies on, each ending in its own JSON file sink."""
    numbers = p | "Numbers" >> beam.Create(range(60))
    parts = numbers | "Split" >> beam.ParDo(_split).with_outputs("odd", main="even")
    total = numbers | "Total" >> beam.CombineGlobally(sum)
    evens = parts["even"] | "Evens" >> beam.combiners.ToList()
    grouped = (
        numbers
        | "Reshuffle" >> beam.Reshuffle()
        | "SideInputs"
        >> beam.ParDo(_CountSetups(folder), pvalue.AsSingleton(total), pvalue.AsSingleton(evens))
        | "Group" >> beam.GroupByKey()
        | "Sizes" >> beam.MapTuple(lambda k, vs: [k, sorted(v[0] for v in vs)])
    )
    windowed = (
        numbers
        | "Stamp" >> beam.Map(lambda x: beam.window.TimestampedValue((x % 2, x), x))
        | "Window" >> beam.WindowInto(beam.window.FixedWindows(20))
        | "PerWindow" >> beam.CombinePerKey(sum)
        | "WithWindow" >> beam.Map(lambda kv, w=beam.DoFn.WindowParam: [kv[0], kv[1], int(w.start)])
        | "Rewindow" >> beam.WindowInto(beam.window.GlobalWindows())
    )
    empty = p | "Nothing" >> beam.Create([]) | "CountNothing" >> beam.combiners.Count.Globally()
    sinks = {
        "odd": parts["odd"],
        "flatten": (parts["even"], parts["odd"]) | "Together" >> beam.Flatten(),
        "grouped": grouped,
        "windowed": windowed,
        "empty": empty,
    }
    for name, pcoll in sinks.items():
        _ = (
            pcoll
            | f"All_{name}" >> beam.combiners.ToList()
            | f"Write_{name}" >> beam.Map(_write_json, os.path.join(folder, f"{name}.json"))
        )


def _write_json(rows, path):
    Path(path).write_text(json.dumps(sorted(rows, key=json.dumps)))


def _read_sinks(folder: Path) -> dict:
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="module")
def dask_cluster():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    yield cluster
    cluster.close()


def _dask_options(cluster) -> PipelineOptions:
    return PipelineOptions(
        ["--runner", "DaskRunner", "--dask_client_address", cluster.scheduler_address]
    )


@pytest.mark.cluster
def test_small_graph_on_dask_equals_fnapi(tmp_path, dask_cluster):
    reference, on_dask = tmp_path / "fnapi", tmp_path / "dask"
    reference.mkdir(), on_dask.mkdir()
    with beam.Pipeline(runner="FnApiRunner") as p:
        _small_graph(p, str(reference))
    options = _dask_options(dask_cluster)
    with runner_context(options) as runner:
        p = beam.Pipeline(runner=runner, options=options)
        _small_graph(p, str(on_dask))
        assert p.run().wait_until_finish() == "DONE"
    expected = _read_sinks(reference)
    assert set(expected) == {"odd", "flatten", "grouped", "windowed", "empty"}
    assert _read_sinks(on_dask) == expected
    # setup() once per DoFn and worker process, not once per partition
    assert 1 <= len(list(on_dask.glob("setup-*"))) <= 2


def test_placement_sends_partition_i_to_the_i_th_worker_round_robin():
    from pipeline.runners.dask import _Placement

    place = _Placement(["tcp://a", "tcp://b"])
    assert [place(("step:Tag-1f", i)) for i in range(4)] == [["tcp://a"], ["tcp://b"]] * 2
    assert place(("group-Dedupe-9", 3)) == ["tcp://b"]
    assert place("_concat-1f") is None  # no partition index: dask chooses
    assert _Placement([])(("step:Tag-1f", 0)) is None


@pytest.mark.cluster
def test_every_partition_runs_on_its_own_worker_from_step_to_step(dask_cluster):
    """Only shuffles move data between workers: left to dask, an idle worker took a step's task
    and pulled its input, thousands of articles, from a busy one (two workers ran no faster than
    one). The scheduler's task stream says where each task ran."""
    options = _dask_options(dask_cluster)
    with runner_context(options) as runner:
        watcher = distributed.Client(dask_cluster.scheduler_address, set_as_default=False)
        watcher.get_task_stream()  # record from now on
        workers = sorted(watcher.scheduler_info()["workers"])
        p = beam.Pipeline(runner=runner, options=options)
        first = p | beam.Create(range(40)) | beam.Reshuffle() | "First" >> beam.Map(lambda x: x + 1)
        # two steps read First's output, so each of the three is a task of its own (no chain)
        _ = first | "Second" >> beam.Map(lambda x: x * 2) | beam.combiners.Count.Globally()
        _ = (
            first
            | "Other" >> beam.Map(lambda x: -x)
            | "CountOther" >> beam.combiners.Count.Globally()
        )
        assert p.run().wait_until_finish() == "DONE"
        tasks = watcher.get_task_stream()
        watcher.close()
    placed = [t for t in tasks if isinstance(t["key"], tuple) and "step:" in t["key"][0]]
    names = {t["key"][0].split("-")[0].split("+")[0] for t in placed}  # "+1": a chain's steps
    assert {"step:First", "step:Second", "step:Other"} <= names
    assert all(t["worker"] == workers[t["key"][-1] % 2] for t in placed)
    # one partition per worker thread: more would only add tasks, since placement is fixed
    assert {t["key"][-1] for t in placed} == {0, 1}


def test_steps_that_read_what_only_they_read_run_as_one_task_per_partition(tmp_path, dask_cluster):
    """A chain of Maps is one task per partition (each task is a round trip to the scheduler),
    with the same output as step by step; a step whose output two steps read ends a chain."""
    options = _dask_options(dask_cluster)
    with runner_context(options) as runner:
        watcher = distributed.Client(dask_cluster.scheduler_address, set_as_default=False)
        watcher.get_task_stream()
        p = beam.Pipeline(runner=runner, options=options)
        shared = (
            p
            | beam.Create(range(40))
            | beam.Reshuffle()
            | "A" >> beam.Map(lambda x: x + 1)
            | "B" >> beam.Map(lambda x: x * 2)
            | "C" >> beam.FlatMap(lambda x: [x, x + 1000] if x % 4 == 0 else [x])
        )
        for name in ("values", "copies"):  # two readers: C's output is a bag of its own
            _ = (
                shared
                | f"All_{name}" >> beam.combiners.ToList()
                | f"Write_{name}" >> beam.Map(_write_json, str(tmp_path / f"{name}.json"))
            )
        assert p.run().wait_until_finish() == "DONE"
        tasks = watcher.get_task_stream()
        watcher.close()
    names = {t["key"][0].split("-")[0] for t in tasks if isinstance(t["key"], tuple)}
    assert "step:A+2" in names  # A, B and C in one task per partition
    assert not {"step:B", "step:C"} & names
    values = [2 * (x + 1) for x in range(40)]
    expected = sorted(values + [v + 1000 for v in values if v % 4 == 0], key=json.dumps)
    assert _read_sinks(tmp_path) == {"values": expected, "copies": expected}


GATE_TIMEOUT_S = 60  # a safety net so a broken test ends; never what a test asserts


def _held(x, gate: tuple[str, int]):
    """Hold the element until the test, connected on `gate`, releases it: the step is running for
    exactly as long as the test needs, however slow or loaded the machine is."""
    try:
        with socket.create_connection(gate, timeout=GATE_TIMEOUT_S) as conn:
            released = conn.recv(1) == b"!"  # one byte: never split
    except TimeoutError:
        # Not a TimeoutError: the runner must not mistake this for its own wait timing out.
        raise RuntimeError(f"the test did not release the step within {GATE_TIMEOUT_S} s") from None
    if not released:
        raise RuntimeError("the test closed the gate without releasing the step")
    return x


@pytest.mark.cluster
def test_dask_wait_until_finish_honours_its_duration(dask_cluster):
    options = _dask_options(dask_cluster)
    with socket.create_server(("127.0.0.1", 0)) as gate, runner_context(options) as runner:
        gate.settimeout(GATE_TIMEOUT_S)
        p = beam.Pipeline(runner=runner, options=options)
        _ = p | beam.Create([1]) | "Held" >> beam.Map(_held, gate.getsockname()[:2])
        result = p.run()
        step, _ = gate.accept()  # the step is running on a worker and cannot finish on its own
        with step:
            assert result.wait_until_finish(duration=200) == "RUNNING"
            step.sendall(b"!")
        assert result.wait_until_finish() == "DONE"


class _Stateful(beam.DoFn):
    SEEN = userstate.ReadModifyWriteStateSpec("seen", beam.coders.VarIntCoder())

    def process(self, kv, seen=beam.DoFn.StateParam(SEEN)):  # noqa: B008 - Beam idiom
        yield kv


@pytest.mark.cluster
def test_dask_refuses_stateful_dofns(dask_cluster):
    options = _dask_options(dask_cluster)
    with runner_context(options) as runner:
        p = beam.Pipeline(runner=runner, options=options)
        _ = p | beam.Create([("a", 1)]) | "KeepState" >> beam.ParDo(_Stateful())
        with pytest.raises(NotImplementedError, match="KeepState: stateful"):
            p.run()


def _explode(x):
    raise ValueError(f"bad element {x}")


def _time_out(x):
    raise TimeoutError(f"socket timed out on {x}")  # a step's own timeout, not the launcher's wait


@pytest.mark.cluster
@pytest.mark.parametrize("step, error", [(_explode, ValueError), (_time_out, TimeoutError)])
@pytest.mark.parametrize("duration", [None, 120_000])
def test_dask_worker_errors_reach_the_launcher(dask_cluster, step, error, duration):
    options = _dask_options(dask_cluster)
    with runner_context(options) as runner:
        p = beam.Pipeline(runner=runner, options=options)
        _ = p | beam.Create([1]) | "Explode" >> beam.Map(step)
        result = p.run()
        with pytest.raises(error, match="1"):
            result.wait_until_finish(duration=duration)
        assert result.state == "FAILED"


# --- the batch chain: Dask and multi-process DirectRunner against FnApiRunner -------------------

PARITY_ARTICLES = 300
PARITY_FILES = 6  # several input files, so the read step itself is spread over the workers


@pytest.fixture(scope="module")
def parity_input(tmp_path_factory) -> Path:
    """The five seeds plus PARITY_ARTICLES generated articles in JSON Lines, with re-deliveries,
    syndicated copies and one malformed line, so dedupe and the dead letters have work too.

    Files are cut by URL, so a re-delivery sits in its original's file: dedupe keeps the copy
    ingested first, and across files that is whichever file a worker happened to read first."""
    from bench.corpus import build_corpus

    shared_path("eval", "langid", "language-testdata", "sentences")
    items = build_corpus(PARITY_ARTICLES, SHARED, seed=9)
    folder = tmp_path_factory.mktemp("parity") / "input"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    files: list[list[str]] = [[] for _ in range(PARITY_FILES)]
    for item in items:
        files[zlib.crc32(item["url"].encode()) % PARITY_FILES].append(json.dumps(item))
    files[0].insert(len(files[0]) // 2, '{"url": "https://broken.example/1", "text": ')
    for shard, lines in enumerate(files):
        (folder / f"batch-{shard}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def _run_chain(input_dir: Path, out: Path, *runner_flags: str):
    """What `newsbeam run` does, through the same runner_context hook."""
    from pipeline.graph import build_batch
    from pipeline.settings import settings_from, spill_root
    from transforms.core.spill import remove_spill

    options = parse_options("run", [*runner_flags, "--input", str(input_dir), "--output", str(out)])
    settings = settings_from("run", options, 0.0)
    with runner_context(options) as runner:
        p = beam.Pipeline(runner=runner, options=options)
        build_batch(p, settings)
        assert p.run().wait_until_finish() == "DONE"
    remove_spill(spill_root(settings.output, settings.run_key))  # as run_batch does
    return runner


def _dataset(out: Path) -> dict:
    """Everything a run leaves behind that must not depend on the runner."""
    import pyarrow.parquet as pq

    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    rows = []
    for path in sorted(out.glob("articles/*/*/*.parquet")):
        partition = str(path.parent.relative_to(out))
        for row in pq.read_table(path).to_pylist():
            row.pop("ingested_at")  # the one column that is the time of the run
            rows.append((partition, row))
    rows.sort(key=lambda r: (r[1]["article_id"], r[1]["version"], r[1]["content_hash"]))
    dead = []
    for path in sorted(out.glob("deadletter/*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            record.pop("at")
            dead.append(record)
    counts = {p.name: json.loads(p.read_text()) for p in sorted(out.glob("_runs/*.json"))}
    return {"files": files, "rows": rows, "deadletters": dead, "counts": counts}


@pytest.fixture(scope="module")
def reference(parity_input, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("fnapi") / "out"
    _run_chain(parity_input, out, "--runner", "FnApiRunner")
    data = _dataset(out)
    # the fixture is only a reference if the input exercised every outcome
    assert len(data["rows"]) > PARITY_ARTICLES * 0.8
    assert any(row["duplicate_of"] for _, row in data["rows"])
    assert data["deadletters"] and len({p for p, _ in data["rows"]}) > 5
    return data


def _assert_same(got: dict, expected: dict) -> None:
    """Equal datasets; on a difference, name the first row and columns that differ."""
    for part in ("files", "counts", "deadletters"):
        assert got[part] == expected[part], part
    assert len(got["rows"]) == len(expected["rows"])
    for (got_partition, g), (partition, e) in zip(got["rows"], expected["rows"], strict=True):
        columns = sorted(c for c in e if g.get(c) != e[c])
        assert (got_partition, columns) == (partition, []), (
            e["article_id"],
            {c: (g.get(c), e[c]) for c in columns},
        )


@pytest.mark.cluster
def test_chain_on_dask_equals_fnapi(parity_input, reference, tmp_path, capfd):
    """Through --dask_local_workers 2: a local cluster is started, used, and stopped quietly."""
    runner = _run_chain(parity_input, tmp_path / "out", "--dask_local_workers", "2")
    _assert_same(_dataset(tmp_path / "out"), reference)
    (client,) = runner.clients
    assert client.status == "closed"
    err = capfd.readouterr().err
    assert not re.search(r"\b(INFO|WARNING|ERROR)\b|Traceback", err), err


@pytest.mark.cluster
def test_chain_on_multiprocessing_direct_runner_equals_fnapi(parity_input, reference, tmp_path):
    flags = ["--runner", "DirectRunner", "--direct_running_mode", "multi_processing"]
    _run_chain(parity_input, tmp_path / "out", *flags, "--direct_num_workers", "2")
    _assert_same(_dataset(tmp_path / "out"), reference)
