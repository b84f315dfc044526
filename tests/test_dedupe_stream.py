"""Streaming dedupe and windowed sink: pure rules, then TestStream for TTL expiry, windows and late
data (event time is explicit, so these tests do not depend on the wall clock)."""

from __future__ import annotations

import glob
import os

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MIN_TIMESTAMP

from tests.conftest import make_article
from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.identity import article_id, canonical_url
from transforms.core.records import Article
from transforms.dedupe import DROPPED, DeduplicateStream
from transforms.dedupe.fingerprint import minhash_signature, signature_to_bytes
from transforms.dedupe.rules import article_identity, best_match, decide
from transforms.dedupe.seed import seed_entries
from transforms.dedupe.state import ExactIn, Known, Member
from transforms.dedupe.stream import NO_LOOKUP, _ExactFn
from transforms.write import (
    WRITTEN,
    WindowArticles,
    WindowFiles,
    WriteArticles,
    stream_file_name,
)

US = 1_000_000
HORIZON = 100  # seconds
LONG = (
    "The central bank kept interest rates unchanged on Thursday, saying inflation was easing "
    "but remained above its target, and signalled that cuts could come later in the year if "
    "wage growth slowed and energy prices stayed low through the winter months."
)


def art(
    url: str, text: str, at: float = 0.0, published: int | None = None, lang: str = "en"
) -> Article:
    return make_article(
        text,
        url=url,
        article_id=article_id(canonical_url(url), None, "feed", 0),
        source_uri="http://feed.test/rss",
        source_name="t",
        title="t",
        published=published,
        published_at_source="feed" if published else "none",
        ingested=int(at * US),
        language=lang,
    )


A, A2, B = (
    art("http://x.test/a", "alpha text"),
    art("http://x.test/a", "alpha text, updated"),
    art("http://x.test/b", "alpha text"),
)


def test_decide_redelivery_update_and_first():
    first = decide(A, None)
    assert first.article.version == 1 and first.known.hashes == (A.content_hash,)
    assert decide(A, first.known).article is None
    update = decide(A2, first.known)
    assert update.article.version == 2 and update.known.hashes == (A.content_hash, A2.content_hash)
    assert decide(A, update.known).article is None  # an old version re-served is still known


def test_seed_entries_from_dataset_rows():
    sig = signature_to_bytes(minhash_signature("alpha text"))
    rows = [
        {
            "article_id": "id1",
            "canonical_url": "http://x.test/a",
            "guid": None,
            "content_hash": "h1",
            "version": 1,
            "signature": sig,
        },
        {
            "article_id": "id1",
            "canonical_url": "http://x.test/a",
            "guid": None,
            "content_hash": "h2",
            "version": 2,
        },
        {
            "article_id": "id2",
            "canonical_url": None,
            "guid": "g",
            "content_hash": "h1",
            "version": 1,
            "duplicate_of": "id1",
            "signature": sig,
        },
    ]
    seed = dict(seed_entries(rows))
    assert seed["id:url:http://x.test/a"] == Known(("h1", "h2"), 2, "id1")
    assert seed["id:guid:g"].version == 1
    bands = [k for k in seed if k.startswith("band:")]
    assert len(bands) == 32  # one bucket per band, holding the original only
    assert all([m.article_id for m in seed[k]] == ["id1"] for k in bands)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("alpha text", ("id0", 1.0)),  # same words
        (LONG + " One sentence more at the end.", ("id0", None)),  # near-duplicate
        ("completely different words about football results today", None),
    ],
)
def test_best_match(text, expected):
    original = Member("id0", 0, 1, signature_to_bytes(minhash_signature(LONG)))
    same = Member("id1", 5, 1, signature_to_bytes(minhash_signature("alpha text")))
    same_url = Member("new", 1, 1, signature_to_bytes(minhash_signature(text)))
    members = (original, same, same_url)
    match = best_match("new", signature_to_bytes(minhash_signature(text)), members, 0.5)
    if expected is None:
        assert match is None
    elif text == "alpha text":
        assert (match.article_id, match.similarity) == ("id1", 1.0)
    else:
        assert match.article_id == "id0" and 0.5 <= match.similarity < 1.0


def _streaming():
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return beam.Pipeline(options=options)


def _ts(a: Article, t: float):
    return TimestampedValue(a, t)


