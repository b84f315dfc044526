"""Parse: RawDocument -> Article per item (text, HTML, JSON Lines/arrays, feeds) | Failure.

parse_document() is the pure core: unpack (gunzip within a cap) and sniff, decode, then hand the
text to the reader for its format. Anything that stops an item becomes a Failure("parse", ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue

from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.dates import parse_date
from transforms.parse.decoding import decode_bytes
from transforms.parse.html import extract_article, fragment_to_text
from transforms.parse.jsonlines import read_records
from transforms.parse.plaintext import clean_plain_text
from transforms.parse.unpack import FEED, HTML, JSON, JSONL, TEXT, DecompressError, unpack

# A page (HTML or text) beyond this many bytes is cut before decoding and extraction: a 50 MB
# page costs what a 5 MB one does, and article text sits in the first megabytes of every page.
MAX_HTML_BYTES = 5 * 1024 * 1024
_MAX_FAILED_RECORDS = 3  # more bad records than this and no good one: the whole file is bad
_MARKUP = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|ul|li|h\d)\b[^>]*>", re.IGNORECASE)


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


def _first_date(candidates: list[tuple[str, str]]) -> tuple[int | None, str]:
    for source, raw in candidates:
        at = parse_date(raw)
        if at is not None:
            return at, source
    return None, "none"


def _parse_text(doc: RawDocument, text: str) -> Iterator[Article | Failure]:
    page = clean_plain_text(text)
    if not page.text:
        yield parse_failure(doc, "no article text found in plain text", text)
        return
    url = web_url(doc.source_uri)
    yield build_article(
        doc,
        0,
        page.text,
        url=url,
        title=page.title,
        title_source=page.title_source,
        summary=page.summary,
        authors=page.authors,
        published_at=page.published_at,
        date_source="text",
        source_name=page.source_name,
    )


def _parse_html(doc: RawDocument, html: str, fast: bool) -> Iterator[Article | Failure]:
    page_url = web_url(doc.source_uri)
    page = extract_article(html, page_url, fast=fast)
    if not page["text"]:
        yield parse_failure(doc, "HTML page has no main text (empty body or not an article)", html)
        return
    published, source = _first_date(page["dates"])
    if published is None and page["date"]:
        published, source = parse_date(page["date"]), "html"
    modified, _ = _first_date(page["modified"])
    url = web_url(page["canonical_url"]) or page_url
    yield build_article(
        doc,
        0,
        page["text"],
        url=url,
        title=page["title"],
        title_source=page["title_source"],
        summary=page["description"],
        authors=page["authors"],
        published_at=published,
        date_source=source,
        modified_at=modified,
        source_name=page["site_name"],
    )


def _record_text(value: str | None) -> str:
    if not value:
        return ""
    return fragment_to_text(value) if _MARKUP.search(value) else value.strip()


def _parse_records(doc: RawDocument, text: str, array: bool) -> Iterator[Article | Failure]:
    results = list(_records(doc, text, array))
    failures = [r for r in results if isinstance(r, Failure)]
    if len(failures) > _MAX_FAILED_RECORDS and len(failures) == len(results):
        # Not one record reads: the file is not JSON at all, so it is one dead letter, not N.
        yield parse_failure(
            doc, f"not JSON: all {len(results)} records malformed ({failures[0].error})"
        )
        return
    yield from results


def _records(doc: RawDocument, text: str, array: bool) -> Iterator[Article | Failure]:
    for record in read_records(text, array):
        if record.fields is None:
            yield parse_failure(doc, record.error or "unreadable record", record.raw)
            continue
        f = record.fields
        body = _record_text(f["text"])
        if not body:
            yield parse_failure(doc, f"record {record.index} has no text", record.raw)
            continue
        yield build_article(
            doc,
            record.index,
            body,
            url=web_url(f["url"]),
            title=f["title"],
            title_source="input" if f["title"] else None,
            summary=_record_text(f["summary"]) or None,
            authors=f["authors"],
            published_at=f["published_at"],
            date_source="input",
            modified_at=f["modified_at"],
            guid=f["guid"],
            source_name=f["source_name"],
        )


def _parse_feed(doc: RawDocument) -> Iterator[Article | Failure]:
    from transforms.parse.feeds import parse_feed  # deferred: feedparser only loads for feeds

    yield from parse_feed(doc)


def _parse(doc: RawDocument, fast_html: bool) -> Iterator[Article | Failure]:
    if not doc.data or not doc.data.strip():
        yield parse_failure(doc, "empty document")
        return
    try:
        data, fmt, _ = unpack(doc.source_uri, doc.data)
    except DecompressError as exc:
        yield parse_failure(doc, str(exc))
        return
    if not data.strip():
        yield parse_failure(doc, "empty document after decompression")
        return
    if fmt == FEED:
        yield from _parse_feed(doc._replace(data=data))
        return
    if fmt in (HTML, TEXT):
        data = data[:MAX_HTML_BYTES]
    decoded = decode_bytes(data, doc.content_type)
    if _looks_binary(decoded.text):
        yield parse_failure(doc, f"binary or undecodable content (not {fmt})")
        return
    text = decoded.text
    if fmt == TEXT:
        yield from _parse_text(doc, text)
    elif fmt == HTML:
        yield from _parse_html(doc, text, fast_html)
    elif fmt in (JSONL, JSON):
        yield from _parse_records(doc, text, array=fmt == JSON)
    else:
        yield parse_failure(doc, f"unsupported format {fmt!r}")


def parse_document(doc: RawDocument, fast_html: bool = False) -> Iterator[Article | Failure]:
    """Every article in one document, or Failures saying why not. Never raises.

    fast_html skips trafilatura's fallback extractors: about a third less CPU per page for a
    little recall (F1 0.975 instead of 0.978 on bench/eval_html.py).
    """
    try:
        yield from _parse(doc, fast_html)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one document must not stop the run
        yield parse_failure(doc, f"{type(exc).__name__}: {exc}")


class _ParseFn(beam.DoFn):
    def __init__(self, fast_html: bool):
        self._fast_html = fast_html

    def process(self, doc: RawDocument) -> Iterator:
        for item in parse_document(doc, self._fast_html):
            if isinstance(item, Failure):
                yield pvalue.TaggedOutput(FAILURES, item)
            else:
                yield item


class ParseDocuments(beam.PTransform):
    """PCollection[RawDocument] -> outputs "articles" (Article) and "failures" (Failure)."""

    def __init__(self, fast_html: bool = False):
        super().__init__()
        self._fast_html = fast_html

    def expand(self, documents):
        fn = _ParseFn(self._fast_html)
        return documents | "Parse" >> beam.ParDo(fn).with_outputs(FAILURES, main=ARTICLES)
