"""One input file -> RawDocument | Failure, for the batch files source and the folder watch.

JSON Lines and JSON arrays (gzipped or not) are streamed and cut into parts of whole items
(parts.py), so a file of any size is read whole, item by item, in bounded memory. Any other file is
one document read whole; past --max-input-bytes it is a dead letter, except a plain page (HTML,
text), which is one item either way: its head is read, as parse cuts pages at 5 MB anyway. FIFOs,
sockets and devices are reported, never opened (opening a FIFO waits for a writer forever).
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline.sources.parts import HEAD_BYTES, Cut, Part, cut_array, cut_lines
from transforms.core.failures import make_failure
from transforms.core.records import Failure, RawDocument

STEP = "read"
PART_BYTES = 8 * 1024 * 1024  # a part of a large JSON Lines file: parsed on one worker
READ_ERROR = "cannot read"  # the prefix of failures that a later attempt may not have
_CHUNK = 1024 * 1024
_HEAD = 4096  # enough of the content to tell its shape
_GZIP_MAGIC = b"\x1f\x8b"

LINES, ARRAY, PAGE, WHOLE = "lines", "array", "page", "whole"
_PAGES = (".html", ".htm", ".xhtml", ".txt", ".text")
# A feed saved under a page's name is parsed as a feed: cut short, it would lose items.
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_KNOWN = (".xml", ".rss", ".atom", ".rdf", *_PAGES)
_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class NotAFile(OSError):
    """The path is a FIFO, socket, device or folder: reported, never read."""


class Read(NamedTuple):
    """One thing read from a file: a document for parse (a `part` of a file cut in several is
    spread over workers before parse), or a failure."""

    item: RawDocument | Failure
    part: bool = False


def special_kind(mode: int) -> str | None:
    """What a stat mode is when it is not a regular file, else None."""
    for test, kind in _SPECIAL:
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def _check_regular(mode: int, path: str) -> None:
    kind = special_kind(mode)
    if kind:
        raise NotAFile(f"skipped: {path} is {kind}, not a regular file (not opened)")


def open_input(path: str) -> BinaryIO:
    """A file's raw bytes (no transparent decompression). A local path is checked before it is
    opened, and opened without blocking, so a FIFO swapped in between cannot hang the read."""
    if "://" in path:
        return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    _check_regular(os.stat(path).st_mode, path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        _check_regular(os.fstat(fd).st_mode, path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


class DecompressError(ValueError):
    pass


def gunzip_chunks(raw: Iterable[bytes]) -> Iterator[bytes]:
    """Stream gzip (members concatenated too) in chunks of at most 1 MiB, whatever the ratio;
    trailing garbage after the last member is ignored, as gzip(1) does."""
    inflater, pending, ended = zlib.decompressobj(wbits=31), b"", False
    for chunk in raw:
        data, pending = pending + chunk, b""
        while data and not ended:
            if inflater.eof:  # the next member, zero padding, or the end
                data = data.lstrip(b"\x00")
                if len(data) < 2:
                    pending, data = data, b""
                    break
                if not data.startswith(_GZIP_MAGIC):
                    ended = True
                    break
                inflater = zlib.decompressobj(wbits=31)
            try:
                out = inflater.decompress(data, _CHUNK)
                while out:
                    yield out
                    out = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
            except zlib.error as exc:
                raise DecompressError(f"corrupt gzip: {exc}") from exc
            data = inflater.unused_data if inflater.eof else b""
    if not ended and not inflater.eof:
        raise DecompressError("truncated gzip: the stream ends before its end marker")


def utf16_of(head: bytes) -> str | None:
    """The UTF-16/32 a content is written in, from its BOM or its NULs, else None: such a file
    is re-encoded to UTF-8 before it is cut, as a line break there is two or four bytes."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name
    pairs = len(head) // 2
    if pairs < 8:
        return None
    even_nul = head[0 : pairs * 2 : 2].count(0) / pairs
    odd_nul = head[1 : pairs * 2 : 2].count(0) / pairs
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _to_utf8(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower().removesuffix(".gz")
    return name[name.rfind(".") :] if "." in name else ""


def _first_line_is_json(head: bytes) -> bool:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)
    if len(line) < 2:
        return False
    try:
        return isinstance(json.loads(line[0]), dict)
    except (ValueError, RecursionError):
        return False


def shape(path: str, head: bytes) -> str:
    """How a file is read: cut in parts (LINES, ARRAY), as one PAGE, or WHOLE; `head` is the
    start of its content, decompressed."""
    ext = _extension(path)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if ext in _PAGES:
        return WHOLE if _FEED_ROOT.search(head) else PAGE
    if ext in _KNOWN or start == b"<":
        return WHOLE
    if start == b"[" and ext in (".json", ""):
        return ARRAY
    if ext in (".jsonl", ".ndjson") or (start == b"{" and _first_line_is_json(head)):
        return LINES
    return WHOLE


