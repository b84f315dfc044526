"""JSON Lines / JSON arrays -> one field dict per record, with the common field names mapped.

Records come out one by one, each as its mapped fields or the error that stopped it, so a malformed
line fails alone. Fields we do not map are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from transforms.parse.dates import parse_date

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
