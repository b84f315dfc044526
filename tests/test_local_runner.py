"""The local runner never tries Prism: Beam's DirectRunner would first download Prism's binary
from GitHub and run there (pipeline/runners/choice.py direct_runner). Prism's entry point is
replaced by one that notes the call and fails as it fails offline, so Beam falls back as before
and the run ends; the test then asks whether it was called at all."""

from __future__ import annotations

import shutil

import apache_beam as beam
import pyarrow.dataset as ds
import pytest
from apache_beam.runners.portability import prism_runner
from apache_beam.testing.util import assert_that, equal_to
from conftest import SEEDS

from pipeline.cli import main
from pipeline.options import parse_options
from pipeline.runners.choice import direct_runner, runner_context, wants_direct


@pytest.fixture()
def prism_calls(monkeypatch) -> list[str]:
    calls: list[str] = []

    def run_pipeline(self, pipeline, options):
        calls.append("prism")
        raise RuntimeError("Prism's binary cannot be downloaded (this test's stand-in)")

    monkeypatch.setattr(prism_runner.PrismRunner, "run_pipeline", run_pipeline)
    return calls


@pytest.mark.parametrize(
    "flags, direct",
    [
        ([], True),
        (["--runner", "DirectRunner"], True),
        (["--runner", "SwitchingDirectRunner"], True),
        (["--runner", "FnApiRunner"], False),
        (["--runner", "PrismRunner"], False),
    ],
)
def test_only_the_direct_runner_is_replaced(flags, direct, tmp_path):
    options = parse_options("run", [*flags, "--output", str(tmp_path)])
    assert wants_direct(options) is direct
    with runner_context(options) as runner:
        assert (runner is not None) is direct


def test_the_direct_runner_runs_a_graph_without_trying_prism(prism_calls):
    with beam.Pipeline(runner=direct_runner()) as p:
        doubled = p | beam.Create([1, 2, 3]) | beam.Map(lambda x: 2 * x)
        assert_that(doubled, equal_to([2, 4, 6]))
    assert prism_calls == []


@pytest.mark.parametrize("flags", [[], ["--runner", "DirectRunner"]])
def test_newsbeam_run_never_tries_prism(flags, prism_calls, tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--input", str(SEEDS), "--output", str(out), *flags]) == 0
    assert prism_calls == []
    assert ds.dataset(out / "articles", format="parquet", partitioning="hive").count_rows() > 0


def test_newsbeam_stream_never_tries_prism(prism_calls, tmp_path):
    """Each window of a local stream is a pipeline of its own: none of them tries Prism."""
    watched, out = tmp_path / "in", tmp_path / "out"
    watched.mkdir()
    seed = min(p for p in SEEDS.iterdir() if p.is_file() and p.suffix == ".txt")
    shutil.copy(seed, watched / seed.name)
    args = ["--watch", str(watched), "--output", str(out), "--window", "1", "--duration", "2"]
    assert main(["stream", *args]) == 0
    assert prism_calls == []
    assert ds.dataset(out / "articles", format="parquet", partitioning="hive").count_rows() > 0
