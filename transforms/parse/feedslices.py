"""A big XML feed in slices of entries, so feedparser's memory is bounded by a slice, not the feed.

expat (C, ~100 MB/s) finds every entry's bytes in the document re-encoded as UTF-8. A slice is the
feed's head (everything before the first entry), a run of entries and the feed's tail: a feed of
its own, whose entries feedparser reads as it reads them in the whole document. Feed-level
elements found between entries join the head, so every slice has the feed's own title and links.

The scan also repairs what would send feedparser to its slow lenient parser: a bare "&" (an
unescaped URL query) becomes "&amp;", and an entity XML does not define ("&nbsp;") becomes its
character, as the lenient parser would read them. Where expat stops on any other error, the
entries before it are sliced and the rest is reported, never silently dropped.
"""

from __future__ import annotations

import bisect
import html.entities
import re
from collections.abc import Iterator
from typing import NamedTuple
from xml.parsers import expat

_ENTRY_NAMES = frozenset(["item", "entry"])  # RSS 0.9x/1.0/2.0 items, Atom entries
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
# What the repair looks at: literal sections (skipped), and "&" unless it starts a named reference.
_SPECIAL = re.compile(rb"<!\[CDATA\[|<!--|<\?|&(?![A-Za-z_:][\w.:-]*;)")
_CHAR_REFERENCE = re.compile(rb"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
_TAG_END = re.compile(rb"""[^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""")
_CLOSERS = {b"<![CDATA[": b"]]>", b"<!--": b"-->", b"<?": b"?>"}


class Layout(NamedTuple):
    data: bytes  # the document as UTF-8, bare ampersands escaped
    spans: list[tuple[int, int]]  # each entry's bytes, in document order
    gaps: list[tuple[int, int]]  # what sits between entries and is not white space
    tail: bytes  # after the last entry, or the closing tags when the document breaks off
    skipped: list[tuple[int, bytes]]  # (offset, name) of references to undefined entities
    error: str | None  # where expat stopped, when it did before the end


def utf8_document(text: str) -> bytes:
    """Decoded feed text as UTF-8 bytes that say so in their XML declaration."""
    body = _XML_DECLARATION.sub("", text, count=1)
    return b'<?xml version="1.0" encoding="utf-8"?>' + body.encode("utf-8", "replace")


def _valid_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def repair_references(data: bytes, bare_ampersands: bool = True) -> bytes:
    """A character reference XML refuses ("&#X41;", "&#0;", "&#xD800;") as the character or
    U+FFFD, and (with bare_ampersands) every "&" that starts no reference as "&amp;", outside
    CDATA sections, comments and processing instructions (whose text is literal)."""
    if b"&" not in data:
        return data
    parts, copied, pos = [], 0, 0
    while (match := _SPECIAL.search(data, pos)) is not None:
        token = match.group()
        if token != b"&":
            end = data.find(_CLOSERS[token], match.end())
            pos = len(data) if end < 0 else end + len(_CLOSERS[token])
            continue
        pos = match.end()
        reference = _CHAR_REFERENCE.match(data, match.start())
        if reference is None:
            if bare_ampersands:
                parts += [data[copied : match.start()], b"&amp;"]
                copied = pos
            continue
        decimal, hexadecimal = reference.groups()
        digits = decimal or hexadecimal
        code = -1 if len(digits) > 16 else int(digits, 10 if decimal else 16)
        pos = reference.end()
        if not _valid_xml_char(code) or reference.group().startswith(b"&#X"):
            fixed = b"&#x%x;" % (code if _valid_xml_char(code) else 0xFFFD)
            parts += [data[copied : match.start()], fixed]
            copied = pos
    return b"".join([*parts, data[copied:]])


class _Scan:
    """expat handlers that note the spans of top-level entries (items inside items are part of
    their entry) and whether every entry has the same parent."""

    def __init__(self, data: bytes, parser: expat.XMLParserType):
        self.data, self.parser = data, parser
        self.stack: list[tuple[bytes, int]] = []  # (name, start offset) of open elements
        self.spans: list[tuple[int, int]] = []
        self.skipped: list[tuple[int, bytes]] = []
        self.parent: tuple[bytes, ...] | None = None  # names from the root to the entries' parent
        self.parent_at: int | None = None
        self.parent_end: int | None = None  # where the entries' parent element's end tag ends
        self.entry_at: int | None = None
        self.mixed = False

    def start(self, name: str, _attributes: dict) -> None:
        at = self.parser.CurrentByteIndex
        if self.entry_at is None and name.rpartition(":")[2] in _ENTRY_NAMES:
            parent_at = self.stack[-1][1] if self.stack else -1
            if self.parent is None:
                self.parent = tuple(n for n, _ in self.stack)
                self.parent_at = parent_at
            elif parent_at != self.parent_at:
                self.mixed = True
            self.entry_at = at
        self.stack.append((name.encode("utf-8"), at))
        if self.entry_at == at:
            self.entry_depth = len(self.stack)

    def end(self, _name: str) -> None:
        at = self.parser.CurrentByteIndex
        if self.data.startswith(b"</", at):  # an empty element's end comes after its tag
            at = _TAG_END.match(self.data, at).end()
        if self.entry_at is not None and len(self.stack) == self.entry_depth:
            self.spans.append((self.entry_at, at))
            self.entry_at = None
        elif self.parent is not None and self.stack[-1][1] == self.parent_at:
            self.parent_end = at
        self.stack.pop()

    def skip(self, name: str, is_parameter: bool) -> None:
        if not is_parameter:
            self.skipped.append((self.parser.CurrentByteIndex, name.encode("utf-8")))


def scan(data: bytes) -> Layout | None:
    """The layout of a UTF-8 feed document, or None when it cannot be sliced: no complete entry,
    or entries under different parents."""
    data = repair_references(data)
    parser = expat.ParserCreate()  # no handler for external entities: nothing is ever fetched
    parser.UseForeignDTD(True)  # an undefined entity is skipped (and noted), not an error
    state = _Scan(data, parser)
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.SkippedEntityHandler = state.skip
    error, broken = None, False
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        broken = True
        # An error after the last entry (junk after the root, an unclosed end tag) loses nothing.
        if state.entry_at is not None or _ENTRY_START.search(data, parser.ErrorByteIndex):
            error = f"{expat.ErrorString(exc.code)} at line {exc.lineno}, column {exc.offset}"
    if not state.spans or state.mixed:
        return None
    last, parent = state.spans[-1][1], state.parent or ()
    if not broken:
        tail = data[last:]
    elif error is None and state.parent_end is not None:  # what follows the entries, closed
        tail = data[last : state.parent_end] + _closers(parent[:-1])
    else:
        tail = _closers(parent)
    pairs = zip(state.spans, state.spans[1:], strict=False)
    gaps = [(a[1], b[0]) for a, b in pairs if data[a[1] : b[0]].strip()]
    return Layout(data, state.spans, gaps, tail, state.skipped, error)


def _closers(names: tuple[bytes, ...]) -> bytes:
    """End tags for open elements (outermost first), innermost first."""
    return b"".join(b"</" + name + b">" for name in reversed(names))


def _resolved(layout: Layout, start: int, end: int) -> bytes:
    """Bytes start:end of the document with undefined entities replaced by their characters."""
    lo = bisect.bisect_left(layout.skipped, (start, b""))
    hi = bisect.bisect_left(layout.skipped, (end, b""))
    if lo == hi:
        return layout.data[start:end]
    parts, pos = [], start
    for at, name in layout.skipped[lo:hi]:
        ref_end = layout.data.index(b";", at) + 1
        parts += [layout.data[pos:at], _character(name)]
        pos = ref_end
    parts.append(layout.data[pos:end])
    return b"".join(parts)


def _character(name: bytes) -> bytes:
    """An HTML entity's character(s), escaped for XML; an unknown name stays as text."""
    char = html.entities.html5.get(name.decode("utf-8") + ";")
    if char is None:
        return b"&amp;" + name + b";"
    return char.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8")


class Slice(NamedTuple):
    first: int  # index of its first entry in the document
    count: int  # how many entries it holds
    data: bytes


def slices(layout: Layout, max_bytes: int) -> Iterator[Slice]:
    """Runs of entries of up to max_bytes (at least one entry each), each as a feed document."""
    # Feed-level elements found between entries go into every slice's head, before the entries.
    between = [_resolved(layout, start, end) for start, end in layout.gaps]
    head = b"".join([_resolved(layout, 0, layout.spans[0][0]), *between])
    run: list[bytes] = []
    size, first = 0, 0
    for index, (start, end) in enumerate(layout.spans):
        run.append(_resolved(layout, start, end))
        size += end - start
        if size >= max_bytes or index == len(layout.spans) - 1:
            yield Slice(first, len(run), b"".join([head, *run, layout.tail]))
            run, size, first = [], 0, index + 1
