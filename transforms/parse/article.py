"""What parse emits: one Article builder for every format, and its Failure("parse", ...).

Identity (canonical URL, article_id, content_hash), the plausibility of dates and the clean-up of
authors are decided here once, so text, HTML, JSON records and feeds cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from transforms.core import identity
from transforms.core.failures import make_failure
from transforms.core.records import Article, Failure, RawDocument
from transforms.core.times import plausible
from transforms.parse.controls import clean_line, clean_text, clean_url, encodable

STEP = "parse"


class NoText(ValueError):
    """An item whose text is empty once control characters are out: a dead letter, not a row."""


def parse_failure(doc: RawDocument, error: BaseException | str, payload: Any = None) -> Failure:
    """A dead letter for the document; its payload is the document's bytes unless one is given.

    Every string in it is encodable, so the dead-letter file can always be written."""
    if isinstance(error, BaseException):
        error = f"{type(error).__name__}: {error}"
    payload = doc.data if payload is None else payload
    if isinstance(payload, str):
        payload = encodable(payload)
    return make_failure(STEP, encodable(doc.source_uri), encodable(error), payload)


def web_url(value: Any) -> str | None:
    """The value if it is an http(s) URL, else None: a file path, a JSON number or a URL that
    does not even split ("http://[oops") is no link."""
    if not isinstance(value, str) or not value[:8].lower().startswith(("http://", "https://")):
        return None
    try:
        urlsplit(value)
    except ValueError:
        return None
    return value


def _domain(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def build_article(
    doc: RawDocument,
    index: int,
    text: str,
    *,
    url: str | None = None,
    title: str | None = None,
    title_source: str | None = None,
    summary: str | None = None,
    authors: Iterable[str] = (),
    published_at: int | None = None,
    date_source: str = "none",
    modified_at: int | None = None,
    guid: str | None = None,
    source_name: str | None = None,
    feed_entry: bool = False,
) -> Article:
    """The Article for item `index` of `doc`. Dates outside times.plausible() are unknown, and
    control and bidi-override characters are out of every field (controls.py); raises NoText when
    nothing of the text is left.

    A page without a source name is named after its host. A feed entry (feed_entry=True) is not:
    its link may lead to another site (link posts, aggregators). And a feed entry without link
    and guid is keyed on its source and content, not its index: its place in the feed changes
    on every poll that adds news above it.
    """
    text = clean_text(text) or ""
    if not text.strip():
        raise NoText(f"item {index} has no text once control characters are removed")
    url = web_url(clean_url(url))
    canonical = identity.canonical_url(url)
    published = plausible(published_at, doc.fetched_at)
    guid = clean_line(guid) or None
    source_name = clean_line(source_name)
    source_uri = encodable(doc.source_uri)  # a file name may hold bytes that are not UTF-8
    key = guid
    if feed_entry and not guid and canonical is None:
        key = f"{source_uri}#{identity.content_hash(text)}"
    if not feed_entry:
        source_name = source_name or _domain(canonical)
    return Article(
        article_id=identity.article_id(canonical, key, source_uri, index),
        url=url,
        canonical_url=canonical,
        source_uri=source_uri,
        source_name=source_name or None,
        title=clean_line(title) or None,
        text=text,
        summary=clean_text(summary) or None,
        # The same name twice (a JSON-LD list, an Atom entry and its feed) is one author.
        authors=tuple(dict.fromkeys(n for n in (clean_line(a) for a in authors or ()) if n)),
        published_at=published,
        published_at_source=date_source if published is not None else "none",
        ingested_at=doc.fetched_at,
        content_hash=identity.content_hash(text),
        guid=guid,
        title_source=title_source,
        modified_at=plausible(modified_at, doc.fetched_at),
    )
