"""Deduplicate a bounded input: Article -> Article(version, duplicate_of, similarity) + Dropped.

GroupByKey, combiners and side inputs only (no state, no windows), so it runs on Dask too; the
decisions are dedupe.rules, shared with the streaming shell.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Dropped
from transforms.core.sideinputs import PER_BUNDLE
from transforms.core.spill import (
    CHUNKS,
    REFS,
    Spill,
    SpillByKeyFn,
    blobs_in,
    read_chunk,
    spill_dir,
)
from transforms.core.spill_groups import SpilledGroupByKey, SpillRecordsFn, read_records
from transforms.dedupe.components import (
    BUCKET_WINDOW,
    ConnectedComponents,
    MostShared,
    VerifyPairs,
    star_votes,
    unlinked_pairs,
)
from transforms.dedupe.delivery import FIRST_VERSION, Delivery, delivery_of
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    jaccard_estimate,
    signature_from_bytes,
)
from transforms.dedupe.rules import (
    REDELIVERY,
    key_article,
    key_article_id,
    node_key,
    resolve_versions,
)

DROPPED = "dropped"
DECIDED = "decided"
FINGERPRINTS = "fingerprints"
STEP = "dedupe"
BANDS = "dedupe-bands"  # the spill folder of the LSH band entries
IDENTITIES = "dedupe-identities"  # the spill folder of the Deliveries, by identity group
PARTNERS, PAIRS = "dedupe-partners", "dedupe-pairs"  # ... of the signatures of pairs to verify
SIGNATURES = "dedupe-signatures"  # ... of every kept row's signature


class Deduplicate(beam.PTransform):
    """Drop exact re-deliveries, number updates, mark near-duplicates of the earliest article.

    Returns {"articles", "dropped", "failures"}. The articles wait in spill chunks (core.spill)
    while the decisions are made over one small Delivery each, so memory does not hold them;
    `spill` is the run's spill folder (a local temp folder if None). Cost grows linearly, and
    stays small when thousands of items are near-identical: each text is hashed once; the
    Deliveries reach their identity's versions, and LSH band entries (band key + node key) their
    buckets, through spill files, one per group and bundle; candidates
    are verified in two rounds (components.py): each member against the partner it shares most
    buckets with, then only window pairs still in
    different components; signatures travel only for members of a pair; components come from a
    union-find combiner that holds nodes, not edges; each member's mark comes from its signature
    and its root's (a side input of one signature per component), so no article is shuffled at
    all, and a member that cannot be marked is dead-lettered alone.
    """

    def __init__(self, params: MinHashParams = DEFAULT_PARAMS, spill: str | None = None):
        super().__init__()
        self._params, self._spill = params, spill

    def expand(self, articles):
        p = self._params
        spilled = articles | "Spill" >> Spill(
            spill_dir(self._spill, STEP), functools.partial(delivery_of, params=p), STEP
        )
        versions = (
            spilled[REFS]
            | "KeyByIdentity" >> beam.Map(_identity_entry)
            | "GroupByIdentity" >> SpilledGroupByKey(spill_dir(self._spill, IDENTITIES))
            | "ResolveVersions"
            >> beam.ParDo(_VersionsFn()).with_outputs(DROPPED, DECIDED, main=FINGERPRINTS)
        )
        # Files of (node key, signature), one per kept row: five steps read them.
        signatures = versions[FINGERPRINTS] | "SpillSignatures" >> beam.ParDo(
            SpillRecordsFn(spill_dir(self._spill, SIGNATURES))
        )
        buckets = (
            signatures
            | "BandKeys" >> beam.FlatMap(_band_entries, p.bands, p.band_rows)
            | "SpillBandGroups" >> beam.ParDo(SpillByKeyFn(spill_dir(self._spill, BANDS)))
            | "GroupByBandGroup" >> beam.GroupByKey()
            | "Buckets" >> beam.FlatMap(_shared_buckets, p.band_rows)
        )
        centers = (
            buckets
            | "StarVotes" >> beam.FlatMap(star_votes, key_article)
            | "BestPartner" >> beam.CombinePerKey(MostShared())
            | "PartnerPairs" >> beam.Map(lambda kv: (kv[1], kv[0]))
        )
        first = {"items": signatures, "pairs": centers} | "VerifyPartners" >> self._verify(PARTNERS)
        linked = first | "PartnerComponents" >> ConnectedComponents()
        rest = buckets | "UnlinkedPairs" >> beam.FlatMap(_unlinked, beam.pvalue.AsDict(linked))
        second = {"items": signatures, "pairs": rest} | "VerifyPairs" >> self._verify(PAIRS)
        edges = (first, second) | "AllEdges" >> beam.Flatten()
        roots = edges | "Components" >> ConnectedComponents()
        roots_view = beam.pvalue.AsDict(roots)
        root_signatures = signatures | "RootSignatures" >> beam.ParDo(
            _RootSignatureFn(), roots_view
        )
        marks = signatures | "Marks" >> beam.ParDo(
            _MarksFn(), roots_view, beam.pvalue.AsDict(root_signatures)
        )
        marked = spilled[CHUNKS] | "MarkDuplicates" >> beam.ParDo(
            _MarkFn(), beam.pvalue.AsDict(versions[DECIDED]), beam.pvalue.AsDict(marks)
        ).with_outputs(FAILURES, main=ARTICLES)
        return {
            ARTICLES: marked[ARTICLES],
            DROPPED: versions[DROPPED],
            FAILURES: (spilled[FAILURES], marked[FAILURES]) | "AllFailures" >> beam.Flatten(),
        }

    def _verify(self, folder: str) -> VerifyPairs:
        """One round of verification: candidate pairs against the signature files."""
        return VerifyPairs(
            self._params.threshold,
            _node,
            _signature,
            STEP,
            items_of=read_records,
            spill=spill_dir(self._spill, folder),
        )


def _unlinked(members: list, linked: dict, _window=PER_BUNDLE) -> Iterator[tuple]:
    return unlinked_pairs(members, linked, BUCKET_WINDOW, key_article)


def _node(keyed: tuple) -> bytes:
    return keyed[0]


def _signature(keyed: tuple) -> bytes:
    return keyed[1]


BAND_GROUP_BITS = 2  # band keys are shuffled in 2**2 groups per band (128 in all)


def _band_entries(path: str, bands: int, rows: int) -> Iterator[tuple[bytes, bytes]]:
    """A file of (node key, signature) -> (band group, band key + node key) per band. Keyed by
    a group of buckets, not by bucket: nearly every bucket holds one article, and the group's
    entries go to spill files (SpillBandGroups), so the shuffle carries a few paths per group,
    not 32 entries per article (at 100,000 articles those entries, 166 MB, were held two or
    three times over)."""
    for key, sig in read_records(path):
        if sig:  # a text without words has no signature and no near-duplicates
            for band in band_keys(signature_from_bytes(sig), bands, rows):
                yield band[:1] + bytes([band[1] >> (8 - BAND_GROUP_BITS)]), band + key


def _shared_buckets(group: tuple, rows: int) -> Iterator[list]:
    """A group's buckets of two or more members, each in node order, from the group's spilled
    entries (SpillBandGroups): a bucket of one pairs nothing."""
    size = 1 + 4 * rows  # band_keys(): the band's index, then its rows as uint32
    buckets: dict[bytes, set] = {}
    for entry in blobs_in(group[1]):
        buckets.setdefault(entry[:size], set()).add(entry[size:])
    for members in buckets.values():
        if len(members) > 1:
            yield sorted(members)


def _identity_entry(ref_delivery: tuple) -> tuple[str, tuple]:
    """(ref, Delivery) -> (identity, the Delivery with its ref as a plain tuple): what
    SpilledGroupByKey writes. At 100,000 articles the plain shuffle of the Deliveries (~1.6 KB
    each, with the signature) was the run's peak."""
    ref, d = ref_delivery
    return d.identity, tuple(d._replace(ref=ref))


