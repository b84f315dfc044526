"""Dates for parse: a date string or a line of page text -> µs since the epoch, always UTC.

Numeric and RFC 822 forms are parsed directly; dates written in words are found with a multilingual
month table (so "mercoledì 4 febbraio 2026" and "giovedì, Ottobre 31, 2024" need no guessing), and
dateparser handles whatever else a meta tag holds. A date without a zone is taken as UTC.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from transforms.core.times import EARLIEST, to_us

_MONTHS_BY_LANGUAGE = {
    "en": "january february march april may june july august september october november december",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in word if not unicodedata.combining(c)).rstrip(".")


def _month_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for names in _MONTHS_BY_LANGUAGE.values():
        for number, name in enumerate(names.split(), start=1):
            table[_fold(name)] = number
            table.setdefault(_fold(name)[:3], number)  # "feb", "ott", "déc" -> "dec"
            table.setdefault(_fold(name)[:4], number)  # "sept", "febr"
    table["sett"] = 9
    table["setiembre"] = 9
    return table


_MONTHS = _month_table()
_WORD = r"[^\W\d_]{3,}\.?"
_TIME = (
    r"(?:,?\s*(?:at|alle|ore|um|à|a las|às|om)?\s*(\d{1,2})[:.h](\d{2})(?!\d)(?::(\d{2}))?"
    r"\s*(am|pm|a\.m\.|p\.m\.)?\s*\(?((?-i:(?:UTC|GMT)[+-]\d{1,2}\b|[A-Z]{2,4}\b)|[+-]\d{2}:?\d{2})?\)?)?"
)
# Zone abbreviations news pages print after a time; hours east of UTC. Unknown ones count as UTC.
_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 1,
    "CET": 1,
    "WEST": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "IST": 5.5,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "ET": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "PT": -8,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "HKT": 8,
    "SGT": 8,
}
_ISO = re.compile(
    r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
# ISO 8601's basic form, as some APIs write it (GDELT's "20261201T081500Z"); metadata only:
# eight digits inside a text are as often a number.
_ISO_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z|[+-]\d{2}:?\d{2})?")
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:\.|º|°|er|st|nd|rd|th)?\s+(?:de\s+)?({_WORD})\s+(?:de\s+)?(\d{{4}})\b{_TIME}",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b{_TIME}", re.IGNORECASE
)
_FULL_YEAR = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")
_NUMERIC = re.compile(rf"\b(\d{{1,2}})([./])(\d{{1,2}})\2(\d{{4}})\b{_TIME}", re.IGNORECASE)


class FoundDate(NamedTuple):
    at: int  # µs since epoch, UTC
    start: int  # character span of the date in the searched text
    end: int


def _make(y: int, mo: int, d: int, h: str | None, mi: str | None, s: str | None) -> int | None:
    try:
        value = datetime(y, mo, d, int(h or 0), int(mi or 0), int(s or 0), tzinfo=UTC)
    except ValueError:
        return None
    return to_us(value) if value >= EARLIEST else None


def _local_to_utc(at: int | None, meridiem: str | None, zone: str | None) -> int | None:
    """Apply "pm" and a printed zone ("CET", "+02:00", "GMT+2") to a date read as UTC."""
    if at is None:
        return None
    hour = (at // 3_600_000_000) % 24
    if meridiem and meridiem[0].lower() == "p" and hour < 12:
        at += 12 * 3_600_000_000
    elif meridiem and meridiem[0].lower() == "a" and hour == 12:
        at -= 12 * 3_600_000_000
    if not zone:
        return at
    zone = zone.upper()
    if zone[:3] in ("UTC", "GMT") and len(zone) > 3:
        offset = float(zone[3:])
    elif zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = (int(digits[:2]) + int(digits[2:]) / 60) * (1 if zone[0] == "+" else -1)
    else:
        offset = _ZONES.get(zone, 0)
    return at - int(offset * 3_600_000_000)


def _iso(match: re.Match) -> int | None:
    y, mo, d, h, mi, s, zone = match.groups()
    at = _make(int(y), int(mo), int(d), h, mi, s)
    if at is None or not zone or zone == "Z":
        return at
    sign = -1 if zone[0] == "+" else 1  # local + offset -> UTC means subtracting it
    zone = zone[1:].replace(":", "")
    return at + sign * (int(zone[:2]) * 3600 + int(zone[2:]) * 60) * 1_000_000


def find_dates(text: str) -> list[FoundDate]:
    """Every full date (day, month, year) written in a line of text, in order of position."""
    found: list[FoundDate] = []
    for match in _ISO.finditer(text):
        at = _iso(match)
        if at is not None:
            found.append(FoundDate(at, match.start(), match.end()))
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        for match in pattern.finditer(text):
            day, word = (match.group(1), match.group(2))
            if order == "mdy":
                day, word = word, day
            month = _MONTHS.get(_fold(word))
            if month is None:
                continue
            at = _make(int(match.group(3)), month, int(day), *match.group(4, 5, 6))
            at = _local_to_utc(at, match.group(7), match.group(8))
            if at is not None:
                found.append(FoundDate(at, match.start(), match.end()))
    for match in _NUMERIC.finditer(text):
        a, b, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        day, month = (b, a) if b > 12 else (a, b)  # day first, as everywhere but the US
        at = _make(year, month, day, *match.group(5, 6, 7))
        at = _local_to_utc(at, match.group(8), match.group(9))
        if at is not None:
            found.append(FoundDate(at, match.start(), match.end()))
    found.sort(key=lambda f: f.start)
    # Overlapping matches (an ISO date inside a longer form) keep the first, longest one.
    kept: list[FoundDate] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


def says_year(text: str, year: int | None) -> bool:
    """Is `year` what the text writes? Lenient parsers read "0099" or "01 Jan 0001" as 1999 and
    2001; a text with no three- or four-digit number (a two-digit year) is taken at its word."""
    written = {int(y) for y in _FULL_YEAR.findall(text)}
    return not written or year in written


def parse_date(value: str | None) -> int | None:
    """One date string from metadata (ISO 8601, RFC 822, or words in any language) -> µs UTC."""
    if not value or not value.strip():
        return None
    value = value.strip()
    match = _ISO.fullmatch(value) or _ISO.match(value) or _ISO_BASIC.fullmatch(value)
    if match:
        return _iso(match)
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None and parsed.tzinfo is not None and says_year(value, parsed.year):
        return to_us(parsed) if parsed >= EARLIEST else None
    # Naive: email.utils did not know the zone ("13:27 CEST") and would call it UTC; or it read
    # a year the text does not say ("01 Jan 0001" as 2001): the patterns below read both.
    found = find_dates(value)
    if found:
        return found[0].at
    return _dateparser(value)


def _dateparser(value: str) -> int | None:
    import dateparser  # deferred: slow import, only for the forms our own rules do not read

    try:
        parsed = dateparser.parse(
            value[:100],
            settings={
                "TIMEZONE": "UTC",
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "STRICT_PARSING": True,
                # No relative forms ("2 days ago"): they depend on the clock, not the page.
                "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
            },
        )
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors on junk; junk = no date
        return None
    return to_us(parsed) if parsed is not None and parsed >= EARLIEST else None
