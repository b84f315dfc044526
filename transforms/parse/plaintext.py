"""Scraped page text -> title, main text, date, authors: clutter removed by the shape of each line.

A line is judged by its length, punctuation, capitalisation, position, repetition and what sits next
to it (a credit line marks its neighbour as a caption; a copyright line ends the article) — plus a few
multilingual cue words (credit, byline, "read also") that mean the same on every site. textlines.py
judges each line alone; this module weighs the lines against each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.cues import load_cues
from transforms.parse.dates import find_dates
from transforms.parse.glue import unglue
from transforms.parse.textlines import (
    COPYRIGHT,
    Line,
    ends_with_domain,
    is_bare_credit,
    is_credit,
    is_date_only,
    is_headline,
    is_interstitial,
    is_nav,
    is_prose,
    is_subheading,
    line,
)

_LINK_TAIL = re.compile(r"\s*(?:🔗|➡️?|►|▶️?|→|👉)\s*(?:(?![.!?]\s).){0,80}$")
# The cue words of every language are in data/plaintext_cues.tsv; the patterns around them here.
_CUES = load_cues("plaintext_cues.tsv")
_NAMES = r"(?:[A-Z][\w.'’-]+\s?){2,4}"  # "Anna Maria Rossi": capitalised, two to four words
_BYLINE = re.compile(
    rf"^(?i:{_CUES.pattern('byline')})\s+"
    rf"({_NAMES}(?:(?:,|&|{_CUES.pattern('name_joiner')})\s+{_NAMES})*)$"
)
_NAME_JOINER = re.compile(
    ",|&|" + "|".join(f" {re.escape(w)} " for w in _CUES.phrases("name_joiner"))
)
_DATE_CUE = re.compile(
    rf"\b(?:{_CUES.pattern('published')}|{_CUES.pattern('date_label')})\b", re.IGNORECASE
)
_UPDATED_CUE = re.compile(rf"\b(?:{_CUES.pattern('updated')})\b", re.IGNORECASE)
_LEADING_DATE = re.compile(rf"^\s*(?:(?:{_CUES.pattern('date_label')})\s*:?\s*)?$", re.IGNORECASE)
# A section label over a page's text ("Ultime notizie"), whole line: no headline.
_SECTION_LABEL = re.compile(rf"^(?:{_CUES.pattern('section_label')})$", re.IGNORECASE)
# The fewest words of a sentence in a news flash (a text with no paragraph of prose).
BRIEF_WORDS = 6
# A dateline's head: a place (its agency in brackets), a comma, perhaps a weekday; then the date,
# then a dash or a colon.
_DATELINE_PLACE = re.compile(r"^[^\W\d_][^\d,;:!?()]{0,40}(?:\([^()]{1,30}\))?\s*,(?:\s*\w+)?\s*$")
_DATELINE_END = re.compile(r"^\s*[-–—:]")
# A short heading that opens the page's after-article furniture: related links or comments.
_SECTION_END = re.compile(
    rf"^(?:{_CUES.pattern('section_end')}|\d+ (?:{_CUES.pattern('comment_count')}))\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"“«(]?[A-Z0-9À-Ý])")


class PlainText(NamedTuple):
    title: str | None
    title_source: str  # headline | copyright_line | lead_sentence | none
    text: str  # paragraphs separated by "\n\n"
    summary: str | None
    authors: list[str]
    published_at: int | None  # µs UTC, from the text
    source_name: str | None


def plain_text_articles(doc: RawDocument, text: str) -> Iterator[Article | Failure]:
    """The one Article of a plain-text document, or a Failure when no line reads like one."""
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


def clean_plain_text(raw: str) -> PlainText:
    """Scraped text with clutter -> PlainText; text is "" when nothing reads like an article."""
    lines = _distinct_lines(unglue(raw))
    leading_date = None
    if lines:
        leading_date, lines[0] = _split_leading_date(lines[0])
    info = [line(t) for t in lines]
    caption = _captions(info)
    # The body starts at the first prose that is no caption; the headline stands above it.
    start = next((i for i, ln in enumerate(info) if is_prose(ln) and not caption[i]), None)
    keep = is_prose
    if start is None:  # no paragraph: perhaps a news flash of a sentence or two
        start, keep = _brief_start(info, caption), is_brief
    header = info if start is None else info[:start]
    title_at = next((i for i, ln in enumerate(header) if is_headline(ln) and not caption[i]), None)
    if title_at is None and start == 1 and _short_headline(info[0]):
        title_at = 0
    body = [] if start is None else _body(info, caption, start, _body_stop(info, start), keep)
    title, title_source, source_name = _title_and_site(lines, title_at, body)
    return PlainText(
        title=title,
        title_source=title_source,
        text="\n\n".join(body),
        summary=body[0] if body and len(body[0].split()) >= 10 else None,
        authors=_byline_authors(lines[: start or 0]),
        published_at=leading_date
        or _article_date(lines, title_at, start or 0)
        or _dateline_date(body),
        source_name=source_name,
    )


def _distinct_lines(raw: str) -> list[str]:
    """Non-blank lines with spaces folded and a trailing "→ link" cut off; a line seen before is
    page template, not a second paragraph, so only its first showing stays."""
    lines: list[str] = []
    seen: set[str] = set()
    for text in raw.splitlines():
        text = re.sub(r"[ \t\u00a0]+", " ", text).strip()
        if not text:
            continue
        trimmed = _LINK_TAIL.sub("", text)
        text = trimmed if len(trimmed.split()) >= 5 else text
        if text.casefold() not in seen:
            seen.add(text.casefold())
            lines.append(text)
    return lines


def _captions(info: list[Line]) -> list[bool]:
    """Which lines are captions: credits, lines shown twice, lines standing beside a bare credit."""
    credit = [is_credit(ln.text) for ln in info]
    bare = [c and is_bare_credit(ln) for c, ln in zip(credit, info, strict=True)]
    prose = [is_prose(ln) for ln in info]
    return [
        credit[i]
        or _inside_a_neighbour(info, i)
        or (_beside_bare_credit(i, bare, prose) and not is_nav(info[i]))
        for i in range(len(info))
    ]


def _inside_a_neighbour(info: list[Line], i: int) -> bool:
    """A line repeated inside a longer one nearby is a caption shown twice (image alt + figure)."""
    text = info[i].text
    return any(
        j != i and len(info[j].text) > len(text) and text in info[j].text
        for j in range(max(0, i - 3), min(len(info), i + 4))
    )


def _beside_bare_credit(i: int, bare: list[bool], prose: list[bool]) -> bool:
    """A caption stands alone beside its credit; prose on both sides means body text."""
    n = len(bare)
    return any(
        bare[j] and not (0 <= 2 * i - j < n and prose[2 * i - j])
        for j in (i - 1, i + 1)
        if 0 <= j < n
    )


def _body_stop(info: list[Line], start: int) -> int:
    """Where the article ends: at a copyright line, or at a "related"/"comments" heading once most
    prose is behind it (the same words in a menu near the top must not cut the story)."""
    prose_words = [ln.words if is_prose(ln) else 0 for ln in info]
    total, behind = sum(prose_words), 0
    for i in range(start + 1, len(info)):
        behind += prose_words[i - 1]
        text = info[i].text
        furniture = info[i].words <= 6 and _SECTION_END.match(text) and behind * 2 >= total
        if COPYRIGHT.match(text) or furniture:
            return i
    return len(info)


def _body(info: list[Line], caption: list[bool], start: int, stop: int, keep=is_prose) -> list[str]:
    """Paragraphs (lines that keep() holds) and sub-headings from start to the last paragraph
    before stop, clutter left out."""
    end = max(i for i in range(start, stop) if keep(info[i]) or i == start)
    body = []
    for i in range(start, end + 1):
        ln = info[i]
        if caption[i] or ends_with_domain(ln.text) or is_interstitial(ln.text):
            continue
        if keep(ln) or is_subheading(ln):
            body.append(ln.text)
    return body


def _short_headline(ln: Line) -> bool:
    """A file's first line of two or three words right above its text is its headline ("Fed
    holds rates", "Merkel Steps Down"), though a line that short elsewhere is as often a menu."""
    return (
        2 <= ln.words <= 3
        and ln.text[:1].isupper()
        and ln.text.rstrip("\"'”’»)")[-1:] not in ".:;,"
        and not is_credit(ln.text)
        and not is_date_only(ln.text)
        and not COPYRIGHT.match(ln.text)
        and not _BYLINE.match(ln.text)
        and not _SECTION_LABEL.match(ln.text.strip(" :|-–—"))
    )


