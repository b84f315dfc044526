"""Where a page link may not lead: loopback, private (RFC 1918, unique-local), link-local (cloud
metadata at 169.254.169.254), multicast, reserved or unspecified addresses. A third-party feed
must not make newsbeam request an internal service (SSRF); the hosts of the feeds the user
polls are exempt, and --allow-private-pages lifts the rule.

literal_reason() reads the URL alone (an IP literal, "localhost"); resolved_reason() also asks
DNS, so it runs in a fetch thread, never where it could stall a round. A name that resolves to a
public address and later to a private one (DNS rebinding) is not caught: urllib3 resolves again.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

REASON = "a private or local address"


def _is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def literal_reason(url: str) -> str | None:
    """REASON when the URL's host is an internal IP literal or a localhost name, else None."""
    host = _host(url)
    if host == "localhost" or host.endswith(".localhost"):
        return REASON
    try:
        return REASON if _is_internal(ipaddress.ip_address(host)) else None
    except ValueError:
        return None


def resolved_reason(url: str, resolve: Callable = socket.getaddrinfo) -> str | None:
    """literal_reason(), or REASON when any address the host's name resolves to is internal.
    A name that does not resolve is left to the fetch, which fails on it."""
    reason = literal_reason(url)
    host = _host(url)
    if reason or not host:
        return reason
    try:
        infos = resolve(host, None)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        try:
            if _is_internal(ipaddress.ip_address(info[4][0].split("%")[0])):
                return REASON
        except ValueError:
            continue
    return None
