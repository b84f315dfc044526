"""Group articles about one event into stories: Article -> Article(story_id), after TagEntities.

Linked entities meet across languages; time proximity keeps apart different events with the same
actors; shared verbatim passages decide when a date is unknown. Pure rules in story_link().
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue

from transforms.core.failures import ARTICLES, FAILURES, article_payload, make_failure
from transforms.core.records import Article
from transforms.core.times import DAY_US
from transforms.dedupe.batch import VerifyPairs, connected_roots
from transforms.dedupe.fingerprint import (
    MinHashParams,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)

STEP = "stories"
HORIZON_US = 3 * DAY_US  # reports of one event appear within days; the same actors recur for years
TOP_ENTITIES = 4  # most-mentioned linked entities that block candidates (pairs of them: <= 6 keys)
MIN_SHARED = 2  # one shared entity (a country, a president) is not an event
MIN_ENTITY_COSINE = 0.5
# Without a date, entities cannot tell Tuesday's call from last year's: demand shared passages.
# On the seeds, word-4-shingle Jaccard is 0.038 between two translations of one AP report and
# <= 0.007 between reports of different Xi-Putin calls; 512 permutations keep the estimate's
# standard error (0.004 at J=0.007) well below that gap, where 128 could not.
MIN_TEXT_JACCARD = 0.02
TEXT_PARAMS = MinHashParams(shingle=4, num_perm=512, threshold=MIN_TEXT_JACCARD, seed=7)
BUCKET_WINDOW = 32
# A date from the page, feed or input is an event time; an ingestion-time fallback is not.
_UNDATED_SOURCES = frozenset({"none"})


# What a candidate pair needs: a decision now, or the text evidence of VerifyPairs.
SAME, DIFFERENT, NEEDS_TEXT = "same", "different", "needs_text"
EDGES, TEXT_PAIRS, PROFILED = "edges", "text_pairs", "profiled"


class StoryProfile(NamedTuple):
    """What story grouping needs of an article in a bucket: small, so buckets stay cheap."""

    article_id: str
    time: int | None  # µs; None when the article has no known publication date
    entities: tuple  # ((qid, mentions), ...) most-mentioned first


def story_time(a: Article) -> int | None:
    if a.published_at is None or a.published_at_source in _UNDATED_SOURCES:
        return None
    return a.published_at


def profile_of(a: Article) -> StoryProfile:
    counts = Counter(e.id for e in a.entities if e.id)
    ranked = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return StoryProfile(a.article_id, story_time(a), ranked)


def text_signature(text: str) -> bytes:
    return signature_to_bytes(hasher_for(TEXT_PARAMS).signature(text or ""))


def entity_cosine(a: dict, b: dict) -> float:
    dot = sum(n * b.get(q, 0) for q, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def story_link(a: StoryProfile, b: StoryProfile) -> str:
    """SAME, DIFFERENT, or NEEDS_TEXT when the entities agree but a date is missing."""
    ea, eb = dict(a.entities), dict(b.entities)
    if len(ea.keys() & eb.keys()) < MIN_SHARED or entity_cosine(ea, eb) < MIN_ENTITY_COSINE:
        return DIFFERENT
    if a.time is None or b.time is None:
        return NEEDS_TEXT
    return SAME if abs(a.time - b.time) <= HORIZON_US else DIFFERENT


def same_story(a: StoryProfile, b: StoryProfile, text_a: bytes, text_b: bytes) -> bool:
    """The whole rule on two articles (text signatures from text_signature())."""
    link = story_link(a, b)
    if link == NEEDS_TEXT:
        sa, sb = signature_from_bytes(text_a), signature_from_bytes(text_b)
        return jaccard_estimate(sa, sb) >= MIN_TEXT_JACCARD
    return link == SAME


def blocking_keys(p: StoryProfile) -> Iterator[tuple]:
    """Buckets whose members may share a story: a pair of top entities, by time when known.

    A dated article goes to its HORIZON-wide time slot and the next, so any two dated articles
    within the horizon share a bucket; every article also goes to the undated bucket (-1) of the
    pair, where only pairs with an undated member are compared.
    """
    top = sorted(q for q, _ in p.entities[:TOP_ENTITIES])
    for pair in itertools.combinations(top, 2):
        yield (*pair, -1)
        if p.time is not None:
            slot = p.time // HORIZON_US
            yield (*pair, slot)
            yield (*pair, slot + 1)


def bucket_links(key: tuple, members: Iterable[StoryProfile]) -> Iterator[tuple[str, tuple]]:
    """(EDGES, pair) decided here, or (TEXT_PAIRS, pair) that need shared passages to link."""
    ordered = sorted(set(members))
    undated_bucket = key[-1] == -1
    for i, b in enumerate(ordered):
        for a in ordered[max(0, i - BUCKET_WINDOW) : i]:
            if undated_bucket and a.time is not None and b.time is not None:
                continue  # two dated articles are compared in their time slot
            link = story_link(a, b) if a.article_id != b.article_id else DIFFERENT
            if link == SAME:
                yield EDGES, (a.article_id, b.article_id)
            elif link == NEEDS_TEXT:
                yield TEXT_PAIRS, (a.article_id, b.article_id)


def story_id(root_article_id: str) -> str:
    return hashlib.sha256(f"story:{root_article_id}".encode()).hexdigest()[:20]


class GroupStories(beam.PTransform):
    """Set story_id on every article; a story of one article gets an id of its own.

    Returns {"articles", "failures"}. Candidates come from entity-pair buckets that carry only
    ids, times and entity counts (linear in input); text evidence is checked by VerifyPairs on
    the few undated pairs; near-duplicates join their original's story; components come from one
    union-find over the story edges on a single key, which holds edges only, never articles.
    """

    def expand(self, articles):
        profiled = articles | "Profile" >> beam.ParDo(_ProfileFn()).with_outputs(
            FAILURES, main=PROFILED
        )
        kept = profiled[PROFILED] | "Articles" >> beam.Map(lambda pa: pa[2])
        links = (
            profiled[PROFILED]
            | "BlockingKeys" >> beam.FlatMap(lambda pa: ((k, pa[0]) for k in blocking_keys(pa[0])))
            | "GroupByBlock" >> beam.GroupByKey()
            | "BucketLinks" >> beam.FlatMap(_tagged_links).with_outputs(TEXT_PAIRS, main=EDGES)
        )
        signatures = profiled[PROFILED] | "TextSignatures" >> beam.Map(
            lambda pa: (pa[0].article_id, pa[1])
        )
        text_edges = {"signatures": signatures, "pairs": links[TEXT_PAIRS]} | (
            "VerifyText" >> VerifyPairs(MIN_TEXT_JACCARD)
        )
        copies = kept | "DuplicateEdges" >> beam.FlatMap(
            lambda a: [(a.duplicate_of, a.article_id)] if a.duplicate_of else []
        )
        roots = (
            (links[EDGES], text_edges, copies)
            | "AllEdges" >> beam.Flatten()
            | "KeyEdges" >> beam.Map(lambda e: ("", e))
            | "GatherEdges" >> beam.GroupByKey()
            | "Components" >> beam.FlatMap(lambda kv: connected_roots(kv[1]).items())
        )
        stories = kept | "AssignStory" >> beam.Map(
            lambda a, roots: a._replace(story_id=story_id(roots.get(a.article_id, a.article_id))),
            beam.pvalue.AsDict(roots),
        )
        return {ARTICLES: stories, FAILURES: profiled[FAILURES]}


def _tagged_links(bucket: tuple) -> Iterator:
    for tag, pair in bucket_links(*bucket):
        yield pair if tag == EDGES else pvalue.TaggedOutput(tag, pair)


class _ProfileFn(beam.DoFn):
    def setup(self) -> None:
        hasher_for(TEXT_PARAMS)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        try:
            yield profile_of(a), text_signature(a.text), a
        except Exception as exc:  # noqa: BLE001 - an article we cannot profile is a dead letter
            yield pvalue.TaggedOutput(
                FAILURES, make_failure(STEP, a.source_uri, exc, article_payload(a))
            )
