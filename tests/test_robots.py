"""robots.txt rules: what each fetch outcome means, group choice by product token, precedence,
crawl delay, the size cap, the per-origin cache on a FakeClock, and one fetch over loopback."""

from __future__ import annotations

import pickle
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from pipeline.sources import robots
from pipeline.sources.clock import US, FakeClock, now_us
from pipeline.sources.http import FetchResult, fetch
from pipeline.sources.robots import (
    CACHE_S,
    MAX_CRAWL_DELAY_S,
    MAX_ROBOTS_BYTES,
    UNAVAILABLE_S,
    RobotsCache,
    RobotsRules,
    allowed,
    crawl_delay,
    origin_of,
    product_token,
    robots_url,
    rules_from_fetch,
)

UA = "newsbeam/0.1.0 (+https://github.com/newsbeam)"
NOW = 1_700_000_000 * US
SITE = "https://example.com"


def _result(status: int, body: bytes = b"", **fields) -> FetchResult:
    url = f"{SITE}/robots.txt"
    return FetchResult(url, url, status, body=body, **fields)


def _parsed(text: str) -> RobotsRules:
    return rules_from_fetch(_result(200, text.encode()), NOW)


@pytest.fixture()
def cache():
    cache = RobotsCache()
    cache.clear()
    yield cache
    cache.clear()


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Example.COM/a/b?c=1#f", "https://example.com"),
        ("HTTP://example.com:8080/x", "http://example.com:8080"),
        ("https://example.com:443/x", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://user:pw@example.com/x", "http://example.com"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("ftp://example.com/x", None),
        ("mailto:someone@example.com", None),
        ("/relative/path", None),
        ("http:///no-host", None),
        ("http://example.com:99999/x", None),
    ],
)
def test_origin_and_robots_url(url, origin):
    assert origin_of(url) == origin
    assert robots_url(url) == (None if origin is None else origin + "/robots.txt")


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [(UA, "newsbeam"), ("MyBot/2.0 (contact)", "mybot"), ("my_bot-x", "my_bot-x"), ("9bot", "")],
)
def test_product_token(user_agent, token):
    assert product_token(user_agent) == token


@pytest.mark.parametrize(
    ("status", "error", "kind", "valid_s", "reason"),
    [
        (200, None, "parsed", CACHE_S, "HTTP 200: parsed"),
        (404, "HTTP 404", "allow_all", CACHE_S, "HTTP 404: no robots.txt, all allowed"),
        (403, "HTTP 403", "allow_all", CACHE_S, "HTTP 403: no robots.txt, all allowed"),
        (410, "HTTP 410", "allow_all", CACHE_S, "HTTP 410"),
        (500, "HTTP 500", "disallow_all", UNAVAILABLE_S, "HTTP 500: unavailable, disallowed"),
        (503, "HTTP 503", "disallow_all", UNAVAILABLE_S, "HTTP 503: unavailable, disallowed"),
        (429, "HTTP 429", "disallow_all", UNAVAILABLE_S, "HTTP 429: unavailable, disallowed"),
        (0, "ReadTimeoutError: x", "disallow_all", UNAVAILABLE_S, "no response (ReadTimeout"),
        (0, "NewConnectionError: refused", "disallow_all", UNAVAILABLE_S, "unreachable"),
        (0, "too many redirects (> 5)", "allow_all", CACHE_S, "too many redirects"),
        (300, "HTTP 300", "disallow_all", UNAVAILABLE_S, "HTTP 300: no robots.txt answer"),
    ],
)
def test_status_rules(status, error, kind, valid_s, reason):
    body = b"User-agent: *\nDisallow: /private\n" if status == 200 else b""
    rules = rules_from_fetch(_result(status, body, error=error), NOW)
    assert rules.kind == kind and reason in rules.reason
    assert rules.fetched_at == NOW and rules.expires_at == NOW + valid_s * US
    assert allowed(rules, f"{SITE}/news/1", UA) is (kind != "disallow_all")
    assert allowed(rules, f"{SITE}/private/1", UA) is (kind == "allow_all")


@pytest.mark.parametrize(
    ("retry_after", "valid_s"), [(3600.0, 3600), (10.0, UNAVAILABLE_S), (1e7, CACHE_S)]
)
def test_retry_after_lengthens_a_disallow_up_to_a_day(retry_after, valid_s):
    rules = rules_from_fetch(_result(503, error="HTTP 503", retry_after=retry_after), NOW)
    assert rules.kind == "disallow_all" and rules.expires_at == NOW + valid_s * US


