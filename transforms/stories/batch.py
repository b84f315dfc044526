"""Group a bounded input into stories: Article -> Article(story_id), after TagEntities.

GroupByKey and side inputs only, so it runs on Dask; the rules are stories.rules, shared with the
streaming shell (stories.stream).
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article
from transforms.dedupe import VerifyPairs, connected_roots, hasher_for
from transforms.stories.rules import (
    EDGES,
    MIN_TEXT_JACCARD,
    TEXT_PAIRS,
    TEXT_PARAMS,
    blocking_keys,
    bucket_links,
    profile_of,
    story_id,
    text_signature,
)

STEP = "stories"
PROFILED = "profiled"


class GroupStories(beam.PTransform):
    """Set story_id on every article; a story of one article gets an id of its own.

    Returns {"articles", "failures"}. Candidates come from entity-pair buckets that carry only
    ids, times and entity counts (linear in input); text evidence is checked by VerifyPairs on
    the few undated pairs; near-duplicates join their original's story; components come from one
    union-find over the story edges on a single key, which holds edges only, never articles.
    """

    def expand(self, articles):
        profiled = articles | "Profile" >> beam.ParDo(ProfileFn()).with_outputs(
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


class ProfileFn(beam.DoFn):
    """Article -> (StoryProfile, text signature, Article); shared by the streaming shell."""

    def setup(self) -> None:
        hasher_for(TEXT_PARAMS)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        try:
            yield profile_of(a), text_signature(a.text), a
        except Exception as exc:  # noqa: BLE001 - an article we cannot profile is a dead letter
            yield from dead_letters(STEP, (a,), exc)
