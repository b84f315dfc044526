"""feeds.txt: one feed URL per line, `#` comments, an optional poll interval after the URL.

https://example.com/rss            # polled every --poll-interval seconds
https://example.org/atom.xml 15m   # its own interval: 90, 90s, 15m, 2h
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.sources.http import is_fetchable

_INTERVAL = re.compile(r"^(\d+)([smh]?)$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600}
MIN_INTERVAL = 1  # seconds; tests and local demos poll fast, real lists say 5m or more


class FeedListError(ValueError):
    """A line of a feed list that cannot be used; the message names the line."""


class FeedSpec(NamedTuple):
    url: str
    interval: int | None = None  # seconds; None means the run's --poll-interval


def parse_interval(text: str) -> int:
    match = _INTERVAL.match(text.strip().lower())
    if not match:
        raise ValueError(f"{text!r} is not an interval (e.g. 300, 90s, 15m, 2h)")
    seconds = int(match.group(1)) * _UNIT[match.group(2)]
    if seconds < MIN_INTERVAL:
        raise ValueError(f"interval {text!r} is below the minimum of {MIN_INTERVAL} s")
    return seconds


def parse_feed_line(line: str) -> FeedSpec | None:
    """One line -> FeedSpec, None for a blank or comment line; ValueError says what is wrong."""
    content = "" if line.lstrip().startswith("#") else line.strip()
    content = re.sub(r"\s+#.*$", "", content)  # a trailing comment needs a space: URLs hold '#'
    if not content:
        return None
    parts = content.split()
    if len(parts) > 2:
        raise ValueError(f"expected 'URL [interval]', got {len(parts)} fields")
    url = parts[0]
    if not is_fetchable(url):
        raise ValueError(f"{url!r} is not an http(s) URL")
    return FeedSpec(url, parse_interval(parts[1]) if len(parts) == 2 else None)


def parse_feed_list(lines: Iterable[str], name: str = "feeds.txt") -> list[FeedSpec]:
    """Every feed of a list, first occurrence of a URL wins; FeedListError names file and line."""
    feeds: dict[str, FeedSpec] = {}
    for number, line in enumerate(lines, 1):
        try:
            spec = parse_feed_line(line)
        except ValueError as exc:
            raise FeedListError(f"{name}:{number}: {exc}") from None
        if spec and spec.url not in feeds:
            feeds[spec.url] = spec
    return list(feeds.values())


def read_feed_list(path: str) -> list[FeedSpec]:
    with open(path, encoding="utf-8-sig") as fh:
        return parse_feed_list(fh, path)


def host_of(url: str) -> str:
    """The politeness key: requests to one host are made one at a time, with a delay."""
    return (urlsplit(url).hostname or "").lower()
