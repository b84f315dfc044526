"""One polite HTTP fetch of a feed: conditional GET, capped body, capped redirects, retries.

fetch() never raises: every outcome, a network error included, is a FetchResult the poller keeps in
its per-feed state. urllib3 does the transport; redirects and retries are ours so that each hop is
checked (http/https only) and each retry is counted. Only what may pass is retried (TRANSIENT_STATUS,
timeouts, refused or reset connections, failed name lookups); a refused URL or redirect, a TLS
failure, a bad encoding or any other 4xx fails at once. A 429 or 503 that says when to come back
(Retry-After) is not retried here: the poller waits that long for the whole host. Each attempt
has a total deadline, connect, headers and body together (sources/deadline.py), so a server
that drips its answer cannot hold a fetch longer than the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3 import exceptions as urllib3_errors

from pipeline.sources.deadline import Deadline, TrackedPoolManager
from pipeline.version import newsbeam_version

# Who is asking, for the site's operators: set your own with --user-agent (the README says how).
CONTACT_URL = "https://github.com/newsbeam"


USER_AGENT = f"newsbeam/{newsbeam_version()} (+{CONTACT_URL})"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"  # an article page
ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
DEFAULT_TIMEOUT = 10.0  # seconds to connect, and again to read
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # a real feed is well under this; more is a misconfigured URL
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_RETRIES = 2  # extra attempts after the first, for transient failures only
DEFAULT_BACKOFF = 0.5  # seconds before the first retry, doubled for each next one

_REDIRECTS = (301, 302, 303, 307, 308)
# Statuses a later attempt may not get: timeouts, rate limits, and server errors other than
# 501 Not Implemented and 505 HTTP Version Not Supported, which say the same every time.
TRANSIENT_STATUS = frozenset({408, 429, *range(500, 600)} - {501, 505})
# Transport errors that may pass: timeouts (connect, read), connections refused or reset, failed
# name lookups (NewConnectionError covers both), a response cut mid-body (ProtocolError).
# Not these: SSLError (a bad certificate stays bad), DecodeError, LocationValueError, ProxyError.
_TRANSIENT_ERRORS = (
    urllib3_errors.TimeoutError,
    urllib3_errors.NewConnectionError,
    urllib3_errors.ProtocolError,
    ConnectionError,
    TimeoutError,
)
_ERROR_BODY_BYTES = 64 * 1024


class FetchResult(NamedTuple):
    """What one fetch produced. status is the final HTTP status, 0 when no response came."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # why it failed; None on 200 and 304
    truncated: bool = False  # the body was cut at max_bytes
    attempts: int = 1
    elapsed: float = 0.0  # seconds, all attempts included
    transient: bool = False  # the failure may pass: a timeout, a reset, a 5xx, a 429
    retry_after: float | None = None  # seconds a 429/503 asked to wait (Retry-After)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def timed_out(result: FetchResult) -> bool:
    """No answer came in time: the total deadline, or a connect or read timeout."""
    error = result.error or ""
    return result.status == 0 and (error.startswith("timed out") or "Timeout" in error)


def failure_class(result: FetchResult) -> str:
    """What kind of failure a failed fetch was: "4xx", "5xx", "timeout", or "error" (no HTTP
    answer: refused, reset, a failed name lookup, a refused redirect)."""
    if 400 <= result.status < 500:
        return "4xx"
    if result.status >= 500:
        return "5xx"
    return "timeout" if timed_out(result) else "error"


