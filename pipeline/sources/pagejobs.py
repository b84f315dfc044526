"""The page fetches of one group (a shard's new items of a window, or of a batch run), as
bookkeeping the round (rounds.py) drives: one fetch per URL however many items link it,
robots.txt first for each origin, the host's politeness and Crawl-delay, one retry after a
Retry-After the host asked for, and what each answer means (a fetch_status). No Beam, no
sockets: the caller starts the requests and hands each answer back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import NamedTuple

from pipeline.sources import addresses, robots
from pipeline.sources.clock import US, Clock
from pipeline.sources.feedlist import host_of
from pipeline.sources.hostgate import HostGate
from pipeline.sources.http import FetchResult, failure_class
from transforms.parse.unpack import HTML, sniff

ROBOTS, PAGE = "robots", "page"
# No connection at all (refused, DNS, TLS): the host is down for the rest of this group.
UNREACHABLE = ("error",)
PRIVATE_NOTE = f"not requested: the link leads to {addresses.REASON} (--allow-private-pages)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
ROBOTS_REASON = "robots.txt disallows the redirect target"
REFUSED_BY_ROBOTS = f"refused: {ROBOTS_REASON}"
REFUSED_PRIVATE = f"refused: {addresses.REASON}"
_SNIFFED_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


class Job(NamedTuple):
    kind: str  # ROBOTS | PAGE
    url: str
    host: str
    origin: str
    attempt: int = 0


class Outcome(NamedTuple):
    """What became of one URL: its fetch_status, the answer (None when nothing was asked) and
    why, in words, for a dead letter."""

    status: str
    result: FetchResult | None = None
    detail: str = ""


def is_html(result: FetchResult) -> bool:
    """HTML by its Content-Type; by its first bytes when the server did not say or said
    nothing useful (text/plain, octet-stream)."""
    kind = (result.content_type or "").split(";")[0].strip().lower()
    if kind in _HTML_TYPES:
        return True
    return kind in _SNIFFED_TYPES and sniff(result.body) == HTML


def page_status(result: FetchResult) -> str:
    """A page answer's fetch_status."""
    if (result.error or "").startswith(REFUSED_BY_ROBOTS):
        return "robots"
    if (result.error or "").startswith(REFUSED_PRIVATE):
        return "skipped"
    if result.ok:
        if result.truncated:
            return "too_large"
        return "ok" if is_html(result) else "not_html"
    failure = failure_class(result)
    return f"http_{failure}" if failure in ("4xx", "5xx") else failure


