"""Bytes -> str for parse: BOM, UTF-16 by its zero bytes, the declared charset, in-document
declarations, UTF-8, then detection.

A declaration is trusted only when the bytes agree with it: valid UTF-8 labelled as a single-byte
charset is UTF-8 (the commonest lie on the web), and a declared charset that cannot decode the bytes
gives way to charset-normalizer. UTF-8 with a few invalid bytes stays UTF-8: its multi-byte
characters outnumber the bad bytes, which a legacy charset's text never does, and reading it as
cp125x would garble every accented letter to save a few. The bad bytes become U+FFFD, counted in
Decoded.replaced; bytes that decode never come out with U+FFFD.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import NamedTuple

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
# Charsets in which every byte sequence decodes, so "it decoded" proves nothing.
_SINGLE_BYTE = frozenset(
    [
        "latin_1",
        "iso8859_1",
        "cp1252",
        "iso8859_15",
        "ascii",
        "cp1250",
        "cp1251",
        "iso8859_2",
        "iso8859_9",
        "cp1254",
    ]
)
_READ_AS_CP1252 = frozenset(["latin_1", "iso8859_1", "ascii"])
_SNIFF_BYTES = 4096  # declarations live in the head of a document
_DETECT_BYTES = 256 * 1024  # enough for detection; charset-normalizer is slow on huge inputs


_UTF16_HEAD = 4096  # bytes looked at for UTF-16's zero bytes
_UTF16_ZEROS = 0.1  # share of zero high bytes: markup and spaces are ASCII in every language
# Valid multi-byte characters per run of bad bytes, at least. Legacy text read as UTF-8 reaches
# 2.07 at most: lingua's sentences (1-8 per document) in 27 language/charset pairs, ~61k documents
# per half; chosen on the even lines (max 2.07, euc_jp), held out on the odd ones (max 2.0, none
# at 3). The Czech lines that are already mojibake in the source were left out. Was 4, which read
# Italian with six accents and two stray bytes as ISO-8859-2 (found by bench/fuzz.py).
_MOSTLY_UTF8 = 3
_ESCAPED_RUN = re.compile(r"[\udc80-\udcff]+")  # bytes surrogateescape kept: invalid UTF-8


class Decoded(NamedTuple):
    text: str
    encoding: str
    source: str  # bom | utf-16 | declared | document | utf-8 | detected | fallback
    replaced: int = 0  # bytes that could not be decoded and became U+FFFD


class _Utf8(NamedTuple):
    """A lenient UTF-8 reading: the text with U+FFFD for each run of bad bytes, and the counts."""

    text: str
    bad_bytes: int
    bad_runs: int
    multibyte: int  # characters that took 2-4 valid bytes

    @property
    def mostly(self) -> bool:
        """Many more valid multi-byte characters than runs of bad bytes: UTF-8 with a few errors.
        Legacy text read as UTF-8 has at most ~2 valid characters per bad run (measured on
        CJK, Cyrillic, Greek, Hebrew, Arabic, Thai and Latin text in legacy charsets)."""
        return self.multibyte >= _MOSTLY_UTF8 * max(1, self.bad_runs)


def _lenient_utf8(data: bytes) -> _Utf8:
    text = data.decode("utf-8", "surrogateescape")
    runs = _ESCAPED_RUN.findall(text)
    bad = sum(map(len, runs))
    multibyte = len(text) - len(text.encode("ascii", "ignore")) - bad
    # The text replaces bad bytes as every browser does (one U+FFFD per maximal invalid
    # subsequence, the WHATWG and Unicode practice); the runs only judge "mostly UTF-8".
    return _Utf8(data.decode("utf-8", "replace"), bad, len(runs), multibyte)


def utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le or utf-16-be when the head's zero bytes say so (every ASCII character has one,
    always on the same side), else None."""
    head = data[:_UTF16_HEAD]
    pairs = len(head) // 2
    if pairs < 2 or b"\x00" not in head:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= pairs * _UTF16_ZEROS and even * 8 <= odd:
        return "utf-16-le"
    if even >= pairs * _UTF16_ZEROS and odd * 8 <= even:
        return "utf-16-be"
    return None


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None


# What Python's codecs say of a last character cut short: UTF-8, UTF-16, the CJK codecs.
_CUT_SHORT = ("unexpected end of data", "truncated data", "incomplete multibyte sequence")


