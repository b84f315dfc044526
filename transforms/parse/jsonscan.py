"""JSON text -> its records one at a time, each parsed on its own: lines of JSON Lines, elements of
an array (also one wrapped in {"articles": [...]}), so a bad record fails alone.

Strict JSON (RFC 8259) plus limits: NaN and Infinity are not JSON; a number beyond a double
(1e400) or an integer of more digits than Python converts, and nesting deeper than the parser's
recursion limit, make their record malformed, never the file. A record that cannot be parsed is
skipped by a scan that only counts brackets and strings, so the next one still reads.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Strings (closed or running to the end of the text) and the punctuation that nests or separates.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{},]')


class Parsed(NamedTuple):
    # line number (from 0) or array index; the name hides tuple.index, which mypy flags
    index: int  # type: ignore[assignment]
    value: Any  # the parsed record; None when error is set
    error: str | None
    raw: str  # the record as it stood in the text, for the dead letter


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_float=_finite)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:300]


def loads(text: str) -> Any:
    """One JSON value, strictly; raises ValueError (RecursionError becomes one too)."""
    try:
        return _DECODER.decode(text)
    except RecursionError as exc:
        raise ValueError(_reason(exc)) from None


def raw_decode(text: str, pos: int) -> tuple[Any, int]:
    """The JSON value starting at `pos` and where it ends, strictly; raises ValueError."""
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError as exc:
        raise ValueError(_reason(exc)) from None


def _skip_ws(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    assert match is not None  # the pattern matches the empty string too
    return match.end()


def skip_value(text: str, pos: int) -> int:
    """Where the value starting at `pos` ends, found without parsing it: at the first comma or
    closing bracket outside strings and outside the brackets it opened (or the end of the text)."""
    depth = 0
    for match in _TOKEN.finditer(text, pos):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            if depth == 0:
                return match.start()
            depth -= 1
        elif token == "," and depth == 0:
            return match.start()
    return len(text)


def lines(text: str) -> Iterator[Parsed]:
    """The records of JSON Lines, one per line ("\\n", with an optional "\\r"); blank lines are
    skipped but keep their number. U+2028 and friends are not line breaks: JSON strings may hold
    them unescaped."""
    for index, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        line = line.removesuffix("\r")
        try:
            yield Parsed(index, loads(line), None, line)
        except ValueError as exc:
            yield Parsed(index, None, f"malformed JSON line {index + 1}: {exc}", line)


def array_elements(text: str, pos: int, top_level: bool = True) -> Iterator[Parsed]:
    """The elements of the array whose "[" is at `pos`, each parsed alone; a malformed one is
    skipped to the next comma. Text after a top-level array's end is one malformed record."""
    pos = _skip_ws(text, pos + 1)
    index = 0
    while pos < len(text) and text[pos] != "]":
        start = pos
        try:
            value, end = raw_decode(text, pos)
            error = None
        except ValueError as exc:
            value, end, error = None, max(skip_value(text, pos), pos + 1), _reason(exc)
        pos = _skip_ws(text, end)
        if pos < len(text) and text[pos] not in ",]":  # junk where a comma belongs
            value, end, error = None, max(skip_value(text, pos), pos + 1), "text after the value"
            pos = _skip_ws(text, end)
        if error is None:
            yield Parsed(index, value, None, text[start:end])
        else:
            yield Parsed(
                index, None, f"malformed JSON element {index + 1}: {error}", text[start:end]
            )
        if pos < len(text) and text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
        index += 1
    rest = _skip_ws(text, pos + 1) if pos < len(text) else pos
    if top_level and rest < len(text):
        yield Parsed(index, None, "malformed JSON: text after the end of the array", text[rest:])


def members(text: str, pos: int) -> Iterator[tuple[str, int]]:
    """(key, where its value starts) for each member of the object whose "{" is at `pos`, read
    in order without parsing the values; stops where the object stops making sense, so it also
    reads the head of a truncated or broken document."""
    pos = _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] == '"':
        try:
            key, pos = raw_decode(text, pos)
        except ValueError:
            return
        pos = _skip_ws(text, pos)
        if text[pos : pos + 1] != ":":
            return
        pos = _skip_ws(text, pos + 1)
        yield key, pos
        pos = _skip_ws(text, skip_value(text, pos))
        if text[pos : pos + 1] != ",":
            return
        pos = _skip_ws(text, pos + 1)


def wrapped_list(text: str, pos: int, keys: tuple[str, ...]) -> int | None:
    """Where the array value of the first of `keys` starts in the object whose "{" is at `pos`;
    None when there is none."""
    for key, at in members(text, pos):
        if key in keys and text[at : at + 1] == "[":
            return at
    return None


def member(text: str, pos: int, name: str) -> Any:
    """The parsed value of member `name` of the object whose "{" is at `pos`, else None."""
    for key, at in members(text, pos):
        if key == name:
            try:
                return raw_decode(text, at)[0]
            except ValueError:
                return None
    return None


def dumps(value: Any) -> str:
    """A parsed value as JSON text again (for a dead letter's payload)."""
    return json.dumps(value, ensure_ascii=False)
