"""The records every step passes along, and the one pyarrow schema they are written with.

Article is the row of the output contract; Failure is a dead letter; Dropped is an expected drop
(an exact re-delivery) that is counted, not written. Times are integer microseconds since the Unix
epoch in UTC, so records stay plain, picklable and deterministic; the Parquet writer turns them into
timestamp[us, UTC].
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import apache_beam as beam
import pyarrow as pa

SCHEMA_VERSION = "2"  # 2: text_source, fetch_status, paywalled, feed_hash

# Where a published_at came from (the contract's closed list).
DATE_SOURCES = ("feed", "jsonld", "meta", "html", "text", "url", "input", "none")
# Where an article's text came from: the item its source delivered (a feed entry, a JSON record, a
# text file) or an HTML page (a page file, or the article page fetched from the feed's link).
TEXT_SOURCES = ("feed", "page")
# What happened to the article page behind an item's link (the contract's closed list, plus
# "error": no HTTP answer at all, a refused connection, a failed name lookup, a TLS failure).
FETCH_STATUSES = (
    "ok",
    "robots",
    "http_4xx",
    "http_5xx",
    "timeout",
    "too_large",
    "not_html",
    "error",
    "skipped",
    "not_fetched",
)
# A page that was fetched, or deliberately not asked: no failure. Every other status is a failed
# fetch (a dead letter, a health row's fetch_failures, the status line's "failed").
FETCH_NOT_FAILED = frozenset({"ok", "robots", "skipped", "not_fetched"})
FETCH_FAILURES = tuple(s for s in FETCH_STATUSES if s not in FETCH_NOT_FAILED)
ENTITY_LABELS = ("PER", "ORG", "LOC", "MISC")


class RawDocument(NamedTuple):
    """Bytes as a source delivered them: one file, one fetched feed, one dropped file, or one
    part of a large file of many items (JSON Lines) read part by part."""

    source_uri: str
    data: bytes
    fetched_at: int  # µs since epoch, UTC
    content_type: Optional[str] = None  # transport header when the source had one
    truncated: bool = False  # the source stopped reading at its size cap
    first_item: int = 0  # the place in its source of this part's first item (line number)


class LanguageShare(NamedTuple):
    lang: str
    share: float


class Entity(NamedTuple):
    text: str
    label: str  # PER | ORG | LOC | MISC
    id: Optional[str]  # Wikidata QID, or None when not linked
    start: int  # character offsets into Article.text, end exclusive
    end: int


class Topic(NamedTuple):
    code: str  # "medtop:11000000", or "custom:<slug>" for user topics
    label: str
    score: float  # in [0, 1]


class TopicEvidence(NamedTuple):
    code: str
    terms: Sequence[str]  # matched words, or "PER:name" / "entity:QID" for entity evidence


class Article(NamedTuple):
    article_id: str
    url: Optional[str]
    canonical_url: Optional[str]
    source_uri: str
    source_name: Optional[str]
    title: Optional[str]
    text: str
    summary: Optional[str]
    authors: Sequence[str]
    published_at: Optional[int]  # µs since epoch, UTC
    published_at_source: str  # one of DATE_SOURCES
    ingested_at: int  # µs since epoch, UTC
    language: str = "und"
    language_confidence: float = 0.0
    languages: Sequence[LanguageShare] = ()
    content_hash: str = ""
    duplicate_of: Optional[str] = None
    similarity: Optional[float] = None
    story_id: Optional[str] = None
    version: int = 1
    entities: Sequence[Entity] = ()
    topics: Sequence[Topic] = ()
    # Beyond the contract's columns: what a user needs to debug a row.
    guid: Optional[str] = None  # feed entry id / JSON id, kept for dedupe
    title_source: Optional[str] = None  # which rule produced the title
    modified_at: Optional[int] = None  # µs since epoch, UTC
    topic_evidence: Optional[Sequence[TopicEvidence]] = None  # only with --explain-topics
    text_source: str = "feed"  # one of TEXT_SOURCES
    fetch_status: str = "not_fetched"  # one of FETCH_STATUSES
    paywalled: Optional[bool] = (
        None  # the page's JSON-LD says isAccessibleForFree false; None: no page
    )
    feed_hash: Optional[str] = None  # content_hash of the feed's own text when the page replaced it


class Failure(NamedTuple):
    """A dead letter: which stage failed on what, why, and the raw payload (capped)."""

    stage: str
    source_uri: str
    error: str
    payload: str
    at: int  # µs since epoch, UTC


class SourceEvent(NamedTuple):
    """One thing that happened to a feed, for OUT/sources: a poll (outcome: its HTTP class), a
    page fetch (outcome: its fetch_status) or a new item (outcome "new"). Summed per feed and
    window into one SOURCE_HEALTH_SCHEMA row."""

    feed: str
    at: int  # µs since epoch, UTC
    kind: str  # "poll" | "page" | "item"
    outcome: str
    fetch_ms: Optional[float] = None
    # µs; the feed's last 2xx/304 answer up to this poll, or for an item or page event the time
    # of the poll that delivered its article
    last_success: Optional[int] = None


class Dropped(NamedTuple):
    """An expected drop, counted per reason in the run summary (e.g. an exact re-delivery)."""

    reason: str
    article_id: str
    source_uri: str


for _record in (
    RawDocument,
    LanguageShare,
    Entity,
    Topic,
    TopicEvidence,
    Article,
    Failure,
    SourceEvent,
    Dropped,
):
    beam.coders.registry.register_coder(_record, beam.coders.RowCoder)

PAYLOAD_CAP = 64 * 1024  # characters of raw payload kept in a dead letter

_TS = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("source_uri", pa.string(), nullable=False),
        pa.field("source_name", pa.string()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("summary", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("published_at", _TS),
        pa.field("published_at_source", pa.string(), nullable=False),
        pa.field("ingested_at", _TS, nullable=False),
        pa.field("language", pa.string(), nullable=False),
        pa.field("language_confidence", pa.float32()),
        pa.field(
            "languages",
            pa.list_(pa.struct([pa.field("lang", pa.string()), pa.field("share", pa.float32())])),
        ),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("duplicate_of", pa.string()),
        pa.field("similarity", pa.float32()),
        pa.field("story_id", pa.string()),
        pa.field("version", pa.int32(), nullable=False),
        pa.field(
            "entities",
            pa.list_(
                pa.struct(
                    [
                        pa.field("text", pa.string()),
                        pa.field("label", pa.string()),
                        pa.field("id", pa.string()),
                        pa.field("start", pa.int32()),
                        pa.field("end", pa.int32()),
                    ]
                )
            ),
        ),
        pa.field(
            "topics",
            pa.list_(
                pa.struct(
                    [
                        pa.field("code", pa.string()),
                        pa.field("label", pa.string()),
                        pa.field("score", pa.float32()),
                    ]
                )
            ),
        ),
        pa.field("guid", pa.string()),
        pa.field("title_source", pa.string()),
        pa.field("modified_at", _TS),
        pa.field(
            "topic_evidence",
            pa.list_(
                pa.struct([pa.field("code", pa.string()), pa.field("terms", pa.list_(pa.string()))])
            ),
        ),
        pa.field("text_source", pa.string(), nullable=False),
        pa.field("fetch_status", pa.string(), nullable=False),
        pa.field("paywalled", pa.bool_()),
        pa.field("feed_hash", pa.string()),
    ],
    metadata={"newsbeam.schema_version": SCHEMA_VERSION, "newsbeam.record": "Article"},
)

# OUT/sources/date=YYYY-MM-DD/*.parquet: one row per feed per stream window, how the source fared.
# `newsbeam report` reads it (its source-health section); the stream's page fetcher writes it.
SOURCE_HEALTH_SCHEMA = pa.schema(
    [
        pa.field("feed", pa.string(), nullable=False),  # the feed URL polled
        pa.field("window_start", _TS, nullable=False),
        pa.field("polls", pa.int32(), nullable=False),
        pa.field("http_200", pa.int32(), nullable=False),
        pa.field("http_304", pa.int32(), nullable=False),
        pa.field("http_4xx", pa.int32(), nullable=False),
        pa.field("http_5xx", pa.int32(), nullable=False),
        pa.field("timeouts", pa.int32(), nullable=False),
        pa.field("robots_blocked", pa.int32(), nullable=False),  # pages robots.txt disallowed
        pa.field("new_items", pa.int32(), nullable=False),
        pa.field("pages_fetched", pa.int32(), nullable=False),
        pa.field(
            "fetch_failures",  # page fetches that failed, by fetch_status
            pa.list_(pa.struct([pa.field("reason", pa.string()), pa.field("count", pa.int32())])),
        ),
        pa.field("median_fetch_ms", pa.float32()),
        pa.field("last_success", _TS),  # the last 2xx/304 answer up to this window's end
    ],
    metadata={"newsbeam.schema_version": SCHEMA_VERSION, "newsbeam.record": "SourceHealth"},
)

# Hive partition columns live in the path, not in the files.
PARTITION_COLUMNS = ("date", "lang")


def articles_to_table(articles: Sequence[Article]) -> pa.Table:
    """Articles -> one table, column by column: Article's fields are ARTICLE_SCHEMA's columns in
    order, and pyarrow reads a named tuple as a struct and a tuple as a list."""
    if not articles:
        return ARTICLE_SCHEMA.empty_table()
    columns = [list(column) for column in zip(*articles, strict=True)]
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, ARTICLE_SCHEMA, strict=True)],
        schema=ARTICLE_SCHEMA,
    )