def _try_counted(data: bytes, encoding: str) -> tuple[str, int] | None:
    """`data` decoded strictly, and 0; or None. One exception: a last character cut short (a
    document cut by a size cap may end mid-character) becomes U+FFFD, counted in its bytes."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError as exc:
        if exc.reason in _CUT_SHORT and exc.start >= len(data) - 4:
            head = _try_counted(data[: exc.start], encoding)
            return None if head is None else (head[0] + "\ufffd", head[1] + len(data) - exc.start)
        return None
    except LookupError:
        return None


def declared_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, normalised, or None."""
    match = _HEADER_CHARSET.search(content_type or "")
    return _normalise(match.group(1)) if match else None


def document_charset(data: bytes) -> str | None:
    """The charset a document declares about itself (XML declaration or HTML meta)."""
    head = data[:_SNIFF_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            return _normalise(match.group(1).decode("ascii", "ignore"))
    return None


def browser_charset(encoding: str) -> str:
    """The charset bytes declared as `encoding` are read as: Latin-1 and ASCII as cp1252, what
    browsers do, because in practice the C1 range holds cp1252's curly quotes and dashes."""
    return "cp1252" if encoding in _READ_AS_CP1252 else encoding


def _accept(data: bytes, encoding: str, utf8: _Utf8 | None) -> tuple[str, int] | None:
    """Decode with a declared charset unless the bytes contradict it; `utf8` is the lenient UTF-8
    reading of bytes that are not strictly UTF-8 (None when they are)."""
    if encoding in _SINGLE_BYTE and not data.isascii() and (utf8 is None or utf8.mostly):
        return None  # (mostly) valid multi-byte UTF-8 is not Latin-1 by accident: UTF-8 wins
    if encoding in _READ_AS_CP1252:
        return _try_counted(data, "cp1252") or (data.decode("latin_1"), 0)
    return _try_counted(data, encoding)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # deferred: only the undeclared, non-UTF-8 case

    matches = list(from_bytes(data[:_DETECT_BYTES]))
    if not matches:
        return None
    best = matches[0]
    # Short Latin-script samples tie between cp1250/cp1252/cp1257 (same chaos); on a tie take
    # cp1252, the browsers' default for undeclared pages and by far the commonest of them in news.
    # Coherence is not asked: on short Portuguese or Spanish text it prefers Baltic cp1257.
    if any(m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01 for m in matches):
        return "cp1252"
    return _normalise(best.encoding)


def _count_replaced(exc: UnicodeDecodeError) -> tuple[str, int]:
    _replaced.count += exc.end - exc.start
    return "\ufffd", exc.end


_replaced = threading.local()  # per thread: Beam may run several bundles at once
# (typeshed types an error handler for encoding too; this one is only used to decode)
codecs.register_error("newsbeam.count-replaced", _count_replaced)  # type: ignore[arg-type]


def _decode_replacing(data: bytes, encoding: str) -> tuple[str, int]:
    """The text with U+FFFD for bytes that do not decode, and how many bytes those were."""
    _replaced.count = 0
    text = data.decode(encoding, "newsbeam.count-replaced")
    return text, _replaced.count


def _bom(data: bytes) -> Decoded | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text, replaced = _try_counted(body, encoding) or _decode_replacing(body, encoding)
            return Decoded(text, encoding.replace("-", "_"), "bom", replaced)
    return None


def _utf16(data: bytes) -> Decoded | None:
    encoding = utf16_without_bom(data)
    if encoding is None:
        return None
    found = _try_counted(data, encoding)
    if found is None:
        found = _decode_replacing(data, encoding)
        if found[1] * 100 > len(data):
            return None  # zero bytes in a pattern, but not text: let the others judge
    text, replaced = found
    return Decoded(text, encoding.replace("-", "_"), "utf-16", replaced)


def decode_bytes(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode a document's bytes; never raises."""
    marked = _bom(data) or _utf16(data)
    if marked is not None:
        return marked
    strict = _try_counted(data, "utf-8")
    lenient = None if strict is not None else _lenient_utf8(data)
    for source, encoding in (
        ("declared", declared_charset(content_type)),
        ("document", document_charset(data)),
    ):
        if encoding:
            if encoding == "utf_8" and lenient is not None and lenient.mostly:
                return Decoded(lenient.text, "utf_8", source, lenient.bad_bytes)
            found = _accept(data, encoding, lenient)
            if found is not None:
                return Decoded(found[0], encoding, source, found[1])
    if strict is not None:
        return Decoded(strict[0], "utf_8", "utf-8", strict[1])
    if lenient is not None and lenient.mostly:  # (lenient is set when strict is not)
        return Decoded(lenient.text, "utf_8", "utf-8", lenient.bad_bytes)
    detected = _detect(data)
    if detected:
        found = _try_counted(data, detected)
        if found is not None:
            return Decoded(found[0], detected, "detected", found[1])
    text, replaced = _decode_replacing(data, "cp1252")
    return Decoded(text, "cp1252", "fallback", replaced)