class _VersionsFn(beam.DoFn):
    """(identity, its Deliveries as tuples) -> (node key, signature) per kept row; a Dropped per
    re-delivery; a decision (ref, …) for every row that is not a plain version 1."""

    def process(self, keyed: tuple) -> Iterator:
        yield from self.resolve([Delivery._make(d) for d in keyed[1]])

    def resolve(self, deliveries: list[Delivery]) -> Iterator:
        try:
            kept, redelivered = resolve_versions(deliveries)
        except Exception as exc:  # noqa: BLE001 - the whole identity group becomes dead letters
            error = f"{type(exc).__name__}: {exc}"
            for d in deliveries:
                yield pvalue.TaggedOutput(DECIDED, (d.ref, error))
            return
        for d in redelivered:
            Metrics.counter(STEP, REDELIVERY).inc()
            yield pvalue.TaggedOutput(DROPPED, Dropped(REDELIVERY, d.article_id, d.source_uri))
            yield pvalue.TaggedOutput(DECIDED, (d.ref, None))
        for d in kept:
            if d.version != FIRST_VERSION:
                Metrics.counter(STEP, "update").inc()
                yield pvalue.TaggedOutput(DECIDED, (d.ref, d.version))
            yield node_key(d), d.signature


class _RootSignatureFn(beam.DoFn):
    """A file of (node key, signature) -> (root, its signature) for each root of a
    near-duplicate component: what its members' similarity is measured against. One per
    component, so a side input of them stays small."""

    def process(self, path: str, roots: dict, _window=PER_BUNDLE) -> Iterator:
        for key, sig in read_records(path):
            if roots.get(key) == key:
                yield key, sig