TWO_GROUPS = """
User-agent: {ours}
{our_rule}

User-agent: *
{star_rule}
"""


@pytest.mark.parametrize(
    ("ours", "our_rule", "star_rule", "x_allowed"),
    [
        ("newsbeam", "Disallow: /x", "Disallow: /nothing", False),  # our group blocks, * allows
        ("newsbeam", "Allow: /x", "Disallow: /x", True),  # our group allows, * blocks
        ("newsbeam", "Disallow: /nothing", "Disallow: /x", True),  # ours replaces *, no merging
        ("NewsBeam", "Disallow: /x", "Disallow: /nothing", False),  # case-insensitive
        ("newsbeam/1.0", "Disallow: /x", "Disallow: /nothing", False),  # its product token
        ("otherbot", "Disallow: /nothing", "Disallow: /x", False),  # someone else's: * applies
        ("news", "Disallow: /nothing", "Disallow: /x", False),  # a prefix is not our name
        ("beam", "Allow: /x", "Disallow: /x", False),
        ("newsbeamer", "Allow: /x", "Disallow: /x", False),
    ],
)
def test_group_for_our_token_wins_over_star(ours, our_rule, star_rule, x_allowed):
    rules = _parsed(TWO_GROUPS.format(ours=ours, our_rule=our_rule, star_rule=star_rule))
    assert allowed(rules, f"{SITE}/x/page", UA) is x_allowed


def test_groups_for_one_token_are_merged_and_agents_share_a_group():
    rules = _parsed(
        "User-agent: newsbeam\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n\n"
        "User-agent: otherbot\nUser-agent: NEWSBEAM/2\nDisallow: /b\n"
    )
    assert not allowed(rules, f"{SITE}/a", UA) and not allowed(rules, f"{SITE}/b", UA)
    assert allowed(rules, f"{SITE}/c", UA)
    assert allowed(rules, f"{SITE}/c", "otherbot/1.0") and allowed(rules, f"{SITE}/a", "otherbot")
    assert not allowed(rules, f"{SITE}/b", "otherbot/1.0")
    assert allowed(rules, f"{SITE}/c", "MyBot/2.0 (contact)") is False  # only * applies


def test_other_user_agent_gets_its_own_group():
    rules = _parsed("User-agent: MyBot\nDisallow: /x\n\nUser-agent: *\nDisallow: /y\n")
    assert not allowed(rules, f"{SITE}/x", "MyBot/2.0 (contact)")
    assert allowed(rules, f"{SITE}/y", "MyBot/2.0 (contact)")
    assert allowed(rules, f"{SITE}/x", UA) and not allowed(rules, f"{SITE}/y", UA)


def test_user_agent_line_forms_protego_accepts_are_rewritten_too():
    text = "user agent newsbeam\r\nDisallow: /x\r\n\r\nUseragent: *\r\nDisallow: /y\r\n"
    rules = _parsed(text)
    assert not allowed(rules, f"{SITE}/x", UA) and allowed(rules, f"{SITE}/y", UA)
    prefix_group = _parsed("User agent news  # a comment\nDisallow: /x\n")
    assert allowed(prefix_group, f"{SITE}/x", UA)


