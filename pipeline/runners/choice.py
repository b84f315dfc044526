"""Runner choice: Dask by any of its names (our own translation, pipeline/runners/dask.py), a local
Dask cluster on request, and a context that opens what a run needs and closes it afterwards without
error spam."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.options import STREAM, NewsbeamOptions, load_runner_options

# Every spelling of "run on Dask" goes to our BatchDaskRunner (pipeline/runners/dask.py says why);
# the module's old path stays accepted.
_DASK_NAMES = {
    "dask",
    "daskrunner",
    "apache_beam.runners.dask.dask_runner.daskrunner",
    "pipeline.runners.dask.batchdaskrunner",
    "pipeline.dask_runner.batchdaskrunner",
}
DASK_RUNNER = "pipeline.runners.dask.BatchDaskRunner"
# Beam's local runner by the names it answers to; no --runner at all means it too.
_DIRECT_NAMES = {"directrunner", "switchingdirectrunner"}


def is_dask(options: PipelineOptions) -> bool:
    runner = options.view_as(StandardOptions).runner
    if options.view_as(NewsbeamOptions).dask_local_workers:
        return runner is None or str(runner).lower() in _DASK_NAMES
    return isinstance(runner, str) and runner.lower() in _DASK_NAMES


def wants_direct(options: PipelineOptions) -> bool:
    """Is the run on Beam's DirectRunner (--runner unset, or named so)?"""
    runner = options.view_as(StandardOptions).runner
    return not runner or (isinstance(runner, str) and runner.lower() in _DIRECT_NAMES)


def direct_runner() -> object:
    """Beam's DirectRunner without its first try. Beam 2.77's DirectRunner runs a pipeline on
    Prism first, a Go runner whose binary it downloads from GitHub at run time: offline the
    download fails (~0.1 CPU-s per run, and per window of a stream) and it falls back to the
    FnApiRunner; online it would fetch the binary on a user's first run and run newsbeam on a
    runner no test here ever ran (the local stream loop relies on how the FnApiRunner fires
    timers, runners/stream.py). `is_interactive()` is Beam's own switch that skips Prism; the
    rest is Beam's choice, as before: the FnApiRunner, or its older runner for what that cannot
    run. `--runner PrismRunner` still asks for Prism."""
    from apache_beam.runners.direct.direct_runner import SwitchingDirectRunner

    runner = SwitchingDirectRunner()
    runner.is_interactive()
    return runner


def runner_problem(options: PipelineOptions, mode: str) -> str | None:
    """Why the runner flags cannot work together, in one line; None when they can."""
    runner = options.view_as(StandardOptions).runner
    workers = options.view_as(NewsbeamOptions).dask_local_workers
    if workers and not is_dask(options):
        return f"--dask_local_workers starts a Dask cluster, but --runner is {runner}"
    if not is_dask(options):
        return None
    if not load_runner_options():
        return "the Dask runner needs the extra: pip install 'newsbeam[dask]'"
    if options.view_as(StandardOptions).streaming or mode == STREAM:
        return "the Dask runner runs batch pipelines only (`newsbeam run`, no --streaming)"
    if workers and getattr(options.view_as(_dask_options()), "address", None):
        return "give either --dask_local_workers or --dask_client_address, not both"
    return None


def _dask_options():
    from apache_beam.runners.dask.dask_runner import DaskOptions

    return DaskOptions


# What the local cluster turns off (the deploy notes say the same for a cluster of one's own).
# Work stealing: the runner already puts partition i's tasks on worker i, where their input is
# (dask.py _Placement), and a steal only moves a task away from its data: the idle worker took
# steps that merely count a partition's articles and pulled the whole partition (10,000
# articles, 2 workers: 1.3-2.0 of the 3.1-4.2 s the workers spent transferring). The workers'
# sampling profiler (for the dashboard's profile page): every 10 ms it takes the GIL to walk the
# stack, and with every core busy its wake-ups take CPU from the steps (2 workers: 8% more
# compute than 1 worker with it, none without; 25.6 s against 23.9).
LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.work-stealing": False,
    "distributed.worker.profile.enabled": False,
}


def _local_cluster(workers: int):
    """A cluster of `workers` one-thread processes, its scheduler in this process, configured by
    LOCAL_CLUSTER_CONFIG (the nannies hand the configuration to their worker processes)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one DoFn instance per process: CPU-bound steps scale by process
            processes=True,
            dashboard_address=":0",  # the HTTP server starts anyway; a free port, never a clash
            preload=["pipeline.logfilter"],  # workers import Beam themselves: quiet GCP's warning
        )


@contextlib.contextmanager
def runner_context(options: PipelineOptions) -> Iterator[object | None]:
    """Yield the runner object to pass to beam.Pipeline(runner=…, options=…), None for Beam's own
    choice of the runner named. On exit, close the Dask clients the run opened and the local
    cluster it started."""
    if not is_dask(options):
        yield direct_runner() if wants_direct(options) else None
        return
    from pipeline.runners.dask import BatchDaskRunner

    # distributed logs at INFO and, once anything configured the root logger (Beam's options do),
    # every connect/close line reaches the console: keep warnings and errors only.
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))
    options.view_as(StandardOptions).runner = DASK_RUNNER
    workers = options.view_as(NewsbeamOptions).dask_local_workers
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
