"""robots.txt for article pages: FetchResult -> RobotsRules, and allowed()/crawl_delay() for a URL.

RFC 9309 decides what an answer means (a 4xx allows all, a 5xx or no answer disallows all for
now), Protego parses the text. Rules are small picklable records cached per origin for a day.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import NamedTuple
from urllib.parse import urlsplit

from protego import Protego

from pipeline.sources.clock import US, Clock, clock_key, now_us
from pipeline.sources.http import FetchResult

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB; what follows is ignored
CACHE_S = 24 * 3600  # RFC 9309 2.4: a cached answer SHOULD NOT be used for more than 24 hours
# A 5xx, a 429 or no answer disallows everything until we ask again. Ten minutes: a blip (a deploy,
# a timeout) holds an origin's articles back only that long, while an outage costs one robots.txt
# request per origin per ten minutes instead of one per article.
UNAVAILABLE_S = 600
# Crawl-delay values seen in the wild are 1-10 s; a few sites write hours. Sixty seconds still
# takes 1,440 pages a day from one host, more than a news site publishes, and a typo cannot
# stall a host for good.
MAX_CRAWL_DELAY_S = 60.0
MAX_CACHED_ORIGINS = 10_000
MAX_CACHED_CHARS = 64 * 1024 * 1024  # robots.txt text held by the cache, all origins together

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TOKEN = re.compile(r"[A-Za-z_-]*")  # RFC 9309 2.2.1: a product token is letters, "_" and "-"
_UA_LINE = re.compile(r"(?im)^([ \t]*user[- ]?agent(?:[ \t]*:|[ \t]+)[ \t]*)([^#\r\n]*)")
_OTHER_AGENT = "other agent"  # has a space, so no product token can contain it


class RobotsRules(NamedTuple):
    """What one origin's robots.txt said. Times are µs since the epoch."""

    kind: str  # "parsed" | "allow_all" | "disallow_all"
    text: str  # the robots.txt as parsed ("parsed" only), at most MAX_ROBOTS_BYTES
    fetched_at: int
    expires_at: int
    reason: str  # why this kind, for logs: "HTTP 404: no robots.txt, all allowed"


def origin_of(url: str) -> str | None:
    """scheme://host[:port] in lower case (default port dropped): the cache key; None unless
    `url` is http(s) with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")


def robots_url(page_url: str) -> str | None:
    origin = origin_of(page_url)
    return None if origin is None else f"{origin}/robots.txt"


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: "newsbeam" of "newsbeam/0.1.0 (+…)"."""
    return _TOKEN.match(user_agent.strip()).group().lower()


def rules_from_fetch(result: FetchResult, now_us: int) -> RobotsRules:
    """RFC 9309 2.3.1: 2xx parsed; 4xx (not 429) or a redirect loop allow all, each for a day;
    5xx, 429, any other status or no answer disallow all for UNAVAILABLE_S (longer if the
    server's Retry-After says so, up to a day)."""
    status = result.status
    if 200 <= status < 300:
        text, cut = _robots_text(result.body, result.truncated)
        note = f", cut after {MAX_ROBOTS_BYTES} bytes" if cut else ""
        return _rules("parsed", text, now_us, CACHE_S, f"HTTP {status}: parsed{note}")
    if 400 <= status < 500 and status != 429:
        reason = f"HTTP {status}: no robots.txt, all allowed"
        return _rules("allow_all", "", now_us, CACHE_S, reason)
    if status == 0 and (result.error or "").startswith("too many redirects"):
        # RFC 9309 2.3.1.2: past five redirects robots.txt MAY be taken as unavailable, a 4xx.
        return _rules("allow_all", "", now_us, CACHE_S, f"{result.error}: all allowed")
    if status == 0:
        reason = f"no response ({result.error}): unreachable, disallowed for now"
    elif status == 429 or status >= 500:
        reason = f"HTTP {status}: unavailable, disallowed for now"
    else:
        reason = f"HTTP {status}: no robots.txt answer, disallowed for now"
    wait = min(max(result.retry_after or 0.0, UNAVAILABLE_S), CACHE_S)
    return _rules("disallow_all", "", now_us, wait, reason)


def allowed(rules: RobotsRules, url: str, user_agent: str) -> bool:
    """May `user_agent` fetch `url`? The group named by its product token wins over "*"."""
    if rules.kind != "parsed":
        return rules.kind == "allow_all"
    token = product_token(user_agent)
    return _parser(rules.text, token).can_fetch(url, token)


