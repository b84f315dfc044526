"""Candidate pairs from LSH-style buckets, their verification, and connected components: the
linear-cost machinery that dedupe and story grouping share.

Cost is counted in shuffled elements: a local runner (FnApiRunner) holds every grouped element as
a decoded Python object until its consumer runs, and a dense bucket (thousands of retellings of one
wire story) turns "a few pairs per member" into hundreds. So pairs are verified in two rounds: first
each member against the one partner it shares most buckets with, then only the window pairs that
round left in different components. Near-identical items settle in the first round with one pair
each; a pair already connected is never verified (it could not change a component).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.sideinputs import PER_BUNDLE
from transforms.core.spill import spill_dir
from transforms.core.spill_groups import SpilledGroupByKey
from transforms.dedupe.fingerprint import jaccard_estimate, signature_from_bytes

# A bucket larger than this (boilerplate pages, thousands of copies of one wire story, one pair of
# world leaders) pairs each member only with its BUCKET_WINDOW predecessors: edges stay linear,
# copies stay connected.
BUCKET_WINDOW = 32


def _second(node: tuple) -> Hashable:
    return node[1]


def bucket_pairs(
    members: Iterable, window: int = BUCKET_WINDOW, item: Callable = _second
) -> Iterator[tuple]:
    """Candidate pairs of one bucket of nodes, earlier node first, never two versions of one URL
    (same `item(node)`: the article_id of a (time, article_id, …) node by default)."""
    ordered = sorted(set(members))
    for i, b in enumerate(ordered):
        for a in ordered[max(0, i - window) : i]:
            if item(a) != item(b):
                yield a, b


def star_votes(members: Iterable, item: Callable = _second) -> Iterator[tuple]:
    """(member, the bucket's earliest node) for every later member of one bucket: a vote for the
    partner a member is verified against first (the one it shares most buckets with)."""
    ordered = sorted(set(members))
    for b in ordered[1:]:
        if item(b) != item(ordered[0]):
            yield b, ordered[0]


def unlinked_pairs(
    members: Iterable, roots: dict, window: int = BUCKET_WINDOW, item: Callable = _second
) -> Iterator[tuple]:
    """bucket_pairs() whose nodes are not yet in one component (`roots`: node -> root; a node
    without an entry is its own root)."""
    ordered = sorted(set(members))
    rooted = [roots.get(m, m) for m in ordered]
    if len(set(rooted)) < 2:
        return
    for i, b in enumerate(ordered):
        for j in range(max(0, i - window), i):
            if rooted[j] != rooted[i] and item(ordered[j]) != item(b):
                yield ordered[j], b


def _find(parent: dict, x: Hashable) -> Hashable:
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _union(parent: dict, a: Hashable, b: Hashable) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)


def connected_roots(edges: Iterable[tuple[Hashable, Hashable]]) -> dict:
    """Union-find over edges -> each node's root, the smallest (earliest) node of its component."""
    parent: dict = {}
    for a, b in edges:
        _union(parent, a, b)
    return {x: _find(parent, x) for x in parent}


class _UnionFindFn(beam.CombineFn):
    """Edges -> {node: root}. A combiner, so runners fold edges into the parent map where they
    are produced (combiner lifting) and only maps, O(nodes), are shuffled — never the edges."""

    def create_accumulator(self) -> dict:
        return {}

    def add_input(self, parent: dict, edge: tuple) -> dict:
        _union(parent, *edge)
        return parent

    def merge_accumulators(self, parents: Iterable[dict]) -> dict:
        parents = iter(parents)
        merged = next(parents)
        for other in parents:
            for x, p in other.items():
                _union(merged, x, p)
        return merged

    def extract_output(self, parent: dict) -> dict:
        return {x: _find(parent, x) for x in parent}


class ConnectedComponents(beam.PTransform):
    """Edges (a, b) -> (node, root) for every node on an edge; root is the smallest node of its
    component. One map on one key: it holds the nodes of multi-node components, not the edges.

    With `edges_of`, each input is a container of edges (a spill file's path, say) and
    edges_of(item) its edges: they are read where the union-find is built, so a runner that
    holds the PCollection between steps holds the paths, never the edges."""

    def __init__(self, edges_of: Callable[[Any], Iterable[tuple]] | None = None):
        super().__init__()
        self._edges_of = edges_of

    def expand(self, edges):
        if self._edges_of is None:
            keyed = edges | "KeyEdges" >> beam.Map(lambda e: ("", e))
        else:
            keyed = edges | "KeyEdges" >> beam.FlatMap(_keyed_edges, self._edges_of)
        return (
            keyed
            | "UnionFind" >> beam.CombinePerKey(_UnionFindFn())
            | "Roots" >> beam.FlatMap(lambda kv: kv[1].items())
        )


def _keyed_edges(item, edges_of: Callable[[Any], Iterable[tuple]]) -> Iterator[tuple]:
    return (("", e) for e in edges_of(item))


class MostShared(beam.CombineFn):
    """Votes -> the candidate voted most often, the smallest on ties. Each partial result keeps
    only its leader: a heuristic pick, so what a runner's pre-combining loses costs at most a
    second-round check, never a result."""

    def create_accumulator(self) -> dict:
        return {}

    def add_input(self, votes: dict, candidate) -> dict:
        votes[candidate] = votes.get(candidate, 0) + 1
        return votes

    def merge_accumulators(self, accumulators: Iterable[dict]) -> dict:
        accumulators = iter(accumulators)
        merged = next(accumulators)
        for votes in accumulators:
            for candidate, n in votes.items():
                merged[candidate] = merged.get(candidate, 0) + n
        return merged

    def compact(self, votes: dict) -> dict:
        if len(votes) < 2:
            return votes
        leader = self.extract_output(votes)
        return {leader: votes[leader]}

    def extract_output(self, votes: dict):
        return min(votes, key=lambda c: (-votes[c], c)) if votes else None


def _ends(pair: tuple) -> tuple:
    """A pair's first says it is a first; its second says whose second it is."""
    return (pair[0], None), (pair[1], pair[0])


class _PairEnds(beam.CombineFn):
    """What one key is on the pairs: (is it a first, the firsts it is the second of)."""

    def create_accumulator(self) -> list:
        return [False, set()]

    def add_input(self, ends: list, first) -> list:
        if first is None:
            ends[0] = True
        else:
            ends[1].add(first)
        return ends

    def merge_accumulators(self, accumulators: Iterable[list]) -> list:
        merged = self.create_accumulator()
        for is_first, firsts in accumulators:
            merged[0] = merged[0] or is_first
            merged[1].update(firsts)
        return merged

    def extract_output(self, ends: list) -> tuple:
        return ends[0], tuple(sorted(ends[1]))


class _SignaturesFn(beam.DoFn):
    """Item -> (key, (key, signature)) when it is the first of a pair, and (first, (key,
    signature)) for each first it is the second of: both signatures of a pair meet under its
    first. A first-round partner is the first of many pairs, so its signature travels once, not
    once per pair. Items on no pair (most of a corpus) leave nothing."""

    def __init__(self, key: Callable, signature: Callable, items_of: Callable | None = None):
        self._key, self._signature, self._items_of = key, signature, items_of

    def process(self, element, ends: dict, _window=PER_BUNDLE) -> Iterator[tuple]:
        for item in self._items_of(element) if self._items_of else (element,):
            key = self._key(item)
            mine = ends.get(key)
            if mine is None:
                continue
            is_first, firsts = mine
            sig = self._signature(item)
            if is_first:
                yield key, (key, sig)
            for first in firsts:
                yield first, (key, sig)


class VerifyPairs(beam.PTransform):
    """{"items": items, "pairs": (key, key)} -> the pairs whose signatures are similar.

    `key(item)` names an item as the pairs do; `signature(item)` gives its signature bytes and
    is called only for items on a pair; with `items_of`, each element holds items (a spill
    chunk's path: its articles are read where the pairs are known, so no step holds them all).
    The pairs reach the items as a side input (small keys), each second's signature travels to
    its first once per pair, and one GroupByKey compares them: a pair found in several buckets
    is checked once. The signatures wait in files under `spill` while they are grouped
    (SpilledGroupByKey). (One shuffle, not two joins: a CoGroupByKey's Flatten behind a step
    that shares its input with a later side-input step stalls Beam's local runner, whose
    watermark waits for every reader of that input.) Dedupe uses it for near-duplicates, stories
    for shared passages.
    """

    def __init__(
        self,
        threshold: float,
        key: Callable,
        signature: Callable,
        step: str,
        items_of: Callable | None = None,
        spill: str | None = None,
    ):
        super().__init__()
        self._threshold, self._key, self._signature = threshold, key, signature
        self._step = step  # the metrics namespace of the "pairs_checked" counter
        self._items_of = items_of  # element -> its items (e.g. a spill chunk's articles)
        self._spill = spill_dir(None, f"{step}-pairs") if spill is None else spill

    def expand(self, inputs):
        items, pairs = inputs["items"], inputs["pairs"]
        ends = (
            pairs | "Ends" >> beam.FlatMap(_ends) | "EndsPerKey" >> beam.CombinePerKey(_PairEnds())
        )
        return (
            items
            | "Signatures"
            >> beam.ParDo(
                _SignaturesFn(self._key, self._signature, self._items_of), pvalue.AsDict(ends)
            )
            | "GroupByFirst" >> SpilledGroupByKey(self._spill)
            | "Compare" >> beam.FlatMap(_similar_pairs, self._threshold, self._step)
        )


def _similar_pairs(grouped: tuple, threshold: float, step: str) -> Iterator[tuple]:
    first, entries = grouped
    entries = list(entries)
    mine = next((sig for key, sig in entries if key == first), None)
    if mine is None:
        return
    Metrics.counter(step, "pairs_checked").inc(len(entries) - 1)
    mine = signature_from_bytes(mine)
    for second, sig in entries:
        if second != first and jaccard_estimate(mine, signature_from_bytes(sig)) >= threshold:
            yield first, second
