"""Dates: multilingual text and metadata forms -> µs UTC; the future bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from transforms.core.times import DAY_US, plausible
from transforms.parse.dates import find_dates, parse_date


def _iso(at: int | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at / 1e6, UTC).isoformat()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mercoledì 4 febbraio 2026", "2026-02-04T00:00:00+00:00"),
        ("giovedì, Ottobre 31, 2024", "2024-10-31T00:00:00+00:00"),
        ("date 2026-02-04 Nei giorni", "2026-02-04T00:00:00+00:00"),
        ("Published March 3rd, 2021 at 10:15", "2021-03-03T10:15:00+00:00"),
        ("le 15 déc. 2023", "2023-12-15T00:00:00+00:00"),
        ("am 1. März 2022", "2022-03-01T00:00:00+00:00"),
        ("12 de mayo de 2023", "2023-05-12T00:00:00+00:00"),
        ("Pubblicato il 16/05/2024", "2024-05-16T00:00:00+00:00"),
        ("2024-05-16T08:30:00+02:00", "2024-05-16T06:30:00+00:00"),
        ("On 31 February 2024 nothing happened", None),
        ("Chapter 12 of 2024", None),
    ],
)
def test_find_dates(text, expected):
    found = find_dates(text)
    assert _iso(found[0].at if found else None) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Wed, 04 Feb 2026 10:00:00 +0100", "2026-02-04T09:00:00+00:00"),  # RFC 822
        ("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00+00:00"),
        ("2024-05-16T08:30:00Z", "2024-05-16T08:30:00+00:00"),
        ("2024-05-16T08:30:00.123-05:00", "2024-05-16T13:30:00+00:00"),
        ("2024-05-16", "2024-05-16T00:00:00+00:00"),
        ("16 мая 2024 г.", "2024-05-16T00:00:00+00:00"),  # dateparser's languages
        ("2 days ago", None),  # relative dates depend on the clock, not the page
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert _iso(parse_date(value)) == expected


def test_future_dates_beyond_a_day_are_unknown():
    ingested = 1_700_000_000_000_000
    assert plausible(ingested + DAY_US, ingested) == ingested + DAY_US
    assert plausible(ingested + DAY_US + 1, ingested) is None
    assert plausible(None, ingested) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("November 18, 2019 at 3:45 p.m. EST", "2019-11-18T20:45:00+00:00"),
        ("18 novembre 2019 alle 10:15 CET", "2019-11-18T09:15:00+00:00"),
        ("12 March 2024 09:00 (GMT+2)", "2024-03-12T07:00:00+00:00"),
        ("12 March 2024 09:00 +0530", "2024-03-12T03:30:00+00:00"),
        ("1 May 2024 12:30 am", "2024-05-01T00:30:00+00:00"),
        ("1 May 2024 10:00 XYZ", "2024-05-01T10:00:00+00:00"),  # unknown zone: taken as UTC
        # Numeric dates keep their time, as written forms do (a feed's "30/11/2026 08:00").
        ("30/11/2026 08:00", "2026-11-30T08:00:00+00:00"),
        ("30.11.2026 alle 18.45 CET", "2026-11-30T17:45:00+00:00"),
        ("11/30/2026 8:00 PM", "2026-11-30T20:00:00+00:00"),
        ("30/11/2026 08:00:15 +01:00", "2026-11-30T07:00:15+00:00"),
        # A number after a date is no time: "10.000 persone" is ten thousand people.
        ("12.03.2024 10.000 persone", "2024-03-12T00:00:00+00:00"),
        ("3 marzo 2024 10.000 persone", "2024-03-03T00:00:00+00:00"),
    ],
)
def test_printed_times_and_zones_become_utc(text, expected):
    assert _iso(find_dates(text)[0].at) == expected


def test_a_lower_case_word_after_a_time_is_not_a_zone():
    assert (
        _iso(find_dates("le 12 mars 2024 à 10:15 et la suite")[0].at) == "2024-03-12T10:15:00+00:00"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Mon, 01 Jan 0001 +0100", None),  # was 2000-12-31: "0001" read as a two-digit year
        ("Mon, 01 Jan 01 00:00 +0100", "2000-12-31T23:00:00+00:00"),  # RFC 822's two digits
        ("0001-01-01T00:00:00Z", None),
        ("1989-12-31T23:59:59Z", None),  # before times.EARLIEST: a sentinel, not news
        ("1990-01-01T00:00:00Z", "1990-01-01T00:00:00+00:00"),
        ("31 December 1969", None),
    ],
)
def test_dates_outside_the_plausible_range_are_not_read(value, expected):
    assert _iso(parse_date(value)) == expected
