"""fetch() against a real HTTP server on 127.0.0.1: validators, 304, 5xx retries, redirects, caps."""

from __future__ import annotations

import socket

import pytest
from feed_server import FeedServer, GrowingFeed, StatusServer

from pipeline.sources.http import USER_AGENT, fetch, is_fetchable

RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    + b"".join(b"<item><title>n%d</title><guid>g%d</guid></item>" % (i, i) for i in range(5))
    + b"</channel></rss>"
)


@pytest.fixture()
def server():
    with FeedServer({"a": GrowingFeed(RSS, 2)}, slow_seconds=1.5) as srv:
        yield srv


def _no_sleep(_):
    return None


def test_200_then_304_with_validators(server):
    first = fetch(server.url("/feed/a"))
    assert first.ok and first.status == 200 and b"n1" in first.body and b"n2" not in first.body
    assert first.etag and first.last_modified and first.error is None
    second = fetch(server.url("/feed/a"), first.etag, first.last_modified)
    assert second.not_modified and second.body == b"" and not second.ok
    assert server.requests[1][1].get("If-None-Match") == first.etag
    assert server.requests[0][1].get("User-Agent") == USER_AGENT


def test_changed_feed_is_fetched_again(server):
    first = fetch(server.url("/feed/a"))
    server.feeds["a"].reveal(1)
    again = fetch(server.url("/feed/a"), first.etag, first.last_modified)
    assert again.ok and b"n2" in again.body


def test_5xx_is_retried_then_reported(server):
    result = fetch(server.url("/error"), retries=2, sleep=_no_sleep)
    assert result.status == 500 and result.error == "HTTP 500" and result.attempts == 3
    assert server.count("/error") == 3


def test_404_is_not_retried(server):
    result = fetch(server.url("/nothing"), retries=2, sleep=_no_sleep)
    assert result.status == 404 and result.attempts == 1


def test_redirect_loop_is_capped(server):
    result = fetch(server.url("/loop"), max_redirects=3, sleep=_no_sleep)
    assert result.status == 0 and "too many redirects" in result.error
    assert result.attempts == 1 and server.count("/loop") == 4


def test_redirects_within_cap_are_followed(server):
    result = fetch(server.url("/hop/2"), max_redirects=3)
    assert result.ok and result.final_url.endswith("/feed/a")


def test_slow_server_times_out_and_is_retried(server):
    result = fetch(server.url("/slow/feed/a"), timeout=0.3, retries=1, sleep=_no_sleep)
    assert result.status == 0 and "timed out" in result.error.lower() and result.attempts == 2


def test_body_is_capped(server):
    result = fetch(server.url("/feed/a"), max_bytes=50)
    assert result.ok and result.truncated and len(result.body) == 50


def test_connection_refused_is_a_result():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/rss", retries=1, sleep=_no_sleep)
    assert result.status == 0 and result.error and result.attempts == 2


@pytest.mark.parametrize(
    "url, ok",
    [
        ("http://example.com/rss", True),
        ("https://example.com/a?b=c", True),
        ("ftp://example.com/rss", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("http://", False),
    ],
)
def test_only_http_and_https(url, ok):
    assert is_fetchable(url) is ok
    if not ok:
        assert fetch(url, retries=0).error.startswith("refused")


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.com/feed.rss", "gopher://h/1", "javascript:x"]
)
@pytest.mark.parametrize("hops", [1, 3])
def test_a_redirect_out_of_http_is_refused_at_once_not_retried(target, hops):
    with StatusServer() as srv:
        result = fetch(srv.url(f"/redirect/{hops}?{target}"), retries=2, sleep=_no_sleep)
    assert result.status == 0 and result.attempts == 1 and not result.transient
    assert result.error.startswith("refused: a redirect to a URL that is not http(s)")
    assert result.final_url == target and len(srv.hits) == hops


@pytest.mark.parametrize(
    "status, retried",
    [(500, True), (502, True), (503, True), (504, True), (429, True), (408, True),
     (501, False), (505, False), (400, False), (403, False), (404, False), (410, False)],
)  # fmt: skip
def test_only_statuses_that_may_pass_are_retried(status, retried):
    with StatusServer() as srv:
        result = fetch(srv.url(f"/status/{status}"), retries=2, sleep=_no_sleep)
    assert result.status == status and result.error == f"HTTP {status}"
    assert result.transient is retried and result.attempts == (3 if retried else 1)
    assert len(srv.hits) == result.attempts


def test_a_tls_failure_is_not_retried():
    with StatusServer() as srv:  # plain HTTP spoken to a TLS client: the handshake fails
        result = fetch(
            srv.url("/status/200").replace("http:", "https:"), retries=2, sleep=_no_sleep
        )
    assert result.status == 0 and "SSL" in result.error
    assert not result.transient and result.attempts == 1


def test_timeouts_and_refused_connections_are_transient(server):
    slow = fetch(server.url("/slow/feed/a"), timeout=0.3, retries=0)
    assert slow.transient and slow.attempts == 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert fetch(f"http://127.0.0.1:{port}/rss", retries=0).transient