class _MarksFn(beam.DoFn):
    """A file of (node key, signature) -> (node key, (root article_id, similarity)) per member
    resolve_group() would mark: all but the root and other versions of the root's URL. A member
    it cannot measure gets (None, the error): MarkDuplicates dead-letters that article alone."""

    def process(
        self, path: str, roots: dict, root_signatures: dict, _window=PER_BUNDLE
    ) -> Iterator:
        for keyed in read_records(path):
            yield from self.mark(keyed, roots, root_signatures)

    def mark(self, keyed: tuple, roots: dict, root_signatures: dict) -> Iterator:
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
    """A spill chunk -> its articles with their decisions applied, one at a time: dropped if a
    re-delivery, numbered if an update, marked duplicate_of its component's root (or cleared).
    The chunk is read here, where the decisions are known: a separate reading step would be fused
    before the wait for them, and the wait would hold every article."""

    def process(self, chunk: str, decided: dict, marks: dict, _window=PER_BUNDLE) -> Iterator:
        for ref, a in read_chunk(chunk):
            yield from self.mark(ref, a, decided, marks)

    def mark(self, ref: bytes, a, decided: dict, marks: dict) -> Iterator:
        decision = decided.get(ref, FIRST_VERSION)
        if decision is None:  # a re-delivery, counted as dropped by ResolveVersions
            return
        if isinstance(decision, str):  # its identity group could not be resolved
            yield from dead_letters(STEP, (a,), decision)
            return
        a = a._replace(version=decision)
        root_id, similarity = marks.get(node_key(a), (None, None))
        if root_id is not None:
            Metrics.counter(STEP, "near_duplicate").inc()
            yield a._replace(duplicate_of=root_id, similarity=similarity)
        elif similarity is not None:  # the error _MarksFn met measuring this member
            yield from dead_letters(STEP, (a,), similarity)
        else:
            yield a._replace(duplicate_of=None, similarity=None)
