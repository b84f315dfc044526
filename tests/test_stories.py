"""GroupStories: seeds 000-002 (one Xi-Putin call, 4 Feb 2026) share a story; 003 and 004 do not."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_article
from transforms.core.records import Article, Entity
from transforms.dedupe import connected_roots
from transforms.stories import GroupStories
from transforms.stories.rules import (
    DIFFERENT,
    EDGES,
    HORIZON_US,
    NEEDS_TEXT,
    SAME,
    TEXT_PAIRS,
    StoryProfile,
    blocking_keys,
    bucket_links,
    profile_of,
    same_story,
    story_id,
    story_link,
    text_signature,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# Stand-in for TagEntities (not run here): surface forms -> Wikidata QIDs (CC0 facts).
GAZETTEER = {
    "Xi Jinping": "Q15031",
    "Xi": "Q15031",
    "Putin": "Q7747",
    "Cina": "Q148",
    "China": "Q148",
    "Russia": "Q159",
    "Ucraina": "Q212",
    "Ukraine": "Q212",
    "Mosca": "Q649",
    "Moscow": "Q649",
    "Pechino": "Q956",
    "Beijing": "Q956",
    "Trump": "Q22686",
    "Stati Uniti": "Q30",
    "Groenlandia": "Q223",
    "Greenland": "Q223",
    "Unione Europea": "Q458",
    "Zelenskyj": "Q3874799",
    "Hong Kong": "Q8646",
}
_NAMES = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, GAZETTEER), key=len, reverse=True)) + r")\b"
)


def tag(text: str) -> tuple[Entity, ...]:
    return tuple(
        Entity(m.group(0), "LOC", GAZETTEER[m.group(0)], m.start(), m.end())
        for m in _NAMES.finditer(text)
    )


def us(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1_000_000)


# What parse finds in each seed's text: 000 "date 2026-02-04", 001 "mercoledì 4 febbraio 2026",
# 004 "giovedì, Ottobre 31, 2024"; 002 and 003 carry no date of their own.
SEED_DATES = {
    "000": "2026-02-04",
    "001": "2026-02-04",
    "002": None,
    "003": None,
    "004": "2024-10-31",
}


def seed_article(prefix: str, text: str, published: str | None) -> Article:
    return make_article(
        text,
        article_id=f"seed{prefix}",
        source_uri=f"seeds/{prefix}.txt",
        published=us(published) if published else None,
        published_at_source="text" if published else "none",
        ingested=us("2026-02-10"),
        language="it",
        entities=tag(text),
    )


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    files = sorted(SEEDS.glob("00[0-4]_*.txt"))
    if len(files) != 5:
        pytest.skip(f"needs the five seed files in {SEEDS}")
    return {
        f.name[:3]: seed_article(f.name[:3], f.read_text(encoding="utf-8"), SEED_DATES[f.name[:3]])
        for f in files
    }


def test_seed_rules(seeds):
    p = {k: profile_of(a) for k, a in seeds.items()}
    t = {k: text_signature(a.text) for k, a in seeds.items()}

    def same(x: str, y: str) -> bool:
        return same_story(p[x], p[y], t[x], t[y])

    assert same("000", "001")  # same day, same actors; Italian+English vs Italian
    assert story_link(p["001"], p["002"]) == NEEDS_TEXT  # 002 has no date of its own
    assert same("001", "002")  # ... but shares passages of the same AP report
    assert not same("000", "004")  # same actors, 15 months apart: another event
    assert not same("001", "004")
    for other in ("000", "001", "002"):
        assert not same(other, "003"), other  # the December 2022 call, undated


def test_seed_stories_in_pipeline(seeds):
    def check(rows):
        story = {a.article_id: a.story_id for a in rows}
        assert len(rows) == 5 and all(story.values())
        assert story["seed000"] == story["seed001"] == story["seed002"]
        assert story["seed003"] not in (story["seed000"], story["seed004"])
        assert story["seed004"] != story["seed000"]

    with TestPipeline() as p:
        out = p | beam.Create(list(seeds.values())) | GroupStories()
        assert_that(out["articles"], check)
        assert_that(out["failures"], equal_to([]), label="NoFailures")


ENTS = (("Q15031", 3), ("Q7747", 3), ("Q148", 1))


@pytest.mark.parametrize(
    "t_a, t_b, link",
    [
        (0, 0, SAME),
        (0, HORIZON_US, SAME),
        (0, HORIZON_US + 1, DIFFERENT),
        (None, 0, NEEDS_TEXT),
        (None, None, NEEDS_TEXT),
    ],
)
def test_time_rule(t_a, t_b, link):
    assert story_link(StoryProfile("a", t_a, ENTS), StoryProfile("b", t_b, ENTS)) == link


def test_undated_needs_shared_passages():
    a, b = StoryProfile("a", None, ENTS), StoryProfile("b", 0, ENTS)
    assert not same_story(a, b, b"\x00" * 2048, b"\x01" * 2048)
    assert same_story(a, b, b"\x00" * 2048, b"\x00" * 2048)


@pytest.mark.parametrize(
    "other",
    [
        (("Q30", 5), ("Q90", 1)),  # one shared entity is not an event
        (("Q15031", 1), ("Q7747", 1), ("Q1", 9), ("Q2", 9)),  # shared, but mostly about others
    ],
)
def test_entity_rule(other):
    mine = (("Q30", 5), ("Q22686", 1)) if other[0][0] == "Q30" else ENTS
    assert story_link(StoryProfile("a", 0, mine), StoryProfile("b", 0, other)) == DIFFERENT


def test_blocking_keys_meet_within_horizon():
    ents = (("Q1", 2), ("Q2", 1))
    undated = {("Q1", "Q2", -1)}
    keys_a = set(blocking_keys(StoryProfile("a", HORIZON_US - 1, ents)))
    keys_b = set(blocking_keys(StoryProfile("b", HORIZON_US + 10, ents)))  # next slot
    assert keys_a & keys_b - undated
    far = set(blocking_keys(StoryProfile("c", 3 * HORIZON_US, ents)))
    assert not far & keys_a - undated


def test_bucket_links_route_undated_pairs_to_text_check():
    dated, undated = StoryProfile("a", 0, ENTS), StoryProfile("b", None, ENTS)
    assert list(bucket_links(("Q7747", "Q15031", -1), [undated, dated])) == [
        (TEXT_PAIRS, ("a", "b"))
    ]
    other = StoryProfile("c", 10, ENTS)
    assert list(bucket_links(("Q7747", "Q15031", -1), [dated, other])) == []  # slot's job
    assert list(bucket_links(("Q7747", "Q15031", 0), [dated, other])) == [(EDGES, ("a", "c"))]


def test_story_roots_transitive_and_smallest():
    roots = connected_roots([("c", "b"), ("b", "a"), ("x", "y")])
    assert roots == {"a": "a", "b": "a", "c": "a", "x": "x", "y": "x"}
    assert story_id("a") != story_id("x")
