"""Group a bounded input into stories: Article -> Article(story_id), after TagEntities.

GroupByKey, combiners and side inputs only, so it runs on Dask; the rules are stories.rules,
shared with the streaming shell (stories.stream).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Article
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
from transforms.core.spill_groups import SpillRecordsFn, read_records
from transforms.dedupe import ConnectedComponents, MostShared, VerifyPairs
from transforms.stories.rules import (
    MIN_TEXT_JACCARD,
    UNDATED_SLOT,
    blocking_keys,
    profile_from_line,
    profile_line,
    profile_of,
    same_event_edges,
    story_id,
    text_pairs,
    text_signature,
    text_votes,
)

STEP = "stories"
PARTNERS, TEXT_PAIRS_DIR = "stories-partners", "stories-pairs"  # spill folders of VerifyPairs
BLOCKS = "stories-blocks"  # the spill folder of the blocking entries
EDGES, UNDATED_BUCKETS = "stories-edges", "stories-undated"  # ... of the links, undated buckets
DATED, UNDATED = "dated", "undated"


class GroupStories(beam.PTransform):
    """Set story_id on every article; a story of one article gets an id of its own.

    Returns {"articles", "failures"}. Blocking buckets hold one compact line per article (id,
    date, entity counts); a bucket passes on only the entity links that join something new, so
    thousands of near-identical reports give one link each, not BUCKET_WINDOW. Entity and copy
    links make the first components; only undated pairs still apart after them are checked for
    shared passages (VerifyPairs, signatures computed for those articles alone); union-find
    combiners hold nodes, never edges, and no article is shuffled: the articles wait in spill
    chunks (core.spill) and are read back by the steps that need them.
    """

    def __init__(self, spill: str | None = None):
        super().__init__()
        self._spill = spill  # the run's spill folder (a local temp folder if None)

    def expand(self, articles):
        spilled = articles | "Spill" >> Spill(spill_dir(self._spill, STEP), _story_record, STEP)
        profiled = spilled[REFS] | "Records" >> beam.Map(lambda ref_record: ref_record[1])
        buckets = (
            profiled
            | "BlockingKeys" >> beam.FlatMap(_blocking_entries)
            | "SpillBlockGroups" >> beam.ParDo(SpillByKeyFn(spill_dir(self._spill, BLOCKS)))
            | "GroupByBlockGroup" >> beam.GroupByKey()
            | "Buckets" >> beam.ParDo(_SharedBucketFn()).with_outputs(UNDATED, main=DATED)
        )
        # The links, and the undated buckets two steps read, wait in files (SpillRecordsFn): at
        # 100,000 articles, held by the local runner, they raised the run's peak by ~75 MiB.
        same = (
            buckets[DATED]
            | "SameEvent" >> beam.FlatMap(_entity_links)
            | "SpillSameEvent" >> beam.ParDo(SpillRecordsFn(spill_dir(self._spill, EDGES)))
        )
        copies = (
            profiled
            | "DuplicateEdges"
            >> beam.FlatMap(lambda record: [(record[1], record[0].article_id)] if record[1] else [])
            | "SpillCopies" >> beam.ParDo(SpillRecordsFn(spill_dir(self._spill, EDGES)))
        )
        linked = (
            (same, copies)
            | "EntityEdges" >> beam.Flatten()
            | "EntityComponents" >> ConnectedComponents(edges_of=read_records)
        )
        undated = buckets[UNDATED] | "SpillUndated" >> beam.ParDo(
            SpillRecordsFn(spill_dir(self._spill, UNDATED_BUCKETS))
        )
        # Undated pairs still apart: first each article against its most voted partner, then
        # the pairs that check left apart (components.py explains the two rounds).
        votes = (
            undated
            | "TextVotes" >> beam.FlatMap(_in_buckets, text_votes, beam.pvalue.AsDict(linked))
            | "BestTextPartner" >> beam.CombinePerKey(MostShared())
            | "TextPartnerPairs" >> beam.Map(lambda kv: (kv[1], kv[0]))
        )
        partnered = {
            "items": spilled[CHUNKS],
            "pairs": votes,
        } | "VerifyTextPartners" >> VerifyPairs(
            MIN_TEXT_JACCARD,
            _article_id,
            _text_signature,
            STEP,
            items_of=_articles_in,
            spill=spill_dir(self._spill, PARTNERS),
        )
        joined = (
            (linked, partnered)
            | "PartnerEdges" >> beam.Flatten()
            | "PartnerComponents" >> ConnectedComponents()
        )
        pairs = undated | "TextPairs" >> beam.FlatMap(
            _in_buckets, text_pairs, beam.pvalue.AsDict(joined)
        )
        text_edges = {
            "items": spilled[CHUNKS],
            "pairs": pairs,
        } | "VerifyText" >> VerifyPairs(
            MIN_TEXT_JACCARD,
            _article_id,
            _text_signature,
            STEP,
            items_of=_articles_in,
            spill=spill_dir(self._spill, TEXT_PAIRS_DIR),
        )
        roots = (
            (joined, text_edges)
            | "AllEdges" >> beam.Flatten()
            | "Components" >> ConnectedComponents()
        )
        stories = spilled[CHUNKS] | "AssignStory" >> beam.FlatMap(
            _assign_stories, beam.pvalue.AsDict(roots)
        )
        return {ARTICLES: stories, FAILURES: spilled[FAILURES]}


def _story_record(a: Article) -> tuple:
    """What the decisions need of a spilled article: its profile and the article it copies."""
    return profile_of(a), a.duplicate_of


def _articles_in(chunk: str) -> Iterator[Article]:
    """A spill chunk's articles, read by the step that has its side inputs: a separate reading
    step would be fused before the wait, and the wait would hold every article it read."""
    return (a for _, a in read_chunk(chunk))


def _assign_stories(chunk: str, roots: dict, _window=PER_BUNDLE) -> Iterator[Article]:
    for a in _articles_in(chunk):
        yield a._replace(story_id=story_id(roots.get(a.article_id, a.article_id)))


BLOCK_GROUPS = 128  # blocking buckets are shuffled in groups, through spill files


def _blocking_entries(profiled: tuple) -> Iterator[tuple]:
    """(profile, …) -> (group, blocking key + NUL + profile line) per blocking key. Keyed by a
    group of buckets, not by bucket: most buckets hold one article. A group's entries go to
    spill files (SpillBlockGroups), so the shuffle carries a few paths per group: the entries
    themselves, ~1 KB per article, were held by the local runner while it grouped them (at
    100,000 articles, the stories' peak)."""
    profile = profiled[0]
    line = profile_line(profile).encode("utf-8")
    for key in blocking_keys(profile):
        name = json.dumps(key, separators=(",", ":")).encode("utf-8")  # JSON never holds a NUL
        yield zlib.crc32(name) % BLOCK_GROUPS, name + b"\0" + line


class _SharedBucketFn(beam.DoFn):
    """A group of buckets (its spill files) -> (key, lines) for each bucket of two or more (one
    alone links nothing), still as lines: the undated buckets wait for the entity components in
    that compact form (in SpillUndated's files), the dated ones (entity links only) go on at
    once."""

    def process(self, group: tuple) -> Iterator:
        buckets: dict[bytes, set] = {}
        for entry in blobs_in(group[1]):
            name, _, line = entry.partition(b"\0")
            buckets.setdefault(name, set()).add(line.decode("utf-8"))
        for name, lines in buckets.items():
            if len(lines) < 2:
                continue
            key, lines = tuple(json.loads(name)), sorted(lines)
            if key[-1] == UNDATED_SLOT:
                yield pvalue.TaggedOutput(UNDATED, (key, lines))
            else:
                yield key, lines


def _in_buckets(path: str, pairs_of: Callable, roots: dict, _window=PER_BUNDLE) -> Iterator[tuple]:
    """pairs_of(key, profiles, roots) for each undated bucket of a SpillUndated file."""
    for bucket in read_records(path):
        yield from pairs_of(*_profiles(bucket), roots)


def _profiles(bucket: tuple) -> tuple:
    key, lines = bucket
    return key, [profile_from_line(line) for line in lines]


def _entity_links(bucket: tuple) -> Iterator[tuple]:
    links = list(same_event_edges(*_profiles(bucket)))
    Metrics.counter(STEP, "entity_links").inc(len(links))
    return iter(links)


def _article_id(a: Article) -> str:
    return a.article_id


def _text_signature(a: Article) -> bytes:
    return text_signature(a.text)