def crawl_delay(
    rules: RobotsRules, user_agent: str, cap_s: float = MAX_CRAWL_DELAY_S
) -> float | None:
    """Seconds between requests the group for `user_agent` asks for, the larger of Crawl-delay and
    Request-rate (n/Ts: T/n seconds; its time-of-day window is ignored), capped; None if neither."""
    if rules.kind != "parsed":
        return None
    token = product_token(user_agent)
    parser = _parser(rules.text, token)
    delays = [parser.crawl_delay(token)]
    rate = parser.request_rate(token)
    if rate is not None:
        delays.append(rate.seconds / rate.requests)
    found = [d for d in delays if d is not None]
    return min(max(found), cap_s) if found else None


def _rules(kind: str, text: str, now: int, valid_s: float, reason: str) -> RobotsRules:
    return RobotsRules(kind, text, now, now + round(valid_s * US), reason)


def _robots_text(body: bytes, truncated: bool) -> tuple[str, bool]:
    """UTF-8 text of at most MAX_ROBOTS_BYTES (RFC 9309 2.3). A cut body loses its last, partial
    line too: "Allow: /news/today" cut to "Allow: /" would outrank a "Disallow: /" (ties go to
    Allow)."""
    cut = truncated or len(body) > MAX_ROBOTS_BYTES
    if cut:
        body = body[:MAX_ROBOTS_BYTES]
        body = body[: max(body.rfind(b"\n"), body.rfind(b"\r")) + 1]
    return body.decode("utf-8-sig", errors="replace"), cut


@functools.lru_cache(maxsize=1024)  # parsers stay out of the records; a crawl asks per URL
def _parser(text: str, token: str) -> Protego:
    return Protego.parse(_exact_groups(text, token))


def _exact_groups(text: str, token: str) -> str:
    """The text with each User-agent line naming either `token`, "*" or no one we could be.

    Protego picks the longest group name found in the agent at a word start, so "User-agent:
    news" would govern "newsbeam" while "User-agent: newsbeam/1.0" would not. RFC 9309 (and
    Google) compare product tokens, case-insensitively; this rewrite makes Protego do so.
    """

    def rename(match: re.Match) -> str:
        value = match.group(2).strip()
        if value in ("*", ""):
            return match.group(0)
        same = bool(token) and product_token(value) == token
        return match.group(1) + (token if same else _OTHER_AGENT)

    return _UA_LINE.sub(rename, "\n".join(text.splitlines()))  # as Protego splits lines


class _Store:
    """The process-wide cache behind RobotsCache: insertion-ordered, so the first key is oldest."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: dict[tuple[str, str], RobotsRules] = {}
        self.chars = 0

    def drop(self, key: tuple[str, str]) -> None:
        rules = self.entries.pop(key, None)
        if rules is not None:
            self.chars -= len(rules.text)


_STORE = _Store()


class RobotsCache:
    """Rules per origin for every worker thread of this process, keyed by the clock's name too so
    FakeClock tests never see each other's entries. Holds no state: pickles as nothing."""

    def get(self, origin: str, clock: Clock) -> RobotsRules | None:
        """The rules cached for `origin` (origin_of(url)); None when absent or expired."""
        key, now = (clock_key(clock), origin), now_us(clock)
        with _STORE.lock:
            rules = _STORE.entries.get(key)
            if rules is not None and rules.expires_at <= now:
                _STORE.drop(key)
                return None
            return rules

    def put(self, origin: str, rules: RobotsRules, clock: Clock) -> None:
        key, now = (clock_key(clock), origin), now_us(clock)
        with _STORE.lock:
            _STORE.drop(key)
            _STORE.entries[key] = rules
            _STORE.chars += len(rules.text)
            if _over_budget():  # this clock's expired entries go first, then the oldest
                entries = _STORE.entries.items()
                for old in [k for k, r in entries if k[0] == key[0] and r.expires_at <= now]:
                    _STORE.drop(old)
            while _over_budget() and len(_STORE.entries) > 1:
                _STORE.drop(next(iter(_STORE.entries)))

    def clear(self) -> None:
        with _STORE.lock:
            _STORE.entries.clear()
            _STORE.chars = 0

    def __len__(self) -> int:
        return len(_STORE.entries)


def _over_budget() -> bool:
    return len(_STORE.entries) > MAX_CACHED_ORIGINS or _STORE.chars > MAX_CACHED_CHARS
