"""Group a bounded input into stories: Article -> Article(story_id), after TagEntities.

GroupByKey, combiners and side inputs only, so it runs on Dask; the rules are stories.rules,
shared with the streaming shell (stories.stream).
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article
from transforms.dedupe import ConnectedComponents, MostShared, VerifyPairs, hasher_for
from transforms.stories.rules import (
    MIN_TEXT_JACCARD,
    TEXT_PARAMS,
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
PROFILED = "profiled"
DATED, UNDATED = "dated", "undated"


class GroupStories(beam.PTransform):
    """Set story_id on every article; a story of one article gets an id of its own.

    Returns {"articles", "failures"}. Blocking buckets hold one compact line per article (id,
    date, entity counts); a bucket passes on only the entity links that join something new, so
    thousands of near-identical reports give one link each, not BUCKET_WINDOW. Entity and copy
    links make the first components; only undated pairs still apart after them are checked for
    shared passages (VerifyPairs, signatures computed for those articles alone); union-find
    combiners hold nodes, never edges, and no article is shuffled.
    """

    def expand(self, articles):
        profiled = articles | "Profile" >> beam.ParDo(ProfileFn(with_text=False)).with_outputs(
            FAILURES, main=PROFILED
        )
        kept = profiled[PROFILED] | "Articles" >> beam.Map(lambda pa: pa[2])
        buckets = (
            profiled[PROFILED]
            | "BlockingKeys" >> beam.FlatMap(_blocking_entries)
            | "GroupByBlock" >> beam.GroupByKey()
            | "Buckets" >> beam.ParDo(_SharedBucketFn()).with_outputs(UNDATED, main=DATED)
        )
        same = buckets[DATED] | "SameEvent" >> beam.FlatMap(_entity_links)
        copies = kept | "DuplicateEdges" >> beam.FlatMap(
            lambda a: [(a.duplicate_of, a.article_id)] if a.duplicate_of else []
        )
        linked = (
            (same, copies)
            | "EntityEdges" >> beam.Flatten()
            | "EntityComponents" >> ConnectedComponents()
        )
        # Undated pairs still apart: first each article against its most voted partner, then
        # the pairs that check left apart (components.py explains the two rounds).
        votes = (
            buckets[UNDATED]
            | "TextVotes"
            >> beam.FlatMap(
                lambda kv, roots: text_votes(*_profiles(kv), roots), beam.pvalue.AsDict(linked)
            )
            | "BestTextPartner" >> beam.CombinePerKey(MostShared())
            | "TextPartnerPairs" >> beam.Map(lambda kv: (kv[1], kv[0]))
        )
        partnered = {"items": kept, "pairs": votes} | "VerifyTextPartners" >> VerifyPairs(
            MIN_TEXT_JACCARD, _article_id, _text_signature, STEP
        )
        joined = (
            (linked, partnered)
            | "PartnerEdges" >> beam.Flatten()
            | "PartnerComponents" >> ConnectedComponents()
        )
        pairs = buckets[UNDATED] | "TextPairs" >> beam.FlatMap(
            lambda kv, roots: text_pairs(*_profiles(kv), roots), beam.pvalue.AsDict(joined)
        )
        text_edges = {"items": kept, "pairs": pairs} | "VerifyText" >> VerifyPairs(
            MIN_TEXT_JACCARD, _article_id, _text_signature, STEP
        )
        roots = (
            (joined, text_edges)
            | "AllEdges" >> beam.Flatten()
            | "Components" >> ConnectedComponents()
        )
        stories = kept | "AssignStory" >> beam.Map(
            lambda a, roots: a._replace(story_id=story_id(roots.get(a.article_id, a.article_id))),
            beam.pvalue.AsDict(roots),
        )
        return {ARTICLES: stories, FAILURES: profiled[FAILURES]}


def _blocking_entries(profiled: tuple) -> Iterator[tuple]:
    profile = profiled[0]
    line = profile_line(profile)
    for key in blocking_keys(profile):
        yield key, line


class _SharedBucketFn(beam.DoFn):
    """(key, lines) for a bucket of two or more (one alone links nothing), still as lines: the
    undated buckets wait for the entity components in that compact form, the dated ones (entity
    links only) go on at once."""

    def process(self, keyed: tuple) -> Iterator:
        key, lines = keyed
        lines = sorted(set(lines))
        if len(lines) < 2:
            return
        if key[-1] == UNDATED_SLOT:
            yield pvalue.TaggedOutput(UNDATED, (key, lines))
        else:
            yield key, lines


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


class ProfileFn(beam.DoFn):
    """Article -> (StoryProfile, text signature or None, Article); shared by the streaming shell,
    which needs the signature of every article (the batch shell computes the few it checks)."""

    def __init__(self, with_text: bool = True):
        self._with_text = with_text

    def setup(self) -> None:
        hasher_for(TEXT_PARAMS)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        try:
            text = text_signature(a.text) if self._with_text else None
            yield profile_of(a), text, a
        except Exception as exc:  # noqa: BLE001 - an article we cannot profile is a dead letter
            yield from dead_letters(STEP, (a,), exc)
