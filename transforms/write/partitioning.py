"""Where a row lands: Hive partition values and shard. Pure functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from transforms.core.records import Article

_LANG = re.compile(r"^[a-z]{2,3}$")


_EPOCH = dt.datetime(1970, 1, 1)
# What a `date=` partition can name: Python's dates, years 1 to 9999 (pyarrow's µs reach further).
_FIRST_US = (dt.datetime(1, 1, 1) - _EPOCH) // dt.timedelta(microseconds=1)
_LAST_US = (dt.datetime(9999, 12, 31, 23, 59, 59, 999999) - _EPOCH) // dt.timedelta(microseconds=1)


def partition_date(a: Article) -> str:
    """Published date in UTC, or the ingestion date when the article does not say (or says a time
    no calendar date can name: parse keeps such times out, and this never raises on one)."""
    for micros in (a.published_at, a.ingested_at):
        if isinstance(micros, int) and _FIRST_US <= micros <= _LAST_US:
            day = _EPOCH + dt.timedelta(microseconds=micros)
            return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    return "1970-01-01"


def partition_lang(a: Article) -> str:
    # A value outside ISO 639 shape would make a path nobody can query by; fold it to "und".
    return a.language if _LANG.match(a.language or "") else "und"


def shard_of(article_id: str, shards: int) -> int:
    return int(hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8], 16) % max(1, shards)


def partition_key(a: Article, shards: int) -> tuple[str, str, int]:
    """(date, lang, shard): the group one output file is written from."""
    return partition_date(a), partition_lang(a), shard_of(a.article_id, shards)


def partition_dir(output: str, date: str, lang: str) -> str:
    return f"{output.rstrip('/')}/articles/date={date}/lang={lang}"
