"""Graph wiring only. One chain, enrich(), in the same order in both modes:

    parse -> [pages] -> dedupe -> language -> entities -> stories -> topics

The page fetcher (--fetch-articles) runs where it fetches each page once: in a stream inside
the dedupe, between its exact step (which knows every item already ingested, restart included)
and its MinHash; in batch before the dedupe, whose exact step then sees each page once (items
that link one URL share its fetch). Batch without --fetch-articles has no page step at all.

build_batch() feeds it files and writes one file per partition and shard; build_stream() feeds it
polled feeds and a watched folder and writes one file per window, pane, partition and shard. Dedupe
and stories keep keyed state with a TTL in a stream and use GroupByKey in batch (so batch also runs
on Dask); every other step is the same transform. Every failure flows to one dead-letter sink.
"""

from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue

from pipeline import dofnspecs
from pipeline.settings import Settings, spill_root, stream_state_dir
from pipeline.sources.files import FILES, ReadDocuments
from pipeline.summary import CountOutcomes, counts_path
from transforms.core.failures import ARTICLES, EVENTS, FAILURES
from transforms.dedupe import AFTER_EXACT, DROPPED, Deduplicate, DeduplicateStream, SeedIndex
from transforms.entities import TagEntities
from transforms.language import DetectLanguage
from transforms.parse import ParseDocuments
from transforms.stories import HORIZON_US, GroupStories, GroupStoriesStream, StoryIndex
from transforms.topics import ScoreTopics
from transforms.write import (
    WRITTEN,
    BatchFiles,
    WindowArticles,
    WindowFiles,
    WriteArticles,
    WriteDeadLetters,
    WriteSourceHealth,
)

_US = 1_000_000


class Chain(NamedTuple):
    """What enrich() returns: the enriched articles, the expected drops, and each step's
    failures and outputs by name (for the run's counts)."""

    articles: pvalue.PCollection
    dropped: pvalue.PCollection
    failures: dict  # stage -> PCollection[Failure]
    outputs: dict  # "stage.articles" -> PCollection[Article]
    events: pvalue.PCollection | None = None  # SourceEvent of the page step (stream), else None


class Outputs(NamedTuple):
    documents: pvalue.PCollection  # RawDocument as read or fetched
    articles: pvalue.PCollection  # enriched articles, as written
    dropped: pvalue.PCollection  # expected drops (exact re-deliveries)
    failures: pvalue.PCollection  # every dead letter of the run
    written: pvalue.PCollection  # one WrittenFile per Parquet file


# A batch run detects languages BATCH_ARTICLES at a time (core.failures.EachOfBatch), so the
# language calls run back to back and so do the entity step's after them. On 3,000 bench
# articles, language + entities + topics cost 2.81 ms per article in batches of 16, 2.67-2.70 in
# batches of 64, 2.60-2.65 step by step over all, 3.07-3.16 one article at a time. In whole runs
# (5,000 bench articles, one core, alternated): the language step's apply() 0.616-0.633 ms per
# article in batches of 256 against 0.686-0.701 in batches of 64, ~0.5 CPU-s less per run in
# 5 pairs of 6; batches of 1,024 were no better than 256.
BATCH_ARTICLES = 256


def enrich(documents, settings: Settings) -> Chain:
    """RawDocuments -> enriched Articles: the one chain, in the same order in both modes."""
    steps = settings.steps
    parsed = documents | "ParseDocuments" >> ParseDocuments()
    articles, pages = parsed[ARTICLES], None
    if settings.stream is None and _fetching(settings):
        pages = articles | "FetchPages" >> _fetch_pages(settings)
        articles = pages[ARTICLES]
    deduped = _dedupe(articles, settings)
    if settings.stream is not None:
        pages = deduped[AFTER_EXACT]
    language = deduped[ARTICLES] | "DetectLanguage" >> DetectLanguage(
        backend=steps.language_backend,
        languages=steps.languages,
        cache_dir=steps.cache_dir,
        batch=BATCH_ARTICLES if settings.stream is None else 1,
    )
    entities = language[ARTICLES] | "TagEntities" >> TagEntities(
        backend=steps.ner_backend, ner_model=steps.ner_model, cache_dir=steps.cache_dir
    )
    stories = _stories(entities[ARTICLES], settings)
    topics = stories[ARTICLES] | "ScoreTopics" >> ScoreTopics(
        custom_topics_path=steps.custom_topics,
        explain=steps.explain_topics,
        backend=steps.topics_backend,
        cache_dir=steps.cache_dir,
    )
    stages = {
        "parse": parsed,
        "dedupe": deduped,
        "language": language,
        "entities": entities,
        "stories": stories,
        "topics": topics,
    }
    if pages is not None:
        stages["pages"] = pages
    return Chain(
        articles=topics[ARTICLES],
        dropped=deduped[DROPPED],
        failures={stage: out[FAILURES] for stage, out in stages.items()},
        outputs={f"{stage}.articles": out[ARTICLES] for stage, out in stages.items()},
        events=pages[EVENTS] if pages is not None and settings.stream is not None else None,
    )


def _fetching(settings: Settings) -> bool:
    return settings.pages is not None and settings.pages.mode != "never"


def _fetch_pages(settings: Settings):
    from pipeline.sources.pages import FetchPages, PageConfig

    return FetchPages(settings.pages or PageConfig())


