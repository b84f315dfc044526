"""Feed parsing: RawDocument (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) -> Article | Failure.

XML feeds go through feedparser, which survives broken markup, once the document passed the guards
against bombs and slow recovery; JSON Feed is read by jsonfeed.py. parse_feed() is pure and never
raises: whatever cannot become an Article is a Failure.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import parse_failure, web_url
from transforms.parse.decoding import browser_charset, decode_bytes
from transforms.parse.feedentry import (
    FeedEntry,
    entry_article,
    entry_time,
    html_text,
    one_line,
    plain,
)
from transforms.parse.jsonfeed import is_json_feed, json_feed_entries

# Larger documents are refused before parsing: feedparser needs ~1-3 s/MB even on well-formed XML,
# and no real feed needs more than a few MB (a podcast's full back catalogue: ~2 MB).
MAX_FEED_BYTES = 16 * 1024 * 1024
# Malformed XML falls back to feedparser's pure-Python loose parser, 5-10 s/MB on tag soup, so it
# gets a smaller budget; a well-formedness check with expat (C, ~100 MB/s) decides.
MAX_LOOSE_BYTES = 2 * 1024 * 1024
# An internal DTD entity may expand to at most this many characters in total. feedparser keeps
# "safe" entities (no nested references), and its loose fallback parser expands them without the
# amplification limit expat has, so a quadratic blow-up must be refused before parsing.
MAX_ENTITY_EXPANSION = 1024 * 1024
MAX_ENTITY_DECLARATIONS = 256

_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(?!%)([\w.:-]+)\s+(?:\"([^\"]*)\"|'([^']*)')")
_FIRST_ELEMENT = re.compile(rb"<\w")
_CHAR_REF = re.compile(rb"&#\w+;")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
# feedparser sniffs these itself (UTF-16/32 without BOM, EBCDIC); a charset we impose would hide them.
_UNICODE_MARKERS = (
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00<\x00?",
    b"<\x00?\x00",
    b"\x4c\x6f\xa7\x94",
)
# Bozo reasons that say nothing about the structure of the feed.
_HARMLESS_BOZO = ("NonXMLContentType", "CharacterEncodingOverride")


def parse_feed(doc: RawDocument) -> Iterator[Article | Failure]:
    """One Article per feed entry; a Failure for an entry without title and text, or a
    document that is not a feed at all. Never raises."""
    try:
        if len(doc.data) > MAX_FEED_BYTES:
            yield parse_failure(doc, f"feed too large: {len(doc.data)} bytes > {MAX_FEED_BYTES}")
            return
        if is_json_feed(doc.data):
            source_name, entries = json_feed_entries(doc)
        elif doc.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            yield parse_failure(doc, "not a feed: JSON without a jsonfeed.org version")
            return
        else:
            refused = _entity_bomb(doc.data) or _too_slow_to_recover(doc)
            if refused:
                yield parse_failure(doc, refused)
                return
            source_name, entries = _xml_feed_entries(doc)
        for index, entry in enumerate(entries):
            if isinstance(entry, Failure):
                yield entry
            else:
                yield entry_article(entry, source_name, doc, index)
    except Exception as exc:  # noqa: BLE001 - a crash in a parser is a dead letter, never a raise
        yield parse_failure(doc, exc)


# --- Guards: documents refused before feedparser sees them ---------------------------------


def _entity_bomb(data: bytes) -> str | None:
    """A reason to refuse the document if its internal entities could expand beyond the cap."""
    root = _FIRST_ELEMENT.search(data)
    prolog = data[: root.start() if root else len(data)]  # where feedparser looks for entities
    if b"<!ENTITY" not in prolog:
        return None
    declarations = _ENTITY_DECL.findall(prolog)
    if len(declarations) > MAX_ENTITY_DECLARATIONS:  # each one costs a scan of the document
        return f"more than {MAX_ENTITY_DECLARATIONS} entity declarations (XML bomb?)"
    total = 0
    for match in _ENTITY_DECL.finditer(prolog):
        name, value = match.group(1), match.group(2) or match.group(3) or b""
        refs = data.count(b"&" + name + b";")
        # A value referencing other entities multiplies: count it as unbounded. Only a lone
        # character reference is plain (a "&#38;x;" value becomes a reference when expanded).
        nested = b"&" in value and not _CHAR_REF.fullmatch(value)
        size = MAX_ENTITY_EXPANSION + 1 if nested else len(value)
        total += size * refs
        if total > MAX_ENTITY_EXPANSION:
            return f"entity expansion over {MAX_ENTITY_EXPANSION} characters (XML bomb?)"
    return None


def _too_slow_to_recover(doc: RawDocument) -> str | None:
    """A reason to refuse a large document that only the slow loose parser could read."""
    if len(doc.data) <= MAX_LOOSE_BYTES:
        return None
    text = _XML_DECLARATION.sub("", decode_bytes(doc.data, doc.content_type).text, count=1)
    parser = expat.ParserCreate()  # no handlers: external entities are skipped, never fetched
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        return f"malformed XML larger than {MAX_LOOSE_BYTES} bytes: {exc}"
    return None


# --- XML feeds (feedparser) -------------------------------------------------------------------


def feedparser_result(doc: RawDocument) -> Any:
    """feedparser's result for the document, with our transport headers; no I/O of any kind."""
    import feedparser  # deferred: ~0.1 s import, and only feed documents need it

    headers = {"content-type": _content_type(doc)}
    if web_url(doc.source_uri):
        headers["content-location"] = doc.source_uri  # base for relative links without xml:base
    # A BytesIO, never bytes or str: feedparser opens a str/bytes that looks like a path or URL.
    # feedparser's HTML sanitiser stays on although we keep only text: turning it off saves only
    # ~15% and lets unclosed <embed>/<object> in content swallow the text after them.
    return feedparser.parse(io.BytesIO(doc.data), response_headers=headers)


