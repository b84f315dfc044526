"""JSON Lines / JSON arrays -> Article | Failure per record (record_articles), the common field
names mapped.

Records come out one by one (jsonscan.py parses each alone), each as its mapped fields or the error
that stopped it, so a malformed line fails alone and a value out of range is unknown, never an
error. Fields we do not map are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any, NamedTuple

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import jsonscan
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.dates import parse_date
from transforms.parse.html import extract_article, fragment_to_text, looks_like_page, page_date


def field_key(name: str) -> str:
    """A field name as records are matched on it: "publishedAt", "published_at" and
    "Published-At" are one name."""
    return _NOT_ALNUM.sub("", name).casefold()


_NOT_ALNUM = re.compile(r"[\W_]+")


def _field_names() -> dict[str, tuple[str, ...]]:
    """data/json_fields.tsv: article field -> its names in records, in order of preference
    (wrapper and list names as written, the others as field_key()s)."""
    names: dict[str, list[str]] = {}
    for line in (files("transforms.parse") / "data" / FIELDS_FILE).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            field, name = line.split("\t")
            exact = field in ("wrapper", "list")
            names.setdefault(field, []).append(name.casefold() if exact else field_key(name))
    return {field: tuple(dict.fromkeys(keys)) for field, keys in names.items()}


FIELDS_FILE = "json_fields.tsv"
_NAMES = _field_names()
_WRAPPERS = frozenset(_NAMES["wrapper"])
_LIST_KEYS = _NAMES["list"]
# A wrapped value's own field ({"headline": {"main": ...}}, {"source": {"name": ...}}).
# MongoDB's exports wrap dates and ids ({"$date": ...}, {"$oid": ...}).
_INNER_KEYS = (
    *("value", "text", "content", "body", "name", "@value", "main", "title", "original"),
    *("$date", "$oid", "$numberLong"),
)
# An epoch written as a string of digits ("1700000000"); eight digits are a date (20261201).
_EPOCH_DIGITS = re.compile(r"\d{9,16}")

_MAX_FAILED_RECORDS = 3  # more lines than this and not one is JSON: the file is not JSON
_MAX_DEPTH = 8  # how deep a field's value is looked into for text ({"value": [{"text": ...}]})
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Record text with these tags is HTML to flatten; other text is kept as written.
_MARKUP = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|ul|li|h\d)\b[^>]*>", re.IGNORECASE)


class Record(NamedTuple):
    # position in the file: line number (from 0) or array index; the name hides tuple.index,
    # which mypy flags
    index: int  # type: ignore[assignment]
    fields: dict | None  # mapped fields, or None when the record could not be read
    error: str | None
    raw: str  # the record as it stood in the file, for the dead letter


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    """The value of the first of keys that obj holds and is not empty."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any, depth: int = 0) -> str | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):  # {"value": "...", "type": "html"} and similar wrappers
        value = _first(value, _INNER_KEYS)
    if isinstance(value, list):
        parts = [_as_text(v, depth + 1) for v in value]
        value = "\n\n".join(p for p in parts if p)
    elif isinstance(value, dict):
        value = _as_text(value, depth + 1)
    if not isinstance(value, str):  # a number or true is no text ({"text": 123})
        return None
    return value.strip() or None


def _as_names(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _as_text(item)
        if name:
            names.extend(n.strip() for n in name.split(";") if n.strip())
    return names


def _as_time(value: Any) -> int | None:
    """µs since the epoch from an epoch number (s, ms or µs) or a date string; None when it is
    no time at all (NaN, a bool, 1e300 s): build_article then judges it by times.plausible()."""
    if isinstance(value, dict):  # {"$date": ...}, {"value": ...}
        value = _first(value, _INNER_KEYS)
        value = _first(value, _INNER_KEYS) if isinstance(value, dict) else value
    if isinstance(value, str) and _EPOCH_DIGITS.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (int, float)):
        # Epoch in s, ms or µs: tell them apart by magnitude (an int of any size compares).
        # Typed Any: compiled (setup.py), a value narrowed to "int | float" is read as a float,
        # so an int epoch would lose its last digits, and one past a float's range would fail.
        number: Any = value
        magnitude = abs(number)
        scale = 1 if magnitude > 10**14 else 1_000 if magnitude > 10**11 else 1_000_000
        micros = number * scale
        return None if isinstance(micros, float) and not math.isfinite(micros) else int(micros)
    return parse_date(_as_text(value))


