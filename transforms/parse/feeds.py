"""Feed parsing: RawDocument (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) -> Article | Failure.

XML feeds go through feedparser, which survives broken markup, once the document passed the guards
against bombs and slow recovery; a big one goes in slices of entries (feedslices.py), so memory is
bounded by a slice. JSON Feed is read by jsonfeed.py. parse_feed() is pure and never raises:
whatever cannot become an Article is a Failure, and one entry's failure is that entry's alone.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any
from xml.parsers import expat

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import feedslices
from transforms.parse.article import parse_failure, web_url
from transforms.parse.decoding import Decoded, browser_charset, decode_bytes
from transforms.parse.feedentry import entry_article
from transforms.parse.feedresult import bozo_reason, raw_payload, result_entries
from transforms.parse.jsonfeed import is_json_feed, json_feed_entries

# Larger documents are refused before parsing (a counted dead letter that says so): feedparser
# needs ~1-3 s/MB even on well-formed XML. It is the gunzip cap and --max-input-bytes' default, so
# a feed file is refused only when it could not have been read whole anyway.
MAX_FEED_BYTES = 64 * 1024 * 1024
# Larger documents are parsed in slices of about SLICE_BYTES of entries each: feedparser holds ~3 KB
# per entry while it parses, ~150 MB for a feed of 50,000 entries at once (bench_parse_memory.py).
SLICE_BYTES = 2 * 1024 * 1024
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
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8 = "application/xml; charset=utf-8"
# feedparser sniffs these itself (UTF-16/32 without BOM, EBCDIC); a charset we impose would hide them.
_UNICODE_MARKERS = (
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00<\x00?",
    b"<\x00?\x00",
    b"\x4c\x6f\xa7\x94",
)


def parse_feed(doc: RawDocument, stats: Counter | None = None) -> Iterator[Article | Failure]:
    """One Article per feed entry; a Failure for an entry without title and text, or a
    document that is not a feed at all. Never raises. `stats` counts decoding repairs
    ("replaced_bytes") when given."""
    try:
        if len(doc.data) > MAX_FEED_BYTES:
            size = f"{len(doc.data)} bytes > {MAX_FEED_BYTES}"
            yield parse_failure(doc, f"feed too large: {size}; not parsed", doc.data[:4096])
            return
        if is_json_feed(doc.data):
            source_name, entries = json_feed_entries(doc)
            yield from _articles(doc, source_name, enumerate(entries))
            return
        if doc.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
            yield parse_failure(doc, "not a feed: JSON without a jsonfeed.org version")
            return
        refused = _entity_bomb(doc.data)
        if refused:
            yield parse_failure(doc, refused)
            return
        decoded = _decoded(doc)
        if stats is not None and decoded is not None:
            stats["replaced_bytes"] += decoded.replaced
        if len(doc.data) > SLICE_BYTES or doc.truncated:
            yield from _sliced_feed(doc, decoded)
            return
        yield from _whole_feed(doc, decoded)
    except Exception as exc:  # noqa: BLE001 - a crash in a parser is a dead letter, never a raise
        yield parse_failure(doc, exc)


def _whole_feed(
    doc: RawDocument, decoded: Decoded | None, report_cut: bool = False
) -> Iterator[Article | Failure]:
    """The whole document through feedparser, unless repairing it would take too long; with
    `report_cut`, a dead letter for what a size limit cut off follows its entries."""
    refused = _too_slow_to_recover(doc, decoded)
    if refused:
        yield parse_failure(doc, refused)
        return
    source_name, entries = _xml_feed_entries(doc)
    yield from _articles(doc, source_name, enumerate(entries))
    if report_cut:
        yield parse_failure(doc, _cut(doc), doc.data[-4096:])


def _articles(
    doc: RawDocument, source_name: str | None, entries: Iterable[tuple[int, Any]]
) -> Iterator[Article | Failure]:
    for index, entry in entries:
        if isinstance(entry, Failure):
            yield entry
            continue
        try:
            yield entry_article(entry, source_name, doc, index)
        except Exception as exc:  # noqa: BLE001 - one entry's surprise is that entry's dead letter
            yield parse_failure(
                doc, f"entry {index}: {type(exc).__name__}: {exc}", raw_payload(entry.raw)
            )


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


def _too_slow_to_recover(doc: RawDocument, decoded: Decoded | None) -> str | None:
    """A reason to refuse a large document that only the slow loose parser could read."""
    if len(doc.data) <= MAX_LOOSE_BYTES:
        return None
    decoded = decoded or decode_bytes(doc.data, doc.content_type)
    text = _XML_DECLARATION.sub("", decoded.text, count=1)
    parser = expat.ParserCreate()  # no handlers: external entities are skipped, never fetched
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        return f"malformed XML larger than {MAX_LOOSE_BYTES} bytes: {exc}"
    return None


# --- XML feeds (feedparser) -------------------------------------------------------------------


def feedparser_result(doc: RawDocument) -> Any:
    """feedparser's result for the document as parse_feed hands it over; no I/O of any kind."""
    doc = _for_feedparser(doc)
    try:
        return _feedparser(doc.data, doc.content_type, doc.source_uri)
    except Exception:  # noqa: BLE001 - feedparser's own crashes on hostile bytes: repair, retry
        # Seen: a character reference to a surrogate in its lenient parser, and an XML declaration
        # whose encoding name is not ASCII. Once the document is UTF-8 that says so, with every
        # character reference one XML allows, both are gone; a second crash is a dead letter.
        text = (_decoded(doc) or decode_bytes(doc.data, doc.content_type)).text
        data = feedslices.repair_references(feedslices.utf8_document(text), bare_ampersands=False)
        return _feedparser(data, _UTF8, doc.source_uri)


