"""What a RawDocument holds: gunzip within a size cap, then the format from its name or first bytes."""

from __future__ import annotations

import re
import zlib
from typing import NamedTuple
from urllib.parse import urlsplit

from transforms.parse.jsonfeed import is_json_feed

# A decompressed document larger than this is a bomb or not news; gunzip stops and reports it.
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"

TEXT, HTML, JSONL, JSON, FEED = "text", "html", "jsonl", "json", "feed"
CSV, TSV = "csv", "tsv"
_BY_EXTENSION = {
    ".txt": TEXT,
    ".text": TEXT,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".json": JSON,
    ".xml": FEED,
    ".rss": FEED,
    ".atom": FEED,
    ".rdf": FEED,
    ".csv": CSV,
    ".tsv": TSV,
}
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(
    rb"<(!doctype\s+html|html|head|body|meta|title|div|p|article)[\s>]", re.IGNORECASE
)


class DecompressError(ValueError):
    pass


class Unpacked(NamedTuple):
    data: bytes
    format: str
    compressed: bool


def _path(source_uri: str) -> str:
    path = urlsplit(source_uri).path if "://" in source_uri else source_uri
    return path.lower()


def gunzip(data: bytes, cap: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress gzip (members concatenated too) without ever holding more than `cap` bytes."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits=31)
        try:
            out += inflater.decompress(data, cap + 1 - len(out))
            if len(out) > cap:
                raise DecompressError(f"gzip expands beyond {cap} bytes (gzip bomb?)")
            while inflater.unconsumed_tail and len(out) <= cap:
                out += inflater.decompress(inflater.unconsumed_tail, cap + 1 - len(out))
                if len(out) > cap:
                    raise DecompressError(f"gzip expands beyond {cap} bytes (gzip bomb?)")
        except zlib.error as exc:
            raise DecompressError(f"corrupt gzip: {exc}") from exc
        if not inflater.eof:
            raise DecompressError("truncated gzip: stream ends before its end marker")
        data = inflater.unused_data.lstrip(b"\x00")
        if data and not data.startswith(_GZIP_MAGIC):
            break  # trailing garbage after the last member, as gzip(1) tolerates
    return bytes(out)


def _head(data: bytes) -> bytes:
    """The first bytes as sniffing reads them: no BOM, no UTF-16 zero bytes, no leading blanks."""
    head = data[:2048]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    if b"\x00" in head[:512] and not (data[:2] in (b"\xff\xfe", b"\xfe\xff")):
        head = head.replace(b"\x00", b"")  # UTF-16 without BOM still shows its ASCII
    return head.lstrip()


def sniff(data: bytes) -> str:
    """The format of undecorated bytes from their first non-blank characters."""
    stripped = _head(data)
    if stripped[:1] in (b"{", b"["):
        if is_json_feed(data):
            return FEED
        first_line = stripped.split(b"\n", 1)[0].strip()
        return JSONL if stripped[:1] == b"{" and first_line.endswith(b"}") else JSON
    if _FEED_ROOT.search(stripped[:1024]):
        return FEED
    if _HTML_ROOT.search(stripped[:1024]):
        return HTML
    if stripped.startswith(b"<?xml"):
        return FEED
    return TEXT


def _plainly(sniffed: str, data: bytes) -> bool:
    """Whether bytes are plainly markup or a feed, whatever their name says: a JSON Feed, or a
    document that starts with a tag. A tag further in (a JSON Lines file whose first line is
    garbage and whose records hold "<p>", a text that quotes "<title>") is content, not format."""
    if sniffed not in (HTML, FEED):
        return False
    first = _head(data)[:1]
    return first == b"<" or (sniffed == FEED and first in (b"{", b"["))


def unpack(source_uri: str, data: bytes) -> Unpacked:
    """Gunzip if needed, then name the format: extension first, else the bytes' own shape."""
    path = _path(source_uri)
    compressed = data[:2] == _GZIP_MAGIC
    if compressed:
        data = gunzip(data)
    path = path.removesuffix(".gz")  # a .gz already inflated in transport is just its content
    for extension, fmt in _BY_EXTENSION.items():
        if path.endswith(extension):
            sniffed = sniff(data)
            # The name decides, unless the bytes plainly are markup or a feed: an HTML page
            # saved as .txt or .jsonl, a JSON Feed named .json.
            if fmt in (TEXT, JSON, JSONL, CSV, TSV) and _plainly(sniffed, data):
                fmt = sniffed
            return Unpacked(data, fmt, compressed)
    return Unpacked(data, sniff(data), compressed)