def _as_number(value: Any) -> str | None:
    """An id written as a number, as text; None for anything else."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return str(value) if is_number else None


def _check_encodable(fields: dict) -> dict:
    """A lone surrogate escape ("\\ud800") parses, but is no character and cannot be written."""
    for key, value in fields.items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isascii() and _SURROGATE.search(text):
                raise ValueError(f"lone surrogate escape in {key!r}: not a character")
    return fields


def _fields_of(obj: dict) -> dict[str, Any]:
    """field_key -> value: the record's own fields, then those of the objects it wraps its
    fields in ({"_id": ..., "_source": {...}}) where it has none of that name."""
    wrapped = [v for k, v in obj.items() if k.casefold() in _WRAPPERS and isinstance(v, dict)]
    view: dict[str, Any] = {}
    for key, value in obj.items():
        if not (isinstance(value, dict) and key.casefold() in _WRAPPERS):
            view.setdefault(field_key(key), value)
    for inner in wrapped:
        for key, value in inner.items():
            view.setdefault(field_key(key), value)
    return view


def map_fields(obj: Any) -> dict:
    """One JSON object -> the article fields we know; raises TypeError when it is not an object."""
    if not isinstance(obj, dict):
        raise TypeError(f"record is a JSON {type(obj).__name__}, not an object")
    view = _fields_of(obj)
    guid = _first(view, _NAMES["guid"])
    return {
        "url": _as_text(_first(view, _NAMES["url"])),
        "title": _as_text(_first(view, _NAMES["title"])),
        "text": _as_text(_first(view, _NAMES["text"])),
        "summary": _as_text(_first(view, _NAMES["summary"])),
        "html": _as_text(_first(view, _NAMES["html"])),
        "published_at": _as_time(_first(view, _NAMES["published"])),
        "modified_at": _as_time(_first(view, _NAMES["modified"])),
        "authors": _as_names(_first(view, _NAMES["authors"])),
        "guid": _as_text(guid) if isinstance(guid, (dict, str)) else _as_number(guid),
        "source_name": _as_text(_first(view, _NAMES["source"])),
    }


def _record(parsed: jsonscan.Parsed) -> Record:
    if parsed.error is not None:
        return Record(parsed.index, None, parsed.error, parsed.raw)
    try:
        return Record(parsed.index, _check_encodable(map_fields(parsed.value)), None, parsed.raw)
    except (TypeError, ValueError, RecursionError) as exc:
        return Record(parsed.index, None, str(exc), parsed.raw)


def read_records(text: str, array: bool) -> Iterator[Record]:
    """Records of a .jsonl (array=False) or .json (array=True) text, one at a time."""
    start = len(text) - len(text.lstrip())
    if array and text[start : start + 1] == "[":
        parsed = jsonscan.array_elements(text, start)
    elif array and text[start : start + 1] == "{":
        parsed = _object_records(text, start)
    else:
        parsed = jsonscan.lines(text)
    for item in parsed:
        yield _record(item)


def _object_records(text: str, start: int) -> Iterator[jsonscan.Parsed]:
    """A .json object: a list of records wrapped in it ({"articles": [...]}), one record, or
    JSON Lines saved as .json."""
    try:
        obj = jsonscan.loads(text)
    except ValueError:
        at = jsonscan.wrapped_list(text, start, _LIST_KEYS)
        yield from jsonscan.lines(text) if at is None else jsonscan.array_elements(text, at, False)
        return
    nested = _nested_list(obj)
    if nested is None:
        yield jsonscan.Parsed(0, obj, None, text)
        return
    for index, item in enumerate(nested):
        yield jsonscan.Parsed(index, item, None, _raw_of(item))


def _nested_list(obj: Any) -> list | None:
    """The list of records a .json object wraps: {"articles": [...]}, or one level down
    ({"response": {"results": [...]}}, {"hits": {"hits": [...]}})."""
    if not isinstance(obj, dict):
        return None
    for level in (obj, *(v for v in obj.values() if isinstance(v, dict))):
        found = next((level[k] for k in _LIST_KEYS if isinstance(level.get(k), list)), None)
        if found is not None:
            return found
    return None


def _raw_of(item: Any) -> str:
    """An element of an already parsed wrapper as JSON again, for its dead letter."""
    try:
        return jsonscan.dumps(item)
    except (ValueError, RecursionError):
        return repr(item)[:1000]


def _record_text(value: str | None) -> str:
    if not value:
        return ""
    return fragment_to_text(value) if _MARKUP.search(value) else value.strip()


def record_articles(doc: RawDocument, text: str, array: bool) -> Iterator[Article | Failure]:
    """An Article per readable record with text, a Failure per other record. A file in which not
    one line is JSON is one Failure, not one per line: it is not JSON at all.

    Failures are held back only until the first record that parses; then everything streams.
    """
    held: list[Failure] = []
    parsed_any = False
    for record in read_records(text, array):
        item = record_article(doc, record)
        if parsed_any:
            yield item
            continue
        malformed = record.error and record.error.startswith("malformed JSON")
        if isinstance(item, Failure) and record.fields is None and malformed:
            held.append(item)
            continue
        parsed_any = True
        yield from held
        held.clear()
        yield item
    if len(held) > _MAX_FAILED_RECORDS:
        yield parse_failure(doc, f"not JSON: all {len(held)} records malformed ({held[0].error})")
    else:
        yield from held


def _with_page(f: dict) -> dict:
    """A record whose text is a whole HTML page, or that has no text but a page: the page's main
    text, as from an .html file, and where the record has none, the page's title, date, authors,
    site and address."""
    if f["text"] and looks_like_page(f["text"]):
        html = f["text"]
    elif not f["text"] and f["html"]:
        html = f["html"]
    else:
        return f
    page = extract_article(html, web_url(f["url"]))
    published, source = page_date(page)
    has_date = f["published_at"] is not None
    return {
        **f,
        "text": page["text"] or None,
        "title": f["title"] or page["title"],
        "summary": f["summary"] or page["description"],
        "published_at": f["published_at"] if has_date else published,
        "date_source": "input" if has_date else source,
        "authors": f["authors"] or page["authors"],
        "source_name": f["source_name"] or page["site_name"],
        "url": f["url"] or page["canonical_url"],
    }


def record_article(doc: RawDocument, record: Record) -> Article | Failure:
    """The Article of one record, or its Failure: nothing in a record can stop the others."""
    index = doc.first_item + record.index  # a part of a large file knows where it starts
    if record.fields is None:
        return parse_failure(doc, record.error or "unreadable record", record.raw)
    try:
        f = _with_page(record.fields)
        # A record with only a summary ("description" in news APIs' exports) is read like a feed
        # item with only a summary: that is its text. A title alone is not an article here.
        body = _record_text(f["text"]) or _record_text(f["summary"])
        if not body:
            return parse_failure(doc, f"record {index} has no text", record.raw)
        return build_article(
            doc,
            index,
            body,
            url=f["url"],
            title=f["title"],
            title_source="input" if f["title"] else None,
            summary=_record_text(f["summary"]) or None,
            authors=f["authors"],
            published_at=f["published_at"],
            date_source=f.get("date_source", "input"),
            modified_at=f["modified_at"],
            guid=f["guid"],
            source_name=f["source_name"],
        )
    except Exception as exc:  # noqa: BLE001 - one record's surprise is that record's dead letter
        return parse_failure(doc, f"record {index}: {type(exc).__name__}: {exc}", record.raw)