def _feedparser(data: bytes, content_type: str, source_uri: str) -> Any:
    import feedparser  # deferred: ~0.1 s import, and only feed documents need it

    headers = {"content-type": content_type}
    if web_url(source_uri):
        headers["content-location"] = source_uri  # base for relative links without xml:base
    # A BytesIO, never bytes or str: feedparser opens a str/bytes that looks like a path or URL.
    # feedparser's HTML sanitiser stays on although we keep only text: turning it off saves only
    # ~15% and lets unclosed <embed>/<object> in content swallow the text after them.
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


def _for_feedparser(doc: RawDocument) -> RawDocument:
    """The document as feedparser is to read it.

    Its Content-Type carries the charset the bytes agree with: feedparser trusts a declared charset
    that decodes, so valid UTF-8 labelled ISO-8859-1 would come out as mojibake; decode_bytes()
    checks each declaration against the bytes first. Bytes we had to repair (UTF-8 with a few bad
    bytes, which feedparser would read as cp1252) or UTF-16 without BOM are handed over as UTF-8;
    behind a BOM, feedparser reads the bytes itself, as it always did.
    """
    decoded = _decoded(doc)
    if decoded is None:  # feedparser sniffs a UTF-16/32 or EBCDIC declaration itself
        return doc._replace(content_type=doc.content_type or "application/xml")
    if decoded.source == "utf-16" or (decoded.replaced and decoded.source != "bom"):
        return doc._replace(data=feedslices.utf8_document(decoded.text), content_type=_UTF8)
    encoding = browser_charset(decoded.encoding).replace("_", "-")
    return doc._replace(content_type=f"application/xml; charset={encoding}")


def _decoded(doc: RawDocument) -> Decoded | None:
    """Our decoding of the document, or None when feedparser is to sniff it itself."""
    if doc.data[:4] in _UNICODE_MARKERS or doc.data[:2] in _UTF16_BOMS:
        return None
    return decode_bytes(doc.data, doc.content_type)


def _xml_feed_entries(doc: RawDocument) -> tuple[str | None, list]:
    return result_entries(feedparser_result(doc), doc)


def _sliced_feed(doc: RawDocument, decoded: Decoded | None) -> Iterator[Article | Failure]:
    """A big (or truncated) feed entry by entry in slices; what cannot be read is reported."""
    text = (decoded or decode_bytes(doc.data, doc.content_type)).text
    layout = feedslices.scan(feedslices.utf8_document(text))
    del text
    if layout is None:  # no complete entry, or entries in odd places: the document as it is
        yield from _whole_feed(doc, decoded, report_cut=doc.truncated)
        return
    for piece in feedslices.slices(layout, SLICE_BYTES // 2):
        result = _feedparser(piece.data, _UTF8, doc.source_uri)
        source_name, entries = result_entries(result, doc)
        yield from _articles(doc, source_name, enumerate(entries, piece.first))
        if len(entries) < piece.count:
            error = f"entries {piece.first + len(entries)}-{piece.first + piece.count - 1} unread"
            yield parse_failure(doc, f"{error}: {bozo_reason(result)}", piece.data)
    if doc.truncated or layout.error:
        rest = layout.data[layout.spans[-1][1] :][:4096]
        yield parse_failure(doc, _cut(doc) if doc.truncated else _broken(layout.error), rest)


def _cut(doc: RawDocument) -> str:
    return (
        f"feed cut at {len(doc.data)} bytes by the source's size limit: "
        "entries after the last complete one are not read"
    )


def _broken(error: str | None) -> str:
    return f"malformed XML ({error}): entries after the last complete one are not read"
