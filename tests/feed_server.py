"""A feed server on 127.0.0.1 for the stream tests and bench: real saved feeds whose items appear
over time, conditional GET (ETag, Last-Modified), 500s, slow answers and a redirect loop."""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipeline.sources.clock import SYSTEM_CLOCK, Clock

_ITEM = re.compile(rb"<item\b.*?</item>|<entry\b.*?</entry>", re.DOTALL | re.IGNORECASE)


class GrowingFeed:
    """A saved feed served with its first `visible` items; reveal() shows more. Each item's first
    200-response time is kept so a test can measure latency to the dataset."""

    def __init__(self, data: bytes, visible: int, grow_per_fetch: int = 0):
        self.grow_per_fetch = grow_per_fetch  # items revealed after each 200 answer
        self.items = _ITEM.findall(data)
        first = _ITEM.search(data)
        last = list(_ITEM.finditer(data))[-1] if self.items else None
        self.head = data[: first.start()] if first else data
        self.tail = data[last.end() :] if last else b""
        self.visible = min(visible, len(self.items))
        self.first_served: dict[int, float] = {}
        self.changed_at = time.time()
        self.revealed_at: dict[int, float] = dict.fromkeys(range(self.visible), self.changed_at)

    def reveal(self, count: int = 1) -> int:
        self.visible = min(len(self.items), self.visible + count)
        self.changed_at = time.time()
        for i in range(self.visible):
            self.revealed_at.setdefault(i, self.changed_at)
        return self.visible

    def body(self) -> bytes:
        # Newest first, like real feeds: revealed items go on top.
        shown = list(reversed(self.items[: self.visible]))
        return self.head + b"\n".join(shown) + self.tail


class FeedServer:
    """Routes: /feed/<name> (GrowingFeed), /plain/<name> (the same without validators),
    /limited/<seconds>/<name> (a 429 with Retry-After first, then the feed),
    /error (500), /slow (sleeps), /loop (redirects to itself),
    /hop/<n> (n redirects, then /feed/<first>). requests records (path, headers) in order.

    `clock` times what the server records (times, first_served): pass the poller's FakeClock and a
    request's time is the poller's time when it sent it, since a fake clock stands still while the
    poller waits for the answer."""

    def __init__(
        self,
        feeds: dict[str, GrowingFeed],
        slow_seconds: float = 0.0,
        host: str = "127.0.0.1",
        clock: Clock = SYSTEM_CLOCK,
    ):
        self.feeds = feeds
        self.slow_seconds = slow_seconds
        self.clock = clock
        self.requests: list[tuple[str, dict]] = []
        self.times: list[float] = []  # arrival time of each request by `clock`, in order
        self.limited: set[str] = set()  # /limited/… paths already answered with a 429
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                with server.lock:
                    server.requests.append((self.path, dict(self.headers)))
                    server.times.append(server.clock.now())
                server.handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that hung up: quiet
                pass

        self.httpd = Server((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(1 for path, _ in self.requests if path.startswith(prefix))

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/error":
            return _send(h, 500, b"boom")
        if path == "/loop":
            return _send(h, 302, b"", {"Location": "/loop"})
        if path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            target = f"/hop/{n - 1}" if n > 1 else f"/feed/{next(iter(self.feeds))}"
            return _send(h, 301, b"", {"Location": target})
        if path.startswith("/slow"):
            time.sleep(self.slow_seconds)
            path = path[len("/slow") :] or "/"
        # /limited/<seconds>/<name>: the first request is a 429 with Retry-After: <seconds>.
        if path.startswith("/limited/"):
            _, _, seconds, name = path.split("/", 3)
            with self.lock:
                first = path not in self.limited
                self.limited.add(path)
            if first:
                return _send(h, 429, b"slow down", {"Retry-After": seconds})
            path = f"/feed/{name}"
        # /plain/<name>: the same feed with no ETag or Last-Modified, so every poll is a 200.
        plain = path.startswith("/plain/")
        if plain:
            path = "/feed/" + path[len("/plain/") :]
        if path.startswith("/feed/"):
            feed = self.feeds.get(path[len("/feed/") :])
            if feed is None:
                return _send(h, 404, b"no such feed")
            with self.lock:
                body = feed.body()
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                modified = formatdate(int(feed.changed_at), usegmt=True)
                if not plain and h.headers.get("If-None-Match") == etag:
                    return _send(h, 304, b"", {"ETag": etag})
                now = self.clock.now()
                for i in range(feed.visible):
                    feed.first_served.setdefault(i, now)
                if feed.grow_per_fetch:
                    feed.reveal(feed.grow_per_fetch)
            headers = {"Content-Type": "application/rss+xml"}
            if not plain:
                headers.update({"ETag": etag, "Last-Modified": modified})
            return _send(h, 200, body, headers)
        return _send(h, 404, b"not found")


def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
    try:
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout test): nothing to answer


def load_feeds(folder: Path, names: list[str], visible: int) -> dict[str, GrowingFeed]:
    return {name: GrowingFeed((folder / name).read_bytes(), visible) for name in names}


class StatusServer:
    """A server whose /status/<code> answers that code (/status/<code>?retry-after=<value> adds
    that Retry-After header) and /redirect/<n>?<target> sends n redirects, the last to <target>
    (file://, ftp://, …): what feeds meet in the wild. `hits` lists the paths asked, `headers`
    the request headers, in order."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits, seen = self.hits, self.headers = [], []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hits.append(self.path)
                seen.append(dict(self.headers))
                path, _, target = self.path.partition("?")
                if path.startswith("/redirect/"):
                    left = int(path.rsplit("/", 1)[1])
                    location = f"/redirect/{left - 1}?{target}" if left > 1 else target
                    self.send_response(302)
                    self.send_header("Location", location)
                else:
                    self.send_response(int(path.rsplit("/", 1)[1]))
                    if target.startswith("retry-after="):
                        self.send_header("Retry-After", target.partition("=")[2])
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        import threading

        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class Drip:
    """A raw TCP server answering every connection with `head` at once, then `drip` one byte
    per `pause` seconds (a slow loris; with no drip, a host that hangs). `sent` counts the dripped
    bytes that reached the socket."""

    def __init__(self, head: bytes, drip: bytes, pause: float = 0.05, host: str = "127.0.0.1"):
        self.head, self.drip, self.pause, self.host = head, drip, pause, host
        self.sent = 0
        self.accepted: list[float] = []  # wall-clock time of each connection
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(8)
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str = "/feed") -> str:
        return f"http://{self.host}:{self.sock.getsockname()[1]}{path}"

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(time.time())
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.head)
                for byte in self.drip:
                    if self.stop.wait(self.pause):
                        return
                    conn.sendall(bytes([byte]))
                    self.sent += 1
            except OSError:
                return  # the client cut us off: what the deadline is for

    def close(self):
        self.stop.set()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
