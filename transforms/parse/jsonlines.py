"""JSON Lines / JSON arrays -> Article | Failure per record (record_articles), the common field
names mapped.

Records come out one by one, each as its mapped fields or the error that stopped it, so a malformed
line fails alone. Fields we do not map are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.dates import parse_date
from transforms.parse.html import fragment_to_text

_URL_KEYS = ("url", "link", "canonical_url", "href", "permalink")
_TITLE_KEYS = ("title", "headline", "name")
_TEXT_KEYS = ("text", "content", "body", "articleBody", "article_body", "full_text", "maintext")
_SUMMARY_KEYS = ("summary", "description", "lead", "abstract", "excerpt", "dek")
_DATE_KEYS = (
    "published_at",
    "published",
    "date",
    "datePublished",
    "date_published",
    "publish_date",
    "pubDate",
    "created_at",
    "timestamp",
)
_MODIFIED_KEYS = ("modified_at", "updated", "dateModified", "date_modified", "updated_at")
_AUTHOR_KEYS = ("authors", "author", "byline", "creator", "creators")
_ID_KEYS = ("id", "guid", "_id", "uuid", "article_id")
_SOURCE_KEYS = ("source_name", "source", "site_name", "publisher", "site")
_LIST_KEYS = ("articles", "items", "data", "results", "records", "entries")


_MAX_FAILED_RECORDS = 3  # more bad records than this and no good one: the whole file is bad
# Record text with these tags is HTML to flatten; other text is kept as written.
_MARKUP = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|ul|li|h\d)\b[^>]*>", re.IGNORECASE)


class Record(NamedTuple):
    index: int  # position in the file: line number (from 0) or array index
    fields: dict | None  # mapped fields, or None when the record could not be read
    error: str | None
    raw: str  # the record as it stood in the file, for the dead letter


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any) -> str | None:
    if isinstance(value, dict):  # {"value": "...", "type": "html"} and similar wrappers
        value = _first(value, ("value", "text", "content", "body", "name", "@value"))
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
        value = "\n\n".join(p for p in parts if p)
    if value is None:
        return None
    return str(value).strip() or None


def _as_names(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = _as_text(item)
        if name:
            names.extend(n.strip() for n in name.split(";") if n.strip())
    return names


def _as_time(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        # Epoch in s, ms or µs: tell them apart by magnitude.
        scale = 1 if value > 1e14 else 1_000 if value > 1e11 else 1_000_000
        return int(value * scale)
    return parse_date(_as_text(value))


def map_fields(obj: Any) -> dict:
    """One JSON object -> the article fields we know; raises TypeError when it is not an object."""
    if not isinstance(obj, dict):
        raise TypeError(f"record is a JSON {type(obj).__name__}, not an object")
    guid = _first(obj, _ID_KEYS)
    return {
        "url": _as_text(_first(obj, _URL_KEYS)),
        "title": _as_text(_first(obj, _TITLE_KEYS)),
        "text": _as_text(_first(obj, _TEXT_KEYS)),
        "summary": _as_text(_first(obj, _SUMMARY_KEYS)),
        "published_at": _as_time(_first(obj, _DATE_KEYS)),
        "modified_at": _as_time(_first(obj, _MODIFIED_KEYS)),
        "authors": _as_names(_first(obj, _AUTHOR_KEYS)),
        "guid": None if guid is None else str(guid),
        "source_name": _as_text(_first(obj, _SOURCE_KEYS)),
    }


def _record(index: int, obj: Any, raw: str) -> Record:
    try:
        return Record(index, map_fields(obj), None, raw)
    except TypeError as exc:
        return Record(index, None, str(exc), raw)


def _lines(text: str) -> Iterator[Record]:
    for index, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(index, None, f"malformed JSON line {index + 1}: {exc}", line)
            continue
        yield _record(index, obj, line)


def read_records(text: str, array: bool) -> Iterator[Record]:
    """Records of a .jsonl (array=False) or .json (array=True) text."""
    if not array:
        yield from _lines(text)
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        yield from _lines(text)  # a .json that is really JSON Lines
        return
    if isinstance(obj, dict):
        nested = next((obj[k] for k in _LIST_KEYS if isinstance(obj.get(k), list)), None)
        obj = nested if nested is not None else [obj]
    if not isinstance(obj, list):
        yield Record(0, None, f"JSON document is a {type(obj).__name__}, not articles", text)
        return
    for index, item in enumerate(obj):
        yield _record(index, item, json.dumps(item, ensure_ascii=False))


def _record_text(value: str | None) -> str:
    if not value:
        return ""
    return fragment_to_text(value) if _MARKUP.search(value) else value.strip()


def record_articles(doc: RawDocument, text: str, array: bool) -> Iterator[Article | Failure]:
    """An Article per readable record with text, a Failure per other record; a file in which
    not one record reads is one Failure, not one per line."""
    results = list(_records(doc, text, array))
    failures = [r for r in results if isinstance(r, Failure)]
    if len(failures) > _MAX_FAILED_RECORDS and len(failures) == len(results):
        # Not one record reads: the file is not JSON at all, so it is one dead letter, not N.
        yield parse_failure(
            doc, f"not JSON: all {len(results)} records malformed ({failures[0].error})"
        )
        return
    yield from results


def _records(doc: RawDocument, text: str, array: bool) -> Iterator[Article | Failure]:
    for record in read_records(text, array):
        index = doc.first_item + record.index  # a part of a large file knows where it starts
        if record.fields is None:
            yield parse_failure(doc, record.error or "unreadable record", record.raw)
            continue
        f = record.fields
        body = _record_text(f["text"])
        if not body:
            yield parse_failure(doc, f"record {index} has no text", record.raw)
            continue
        yield build_article(
            doc,
            index,
            body,
            url=web_url(f["url"]),
            title=f["title"],
            title_source="input" if f["title"] else None,
            summary=_record_text(f["summary"]) or None,
            authors=f["authors"],
            published_at=f["published_at"],
            date_source="input",
            modified_at=f["modified_at"],
            guid=f["guid"],
            source_name=f["source_name"],
        )
