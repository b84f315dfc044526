"""Hypothesis strategies for the values inside documents: prose, hostile strings, extreme numbers
and dates written in every syntax parse reads (with the instant they stand for). Shared by the
fuzz tests and bench/fuzz.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import NamedTuple

from hypothesis import strategies as st

from transforms.core.times import EARLIEST_US, to_us

# Prose that reads as news in two languages; accented words and other scripts on purpose.
WORDS = [
    "the",
    "minister",
    "said",
    "on",
    "Monday",
    "that",
    "talks",
    "with",
    "leaders",
    "of",
    "both",
    "countries",
    "would",
    "continue",
    "after",
    "the",
    "summit",
    "in",
    "Rome",
    "where",
    "police",
    "closed",
    "several",
    "streets",
    "near",
    "the",
    "station",
    "il",
    "governo",
    "ha",
    "detto",
    "che",
    "la",
    "città",
    "resta",
    "chiusa",
    "perché",
    "il",
    "sindaco",
    "teme",
    "nuove",
    "proteste",
    "mercati",
    "borsa",
    "prezzi",
    "energia",
    "scuola",
    "ospedale",
    "tribunale",
    "Zürich",
    "naïve",
    "café",
    "Москва",
    "東京",
]
# Characters that break naive readers: C0/C1 controls, bidi controls, line separators that
# str.splitlines() splits on, BOM, non-characters and lone surrogates.
HOSTILE_CHARS = (
    "\x00\x01\x08\x0b\x0c\x1b\x1c\x1e\x7f\x85\x9b\u200b\u200e\u200f\u202a\u202b\u202d\u202e"
    "\u2066\u2067\u2069\u2028\u2029\ufeff\ufffd\ufffe\uffff\U0001f600\ud800\udbff\udc00\udfff"
)
# Valid inside a JSON string written raw, but a line break to str.splitlines().
LINE_BREAKS_INSIDE_JSON = "\x85\u2028\u2029"

words = st.sampled_from(WORDS)
hostile_char = st.sampled_from(HOSTILE_CHARS)


@st.composite
def sentence(draw) -> str:
    ws = draw(st.lists(words, min_size=6, max_size=16))
    return " ".join(ws).capitalize() + draw(st.sampled_from(".!?."))


@st.composite
def prose(draw, paragraphs: tuple[int, int] = (1, 3)) -> list[str]:
    """Paragraphs of two to four sentences each."""
    n = draw(st.integers(*paragraphs))
    return [" ".join(draw(st.lists(sentence(), min_size=2, max_size=4))) for _ in range(n)]


def hostile_text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Any Unicode, lone surrogates and controls much more often than chance."""
    pieces = st.one_of(hostile_char, st.characters(), words)
    return st.lists(pieces, min_size=min_size, max_size=max_size).map("".join)


def title_like() -> st.SearchStrategy[str]:
    return st.lists(words, min_size=2, max_size=8).map(lambda ws: " ".join(ws).capitalize())


class Raw(str):
    """A JSON token written as it stands: NaN, 1e400, a 5,000-digit integer, deep nesting."""


# Numbers json.loads reads (NaN, Infinity, 1e400 -> inf) or chokes on (4,300+ digits), and
# epochs outside every range: before year 1, after 9999, in s, ms and µs.
EXTREME_NUMBERS = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "-1e30",
    "1e30",
    "1e308",
    "-100000000000",
    "-62135596801",
    "-62135596800",
    "253402300800",
    "253402300800000",
    "253402300800000000",
    "99999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "9" * 5000,
    "-" + "9" * 5000,
    "-0",
    "0",
    "-1",
    "4.9e-324",
)
extreme_number = st.one_of(
    st.sampled_from(EXTREME_NUMBERS).map(Raw),
    st.integers(min_value=-(2**80), max_value=2**80).map(lambda n: Raw(str(n))),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: Raw(repr(f))),
)
# Date strings no news item should carry, and forms that only look like dates.
EXTREME_DATES = (
    "0000-00-00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:30:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59.999999-14:00",
    "Mon, 01 Jan 0001 +0100",
    "Mon, 01 Jan 0001 00:00:00 +0100",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "Thu, 01 Jan 1970 00:00:00 +0100",
    "Wed, 31 Dec 1969 23:59:59 GMT",
    "-1000-01-01",
    "2026-02-30",
    "2026-13-01",
    "99999-01-01",
    "1 gennaio 0001",
    "31 dicembre 9999 alle 23:59 GMT-12",
    "31/12/9999",
    "1700000000",
    "1700000000000",
    "-100000000000",
    "NaN",
    "1e400",
    "yesterday",
    "2 days ago",
    "now",
    "",
    " ",
    "\x00",
)
extreme_date_text = st.one_of(st.sampled_from(EXTREME_DATES), hostile_text(max_size=20))


