"""Deduplicate articles: Article -> Article(version, duplicate_of, similarity) + Dropped re-deliveries.

Batch shell on GroupByKey and side inputs only (no state, no windows), so it runs on Dask too; the
decisions live in the pure resolve_versions() and resolve_group(), reused by the streaming shell.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import apache_beam as beam
import numpy as np
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES, article_payload, make_failure
from transforms.core.identity import content_hash
from transforms.core.records import Article, Dropped
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)

DROPPED = "dropped"
FINGERPRINTS = "fingerprints"
GROUPED = "grouped"
REDELIVERY = "exact_redelivery"
STEP = "dedupe"
# A band bucket larger than this (boilerplate pages, thousands of copies of one wire story) pairs
# each member only with its BUCKET_WINDOW predecessors: edges stay linear, copies stay connected.
BUCKET_WINDOW = 32


# One kept row in the near-duplicate graph: (published_at else ingested_at in µs, article_id,
# version). A plain tuple so Beam encodes it deterministically as a key; the smallest is the root.
Node = tuple


def node_of(a: Article) -> Node:
    """The row's place in time order: "earliest" means earliest published, then ingested."""
    time = a.published_at if a.published_at is not None else a.ingested_at
    return (time, a.article_id, a.version)


def identity_key(a: Article) -> str:
    """What makes two deliveries the same item: canonical URL, else feed GUID, else article_id.

    An item with neither URL nor GUID has an article_id from its place in its source, so only a
    re-read of the same source position counts as a re-delivery; identical text elsewhere is kept
    and marked as a duplicate instead.
    """
    if a.canonical_url:
        return f"url:{a.canonical_url}"
    if a.guid:
        return f"guid:{a.guid}"
    return f"id:{a.article_id}"


def _hash_of(a: Article) -> str:
    return a.content_hash or content_hash(a.text)


def _version_order(a: Article) -> tuple:
    published = a.published_at if a.published_at is not None else a.ingested_at
    modified = a.modified_at if a.modified_at is not None else published
    return (published, modified, a.ingested_at, _hash_of(a))


def resolve_versions(deliveries: Iterable[Article]) -> tuple[list[Article], list[Article]]:
    """Deliveries of one identity -> (one row per distinct content, version 1..n; re-deliveries).

    Of identical deliveries the first ingested is kept (ties: article_id, source_uri); versions
    follow published time, then modified time, ingestion time and content hash.
    """
    first_by_hash: dict[str, Article] = {}
    redelivered: list[Article] = []
    for a in sorted(deliveries, key=lambda a: (a.ingested_at, a.article_id, a.source_uri)):
        h = _hash_of(a)
        if h in first_by_hash:
            redelivered.append(a)
        else:
            first_by_hash[h] = a
    kept = sorted(first_by_hash.values(), key=_version_order)
    return [a._replace(version=i) for i, a in enumerate(kept, start=1)], redelivered


def bucket_pairs(
    members: Iterable[Node], window: int = BUCKET_WINDOW
) -> Iterator[tuple[Node, Node]]:
    """Candidate pairs of one LSH bucket, earlier node first, never two versions of one URL."""
    ordered = sorted(set(members))
    for i, b in enumerate(ordered):
        for a in ordered[max(0, i - window) : i]:
            if a[1] != b[1]:  # same article_id: versions of one URL
                yield a, b


def connected_roots(edges: Iterable[tuple[Node, Node]]) -> dict[Node, Node]:
    """Union-find over edges -> each node's root, the smallest (earliest) node of its component."""
    parent: dict[Node, Node] = {}

    def find(x: Node) -> Node:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


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


class Deduplicate(beam.PTransform):
    """Drop exact re-deliveries, number updates, mark near-duplicates of the earliest article.

    Returns {"articles", "dropped", "failures"}. Cost grows about linearly: each text is hashed
    once, candidate pairs come only from LSH buckets (capped by BUCKET_WINDOW), and the connected
    components are found by one union-find over the verified edges on a single key. That reducer
    holds only near-duplicate edges (O(duplicates), a few MB at 100k articles), never all articles.
    """

    def __init__(self, params: MinHashParams = DEFAULT_PARAMS):
        super().__init__()
        self._params = params

    def expand(self, articles):
        p = self._params
        versions = (
            articles
            | "KeyByIdentity" >> beam.Map(lambda a: (identity_key(a), a))
            | "GroupByIdentity" >> beam.GroupByKey()
            | "ResolveVersions"
            >> beam.ParDo(_VersionsFn()).with_outputs(DROPPED, FAILURES, main=ARTICLES)
        )
        printed = versions[ARTICLES] | "Fingerprint" >> beam.ParDo(_FingerprintFn(p)).with_outputs(
            FAILURES, main=FINGERPRINTS
        )
        fingerprints = printed[FINGERPRINTS]  # (Node, signature bytes, Article)
        kept = fingerprints | "Articles" >> beam.Map(lambda f: f[2])
        signatures = fingerprints | "Signatures" >> beam.Map(lambda f: (f[0], f[1]))
        candidates = (
            signatures
            | "BandKeys" >> beam.FlatMap(_band_entries, p.bands, p.band_rows)
            | "GroupByBand" >> beam.GroupByKey()
            | "CandidatePairs" >> beam.FlatMap(lambda kv: bucket_pairs(kv[1]))
        )
        edges = {"signatures": signatures, "pairs": candidates} | "VerifyPairs" >> VerifyPairs(
            p.threshold
        )
        roots = (
            edges
            | "KeyEdges" >> beam.Map(lambda e: ("", e))
            | "GatherEdges" >> beam.GroupByKey()
            | "Components" >> beam.FlatMap(lambda kv: connected_roots(kv[1]).items())
        )
        routed = kept | "RouteByRoot" >> beam.ParDo(
            _RouteFn(), beam.pvalue.AsDict(roots)
        ).with_outputs(GROUPED, main=ARTICLES)
        marked = (
            routed[GROUPED]
            | "GroupByRoot" >> beam.GroupByKey()
            | "MarkDuplicates" >> beam.ParDo(_MarkFn(p)).with_outputs(FAILURES, main=ARTICLES)
        )
        return {
            ARTICLES: (routed[ARTICLES], marked[ARTICLES]) | "AllArticles" >> beam.Flatten(),
            DROPPED: versions[DROPPED],
            FAILURES: (versions[FAILURES], printed[FAILURES], marked[FAILURES])
            | "AllFailures" >> beam.Flatten(),
        }


