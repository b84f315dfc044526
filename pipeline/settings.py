"""Flags validated once, with messages that say what to do, into one Settings value: the graph,
the runners and every transform get plain values from it, never PipelineOptions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.options import DEFAULT_MAX_INPUT_BYTES, RUN, STREAM, NewsbeamOptions, UsageError


class Steps(NamedTuple):
    """The enrichment chain's settings: the same in batch and stream."""

    language_backend: str
    languages: tuple = ()
    ner_model: str | None = None
    ner_backend: str = "rules"
    custom_topics: str | None = None
    topics_backend: str = "lexicon"
    explain_topics: bool = False
    cache_dir: str | None = None  # core.cache's directory; None: off


class StreamSources(NamedTuple):
    """What a stream reads and how it cuts time; one graph run covers [start, stop)."""

    poller: object | None  # PollerConfig; None: no feeds
    watch: str | None  # folder to watch; None: none
    watch_interval: float
    window: int  # seconds of ingestion time per output window
    tick: float  # seconds between two poll rounds
    horizon_s: int  # the dedupe's memory
    start: float  # epoch seconds
    stop: float | None = None  # epoch seconds; None runs until cancelled
    duration: float | None = None  # seconds the whole run lasts; None: until Ctrl-C
    run: str = ""  # tag in this run's file names, distinct per run so no run overwrites another's
    state_dir: str = ""  # OUT/_stream: the sources' committed "already ingested" state
    staging: str | None = None  # this epoch's staging folder for that state (sources/staging.py)
    keyed_seed: bool = True  # restart seeds as keyed state; the local runner uses side inputs


class Settings(NamedTuple):
    """Plain values validated once; transforms get these, never PipelineOptions."""

    mode: str  # RUN or STREAM
    output: str
    steps: Steps
    shards_per_partition: int = 1
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    input: str | None = None  # run: the expanded input pattern
    run_key: str = ""  # run: names this input's files, so a re-run replaces them
    stream: StreamSources | None = None
    pages: object | None = None  # PageConfig: the article-page fetcher (--fetch-articles)

    def epoch(
        self, start: float, stop: float | None, run: str, staging: str | None = None
    ) -> Settings:
        """The same stream, for the graph run that covers [start, stop), staging the sources'
        state in `staging` when given."""
        return self._replace(
            stream=self.stream._replace(start=start, stop=stop, run=run, staging=staging)
        )


def stream_state_dir(output: str) -> str:
    return f"{output.rstrip('/')}/_stream"


def spill_root(output: str, run_key: str) -> str:
    """Where a batch run parks articles while its dedupe and story steps decide (core.spill);
    deleted when the run ends. Not under articles/, and no file in it ends in .parquet."""
    return f"{output.rstrip('/')}/_spill/{run_key}"


def default_input() -> str:
    """The seeds/ folder shipped beside the package (a checkout or an editable install)."""
    here = Path.cwd() / "seeds"
    bundled = Path(__file__).resolve().parent.parent / "seeds"
    return str(here if here.is_dir() else bundled)


def local_abspath(path: str) -> str:
    """Local paths made absolute (workers may start elsewhere); filesystem URIs as they are."""
    return path if "://" in path else os.path.abspath(path)


def checked_steps(opts: NewsbeamOptions) -> Steps:
    """The enrichment steps' flags, checked before anything runs (batch and stream alike)."""
    from transforms.entities import ner_model_problem
    from transforms.language import DEFAULT_BACKEND, backend_problem
    from transforms.topics import topics_problem

    backend = opts.language_backend or DEFAULT_BACKEND
    problem = backend_problem(backend)
    if problem:
        raise UsageError(f"--language-backend {backend}: {problem}")
    problem = topics_problem(opts.custom_topics, opts.topics_backend)
    if problem:
        raise UsageError(problem)
    if opts.ner_model:
        problem = ner_model_problem(opts.ner_model)
        if problem:
            raise UsageError(f"--ner-model {opts.ner_model}: {problem}")
    return Steps(
        language_backend=backend,
        languages=tuple(opts.languages or ()),
        ner_model=opts.ner_model,
        ner_backend=opts.ner_backend or "rules",
        custom_topics=opts.custom_topics,
        topics_backend=opts.topics_backend,
        explain_topics=opts.explain_topics,
        cache_dir=_cache_dir(opts.cache_dir),
    )


def _cache_dir(flag: str | None) -> str | None:
    """--cache-dir: a local path made absolute, the user's cache by default (None without a
    home), None for 'off'."""
    from transforms.core.cache import default_directory

    if flag is None:
        return default_directory(os.environ)
    return None if flag.strip().lower() == "off" else local_abspath(flag)


