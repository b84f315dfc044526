"""Feed parsing: RawDocument (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) -> Article | Failure.

XML feeds go through feedparser, which survives broken markup; JSON Feed is small enough to map
by hand. parse_feed() is pure and never raises: whatever cannot become an Article is a Failure.
"""

from __future__ import annotations

import calendar
import io
import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

from transforms.core.records import Article, Failure, RawDocument
from transforms.core.times import to_us
from transforms.parse import dates
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.decoding import decode_bytes

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
_JSON_FEED_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
# feedparser sniffs these itself (UTF-16/32 without BOM, EBCDIC); a charset we impose would hide them.
_UNICODE_MARKERS = (
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00<\x00?",
    b"<\x00?\x00",
    b"\x4c\x6f\xa7\x94",
)
_SPACES = re.compile(r"\s+")
_RFC822_WORDS = re.compile(r"^(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})\s+(\d.*)$")
# Bozo reasons that say nothing about the structure of the feed.
_HARMLESS_BOZO = ("NonXMLContentType", "CharacterEncodingOverride")


class _Entry(NamedTuple):
    """One feed item in format-neutral form, before it becomes an Article."""

    title: str | None
    link: str | None
    guid: str | None
    authors: Sequence[str]
    published: int | None  # µs UTC
    updated: int | None
    summary: str  # plain text
    content: str  # plain text: the longest full-content block
    raw: Any  # the entry as parsed, kept for a dead letter


def parse_feed(doc: RawDocument) -> Iterator[Article | Failure]:
    """One Article per feed entry; a Failure for an entry without title and text, or a
    document that is not a feed at all. Never raises."""
    try:
        if len(doc.data) > MAX_FEED_BYTES:
            yield parse_failure(doc, f"feed too large: {len(doc.data)} bytes > {MAX_FEED_BYTES}")
            return
        if _is_json_feed(doc.data):
            source_name, entries = _json_feed_entries(doc)
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
                yield _to_article(entry, source_name, doc, index)
    except Exception as exc:  # noqa: BLE001 - a crash in a parser is a dead letter, never a raise
        yield parse_failure(doc, exc)


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
    decoded = decode_bytes(data, doc.content_type)
    encoding = _western_default(data) if decoded.source == "detected" else decoded.encoding
    if encoding in ("latin_1", "iso8859_1", "ascii"):
        encoding = "windows-1252"  # what decode_bytes decodes them as; C1 bytes are cp1252 quotes
    return f"application/xml; charset={encoding.replace('_', '-')}"


def _western_default(data: bytes) -> str:
    """Undeclared, non-UTF-8 bytes: cp1252 when detection finds it as clean as its best guess.

    Short Portuguese or Spanish text fits cp1257 or cp1250 as well as cp1252 (same chaos), and
    charset-normalizer breaks the tie on language coherence, which picks Baltic on a news feed.
    """
    from charset_normalizer import from_bytes  # deferred: only undeclared non-UTF-8 documents

    matches = list(from_bytes(data[:262144]))
    if not matches:
        return "windows-1252"
    best = min(m.chaos for m in matches)
    tied = [m.encoding for m in matches if m.chaos <= best]
    return "windows-1252" if "cp1252" in tied else matches[0].encoding


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
    source_name = _one_line(_text(feed.get("title"), feed.get("title_detail"))) or None
    return source_name, [_xml_entry(e, base, feed_authors) for e in entries]


def _xml_entry(e: Any, base: str | None, feed_authors: list[str]) -> _Entry:
    link = e.get("link")
    if link and base and not urlsplit(link).scheme:
        link = urljoin(base, link)  # feedparser resolves xml:base; a bare relative link is left
    summary = _text(e.get("summary"), e.get("summary_detail"))
    contents = [_text(c.get("value"), c) for c in e.get("content", []) or []]
    content = max(contents, key=len, default="")
    return _Entry(
        title=_one_line(_text(e.get("title"), e.get("title_detail"))) or None,
        link=web_url(link),
        guid=(e.get("id") or "").strip() or None,
        authors=_names(e.get("authors")) or ([e["author"]] if e.get("author") else feed_authors),
        # dict.get: FeedParserDict.get("published") silently falls back to "updated" (and warns).
        published=_entry_time(dict.get(e, "published"), dict.get(e, "published_parsed")),
        updated=_entry_time(dict.get(e, "updated"), dict.get(e, "updated_parsed")),
        summary=summary,
        content=content,
        raw=e,
    )


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


def _harmless(exc: Any) -> bool:
    return type(exc).__name__ in _HARMLESS_BOZO


def _reason(result: Any) -> str:
    exc = result.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc else "bozo"


# --- JSON Feed --------------------------------------------------------------------------------


