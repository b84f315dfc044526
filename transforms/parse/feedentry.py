"""One feed item in format-neutral form (RSS, Atom or JSON Feed) -> Article | Failure.

feeds.py and jsonfeed.py map their items to a FeedEntry; what an entry's text, date and identity
are is decided here once, and the Article itself comes from article.build_article().
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from transforms.core.records import Article, Failure, RawDocument
from transforms.core.times import EARLIEST_US, to_us
from transforms.parse import dates
from transforms.parse.article import build_article, parse_failure
from transforms.parse.paragraphs import one_line

_SPACES = re.compile(r"\s+")
# What stands between a title and the publisher an aggregator appends: " - ", " | ", " — ".
_GAP, _SEPARATORS = " \t\n\r\u00a0", "-|–—·"
_RFC822_WORDS = re.compile(r"^(?:[^\W\d_]+\.?,?\s+)?(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})\s+(\d.*)$")


class FeedEntry(NamedTuple):
    """One feed item in format-neutral form, before it becomes an Article."""

    title: str | None
    link: str | None
    guid: str | None
    authors: Sequence[str]
    published: int | None  # µs UTC
    updated: int | None
    summary: str  # plain text
    content: str  # plain text: the longest full-content block
    raw: Any  # the entry as parsed, kept for a dead letter
    source: str | None = None  # the publisher an aggregator names (RSS <source>, Atom <source>)


def entry_article(
    e: FeedEntry, source_name: str | None, doc: RawDocument, index: int
) -> Article | Failure:
    """The Article of entry `index`, or a Failure when it has neither title nor text."""
    # Content holds the full text when it is longer than the summary (many feeds repeat the
    # teaser in both, or put a truncated teaser in content).
    text = e.content if len(e.content) > len(e.summary) else e.summary
    if e.source:  # an aggregator's item (Google News): its publisher, not the aggregator
        e = e._replace(title=without_source(e.title, e.source))
        text, source_name = without_source(text, e.source, e.title) or "", e.source
    if not text and not e.title:
        payload = json.dumps(e.raw, default=str, ensure_ascii=False)
        return parse_failure(doc, f"entry {index} has neither title nor text", payload)
    # A headline-only item (link posts, classifieds) still is news; its title is its text, so
    # that language detection and dedupe have something to work on.
    return build_article(
        doc,
        index,
        text or e.title or "",
        url=e.link,
        title=e.title,
        title_source="feed" if e.title else None,
        summary=e.summary,
        authors=e.authors,
        published_at=e.published if e.published is not None else e.updated,
        date_source="feed",
        modified_at=e.updated,
        guid=e.guid,
        source_name=source_name,
        feed_entry=True,
    )


def without_source(text: str | None, source: str, alone: str | None = None) -> str | None:
    """A title or teaser without the publisher an aggregator appends to it: "Sciopero a Milano -
    Corriere della Sera" -> "Sciopero a Milano". The name must follow a dash, a bar or a dot, or,
    with alone, what comes before it must be alone (the teaser that is the headline then the
    publisher). Unchanged when that would leave nothing."""
    name = source.strip()
    if not text or not name or not text.casefold().endswith(name.casefold()):
        return text
    head = text[: len(text) - len(name)]
    rest = head.rstrip(_GAP + _SEPARATORS)
    if not rest:
        return text
    if head.rstrip(_GAP)[-1:] in _SEPARATORS and head[len(rest) :].startswith(tuple(_GAP)):
        return rest
    same = alone is not None and _folded(rest) == _folded(alone)
    return alone if same else text  # the same words: the headline, as the title spaces it


def _folded(text: str) -> str:
    return one_line(text).casefold()


def entry_time(raw: str | None, parsed: Any) -> int | None:
    """µs UTC from a feed date: ISO 8601 kept to the microsecond, else feedparser's parse, else
    an RFC 822 date with its day and month named in another language."""
    raw = (raw or "").strip()
    if raw[:4].isdigit() and "T" in raw[8:12]:
        try:
            dt = datetime.fromisoformat(raw.replace("z", "Z"))
            if dt.tzinfo is not None:
                return to_us(dt)
        except ValueError:
            pass
    if parsed is None and raw:
        from feedparser.datetimes import _parse_date  # feedparser's RFC 822/W3C/… handlers

        parsed = _parse_date(raw) or _parse_date(_english_rfc822(raw))
        if parsed is None:
            return dates.parse_date(raw)  # a date in words, without a zone: taken as UTC
    if not dates.says_year(raw, getattr(parsed, "tm_year", None)):
        return dates.parse_date(raw)  # feedparser guessed a year the text does not say
    try:
        return plausible_or_none(calendar.timegm(parsed) * 1_000_000)
    except (TypeError, ValueError, OverflowError):
        return None


def plausible_or_none(at: int) -> int | None:
    """Feed times before the earliest news date are placeholders, not times."""
    return at if at >= EARLIEST_US else None


def _english_rfc822(raw: str) -> str:
    """ "Seg, 24 Set 2018 19:42:40 -0300" -> "24 Sep 2018 19:42:40 -0300", keeping the zone."""
    match = _RFC822_WORDS.match(raw)
    if not match:
        return ""
    month = dates.parse_date(f"1 {match.group(2)} 2000")  # the month table of every language
    if month is None:
        return ""
    name = calendar.month_abbr[datetime.fromtimestamp(month / 1e6, UTC).month]
    return f"{match.group(1)} {name} {match.group(3)} {match.group(4)}"


def html_text(html: str) -> str:
    """An entry's HTML (content, summary, a title with markup) as plain paragraphs."""
    if not html:
        return ""
    from transforms.parse.html import fragment_to_text  # deferred: lxml only when there is markup

    return fragment_to_text(html)


def plain(text: str) -> str:
    """Plain text with runs of white space folded, paragraphs kept."""
    paragraphs = (_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text or ""))
    return "\n\n".join(p for p in paragraphs if p)
