"""What every parse output must satisfy, whatever the input: the invariants the fuzz tests and
bench/fuzz.py check. An Article meets the output contract and can be written; a Failure can be
written as a dead letter. Each check raises AssertionError saying which field broke which rule."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

import pyarrow.parquet as pq

from transforms.core.records import (
    DATE_SOURCES,
    PAYLOAD_CAP,
    Article,
    Failure,
    RawDocument,
    articles_to_table,
)
from transforms.core.times import DAY_US
from transforms.write import failure_to_json, partition_date, partition_lang

LANGUAGE = re.compile(r"[a-z]{2,3}")
PARTITION_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Directional embeddings, overrides and isolates: they reorder what a reader sees ("gpj.exe").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Fields a reader shows or follows: no control (C0, DEL, C1) or bidi control character in them.
SHOWN_FIELDS = ("title", "url", "canonical_url")
_STRING_FIELDS = (
    "article_id",
    "url",
    "canonical_url",
    "source_uri",
    "source_name",
    "title",
    "text",
    "summary",
    "content_hash",
    "guid",
    "title_source",
)


def forbidden_characters(value: str) -> list[str]:
    """The control and bidi-override characters in a shown value, as code points."""
    return [
        f"U+{ord(ch):04X}"
        for ch in value
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs")
    ]


def _utf8(field: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: no Parquet or JSON writer takes it
        raise AssertionError(
            f"{field} is not valid Unicode ({exc.reason}): {value[:80]!r}"
        ) from exc


def check_time(field: str, value: int | None, fetched_at: int) -> None:
    """None, or integer µs within [1970-01-01, fetched_at + 1 day] (the contract's range)."""
    if value is None:
        return
    assert type(value) is int, f"{field} is {type(value).__name__}, not int µs: {value!r}"
    assert 0 <= value <= fetched_at + DAY_US, (
        f"{field}={value} µs is outside [1970-01-01, fetched_at + 1 day]"
    )


def check_article(a: Article, doc: RawDocument) -> None:
    """One Article against the output contract, as parse emits it (shown fields apart:
    check_shown_fields)."""
    assert isinstance(a, Article), f"not an Article: {type(a).__name__}"
    for field in _STRING_FIELDS:
        value = getattr(a, field)
        assert value is None or isinstance(value, str), f"{field} is {type(value).__name__}"
        if value is not None:
            _utf8(field, value)
    assert a.article_id, "empty article_id"
    assert a.text and a.text.strip(), "empty text"
    assert a.content_hash, "empty content_hash"
    assert a.source_uri == doc.source_uri, f"source_uri {a.source_uri!r} != {doc.source_uri!r}"
    assert a.ingested_at == doc.fetched_at, "ingested_at is not the document's fetched_at"
    assert LANGUAGE.fullmatch(a.language), f"language {a.language!r} is no ISO 639 code"
    assert partition_lang(a) == a.language, f"language {a.language!r} would be renamed"
    assert a.published_at_source in DATE_SOURCES, f"published_at_source {a.published_at_source!r}"
    assert (a.published_at is None) == (a.published_at_source == "none"), (
        f"published_at={a.published_at} but published_at_source={a.published_at_source!r}"
    )
    check_time("published_at", a.published_at, doc.fetched_at)
    check_time("modified_at", a.modified_at, doc.fetched_at)
    assert PARTITION_DATE.fullmatch(partition_date(a)), f"partition date {partition_date(a)!r}"
    assert a.url is None or a.url.lower().startswith(("http://", "https://")), f"url {a.url!r}"
    for author in a.authors:
        assert isinstance(author, str) and author, f"author {author!r}"
        _utf8("author", author)


def check_shown_fields(a: Article) -> None:
    """No control or bidi-override character in what a reader sees or follows."""
    for field in SHOWN_FIELDS:
        value = getattr(a, field)
        bad = forbidden_characters(value) if value else []
        assert not bad, f"{field} holds control/bidi characters {bad}: {value[:120]!r}"
    for author in a.authors:
        bad = forbidden_characters(author)
        assert not bad, f"author holds control/bidi characters {bad}: {author[:120]!r}"


def check_failure(f: Failure, doc: RawDocument, stage: str = "parse") -> None:
    """One dead letter: says where and why, keeps a capped payload, and can be written."""
    assert isinstance(f, Failure), f"not a Failure: {type(f).__name__}"
    assert f.stage == stage, f"stage {f.stage!r} != {stage!r}"
    assert f.source_uri == doc.source_uri, f"source_uri {f.source_uri!r} != {doc.source_uri!r}"
    assert isinstance(f.error, str) and f.error.strip(), "a dead letter without a reason"
    assert isinstance(f.payload, str) and len(f.payload) <= PAYLOAD_CAP, "payload over its cap"
    assert type(f.at) is int, "at is not integer µs"
    try:
        failure_to_json(f).encode("utf-8")  # what the dead-letter writer does with it
    except (UnicodeEncodeError, ValueError, OverflowError) as exc:
        raise AssertionError(f"dead letter cannot be written: {type(exc).__name__}: {exc}") from exc


def check_writable(articles: Sequence[Article]) -> None:
    """The rows go through the one schema into Parquet, as the write stage does."""
    if not articles:
        return
    try:
        table = articles_to_table(list(articles))
        pq.write_table(table, io.BytesIO(), compression="zstd")
    except Exception as exc:
        raise AssertionError(f"rows cannot be written: {type(exc).__name__}: {exc}") from exc


def typed(outputs: Iterable) -> list:
    """The outputs as a list, each an Article or a Failure (collecting them runs the parser)."""
    items = list(outputs)
    odd = [type(o).__name__ for o in items if not isinstance(o, (Article, Failure))]
    assert not odd, f"outputs that are neither Article nor Failure: {odd}"
    return items


def check_outputs(doc: RawDocument, outputs: Iterable) -> list:
    """Every output of parse_document/parse_feed: an Article meeting the contract or a Failure
    that can be written; the Articles together can be written. Returns the outputs as a list."""
    items = typed(outputs)
    for item in items:
        if isinstance(item, Failure):
            check_failure(item, doc)
        else:
            check_article(item, doc)
    check_writable([a for a in items if isinstance(a, Article)])
    return items