def _is_json_feed(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and bool(_JSON_FEED_VERSION.search(data[:65536]))


def _json_feed_entries(doc: RawDocument) -> tuple[str | None, list]:
    try:
        feed = json.loads(decode_bytes(doc.data, doc.content_type).text)
    except ValueError as exc:
        return None, [parse_failure(doc, f"JSON Feed: {exc}")]
    if not isinstance(feed, dict) or not isinstance(feed.get("items", []), list):
        return None, [
            parse_failure(doc, "JSON Feed: top level is not an object with an items list")
        ]
    base = next(
        (
            u
            for u in (feed.get("home_page_url"), feed.get("feed_url"), doc.source_uri)
            if web_url(u)
        ),
        None,
    )
    feed_authors = _json_authors(feed)
    entries: list = []
    for item in feed.get("items", []):
        if not isinstance(item, dict):
            entries.append(parse_failure(doc, "JSON Feed: item is not an object", item))
            continue
        link = _str(item.get("url")) or _str(item.get("external_url"))
        if link and base:
            link = urljoin(base, link)
        content = (
            _html_text(_str(item.get("content_html")))
            if item.get("content_html")
            else _plain(_str(item.get("content_text")))
        )
        entries.append(
            _Entry(
                title=_one_line(_html_text(_str(item.get("title")))) or None,
                link=web_url(link),
                guid=_str(item.get("id")) or None,
                authors=_json_authors(item) or feed_authors,
                published=_entry_time(_str(item.get("date_published")), None),
                updated=_entry_time(_str(item.get("date_modified")), None),
                summary=_plain(_str(item.get("summary"))),
                content=content,
                raw=item,
            )
        )
    return _one_line(_str(feed.get("title"))) or None, entries


def _json_authors(obj: dict) -> list[str]:
    authors = obj.get("authors") if isinstance(obj.get("authors"), list) else [obj.get("author")]
    return [
        a["name"].strip() for a in authors if isinstance(a, dict) and _str(a.get("name")).strip()
    ]


def _str(value: Any) -> str:
    """JSON values are untrusted: a number or object where a string belongs is read as absent."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else ""


# --- Entry -> Article -------------------------------------------------------------------------


def _to_article(
    e: _Entry, source_name: str | None, doc: RawDocument, index: int
) -> Article | Failure:
    # Content holds the full text when it is longer than the summary (many feeds repeat the
    # teaser in both, or put a truncated teaser in content).
    text = e.content if len(e.content) > len(e.summary) else e.summary
    if not text and not e.title:
        return parse_failure(doc, f"entry {index} has neither title nor text", _entry_json(e.raw))
    # A headline-only item (link posts, classifieds) still is news; its title is its text, so
    # that language detection and dedupe have something to work on.
    return build_article(
        doc,
        index,
        text or e.title or "",
        url=e.link,
        title=e.title,
        title_source="feed" if e.title else None,
        summary=e.summary,
        authors=e.authors,
        published_at=e.published if e.published is not None else e.updated,
        date_source="feed",
        modified_at=e.updated,
        guid=e.guid,
        source_name=source_name,
        feed_entry=True,
    )


def _entry_time(raw: str | None, parsed: Any) -> int | None:
    """µs UTC from a feed date: ISO 8601 kept to the microsecond, else feedparser's parse, else
    an RFC 822 date with its day and month named in another language."""
    raw = (raw or "").strip()
    if raw[:4].isdigit() and "T" in raw[8:12]:
        try:
            dt = datetime.fromisoformat(raw.replace("z", "Z"))
            if dt.tzinfo is not None:
                return to_us(dt)
        except ValueError:
            pass
    if parsed is None and raw:
        from feedparser.datetimes import _parse_date  # feedparser's RFC 822/W3C/… handlers

        parsed = _parse_date(raw) or _parse_date(_english_rfc822(raw))
        if parsed is None:
            return dates.parse_date(raw)  # a date in words, without a zone: taken as UTC
    try:
        return calendar.timegm(parsed) * 1_000_000
    except (TypeError, ValueError, OverflowError):
        return None


def _english_rfc822(raw: str) -> str:
    """ "Seg, 24 Set 2018 19:42:40 -0300" -> "24 Sep 2018 19:42:40 -0300", keeping the zone."""
    match = _RFC822_WORDS.match(raw)
    if not match:
        return ""
    month = dates.parse_date(f"1 {match.group(2)} 2000")  # the month table of every language
    if month is None:
        return ""
    name = calendar.month_abbr[datetime.fromtimestamp(month / 1e6, UTC).month]
    return f"{match.group(1)} {name} {match.group(3)} {match.group(4)}"


# --- Text helpers -----------------------------------------------------------------------------


def _text(value: str | None, detail: Any) -> str:
    """A feedparser text construct as plain text: HTML stripped, plain text left alone."""
    if not value:
        return ""
    kind = (detail or {}).get("type", "") if hasattr(detail, "get") else ""
    if "html" in kind or ("<" in value and ">" in value):
        return _html_text(value)
    return _plain(value)


def _html_text(html: str) -> str:
    if not html:
        return ""
    from transforms.parse.html import fragment_to_text  # deferred: lxml only when there is markup

    return fragment_to_text(html)


def _plain(text: str) -> str:
    paragraphs = (_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text or ""))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _names(authors: Any) -> list[str]:
    names = []
    for a in authors or []:
        if hasattr(a, "get"):
            name = _one_line(a.get("name") or a.get("email") or "")
            if name:
                names.append(name)
    return names


def _entry_json(raw: Any) -> str:
    return json.dumps(raw, default=str, ensure_ascii=False)