def _end(events: TestStream, last: float) -> TestStream:
    """A stream's end as a source's watermark makes it: just past the last element (a real
    source's watermark follows its data), then infinity. Held elements (dedupe.seeding) are
    released as the watermark moves; Python's BundleBasedDirectRunner never fires a timer set
    once the watermark is at infinity already (known upstream: apache/beam#18670, and the note
    in apache/beam#8271), where FnApiRunner, Dataflow and Flink do."""
    return events.advance_watermark_to(last + 1).advance_watermark_to_infinity()


def test_ttl_expiry_redelivery_and_update_under_test_stream():
    events = (
        TestStream()
        .advance_watermark_to(0)
        .add_elements([_ts(A, 10)])
        .add_elements([_ts(A, 20)])  # a re-delivery: dropped
        .add_elements([_ts(A2, 30)])  # an update: version 2
        .add_elements([_ts(B, 40)])  # same text, other URL: duplicate_of A
        .advance_watermark_to(30 + HORIZON - 1)
        .add_elements([_ts(A, 30 + HORIZON - 1)])  # still within the horizon: dropped
        .advance_watermark_to(30 + 2 * HORIZON + 10)  # A's state expired
        .add_elements([_ts(A, 30 + 2 * HORIZON + 20)])  # forgotten: written again
    )
    events = _end(events, 30 + 2 * HORIZON + 20)
    with _streaming() as p:
        out = p | events | DeduplicateStream(None, HORIZON)
        rows = out[ARTICLES] | beam.Map(lambda a: (a.canonical_url, a.version, a.duplicate_of))
        expected = [
            ("http://x.test/a", 1, None),
            ("http://x.test/a", 2, None),
            ("http://x.test/b", 1, A.article_id),
            ("http://x.test/a", 1, None),
        ]
        assert_that(rows, equal_to(expected), label="Articles")
        dropped = out[DROPPED] | beam.Map(lambda d: (d.reason, d.article_id))
        assert_that(dropped, equal_to([("exact_redelivery", A.article_id)] * 2), label="Dropped")


@pytest.mark.parametrize("keyed_seed", [True, False], ids=["keyed", "side-input"])
def test_seed_makes_a_restart_skip_what_is_written(keyed_seed):
    seed_rows = [
        {
            "article_id": A.article_id,
            "canonical_url": A.canonical_url,
            "guid": None,
            "content_hash": A.content_hash,
            "version": 3,
        }
    ]
    events = _end(TestStream().add_elements([_ts(A, 10), _ts(A2, 11)]), 11)
    with _streaming() as p:
        seed = p | "Seed" >> beam.Create(list(seed_entries(seed_rows)))
        out = p | events | DeduplicateStream(seed, HORIZON, keyed_seed=keyed_seed)
        assert_that(out[ARTICLES] | beam.Map(lambda a: a.version), equal_to([4]), label="Update")
        assert_that(
            out[DROPPED] | beam.Map(lambda d: d.reason), equal_to(["exact_redelivery"]), label="D"
        )


def _files(out: str) -> list[str]:
    return sorted(
        os.path.relpath(p, f"{out}/articles") for p in glob.glob(f"{out}/articles/*/*/*.parquet")
    )


def test_windows_and_late_data_are_written_never_dropped(tmp_path):
    out = str(tmp_path)
    old = art("http://x.test/old", "an article from 2001", published=978_307_200 * US)  # 2001-01-01
    events = (
        TestStream()
        .advance_watermark_to(0)
        .add_elements([_ts(art("http://x.test/1", "one"), 5), _ts(old, 6)])
        .add_elements([_ts(art("http://x.test/2", "two"), 65)])
        .advance_watermark_to(300)  # both windows closed and written on time
        .add_elements([_ts(art("http://x.test/3", "three"), 10)])  # late for window 0
        .advance_watermark_to_infinity()
    )
    with _streaming() as p:
        written = p | events | WindowArticles(60) | WriteArticles(out, WindowFiles("run1"))
        assert_that(written[WRITTEN] | beam.Map(lambda w: w.rows), equal_to([1, 1, 1, 1]))
    assert _files(out) == [
        f"date=1970-01-01/lang=en/{stream_file_name(0, 0, 0, 'run1')}",
        f"date=1970-01-01/lang=en/{stream_file_name(0, 1, 0, 'run1')}",  # the late pane: a new file
        f"date=1970-01-01/lang=en/{stream_file_name(60, 0, 0, 'run1')}",
        f"date=2001-01-01/lang=en/{stream_file_name(0, 0, 0, 'run1')}",  # old, on time
    ]
    table = pq.read_table(
        f"{out}/articles/date=2001-01-01/lang=en/{stream_file_name(0, 0, 0, 'run1')}"
    )
    assert table.column("canonical_url").to_pylist() == ["http://x.test/old"]


