"""Deduplicate: exact re-deliveries dropped, updates versioned, near-duplicates marked."""

from __future__ import annotations

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_article
from transforms.core.identity import article_id, canonical_url
from transforms.core.records import Article, Dropped
from transforms.dedupe import REDELIVERY, Deduplicate, bucket_pairs, connected_roots
from transforms.dedupe.rules import article_identity, node_of, resolve_group, resolve_versions

DAY = 86_400 * 1_000_000
T0 = 1_770_163_200_000_000  # 2026-02-04

STORY = (
    "Russian President Vladimir Putin praised the steady expansion of economic cooperation "
    "between Russia and China during a video call with Chinese President Xi Jinping on Wednesday, "
    "describing the partnership as strategic and mutually beneficial. The talks took place amid "
    "China's parallel engagement with Western leaders, even as differences persist over Russia's "
    "war in Ukraine. Putin said cooperation in the energy sector is a fundamental pillar of "
    "bilateral ties and that the two countries are also working together on the peaceful use of "
    "nuclear energy and on high technology projects, including industrial production and space."
)
OTHER = (
    "The city council approved a new budget on Monday that raises spending on public transport "
    "and schools while trimming the administration, after a debate that lasted late into the "
    "night. Opposition members said the plan relied on optimistic revenue forecasts and would "
    "leave the city exposed if the economy slowed, while the mayor called it balanced and fair."
)


def art(
    url: str | None, text: str, ingested: int = T0, published: int | None = T0, **kw
) -> Article:
    aid = article_id(canonical_url(url), kw.get("guid"), "src", 0)  # the id of its first source
    source = kw.pop("source_uri", "src")
    return make_article(
        text,
        url=url,
        article_id=aid,
        source_uri=source,
        published=published,
        ingested=ingested,
        **kw,
    )


# --- pure core -------------------------------------------------------------------------------


def test_resolve_versions_drops_redeliveries_and_numbers_updates():
    first = art("https://a.example/x", STORY, ingested=T0)
    again = art("https://a.example/x?utm_source=rss", STORY, ingested=T0 + 60)
    update = art(
        "https://a.example/x",
        STORY + " Updated with reactions.",
        ingested=T0 + 120,
        modified_at=T0 + DAY,
    )
    kept, dropped = resolve_versions([update, again, first])
    assert [(a.ingested_at, a.version) for a in kept] == [(T0, 1), (T0 + 120, 2)]
    assert dropped == [again]


@pytest.mark.parametrize(
    "a, key",
    [
        (art("https://A.example/x?utm_medium=x", "t"), "url:https://a.example/x"),
        (art(None, "t", guid="tag:1"), "guid:tag:1"),
        (art(None, "t"), f"id:{article_id(None, None, 'src', 0)}"),
    ],
)
def test_identity_key(a, key):
    assert article_identity(a) == key


def test_bucket_pairs_skip_versions_and_stay_linear():
    nodes = [(i, f"id{i}", 1) for i in range(100)] + [(0, "id0", 2)]
    pairs = list(bucket_pairs(nodes, window=4))
    assert all(a < b for a, b in pairs)
    assert ((0, "id0", 1), (0, "id0", 2)) not in pairs
    assert len(pairs) <= 4 * len(nodes)


def test_connected_roots_is_transitive_and_picks_earliest():
    a, b, c, d = (3, "a", 1), (1, "b", 1), (2, "c", 1), (9, "d", 1)
    roots = connected_roots([(a, c), (c, b), (d, d)])
    assert roots[a] == roots[b] == roots[c] == b and roots[d] == d


def test_resolve_group_marks_all_but_the_earliest():
    early = art("https://a.example/1", STORY, published=T0)
    late = art("https://b.example/2", STORY, published=T0 + DAY)
    update = art("https://a.example/1", STORY + " More.", published=T0 + 2 * DAY)._replace(
        version=2
    )
    sig = np.arange(8, dtype=np.uint32)
    out = {(a.url, a.version): a for a in resolve_group([(late, sig), (early, sig), (update, sig)])}
    assert out[("https://a.example/1", 1)].duplicate_of is None
    assert out[("https://b.example/2", 1)].duplicate_of == early.article_id
    assert out[("https://b.example/2", 1)].similarity == 1.0
    assert out[("https://a.example/1", 2)].duplicate_of is None  # an update, not a copy