def is_brief(ln: Line) -> bool:
    """A sentence of a news flash: shorter than prose, but a whole sentence, and no page
    furniture ("The Federal Reserve kept interest rates unchanged on Wednesday.")."""
    return is_prose(ln) or (
        ln.words >= BRIEF_WORDS
        and ln.terminal
        and not is_nav(ln)
        and not is_credit(ln.text)
        and not is_interstitial(ln.text)
        and not is_date_only(ln.text)
        and not COPYRIGHT.match(ln.text)
    )


def _brief_start(info: list[Line], caption: list[bool]) -> int | None:
    """Where a text with no paragraph starts its news flash: the first brief sentence, if a
    headline stands above it or a second one follows ("Page not found. The page you asked for
    does not exist." alone is no article)."""
    found = [i for i, ln in enumerate(info) if is_brief(ln) and not caption[i]]
    if not found:
        return None
    first = found[0]
    if len(found) >= 2 or any(is_headline(ln) for ln in info[:first]):
        return first
    return None


def _byline_authors(header: list[str]) -> list[str]:
    """Names from "By Ann Lee and Bo Ma" lines above the body."""
    authors: list[str] = []
    for text in header:
        match = _BYLINE.match(text)
        if match:
            authors += [a.strip() for a in _NAME_JOINER.split(match.group(1))]
    return [a for a in authors if a]