@pytest.mark.parametrize(
    "start, pane, shard, run, name",
    [
        (0, 0, 0, "r", "stream-19700101T000000Z-000-0000-r.parquet"),
        (1_795_300_000, 2, 3, "ab", "stream-20261121T222640Z-002-0003-ab.parquet"),
    ],
)
def test_stream_file_names_are_deterministic(start, pane, shard, run, name):
    assert stream_file_name(start, pane, shard, run) == name


@pytest.mark.parametrize("keyed_seed", [True, False], ids=["keyed", "side-input"])
def test_near_duplicates_marked_against_stream_and_seed(keyed_seed):
    original, variant = art("http://x.test/c", LONG), art("http://y.test/c", LONG + " Reuters.")
    other = art("http://z.test/c", "Football results: the home side won three to one.")
    seeded = art(
        "http://w.test/seeded", "Parliament passed the budget after a long night of votes."
    )
    seed_rows = [
        {
            "article_id": seeded.article_id,
            "canonical_url": seeded.canonical_url,
            "guid": None,
            "content_hash": seeded.content_hash,
            "version": 1,
            "ingested_at": 1,
            "signature": signature_to_bytes(minhash_signature(seeded.text)),
        }
    ]
    copy = art("http://v.test/copy", seeded.text + " (AP)")
    events = (
        TestStream()
        .add_elements([_ts(original, 10)])
        .add_elements([_ts(variant, 20), _ts(other, 21), _ts(copy, 22)])
    )
    events = _end(events, 22)
    with _streaming() as p:
        seed = p | "Seed" >> beam.Create(list(seed_entries(seed_rows)))
        out = p | events | DeduplicateStream(seed, HORIZON, keyed_seed=keyed_seed)
        rows = out[ARTICLES] | beam.Map(lambda a: (a.canonical_url, a.duplicate_of))
        expected = [
            ("http://x.test/c", None),
            ("http://y.test/c", original.article_id),
            ("http://z.test/c", None),
            ("http://v.test/copy", seeded.article_id),
        ]
        assert_that(rows, equal_to(expected))


def test_an_article_ahead_of_its_seed_waits_for_it():
    # Beam does not order a key's elements: here the article reaches its key before the seed
    # that says it is written already. It waits for the watermark to pass the seed, then is
    # dropped as a re-delivery, not written twice.
    seeded = dict(seed_entries([{**_row(A), "version": 1}]))[f"id:{article_identity(A)}"]
    key = article_identity(A)
    events = (
        TestStream()
        .add_elements([TimestampedValue((key, ExactIn(A, None)), 10)])
        .add_elements([TimestampedValue((key, ExactIn(None, seeded)), MIN_TIMESTAMP)])
        .advance_watermark_to(11)
        .advance_watermark_to_infinity()
    )
    with _streaming() as p:
        out = (
            p
            | events
            | beam.ParDo(_ExactFn(HORIZON), NO_LOOKUP).with_outputs(
                DROPPED, FAILURES, main=ARTICLES
            )
        )
        assert_that(out[ARTICLES], equal_to([]), label="NothingWritten")
        dropped = out[DROPPED] | beam.Map(lambda d: d.reason)
        assert_that(dropped, equal_to(["exact_redelivery"]), label="Redelivered")


def test_the_seed_is_keyed_state_not_a_broadcast():
    # By default (Dataflow, Flink) no step of the streaming dedupe takes a side input: each seed
    # entry goes to its own key.
    with _streaming() as p:
        seed = p | "Seed" >> beam.Create([])
        articles = p | TestStream().advance_watermark_to_infinity()
        _ = articles | DeduplicateStream(seed, HORIZON)
        proto = p.to_runner_api()
    with_side_inputs = [
        t.unique_name
        for t in proto.components.transforms.values()
        if t.spec.urn == common_urns.primitives.PAR_DO.urn
        and beam_runner_api_pb2.ParDoPayload.FromString(t.spec.payload).side_inputs
    ]
    assert with_side_inputs == []


def _row(a: Article) -> dict:
    return {
        "article_id": a.article_id,
        "canonical_url": a.canonical_url,
        "guid": None,
        "content_hash": a.content_hash,
        "version": a.version or 1,
    }