class PageJobs:
    """The URLs of one group, by host; `decided` holds outcomes reached without a request
    (robots.txt said no), for the caller to take."""

    def __init__(
        self,
        urls: Iterable[str],
        *,
        gate: HostGate,
        cache: robots.RobotsCache,
        clock: Clock,
        user_agent: str,
        delay_s: float,
        max_retry_after_s: float,
        exempt_hosts: frozenset[str] = frozenset(),
        allow_private: bool = False,
    ):
        self._queues: dict[str, deque[str]] = {}
        for url in dict.fromkeys(urls):
            self._queues.setdefault(host_of(url), deque()).append(url)
        self._gate, self._cache, self._clock = gate, cache, clock
        self._agent, self._delay_us = user_agent, round(delay_s * US)
        self._max_retry_after = max_retry_after_s
        self._rules: dict[str, robots.RobotsRules] = {}  # what this group learned, by origin
        self._attempts: dict[str, int] = {}
        self._exempt, self._allow_private = exempt_hosts, allow_private
        self.decided: list[tuple[str, Outcome]] = []

    def take_decided(self) -> list[tuple[str, Outcome]]:
        """The outcomes reached without a request since the last call."""
        taken, self.decided = self.decided, []
        return taken

    def hosts(self) -> list[str]:
        return sorted(self._queues)

    def _rules_for(self, origin: str) -> robots.RobotsRules | None:
        return self._rules.get(origin) or self._cache.get(origin, self._clock)

    def _host_delay_us(self, host: str) -> int:
        queue = self._queues[host]
        rules = self._rules_for(robots.origin_of(queue[0]) or "") if queue else None
        delay = robots.crawl_delay(rules, self._agent) if rules else None
        return max(self._delay_us, round((delay or 0) * US))

    def ready_at(self, host: str) -> int | None:
        """When the host may be asked next (µs); None when it has nothing left to ask."""
        if not self._queues[host]:
            return None
        return self._gate.ready_at(host, self._host_delay_us(host))

    def next_job(self, host: str, now: int) -> Job | None:
        """The host's next request: its origin's robots.txt when not known yet, else its next
        allowed page. Pages robots.txt disallows are decided on the way, never requested."""
        queue = self._queues[host]
        while queue:
            url = queue[0]
            if self._internal(url, addresses.literal_reason):
                queue.popleft()
                self.decided.append((url, Outcome("skipped", None, PRIVATE_NOTE)))
                continue
            origin = robots.origin_of(url) or ""
            rules = self._rules_for(origin)
            if rules is None:
                return Job(ROBOTS, robots.robots_url(url) or url, host, origin)
            queue.popleft()
            if robots.allowed(rules, url, self._agent):
                return Job(PAGE, url, host, origin, self._attempts.get(url, 0))
            self.decided.append((url, Outcome("robots", None, f"robots.txt: {rules.reason}")))
        return None

    def _internal(self, url: str, check) -> str | None:
        """Why `url` may not be asked (an internal address), unless its host is a polled
        feed's or private pages are allowed."""
        if self._allow_private or host_of(url) in self._exempt:
            return None
        return check(url)

    def may_request_robots(self, url: str) -> str | None:
        """Asked in the fetch thread before each request for a robots.txt (DNS included)."""
        return self._internal(url, addresses.resolved_reason)

    def may_request(self, url: str) -> str | None:
        """Asked in the fetch thread before each request for a page, redirects included: not
        an internal address (DNS included), nor where a robots.txt this process knows
        disallows it (an origin whose robots.txt is not known yet is followed)."""
        internal = self._internal(url, addresses.resolved_reason)
        if internal:
            return internal
        rules = self._rules_for(robots.origin_of(url) or "")
        if rules is not None and not robots.allowed(rules, url, self._agent):
            return ROBOTS_REASON
        return None

    def record(self, job: Job, result: FetchResult, at: int) -> Outcome | None:
        """One answer: robots.txt learned (None), a page to ask again after the pause its host
        asked for (None), or the page's Outcome."""
        self._gate.ended(job.host, at)
        if (result.error or "").startswith(REFUSED_PRIVATE):  # its name resolves inside
            self._give_up(job.host, "skipped", PRIVATE_NOTE)
            return Outcome("skipped", None, PRIVATE_NOTE) if job.kind == PAGE else None
        if job.kind == ROBOTS:
            rules = robots.rules_from_fetch(result, at)
            self._rules[job.origin] = rules
            self._cache.put(job.origin, rules, self._clock)
            return None
        wait = result.retry_after
        if result.status in (429, 503) and wait is not None:
            self._gate.pause(job.host, at + round(wait * US))
            if job.attempt == 0 and wait <= self._max_retry_after:
                self._attempts[job.url] = 1
                self._queues[job.host].appendleft(job.url)
                return None
        status = page_status(result)
        detail = result.error or ("cut at the size limit" if result.truncated else "")
        if status == "not_html":
            detail = f"not an HTML page: {result.content_type or 'no Content-Type'}"
        if status in UNREACHABLE:
            self._give_up(job.host, status, detail)
        return Outcome(status, result, detail)

    def _give_up(self, host: str, status: str, detail: str) -> None:
        """A host that did not answer at all (after its retries) is not asked again in this
        group: its other pages keep their feed text with the same status, not requested."""
        queue = self._queues[host]
        note = f"not requested: {host} did not answer a page of this group ({detail})"
        while queue:
            self.decided.append((queue.popleft(), Outcome(status, None, note)))

    def leftovers(self) -> list[str]:
        """URLs never asked (the group's time ran out); the queues are emptied."""
        left = [url for queue in self._queues.values() for url in queue]
        for queue in self._queues.values():
            queue.clear()
        return left
