"""The dedupe's decisions, as pure functions shared by the batch and the streaming shell: what is a
re-delivery, which version an update is, and which earlier article a near-duplicate copies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from transforms.core.identity import content_hash, identity_key
from transforms.core.records import Article
from transforms.dedupe.fingerprint import jaccard_estimate, signature_from_bytes
from transforms.dedupe.state import Known, Match, Member

REDELIVERY = "exact_redelivery"
MAX_HASHES = 32  # versions remembered per identity: a page edited more often is re-versioned

# What node_of(), node_key() and resolve_versions() read: an Article, or the batch dedupe's
# Delivery (delivery.py), which has the same fields by name but not in the same places. Typed Any,
# so the compiled functions read the fields by name (a NamedTuple type is read by position).
Versioned = Any

# One kept row in the near-duplicate graph: (published_at else ingested_at in µs, article_id,
# version). A plain tuple so Beam encodes it deterministically as a key; the smallest is the root.
Node = tuple


def node_of(a: Versioned) -> Node:
    """The row's place in time order: "earliest" means earliest published, then ingested."""
    time = a.published_at if a.published_at is not None else a.ingested_at
    return (time, a.article_id, a.version)


_TIME_OFFSET = 1 << 63  # µs as unsigned big-endian bytes: negative times sort first too


def node_key(a: Versioned) -> bytes:
    """node_of(a) packed into bytes that sort as node_of sorts: time, article_id (then a NUL, so
    a prefix sorts first), version. The batch shell shuffles nodes in this form: a bytes object
    is a third of the memory of a decoded (int, str, int) tuple, and buckets hold 32 per row."""
    time, article_id, version = node_of(a)
    return (
        (time + _TIME_OFFSET).to_bytes(8, "big")
        + article_id.encode("utf-8")
        + b"\0"
        + version.to_bytes(4, "big")
    )


def key_article(key: bytes) -> bytes:
    """The article_id part of a node_key (what two versions of one URL share)."""
    return key[8:-5]


def key_article_id(key: bytes) -> str:
    return key_article(key).decode("utf-8")


def article_identity(a: Article) -> str:
    return identity_key(a.canonical_url, a.guid, a.article_id)


def hash_of(a: Versioned) -> str:
    return a.content_hash or content_hash(a.text)


def _version_order(a: Versioned) -> tuple:
    published = a.published_at if a.published_at is not None else a.ingested_at
    modified = a.modified_at if a.modified_at is not None else published
    return (published, modified, a.ingested_at, hash_of(a))


def resolve_versions(
    deliveries: Iterable[Versioned],
) -> tuple[list[Versioned], list[Versioned]]:
    """Deliveries of one identity -> (one row per distinct content, version 1..n; re-deliveries).

    Of identical deliveries the first ingested is kept (ties: article_id, source_uri); versions
    follow published time, then modified time, ingestion time and content hash.
    """
    first_by_hash: dict[str, Versioned] = {}
    redelivered: list[Versioned] = []
    for a in sorted(deliveries, key=lambda a: (a.ingested_at, a.article_id, a.source_uri)):
        h = hash_of(a)
        if h in first_by_hash:
            redelivered.append(a)
        else:
            first_by_hash[h] = a
    kept = sorted(first_by_hash.values(), key=_version_order)
    return [a._replace(version=i) for i, a in enumerate(kept, start=1)], redelivered


def resolve_group(members: Sequence[tuple[Article, np.ndarray]]) -> list[Article]:
    """One near-duplicate group -> its articles, each but the root marked duplicate_of the root.

    The root is the earliest article (published, else ingested; then article_id); similarity is the
    MinHash Jaccard estimate against the root. Other versions of the root's URL are updates, not
    duplicates, and stay unmarked.
    """
    root, root_sig = min(members, key=lambda m: node_of(m[0]))
    out = []
    for a, sig in members:
        if a.article_id == root.article_id:
            out.append(a._replace(duplicate_of=None, similarity=None))
        else:
            sim = round(jaccard_estimate(sig, root_sig), 4)
            out.append(a._replace(duplicate_of=root.article_id, similarity=sim))
    return out


class Decision(NamedTuple):
    article: Article | None  # None: a re-delivery, dropped
    known: Known


def decide(a: Article, known: Known | None) -> Decision:
    """One delivery against what is remembered of its identity: a known hash is a re-delivery, a
    new hash the next version."""
    h = hash_of(a)
    if known is not None and h in known.hashes:
        return Decision(None, known)
    version = known.version + 1 if known is not None else 1
    hashes = (tuple(known.hashes) if known else ()) + (h,)
    return Decision(a._replace(version=version), Known(hashes[-MAX_HASHES:], version, a.article_id))


def member_of(a: Article, signature: bytes) -> Member:
    time, article_id, version = node_of(a)
    return Member(article_id, time, version, signature)


def best_match(
    article_id: str, signature: bytes, members: Iterable[Member], threshold: float
) -> Match | None:
    """The earliest member at or above the Jaccard threshold, other versions of the URL aside."""
    mine, best = signature_from_bytes(signature), None
    for m in members:
        if m.article_id == article_id:
            continue
        similarity = jaccard_estimate(mine, signature_from_bytes(m.signature))
        if similarity >= threshold and (best is None or m.node < best.node):
            best = Match(m.article_id, m.time, m.version, round(similarity, 4))
    return best
