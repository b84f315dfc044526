"""GroupStories on dense buckets (issue 16, case 7): thousands of reports with the same entities
stay linear, and the rounds give exactly the stories of deciding every window pair."""

from __future__ import annotations

import random
from collections import defaultdict

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_article
from transforms.core.records import Article, Entity
from transforms.dedupe import connected_roots
from transforms.stories import GroupStories
from transforms.stories.rules import (
    EDGES,
    HORIZON_US,
    TEXT_PAIRS,
    StoryProfile,
    blocking_keys,
    bucket_links,
    profile_from_line,
    profile_line,
    profile_of,
    same_event_edges,
    shares_passages,
    story_id,
    text_pairs,
    text_signature,
    text_votes,
)

T0 = 1_770_163_200_000_000  # 2026-02-04
PUTIN_XI = (("Q7747", 3), ("Q15031", 2), ("Q159", 1), ("Q148", 1))


@pytest.mark.parametrize(
    "profile",
    [
        StoryProfile("a1", T0, PUTIN_XI),
        StoryProfile("città-1", None, (("Q1", 1),)),
        StoryProfile("x", -5, ()),
    ],
)
def test_profile_line_round_trips(profile):
    assert profile_from_line(profile_line(profile)) == profile


def test_a_bucket_with_a_dated_and_an_undated_version_of_one_article_is_ordered():
    """Two versions share an article_id; sorting the profiles themselves compared None with an
    int and raised TypeError (the whole bucket lost)."""
    members = [StoryProfile("a", None, PUTIN_XI), StoryProfile("a", T0, PUTIN_XI)]
    members.append(StoryProfile("b", None, PUTIN_XI))
    key = ("Q15031", "Q7747", -1)
    assert list(bucket_links(key, members)) == [(TEXT_PAIRS, ("a", "b"))] * 2


def _random_profiles(seed: int, n: int) -> list[StoryProfile]:
    rng = random.Random(seed)
    qids = ["Q1", "Q2", "Q3", "Q4", "Q5"]
    profiles = []
    for i in range(n):
        chosen = rng.sample(qids, rng.randint(1, 4))
        entities = tuple((q, rng.randint(1, 3)) for q in chosen)
        time = None if rng.random() < 0.3 else T0 + rng.randrange(8) * HORIZON_US // 3
        profiles.append(profile_of_parts(f"a{rng.randrange(10 * n):04d}-{i}", time, entities))
    return profiles


def profile_of_parts(article_id: str, time: int | None, entities: tuple) -> StoryProfile:
    ranked = tuple(sorted(entities, key=lambda kv: (-kv[1], kv[0])))
    return StoryProfile(article_id, time, ranked)


def _buckets(profiles: list[StoryProfile]) -> dict:
    buckets = defaultdict(list)
    for p in profiles:
        for key in blocking_keys(p):
            buckets[key].append(p)
    return buckets


@pytest.mark.parametrize("seed, n", [(1, 40), (2, 120), (3, 300)])
def test_same_event_edges_give_the_components_of_every_entity_link(seed, n):
    buckets = _buckets(_random_profiles(seed, n))
    every = [p for k, m in buckets.items() for tag, p in bucket_links(k, m) if tag == EDGES]
    few = [pair for k, m in buckets.items() for pair in same_event_edges(k, m)]
    assert every and connected_roots(few) == connected_roots(every)
    assert len(few) < len(every) or n < 100


def test_text_pairs_and_votes_skip_what_is_joined():
    key = ("Q15031", "Q7747", -1)
    dated = [StoryProfile(f"d{i}", T0 + i, PUTIN_XI) for i in range(3)]
    undated = [StoryProfile(f"u{i}", None, PUTIN_XI) for i in range(2)]
    members = dated + undated
    alone = list(text_pairs(key, members, {}))
    assert alone == [p for tag, p in bucket_links(key, members) if tag == TEXT_PAIRS]
    joined = {m.article_id: "d0" for m in dated}
    assert set(text_pairs(key, members, joined)) == {(d.article_id, "u0") for d in dated} | {
        (d.article_id, "u1") for d in dated
    } | {("u0", "u1")}
    assert list(text_votes(key, members, joined)) == [("u0", "d0"), ("u1", "d0")]
    everyone = {m.article_id: "d0" for m in members}
    assert list(text_pairs(key, members, everyone)) == []
    assert list(text_pairs(("Q15031", "Q7747", 5), members, {})) == []  # a dated slot