PRECEDENCE = """
User-agent: *
Disallow: /news
Allow: /news/today
Allow: /page
Disallow: /page
Disallow: /*.pdf$
Disallow: /search*q=
Disallow: /*/print/
Allow: /shop$
Disallow: /shop
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/news/yesterday", False),
        ("/news/today/1", True),  # the longer (more specific) rule wins
        ("/page/1", True),  # equal length: Allow wins
        ("/files/a.pdf", False),
        ("/files/a.pdf?download=1", True),  # "$" anchors at the end of path and query
        ("/search?lang=en&q=beam", False),
        ("/search?lang=en", True),
        ("/2024/print/story", False),
        ("/print/story", True),  # "/*/print/" needs a segment before
        ("/shop", True),
        ("/shop/item", False),
        ("/", True),
    ],
)
def test_allow_disallow_precedence_and_wildcards(path, expected):
    assert allowed(_parsed(PRECEDENCE), SITE + path, UA) is expected


def test_disallow_all_and_empty_disallow():
    assert not allowed(_parsed("User-agent: *\nDisallow: /\n"), f"{SITE}/a", UA)
    assert allowed(_parsed("User-agent: *\nDisallow:\n"), f"{SITE}/a", UA)
    assert allowed(_parsed("<html>not found</html>"), f"{SITE}/a", UA)


@pytest.mark.parametrize(
    ("text", "user_agent", "delay"),
    [
        ("User-agent: *\nCrawl-delay: 5\n", UA, 5.0),
        ("User-agent: newsbeam\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 9\n", UA, 2.0),
        ("User-agent: newsbeam\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 9\n", "X/1", 9.0),
        ("User-agent: newsbeam\nDisallow: /a\n\nUser-agent: *\nCrawl-delay: 9\n", UA, None),
        ("User-agent: *\nCrawl-delay: 86400\n", UA, MAX_CRAWL_DELAY_S),
        ("User-agent: *\nCrawl-delay: 0.5\n", UA, 0.5),
        ("User-agent: *\nCrawl-delay: soon\n", UA, None),
        ("User-agent: *\nDisallow: /a\n", UA, None),
        ("User-agent: *\nRequest-rate: 1/10s\n", UA, 10.0),
        ("User-agent: *\nRequest-rate: 6/1m\n", UA, 10.0),
        ("User-agent: *\nRequest-rate: 1/10s\nCrawl-delay: 3\n", UA, 10.0),
        ("User-agent: *\nRequest-rate: 10/1s\nCrawl-delay: 3\n", UA, 3.0),
    ],
)
def test_crawl_delay(text, user_agent, delay):
    assert crawl_delay(_parsed(text), user_agent) == delay


def test_crawl_delay_cap_is_a_parameter_and_none_without_rules():
    rules = _parsed("User-agent: *\nCrawl-delay: 30\n")
    assert crawl_delay(rules, UA, cap_s=10.0) == 10.0
    assert crawl_delay(rules_from_fetch(_result(404, error="HTTP 404"), NOW), UA) is None
    assert crawl_delay(rules_from_fetch(_result(503, error="HTTP 503"), NOW), UA) is None


def _long_body(tail: bytes, tail_at: int) -> bytes:
    """A robots.txt disallowing all whose `tail` starts at byte `tail_at`."""
    head = b"User-agent: *\nDisallow: /\n"
    filler = b"#" + b"p" * (tail_at - len(head) - 2) + b"\n"
    return head + filler + tail


def test_a_cut_body_is_parsed_up_to_its_last_whole_line():
    # fetch(max_bytes=MAX_ROBOTS_BYTES) cut "Allow: /news/today" to "Allow: /", which would beat
    # "Disallow: /" on a tie; the partial line is dropped.
    body = _long_body(b"Allow: /news/today\n", MAX_ROBOTS_BYTES - len(b"Allow: /"))
    cut = body[:MAX_ROBOTS_BYTES]
    assert cut.endswith(b"\nAllow: /")
    rules = rules_from_fetch(_result(200, cut, truncated=True), NOW)
    assert rules.kind == "parsed" and "cut after" in rules.reason
    assert not allowed(rules, f"{SITE}/news/yesterday", UA)
    whole = rules_from_fetch(_result(200, cut), NOW)  # not cut: the line stands
    assert allowed(whole, f"{SITE}/news/yesterday", UA)


def test_a_body_past_the_cap_is_capped_even_if_fetched_whole():
    body = _long_body(b"Allow: /late\n", MAX_ROBOTS_BYTES + 1)
    assert len(body) > MAX_ROBOTS_BYTES
    rules = rules_from_fetch(_result(200, body), NOW)
    assert len(rules.text.encode()) <= MAX_ROBOTS_BYTES and "cut after" in rules.reason
    assert not allowed(rules, f"{SITE}/late", UA)
    short = rules_from_fetch(_result(200, b"User-agent: *\nDisallow: /\nAllow: /late\n"), NOW)
    assert allowed(short, f"{SITE}/late", UA) and "cut" not in short.reason


def test_bom_and_bad_utf8_do_not_break_parsing():
    rules = _parsed_bytes(b"\xef\xbb\xbfUser-agent: *\nDisallow: /caf\xff\nDisallow: /x\n")
    assert not allowed(rules, f"{SITE}/x", UA) and allowed(rules, f"{SITE}/y", UA)


def _parsed_bytes(body: bytes) -> RobotsRules:
    return rules_from_fetch(_result(200, body), NOW)


def test_rules_pickle_small_after_use():
    rules = _parsed("User-agent: *\nDisallow: /x\n")
    assert not allowed(rules, f"{SITE}/x", UA)  # builds and memoises the parser
    copy = pickle.loads(pickle.dumps(rules))
    assert copy == rules and not allowed(copy, f"{SITE}/x", UA)
    assert len(pickle.dumps(rules)) < 400
    assert isinstance(pickle.loads(pickle.dumps(RobotsCache())), RobotsCache)


def test_cache_expires_on_the_clock(cache):
    with FakeClock() as clock:
        rules = rules_from_fetch(_result(404, error="HTTP 404"), now_us(clock))
        assert cache.get(SITE, clock) is None
        cache.put(SITE, rules, clock)
        assert cache.get(SITE, clock) == rules
        clock.sleep(CACHE_S - 1)
        assert cache.get(SITE, clock) == rules
        clock.sleep(1)
        assert cache.get(SITE, clock) is None and len(cache) == 0


def test_unavailable_rules_expire_sooner(cache):
    with FakeClock() as clock:
        rules = rules_from_fetch(_result(503, error="HTTP 503"), now_us(clock))
        cache.put(SITE, rules, clock)
        clock.sleep(UNAVAILABLE_S - 1)
        assert cache.get(SITE, clock) == rules
        clock.sleep(1)
        assert cache.get(SITE, clock) is None


def test_fake_clocks_do_not_share_entries(cache):
    with FakeClock() as one, FakeClock() as two:
        rules = rules_from_fetch(_result(404, error="HTTP 404"), now_us(one))
        cache.put(SITE, rules, one)
        assert cache.get(SITE, one) == rules and cache.get(SITE, two) is None
        cache.clear()
        assert cache.get(SITE, one) is None


def test_cache_is_bounded_dropping_expired_then_oldest(cache, monkeypatch):
    monkeypatch.setattr(robots, "MAX_CACHED_ORIGINS", 3)
    with FakeClock() as clock:
        now = now_us(clock)
        short = rules_from_fetch(_result(503, error="HTTP 503"), now)
        long = rules_from_fetch(_result(404, error="HTTP 404"), now)
        cache.put("https://a", long, clock)
        cache.put("https://b", short, clock)
        cache.put("https://c", long, clock)
        clock.sleep(UNAVAILABLE_S)  # b expires
        cache.put("https://d", long, clock)  # over the bound: b goes, not the older a
        assert all(cache.get(o, clock) for o in ("https://a", "https://c", "https://d"))
        assert len(cache) == 3 and cache.get("https://a", clock) == long
        cache.put("https://e", long, clock)  # nothing expired: the oldest, a, goes
        assert cache.get("https://a", clock) is None and len(cache) == 3
        assert cache.get("https://e", clock) == long


def test_cache_is_bounded_by_text_size(cache, monkeypatch):
    monkeypatch.setattr(robots, "MAX_CACHED_CHARS", 150)  # two texts of 65 fit, three do not
    with FakeClock() as clock:
        rules = rules_from_fetch(_result(200, b"User-agent: *\nDisallow: /" + b"x" * 40), 0)
        assert len(rules.text) == 65
        cache.put("https://a", rules._replace(expires_at=now_us(clock) + US), clock)
        cache.put("https://b", rules._replace(expires_at=now_us(clock) + US), clock)
        assert len(cache) == 2
        cache.put("https://c", rules._replace(expires_at=now_us(clock) + US), clock)
        assert len(cache) == 2 and cache.get("https://a", clock) is None


class _RobotsHandler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict, bytes]]] = {}
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("User-Agent")))
        status, headers, body = self.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def robots_server():
    _RobotsHandler.seen = []
    _RobotsHandler.routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /x\n"),
        "/loop": (302, {"Location": "/loop"}, b""),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RobotsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_loopback_fetch_parse_and_our_user_agent(robots_server):
    url = robots_url(robots_server + "/x/article?id=1")
    assert url == robots_server + "/robots.txt"
    result = fetch(url, user_agent=UA, max_bytes=MAX_ROBOTS_BYTES, retries=0)
    rules = rules_from_fetch(result, NOW)
    assert rules.kind == "parsed" and rules.expires_at == NOW + CACHE_S * US
    assert not allowed(rules, robots_server + "/x/article?id=1", UA)
    assert allowed(rules, robots_server + "/y/article", UA)
    assert _RobotsHandler.seen == [("/robots.txt", UA)]


def test_loopback_missing_and_redirect_loop_allow_all(robots_server):
    missing = rules_from_fetch(fetch(robots_server + "/nothing.txt", user_agent=UA), NOW)
    assert missing.kind == "allow_all" and "404" in missing.reason
    loop = rules_from_fetch(fetch(robots_server + "/loop", user_agent=UA, retries=0), NOW)
    assert loop.kind == "allow_all" and "too many redirects" in loop.reason
