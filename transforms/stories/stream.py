"""Group a stream into stories: Article -> Article(story_id), in keyed state with a TTL.

Two stateful steps. Per blocking bucket (a pair of top entities and a time slot, stories.rules),
the latest members: a newcomer is compared with them as batch compares a bucket, and the ids it
links to go on. One resolver then gathers a window's articles and links and, when the watermark
passes the window's end, names their stories (stories.forest): within the window exactly as batch
does, across windows by keeping the earlier story — so a copy syndicated an hour later joins its
original's story. The resolver holds one window's articles plus a map of the articles of
multi-article stories, on one key: a story needs a global view, and its state is small (ids only).
Both expire HORIZON after they were last touched (event time). A seed read from the written dataset
(stories.seed) carries the state across the local runner's epochs and across restarts.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import BooleanCoder, VarIntCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import Duration, Timestamp

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article
from transforms.dedupe import BUCKET_WINDOW, hasher_for
from transforms.stories.batch import STEP
from transforms.stories.forest import Forest
from transforms.stories.rules import (
    HORIZON_US,
    NEEDS_TEXT,
    SAME,
    TEXT_PARAMS,
    blocking_keys,
    bucket_name,
    is_undated_bucket,
    pair_link,
    profile_of,
    shares_passages,
    text_signature,
)
from transforms.stories.state import (
    BUCKET_CODER,
    FOREST_CODER,
    PART_CODER,
    StoryBucket,
    StoryMember,
    StoryPart,
    member_of,
)

_PROBES, _ARTICLE_PARTS = "probes", "article_parts"
_RESOLVER = ""  # the one key of the resolver


def flush_time_us(at_us: int, window_s: int) -> int:
    """When the window of `window_s` that holds `at_us` is resolved: its last millisecond (timers
    keep millisecond precision on portable runners, and the time must stay inside the window)."""
    size = window_s * 1_000_000
    return at_us - at_us % size + size - 1000


def links_to(key: str, newcomer: StoryMember, members: list[StoryMember]) -> list[str]:
    """Ids of the bucket's members that tell the newcomer's story, as batch's bucket_links
    decides a pair (bucket_key tuple shape only matters for its last, time-slot part)."""
    slot = (int(key.rsplit("|", 1)[-1]),)
    mine, linked = newcomer.profile(), []
    for m in members:
        link = pair_link(slot, m.profile(), mine)
        if link == SAME or (
            link == NEEDS_TEXT
            and m.text
            and newcomer.text
            and shares_passages(m.text, newcomer.text)
        ):
            linked.append(m.article_id)
    return linked


class ProfileFn(beam.DoFn):
    """Article -> (StoryProfile, text signature, Article): the stream compares every article's
    text as it arrives (the batch shell computes the few signatures it checks)."""

    def setup(self) -> None:
        hasher_for(TEXT_PARAMS)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        try:
            yield profile_of(a), text_signature(a.text), a
        except Exception as exc:  # noqa: BLE001 - an article we cannot profile is a dead letter
            yield from dead_letters(STEP, (a,), exc)


class _SplitFn(beam.DoFn):
    """(profile, text signature, Article) -> one probe per blocking bucket, and the article part
    for the resolver. Text signatures travel only to the undated buckets, the only place they are
    compared."""

    def process(self, profiled: tuple, ts=beam.DoFn.TimestampParam) -> Iterator:
        profile, text, article = profiled
        for key in blocking_keys(profile):
            name = bucket_name(key)
            probe = member_of(profile, text if is_undated_bucket(name) else None)
            yield pvalue.TaggedOutput(_PROBES, (name, probe))
        part = StoryPart(article, article.article_id, (), ts.micros)
        yield pvalue.TaggedOutput(_ARTICLE_PARTS, (_RESOLVER, part))


class _BucketFn(beam.DoFn):
    """(bucket, StoryMember) -> (resolver key, StoryPart of links) against the bucket's latest
    members. State: the last BUCKET_WINDOW members, cleared HORIZON after the bucket last changed."""

    MEMBERS = ReadModifyWriteStateSpec("story_members", BUCKET_CODER)
    EXPIRY = TimerSpec("story_bucket_expiry", TimeDomain.WATERMARK)

    def __init__(self, horizon_s: int):
        self._horizon = Duration(seconds=horizon_s)

    def process(
        self,
        element,
        seed,
        ts=beam.DoFn.TimestampParam,
        state=beam.DoFn.StateParam(MEMBERS),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008 - Beam's DoFn parameter idiom
    ) -> Iterator:
        key, newcomer = element
        bucket = state.read()
        members = list(bucket.members) if bucket else list(seed.get(f"bucket:{key}", ()))
        linked = links_to(key, newcomer, members)
        state.write(StoryBucket((members + [newcomer])[-BUCKET_WINDOW:]))
        expiry.set(ts + self._horizon)
        if linked:
            yield _RESOLVER, StoryPart(None, newcomer.article_id, tuple(linked), ts.micros)

    @on_timer(EXPIRY)
    def expire(self, state=beam.DoFn.StateParam(MEMBERS)):  # noqa: B008
        state.clear()


class _ResolveFn(beam.DoFn):
    """("", StoryPart) -> Article(story_id), once per window when the watermark passes its end.

    Parts wait in a bag until their window is complete; the forest (stories.forest) is read and
    written once per window, and what it holds expires HORIZON after it was last touched."""

    PARTS = BagStateSpec("story_parts", PART_CODER)
    FOREST = ReadModifyWriteStateSpec("story_forest", FOREST_CODER)
    SEEDED = ReadModifyWriteStateSpec("story_seeded", BooleanCoder())
    NEXT = ReadModifyWriteStateSpec("story_next_flush", VarIntCoder())  # µs
    FLUSH = TimerSpec("story_flush", TimeDomain.WATERMARK)

    def __init__(self, window_s: int, horizon_s: int):
        self._window_s, self._horizon_us = window_s, horizon_s * 1_000_000

    def process(
        self,
        element,
        seed,
        parts=beam.DoFn.StateParam(PARTS),  # noqa: B008 - Beam's DoFn parameter idiom
        forest=beam.DoFn.StateParam(FOREST),  # noqa: B008
        seeded=beam.DoFn.StateParam(SEEDED),  # noqa: B008
        next_flush=beam.DoFn.StateParam(NEXT),  # noqa: B008
        flush=beam.DoFn.TimerParam(FLUSH),  # noqa: B008
    ) -> Iterator:
        _, part = element
        if not seeded.read():  # side inputs are not readable in timer callbacks: seed here
            forest.write(seed.get("forest") or Forest().state())
            seeded.write(True)
        parts.add(part)
        due = flush_time_us(part.at, self._window_s)
        pending = next_flush.read()
        if pending is None or due < pending:
            flush.set(Timestamp(micros=due))
            next_flush.write(due)

    @on_timer(FLUSH)
    def on_flush(
        self,
        fired=beam.DoFn.TimestampParam,
        parts=beam.DoFn.StateParam(PARTS),  # noqa: B008
        forest=beam.DoFn.StateParam(FOREST),  # noqa: B008
        next_flush=beam.DoFn.StateParam(NEXT),  # noqa: B008
        flush=beam.DoFn.TimerParam(FLUSH),  # noqa: B008
    ) -> Iterator:
        now = fired.micros
        collected = list(parts.read())
        due = [p for p in collected if flush_time_us(p.at, self._window_s) <= now]
        later = [p for p in collected if flush_time_us(p.at, self._window_s) > now]
        parts.clear()
        next_flush.clear()
        for p in later:
            parts.add(p)
        if later:
            following = min(flush_time_us(p.at, self._window_s) for p in later)
            flush.set(Timestamp(micros=following))
            next_flush.write(following)
        articles = [p.article for p in due if p.article is not None]
        links = [(p.article_id, other) for p in due for other in p.links]
        view = Forest(forest.read())
        try:
            stories = view.assign(articles, links, now)
        except Exception as exc:  # noqa: BLE001 - the window's articles become dead letters
            yield from dead_letters(STEP, articles, exc)
            return
        view.prune(now - self._horizon_us)
        forest.write(view.state())
        for a in articles:
            yield a._replace(story_id=stories[a.article_id])


class GroupStoriesStream(beam.PTransform):
    """Articles (global window, timestamped) -> {"articles", "failures"}, story_id set.

    `seed` is a PCollection of stories.seed.StoryIndex pairs (or None). Articles leave the
    resolver at the end of their `window_s` window of event time, timestamped with its last µs,
    so a FixedWindows of the same size downstream puts each in the window it came in."""

    def __init__(self, seed=None, window_s: int = 60, horizon_s: int = HORIZON_US // 1_000_000):
        super().__init__()
        self._seed, self._window_s, self._horizon_s = seed, window_s, horizon_s

    def expand(self, articles):
        seed = self._seed
        if seed is None:
            seed = articles.pipeline | "NoSeed" >> beam.Create([])
        seed_view = beam.pvalue.AsDict(seed)
        profiled = articles | "Profile" >> beam.ParDo(ProfileFn()).with_outputs(
            FAILURES, main="profiled"
        )
        split = profiled["profiled"] | "Split" >> beam.ParDo(_SplitFn()).with_outputs(
            _PROBES, _ARTICLE_PARTS
        )
        links = (
            split[_PROBES]
            | "KeyByBucket" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, StoryMember])
            | "LinkInBucket"
            >> beam.ParDo(_BucketFn(self._horizon_s), seed_view).with_output_types(
                tuple[str, StoryPart]
            )
        )
        stories = (
            (split[_ARTICLE_PARTS], links)
            | "StoryParts" >> beam.Flatten()
            | "KeyByResolver" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, StoryPart])
            | "Resolve"
            >> beam.ParDo(_ResolveFn(self._window_s, self._horizon_s), seed_view).with_outputs(
                FAILURES, main=ARTICLES
            )
        )
        failures = (profiled[FAILURES], stories[FAILURES]) | "AllFailures" >> beam.Flatten()
        return {ARTICLES: stories[ARTICLES], FAILURES: failures}
