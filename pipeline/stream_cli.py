"""`newsbeam stream`: poll feeds and watch a folder into the Parquet dataset until stopped.

On the local runner the graph runs in epochs aligned to --window: its streaming source finishes
each epoch, so every window is written within seconds of closing (the local runner only runs what
follows a shuffle once its source is done). State crosses epochs and restarts through the dataset
(dedupe seed) and the poller's snapshot. Other runners get one unbounded streaming job.
"""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import sys
import time
from collections.abc import Sequence

from apache_beam.options import pipeline_options as beam_options

from pipeline.options import NewsbeamOptions, number_at_least

LOCAL_RUNNERS = (None, "", "DirectRunner", "FnApiRunner", "SwitchingDirectRunner")


class StreamOptions(beam_options.PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser):
        g = parser.add_argument_group("newsbeam stream")
        g.add_argument(
            "--feeds_file",
            "--feeds-file",
            dest="feeds_file",
            default=None,
            help="A feed list: one URL per line, '#' comments, optional interval (15m).",
        )
        g.add_argument(
            "--feed",
            dest="feed",
            action="append",
            default=None,
            help="A feed URL to poll (repeatable).",
        )
        g.add_argument(
            "--watch",
            dest="watch",
            default=None,
            help="A folder whose new and changed files are ingested once each.",
        )
        g.add_argument(
            "--poll_interval",
            "--poll-interval",
            dest="poll_interval",
            type=number_at_least(int, 0, inclusive=False),
            default=300,
            help="Seconds between two polls of a feed. Default: 300.",
        )
        g.add_argument(
            "--window",
            dest="window",
            type=number_at_least(int, 0, inclusive=False),
            default=60,
            help="Seconds of ingestion time per output file window. Default: 60.",
        )
        g.add_argument(
            "--duration",
            dest="duration",
            type=number_at_least(float, 0, inclusive=False),
            default=None,
            help="Stop after this many seconds, then write everything fetched.",
        )
        g.add_argument(
            "--politeness_delay",
            "--politeness-delay",
            dest="politeness_delay",
            type=float,
            default=1.0,
            help="Seconds between two requests to one host.",
        )
        g.add_argument(
            "--fetch_timeout",
            "--fetch-timeout",
            dest="fetch_timeout",
            type=number_at_least(float, 0, inclusive=False),
            default=10.0,
            help="Seconds to connect or read.",
        )
        g.add_argument(
            "--dedupe_horizon",
            "--dedupe-horizon",
            dest="dedupe_horizon",
            type=number_at_least(int, 0, inclusive=False),
            default=7 * 86400,
            help="Seconds an item is remembered after it was last seen. Default: 7 days.",
        )


class StreamUsageError(Exception):
    """A bad flag or value, reported as one line."""


def settings_from(argv: Sequence[str], now: float):
    """Validate once; returns (StreamSettings, PipelineOptions, duration)."""
    from pipeline.cli import checked_steps, local_abspath
    from pipeline.sources.feedlist import FeedListError, FeedSpec, read_feed_list
    from pipeline.sources.poll import PollerConfig
    from pipeline.stream import StreamSettings
    from transforms.dedupe.stream import DEFAULT_HORIZON_S

    options = beam_options.PipelineOptions(list(argv))
    opts, base = options.view_as(StreamOptions), options.view_as(NewsbeamOptions)
    feeds: list = []
    if opts.feeds_file:
        try:
            feeds += read_feed_list(opts.feeds_file)
        except (OSError, FeedListError) as exc:
            raise StreamUsageError(f"--feeds-file {exc}") from exc
    for url in opts.feed or ():
        from pipeline.sources.feedlist import parse_feed_line

        try:
            spec = parse_feed_line(url)
        except ValueError as exc:
            raise StreamUsageError(f"--feed {exc}") from exc
        if spec and spec.url not in {f.url for f in feeds}:
            feeds.append(FeedSpec(spec.url, spec.interval))
    if opts.watch and not os.path.isdir(opts.watch) and "://" not in opts.watch:
        raise StreamUsageError(f"--watch {opts.watch}: not a folder")
    if not feeds and not opts.watch:
        raise StreamUsageError(
            "nothing to stream: give --feed URL, --feeds-file FILE or --watch DIR"
        )
    backend = checked_steps(base)
    output = local_abspath(base.output).rstrip("/")
    state_dir = f"{output}/_stream"
    poller = (
        PollerConfig(
            feeds=tuple(feeds),
            poll_interval=opts.poll_interval,
            politeness_delay=max(0.0, opts.politeness_delay),
            timeout=opts.fetch_timeout,
            state_dir=state_dir,
        )
        if feeds
        else None
    )
    watch = local_abspath(opts.watch) if opts.watch else None
    horizon = opts.dedupe_horizon or DEFAULT_HORIZON_S
    settings = StreamSettings(
        output=output,
        run="",
        start=now,
        stop=None,
        poller=poller,
        watch=watch,
        watch_interval=min(5.0, opts.window / 2),
        window=opts.window,
        # Sub-second for small test windows; never more than ~500 ticks an epoch (the local
        # runner keeps per-bundle metrics in a chain as deep as its bundle count).
        tick=max(opts.window / 500, min(1.0, opts.window / 4)),
        horizon_s=horizon,
        seed_since_us=int((now - horizon) * 1_000_000),
        language_backend=backend,
        languages=tuple(base.languages or ()),
        ner_model=base.ner_model,
        custom_topics=base.custom_topics,
        topics_backend=base.topics_backend,
        shards_per_partition=base.shards_per_partition,
        max_input_bytes=base.max_input_bytes,
    )
    return settings, options, opts.duration


