"""Stable identity of an article: canonical URL, article_id and content_hash. Pure functions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from transforms.core.space_scan import fold_spaces

# Query parameters that only track a click: dropping them makes the same article one URL.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "oly_", "vero_", "_hs")
_TRACKING_KEYS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "cmpid",
        "ito",
        "icid",
        "ncid",
        "ocid",
        "smid",
        "sr_share",
        "s_cid",
        "spm",
        "feature",
        "output",
        "amp",
        "__twitter_impression",
        "_ga",
        "_gl",
        "rss",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
    ]
)


_AMP_CACHE = re.compile(r"^/[cvi]/(s/)?([^/]+)(/.*)?$")
_AMP_PATH = (  # (pattern, replacement), applied in turn
    (re.compile(r"\.amp(\.html?)$"), r"\1"),
    (re.compile(r"(?:/amp/?|\.amp)$"), ""),
    (re.compile(r"^/amp(?=/)"), ""),
)


def _unamp(scheme: str, host: str, path: str) -> tuple[str, str, str]:
    """The page an AMP variant stands for: a Google AMP cache URL (…cdn.ampproject.org/c/s/host/
    path) is the publisher's URL; a path ending /amp, /amp/, .amp or .amp.html, or starting /amp/,
    is the same path without it. A host named amp.… is left alone: it may not mirror www."""
    if host.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE.match(path)
        if match:
            scheme = "https" if match.group(1) else "http"
            host, path = match.group(2).lower(), match.group(3) or "/"
    for pattern, replacement in _AMP_PATH:
        path = pattern.sub(replacement, path)
    return scheme, host, path or "/"


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters, AMP
    variants folded into the page they stand for."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number in 0-65535
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    port = port if port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_KEYS and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = re.sub(r"/{2,}", "/", parts.path) or "/"
    scheme, netloc, path = _unamp(parts.scheme.lower(), netloc, path)
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u200b": "",
    }
)


# The typographic folds as space_scan reads them: one character to one character or none.
_PUNCT_CHARS = {chr(code): to for code, to in _PUNCT.items()}


def normalise_text(text: str) -> str:
    """NFKC, typographic quotes and dashes folded, case folded, white space collapsed."""
    # One pass in C folds the typography and collapses white space (space_scan.c), before the
    # case fold: casefold() never makes or unmakes white space, nor one of _PUNCT's characters
    # (tests/test_space_scan.py checks every code point), so the order gives the same text.
    return fold_spaces(unicodedata.normalize("NFKC", text), _PUNCT_CHARS).casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


def article_id(canonical: str | None, guid: str | None, source_uri: str, index: int) -> str:
    """Stable per article: its canonical URL, else its feed GUID, else its place in its source.

    A re-delivery of the same URL gets the same id; an update of it is told apart by `version`.
    """
    key = canonical or (f"guid:{guid}" if guid else f"{source_uri}#{index}")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def identity_key(canonical: str | None, guid: str | None, article_id: str) -> str:
    """What makes two deliveries the same item: canonical URL, else feed GUID, else article_id.

    An item with neither URL nor GUID has an article_id from its place in its source, so only a
    re-read of the same source position counts as a re-delivery; identical text elsewhere is kept
    and marked as a duplicate instead.
    """
    if canonical:
        return f"url:{canonical}"
    if guid:
        return f"guid:{guid}"
    return f"id:{article_id}"
