"""Where a row lands: Hive partition values and shard. Pure functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from transforms.core.records import Article

_LANG = re.compile(r"^[a-z]{2,3}$")


def partition_date(a: Article) -> str:
    """Published date in UTC, or the ingestion date when the article does not say."""
    micros = a.published_at if a.published_at is not None else a.ingested_at
    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)).strftime("%Y-%m-%d")


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
