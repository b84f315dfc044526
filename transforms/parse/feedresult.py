"""A feedparser result -> the feed's title and a FeedEntry per entry (or the Failure that stopped
that entry alone), relative links resolved."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from transforms.core.records import Failure, RawDocument
from transforms.parse.article import parse_failure, web_url
from transforms.parse.feedentry import FeedEntry, entry_time, html_text, plain
from transforms.parse.paragraphs import one_line

# Bozo reasons that say nothing about the structure of the feed.
_HARMLESS_BOZO = ("NonXMLContentType", "CharacterEncodingOverride")


def result_entries(result: Any, doc: RawDocument) -> tuple[str | None, list]:
    """The feed's title and a FeedEntry (or the Failure that stopped it) per entry of a result."""
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    if not entries:
        if result.get("bozo") and not _harmless(result.get("bozo_exception")):
            return None, [parse_failure(doc, f"not a parsable feed: {bozo_reason(result)}")]
        if not result.get("version"):
            return None, [parse_failure(doc, "not a feed: no RSS, Atom or JSON Feed root element")]
        return None, []  # a well-formed feed with no items yet: nothing to ingest
    # A bozo feed that still has entries (undefined entity, bad encoding, junk after the root…) is
    # ingested: feedparser's loose parser recovered them, and dropping real news for a markup
    # error would be worse than a slightly imperfect entry.
    base = _feed_base(feed, doc.source_uri)
    feed_authors = (
        _names(feed.get("authors")) if str(result.get("version", "")).startswith("atom") else []
    )
    source_name = one_line(_text(feed.get("title"), feed.get("title_detail"))) or None
    out: list[FeedEntry | Failure] = []
    broken = result.get("bozo") and not _harmless(result.get("bozo_exception"))
    for index, e in enumerate(entries):
        if broken and index == len(entries) - 1 and _empty(e):
            out.append(_broken_off(doc, index, result))
            continue
        try:
            out.append(_xml_entry(e, base, feed_authors))
        except Exception as exc:  # noqa: BLE001 - one entry's surprise is that entry's dead letter
            out.append(
                parse_failure(doc, f"entry {index}: {type(exc).__name__}: {exc}", raw_payload(e))
            )
    return source_name, out


def _feed_base(feed: Any, source_uri: str) -> str | None:
    """What a relative entry link is resolved against, when neither xml:base nor the fetched URL
    (both applied by feedparser) made it absolute: the feed's alternate link, else its self link,
    else the document's own http(s) URL. A relative alternate link is resolved first."""
    links = feed.get("links") or []
    self_link = next(
        (web_url(link.get("href")) for link in links if link.get("rel") == "self"), None
    )
    anchor = web_url(source_uri) or self_link
    alternate = feed.get("link")
    if isinstance(alternate, str) and anchor and not web_url(alternate):
        alternate = urljoin(anchor, alternate)
    return web_url(alternate) or web_url(source_uri) or self_link


def _xml_entry(e: Any, base: str | None, feed_authors: list[str]) -> FeedEntry:
    link = e.get("link")
    if isinstance(link, str) and link and base and not web_url(link):
        link = urljoin(base, link)  # feedparser resolves xml:base; a bare relative link is left
    summary = _text(e.get("summary"), e.get("summary_detail"))
    contents = [_text(c.get("value"), c) for c in e.get("content", []) or []]
    content = max(contents, key=len, default="")
    return FeedEntry(
        title=one_line(_text(e.get("title"), e.get("title_detail"))) or None,
        link=web_url(link),
        guid=(e.get("id") or "").strip() or None,
        authors=_names(e.get("authors")) or ([e["author"]] if e.get("author") else feed_authors),
        # dict.get: FeedParserDict.get("published") silently falls back to "updated" (and warns).
        published=entry_time(dict.get(e, "published"), dict.get(e, "published_parsed")),
        updated=entry_time(dict.get(e, "updated"), dict.get(e, "updated_parsed")),
        summary=summary,
        content=content,
        raw=e,
        source=_source_name(e.get("source")),
    )


def _source_name(source: Any) -> str | None:
    """The publisher an entry names for itself (RSS 2.0 <source>, Atom <source><title>)."""
    if not isinstance(source, dict):
        return None
    return one_line(_text(source.get("title"), source.get("title_detail"))) or None


def _empty(e: Any) -> bool:
    return not any(e.get(key) for key in ("title", "summary", "content", "link", "id"))


def _broken_off(doc: RawDocument, index: int, result: Any) -> Failure:
    """The last entry of a malformed feed, left empty where the markup broke off: the error
    says why, and the payload is the document's end, where the entry's bytes are."""
    error = f"entry {index} is empty where the feed breaks off: {bozo_reason(result)}"
    return parse_failure(doc, error, doc.data[-4096:])


def _harmless(exc: Any) -> bool:
    return type(exc).__name__ in _HARMLESS_BOZO


def bozo_reason(result: Any) -> str:
    exc = result.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc else "bozo"


# --- feedparser text constructs and authors ---------------------------------------------------


def _text(value: str | None, detail: Any) -> str:
    """A feedparser text construct as plain text: HTML stripped, plain text left alone."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "") if hasattr(detail, "get") else ""
    if "html" in kind or ("<" in value and ">" in value):
        return html_text(value)
    return plain(value)


def _names(authors: Any) -> list[str]:
    names = []
    for a in authors or []:
        if hasattr(a, "get"):
            name = one_line(a.get("name") or a.get("email") or "")
            if name:
                names.append(name)
    return names


def raw_payload(entry: Any) -> str:
    try:
        return json.dumps(entry, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return repr(entry)[:4096]