def _band_entries(node_sig: tuple, bands: int, rows: int) -> Iterator[tuple[bytes, Node]]:
    node, sig = node_sig
    if sig:  # a text without words has no signature and no near-duplicates
        for key in band_keys(signature_from_bytes(sig), bands, rows):
            yield key, node


class VerifyPairs(beam.PTransform):
    """{"signatures": (key, signature bytes), "pairs": (key, key)} -> the pairs that are similar.

    Two joins bring both signatures to each pair, so no signature travels through the buckets;
    a pair found in several buckets is checked once. Also used by GroupStories for text evidence.
    """

    def __init__(self, threshold: float):
        super().__init__()
        self._threshold = threshold

    def expand(self, inputs):
        signatures, pairs = inputs["signatures"], inputs["pairs"]
        forwarded = (
            {"sig": signatures, "second": pairs}
            | "JoinFirst" >> beam.CoGroupByKey()
            | "ForwardFirst" >> beam.FlatMap(_forward_first)
        )
        return (
            {"sig": signatures, "first": forwarded}
            | "JoinSecond" >> beam.CoGroupByKey()
            | "Compare" >> beam.FlatMap(_similar_pairs, self._threshold)
        )


def _forward_first(joined: tuple) -> Iterator[tuple]:
    key, groups = joined
    sigs = list(groups["sig"])
    if sigs:
        for second in set(groups["second"]):
            yield second, (key, sigs[0])


def _similar_pairs(joined: tuple, threshold: float) -> Iterator[tuple]:
    key, groups = joined
    sigs = list(groups["sig"])
    if sigs:
        mine = signature_from_bytes(sigs[0])
        for first, sig in groups["first"]:
            if jaccard_estimate(mine, signature_from_bytes(sig)) >= threshold:
                yield first, key


class _VersionsFn(beam.DoFn):
    def process(self, keyed: tuple) -> Iterator:
        _, deliveries = keyed
        deliveries = list(deliveries)
        try:
            kept, redelivered = resolve_versions(deliveries)
        except Exception as exc:  # noqa: BLE001 - the whole identity group becomes dead letters
            for a in deliveries:
                yield pvalue.TaggedOutput(
                    FAILURES, make_failure(STEP, a.source_uri, exc, article_payload(a))
                )
            return
        for a in redelivered:
            Metrics.counter(STEP, REDELIVERY).inc()
            yield pvalue.TaggedOutput(DROPPED, Dropped(REDELIVERY, a.article_id, a.source_uri))
        for a in kept:
            if a.version > 1:
                Metrics.counter(STEP, "update").inc()
            yield a


class _FingerprintFn(beam.DoFn):
    def __init__(self, params: MinHashParams):
        self._params = params

    def setup(self) -> None:
        self._hasher = hasher_for(self._params)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        try:
            hashes = self._hasher.shingle_hashes(a.text or "")
            sig = signature_to_bytes(self._hasher.signature_of(hashes)) if len(hashes) else b""
        except Exception as exc:  # noqa: BLE001 - a text we cannot hash is a dead letter
            yield pvalue.TaggedOutput(
                FAILURES, make_failure(STEP, a.source_uri, exc, article_payload(a))
            )
            return
        yield node_of(a), sig, a


class _RouteFn(beam.DoFn):
    """Articles outside every near-duplicate group pass straight on; the rest meet their root."""

    def process(self, a: Article, roots: dict) -> Iterator:
        root = roots.get(node_of(a))
        if root is None:
            yield a._replace(duplicate_of=None, similarity=None)
        else:
            yield pvalue.TaggedOutput(GROUPED, (root, a))


class _MarkFn(beam.DoFn):
    def __init__(self, params: MinHashParams):
        self._params = params

    def setup(self) -> None:
        self._hasher = hasher_for(self._params)

    def process(self, keyed: tuple) -> Iterator:
        _, members = keyed
        members = list(members)
        try:
            marked = resolve_group([(a, self._hasher.signature(a.text)) for a in members])
        except Exception as exc:  # noqa: BLE001 - the group becomes dead letters, none is lost
            for a in members:
                yield pvalue.TaggedOutput(
                    FAILURES, make_failure(STEP, a.source_uri, exc, article_payload(a))
                )
            return
        for a in marked:
            if a.duplicate_of is not None:
                Metrics.counter(STEP, "near_duplicate").inc()
            yield a