# --- the composite ---------------------------------------------------------------------------


def test_deduplicate_pipeline():
    original = art("https://wire.example/story", STORY, ingested=T0)
    redelivered = art(
        "https://wire.example/story?utm_campaign=feed", STORY, ingested=T0 + 300, source_uri="feed2"
    )
    updated = art(
        "https://wire.example/story",
        STORY + " Moscow later confirmed the call.",
        ingested=T0 + 600,
        modified_at=T0 + 3600,
    )
    syndicated = art(
        "https://paper.example/copy",
        "UPDATED 14:05 GMT " + STORY.upper(),
        ingested=T0 + 900,
        published=T0 + 3600,
    )
    identical = art("https://mirror.example/same", STORY, ingested=T0 + 950, published=T0 + 7200)
    unrelated = art("https://city.example/budget", OTHER, ingested=T0 + 1000)
    empty = art("https://empty.example/", "", ingested=T0 + 1100)
    inputs = [syndicated, updated, redelivered, original, identical, unrelated, empty]

    def check(rows):
        got = sorted((a.url, a.version, a.duplicate_of, a.similarity) for a in rows)
        assert len(got) == 6, got
        by_url = {(a.url, a.version): a for a in rows}
        assert by_url[(original.url, 1)].duplicate_of is None
        assert by_url[(updated.url, 2)].duplicate_of is None  # same article_id as the root
        copy = by_url[(syndicated.url, 1)]
        assert copy.duplicate_of == original.article_id and 0.5 <= copy.similarity < 1.0
        same = by_url[(identical.url, 1)]
        assert same.duplicate_of == original.article_id and same.similarity == 1.0
        assert by_url[(unrelated.url, 1)].duplicate_of is None
        assert by_url[(empty.url, 1)].duplicate_of is None

    with TestPipeline() as p:
        out = p | beam.Create(inputs) | Deduplicate()
        assert_that(out["articles"], check)
        assert_that(
            out["dropped"],
            equal_to([Dropped(REDELIVERY, original.article_id, "feed2")]),
            label="CheckDropped",
        )
        assert_that(out["failures"], equal_to([]), label="CheckFailures")


def test_earliest_published_is_the_root_whatever_the_arrival_order():
    first = art("https://b.example/late-arrival", STORY, ingested=T0 + 500, published=T0)
    second = art("https://a.example/early-arrival", STORY, ingested=T0, published=T0 + DAY)
    assert node_of(first) < node_of(second)

    def check(rows):
        marks = {a.url: a.duplicate_of for a in rows}
        assert marks == {first.url: None, second.url: first.article_id}

    with TestPipeline() as p:
        out = p | beam.Create([second, first]) | Deduplicate()
        assert_that(out["articles"], check)


def test_same_rows_whatever_the_input_order():
    """A batch re-run must end with the same rows: no decision may depend on arrival order."""
    texts = [STORY, STORY.upper(), "Breaking: " + STORY, OTHER, OTHER + " Updated."]
    inputs = [
        art(f"https://site{i}.example/a", t, ingested=T0 + 7 * i, published=T0 + (i % 2) * DAY)
        for i, t in enumerate(texts)
    ] + [art("https://site0.example/a", STORY, ingested=T0 + 99)]
    ids = [a.article_id for a in inputs]
    # site4 is published a day before site3, so it is the root of the OTHER group.
    expected = [
        (ids[0], 1, None, False),
        (ids[1], 1, ids[0], True),  # identical after normalisation: similarity exactly 1.0
        (ids[2], 1, ids[0], False),
        (ids[3], 1, ids[4], False),
        (ids[4], 1, None, False),
    ]

    for label, order in (("Forward", inputs), ("Reversed", inputs[::-1])):
        with TestPipeline() as p:
            out = p | beam.Create(order) | Deduplicate()
            rows = out["articles"] | beam.Map(
                lambda a: (a.article_id, a.version, a.duplicate_of, a.similarity == 1.0)
            )
            assert_that(rows, equal_to(expected), label=f"Check{label}")
