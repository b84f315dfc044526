"""Graph wiring only: documents -> parse -> language -> dedupe -> entities -> stories -> topics ->
Parquet, with every failure flowing to one dead-letter sink and every outcome counted."""

from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue

from pipeline.sources.files import ReadDocuments
from pipeline.summary import CountOutcomes, counts_path
from transforms.core.failures import ARTICLES, FAILURES
from transforms.dedupe.batch import Deduplicate
from transforms.entities.tag import TagEntities
from transforms.language.detect import DetectLanguage
from transforms.parse.step import ParseDocuments
from transforms.stories.batch import GroupStories
from transforms.topics.score import ScoreTopics
from transforms.write.deadletter import WriteDeadLetters
from transforms.write.parquet import WRITTEN, WriteArticles


class Settings(NamedTuple):
    """Plain values the CLI validated; transforms get these, never PipelineOptions."""

    input: str
    output: str
    run_key: str
    language_backend: str
    languages: tuple = ()
    ner_model: str | None = None
    custom_topics: str | None = None
    topics_backend: str = "lexicon"
    explain_topics: bool = False
    shards_per_partition: int = 1
    max_input_bytes: int = 64 * 1024 * 1024


class Outputs(NamedTuple):
    articles: pvalue.PCollection  # enriched articles, as written
    failures: pvalue.PCollection  # every dead letter of the run
    dropped: pvalue.PCollection  # expected drops (exact re-deliveries)
    written: pvalue.PCollection  # one WrittenFile per Parquet file


def enrich(documents, read_failures, settings: Settings) -> Outputs:
    """The chain from RawDocuments to written Parquet; tests call it with in-memory documents."""
    parsed = documents | "ParseDocuments" >> ParseDocuments()
    language = parsed[ARTICLES] | "DetectLanguage" >> DetectLanguage(
        backend=settings.language_backend, languages=settings.languages
    )
    deduped = language[ARTICLES] | "Deduplicate" >> Deduplicate()
    entities = deduped[ARTICLES] | "TagEntities" >> TagEntities(ner_model=settings.ner_model)
    stories = entities[ARTICLES] | "GroupStories" >> GroupStories()
    topics = stories[ARTICLES] | "ScoreTopics" >> ScoreTopics(
        custom_topics_path=settings.custom_topics,
        explain=settings.explain_topics,
        backend=settings.topics_backend,
    )
    written = topics[ARTICLES] | "WriteArticles" >> WriteArticles(
        settings.output, settings.run_key, settings.shards_per_partition
    )
    stage_failures = {
        "read": read_failures,
        "parse": parsed[FAILURES],
        "language": language[FAILURES],
        "dedupe": deduped[FAILURES],
        "entities": entities[FAILURES],
        "stories": stories[FAILURES],
        "topics": topics[FAILURES],
        "write": written[FAILURES],
    }
    failures = tuple(stage_failures.values()) | "AllFailures" >> beam.Flatten()
    _ = failures | "WriteDeadLetters" >> WriteDeadLetters(settings.output, settings.run_key)

    counted = {f"{stage}.failures": pcoll for stage, pcoll in stage_failures.items()}
    counted.update(
        {
            "read.documents": documents,
            "parse.articles": parsed[ARTICLES],
            "language.articles": language[ARTICLES],
            "dedupe.articles": deduped[ARTICLES],
            "dedupe.dropped": deduped["dropped"],
            "entities.articles": entities[ARTICLES],
            "topics.articles": topics[ARTICLES],
            "write.files": written[WRITTEN],
            "write.rows": written[WRITTEN],
        }
    )
    tally = {
        "dedupe.dropped": lambda d: (f"dedupe.dropped.{d.reason}", 1),
        "write.rows": lambda w: ("write.rows", w.rows),
    }
    _ = counted | "CountOutcomes" >> CountOutcomes(
        counts_path(settings.output, settings.run_key), tally
    )
    return Outputs(topics[ARTICLES], failures, deduped["dropped"], written[WRITTEN])


def build(p: beam.Pipeline, settings: Settings) -> Outputs:
    """Files under settings.input -> the dataset under settings.output."""
    read = p | "ReadDocuments" >> ReadDocuments(settings.input, settings.max_input_bytes)
    return enrich(read[ARTICLES], read[FAILURES], settings)
