"""A total deadline on one HTTP request: connect, headers and body together.

urllib3's timeouts bound each socket operation, not a request: a server that sends one byte a
second (a slow loris) never trips a read timeout and holds the fetch for as long as it likes. So a
request runs under a Deadline: a timer that, when the time is up, shuts the request's socket down
from its own thread, which ends the blocked read at once. The pool's connections register
themselves with the deadline of the thread that uses them (TrackedPoolManager), so nothing else
about urllib3 changes: redirects, retries and the body cap stay in http.py.
"""

from __future__ import annotations

import socket
import threading
from typing import Self

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class Deadline:
    """`with Deadline(seconds):` — a request made inside is cut off once `seconds` have passed;
    `expired` then says so."""

    def __init__(self, seconds: float):
        self._seconds = seconds
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.expired = False

    def __enter__(self) -> Self:
        self._timer = threading.Timer(self._seconds, self._expire)
        self._timer.daemon = True
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _local.deadline = None
        with self._lock:
            self._sock = None

    def attach(self, sock: socket.socket | None) -> None:
        """The socket the request uses. Kept here because a connection that will close hands
        its socket to the response and forgets it before the body is read."""
        if sock is None:
            return
        with self._lock:
            self._sock = sock
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to cut


def _attach(connection: HTTPConnection) -> None:
    deadline = getattr(_local, "deadline", None)
    if deadline is not None:
        deadline.attach(getattr(connection, "sock", None))


class _Tracked:
    """Hands the connection's socket to the thread's Deadline once connected (after sending the
    request: connecting happens inside it) and before the response is read."""

    def request(self, *args, **kwargs):
        try:
            return super().request(*args, **kwargs)
        finally:
            _attach(self)

    def getresponse(self, *args, **kwargs):
        _attach(self)
        return super().getresponse(*args, **kwargs)


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class TrackedPoolManager(urllib3.PoolManager):
    """A PoolManager whose connections can be cut off by the Deadline of the thread using them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