def _batch_input(opts: NewsbeamOptions) -> tuple[str, str]:
    from pipeline.sources.paths import count_inputs, expand_input
    from transforms.write import run_key

    source = expand_input(local_abspath(opts.input or default_input()))
    try:
        found = count_inputs(source)
    except Exception as exc:  # any listing error is about the user's path: one line, status 2
        raise UsageError(f"--input {source}: cannot list it ({exc})") from exc
    if not found:
        raise UsageError(f"--input {source}: no input files match")
    return source, run_key(source)


def _feeds(opts: NewsbeamOptions) -> list:
    from pipeline.sources.feedlist import FeedListError, parse_feed_line, read_feed_list

    feeds: list = []
    if opts.feeds_file:
        try:
            feeds += read_feed_list(opts.feeds_file)
        except (OSError, FeedListError) as exc:
            raise UsageError(f"--feeds-file {exc}") from exc
    for url in opts.feed or ():
        try:
            spec = parse_feed_line(url)
        except ValueError as exc:
            raise UsageError(f"--feed {exc}") from exc
        if spec and spec.url not in {f.url for f in feeds}:
            feeds.append(spec)
    return feeds


def _user_agent(value: str | None) -> str:
    from pipeline.sources.http import USER_AGENT

    if value is None:
        return USER_AGENT
    value = value.strip()
    if not value or any(c in value for c in "\r\n\0"):
        raise UsageError("--user-agent: give one line of text, e.g. 'acme-monitor/1.0 (+URL)'")
    return value


def _stream_sources(opts: NewsbeamOptions, output: str, now: float) -> StreamSources:
    from pipeline.sources.poll import PollerConfig

    feeds = _feeds(opts)
    if opts.watch and not os.path.isdir(opts.watch) and "://" not in opts.watch:
        raise UsageError(f"--watch {opts.watch}: not a folder")
    if not feeds and not opts.watch:
        raise UsageError("nothing to stream: give --feed URL, --feeds-file FILE or --watch DIR")
    poller = None
    if feeds:
        poller = PollerConfig(
            feeds=tuple(feeds),
            poll_interval=opts.poll_interval,
            politeness_delay=opts.politeness_delay,
            timeout=opts.fetch_timeout,
            state_dir=stream_state_dir(output),
            user_agent=_user_agent(opts.user_agent),
            max_in_flight=opts.fetch_concurrency,
            shards=opts.poll_shards,
        )
    return StreamSources(
        poller=poller,
        watch=local_abspath(opts.watch) if opts.watch else None,
        watch_interval=min(5.0, opts.window / 2),
        window=opts.window,
        # Sub-second for small test windows; never more than ~500 ticks an epoch (the local
        # runner keeps per-bundle metrics in a chain as deep as its bundle count).
        tick=max(opts.window / 500, min(1.0, opts.window / 4)),
        horizon_s=opts.dedupe_horizon,
        start=now,
        duration=opts.duration,
        state_dir=stream_state_dir(output),
    )


def _pages(opts: NewsbeamOptions, mode: str):
    """The page fetcher's settings: auto in a stream (its window is the page groups' window and
    the time they have), never in a batch run unless asked."""
    from pipeline.sources.pages import PageConfig

    stream = mode == STREAM
    return PageConfig(
        mode=opts.fetch_articles or ("auto" if stream else "never"),
        politeness_delay=opts.politeness_delay,
        timeout=opts.fetch_timeout,
        max_bytes=opts.max_page_bytes,
        user_agent=_user_agent(opts.user_agent),
        max_in_flight=opts.fetch_concurrency,
        shards=opts.poll_shards if stream else 1,
        window_s=opts.window if stream else None,
        budget_s=opts.window if stream else None,
        allow_private=opts.allow_private_pages,
    )


def settings_from(mode: str, options: PipelineOptions, now: float) -> Settings:
    """Validate the flags of `newsbeam <mode>` once; UsageError says what to do."""
    opts = options.view_as(NewsbeamOptions)
    steps = checked_steps(opts)
    output = local_abspath(opts.output).rstrip("/")
    common = {
        "output": output,
        "steps": steps,
        "shards_per_partition": opts.shards_per_partition,
        "max_input_bytes": opts.max_input_bytes,
        "pages": _pages(opts, mode),
    }
    if mode == RUN:
        source, key = _batch_input(opts)
        return Settings(mode=RUN, input=source, run_key=key, **common)
    return Settings(mode=STREAM, stream=_stream_sources(opts, output, now), **common)
