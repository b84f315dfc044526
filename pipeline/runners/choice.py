"""Runner choice for `newsbeam run`: optional runners' flags, a local Dask cluster on request, and
a context that opens what a run needs and closes it afterwards without error spam."""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Iterator

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.options import number_at_least

# Optional runners whose flags `newsbeam run` should accept when the extra is installed.
_OPTIONAL_OPTION_MODULES = ("apache_beam.runners.dask.dask_runner",)

# Every spelling of "run on Dask" goes to our BatchDaskRunner (pipeline/dask_runner.py says why).
_DASK_NAMES = {
    "dask",
    "daskrunner",
    "apache_beam.runners.dask.dask_runner.daskrunner",
    "pipeline.runners.dask.batchdaskrunner",
}
DASK_RUNNER = "pipeline.runners.dask.BatchDaskRunner"


def load_runner_options() -> list[str]:
    """Import the option modules of installed optional runners; returns the ones loaded."""
    loaded = []
    for name in _OPTIONAL_OPTION_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        loaded.append(name)
    return loaded


class RunnerOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        group = parser.add_argument_group("newsbeam runners")
        group.add_argument(
            "--dask_local_workers",
            "--dask-local-workers",
            dest="dask_local_workers",
            type=number_at_least(int, 0),
            default=0,
            help="Start a local Dask cluster with this many worker processes (one thread each) "
            "for the run and stop it afterwards; implies --runner DaskRunner. For a cluster "
            "that is already running use --runner DaskRunner --dask_client_address tcp://HOST:8786.",
        )


def is_dask(options: PipelineOptions) -> bool:
    runner = options.view_as(StandardOptions).runner
    if options.view_as(RunnerOptions).dask_local_workers:
        return runner is None or str(runner).lower() in _DASK_NAMES
    return isinstance(runner, str) and runner.lower() in _DASK_NAMES


def runner_problem(options: PipelineOptions) -> str | None:
    """Why the runner flags cannot work together, in one line; None when they can."""
    runner = options.view_as(StandardOptions).runner
    workers = options.view_as(RunnerOptions).dask_local_workers
    if workers and not is_dask(options):
        return f"--dask_local_workers starts a Dask cluster, but --runner is {runner}"
    if not is_dask(options):
        return None
    if not load_runner_options():
        return "the Dask runner needs the extra: pip install 'newsbeam[dask]'"
    if options.view_as(StandardOptions).streaming:
        return "the Dask runner runs batch pipelines only (no --streaming)"
    if workers and getattr(options.view_as(_dask_options()), "address", None):
        return "give either --dask_local_workers or --dask_client_address, not both"
    return None


def _dask_options():
    from apache_beam.runners.dask.dask_runner import DaskOptions

    return DaskOptions


def _local_cluster(workers: int):
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,  # one DoFn instance per process: CPU-bound steps scale by process
        processes=True,
        dashboard_address=":0",  # the HTTP server starts anyway; a free port, never a clash
        preload=["pipeline.logfilter"],  # workers import Beam themselves: quiet its GCP warning
    )


@contextlib.contextmanager
def runner_context(options: PipelineOptions) -> Iterator[object | None]:
    """Yield the runner object to pass to beam.Pipeline(runner=…, options=…), None for Beam's own
    choice. On exit, close the Dask clients the run opened and the local cluster it started."""
    if not is_dask(options):
        yield None
        return
    from pipeline.runners.dask import BatchDaskRunner

    # distributed logs at INFO and, once anything configured the root logger (Beam's options do),
    # every connect/close line reaches the console: keep warnings and errors only.
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))
    options.view_as(StandardOptions).runner = DASK_RUNNER
    workers = options.view_as(RunnerOptions).dask_local_workers
    cluster = _local_cluster(workers) if workers else None
    if cluster is not None:
        options.view_as(_dask_options()).address = cluster.scheduler_address
    runner = BatchDaskRunner()
    try:
        yield runner
    finally:
        # Client first, then cluster: the other order makes the client log reconnect errors.
        runner.close()
        if cluster is not None:
            # The nanny kills a worker that takes over 4 s to exit (a loaded machine) and warns;
            # after a finished run that is expected, not news.
            quiet.setLevel(logging.ERROR)
            cluster.close()
        quiet.setLevel(level)
