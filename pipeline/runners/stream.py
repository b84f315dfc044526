"""Running `newsbeam stream`.

On the local runner the graph runs in epochs aligned to --window: its streaming source finishes
each epoch, so every window is written within seconds of closing (the local runner only runs what
follows a shuffle once its source is done, RUNNERS.md). State crosses epochs and restarts through
the dataset (the dedupe's and the stories' seeds), the poller's snapshots and the watch's markers;
the last two are staged per epoch and committed only after its rows (sources/staging.py). Other
runners get one unbounded streaming job.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
import time

from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.settings import Settings, stream_state_dir
from pipeline.sources.staging import commit_staged, discard_staged, staging_dir
from pipeline.summary import StreamTotals, status_line

LOCAL_RUNNERS = (None, "", "DirectRunner", "FnApiRunner", "SwitchingDirectRunner")


def is_local(options: PipelineOptions) -> bool:
    return options.view_as(StandardOptions).runner in LOCAL_RUNNERS


def epoch_tag(start: float) -> str:
    return f"{int(start * 1000):x}"


class _StopOnCtrlC:
    """The first Ctrl-C asks to stop after the current window; the second aborts."""

    def __init__(self):
        self.asked = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._ask)
        return self

    def _ask(self, signum, frame):
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True
        print(
            "newsbeam stream: stopping after the current window (Ctrl-C again to abort)",
            file=sys.stderr,
        )

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


SHARED_ROUND_S = 5.0


def local_round_s(s) -> float:
    """How long one poll round lasts on the local runner. It delivers ticks sparsely while an
    epoch runs, so a round polls on until the epoch's stop rather than until the next tick. But it
    also runs one source stage at a time: beside a watched folder, a round gives the folder its
    turn every SHARED_ROUND_S seconds. And it runs one key after another, so one key polls every
    host (side by side: sources/rounds.py)."""
    return float(s.window) if not s.watch else min(float(s.window), SHARED_ROUND_S)


def run_local(settings: Settings, options: PipelineOptions) -> dict:
    """Epochs aligned to the window until --duration or Ctrl-C; each epoch drains on its own."""
    import apache_beam as beam

    from pipeline.graph import build_stream
    from pipeline.runners.choice import direct_runner, wants_direct

    s = settings.stream
    if s.poller is not None:
        s = s._replace(poller=s.poller._replace(round_s=local_round_s(s), shards=1))
    # The dedupe's restart seed as a side input: this runner fires a stage's event-time timers at
    # each bundle's end, which keyed seeding cannot survive (dedupe.stream._seed_routes).
    s = s._replace(keyed_seed=False)
    settings = settings._replace(stream=s)
    end = s.start + s.duration if s.duration else math.inf
    totals, epoch_start = StreamTotals(), s.start
    state_dir = s.state_dir or stream_state_dir(settings.output)
    discard_staged(state_dir)  # a killed run's state: its rows may never have been written
    runner = direct_runner() if wants_direct(options) else None  # None: Beam's, by its name
    with _StopOnCtrlC() as ctrl_c:
        while epoch_start < end and not ctrl_c.asked:
            stop = min((math.floor(epoch_start / s.window) + 1) * s.window, end)
            tag = epoch_tag(epoch_start)
            pipeline = beam.Pipeline(runner=runner, options=options)
            staging = staging_dir(state_dir, tag)
            build_stream(pipeline, settings.epoch(epoch_start, stop, tag, staging))
            result = pipeline.run()
            result.wait_until_finish()
            commit_staged(state_dir, tag)  # the epoch's rows are written: now it counts as seen
            epoch = totals.add(result)
            elapsed = time.time() - epoch_start
            print(status_line(epoch, totals, epoch_start, elapsed), file=sys.stderr, flush=True)
            # A drain longer than a window must not leave the next epochs ever further behind:
            # polling resumes now (the poller's due times say what is owed), not at the old stop.
            epoch_start = max(stop, time.time())
    return {"overall": totals.overall, "per_feed": totals.per_feed}


def run_remote(settings: Settings, options: PipelineOptions) -> dict:
    """One unbounded streaming job (Dataflow, Flink): the runner owns windows and draining."""
    import apache_beam as beam

    from pipeline.graph import build_stream

    s = settings.stream
    options.view_as(StandardOptions).streaming = True
    stop = s.start + s.duration if s.duration else None
    pipeline = beam.Pipeline(options=options)
    build_stream(pipeline, settings.epoch(s.start, stop, epoch_tag(s.start)))
    result = pipeline.run()
    if s.duration:
        result.wait_until_finish()
    return {"state": str(getattr(result, "state", ""))}


def run_stream(settings: Settings, options: PipelineOptions) -> dict:
    """Run `newsbeam stream`; returns its report (also written to OUT/_runs/ on the local
    runner)."""
    started = settings.stream.start
    local = is_local(options)
    report = (run_local if local else run_remote)(settings, options)
    report.update(output=settings.output, wall_seconds=round(time.time() - started, 3))
    if local:
        path = f"{settings.output}/_runs/stream-{int(started)}.json"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1, sort_keys=True)
        o = report["overall"]
        print(
            f"newsbeam stream: {report['wall_seconds']:.0f} s, {o.get('feed.fetched', 0)} fetches, "
            f"{o.get('write.rows', 0)} rows written, {o.get('dedupe.exact_redelivery', 0)} "
            f"re-deliveries dropped (summary: {path})",
            file=sys.stderr,
        )
    return report
