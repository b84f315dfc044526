"""Parse: RawDocument -> Article per item (text, HTML, JSON, CSV, feeds) | Failure.

parse_document() is the pure core: unpack (gunzip within a cap) and sniff, decode, then hand the
text to the reader for its format. Anything that stops an item becomes a Failure("parse", ...);
bytes that had to be replaced to decode a document are counted (Beam counter parse/replaced_bytes).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import parse_failure
from transforms.parse.csvrecords import csv_articles
from transforms.parse.decoding import decode_bytes
from transforms.parse.feeds import parse_feed  # feedparser itself loads on the first feed
from transforms.parse.html import html_articles
from transforms.parse.jsonlines import record_articles
from transforms.parse.plaintext import plain_text_articles
from transforms.parse.unpack import (
    CSV,
    FEED,
    HTML,
    JSON,
    JSONL,
    TEXT,
    TSV,
    DecompressError,
    unpack,
)

# A page (HTML or text) beyond this many bytes is cut before decoding and extraction: a 50 MB
# page costs what a 5 MB one does, and article text sits in the first megabytes of every page.
MAX_HTML_BYTES = 5 * 1024 * 1024


def _looks_binary(text: str) -> bool:
    """Control characters or replacement marks in more than 5% of the head: not a text document."""
    head = text[:8192]
    if not head:
        return False
    bad = sum(
        1
        for ch in head
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    )
    return bad / len(head) > 0.05


def _parse(doc: RawDocument, fast_html: bool, stats: Counter) -> Iterator[Article | Failure]:
    if not doc.data or doc.data.isspace():
        reason = "empty document" if not doc.truncated else "nothing read before the size limit"
        yield parse_failure(doc, reason)
        return
    try:
        data, fmt, _ = unpack(doc.source_uri, doc.data)
    except DecompressError as exc:
        cut = " (the source cut the file at its size limit)" if doc.truncated else ""
        yield parse_failure(doc, f"{exc}{cut}", doc.data[:4096])
        return
    if not data or data.isspace():
        yield parse_failure(doc, "empty document after decompression")
        return
    if fmt == FEED:
        yield from parse_feed(doc._replace(data=data), stats)  # feeds decode their own bytes
        return
    cut = b""
    if fmt in (HTML, TEXT):
        data = data[:MAX_HTML_BYTES]  # one page is one item, cut or not
    elif doc.truncated and fmt in (JSONL, CSV, TSV):
        data, _, cut = data.rpartition(b"\n")  # the last line is the one the size limit cut
    decoded = decode_bytes(data, doc.content_type)
    stats["replaced_bytes"] += decoded.replaced
    if _looks_binary(decoded.text) or not decoded.text.strip():
        yield parse_failure(doc, f"binary or undecodable content (not {fmt})")
        return
    text = decoded.text
    if fmt == TEXT:
        yield from plain_text_articles(doc, text)
    elif fmt == HTML:
        yield from html_articles(doc, text, fast_html)
    elif fmt in (JSONL, JSON, CSV, TSV):
        if fmt in (CSV, TSV):
            yield from csv_articles(doc, text, "\t" if fmt == TSV else None)
        else:
            yield from record_articles(doc, text, array=fmt == JSON)
        if doc.truncated:  # whatever followed the cut is not read: one dead letter says so
            error = f"document cut at {len(doc.data)} bytes by the source's size limit"
            yield parse_failure(
                doc, f"{error}: what follows the last complete record is not read", cut
            )
    else:
        yield parse_failure(doc, f"unsupported format {fmt!r}")


def parse_document(
    doc: RawDocument, fast_html: bool = False, stats: Counter | None = None
) -> Iterator[Article | Failure]:
    """Every article in one document, or Failures saying why not. Never raises.

    fast_html skips trafilatura's fallback extractors: about a third less CPU per page for a
    little recall (F1 0.975 instead of 0.978 on bench/eval_html.py). `stats`, when given, counts
    what parse repaired ("replaced_bytes": undecodable bytes that became U+FFFD).
    """
    stats = Counter() if stats is None else stats
    try:
        yield from _parse(doc, fast_html, stats)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one document must not stop the run
        yield parse_failure(doc, f"{type(exc).__name__}: {exc}")


def parse_page(doc: RawDocument, fast_html: bool = False) -> Article | Failure:
    """A fetched article page -> its Article, by the batch HTML path whatever its URL looks like
    (a page URL rarely ends in .html); a Failure when it has no main text. Never raises."""
    try:
        decoded = decode_bytes(doc.data[:MAX_HTML_BYTES], doc.content_type)
        if _looks_binary(decoded.text) or not decoded.text.strip():
            return parse_failure(doc, "binary or undecodable content (not html)")
        return next(iter(html_articles(doc, decoded.text, fast_html)))
    except Exception as exc:  # noqa: BLE001 - a parser bug on one page must not stop the run
        return parse_failure(doc, f"{type(exc).__name__}: {exc}")


class _ParseFn(beam.DoFn):
    def __init__(self, fast_html: bool):
        self._fast_html = fast_html

    def setup(self) -> None:
        self._replaced = Metrics.counter("parse", "replaced_bytes")
        self._repaired = Metrics.counter("parse", "documents_with_replaced_bytes")

    def process(self, doc: RawDocument) -> Iterator:
        stats: Counter = Counter()
        for item in parse_document(doc, self._fast_html, stats):
            if isinstance(item, Failure):
                yield pvalue.TaggedOutput(FAILURES, item)
            else:
                yield item
        if stats["replaced_bytes"]:
            self._replaced.inc(stats["replaced_bytes"])
            self._repaired.inc()


class ParseDocuments(beam.PTransform):
    """PCollection[RawDocument] -> outputs "articles" (Article) and "failures" (Failure)."""

    def __init__(self, fast_html: bool = False):
        super().__init__()
        self._fast_html = fast_html

    def expand(self, documents):
        fn = _ParseFn(self._fast_html)
        return documents | "Parse" >> beam.ParDo(fn).with_outputs(FAILURES, main=ARTICLES)