# --- the composite -----------------------------------------------------------------------------

SENTENCES = [
    f"Sentence {i} of the wire report says {w} about the talks in detail today."
    for i, w in enumerate(["trade", "energy", "security", "grain", "finance", "gas", "ports"] * 3)
]
EVENTS = [  # (entities, day): events 2 and 3 share actors, days apart; 4 and 5 share a day
    (("Q7747", "Q15031", "Q159"), 0),
    (("Q7747", "Q15031", "Q148"), 3),
    (("Q22686", "Q30", "Q223"), 1),
    (("Q22686", "Q30", "Q223"), 9),
    (("Q3874799", "Q212", "Q7747"), 5),
    (("Q3874799", "Q212", "Q458"), 5),
]


def _corpus(seed: int, n: int) -> list[Article]:
    """Reports of EVENTS: their actors, their day (or none), passages of their own wording, a
    tenth of them marked copies of an earlier report of the same event."""
    rng, articles, by_event = random.Random(seed), [], defaultdict(list)
    for i in range(n):
        e = rng.randrange(len(EVENTS))
        qids, day = EVENTS[e]
        entities = tuple(Entity(q, "PER", q, 0, 1) for q in qids for _ in range(rng.randint(1, 2)))
        words = [[f"w{e}x{k}y{j}" for j in range(9)] for k in range(8)]
        text = " ".join(" ".join(w) + "." for w in rng.sample(words, 3)) + f" Tail {i}."
        copy = by_event[e] and rng.random() < 0.1
        a = make_article(
            text,
            article_id=f"a{i:03d}",
            published=T0 + day * 86_400_000_000 + rng.randrange(3600) * 10**6
            if rng.random() < 0.6
            else None,
            entities=entities,
            duplicate_of=rng.choice(by_event[e]) if copy else None,
        )
        by_event[e].append(a.article_id)
        articles.append(a)
    return articles


def _reference(articles: list[Article]) -> list[tuple]:
    """Every window pair decided, every undated pair's passages checked (bench_e2e's loop)."""
    profiles = {a.article_id: profile_of(a) for a in articles}
    texts = {a.article_id: text_signature(a.text) for a in articles}
    edges = [(a.duplicate_of, a.article_id) for a in articles if a.duplicate_of]
    for key, members in _buckets(list(profiles.values())).items():
        for tag, (x, y) in bucket_links(key, members):
            if tag == EDGES or shares_passages(texts[x], texts[y]):
                edges.append((x, y))
    roots = connected_roots(edges)
    return sorted((a.article_id, story_id(roots.get(a.article_id, a.article_id))) for a in articles)


@pytest.mark.parametrize("seed", [5, 6])
def test_group_stories_equals_deciding_every_pair(seed):
    articles = _corpus(seed, 90)
    expected = _reference(articles)
    assert len({s for _, s in expected}) < len(articles) - 10  # stories do form
    with TestPipeline() as p:
        out = p | beam.Create(articles) | GroupStories()
        rows = out["articles"] | beam.Map(lambda a: (a.article_id, a.story_id))
        assert_that(rows, equal_to(expected))


def test_near_identical_reports_cost_about_one_link_and_one_check_each():
    """300 retellings of one call, a quarter undated and none marked a copy (so the undated ones
    need the text check): one story, with about one entity link per dated bucket membership
    and one passage check per article; before, each was linked and checked BUCKET_WINDOW
    times per bucket."""
    n = 300
    entities = tuple(Entity(q, "PER", q, 0, 1) for q, k in PUTIN_XI for _ in range(k))
    articles = [
        make_article(
            " ".join(SENTENCES[:8]) + f" Call number {i}.",
            article_id=f"r{i:04d}",
            published=None if i % 4 == 3 else T0 + 60 * i,
            entities=entities,
        )
        for i in range(n)
    ]
    p = TestPipeline()
    out = p | beam.Create(articles) | GroupStories()
    stories = out["articles"] | beam.Map(lambda a: a.story_id)
    assert_that(stories, equal_to([story_id("r0000")] * n))
    result = p.run()
    result.wait_until_finish()
    counters = {
        c.key.metric.name: c.committed
        for c in result.metrics().query(MetricsFilter().with_namespace("stories"))["counters"]
    }
    dated_buckets = 6 * 2  # pairs of the top 4 entities, each in its slot and the next
    assert 0 < counters["entity_links"] <= dated_buckets * n
    assert 0 < counters["pairs_checked"] <= 2 * n