def is_fetchable(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date; None when absent or
    unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # an HTTP date names GMT; one without a zone is not one: ignored
        return None
    return max(0.0, when.timestamp() - now)


def new_pool(timeout: float = DEFAULT_TIMEOUT) -> urllib3.PoolManager:
    """A connection pool for one worker (build it in DoFn.setup())."""
    return TrackedPoolManager(
        num_pools=64,
        maxsize=1,
        retries=False,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
    )


def fetch(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    pool: urllib3.PoolManager | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    user_agent: str = USER_AGENT,
    may_retry: Callable[[], bool] | None = None,
    accept: str = ACCEPT,
    may_request: Callable[[str], str | None] | None = None,
) -> FetchResult:
    """GET `url` with the validators of the last success; retries transient failures only,
    and not one that said when to come back (Retry-After: the poller waits), nor any once
    `may_retry()` says no (the run is stopping). `may_request(url)` is asked before each request,
    redirects included: None lets it, a reason refuses it (the error is "refused: <reason>")."""
    started = time.monotonic()
    pool = pool or new_pool(timeout)
    result = FetchResult(url, url, 0, error="not attempted")
    headers = _headers(etag, last_modified, user_agent, accept)
    allowed = may_retry or (lambda: True)
    for attempt in range(1, retries + 2):
        result = _fetch_once(pool, url, headers, timeout, max_bytes, max_redirects, may_request)
        result = result._replace(attempts=attempt)
        if not result.transient or attempt > retries or result.retry_after is not None:
            break
        if not allowed():
            break
        sleep(backoff * 2 ** (attempt - 1))
        if not allowed():
            break
    return result._replace(elapsed=round(time.monotonic() - started, 3))


def _transport_error(url: str, current: str, exc: Exception) -> FetchResult:
    error = f"{type(exc).__name__}: {exc}"[:500]
    return FetchResult(url, current, 0, error=error, transient=isinstance(exc, _TRANSIENT_ERRORS))


def _headers(etag: str | None, last_modified: str | None, user_agent: str, accept: str) -> dict:
    headers = {"User-Agent": user_agent, "Accept": accept}  # per-request headers replace the pool's
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _fetch_once(pool, url, headers, timeout, max_bytes, max_redirects, may_request) -> FetchResult:
    """One attempt, redirects included, within a total deadline of `timeout` seconds."""
    with Deadline(timeout) as deadline:
        result = _follow(pool, url, headers, timeout, max_bytes, max_redirects, may_request)
    if deadline.expired:  # the socket was cut: whatever was read is not the whole answer
        error = f"timed out: no whole answer within {timeout:g} s (connect, headers and body)"
        return FetchResult(url, result.final_url, 0, error=error, transient=True)
    return result


def _follow(pool, url, headers, timeout, max_bytes, max_redirects, may_request) -> FetchResult:
    current = url
    for hop in range(max_redirects + 1):
        if not is_fetchable(current):
            what = "a redirect to a URL that is not http(s)" if hop else "not an http(s) URL"
            return FetchResult(url, current, 0, error=f"refused: {what}: {current[:200]}")
        reason = may_request(current) if may_request else None
        if reason:
            return FetchResult(url, current, 0, error=f"refused: {reason}: {current[:200]}")
        try:
            response = pool.request(
                "GET",
                current,
                headers=headers,
                redirect=False,
                preload_content=False,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
            )
        except Exception as exc:  # noqa: BLE001 - any transport error is a result, never a raise
            return _transport_error(url, current, exc)
        try:
            if response.status in _REDIRECTS and response.headers.get("Location"):
                _read_capped(response, _ERROR_BODY_BYTES)
                current = urljoin(current, response.headers["Location"])
                continue
            # Error pages are read too (up to a small cap) so the connection can be reused.
            cap = max_bytes if response.status == 200 else _ERROR_BODY_BYTES
            body, truncated = _read_capped(response, cap)
            if response.status != 200:
                body = b""
            error = None if response.status in (200, 304) else f"HTTP {response.status}"
            retry_after = None
            if response.status in (429, 503):
                retry_after = parse_retry_after(response.headers.get("Retry-After"), time.time())
            return FetchResult(
                url,
                current,
                response.status,
                body=body,
                content_type=response.headers.get("Content-Type"),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                error=error,
                truncated=truncated,
                transient=response.status in TRANSIENT_STATUS,
                retry_after=retry_after,
            )
        except Exception as exc:  # noqa: BLE001 - a reset or a read timeout mid-body
            return _transport_error(url, current, exc)
        finally:
            response.release_conn()
    return FetchResult(url, current, 0, error=f"too many redirects (> {max_redirects})")


def _read_capped(response, max_bytes: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024, decode_content=True):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            response.close()  # the unread rest must never be taken for the next response
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False
