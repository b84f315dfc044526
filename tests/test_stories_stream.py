"""Stories in a stream: the forest's rules (pure), then GroupStoriesStream under TestStream — a
window resolved as batch resolves it, a copy an hour later joining its original's story, state
that expires after its horizon."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that
from apache_beam.transforms.window import TimestampedValue

from tests.conftest import make_article
from transforms.core.records import Entity
from transforms.stories import GroupStories, GroupStoriesStream, story_id
from transforms.stories.forest import Forest
from transforms.stories.seed import story_entries
from transforms.stories.state import Assigned, EntityCount, StoryForest, StoryMember
from transforms.stories.stream import flush_time_us, links_to

US = 1_000_000
DAY = 86_400 * US
T0 = 1_770_163_200 * US  # 2026-02-04

# --- the forest: story names across windows ----------------------------------------------------


def arts(*ids: str, **fields):
    return [make_article("t", article_id=i, **fields) for i in ids]


def test_a_window_alone_is_named_as_batch_names_it():
    forest = Forest()
    stories = forest.assign(arts("b", "a", "c", "z"), [("b", "a"), ("c", "b")], now_us=0)
    assert stories == {
        "a": story_id("a"),
        "b": story_id("a"),
        "c": story_id("a"),
        "z": story_id("z"),
    }
    assert forest.story_of("c") == story_id("a") and forest.story_of("z") is None


def test_a_later_article_joins_the_earlier_story_even_with_a_smaller_id():
    forest = Forest()
    forest.assign(arts("m", "n"), [("n", "m")], now_us=0)
    # "a" sorts first, but rows of "m" and "n" are written already: the story keeps its name.
    assert forest.assign(arts("a"), [("a", "n")], now_us=10) == {"a": story_id("m")}


def test_a_link_to_an_earlier_single_article_takes_its_own_story():
    forest = Forest()
    forest.assign(arts("x"), [], now_us=0)  # alone: story_id("x"), nothing remembered
    assert forest.assign(arts("y"), [("y", "x")], now_us=1) == {"y": story_id("x")}
    assert forest.story_of("x") == story_id("x")


def test_a_bridge_merges_two_earlier_stories_under_the_smaller_name():
    forest = Forest()
    forest.assign(arts("a1", "a2"), [("a2", "a1")], now_us=0)
    forest.assign(arts("b1", "b2"), [("b2", "b1")], now_us=0)
    first, second = sorted([story_id("a1"), story_id("b1")])
    bridge = forest.assign(arts("c"), [("c", "a2"), ("c", "b2")], now_us=5)
    assert bridge == {"c": first}
    # Later joiners of either side get the merged story.
    loser = "b1" if second == story_id("b1") else "a1"
    assert forest.assign(arts("d"), [("d", loser)], now_us=6) == {"d": first}


def test_copies_join_their_original_through_duplicate_of():
    forest = Forest()
    forest.assign(arts("orig", "other"), [("other", "orig")], now_us=0)
    copy = make_article("t", article_id="copy", duplicate_of="orig")
    assert forest.assign([copy], [], now_us=1) == {"copy": story_id("orig")}


def test_state_expires_and_round_trips():
    forest = Forest()
    forest.assign(arts("a", "b"), [("b", "a")], now_us=0)
    forest.assign(arts("c", "d"), [("d", "c")], now_us=10 * DAY)
    again = Forest(forest.state())
    assert again.state() == forest.state()
    again.prune(before_us=5 * DAY)
    assert again.story_of("a") is None and again.story_of("c") == story_id("c")


@pytest.mark.parametrize(
    "at, window, flush",
    [(0, 60, 59_999_000), (59_999_999, 60, 59_999_000), (60 * US, 60, 119_999_000)],
)
def test_a_window_is_resolved_in_its_last_millisecond(at, window, flush):
    assert flush_time_us(at, window) == flush


# --- buckets ---------------------------------------------------------------------------------

XI, PUTIN, CHINA = EntityCount("Q15031", 3), EntityCount("Q7747", 3), EntityCount("Q148", 1)


def member(aid, time, text=None, entities=(XI, PUTIN, CHINA)):
    return StoryMember(aid, time, entities, text)


def test_bucket_links_follow_the_batch_pair_rule():
    slot, undated = "Q148|Q15031|0", "Q148|Q15031|-1"
    near, far = member("near", T0 + DAY), member("far", T0 + 10 * DAY)
    assert links_to(slot, member("new", T0), [near, far]) == ["near"]
    # In the undated bucket two dated articles are not compared (their time slot does that).
    assert links_to(undated, member("new", T0), [near]) == []
    same = b"\x00" * 2048
    assert links_to(undated, member("new", None, same), [member("m", T0, same)]) == ["m"]
    assert links_to(undated, member("new", None, same), [member("m", T0, b"\x01" * 2048)]) == []


# --- the streaming composite ------------------------------------------------------------------

XI_PUTIN = "Xi Jinping e Vladimir Putin hanno parlato al telefono di Cina e Russia."


def tagged(aid: str, text: str, published: int | None, ingested: int, **fields):
    entities = (
        Entity("Xi Jinping", "PER", "Q15031", 0, 10),
        Entity("Putin", "PER", "Q7747", 24, 29),
        Entity("Cina", "LOC", "Q148", 55, 59),
        Entity("Russia", "LOC", "Q159", 62, 68),
    )
    return make_article(
        text,
        article_id=aid,
        url=f"https://{aid}.example/x",
        published=published,
        published_at_source="text" if published else "none",
        ingested=ingested,
        entities=entities,
        **fields,
    )


def _streaming() -> beam.Pipeline:
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return beam.Pipeline(options=options)


def _at(a, seconds: float):
    return TimestampedValue(a, seconds)


def _stories_are(expected: dict):
    def check(rows):
        got = {a.article_id: a.story_id for a in rows}
        assert got == expected, got

    return check


def test_a_copy_syndicated_an_hour_later_joins_its_original():
    original = tagged("orig", XI_PUTIN, T0, T0)
    related = tagged("rel", XI_PUTIN + " Altro.", T0 + 3600 * US, T0 + 3600 * US)
    copy = tagged("copy", XI_PUTIN, T0, T0 + 3600 * US, duplicate_of="orig")
    lonely = make_article("Il meteo di domani.", article_id="meteo", ingested=T0)
    events = (
        TestStream()
        .advance_watermark_to(0)
        .add_elements([_at(original, 10), _at(lonely, 11)])
        .advance_watermark_to(120)  # the first window is resolved and written
        .add_elements([_at(copy, 3610), _at(related, 3611)])
        .advance_watermark_to(3700)  # each window's end, as a runner's watermark passes it
        .advance_watermark_to_infinity()
    )
    expected = {
        "orig": story_id("orig"),
        "meteo": story_id("meteo"),
        "copy": story_id("orig"),
        "rel": story_id("orig"),
    }
    with _streaming() as p:
        out = p | events | GroupStoriesStream(None, window_s=60)
        assert_that(out["articles"], _stories_are(expected))


def test_one_window_gives_the_batch_stories():
    rows = [
        tagged("a3", XI_PUTIN, T0, T0),
        tagged("a1", XI_PUTIN + " Uno.", T0 + DAY, T0),
        tagged("a2", XI_PUTIN + " Due.", T0 + 30 * DAY, T0),  # a month later: another event
        make_article("Il meteo.", article_id="z", ingested=T0),
    ]
    # What batch decides: a3 and a1 (a day apart) one story named by the smaller id.
    expected = {
        "a1": story_id("a1"),
        "a3": story_id("a1"),
        "a2": story_id("a2"),
        "z": story_id("z"),
    }
    with beam.Pipeline() as p:
        batch = p | "Batch" >> beam.Create(rows) | "Group" >> GroupStories()
        assert_that(batch["articles"], _stories_are(expected))
    events = (
        TestStream()
        .add_elements([_at(a, 5) for a in rows])
        .advance_watermark_to(60)
        .advance_watermark_to_infinity()
    )
    with _streaming() as p:
        out = p | events | GroupStoriesStream(None, window_s=60)
        assert_that(out["articles"], _stories_are(expected))


def test_a_restart_joins_the_stories_already_written():
    written = [
        {
            "article_id": a,
            "story_id": story_id("a"),
            "content_hash": a,
            "published_at": T0,
            "published_at_source": "text",
            "ingested_at": T0,
            "entities": [{"id": q} for q in ("Q15031", "Q7747", "Q148")],
        }
        for a in ("a", "b")
    ]
    seed = dict(story_entries(written, texts={}))
    assert seed["forest"] == StoryForest(
        (Assigned("a", story_id("a"), T0), Assigned("b", story_id("a"), T0)), ()
    )
    newcomer = tagged("new", XI_PUTIN, T0 + 60 * US, T0 + 60 * US)
    events = (
        TestStream()
        .add_elements([_at(newcomer, 70)])
        .advance_watermark_to(120)
        .advance_watermark_to_infinity()
    )
    with _streaming() as p:
        seeded = p | "Seed" >> beam.Create(list(seed.items()))
        out = p | events | GroupStoriesStream(seeded, window_s=60)
        assert_that(out["articles"], _stories_are({"new": story_id("a")}))
