"""Deduplicate a bounded input: Article -> Article(version, duplicate_of, similarity) + Dropped.

GroupByKey, CoGroupByKey and side inputs only (no state, no windows), so it runs on Dask too; the
decisions are dedupe.rules, shared with the streaming shell.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article, Dropped
from transforms.dedupe.components import VerifyPairs, bucket_pairs, connected_roots
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    signature_from_bytes,
    signature_to_bytes,
)
from transforms.dedupe.rules import (
    REDELIVERY,
    Node,
    article_identity,
    node_of,
    resolve_group,
    resolve_versions,
)

DROPPED = "dropped"
FINGERPRINTS = "fingerprints"
GROUPED = "grouped"
STEP = "dedupe"


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
            | "KeyByIdentity" >> beam.Map(lambda a: (article_identity(a), a))
            | "GroupByIdentity" >> beam.GroupByKey()
            | "ResolveVersions"
            >> beam.ParDo(_VersionsFn()).with_outputs(DROPPED, FAILURES, main=ARTICLES)
        )
        printed = versions[ARTICLES] | "Fingerprint" >> beam.ParDo(_FingerprintFn(p)).with_outputs(
            FAILURES, main=FINGERPRINTS
        )
        fingerprints = printed[FINGERPRINTS]  # (Node, signature bytes, Article)
        kept = fingerprints | "Articles" >> beam.Map(lambda f: (f[2], f[1]))
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
            | "MarkDuplicates" >> beam.ParDo(_MarkFn()).with_outputs(FAILURES, main=ARTICLES)
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


class _VersionsFn(beam.DoFn):
    def process(self, keyed: tuple) -> Iterator:
        _, deliveries = keyed
        deliveries = list(deliveries)
        try:
            kept, redelivered = resolve_versions(deliveries)
        except Exception as exc:  # noqa: BLE001 - the whole identity group becomes dead letters
            yield from dead_letters(STEP, deliveries, exc)
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
            yield from dead_letters(STEP, (a,), exc)
            return
        yield node_of(a), sig, a


class _RouteFn(beam.DoFn):
    """Articles outside every near-duplicate group pass straight on; the rest meet their root,
    carrying the signature they already have (no text is hashed twice)."""

    def process(self, article_sig: tuple, roots: dict) -> Iterator:
        a, sig = article_sig
        root = roots.get(node_of(a))
        if root is None:
            yield a._replace(duplicate_of=None, similarity=None)
        else:
            yield pvalue.TaggedOutput(GROUPED, (root, (a, sig)))


class _MarkFn(beam.DoFn):
    def process(self, keyed: tuple) -> Iterator:
        _, members = keyed
        members = list(members)
        try:
            marked = resolve_group([(a, signature_from_bytes(sig)) for a, sig in members])
        except Exception as exc:  # noqa: BLE001 - the group becomes dead letters, none is lost
            yield from dead_letters(STEP, [a for a, _ in members], exc)
            return
        for a in marked:
            if a.duplicate_of is not None:
                Metrics.counter(STEP, "near_duplicate").inc()
            yield a