def _content_type(doc: RawDocument) -> str:
    """The Content-Type to hand feedparser: the transport's, with a charset the bytes agree with.

    feedparser trusts a declared charset that decodes, so valid UTF-8 labelled ISO-8859-1 would
    come out as mojibake; decode_bytes() checks each declaration against the bytes first.
    """
    data = doc.data
    if data[:4] in _UNICODE_MARKERS or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return doc.content_type or "application/xml"
    encoding = browser_charset(decode_bytes(data, doc.content_type).encoding)
    return f"application/xml; charset={encoding.replace('_', '-')}"


def _xml_feed_entries(doc: RawDocument) -> tuple[str | None, list]:
    result = feedparser_result(doc)
    feed = result.get("feed", {})
    entries = result.get("entries", [])
    if not entries:
        if result.get("bozo") and not _harmless(result.get("bozo_exception")):
            return None, [parse_failure(doc, f"not a parsable feed: {_reason(result)}")]
        if not result.get("version"):
            return None, [parse_failure(doc, "not a feed: no RSS, Atom or JSON Feed root element")]
        return None, []  # a well-formed feed with no items yet: nothing to ingest
    # A bozo feed that still has entries (undefined entity, bad encoding, junk after the root…) is
    # ingested: feedparser's loose parser recovered them, and dropping real news for a markup
    # error would be worse than a slightly imperfect entry.
    base = web_url(feed.get("link"))
    if base is None and web_url(doc.source_uri):
        base = doc.source_uri
    feed_authors = (
        _names(feed.get("authors")) if str(result.get("version", "")).startswith("atom") else []
    )
    source_name = one_line(_text(feed.get("title"), feed.get("title_detail"))) or None
    return source_name, [_xml_entry(e, base, feed_authors) for e in entries]


def _xml_entry(e: Any, base: str | None, feed_authors: list[str]) -> FeedEntry:
    link = e.get("link")
    if link and base and not urlsplit(link).scheme:
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
    )


def _harmless(exc: Any) -> bool:
    return type(exc).__name__ in _HARMLESS_BOZO


def _reason(result: Any) -> str:
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
