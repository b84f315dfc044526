"""What a reader must not be fooled by: control and bidi-override characters, lone surrogates.

Pure str -> str functions that article.build_article() applies to every field it writes. A title,
author, source name or URL is one line: every control character goes, white space is folded. Text
keeps its line and paragraph breaks (and tabs) and loses the other controls. Bidi embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) go everywhere: they make text display in
another order than it is stored (the "Trojan Source" trick); the plain marks U+200E/U+200F stay.
A lone surrogate (from a JSON escape or a character reference) cannot be encoded: it becomes
U+FFFD, so no row that passed parse can fail to be written.
"""

from __future__ import annotations

import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
# A terminal escape sequence ("\x1b[31m") goes whole, not just its ESC.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
# C0 and C1 controls, DEL, bidi controls: out of a one-line field (white-space ones become spaces).
_LINE_BREAKING = re.compile(r"[\t\n\r\v\f\x1c-\x1f\x85\u2028\u2029]+")
_LINE_JUNK = re.compile(rf"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f{_BIDI}]")
# In text: line breaks are kept (CR LF and CR become LF), every other control goes.
_NEWLINES = re.compile(r"\r\n?|[\v\f\x85]")
_TEXT_JUNK = re.compile(rf"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f{_BIDI}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# WHATWG URL parsing drops tabs and newlines anywhere and C0 controls and spaces at the ends.
_URL_JUNK = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def encodable(value: str) -> str:
    """Lone surrogates as U+FFFD: the string encodes to UTF-8 whatever it came from."""
    return _SURROGATE.sub("\ufffd", value)


def clean_line(value: str | None) -> str | None:
    """A one-line field (title, author, source name, id): line breaks become one space, other
    controls go."""
    if value is None or (value.isascii() and value.isprintable()):
        return value
    value = _ANSI.sub("", encodable(value)) if "\x1b" in value else encodable(value)
    return _LINE_JUNK.sub("", _LINE_BREAKING.sub(" ", value)).strip()


def clean_text(value: str | None) -> str | None:
    """Body text or a summary: controls out, line and paragraph breaks kept."""
    if value is None:
        return None
    if value.isascii() and value.isprintable():
        return value
    value = _ANSI.sub("", encodable(value)) if "\x1b" in value else encodable(value)
    return _TEXT_JUNK.sub("", _NEWLINES.sub("\n", value))


def clean_url(value: str | None) -> str | None:
    """A URL as a browser would read it: controls, bidi characters and end spaces removed."""
    if value is None:
        return None
    if not value.isascii() or not value.isprintable():
        value = _ANSI.sub("", encodable(value)) if "\x1b" in value else encodable(value)
        value = _URL_JUNK.sub("", value)
    return value.strip()
