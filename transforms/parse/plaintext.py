"""Scraped page text -> title, main text, date, authors: clutter removed by the shape of each line.

A line is judged by its length, punctuation, capitalisation, position, repetition and what sits next
to it (a credit line marks its neighbour as a caption; a copyright line ends the article) — plus a few
multilingual cue words (credit, byline, "read also") that mean the same on every site.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from transforms.parse.cues import load_cues
from transforms.parse.dates import find_dates

_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_CLOSING = re.compile(r"[\"'”’»)\]]$")
_DOMAIN = re.compile(r"^\(?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2,6})\)?$", re.IGNORECASE)
_LINK_TAIL = re.compile(r"\s*(?:🔗|➡️?|►|▶️?|→|👉)\s*(?:(?![.!?]\s).){0,80}$")
# The cue words of every language are in data/plaintext_cues.tsv; the patterns around them here.
_CUES = load_cues("plaintext_cues.tsv")
_COPYRIGHT = re.compile(rf"^(?:©|\(c\)\s|(?:{_CUES.pattern('copyright')})\b)", re.IGNORECASE)
_CREDIT_CUE = re.compile(rf"\b(?:{_CUES.pattern('credit')})\b", re.IGNORECASE)
_SLASHED_NAMES = re.compile(r"\b[A-Z][\w.'-]*\s?/\s?[A-Z]")
_PAREN_CREDIT = re.compile(r"\(([^()]{2,60})\)\s*$")
_TRAILING_CREDIT = re.compile(
    rf"\b(?:{_CUES.pattern('credit_label')})\s*:\s*[^.:]{{2,50}}$", re.IGNORECASE
)
_READ_CUE = re.compile(rf"^(?:{_CUES.pattern('read_also')})\b\s*[:\-–»]?\s", re.IGNORECASE)
_SHOUTED_LEAD = re.compile(r"^[^\W\d_a-z]{3,}(?:\s+[^\W\d_a-z]{2,})?(?:\s{2,}|\s*[:|»]\s)")
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
_TEASER_END = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
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


class _Line(NamedTuple):
    text: str
    words: int
    terminal: bool


def _line(text: str) -> _Line:
    return _Line(text, len(text.split()), bool(_TERMINAL.search(text)))


def _is_prose(ln: _Line) -> bool:
    return ln.words >= 25 or (ln.words >= 10 and ln.terminal)


def _ends_with_domain(text: str) -> bool:
    tail = text.split()[-2:]
    return any(_DOMAIN.match(t) and not t[0].isdigit() for t in tail) and not text.endswith(".")


def _capitalised_ratio(text: str) -> float:
    words = [w for w in text.split() if w[:1].isalpha()]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def _is_nav(ln: _Line) -> bool:
    """A menu or button row: short, every word capitalised, no punctuation, or one or two words."""
    if ln.words <= 2 and not ln.terminal:
        return True
    plain = not re.search(r"[,.;:!?\"“”«»()]", ln.text)
    return plain and ln.words <= 8 and _capitalised_ratio(ln.text) == 1.0


def _is_credit(text: str) -> bool:
    if _COPYRIGHT.match(text):
        return True
    paren = _PAREN_CREDIT.search(text)
    if (paren and _CREDIT_CUE.search(paren.group(1))) or _TRAILING_CREDIT.search(text):
        return True
    if not _CREDIT_CUE.search(text) and not _SLASHED_NAMES.search(text):
        return False
    return bool(_SLASHED_NAMES.search(text)) or len(text.split()) <= 6


def _is_interstitial(text: str) -> bool:
    return bool(_READ_CUE.match(text) or _SHOUTED_LEAD.match(text)) and not _is_prose(_line(text))


def _is_date_only(text: str) -> bool:
    found = find_dates(text)
    rest = text
    for f in reversed(found):
        rest = rest[: f.start] + rest[f.end :]
    return bool(found) and len(re.findall(r"[^\W\d_]{3,}", rest)) <= 2


def _is_headline(ln: _Line) -> bool:
    first = ln.text.lstrip("\"“«'‘")[:1]
    return (
        4 <= ln.words <= 25
        and not (ln.terminal and ln.text.rstrip("\"'”’»)")[-1:] in ".:;")
        and (first.isupper() or first.isdigit())
        and not _is_nav(ln)
        and not _ends_with_domain(ln.text)
        and not _is_interstitial(ln.text)
        and not _is_credit(ln.text)
        and not _is_date_only(ln.text)
    )


def _is_subheading(ln: _Line) -> bool:
    """A section heading inside the body: short, starts upper-case, not a menu row."""
    return (
        3 <= ln.words <= 12
        and ln.text[:1].isupper()
        and not _is_nav(ln)
        and not _ends_with_domain(ln.text)
        and not _is_interstitial(ln.text)
        and not _is_credit(ln.text)
    )


def _split_leading_date(text: str) -> tuple[int | None, str]:
    """'date 2026-02-04 Nei giorni…' -> (that date, 'Nei giorni…')."""
    found = find_dates(text[:80])
    if found and _LEADING_DATE.match(text[: found[0].start]):
        rest = text[found[0].end :].lstrip(" -–—|:·,")
        if len(rest.split()) >= 3:
            return found[0].at, rest
    return None, text


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _nearest_cue(before: str) -> str | None:
    """Which cue word stands closest before a date: "published", "updated" or None."""
    cues = [(m.end(), "published") for m in _DATE_CUE.finditer(before)]
    cues += [(m.end(), "updated") for m in _UPDATED_CUE.finditer(before)]
    return max(cues)[1] if cues else None


def _pick_date(lines: list[str], title_at: int | None, limit: int) -> int | None:
    """The article's date over a page banner: published, then updated, then a bare date line
    after the title, then one before it (a banner), then any (a caption)."""
    best: tuple[int, int, int] | None = None  # (score, -position, at)
    for i, text in enumerate(lines[:limit]):
        date_only = _is_date_only(text)
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


def clean_plain_text(raw: str) -> PlainText:
    """Scraped text with clutter -> PlainText; text is "" when nothing reads like an article."""
    raw_lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in raw.splitlines()]
    lines: list[str] = []
    seen: set[str] = set()
    for text in raw_lines:
        if not text:
            continue
        trimmed = _LINK_TAIL.sub("", text)
        text = trimmed if len(trimmed.split()) >= 5 else text
        if text.casefold() in seen:  # a repeated line is template, not a second paragraph
            continue
        seen.add(text.casefold())
        lines.append(text)

    leading_date = None
    if lines:
        leading_date, lines[0] = _split_leading_date(lines[0])

    info = [_line(t) for t in lines]
    credit = [_is_credit(t) for t in lines]
    # Only a bare credit line ("Name/Agency", "Photo: AP") marks its neighbour as the caption.
    bare_credit = [
        c and not _COPYRIGHT.match(t) and (info[i].words <= 8 or bool(_SLASHED_NAMES.search(t)))
        for i, (c, t) in enumerate(zip(credit, lines, strict=True))
    ]
    prose = [_is_prose(ln) for ln in info]
    caption = [False] * len(lines)
    for i, text in enumerate(lines):
        # A caption stands alone beside its credit; prose on both sides means body text.
        near_credit = any(
            bare_credit[j] and not (0 <= 2 * i - j < len(lines) and prose[2 * i - j])
            for j in (i - 1, i + 1)
            if 0 <= j < len(lines)
        )
        # A line repeated inside a neighbour is a caption shown twice (image alt + figure text).
        inside_other = any(
            j != i and len(lines[j]) > len(text) and text in lines[j]
            for j in range(max(0, i - 3), min(len(lines), i + 4))
        )
        caption[i] = credit[i] or inside_other or (near_credit and not _is_nav(info[i]))

    start = next((i for i, ln in enumerate(info) if _is_prose(ln) and not caption[i]), None)
    header = info if start is None else info[:start]
    title_at = next((i for i, ln in enumerate(header) if _is_headline(ln) and not caption[i]), None)
    if start is not None and title_at is not None and start <= title_at:
        start = next((i for i in range(title_at + 1, len(info)) if _is_prose(info[i])), None)

    body: list[str] = []
    copyright_line = next((t for t in lines if _COPYRIGHT.match(t)), None)
    if start is not None:
        # Copyright ends the article; a "related"/"comments" heading does once most prose is behind
        # it (the same words in a menu near the top must not cut the story).
        prose_words = [ln.words if prose[i] else 0 for i, ln in enumerate(info)]
        total, seen = sum(prose_words), 0
        stop = len(lines)
        for i in range(start + 1, len(lines)):
            seen += prose_words[i - 1]
            furniture = info[i].words <= 6 and _SECTION_END.match(lines[i]) and seen * 2 >= total
            if _COPYRIGHT.match(lines[i]) or furniture:
                stop = i
                break
        end = max(i for i in range(start, stop) if _is_prose(info[i]) or i == start)
        for i in range(start, end + 1):
            ln = info[i]
            if caption[i] or _ends_with_domain(ln.text) or _is_interstitial(ln.text):
                continue
            if _is_prose(ln) or _is_subheading(ln):
                body.append(ln.text)

    authors: list[str] = []
    for text in lines[: start or 0]:
        match = _BYLINE.match(text)
        if match:
            authors += [a.strip() for a in _NAME_JOINER.split(match.group(1))]

    title, title_source, source_name = None, "none", None
    if copyright_line:
        site, _, rest = re.sub(_COPYRIGHT, "", copyright_line).strip().partition(" - ")
        source_name = site.strip(" .") or None
        if rest.strip():
            title, title_source = rest.strip(), "copyright_line"
    if title_at is not None:
        title, title_source = lines[title_at], "headline"
    elif title is None and body:
        title, title_source = first_sentence(body[0]), "lead_sentence"

    published = leading_date or _pick_date(lines, title_at, start if start is not None else 0)
    summary = body[0] if body and len(body[0].split()) >= 10 else None
    return PlainText(
        title=title,
        title_source=title_source,
        text="\n\n".join(body),
        summary=summary,
        authors=[a for a in authors if a],
        published_at=published,
        source_name=source_name,
    )