# --- Dates in every syntax parse reads, with the instant they stand for -----------------------

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# RFC 822 zones and the hours they stand for.
RFC822_ZONES = {"GMT": 0, "UT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "PST": -8, "PDT": -7}
# Zones printed after a time in running text (dates.py's table), hours east of UTC.
TEXT_ZONES = {"UTC": 0, "GMT": 0, "CET": 1, "CEST": 2, "EST": -5, "PDT": -7, "JST": 9}
SYNTAXES = ("iso", "rfc822", "words_dmy", "words_mdy", "numeric")
# Years where the parsers' floors (1970 for the contract, 1990 for page dates) and the
# two-digit-year rules of RFC 822 bite.
ODD_YEARS = (1, 2, 69, 99, 100, 999, 1000, 1899, 1900, 1969, 1970, 1971, 1989, 1990, 9999)


class DateText(NamedTuple):
    text: str
    syntax: str
    at: int  # the instant the text stands for, µs UTC (computed with exact integer arithmetic)
    alternatives: frozenset  # other readings that are also right (a fraction of a second dropped)
    year: int


class Dated(NamedTuple):
    """What a written row's published_at may be, for an item dated `at`: that instant (or an
    alternative reading) when within the contract's range, else None; None too unless `must`."""

    at: int | None  # None: the item carries no date, so the row has none
    alternatives: frozenset = frozenset()
    must: bool = True

    def allowed(self, fetched_at: int) -> set:
        # The product's one rule (transforms/core/times.py): 1990-01-01 to a day after ingestion.
        if self.at is None or not EARLIEST_US <= self.at <= fetched_at + 86_400_000_000:
            return {None}
        return {self.at, *self.alternatives} | (set() if self.must else {None})


def _at(y: int, mo: int, d: int, h: int, mi: int, s: int, hours_east: float, micro: int = 0) -> int:
    local = datetime(y, mo, d, h, mi, s, micro, tzinfo=UTC)
    return to_us(local) - int(hours_east * 3600) * 1_000_000


def _offset(hours: float, colon: bool) -> str:
    sign = "+" if hours >= 0 else "-"
    minutes = round(abs(hours) * 60)
    return f"{sign}{minutes // 60:02d}{':' if colon else ''}{minutes % 60:02d}"


@st.composite
def date_text(draw, syntaxes: tuple[str, ...] = SYNTAXES) -> DateText:
    """A date written one of the ways news carries one, with the instant it stands for."""
    syntax = draw(st.sampled_from(syntaxes))
    y = draw(st.one_of(st.integers(1990, 2099), st.sampled_from(ODD_YEARS)))
    mo, d = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    h, mi, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    if syntax == "iso":
        return draw(_iso(y, mo, d, h, mi, s))
    if syntax == "rfc822":
        zone = draw(st.sampled_from([*RFC822_ZONES, "+0100", "-0330", "+0545", "+1400", "-1200"]))
        hours = RFC822_ZONES.get(zone)
        if hours is None:
            hours = int(zone[:3]) + (int(zone[0] + zone[3:]) / 60)
        day = f"{_DAYS[datetime(y, mo, d).weekday()]}, " if draw(st.booleans()) else ""
        if draw(st.integers(0, 4)) == 0:  # no time of day: "Mon, 01 Jan 0001 +0100"
            text = f"{day}{d:02d} {_ABBR[mo - 1]} {y:04d} {zone}"
            # A day without a time may be read as that day in UTC too.
            midnight = _at(y, mo, d, 0, 0, 0, 0)
            return DateText(text, syntax, _at(y, mo, d, 0, 0, 0, hours), frozenset({midnight}), y)
        text = f"{day}{d:02d} {_ABBR[mo - 1]} {y:04d} {h:02d}:{mi:02d}:{s:02d} {zone}"
        return DateText(text, syntax, _at(y, mo, d, h, mi, s, hours), frozenset(), y)
    if syntax == "numeric":
        sep = draw(st.sampled_from("/."))
        return DateText(f"{d:02d}{sep}{mo:02d}{sep}{y:04d}", syntax, _at(y, mo, d, 0, 0, 0, 0),
                        frozenset(), y)  # fmt: skip
    return draw(_words(syntax, y, mo, d, h, mi))


@st.composite
def _iso(draw, y: int, mo: int, d: int, h: int, mi: int, s: int) -> DateText:
    text = f"{y:04d}-{mo:02d}-{d:02d}"
    if not draw(st.booleans()):
        return DateText(text, "iso", _at(y, mo, d, 0, 0, 0, 0), frozenset(), y)
    micro = draw(st.sampled_from([0, 0, 250000, 999999]))
    text += f"{draw(st.sampled_from('T '))}{h:02d}:{mi:02d}:{s:02d}"
    if micro:
        text += f".{micro:06d}"
    hours = draw(st.sampled_from([0, 1, 2, -5, 5.5, -3.5, 14, -12]))
    zone = draw(st.sampled_from(["", "Z", "colon", "plain"])) if hours == 0 else "colon"
    if zone in ("colon", "plain"):
        text += _offset(hours, zone == "colon")
    elif zone == "Z":
        text += "Z"
    exact = _at(y, mo, d, h, mi, s, hours, micro)
    return DateText(text, "iso", exact, frozenset({exact - micro}), y)


@st.composite
def _words(draw, syntax: str, y: int, mo: int, d: int, h: int, mi: int) -> DateText:
    lang = "en" if syntax == "words_mdy" else draw(st.sampled_from(sorted(MONTHS)))
    month = MONTHS[lang].split()[mo - 1]
    month = draw(st.sampled_from([month, month.lower(), month.capitalize()]))
    # Years in full, four digits: "October 9, 99" would be 1999 to any reader (and to feedparser).
    if syntax == "words_mdy":
        text = f"{month} {d}, {y:04d}"
    elif lang in ("es", "pt"):
        text = f"{d} de {month} de {y:04d}"
    else:
        text = f"{d}{'.' if lang == 'de' else ''} {month} {y:04d}"
    if not draw(st.booleans()):
        return DateText(text, syntax, _at(y, mo, d, 0, 0, 0, 0), frozenset(), y)
    zone = draw(st.sampled_from(sorted(TEXT_ZONES)))
    text += f", {h:02d}:{mi:02d} {zone}"
    return DateText(text, syntax, _at(y, mo, d, h, mi, 0, TEXT_ZONES[zone]), frozenset(), y)


@st.composite
def good_date(draw) -> tuple[str | Raw, int]:
    """A publication date a real record carries (2000-2025), as a string in some syntax or an
    epoch in seconds or milliseconds, and the instant it stands for (µs)."""
    seconds = draw(st.integers(0, 25 * 365 * 86400))
    at = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    micros = to_us(at)
    form = draw(st.sampled_from(["iso", "iso_zone", "rfc822", "epoch_s", "epoch_ms"]))
    if form == "epoch_s":
        return Raw(str(micros // 1_000_000)), micros
    if form == "epoch_ms":
        return Raw(str(micros // 1000)), micros
    if form == "rfc822":
        return at.strftime("%a, %d %b %Y %H:%M:%S GMT"), micros
    if form == "iso_zone":
        return at.astimezone(timezone(timedelta(hours=2))).isoformat(), micros
    return at.strftime("%Y-%m-%dT%H:%M:%SZ"), micros
