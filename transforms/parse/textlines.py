"""One line of scraped page text judged on its own: prose, headline, sub-heading, menu row, credit,
teaser or a date alone. plaintext.py weighs these judgments against the lines around each one.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from transforms.parse.cues import load_cues
from transforms.parse.dates import find_dates

_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_DOMAIN = re.compile(r"^\(?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2,6})\)?$", re.IGNORECASE)
# The cue words of every language are in data/plaintext_cues.tsv; the patterns around them here.
_CUES = load_cues("plaintext_cues.tsv")
COPYRIGHT = re.compile(rf"^(?:©|\(c\)\s|(?:{_CUES.pattern('copyright')})\b)", re.IGNORECASE)
_CREDIT_CUE = re.compile(rf"\b(?:{_CUES.pattern('credit')})\b", re.IGNORECASE)
_SLASHED_NAMES = re.compile(r"\b[A-Z][\w.'-]*\s?/\s?[A-Z]")
_PAREN_CREDIT = re.compile(r"\(([^()]{2,60})\)\s*$")
_TRAILING_CREDIT = re.compile(
    rf"\b(?:{_CUES.pattern('credit_label')})\s*:\s*[^.:]{{2,50}}$", re.IGNORECASE
)
_READ_CUE = re.compile(rf"^(?:{_CUES.pattern('read_also')})\b\s*[:\-–»]?\s", re.IGNORECASE)
_SHOUTED_LEAD = re.compile(r"^[^\W\d_a-z]{3,}(?:\s+[^\W\d_a-z]{2,})?(?:\s{2,}|\s*[:|»]\s)")


class Line(NamedTuple):
    text: str
    words: int
    terminal: bool  # ends with sentence punctuation (closing quotes and brackets aside)


def line(text: str) -> Line:
    return Line(text, len(text.split()), bool(_TERMINAL.search(text)))


def is_prose(ln: Line) -> bool:
    return ln.words >= 25 or (ln.words >= 10 and ln.terminal)


def ends_with_domain(text: str) -> bool:
    tail = text.split()[-2:]
    return any(_DOMAIN.match(t) and not t[0].isdigit() for t in tail) and not text.endswith(".")


def _capitalised_ratio(text: str) -> float:
    words = [w for w in text.split() if w[:1].isalpha()]
    return sum(w[0].isupper() for w in words) / len(words) if words else 0.0


def is_nav(ln: Line) -> bool:
    """A menu or button row: short, every word capitalised, no punctuation, or one or two words."""
    if ln.words <= 2 and not ln.terminal:
        return True
    plain = not re.search(r"[,.;:!?\"“”«»()]", ln.text)
    return plain and ln.words <= 8 and _capitalised_ratio(ln.text) == 1.0


def is_credit(text: str) -> bool:
    """A copyright line, or a photo credit: "(Photo AFP)", "Picture: Name", "Name/Agency"."""
    if COPYRIGHT.match(text):
        return True
    paren = _PAREN_CREDIT.search(text)
    if (paren and _CREDIT_CUE.search(paren.group(1))) or _TRAILING_CREDIT.search(text):
        return True
    if not _CREDIT_CUE.search(text) and not _SLASHED_NAMES.search(text):
        return False
    return bool(_SLASHED_NAMES.search(text)) or len(text.split()) <= 6


def is_bare_credit(ln: Line) -> bool:
    """A credit line with nothing else on it ("Name/Agency", "Photo: AP"): the only kind that
    marks its neighbour as the caption it belongs to."""
    return (
        is_credit(ln.text)
        and not COPYRIGHT.match(ln.text)
        and (ln.words <= 8 or bool(_SLASHED_NAMES.search(ln.text)))
    )


def is_interstitial(text: str) -> bool:
    """A "read also" teaser or a SHOUTED lead-in to another story, not a sentence of this one."""
    return bool(_READ_CUE.match(text) or _SHOUTED_LEAD.match(text)) and not is_prose(line(text))


def is_date_only(text: str) -> bool:
    """A line that holds a date and at most two other words ("Published 4 Feb 2026")."""
    found = find_dates(text)
    rest = text
    for f in reversed(found):
        rest = rest[: f.start] + rest[f.end :]
    return bool(found) and len(re.findall(r"[^\W\d_]{3,}", rest)) <= 2


def is_headline(ln: Line) -> bool:
    first = ln.text.lstrip("\"“«'‘")[:1]
    return (
        4 <= ln.words <= 25
        and not (ln.terminal and ln.text.rstrip("\"'”’»)")[-1:] in ".:;")
        and (first.isupper() or first.isdigit())
        and not is_nav(ln)
        and not ends_with_domain(ln.text)
        and not is_interstitial(ln.text)
        and not is_credit(ln.text)
        and not is_date_only(ln.text)
    )


def is_subheading(ln: Line) -> bool:
    """A section heading inside the body: short, starts upper-case, not a menu row."""
    return (
        3 <= ln.words <= 12
        and ln.text[:1].isupper()
        and not is_nav(ln)
        and not ends_with_domain(ln.text)
        and not is_interstitial(ln.text)
        and not is_credit(ln.text)
    )