def _dedupe(articles, settings: Settings):
    if settings.stream is None:
        spill = spill_root(settings.output, settings.run_key)
        return articles | "Deduplicate" >> Deduplicate(spill=spill)
    s = settings.stream
    seed_since = int((s.start - s.horizon_s) * _US)
    seed = articles.pipeline | "SeedIndex" >> SeedIndex(settings.output, seed_since)
    # The shuffle keeps the stateful dedupe out of the source's fused stage: the local runner
    # fires that stage's event-time timers at each bundle's end, expiring state per tick.
    return (
        articles
        | "BeforeDedupe" >> beam.Reshuffle()
        | "DeduplicateStream"
        >> DeduplicateStream(
            seed,
            s.horizon_s,
            seed_expiry_us=int((s.start + s.horizon_s) * _US),
            keyed_seed=s.keyed_seed,
            after_exact=_fetch_pages(settings),  # also counts each feed's new items
        )
    )


def _stories(articles, settings: Settings):
    if settings.stream is None:
        spill = spill_root(settings.output, settings.run_key)
        return articles | "GroupStories" >> GroupStories(spill=spill)
    s = settings.stream
    seed = articles.pipeline | "StoryIndex" >> StoryIndex(
        settings.output, int(s.start * _US) - HORIZON_US
    )
    return articles | "GroupStories" >> GroupStoriesStream(seed, s.window)


def build_batch(p: beam.Pipeline, settings: Settings) -> Outputs:
    """Files under settings.input -> the dataset under settings.output, with its counts."""
    dofnspecs.install()  # Beam re-inspects every DoFn's methods per call: once per class
    read = p | "ReadDocuments" >> ReadDocuments(settings.input, settings.max_input_bytes)
    chain = enrich(read[ARTICLES], settings)
    naming = BatchFiles(settings.run_key, settings.shards_per_partition)
    spill = spill_root(settings.output, settings.run_key)
    written = chain.articles | "WriteArticles" >> WriteArticles(settings.output, naming, spill)
    stage_failures = {"read": read[FAILURES], **chain.failures, "write": written[FAILURES]}
    failures = tuple(stage_failures.values()) | "AllFailures" >> beam.Flatten()
    _ = failures | "WriteDeadLetters" >> WriteDeadLetters(settings.output, naming)

    # A failed page fetch is a dead letter, but its item is still written: not in the balance.
    counted = {
        f"{stage}.failures" if stage != "pages" else "pages.fetch_errors": pcoll
        for stage, pcoll in stage_failures.items()
    }
    counted.update(chain.outputs)
    counted.update(
        {
            "read.documents": read[FILES],  # files, however many parts a large one is read in
            "dedupe.dropped": chain.dropped,
            "write.files": written[WRITTEN],
            "write.rows": written[WRITTEN],
        }
    )
    tally = {
        "dedupe.dropped": lambda d: (f"dedupe.dropped.{d.reason}", 1),
        "write.rows": lambda w: ("write.rows", w.rows),
        "pages.articles": lambda a: (f"pages.status.{a.fetch_status}", 1),
    }
    _ = counted | "CountOutcomes" >> CountOutcomes(
        counts_path(settings.output, settings.run_key), tally
    )
    return Outputs(read[ARTICLES], chain.articles, chain.dropped, failures, written[WRITTEN])


def _stream_sources(p: beam.Pipeline, settings: Settings) -> tuple:
    from pipeline.sources.poll import PollFeeds
    from pipeline.sources.watch import WatchFolder

    s = settings.stream
    sources, failures, events = [], {}, []
    if s.poller is not None:
        poller = s.poller._replace(staging_dir=s.staging)
        polled = p | "PollFeeds" >> PollFeeds(poller, s.start, s.stop, s.tick)
        sources.append(polled[ARTICLES])
        failures["fetch"] = polled[FAILURES]
        events.append(polled[EVENTS])
    if s.watch:
        watched = p | "WatchFolder" >> WatchFolder(
            s.watch,
            s.watch_interval,
            s.start,
            s.stop,
            settings.max_input_bytes,
            s.state_dir or stream_state_dir(settings.output),
            staging_dir=s.staging,
        )
        sources.append(watched[ARTICLES])
        failures["read"] = watched[FAILURES]
    if not sources:
        raise ValueError("a stream needs feeds or a folder to watch")
    return tuple(sources) | "AllDocuments" >> beam.Flatten(), failures, events


def build_stream(p: beam.Pipeline, settings: Settings) -> Outputs:
    """Polled feeds and a watched folder -> windowed files under settings.output."""
    dofnspecs.install()
    s = settings.stream
    documents, source_failures, events = _stream_sources(p, settings)
    chain = enrich(documents, settings)
    naming = WindowFiles(s.run, settings.shards_per_partition)
    written = (
        chain.articles
        | "WindowArticles" >> WindowArticles(s.window)
        | "WriteArticleWindows" >> WriteArticles(settings.output, naming)
    )
    early = tuple({**source_failures, **chain.failures}.values()) | "EarlyFailures" >> (
        beam.Flatten()
    )
    health = (*events, chain.events) | "AllSourceEvents" >> beam.Flatten()
    health = health | "WriteSourceHealth" >> WriteSourceHealth(settings.output, s.window, s.run)
    failures = (
        early | "WindowFailures" >> WindowArticles(s.window),
        written[FAILURES],
        health[FAILURES] | "WindowHealthFailures" >> WindowArticles(s.window),
    ) | "AllFailures" >> beam.Flatten()
    _ = failures | "WriteDeadLetters" >> WriteDeadLetters(settings.output, naming)
    return Outputs(documents, chain.articles, chain.dropped, failures, written[WRITTEN])
