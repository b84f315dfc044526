"""Bytes -> str for parse: BOM, then the declared charset, then in-document declarations, then detection.

A declaration is trusted only when the bytes agree with it: valid UTF-8 labelled as a single-byte
charset is UTF-8 (the commonest lie on the web), and a declared charset that cannot decode the bytes
gives way to charset-normalizer. Bytes that decode never come out with U+FFFD.
"""

from __future__ import annotations

import codecs
import re
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


class Decoded(NamedTuple):
    text: str
    encoding: str
    source: str  # bom | declared | document | utf-8 | detected | fallback


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        # A document cut by a size cap may end mid-character: drop that last partial character.
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 4:
            return _try(data[: exc.start], encoding)
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


def _accept(data: bytes, encoding: str) -> str | None:
    """Decode with a declared charset unless the bytes contradict it."""
    if encoding in _SINGLE_BYTE and not data.isascii():
        utf8 = _try(data, "utf-8")
        if utf8 is not None:
            return None  # valid multi-byte UTF-8 is not Latin-1 by accident: let UTF-8 win
    if encoding in _READ_AS_CP1252:
        return _try(data, "cp1252") or data.decode("latin_1")
    return _try(data, encoding)


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


def decode_bytes(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode a document's bytes; never raises."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            return Decoded(text, encoding.replace("-", "_"), "bom")
    for source, encoding in (
        ("declared", declared_charset(content_type)),
        ("document", document_charset(data)),
    ):
        if encoding:
            text = _accept(data, encoding)
            if text is not None:
                return Decoded(text, encoding, source)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf_8", "utf-8")
    detected = _detect(data)
    if detected:
        text = _try(data, detected)
        if text is not None:
            return Decoded(text, detected, "detected")
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "fallback")
