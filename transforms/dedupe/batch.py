"""Deduplicate a bounded input: Article -> Article(version, duplicate_of, similarity) + Dropped.

GroupByKey, combiners and side inputs only (no state, no windows), so it runs on Dask too; the
decisions are dedupe.rules, shared with the streaming shell.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article, Dropped
from transforms.dedupe.components import (
    BUCKET_WINDOW,
    ConnectedComponents,
    MostShared,
    PackedMembers,
    VerifyPairs,
    star_votes,
    unlinked_pairs,
    unpack,
)
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)
from transforms.dedupe.rules import (
    REDELIVERY,
    article_identity,
    key_article,
    key_article_id,
    node_key,
    resolve_versions,
)

DROPPED = "dropped"
FINGERPRINTS = "fingerprints"
STEP = "dedupe"


class Deduplicate(beam.PTransform):
    """Drop exact re-deliveries, number updates, mark near-duplicates of the earliest article.

    Returns {"articles", "dropped", "failures"}. Cost grows linearly, and stays small when
    thousands of items are near-identical: each text is hashed once; LSH buckets hold packed node
    keys only; candidates are verified in two rounds (components.py): each member against the
    partner it shares most buckets with, then only window pairs still in different components;
    signatures travel only for members of a pair; components come from a union-find combiner
    that holds nodes, not edges; each member's mark comes from its signature and its root's (a
    side input of one signature per component), so no article is shuffled after the versions
    are resolved, and a member that cannot be marked is dead-lettered alone.
    """

    def __init__(self, params: MinHashParams = DEFAULT_PARAMS):
        super().__init__()
        self._params = params

    def expand(self, articles):
        p = self._params
        versions = (
            articles
            | "KeyByIdentity" >> beam.Map(_keyed_by_identity)
            | "GroupByIdentity" >> beam.GroupByKey()
            | "ResolveVersions"
            >> beam.ParDo(_VersionsFn()).with_outputs(DROPPED, FAILURES, main=ARTICLES)
        )
        printed = versions[ARTICLES] | "Fingerprint" >> beam.ParDo(_FingerprintFn(p)).with_outputs(
            FAILURES, main=FINGERPRINTS
        )
        # Steps that need signatures read them alone: the local runner copies a whole input
        # each time a step reads it, and an article is the larger part of a fingerprint.
        signatures = printed[FINGERPRINTS] | "Signatures" >> beam.Map(lambda f: (f[0], f[2]))
        kept = printed[FINGERPRINTS] | "Articles" >> beam.Map(lambda f: (f[0], f[1]))
        buckets = (
            signatures
            | "BandKeys" >> beam.FlatMap(_band_entries, p.bands, p.band_rows)
            | "GroupByBand" >> beam.CombinePerKey(PackedMembers())
            | "Buckets" >> beam.FlatMap(_shared_bucket)
        )
        centers = (
            buckets
            | "StarVotes" >> beam.FlatMap(star_votes, key_article)
            | "BestPartner" >> beam.CombinePerKey(MostShared())
            | "PartnerPairs" >> beam.Map(lambda kv: (kv[1], kv[0]))
        )
        first = {"items": signatures, "pairs": centers} | "VerifyPartners" >> VerifyPairs(
            p.threshold, _node, _signature, STEP
        )
        linked = first | "PartnerComponents" >> ConnectedComponents()
        rest = buckets | "UnlinkedPairs" >> beam.FlatMap(
            unlinked_pairs, beam.pvalue.AsDict(linked), BUCKET_WINDOW, key_article
        )
        second = {"items": signatures, "pairs": rest} | "VerifyPairs" >> VerifyPairs(
            p.threshold, _node, _signature, STEP
        )
        edges = (first, second) | "AllEdges" >> beam.Flatten()
        roots = edges | "Components" >> ConnectedComponents()
        roots_view = beam.pvalue.AsDict(roots)
        root_signatures = signatures | "RootSignatures" >> beam.ParDo(
            _RootSignatureFn(), roots_view
        )
        marks = signatures | "Marks" >> beam.ParDo(
            _MarksFn(), roots_view, beam.pvalue.AsDict(root_signatures)
        )
        marked = kept | "MarkDuplicates" >> beam.ParDo(
            _MarkFn(), beam.pvalue.AsDict(marks)
        ).with_outputs(FAILURES, main=ARTICLES)
        return {
            ARTICLES: marked[ARTICLES],
            DROPPED: versions[DROPPED],
            FAILURES: (versions[FAILURES], printed[FAILURES], marked[FAILURES])
            | "AllFailures" >> beam.Flatten(),
        }


_ARTICLE_CODER = beam.coders.registry.get_coder(Article)


def _keyed_by_identity(a: Article) -> tuple[str, bytes]:
    """Encoded as the shuffle would encode it: the local runner holds grouped values decoded,
    and an Article's bytes are half the memory of its fields as Python objects."""
    return article_identity(a), _ARTICLE_CODER.encode(a)


