"""Deployment, checked offline: the batch and streaming graphs translate for Dataflow (--dry_run),
the portable proto Flink's job server gets uses only standard URNs, and deploy/ agrees with the code."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import apache_beam as beam
import pytest
import yaml
from apache_beam.options.pipeline_options import FlinkRunnerOptions
from apache_beam.portability import common_urns

from tests.conftest import ROOT, SEEDS

DEPLOY = ROOT / "deploy"
BEAM_VERSION = beam.__version__
WORKER_IMAGE = "europe-west1-docker.pkg.dev/newsbeam-dry-run/newsbeam/newsbeam:test"
DRY_RUN = [
    "--runner=DataflowRunner",
    "--dry_run=True",
    "--project=newsbeam-dry-run",
    "--region=europe-west1",
    "--temp_location=gs://newsbeam-dry-run/tmp",
    f"--sdk_container_image={WORKER_IMAGE}",
    "--sdk_location=container",
]
# How deploy/flink/docker-compose.yml reaches the Python SDK harness (the worker pool sidecar).
FLINK_HARNESS = ["--environment_type=EXTERNAL", "--environment_config=localhost:50000"]
# The stable step labels of the batch graph (renaming one breaks `--update` on Dataflow).
BATCH_STEPS = {
    "ReadDocuments",
    "ParseDocuments",
    "DetectLanguage",
    "Deduplicate",
    "TagEntities",
    "ScoreTopics",
    "WriteArticles",
    "WriteDeadLetters",
    "CountOutcomes",
    "GroupStories",
}
# The same chain in a stream, with the same labels where the step is the same.
STREAM_STEPS = {
    "WatchFolder",
    "ParseDocuments",
    "DeduplicateStream",
    "DetectLanguage",
    "TagEntities",
    "GroupStories",
    "ScoreTopics",
    "WindowArticles",
    "WriteArticleWindows",
    "WriteDeadLetters",
}

needs_gcp = pytest.mark.skipif(
    importlib.util.find_spec("google.cloud.dataflow") is None,
    reason="the Dataflow runner needs the gcp extra: pip install '.[gcp]'",
)


@pytest.fixture(scope="module")
def seeds_input(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("deploy") / "news"
    shutil.copytree(SEEDS, folder)
    return folder


def _batch_pipeline(flags: list[str], input_dir: Path, output: str) -> beam.Pipeline:
    from pipeline.graph import build_batch
    from pipeline.options import parse_options
    from pipeline.settings import settings_from

    options = parse_options("run", [*flags, "--input", str(input_dir), "--output", output])
    p = beam.Pipeline(options=options)
    build_batch(p, settings_from("run", options, 0.0))
    return p


def _stream_pipeline(flags: list[str], output: str) -> beam.Pipeline:
    from pipeline.graph import build_stream
    from pipeline.options import parse_options
    from pipeline.settings import settings_from

    options = parse_options("stream", [*flags, "--output", output])
    p = beam.Pipeline(options=options)
    build_stream(p, settings_from("stream", options, 0.0).epoch(0.0, None, "dry"))
    return p


def _top_level_labels(proto) -> set[str]:
    root = proto.components.transforms[proto.root_transform_ids[0]]
    return {proto.components.transforms[t].unique_name for t in root.subtransforms}


def _worker_images(proto) -> set[str]:
    from apache_beam.portability.api import beam_runner_api_pb2

    images = set()
    for env in proto.components.environments.values():
        if env.urn == common_urns.environments.DOCKER.urn:
            payload = beam_runner_api_pb2.DockerPayload.FromString(env.payload)
            images.add(payload.container_image)
    return images


# --- Dataflow -----------------------------------------------------------------------------------


@needs_gcp
def test_batch_graph_translates_for_dataflow(seeds_input):
    from apache_beam.runners.dataflow.internal.apiclient import dataflow

    p = _batch_pipeline(DRY_RUN, seeds_input, "gs://newsbeam-dry-run/dataset")
    job = p.run().job
    assert job.proto.type == dataflow.JobType.JOB_TYPE_BATCH
    assert BATCH_STEPS <= _top_level_labels(job.proto_pipeline)
    assert _worker_images(job.proto_pipeline) == {WORKER_IMAGE}


@needs_gcp
def test_streaming_graph_translates_for_dataflow():
    from apache_beam.runners.dataflow.internal.apiclient import dataflow

    flags = [*DRY_RUN, "--streaming", "--watch", "gs://newsbeam-dry-run/incoming"]
    p = _stream_pipeline(flags, "gs://newsbeam-dry-run/dataset")
    job = p.run().job
    assert job.proto.type == dataflow.JobType.JOB_TYPE_STREAMING
    assert STREAM_STEPS <= _top_level_labels(job.proto_pipeline)
    assert _worker_images(job.proto_pipeline) == {WORKER_IMAGE}


# --- Flink (portable) ---------------------------------------------------------------------------


def _standard_urns() -> set[str]:
    """Every transform URN Beam's portability API defines, i.e. what a portable runner knows."""
    urns = set()
    for group in (
        common_urns.primitives,
        common_urns.composites,
        common_urns.combine_components,
        common_urns.sdf_components,
        common_urns.deprecated_primitives,
        common_urns.requirements,
    ):
        for name in dir(group):
            value = getattr(getattr(group, name), "urn", None)
            if isinstance(value, str):
                urns.add(value)
    return urns


