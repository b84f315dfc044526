"""A news site on a loopback address for the page-fetching tests and bench: a feed of one-line
summaries whose links lead to real article pages (the HTML benchmark's, ../shared/eval/html),
a robots.txt, and paths that disallow, rate-limit or fail. Every request is logged."""

from __future__ import annotations

import gzip
import json
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

from pipeline.sources.clock import SYSTEM_CLOCK, Clock


class Page(NamedTuple):
    key: str  # the benchmark's key (SHA-256 of the page's URL)
    html: bytes
    truth: str  # the benchmark's human-checked main text


def load_pages(shared: Path, count: int, offset: int = 0) -> list[Page]:
    """`count` pages of the HTML benchmark in sorted key order, from `offset`."""
    root = shared / "eval" / "html"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[offset : offset + count]
    return [
        Page(
            k,
            gzip.decompress((root / "html" / f"{k}.html.gz").read_bytes()),
            truth[k]["articleBody"],
        )
        for k in keys
    ]


def summary_of(page: Page, words: int = 25) -> str:
    return " ".join(page.truth.split()[:words]) + " …"


class Request(NamedTuple):
    path: str
    user_agent: str
    at: float  # on the site's clock


class PageSite:
    """Routes: /robots.txt; /feed.xml (an item per page, linking /news/<key>, and one per
    private page, linking /private/<key>); /news/<key> and /private/<key> (the page);
    /limited/<key> (429 with Retry-After: `retry_after` the first time, then the page);
    /big/<key> (a page larger than any sane cap); /data/<key> (JSON, not HTML); /gone/<key> (404);
    /moved/<key> (301 to /private/<key>)."""

    def __init__(
        self,
        pages: list[Page],
        *,
        host: str = "127.0.0.1",
        robots: str = "User-agent: *\nDisallow: /private/\n",
        private: int = 0,
        clock: Clock = SYSTEM_CLOCK,
        retry_after: int = 30,
        extra_links: tuple[str, ...] = (),
    ):
        self.pages = {p.key: p for p in pages}
        self.private = [p.key for p in pages[:private]]
        self.robots, self.clock, self.retry_after = robots, clock, retry_after
        self.extra_links = extra_links
        self.robots_status = 200
        self.requests: list[Request] = []
        self._limited: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://{host}:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def link(self, key: str) -> str:
        return f"{self.base}/{'private' if key in self.private else 'news'}/{key}"

    def feed(self) -> bytes:
        items = []
        links = [(self.link(k), p) for k, p in self.pages.items()]
        links += [
            (f"{self.base}{path}", next(iter(self.pages.values()))) for path in self.extra_links
        ]
        for i, (link, page) in enumerate(links):
            items.append(
                f"<item><title>Story {i}</title><link>{escape(link)}</link>"
                f"<guid>{escape(link)}</guid><pubDate>{formatdate(1_780_000_000 + i * 60)}</pubDate>"
                f"<description>{escape(summary_of(page))}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Loopback news</title><link>{self.base}/</link>"
            + "".join(items)
            + "</channel></rss>"
        ).encode("utf-8")

    def _answer(self, path: str) -> tuple[int, dict, bytes]:
        if path == "/robots.txt":
            return self.robots_status, {"Content-Type": "text/plain"}, self.robots.encode()
        if path == "/feed.xml":
            return 200, {"Content-Type": "application/rss+xml"}, self.feed()
        kind, _, key = path.strip("/").partition("/")
        page = self.pages.get(key)
        if page is None or kind == "gone":
            return 404, {}, b"not here"
        if kind == "limited":
            with self._lock:
                first = key not in self._limited
                self._limited.add(key)
            if first:
                return 429, {"Retry-After": str(self.retry_after)}, b"slow down"
        if kind == "moved":
            return 301, {"Location": f"/private/{key}"}, b""
        if kind == "big":
            return (
                200,
                {"Content-Type": "text/html"},
                page.html + b"<!--" + b"x" * (6 << 20) + b"-->",
            )
        if kind == "data":
            return 200, {"Content-Type": "application/json"}, b'{"not": "a page"}'
        return 200, {"Content-Type": "text/html"}, page.html

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with site._lock:
                    site.requests.append(
                        Request(self.path, self.headers.get("User-Agent", ""), site.clock.now())
                    )
                status, headers, body = site._answer(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