def _title_and_site(
    lines: list[str], title_at: int | None, body: list[str]
) -> tuple[str | None, str, str | None]:
    """(title, title_source, site): the headline, else the title a copyright line names after its
    site ("© Site - Title"), else the first sentence; the site from the copyright line."""
    title, title_source, site = None, "none", None
    copyright_line = next((t for t in lines if COPYRIGHT.match(t)), None)
    if copyright_line:
        holder, _, rest = COPYRIGHT.sub("", copyright_line).strip().partition(" - ")
        site = holder.strip(" .") or None
        if rest.strip():
            title, title_source = rest.strip(), "copyright_line"
    if title_at is not None:
        title, title_source = lines[title_at], "headline"
    elif title is None and body:
        title, title_source = first_sentence(body[0]), "lead_sentence"
    return title, title_source, site


def _split_leading_date(text: str) -> tuple[int | None, str]:
    """'date 2026-02-04 Nei giorni…' -> (that date, 'Nei giorni…')."""
    found = find_dates(text[:80])
    if found and _LEADING_DATE.match(text[: found[0].start]):
        rest = text[found[0].end :].lstrip(" -–—|:·,")
        if len(rest.split()) >= 3:
            return found[0].at, rest
    return None, text


def _dateline_date(body: list[str]) -> int | None:
    """The date of a wire dateline opening the first paragraph: "Roma, 3 dicembre 2026 - Il
    governo...", "BERLIN (Reuters), 2 March 2024 -", "Paris, mardi 4 mars 2025 :"."""
    if not body:
        return None
    found = find_dates(body[0][:90])
    if not found:
        return None
    first = found[0]
    before, after = body[0][: first.start], body[0][first.end : first.end + 3]
    return first.at if _DATELINE_PLACE.match(before) and _DATELINE_END.match(after) else None


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _nearest_cue(before: str) -> str | None:
    """Which cue word stands closest before a date: "published", "updated" or None."""
    cues = [(m.end(), "published") for m in _DATE_CUE.finditer(before)]
    cues += [(m.end(), "updated") for m in _UPDATED_CUE.finditer(before)]
    return max(cues)[1] if cues else None


def _article_date(lines: list[str], title_at: int | None, limit: int) -> int | None:
    """The article's date over a page banner: published, then updated, then a bare date line
    after the title, then one before it (a banner), then any (a caption)."""
    best: tuple[int, int, int] | None = None  # (score, -position, at)
    for i, text in enumerate(lines[:limit]):
        date_only = is_date_only(text)
        for found in find_dates(text):
            before = text[max(0, found.start - 40) : found.start]
            cue = _nearest_cue(before)
            if cue == "updated":
                score = 3
            elif cue == "published" or (_DATE_CUE.search(text) and date_only):
                score = 4
            elif date_only:
                score = 2 if title_at is not None and i > title_at else 1
            else:
                score = 0
            candidate = (score, -i, found.at)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None
