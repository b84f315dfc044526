"""Candidate pairs from LSH-style buckets, their verification, and connected components: the
linear-cost machinery that dedupe and story grouping share."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator

import apache_beam as beam

from transforms.dedupe.fingerprint import jaccard_estimate, signature_from_bytes

# A bucket larger than this (boilerplate pages, thousands of copies of one wire story, one pair of
# world leaders) pairs each member only with its BUCKET_WINDOW predecessors: edges stay linear,
# copies stay connected.
BUCKET_WINDOW = 32


def bucket_pairs(members: Iterable[tuple], window: int = BUCKET_WINDOW) -> Iterator[tuple]:
    """Candidate pairs of one bucket of (time, article_id, …) nodes, earlier node first, never
    two versions of one URL (same article_id)."""
    ordered = sorted(set(members))
    for i, b in enumerate(ordered):
        for a in ordered[max(0, i - window) : i]:
            if a[1] != b[1]:
                yield a, b


def connected_roots(edges: Iterable[tuple[Hashable, Hashable]]) -> dict:
    """Union-find over edges -> each node's root, the smallest (earliest) node of its component."""
    parent: dict = {}

    def find(x):
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


class VerifyPairs(beam.PTransform):
    """{"signatures": (key, signature bytes), "pairs": (key, key)} -> the pairs that are similar.

    Two joins bring both signatures to each pair, so no signature travels through the buckets;
    a pair found in several buckets is checked once. Dedupe uses it for near-duplicates, stories
    for shared passages.
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
