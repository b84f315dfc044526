"""Rate limits, identity and a total deadline per request, against real servers on 127.0.0.1:
Retry-After is read and never retried over; --user-agent is what the server sees; a server that
drips its headers or body (a slow loris) is cut off at the timeout instead of holding the fetch.

No assertion is about time: the drip servers would take minutes to finish, and what is checked is
that the fetch gave up long before they did (how many bytes they managed to send)."""

from __future__ import annotations

from email.utils import formatdate

import pytest
from feed_server import Drip, FeedServer, GrowingFeed, StatusServer

from pipeline.sources.http import USER_AGENT, fetch, parse_retry_after


def _no_sleep(_):
    return None


RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.mark.parametrize(
    "head, drip",
    [
        # Headers dripped forever: the status line came, the headers never end.
        (b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"z" * 4000),
        # Headers at once, then a body of 4,000 bytes one by one (3+ minutes).
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n", b"<rss>" + b" " * 4000),
    ],
    ids=["headers", "body"],
)
def test_a_slow_loris_is_cut_off_at_the_total_deadline(head, drip):
    server = Drip(head, drip)
    try:
        result = fetch(server.url(), timeout=0.5, retries=0)
    finally:
        server.close()
    assert not result.ok and result.status == 0 and result.transient
    assert "timed out" in result.error and "headers and body" in result.error
    assert server.sent < len(drip) // 2  # gave up long before the server finished


def test_a_fast_answer_is_not_touched_by_the_deadline(tmp_path):
    with FeedServer({"a": GrowingFeed(RSS, 0)}) as srv:
        result = fetch(srv.url("/feed/a"), timeout=5.0)
        again = fetch(srv.url("/feed/a"), result.etag, timeout=5.0)  # the kept-alive connection
    assert result.ok and result.body == RSS and again.not_modified


@pytest.mark.parametrize(
    "value, expected",
    [("120", 120.0), ("0", 0.0), (" 7 ", 7.0), ("", None), (None, None), ("soon", None),
     ("-5", None), (formatdate(1_000_100, usegmt=True), 100.0),
     (formatdate(999_000, usegmt=True), 0.0), ("Wed, 21 Oct 2015 07:28:00", None)],
)  # fmt: skip
def test_retry_after_is_seconds_or_an_http_date(value, expected):
    assert parse_retry_after(value, now=1_000_000.0) == expected


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_reported_and_not_retried_over(status):
    with StatusServer() as server:
        result = fetch(server.url(f"/status/{status}?retry-after=30"), retries=2, sleep=_no_sleep)
    assert result.status == status and result.retry_after == 30.0
    assert result.attempts == 1 and len(server.hits) == 1


def test_a_429_without_retry_after_is_retried_as_before():
    with StatusServer() as server:
        result = fetch(server.url("/status/429"), retries=2, sleep=_no_sleep)
    assert result.retry_after is None and result.attempts == 3


def test_the_user_agent_is_ours_to_set():
    with StatusServer() as server:
        url = server.url("/status/204")
        fetch(url, retries=0)
        fetch(url, retries=0, user_agent="acme-monitor/1.0 (+https://acme.example/bot)")
    default, custom = (h["User-Agent"] for h in server.headers)
    assert default == USER_AGENT and default.startswith("newsbeam/") and "(+http" in default
    assert custom == "acme-monitor/1.0 (+https://acme.example/bot)"


@pytest.mark.parametrize("value", ["", "   ", "bot\r\nX-Injected: 1"])
def test_a_user_agent_must_be_one_line_of_text(value, capsys):
    from pipeline.cli import main

    assert main(["stream", "--feed", "http://127.0.0.1:9/rss", "--user-agent", value]) == 2
    assert "--user-agent" in capsys.readouterr().err


def test_the_user_agent_reaches_the_poller():
    import time

    from pipeline.options import parse_options
    from pipeline.settings import settings_from

    argv = ["--feed", "http://127.0.0.1:9/rss", "--user-agent", "acme/1.0 (+https://acme.example)"]
    settings = settings_from("stream", parse_options("stream", argv), time.time())
    assert settings.stream.poller.user_agent == "acme/1.0 (+https://acme.example)"
    from apache_beam.options.pipeline_options import SetupOptions

    from pipeline.options import NewsbeamOptions

    for flag in ("--user_agent", "--user-agent"):  # Beam's spelling of the same option, and ours
        options = parse_options("stream", [*argv[:2], flag, "acme/2.0"])
        options.view_as(NewsbeamOptions)  # the CLI makes views before the settings: no matter
        assert settings_from("stream", options, 0).stream.poller.user_agent == "acme/2.0"
        assert options.view_as(SetupOptions).user_agent == "acme/2.0"
    default = settings_from("stream", parse_options("stream", argv[:2]), time.time())
    assert default.stream.poller.user_agent == USER_AGENT


def test_no_retry_starts_once_the_run_is_stopping():
    # The drain waits for one fetch deadline, not for every retry: may_retry() is asked before
    # the backoff and after it.
    with FeedServer({}) as srv:
        stopping = fetch(srv.url("/error"), retries=2, sleep=_no_sleep, may_retry=lambda: False)
        running = fetch(srv.url("/error"), retries=2, sleep=_no_sleep, may_retry=lambda: True)
        asked = iter([True, False])  # the run stops during the first backoff
        stopped_mid = fetch(
            srv.url("/error"), retries=2, sleep=_no_sleep, may_retry=lambda: next(asked)
        )
    assert (stopping.attempts, running.attempts, stopped_mid.attempts) == (1, 3, 1)
    assert srv.count("/error") == 5