class Totals:
    """Counters summed over the epochs of a run, per feed and overall."""

    FEED_COUNTERS = ("fetched", "not_modified", "errors", "new_items", "redeliveries")

    def __init__(self):
        self.per_feed: dict[str, dict[str, int]] = {}
        self.overall: dict[str, int] = {}

    def add(self, result) -> dict[str, int]:
        epoch: dict[str, int] = {}
        for c in result.metrics().query()["counters"]:
            namespace, name = c.key.metric.namespace, c.key.metric.name
            value = c.committed if c.committed is not None else c.attempted
            if namespace.startswith("feed:"):
                feed = self.per_feed.setdefault(namespace[5:], dict.fromkeys(self.FEED_COUNTERS, 0))
                feed[name] = feed.get(name, 0) + value
                key = f"feed.{name}"
            else:
                key = f"{namespace}.{name}"
            epoch[key] = epoch.get(key, 0) + value
        for key, value in epoch.items():
            self.overall[key] = self.overall.get(key, 0) + value
        return epoch


def status_line(epoch: dict[str, int], totals: Totals, window_start: float, elapsed: float) -> str:
    g = epoch.get
    failing = sum(
        1 for f in totals.per_feed.values() if f.get("errors", 0) and not f.get("fetched")
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    at = time.strftime("%H:%M:%SZ", time.gmtime(window_start))
    new = g("feed.new_items", 0) + g("watch.new_items", 0)
    return (
        f"newsbeam stream: window {at} ({elapsed:.1f} s) | polls ok {g('feed.fetched', 0)} "
        f"304 {g('feed.not_modified', 0)} err {g('feed.errors', 0)} | files {g('watch.files', 0)} | "
        f"new {new} redelivered {g('dedupe.exact_redelivery', 0)} | "
        f"rows {g('write.rows', 0)} in {g('write.files', 0)} files | feeds {len(totals.per_feed)} "
        f"failing {failing} | peak rss {rss_mb} MB"
    )


def run_local(settings, options, duration: float | None, started: float) -> dict:
    """Epochs aligned to the window until --duration or Ctrl-C; each epoch drains on its own."""
    import apache_beam as beam

    from pipeline.stream import build_stream

    stopping = {"asked": False}

    def ask_stop(signum, frame):
        if stopping["asked"]:
            raise KeyboardInterrupt
        stopping["asked"] = True
        print(
            "newsbeam stream: stopping after the current window (Ctrl-C again to abort)",
            file=sys.stderr,
        )

    previous = signal.signal(signal.SIGINT, ask_stop) if _main_thread() else None
    end = started + duration if duration else math.inf
    totals, epoch_start = Totals(), started
    try:
        while epoch_start < end and not stopping["asked"]:
            stop = min((math.floor(epoch_start / settings.window) + 1) * settings.window, end)
            tag = f"{int(epoch_start * 1000):x}"
            pipeline = beam.Pipeline(options=options)
            build_stream(pipeline, settings._replace(start=epoch_start, stop=stop, run=tag))
            result = pipeline.run()
            result.wait_until_finish()
            epoch = totals.add(result)
            print(
                status_line(epoch, totals, epoch_start, time.time() - epoch_start),
                file=sys.stderr,
                flush=True,
            )
            # A drain longer than a window must not leave the next epochs ever further behind:
            # polling resumes now (the poller's due times say what is owed), not at the old stop.
            epoch_start = max(stop, time.time())
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return {"overall": totals.overall, "per_feed": totals.per_feed}


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def run_remote(settings, options, duration: float | None, started: float) -> dict:
    """One unbounded streaming job (Dataflow, Flink): the runner owns windows and draining."""
    import apache_beam as beam

    from pipeline.stream import build_stream

    options.view_as(beam_options.StandardOptions).streaming = True
    stop = started + duration if duration else None
    pipeline = beam.Pipeline(options=options)
    build_stream(pipeline, settings._replace(stop=stop, run=f"{int(started * 1000):x}"))
    result = pipeline.run()
    if duration:
        result.wait_until_finish()
    return {"state": str(getattr(result, "state", ""))}


def run_stream(argv: list[str]) -> int:
    """Entry point of `newsbeam stream`; returns the exit status."""
    from pipeline.cli import flag_parser

    argv = list(argv)
    parser = flag_parser("newsbeam stream")
    if any(a in ("-h", "--help") for a in argv):
        parser.print_help()
        return 0
    try:
        _, unknown = parser.parse_known_args(argv)
        if unknown:
            raise StreamUsageError(f"unknown flag {unknown[0]} (see `newsbeam stream --help`)")
        started = time.time()
        settings, options, duration = settings_from(argv, started)
    except Exception as exc:  # noqa: BLE001 - argparse and validation errors: one line, status 2
        print(f"newsbeam stream: error: {exc}", file=sys.stderr)
        return 2
    runner = options.view_as(beam_options.StandardOptions).runner
    local = runner in LOCAL_RUNNERS
    report = (run_local if local else run_remote)(settings, options, duration, started)
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
    return 0


if __name__ == "__main__":
    sys.exit(run_stream(sys.argv[1:]))
