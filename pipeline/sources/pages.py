"""Fetch the article page behind each new feed item: Article -> Article with the page's text.

Items are planned first (transforms.pages.fetch_plan: --fetch-articles auto|always|never); those to
fetch are keyed by their host's shard (the poller's key function), grouped (per window in a
stream, per run in batch: GroupByKey runs on every runner, Dask included), and each group is
fetched in a round (rounds.py) on the worker's shared fetch pool with the poller's rules: one
request in flight per host, the politeness delay between two (shared with the polls of the same
host through hostgate.py, and stretched to the host's Crawl-delay), robots.txt per origin
(robots.py: cached a day, checked against --user-agent), the total fetch deadline, a size cap,
http/https only, capped redirects. One fetch per URL: items that link the same page share it, and
in a stream only new items come here (the dedupe's exact step, which remembers every identity
ingested and is seeded from the dataset at restart, runs first).

Nothing is lost: an item whose page is disallowed, failed, too large or not HTML keeps its feed
text and says why in fetch_status; a failed fetch is also a dead letter (stage "pages") while
the item itself is written. The stage's outputs are tagged "articles", "failures" and
"source_events" (one per item: its page's fate; and one "new" per new feed item, for OUT/sources).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms import window as beam_window

from pipeline.sources import http as http_fetch
from pipeline.sources.clock import SYSTEM_CLOCK, US, Clock, now_us
from pipeline.sources.feedlist import host_of
from pipeline.sources.feedstate import shard_of
from pipeline.sources.hostgate import gate_for
from pipeline.sources.pagejobs import PAGE, PRIVATE_NOTE, Outcome, PageJobs
from pipeline.sources.robots import MAX_ROBOTS_BYTES, RobotsCache
from pipeline.sources.rounds import PollRound, fetch_executor
from transforms.core.failures import ARTICLES, EVENTS, FAILURES, make_failure
from transforms.core.records import FETCH_NOT_FAILED, Article, RawDocument, SourceEvent
from transforms.pages import FETCH, NEVER, fetch_plan, load_cues, merge_page
from transforms.parse import parse_page
from transforms.write import WindowArticles

STEP = "pages"
TO_FETCH = "to_fetch"
DEFAULT_MAX_PAGE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_RETRY_AFTER_S = 120.0  # a page asked again after a longer Retry-After is given up
_NO_DEADLINE_US = 1 << 62


class PageConfig(NamedTuple):
    """Plain values for the page fetcher; built once from the flags."""

    mode: str = NEVER
    politeness_delay: float = 1.0
    timeout: float = http_fetch.DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_PAGE_BYTES
    max_redirects: int = http_fetch.DEFAULT_MAX_REDIRECTS
    retries: int = http_fetch.DEFAULT_RETRIES
    user_agent: str = http_fetch.USER_AGENT
    max_in_flight: int = 16
    shards: int = 1
    window_s: int | None = None  # a stream groups pages per window; None: one group per shard
    budget_s: float | None = None  # how long a group may start requests; None: until done
    max_retry_after_s: float = DEFAULT_MAX_RETRY_AFTER_S
    allow_private: bool = False  # links to loopback/private/link-local addresses (SSRF guard)


def _feed_source(a: Article) -> bool:
    return a.source_uri.startswith(("http://", "https://"))


def _event(a: Article, at: int, kind: str, outcome: str, ms: float | None = None):
    # The poll that delivered the article answered 2xx at its ingested_at: a success of the
    # feed's, so a window with page or item events but no poll still knows the last one.
    event = SourceEvent(a.source_uri, at, kind, outcome, ms, a.ingested_at)
    return pvalue.TaggedOutput(EVENTS, beam_window.TimestampedValue(event, at / US))


class _PlanFn(beam.DoFn):
    """Article -> itself with the fetch_status it keeps, or (shard, Article) to fetch."""

    def __init__(self, config: PageConfig, clock: Clock):
        self._config, self._clock = config, clock

    def setup(self) -> None:
        self._cues = load_cues()

    def process(self, a: Article) -> Iterator:
        if a.version == 1 and _feed_source(a):
            yield _event(a, a.ingested_at, "item", "new")
        status = fetch_plan(a, self._config.mode, self._cues)
        if status is FETCH:
            shard = shard_of(host_of(a.url or ""), self._config.shards)
            yield pvalue.TaggedOutput(TO_FETCH, (shard, a))
            return
        Metrics.counter(STEP, status).inc()
        yield a._replace(fetch_status=status)


class _FetchGroupFn(beam.DoFn):
    """(shard, items) -> each item with its page (or its feed text and why not)."""

    def __init__(self, config: PageConfig, clock: Clock):
        self._config, self._clock = config, clock

    def setup(self) -> None:
        self._pool = http_fetch.new_pool(self._config.timeout)
        self._executor = fetch_executor(self._config.max_in_flight)
        self._gate = gate_for(self._clock)
        self._robots = RobotsCache()

    def process(self, element) -> Iterator:
        _shard, items = element
        by_page: dict[str, list[Article]] = {}
        for a in items:  # one fetch per canonical URL, of the link the first item gave
            by_page.setdefault(a.canonical_url or a.url, []).append(a)
        by_url = {group[0].url: group for group in by_page.values()}
        cfg = self._config
        jobs = PageJobs(
            by_url,
            gate=self._gate,
            cache=self._robots,
            clock=self._clock,
            user_agent=cfg.user_agent,
            delay_s=cfg.politeness_delay,
            max_retry_after_s=cfg.max_retry_after_s,
            exempt_hosts=frozenset(  # the user polls these hosts: their links are trusted
                host_of(a.source_uri) for g in by_url.values() for a in g if _feed_source(a)
            ),
            allow_private=cfg.allow_private,
        )
        fetch_round = PollRound(
            jobs.hosts(),
            jobs.ready_at,
            jobs.next_job,
            clock=self._clock,
            max_in_flight=cfg.max_in_flight,
        )
        start = functools.partial(self._start, jobs=jobs)
        for job, result, at in fetch_round.run(start, self._deadline()):
            outcome = jobs.record(job, result, at)
            if outcome is not None:
                yield from self._emit(by_url[job.url], outcome, at)
            for url, decided in jobs.take_decided():
                yield from self._emit(by_url[url], decided, at)
        at = now_us(self._clock)
        for url, decided in jobs.take_decided():
            yield from self._emit(by_url[url], decided, at)
        for url in jobs.leftovers():  # counted apart: the window's time for pages ran out
            Metrics.counter(STEP, "out_of_time").inc()
            yield from self._emit(by_url[url], Outcome("skipped"), at)

    def _deadline(self) -> int:
        budget = self._config.budget_s
        return now_us(self._clock) + round(budget * US) if budget else _NO_DEADLINE_US

    def _start(self, job, jobs: PageJobs):
        cfg, page = self._config, job.kind == PAGE
        return self._executor.submit(
            http_fetch.fetch,
            job.url,
            pool=self._pool,
            timeout=cfg.timeout,
            max_bytes=cfg.max_bytes if page else MAX_ROBOTS_BYTES,
            max_redirects=cfg.max_redirects,
            retries=cfg.retries,
            sleep=self._clock.sleep,
            user_agent=cfg.user_agent,
            accept=http_fetch.PAGE_ACCEPT if page else "text/plain, */*;q=0.5",
            may_request=jobs.may_request if page else jobs.may_request_robots,
        )

    def _emit(self, items: list[Article], outcome: Outcome, at: int) -> Iterator:
        Metrics.counter(STEP, outcome.status).inc()
        if outcome.detail == PRIVATE_NOTE:
            Metrics.counter(STEP, "private_address").inc()
        ms = outcome.result.elapsed * 1000 if outcome.result is not None else None
        page = self._page(outcome, at)
        for i, a in enumerate(items):
            if _feed_source(a):  # OUT/sources is per feed; a watched file's items are not
                yield _event(a, at, "page", outcome.status, ms if i == 0 else None)
            if page is None:
                yield a._replace(fetch_status=outcome.status)
            else:
                yield merge_page(a, page)
        if outcome.status not in FETCH_NOT_FAILED:  # a choice, not an error: no dead letter
            yield _failure(items, outcome, at)

    @staticmethod
    def _page(outcome: Outcome, at: int) -> Article | None:
        """The page's Article by the batch HTML path; None unless the fetch was ok and the page
        has main text (then the item keeps its feed text, fetch_status ok)."""
        if outcome.status != "ok":
            return None
        r = outcome.result
        doc = RawDocument(r.final_url, r.body, at, r.content_type, r.truncated)
        page = parse_page(doc)
        return page if isinstance(page, Article) else None


def _failure(items: list[Article], outcome: Outcome, at: int):
    r = outcome.result
    first = items[0]
    detail = {
        "fetch_status": outcome.status,
        "url": first.url,
        "feeds": sorted({a.source_uri for a in items}),
        "status": r.status if r else None,
        "final_url": r.final_url if r else None,
        "attempts": r.attempts if r else 0,
        "elapsed_s": r.elapsed if r else None,
    }
    error = f"page not fetched ({outcome.status}): {outcome.detail or 'no detail'}"
    failure = make_failure(STEP, first.url or first.source_uri, error, json.dumps(detail))
    failure = failure._replace(at=at)
    return pvalue.TaggedOutput(FAILURES, beam_window.TimestampedValue(failure, at / US))


class FetchPages(beam.PTransform):
    """Articles -> {"articles", "failures", "source_events"}: each item with its article page
    when the plan says so (see the module docstring). With mode "never" nothing is grouped."""

    def __init__(self, config: PageConfig, *, clock: Clock = SYSTEM_CLOCK):
        super().__init__()
        self._config, self._clock = config, clock

    def expand(self, articles):
        cfg = self._config
        planned = articles | "PlanPages" >> beam.ParDo(_PlanFn(cfg, self._clock)).with_outputs(
            TO_FETCH, EVENTS, FAILURES, main=ARTICLES
        )
        if cfg.mode == NEVER:
            return {
                ARTICLES: planned[ARTICLES],
                FAILURES: planned[FAILURES],
                EVENTS: planned[EVENTS],
            }
        keyed = planned[TO_FETCH] | "KeyByHostShard" >> beam.Map(lambda kv: kv).with_output_types(
            tuple[int, Article]
        )
        if cfg.window_s:  # the files' windows and lateness: a late item is a late pane, not lost
            keyed = keyed | "PageWindows" >> WindowArticles(cfg.window_s)
        fetched = (
            keyed
            | "GroupByHostShard" >> beam.GroupByKey()
            | "FetchPages"
            >> beam.ParDo(_FetchGroupFn(cfg, self._clock)).with_outputs(
                EVENTS, FAILURES, main=ARTICLES
            )
        )
        pages, events, failures = fetched[ARTICLES], fetched[EVENTS], fetched[FAILURES]
        if cfg.window_s:  # back to the global window of the steps that follow, and of the plan's
            unwindow = beam_window.GlobalWindows()
            pages = pages | "UnwindowPages" >> beam.WindowInto(unwindow)
            events = events | "UnwindowPageEvents" >> beam.WindowInto(unwindow)
            failures = failures | "UnwindowPageFailures" >> beam.WindowInto(unwindow)
        return {
            ARTICLES: (planned[ARTICLES], pages) | "AllItems" >> beam.Flatten(),
            FAILURES: failures,
            EVENTS: (planned[EVENTS], events) | "AllPageEvents" >> beam.Flatten(),
        }
