"""Streaming graph wiring only: polled feeds + a watched folder -> parse -> streaming dedupe ->
the batch chain's language, entities, stories and topics -> windowed Parquet; every failure to
windowed dead letters."""

from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue

from pipeline.sources.poll import PollerConfig, PollFeeds
from pipeline.sources.watch import WatchFolder
from transforms.core.failures import ARTICLES, FAILURES
from transforms.dedupe.batch import DROPPED
from transforms.dedupe.stream import DEFAULT_HORIZON_S, DeduplicateStream, SeedIndex
from transforms.entities.tag import TagEntities
from transforms.language.detect import DEFAULT_BACKEND, DetectLanguage
from transforms.parse.step import ParseDocuments
from transforms.stories.batch import GroupStories
from transforms.topics.score import ScoreTopics
from transforms.write.parquet import WRITTEN
from transforms.write.windows import WindowArticles, WriteArticleWindows, WriteFailureWindows


class StreamSettings(NamedTuple):
    """Plain values the stream CLI validated; one run of the graph covers [start, stop)."""

    output: str
    run: str  # tag in this run's file names, distinct per run so no run overwrites another's
    start: float  # epoch seconds
    stop: float | None  # epoch seconds; None runs until cancelled
    poller: PollerConfig | None = None  # None: no feeds
    watch: str | None = None  # folder to watch, None: none
    watch_interval: float = 5.0
    window: int = 60  # seconds of ingestion time per output window
    tick: float = 1.0  # seconds between two poll rounds
    horizon_s: int = DEFAULT_HORIZON_S
    seed_since_us: int = 0  # rows of OUT ingested from then on seed the dedupe
    language_backend: str = DEFAULT_BACKEND
    languages: tuple = ()
    ner_model: str | None = None
    custom_topics: str | None = None
    topics_backend: str = "lexicon"
    shards_per_partition: int = 1
    max_input_bytes: int = 64 * 1024 * 1024


class StreamOutputs(NamedTuple):
    documents: pvalue.PCollection  # RawDocument as fetched or read
    articles: pvalue.PCollection  # enriched articles, as written
    dropped: pvalue.PCollection  # exact re-deliveries
    failures: pvalue.PCollection  # every dead letter, windowed
    written: pvalue.PCollection  # WrittenFile per Parquet file


def build_stream(p: beam.Pipeline, s: StreamSettings) -> StreamOutputs:
    """Sources -> enrich -> windowed Parquet under s.output; returns the named outputs."""
    sources, early_failures = [], {}
    if s.poller and s.poller.feeds:
        polled = p | "PollFeeds" >> PollFeeds(s.poller, s.start, s.stop, s.tick)
        sources.append(polled[ARTICLES])
        early_failures["fetch"] = polled[FAILURES]
    if s.watch:
        watched = p | "WatchFolder" >> WatchFolder(
            s.watch, s.watch_interval, s.start, s.stop, s.max_input_bytes, f"{s.output}/_stream"
        )
        sources.append(watched[ARTICLES])
        early_failures["read"] = watched[FAILURES]
    if not sources:
        raise ValueError("a stream needs feeds or a folder to watch")
    documents = sources | "AllDocuments" >> beam.Flatten()

    parsed = documents | "ParseDocuments" >> ParseDocuments()
    seed = p | "SeedIndex" >> SeedIndex(s.output, s.seed_since_us)
    # Dedupe before language detection: feeds re-serve every item on every poll and the dedupe
    # reads no language, so dropping re-deliveries first gives the same rows for a fraction of
    # the work. The shuffle keeps the stateful dedupe out of the source's fused stage: the local
    # runner fires that stage's event-time timers at each bundle's end, expiring state per tick.
    deduped = (
        parsed[ARTICLES]
        | "BeforeDedupe" >> beam.Reshuffle()
        | "DeduplicateStream" >> DeduplicateStream(seed, s.horizon_s)
    )
    language = deduped[ARTICLES] | "DetectLanguage" >> DetectLanguage(
        backend=s.language_backend, languages=s.languages
    )
    windowed = language[ARTICLES] | "WindowArticles" >> WindowArticles(s.window)
    entities = windowed | "TagEntities" >> TagEntities(ner_model=s.ner_model)
    stories = entities[ARTICLES] | "GroupStories" >> GroupStories()
    topics = stories[ARTICLES] | "ScoreTopics" >> ScoreTopics(
        custom_topics_path=s.custom_topics, backend=s.topics_backend
    )
    written = topics[ARTICLES] | "WriteArticleWindows" >> WriteArticleWindows(
        s.output, s.run, s.shards_per_partition
    )

    early_failures.update(
        parse=parsed[FAILURES], language=language[FAILURES], dedupe=deduped[FAILURES]
    )
    early = tuple(early_failures.values()) | "EarlyFailures" >> beam.Flatten()
    failures = (
        early | "WindowFailures" >> WindowArticles(s.window),
        entities[FAILURES],
        stories[FAILURES],
        topics[FAILURES],
        written[FAILURES],
    ) | "AllFailures" >> beam.Flatten()
    _ = failures | "WriteDeadLetters" >> WriteFailureWindows(s.output, s.run)
    return StreamOutputs(documents, topics[ARTICLES], deduped[DROPPED], failures, written[WRITTEN])