def _portable_proto(p: beam.Pipeline):
    """What PortableRunner sends the job server: the proto with the harness environment, after its
    own pre-optimisation (which drops Create's pass-through MaybeReshuffle, a pickled composite)."""
    from apache_beam.runners.portability.portable_runner import PortableRunner

    environment = PortableRunner._create_environment(p._options)
    proto = p.to_runner_api(default_environment=environment)
    return PortableRunner._optimize_pipeline(proto, p._options)


def _assert_portable(proto, steps: set[str]) -> None:
    leaves = [t for t in proto.components.transforms.values() if not t.subtransforms]
    found = {t.spec.urn for t in leaves}
    assert common_urns.primitives.PAR_DO.urn in found
    assert common_urns.primitives.GROUP_BY_KEY.urn in found
    assert found <= _standard_urns(), found - _standard_urns()
    assert steps <= _top_level_labels(proto)
    assert {e.urn for e in proto.components.environments.values()} == {
        common_urns.environments.EXTERNAL.urn
    }


def test_portable_batch_graph_uses_only_standard_urns(seeds_input, tmp_path):
    flags = ["--runner=PortableRunner", *FLINK_HARNESS]
    p = _batch_pipeline(flags, seeds_input, str(tmp_path / "out"))
    _assert_portable(_portable_proto(p), BATCH_STEPS)


def test_portable_stream_graph_uses_only_standard_urns(tmp_path):
    flags = ["--runner=PortableRunner", "--streaming", *FLINK_HARNESS, "--watch", str(tmp_path)]
    flags += ["--feed", "https://feeds.example/rss"]
    p = _stream_pipeline(flags, str(tmp_path / "out"))
    _assert_portable(_portable_proto(p), STREAM_STEPS | {"PollFeeds"})


# --- the deploy files agree with the code -------------------------------------------------------


def _value_flags(parser) -> dict[str, object]:
    """Option string (without --) -> argparse action, for flags that take a value."""
    return {
        s[2:]: a
        for a in parser._actions
        for s in a.option_strings
        if s.startswith("--") and a.nargs != 0
    }


@pytest.mark.parametrize("name", ["metadata-batch.json", "metadata-stream.json"])
def test_template_parameters_are_flags_newsbeam_accepts(name):
    from pipeline.options import flag_parser

    metadata = json.loads((DEPLOY / "dataflow" / name).read_text())
    flags = _value_flags(flag_parser("newsbeam"))
    params = [p["name"] for p in metadata["parameters"]]
    assert len(params) == len(set(params))
    unknown = [p for p in params if p not in flags and p != "command"]
    assert unknown == [], f"{name}: not newsbeam flags taking a value: {unknown}"
    required = {p["name"] for p in metadata["parameters"] if not p.get("isOptional")}
    assert "output" in required
    assert metadata["streaming"] is (name == "metadata-stream.json")
    for p in metadata["parameters"]:
        for regex in p.get("regexes", []):
            re.compile(regex)


def _pinned_beam() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'"apache-beam(?:\[[^\]]*\])?==([0-9.]+)"', text).group(1)


@pytest.mark.parametrize("dockerfile", ["dataflow/Dockerfile", "flink/Dockerfile"])
def test_images_use_the_pinned_beam_sdk(dockerfile):
    text = (DEPLOY / dockerfile).read_text()
    assert _pinned_beam() == BEAM_VERSION
    assert f"ARG BEAM_VERSION={BEAM_VERSION}" in text
    assert "FROM apache/beam_python3.11_sdk:${BEAM_VERSION}" in text
    assert "pip install --no-cache-dir ." in text  # a real install: package data goes along


@pytest.mark.parametrize(
    "dockerfile", ["dataflow/Dockerfile", "flink/Dockerfile", "dask/Dockerfile"]
)
def test_images_build_the_compiled_modules(dockerfile):
    """Without setup.py in the image, pip installs the pure-Python modules only (~8% more CPU)."""
    text = (DEPLOY / dockerfile).read_text()
    copied = [line.split()[1:-1] for line in text.splitlines() if line.startswith("COPY pyproject")]
    assert copied and "setup.py" in copied[0]
    assert "gcc" in text


def test_flink_compose_versions_match():
    compose = yaml.safe_load((DEPLOY / "flink" / "docker-compose.yml").read_text())
    services = compose["services"]
    jobserver = services["jobserver"]["image"]
    match = re.fullmatch(r"apache/beam_flink([0-9.]+)_job_server:([0-9.]+)", jobserver)
    assert match, jobserver
    flink_minor, beam_version = match.groups()
    assert beam_version == BEAM_VERSION
    assert flink_minor in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    for name in ("jobmanager", "taskmanager"):
        assert services[name]["image"].startswith(f"flink:{flink_minor}")
    pool = services["sdk-worker-pool"]
    assert pool["command"] == ["--worker_pool"]
    assert pool["network_mode"] == "service:taskmanager"
    submit = services["submit"]["command"]
    assert (
        "--environment_type=EXTERNAL" in submit and "--environment_config=localhost:50000" in submit
    )
    # the submit flags are flags newsbeam accepts
    from pipeline.options import flag_parser

    _, unknown = flag_parser("newsbeam run").parse_known_args(submit)
    assert unknown == []


def test_dask_compose_runs_newsbeam_with_the_dask_runner():
    compose = yaml.safe_load((DEPLOY / "dask" / "docker-compose.yml").read_text())
    command = compose["services"]["submit"]["command"]
    assert command[:2] == ["newsbeam", "run"] and "--runner=DaskRunner" in command
    assert "--nthreads" in compose["services"]["worker"]["command"]