class FileReader:
    """Reads files as the sources' DoFns ask; the caps and sizes are plain values."""

    def __init__(self, max_bytes: int, part_bytes: int = PART_BYTES):
        self.max_bytes = max_bytes
        self.target = min(part_bytes, max_bytes)

    def read(self, path: str, fetched_at: int) -> Iterator[Read]:
        """Every document and failure of one file. Never raises."""

        def failure(reason: str | BaseException, payload: bytes = b"") -> Read:
            return Read(make_failure(STEP, path, reason, payload)._replace(at=fetched_at))

        try:
            with open_input(path) as fh:
                yield from self._read(fh, path, fetched_at, failure)
        except NotAFile as exc:
            yield failure(str(exc))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a dead letter, not a crash
            yield failure(f"{READ_ERROR}: {type(exc).__name__}: {exc}")

    def _read(self, fh: BinaryIO, path: str, fetched_at: int, failure) -> Iterator[Read]:
        first = fh.read(_CHUNK)
        compressed = first[:2] == _GZIP_MAGIC
        head = _gunzip_head(first) if compressed else first[:_HEAD]
        encoding = utf16_of(head)
        if encoding:
            head = head.decode(encoding, "replace").encode("utf-8")
        how = shape(path, head)
        if how in (LINES, ARRAY):
            content = itertools.chain([first], iter(lambda: fh.read(_CHUNK), b""))
            if compressed:
                content = gunzip_chunks(content)
            if encoding:
                content = _to_utf8(content, encoding)
            yield from self._parts(content, path, fetched_at, how, failure)
            return
        data = _read_up_to(fh, self.max_bytes + 1, first)
        doc = RawDocument(source_uri=path, data=data, fetched_at=fetched_at)
        if len(data) <= self.max_bytes:
            yield Read(doc)
        elif how == PAGE and not compressed:
            yield Read(doc._replace(data=data[: self.max_bytes], truncated=True))
        else:
            yield failure(
                f"file{_size(fh)} exceeds --max-input-bytes ({self.max_bytes} bytes); only JSON "
                "Lines and JSON arrays are read past it, part by part",
                data[:HEAD_BYTES],
            )

    def _parts(self, content, path, fetched_at, how, failure) -> Iterator[Read]:
        """Parts of a file; a file that fits in one part is passed on as it is. A damaged gzip
        stream ends the content where it breaks: what came before is read, the rest is one
        counted failure."""
        damage: list[DecompressError] = []
        content = _until_damaged(content, damage)
        held = bytearray()
        for chunk in content:  # the first `target` bytes: is there more than one part?
            held += chunk
            if len(held) > self.target:
                content = itertools.chain([bytes(held)], content)
                break
        else:
            if held.strip() or not damage:  # a blank file: parse says "empty document"
                yield Read(RawDocument(source_uri=path, data=bytes(held), fetched_at=fetched_at))
            yield from (failure(f"{exc}: what came before it is read") for exc in damage)
            return
        del held
        cut = cut_lines if how == LINES else cut_array
        accounted = False
        for piece in cut(content, self.target, self.max_bytes):
            accounted = True
            if isinstance(piece, Part):
                doc = RawDocument(path, piece.data, fetched_at, first_item=piece.first_item)
                yield Read(doc, part=True)
            else:
                yield failure(piece.reason, piece.head)
        yield from (failure(f"{exc}: what came before it is read") for exc in damage)
        if not (accounted or damage):  # nothing but blank lines: "empty document", as when small
            yield Read(RawDocument(source_uri=path, data=b"", fetched_at=fetched_at))


def _until_damaged(chunks: Iterator[bytes], damage: list) -> Iterator[bytes]:
    try:
        yield from chunks
    except DecompressError as exc:
        damage.append(exc)


def _read_up_to(fh: BinaryIO, size: int, start: bytes) -> bytes:
    """`start` and what follows it, up to `size` bytes in all (a read may return less)."""
    data = bytearray(start[:size])
    while len(data) < size:
        more = fh.read(min(_CHUNK, size - len(data)))
        if not more:
            break
        data += more
    return bytes(data)


def _gunzip_head(first: bytes) -> bytes:
    try:
        return zlib.decompressobj(wbits=31).decompress(first, _HEAD)
    except zlib.error:
        return b""  # the stream itself will say what is wrong with it


def _size(fh: BinaryIO) -> str:
    try:
        return f" of {os.fstat(fh.fileno()).st_size} bytes"
    except (OSError, AttributeError, ValueError):  # not a local file: its size is not at hand
        return ""


__all__ = ["Cut", "FileReader", "Read", "open_input", "shape", "special_kind"]
