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
from transforms.parse.article import parse_failure, web_url
from transforms.parse.decoding import decode_bytes
from transforms.parse.feedentry import FeedEntry, entry_time, html_text, one_line, plain

_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')


def is_json_feed(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and bool(_VERSION.search(data[:65536]))


def json_feed_entries(doc: RawDocument) -> tuple[str | None, list[FeedEntry | Failure]]:
    """The feed's title and its items, each a FeedEntry or the Failure that stopped it."""
    try:
        feed = json.loads(decode_bytes(doc.data, doc.content_type).text)
    except ValueError as exc:
        return None, [parse_failure(doc, f"JSON Feed: {exc}")]
    if not isinstance(feed, dict) or not isinstance(feed.get("items", []), list):
        return None, [
            parse_failure(doc, "JSON Feed: top level is not an object with an items list")
        ]
    bases = (feed.get("home_page_url"), feed.get("feed_url"), doc.source_uri)
    base = next((u for u in bases if web_url(u)), None)
    feed_authors = _authors(feed)
    entries: list[FeedEntry | Failure] = []
    for item in feed.get("items", []):
        if isinstance(item, dict):
            entries.append(_entry(item, base, feed_authors))
        else:
            entries.append(parse_failure(doc, "JSON Feed: item is not an object", item))
    return one_line(_str(feed.get("title"))) or None, entries


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
