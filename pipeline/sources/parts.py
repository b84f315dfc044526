"""Cut the content of a JSON Lines file or of one JSON array into parts of whole items.

cut_lines() and cut_array() take the content as an iterable of byte chunks and yield Part (whole
items, and the place of the first: line number or array index, from 0) or Cut (one item that is
not passed on: too large, malformed, or cut short by the end of the file). They hold one part and
one chunk at a time. A part is at most `target` bytes unless one item alone is larger; an item
over `max_item` bytes is a Cut. Where parts end depends on the items only, never on how the bytes
were chunked, so every runner and every re-read cuts a file the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

HEAD_BYTES = 64 * 1024  # what a Cut keeps of its item, as much as a dead letter's payload holds
_NOT_BLANK = re.compile(rb"\S")


class Part(NamedTuple):
    data: bytes
    first_item: int


class Cut(NamedTuple):
    item: int  # line number or array index
    reason: str
    head: bytes


def _blank(data: bytes | bytearray) -> bool:
    return _NOT_BLANK.search(data) is None


def _too_long(what: str, max_item: int) -> str:
    return f"{what} is longer than --max-input-bytes ({max_item} bytes): not read"


class _LineCutter:
    """Lines -> parts; blank lines count (a record's place is its line number) but are not kept
    alone: a part of blank lines only is not passed on."""

    def __init__(self, target: int, max_item: int):
        self.target, self.max_item = target, max_item
        self.buf = bytearray()
        self.line = 0  # the line number of buf's first byte
        self.skipped_head: bytes | None = None  # an overlong line being skipped to its end

    def feed(self, chunk: bytes) -> Iterator[Part | Cut]:
        if self.skipped_head is not None:
            end = chunk.find(b"\n")
            if end < 0:
                return
            yield self._skipped()
            chunk = chunk[end + 1 :]
        self.buf += chunk
        while len(self.buf) > self.target:
            end = self.buf.rfind(b"\n", 0, self.target)
            if end >= 0:  # the whole lines that fit in target bytes
                yield from self._part(end + 1)
                continue
            end = self.buf.find(b"\n", self.target)  # the first line alone is over target
            if (end if end >= 0 else len(self.buf)) > self.max_item:
                self.skipped_head = bytes(self.buf[: min(HEAD_BYTES, self.max_item)])
                if end < 0:
                    self.buf.clear()
                    return
                del self.buf[: end + 1]
                yield self._skipped()
                continue
            if end < 0:
                return  # the rest of this line is still to come
            yield from self._part(end + 1)

    def close(self) -> Iterator[Part | Cut]:
        if self.skipped_head is not None:
            yield self._skipped()
        elif self.buf:
            yield from self._part(len(self.buf))

    def _part(self, size: int) -> Iterator[Part]:
        data = bytes(self.buf[:size])
        del self.buf[:size]
        first, self.line = self.line, self.line + data.count(b"\n")
        if not _blank(data):
            yield Part(data, first)

    def _skipped(self) -> Cut:
        cut = Cut(self.line, _too_long(f"line {self.line + 1}", self.max_item), self.skipped_head)
        self.line += 1
        self.skipped_head = None
        return cut


def cut_lines(chunks: Iterable[bytes], target: int, max_item: int) -> Iterator[Part | Cut]:
    """JSON Lines content -> parts of whole lines (each with its first line's number) and Cuts."""
    cutter = _LineCutter(target, max_item)
    for chunk in chunks:
        yield from cutter.feed(chunk)
    yield from cutter.close()


# Outside a string only these bytes matter; inside one, its end and escapes.
_STRUCTURE = re.compile(rb'["\[\]{},]')
_IN_STRING = re.compile(rb'["\\]')


class _ElementScanner:
    """The elements of one top-level JSON array found by its structure alone (strings, brackets,
    commas at depth 1), so a malformed element is found, and cut out, like any other."""

    def __init__(self, max_item: int):
        self.max_item = max_item
        self._head = min(HEAD_BYTES, max_item)  # what a Cut keeps, the same however chunked
        self.buf = bytearray()
        self.start = 0  # where the current element starts in buf (after "[" or ",")
        self.pos = 0  # how far buf is scanned
        self.depth = 0  # open brackets, the array's own included
        self.in_string = False
        self.index = 0  # the current element's index
        self.skipped_head: bytes | None = None
        self.ended = False  # the array closed; what follows is trailing data
        self.trailing: bytes = b""

    def feed(self, chunk: bytes) -> Iterator[tuple[int, bytes] | Cut]:
        if self.ended:
            self._trail(chunk)
            return
        del self.buf[: self.start]  # once per chunk, never per element
        self.pos -= self.start
        self.start = 0
        self.buf += chunk
        yield from self._scan()
        if self.skipped_head is None and self.depth and len(self.buf) - self.start > self.max_item:
            self.skipped_head = bytes(self.buf[self.start : self.start + self._head])
        if self.skipped_head is not None:  # keep scanning the overlong element, keep none of it
            del self.buf[: self.pos]
            self.start = self.pos = 0

    def _scan(self) -> Iterator[tuple[int, bytes] | Cut]:
        buf = self.buf
        while not self.ended:
            if self.in_string:
                m = _IN_STRING.search(buf, self.pos)
                if m is None:
                    self.pos = len(buf)
                    return
                if buf[m.start()] == 0x5C:  # a backslash escapes the next byte, maybe unread yet
                    if m.end() >= len(buf):
                        self.pos = m.start()
                        return
                    self.pos = m.end() + 1
                    continue
                self.in_string, self.pos = False, m.end()
                continue
            m = _STRUCTURE.search(buf, self.pos)
            if m is None:
                self.pos = len(buf)
                return
            self.pos = m.end()
            yield from self._structure(buf[m.start()], m.start())

    def _structure(self, byte: int, at: int) -> Iterator[tuple[int, bytes] | Cut]:
        if byte == 0x22:  # "
            self.in_string = True
        elif byte in b"[{":
            self.depth += 1
            if self.depth == 1:  # the array opens: its first element starts after it
                self.start = self.pos
        elif byte in b"]}":
            self.depth -= 1
            if self.depth <= 0:
                yield from self._element(at, last=True)
                self.ended = True
                self._trail(bytes(self.buf[self.pos :]))
        elif byte == 0x2C and self.depth == 1:  # ,
            yield from self._element(at, last=False)

    def _element(self, end: int, last: bool) -> Iterator[tuple[int, bytes] | Cut]:
        data = bytes(self.buf[self.start : end])
        if self.skipped_head is not None or len(data) > self.max_item:
            head = self.skipped_head or data[: self._head]
            yield Cut(self.index, _too_long(f"element {self.index}", self.max_item), head)
            self.skipped_head = None
        elif not (last and self.index == 0 and _blank(data)):  # "[]" has no element
            yield self.index, data
        self.index += 1
        self.start = self.pos

    def _trail(self, data: bytes) -> None:
        if len(self.trailing) < HEAD_BYTES and not _blank(data):
            self.trailing += data[: HEAD_BYTES - len(self.trailing)]

    def close(self) -> Iterator[Cut]:
        if self.ended:
            if self.trailing:
                yield Cut(self.index, "data after the end of the JSON array", self.trailing)
            return
        rest = self.skipped_head or bytes(self.buf[self.start : self.start + self._head])
        if self.depth and (self.skipped_head is not None or not _blank(rest)):
            reason = f"the file ends inside element {self.index} of the JSON array (cut short?)"
            yield Cut(self.index, reason, rest)
        elif not self.depth:
            yield Cut(0, "not a JSON array", rest)


def element_problem(data: bytes) -> str | None:
    """Why one array element is not JSON, or None. Read as parse reads it, whatever the charset
    (bytes that are not UTF-8 pass through as surrogates, inside strings where JSON allows them)."""
    try:
        json.loads(data.decode("utf-8", "surrogateescape"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, 4,300+ digit ints, deep nests
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


def cut_array(chunks: Iterable[bytes], target: int, max_item: int) -> Iterator[Part | Cut]:
    """One JSON array's content -> parts that are JSON arrays of whole, well-formed elements (each
    with its first element's index) and a Cut per element that is not."""
    scanner = _ElementScanner(max_item)
    held: list[bytes] = []
    first, size = 0, 2

    def flush() -> Iterator[Part]:
        if held:
            yield Part(b"[" + b",".join(held) + b"]", first)
            held.clear()

    def items() -> Iterator[tuple[int, bytes] | Cut]:
        for chunk in chunks:
            yield from scanner.feed(chunk)
        yield from scanner.close()

    for item in items():
        if not isinstance(item, Cut):
            index, data = item
            data = data.strip()
            problem = element_problem(data)
            if problem is None:
                if held and size + len(data) + 1 > target:
                    yield from flush()
                if not held:
                    first, size = index, 2
                held.append(data)
                size += len(data) + 1
                continue
            item = Cut(index, f"element {index} of the JSON array is not JSON ({problem})", data)
        yield from flush()  # parts end at a cut, so each part's elements are consecutive
        yield item
    yield from flush()
