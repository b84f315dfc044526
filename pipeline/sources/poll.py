"""The feed poller, a Beam source: Ticks (a paced PeriodicImpulse) -> per-shard stateful fetch ->
RawDocument.

Hosts are spread over `shards` keys (one by default). Each tick starts a round on each shard
(sources/rounds.py): the due feeds of all its hosts are fetched side by side on a bounded pool,
each host politely (one request in flight, the politeness delay between two). State per feed
(validators, last success and attempt, consecutive failures, next due time) lives in Beam state
keyed by shard, bounded by the feed list. The pure scheduling rules and the stored
form of the state live in sources/feedstate.py; a snapshot per host is also written so that a restart keeps its
validators (staged until the epoch's rows are written: sources/staging.py).
Every time is read from an injected clock (the wall clock unless a test passes a fake one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import StrUtf8Coder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.transforms.window import TimestampedValue

from pipeline.sources import http as http_fetch
from pipeline.sources.clock import SYSTEM_CLOCK, Clock, now_us
from pipeline.sources.feedlist import FeedSpec, host_of
from pipeline.sources.feedstate import (
    FeedState,
    after_fetch,
    due_feeds,
    host_pause,
    host_ready_at,
    load_snapshot,
    pause_feeds,
    save_snapshot,
    shard_of,
    snapshot_path,
    states_from_json,
    states_to_json,
)
from pipeline.sources.hostgate import gate_for
from pipeline.sources.rounds import PollRound, fetch_executor
from pipeline.sources.ticks import Ticks
from transforms.core.failures import ARTICLES, EVENTS, FAILURES, make_failure
from transforms.core.records import RawDocument, SourceEvent

STEP = "fetch"
_US = 1_000_000
FLUSH_US = _US  # a round saves its changed state at most this often, and at its end
MIN_ROUND_US = 2 * _US  # a round may start requests for this long whenever it starts


class PollerConfig(NamedTuple):
    """Plain values for the poller; built once by the CLI."""

    feeds: tuple  # of FeedSpec
    poll_interval: int = 300  # seconds, for feeds without their own
    politeness_delay: float = 1.0  # min seconds between two requests to one host; 0: no limit
    timeout: float = http_fetch.DEFAULT_TIMEOUT
    max_bytes: int = http_fetch.DEFAULT_MAX_BYTES
    max_redirects: int = http_fetch.DEFAULT_MAX_REDIRECTS
    retries: int = http_fetch.DEFAULT_RETRIES
    state_dir: str | None = None  # the committed snapshots of the per-host state; None: none
    staging_dir: str | None = None  # this epoch writes them here (sources/staging.py)
    user_agent: str = http_fetch.USER_AGENT
    max_in_flight: int = 16  # requests at once per worker process, across hosts
    shards: int = 1  # keys the hosts are spread over (each key polls its hosts side by side)
    round_s: float | None = None  # how long a tick's round may start requests; None: the tick


class _PollShardFn(beam.DoFn):
    """(shard, tick) -> RawDocument for each due feed of the shard's hosts that answered 200.

    The state is bounded by the feed list (one FeedState per feed of the shard), so it needs no
    TTL timer. It is stored as JSON text under a standard coder (states_to_json() says why). Its
    id is new: "feeds" held pickles and was keyed by host, so a job updated from those versions
    starts this state empty and restores from its snapshots (or fetches each feed once
    unconditionally) instead of failing to decode.
    """

    FEEDS = ReadModifyWriteStateSpec("shard_feed_states_json", StrUtf8Coder())

    def __init__(self, config: PollerConfig, round_s: float, stop: float | None, clock: Clock):
        self._config, self._clock = config, clock
        self._round_us = round(round_s * _US)
        self._stop_us = round(stop * _US) if stop is not None else None

    def setup(self) -> None:
        self._pool = http_fetch.new_pool(self._config.timeout)
        self._executor = fetch_executor(self._config.max_in_flight)
        self._gate = gate_for(self._clock)  # politeness shared with the page fetcher
        self._by_host: dict[str, list[FeedSpec]] = {}
        for spec in self._config.feeds:
            self._by_host.setdefault(host_of(spec.url), []).append(spec)
        self._by_shard: dict[int, dict[str, list[FeedSpec]]] = {}
        for host, feeds in self._by_host.items():
            self._by_shard.setdefault(shard_of(host, self._config.shards), {})[host] = feeds

    def process(
        self,
        element,
        feeds_state=beam.DoFn.StateParam(FEEDS),  # noqa: B008 - Beam's DoFn parameter idiom
    ) -> Iterator:
        shard, tick = element
        by_host = self._by_shard.get(shard, {})
        stored = feeds_state.read()
        states = states_from_json(stored) if stored is not None else self._restore(by_host)
        dirty: set[str] = set()
        flushed = now_us(self._clock)
        for spec, result, at in self._round(by_host, states).run(
            self._start_fetch(states), self._deadline(tick)
        ):
            dirty.add(host_of(spec.url))
            yield from self._outcome(spec, result, at, states)
            if at - flushed >= FLUSH_US:  # a long round (a local epoch) saves as it goes
                self._flush(feeds_state, by_host, dirty, states)
                dirty, flushed = set(), at
        if dirty:
            self._flush(feeds_state, by_host, dirty, states)

    def _flush(self, feeds_state, by_host: dict, hosts: set[str], states: dict) -> None:
        """The shard's state into Beam state, and the changed hosts' snapshots (staged)."""
        feeds_state.write(states_to_json(states))
        self._save(by_host, hosts, states)

    def _restore(self, by_host: dict) -> dict:
        cfg, states = self._config, {}
        if cfg.state_dir:
            for host in by_host:
                states.update(load_snapshot(snapshot_path(cfg.state_dir, host)))
        return states

    def _save(self, by_host: dict, hosts: set[str], states: dict) -> None:
        cfg = self._config
        if not cfg.state_dir:
            return
        for host in sorted(hosts):
            mine = {f.url: states[f.url] for f in by_host[host] if f.url in states}
            save_snapshot(snapshot_path(cfg.staging_dir or cfg.state_dir, host), mine)

    def _deadline(self, tick: float) -> int:
        """Requests start until the tick's round is over and not past the run's stop, but for
        MIN_ROUND_US at least: a round that starts late (a local epoch's slow start) still polls."""
        now = now_us(self._clock)
        deadline = max(round(tick * _US), now) + self._round_us
        if self._stop_us is not None:
            deadline = min(deadline, self._stop_us)
        return max(deadline, now + min(self._round_us, MIN_ROUND_US))

    def _round(self, by_host: dict, states: dict) -> PollRound:
        delay_us = round(self._config.politeness_delay * _US)

        def next_feed(host: str, now: int) -> FeedSpec | None:
            due = due_feeds(by_host[host], states, now)
            return due[0] if due else None

        def ready_at(host: str) -> int | None:
            at = host_ready_at(by_host[host], states, delay_us)
            return None if at is None else max(at, self._gate.ready_at(host, delay_us))

        return PollRound(
            sorted(by_host),
            ready_at,
            next_feed,
            clock=self._clock,
            max_in_flight=self._config.max_in_flight,
        )

    def _start_fetch(self, states: dict):
        cfg = self._config

        def start(spec: FeedSpec):
            state = states.get(spec.url, FeedState())
            return self._executor.submit(
                http_fetch.fetch,
                spec.url,
                state.etag,
                state.last_modified,
                pool=self._pool,
                timeout=cfg.timeout,
                max_bytes=cfg.max_bytes,
                max_redirects=cfg.max_redirects,
                retries=cfg.retries,
                sleep=self._clock.sleep,
                user_agent=cfg.user_agent,
                may_retry=self._may_retry,
            )

        return start

    def _may_retry(self) -> bool:
        """No new attempt once the run is over: the drain waits for one fetch deadline, not
        for every retry."""
        return self._stop_us is None or now_us(self._clock) < self._stop_us

    def _outcome(
        self, spec: FeedSpec, result: http_fetch.FetchResult, fetched_at: int, states: dict
    ) -> Iterator:
        cfg = self._config
        host = host_of(spec.url)
        state = states.get(spec.url, FeedState())
        interval = spec.interval or cfg.poll_interval
        states[spec.url] = new = after_fetch(state, result, interval, fetched_at)
        self._gate.ended(host, fetched_at)
        pause = host_pause(result, new, interval)
        if pause is not None:
            host_feeds = [f.url for f in self._by_host.get(host, [])]
            pause_feeds(states, host_feeds, fetched_at + pause * _US)
            self._gate.pause(host, fetched_at + pause * _US)
            new = states[spec.url]
        event = SourceEvent(
            spec.url,
            fetched_at,
            "poll",
            poll_outcome(result),
            result.elapsed * 1000,
            new.last_success,
        )
        yield pvalue.TaggedOutput(EVENTS, TimestampedValue(event, fetched_at / _US))
        counter = _counters(spec.url)
        if result.ok:
            counter("fetched").inc()
            doc = RawDocument(
                source_uri=spec.url,
                data=result.body,
                fetched_at=fetched_at,
                content_type=result.content_type,
                truncated=result.truncated,
            )
            yield TimestampedValue(doc, fetched_at / _US)
        elif result.not_modified:
            counter("not_modified").inc()
        else:
            counter("errors").inc()
            detail = {
                "status": result.status,
                "final_url": result.final_url,
                "attempts": result.attempts,
                "consecutive_failures": new.failures,
                "next_try_in_s": (new.next_due - fetched_at) // _US,
                "retry_after_s": result.retry_after,
            }
            failure = make_failure(
                STEP, spec.url, result.error or "fetch failed", json.dumps(detail)
            )._replace(at=fetched_at)
            yield pvalue.TaggedOutput(FAILURES, TimestampedValue(failure, fetched_at / _US))


def poll_outcome(result: http_fetch.FetchResult) -> str:
    """A poll's class for OUT/sources: "200", "304", else http.failure_class()."""
    if result.ok or result.not_modified:
        return str(result.status)
    return http_fetch.failure_class(result)


def _counters(url: str):
    return lambda name: Metrics.counter(f"feed:{url}", name)


def hosts_of(feeds: Sequence[FeedSpec]) -> tuple[str, ...]:
    return tuple(sorted({host_of(f.url) for f in feeds}))


class PollFeeds(beam.PTransform):
    """PBegin -> "articles": RawDocument per 200 response, "failures": Failure per failed poll,
    "source_events": a SourceEvent per poll (OUT/sources).

    Ticks every `tick` seconds from `start` to `stop` (epoch seconds; stop None runs forever); each
    tick starts a round per shard that polls its hosts' due feeds side by side for `round_s` (the
    tick by default). `clock` paces the ticks and times the fetches: the wall clock unless a test
    passes a FakeClock.
    """

    def __init__(
        self,
        config: PollerConfig,
        start: float,
        stop: float | None,
        tick: float,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ):
        super().__init__()
        self._config, self._start, self._stop, self._tick = config, start, stop, tick
        self._clock = clock

    def expand(self, pbegin):
        cfg = self._config
        shards = sorted({shard_of(h, cfg.shards) for h in hosts_of(cfg.feeds)})
        return (
            pbegin
            | "Tick" >> Ticks(self._start, self._stop, self._tick, clock=self._clock)
            | "PerShard"
            >> beam.FlatMap(lambda t: [(k, float(t)) for k in shards]).with_output_types(
                tuple[int, float]
            )
            | "Fetch"
            >> beam.ParDo(
                _PollShardFn(cfg, cfg.round_s or self._tick, self._stop, self._clock)
            ).with_outputs(FAILURES, EVENTS, main=ARTICLES)
        )