def _node(keyed: tuple) -> bytes:
    return keyed[0]


def _signature(keyed: tuple) -> bytes:
    return keyed[1]


def _band_entries(keyed: tuple, bands: int, rows: int) -> Iterator[tuple[bytes, bytes]]:
    key, sig = keyed
    if sig:  # a text without words has no signature and no near-duplicates
        for band in band_keys(signature_from_bytes(sig), bands, rows):
            yield band, key


def _shared_bucket(band_members: tuple) -> Iterator[list]:
    """A bucket's members in node order, if it has two or more: a bucket of one pairs nothing."""
    members = sorted(set(unpack(band_members[1])))
    if len(members) > 1:
        yield members


class _VersionsFn(beam.DoFn):
    def process(self, keyed: tuple) -> Iterator:
        _, deliveries = keyed
        deliveries = [_ARTICLE_CODER.decode(d) for d in deliveries]
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
        yield node_key(a), a, sig


class _RootSignatureFn(beam.DoFn):
    """The root of each near-duplicate component -> (root, its signature): what its members'
    similarity is measured against. One per component, so a side input of them stays small."""

    def process(self, keyed: tuple, roots: dict) -> Iterator:
        key, sig = keyed
        if roots.get(key) == key:
            yield key, sig


class _MarksFn(beam.DoFn):
    """(node key, signature) -> (node key, (root article_id, similarity)) for each member
    resolve_group() would mark: all but the root and other versions of the root's URL. A member
    it cannot measure gets (None, the error): MarkDuplicates dead-letters that article alone."""

    def process(self, keyed: tuple, roots: dict, root_signatures: dict) -> Iterator:
        key, sig = keyed
        root = roots.get(key)
        # Alone, the root, or another version of its URL (an update, not a copy): no mark.
        if root is not None and key_article(root) != key_article(key):
            yield key, _mark(root, sig, root_signatures)


def _mark(root: bytes, sig: bytes, root_signatures: dict) -> tuple:
    try:
        mine, theirs = signature_from_bytes(sig), signature_from_bytes(root_signatures[root])
        return key_article_id(root), round(jaccard_estimate(mine, theirs), 4)
    except Exception as exc:  # noqa: BLE001 - becomes this article's dead letter
        return None, f"{type(exc).__name__}: {exc}"


class _MarkFn(beam.DoFn):
    """Every kept article, marked duplicate_of its component's root (or cleared), one at a
    time."""

    def process(self, keyed: tuple, marks: dict) -> Iterator:
        key, a = keyed
        root_id, similarity = marks.get(key, (None, None))
        if root_id is not None:
            Metrics.counter(STEP, "near_duplicate").inc()
            yield a._replace(duplicate_of=root_id, similarity=similarity)
        elif similarity is not None:  # the error _MarksFn met measuring this member
            yield from dead_letters(STEP, (a,), similarity)
        else:
            yield a._replace(duplicate_of=None, similarity=None)
