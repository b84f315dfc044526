"""JSON Feed 1.0/1.1 (jsonfeed.org): RawDocument -> feed title and FeedEntry per item.

Small enough to map by hand. Every value is untrusted: a number or object where a string belongs
reads as absent, an item that is not an object is a Failure of its own.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from transforms.core.records import Failure, RawDocument
from transforms.parse import jsonscan
from transforms.parse.article import parse_failure, web_url
from transforms.parse.decoding import decode_bytes
from transforms.parse.feedentry import FeedEntry, entry_time, html_text, plain
from transforms.parse.paragraphs import one_line

_VERSION = re.compile(r"https?://jsonfeed\.org/version/")
_HEAD_BYTES = 64 * 1024  # the first JSON value of JSON Lines ends within it
_OPENING = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")
_TEXT_OPENING = re.compile(r"\ufeff?[ \t\r\n]*")


def is_json_feed(data: bytes) -> bool:
    """True when the document is a JSON object whose "version" member, as parsed, is a
    jsonfeed.org version URL ("https:\\/\\/jsonfeed.org\\/version\\/1.1" is the same string). The
    members before "version" must read; the rest may be broken, the feed parser will say so."""
    start = _OPENING.match(data).end()
    if data[start : start + 1] != b"{":
        return False
    try:
        encoding = json.detect_encoding(data[:4])
    except LookupError:
        return False
    version = None
    for size in (_HEAD_BYTES, len(data)):  # the head is enough unless "version" comes late
        text = data[:size].decode(encoding, "replace")
        version = jsonscan.member(text, _TEXT_OPENING.match(text).end(), "version")
        if version is not None or size >= len(data):
            break
    return isinstance(version, str) and _VERSION.match(version) is not None


def json_feed_entries(doc: RawDocument) -> tuple[str | None, list[FeedEntry | Failure]]:
    """The feed's title and its items, each a FeedEntry or the Failure that stopped it. A feed
    that does not parse whole (one bad item, or cut short) is read member by member and item by
    item, so each bad item fails alone."""
    text = decode_bytes(doc.data, doc.content_type).text
    try:
        feed = jsonscan.loads(text)
        items = None
    except ValueError as exc:
        feed, items = _read_partly(text)
        if items is None:
            return None, [parse_failure(doc, f"JSON Feed: {exc}")]
        if all(item.error is None for item in items):  # broken outside the items: say so once
            items.append(jsonscan.Parsed(-1, None, str(exc), text[-4096:]))
    if not isinstance(feed, dict) or not isinstance(feed.get("items", []), list):
        return None, [
            parse_failure(doc, "JSON Feed: top level is not an object with an items list")
        ]
    if items is None:
        items = [jsonscan.Parsed(i, item, None, "") for i, item in enumerate(feed.get("items", []))]
    bases = (feed.get("home_page_url"), feed.get("feed_url"), doc.source_uri)
    base = next((u for u in bases if web_url(u)), None)
    feed_authors = _authors(feed)
    entries: list[FeedEntry | Failure] = []
    for index, item, error, raw in items:
        if error is not None or not isinstance(item, dict):
            where = "JSON Feed" if index < 0 else f"JSON Feed item {index}"
            error = f"{where}: {error or 'item is not an object'}"
            entries.append(parse_failure(doc, error, raw or _raw(item)))
            continue
        try:
            entries.append(_entry(item, base, feed_authors))
        except Exception as exc:  # noqa: BLE001 - one item's surprise is that item's dead letter
            error = f"JSON Feed item {index}: {type(exc).__name__}: {exc}"
            entries.append(parse_failure(doc, error, raw or _raw(item)))
    return one_line(_str(feed.get("title"))) or None, entries


_FEED_MEMBERS = ("title", "home_page_url", "feed_url", "author", "authors")


def _read_partly(text: str) -> tuple[dict, list[jsonscan.Parsed] | None]:
    """The feed-level members that parse and the items one by one; items None when the document
    has no items array to read."""
    feed: dict = {}
    items = None
    start = _TEXT_OPENING.match(text).end()
    if text[start : start + 1] != "{":
        return feed, None
    for key, at in jsonscan.members(text, start):
        if key == "items" and text[at : at + 1] == "[" and items is None:
            items = list(jsonscan.array_elements(text, at, top_level=False))
        elif key in _FEED_MEMBERS and key not in feed:
            try:
                feed[key] = jsonscan.raw_decode(text, at)[0]
            except ValueError:
                continue
    return feed, items


def _entry(item: dict, base: str | None, feed_authors: list[str]) -> FeedEntry:
    link = _str(item.get("url")) or _str(item.get("external_url"))
    if link and base:
        link = urljoin(base, link)
    content = (
        html_text(_str(item.get("content_html")))
        if item.get("content_html")
        else plain(_str(item.get("content_text")))
    )
    return FeedEntry(
        title=one_line(html_text(_str(item.get("title")))) or None,
        link=web_url(link),
        guid=_str(item.get("id")) or None,
        authors=_authors(item) or feed_authors,
        published=entry_time(_str(item.get("date_published")), None),
        updated=entry_time(_str(item.get("date_modified")), None),
        summary=plain(_str(item.get("summary"))),
        content=content,
        raw=item,
    )


def _authors(obj: dict) -> list[str]:
    """JSON Feed 1.1 `authors`, else 1.0 `author`: the names, in order."""
    authors = obj.get("authors") if isinstance(obj.get("authors"), list) else [obj.get("author")]
    return [
        a["name"].strip() for a in authors if isinstance(a, dict) and _str(a.get("name")).strip()
    ]


def _str(value: Any) -> str:
    """JSON values are untrusted: a number or object where a string belongs is read as absent."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


def _raw(item: Any) -> str:
    try:
        return jsonscan.dumps(item)
    except (ValueError, RecursionError):
        return repr(item)[:1000]
