"""Deduplicate a stream: Article -> Article(version, duplicate_of, similarity) + Dropped.

Keyed state with event-time TTLs, so memory is bounded by what was seen within `horizon`: per
identity (canonical URL, else GUID) the content hashes it delivered (re-deliveries are dropped, new
content is the next version), and per MinHash LSH band the latest signatures (a near-duplicate is
marked duplicate_of the earliest match). A seed read from the existing dataset (dedupe.seed) makes
a restarted stream skip what is already written and still find the originals of its copies.

State and timer ids are unique across the pipeline: the local runner mixes up the timers of two
stateful steps fused into one stage when their timer ids are equal (measured: a decode error).
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import Duration

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article, Dropped
from transforms.dedupe.batch import DROPPED, STEP
from transforms.dedupe.components import BUCKET_WINDOW
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    signature_to_bytes,
)
from transforms.dedupe.rules import REDELIVERY, article_identity, best_match, decide, member_of
from transforms.dedupe.state import BUCKET_CODER, KNOWN_CODER, ROW_PART_CODER, Bucket, RowPart

DEFAULT_HORIZON_S = 7 * 86400  # feeds keep an item for days; a week covers every feed we know
_ROWS, _BANDS = "rows", "bands"


def _feed_counter(source_uri: str, name: str) -> None:
    """Per-feed counters beside the poller's (namespace "feed:<url>"); files are counted overall."""
    if source_uri.startswith(("http://", "https://")):
        Metrics.counter(f"feed:{source_uri}", name).inc()
    else:
        Metrics.counter("watch", name).inc()


class _ExactFn(beam.DoFn):
    """(identity, Article) -> Article with its version | Dropped; state expires `horizon` after
    the identity was last delivered (event time), which bounds memory on an endless stream."""

    KNOWN = ReadModifyWriteStateSpec("known_row", KNOWN_CODER)
    EXPIRY = TimerSpec("known_expiry", TimeDomain.WATERMARK)

    def __init__(self, horizon_s: int):
        self._horizon = Duration(seconds=horizon_s)
        self._redelivered = Metrics.counter(STEP, REDELIVERY)
        self._updates = Metrics.counter(STEP, "update")

    def process(
        self,
        element,
        seed,
        ts=beam.DoFn.TimestampParam,
        state=beam.DoFn.StateParam(KNOWN),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008 - Beam's DoFn parameter idiom
    ) -> Iterator:
        key, a = element
        try:
            known = state.read()
            if known is None:
                known = seed.get(f"id:{key}")
            decision = decide(a, known)
        except Exception as exc:  # noqa: BLE001 - a record we cannot judge is a dead letter
            yield from dead_letters(STEP, (a,), exc)
            return
        state.write(decision.known)
        expiry.set(ts + self._horizon)
        if decision.article is None:
            self._redelivered.inc()
            _feed_counter(a.source_uri, "redeliveries")
            yield pvalue.TaggedOutput(DROPPED, Dropped(REDELIVERY, a.article_id, a.source_uri))
            return
        if decision.article.version > 1:
            self._updates.inc()
        _feed_counter(a.source_uri, "new_items")
        yield decision.article

    @on_timer(EXPIRY)
    def expire(self, state=beam.DoFn.StateParam(KNOWN)):  # noqa: B008
        state.clear()


class _FingerprintFn(beam.DoFn):
    """Article -> (row, RowPart(article)) for the join, (band, (row, Member)) per LSH band; an
    article without words has no signature and no near-duplicates: it goes on at once."""

    def __init__(self, params: MinHashParams):
        self._params = params

    def setup(self) -> None:
        self._hasher = hasher_for(self._params)  # permutations built once per worker

    def process(self, a: Article) -> Iterator:
        hashes = self._hasher.shingle_hashes(a.text or "")
        if not len(hashes):
            yield a._replace(duplicate_of=None, similarity=None)
            return
        signature = self._hasher.signature_of(hashes)
        row = f"{a.article_id}:{a.version}"
        yield pvalue.TaggedOutput(_ROWS, (row, RowPart(a, None)))
        member = member_of(a, signature_to_bytes(signature))
        for band in band_keys(signature, self._params.bands):
            yield pvalue.TaggedOutput(_BANDS, (band.hex(), (row, member)))


class _BucketFn(beam.DoFn):
    """(band, (row, Member)) -> (row, RowPart(match)) against the band's latest members.

    State is the last BUCKET_WINDOW members per bucket (a boilerplate bucket stays small) and
    expires `horizon` after the bucket last changed (event time)."""

    MEMBERS = ReadModifyWriteStateSpec("band_members_row", BUCKET_CODER)
    EXPIRY = TimerSpec("band_expiry", TimeDomain.WATERMARK)

    def __init__(self, horizon_s: int, threshold: float):
        self._horizon, self._threshold = Duration(seconds=horizon_s), threshold

    def process(
        self,
        element,
        seed,
        ts=beam.DoFn.TimestampParam,
        state=beam.DoFn.StateParam(MEMBERS),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008 - Beam's DoFn parameter idiom
    ) -> Iterator:
        band, (row, member) = element
        bucket = state.read()
        members = list(bucket.members) if bucket else list(seed.get(f"band:{band}", ()))
        match = best_match(member.article_id, member.signature, members, self._threshold)
        state.write(Bucket((members + [member])[-BUCKET_WINDOW:]))
        expiry.set(ts + self._horizon)
        yield row, RowPart(None, match)

    @on_timer(EXPIRY)
    def expire(self, state=beam.DoFn.StateParam(MEMBERS)):  # noqa: B008
        state.clear()


class _MarkFn(beam.DoFn):
    """(row, RowPart) -> the Article once its own part and all band answers are in, duplicate_of
    the earliest match. Parts of one row arrive within one bundle chain; the TTL only cleans up."""

    PARTS = BagStateSpec("row_parts_row", ROW_PART_CODER)
    EXPIRY = TimerSpec("row_parts_expiry", TimeDomain.WATERMARK)

    def __init__(self, bands: int, horizon_s: int):
        self._expected, self._horizon = bands + 1, Duration(seconds=horizon_s)

    def process(
        self,
        element,
        ts=beam.DoFn.TimestampParam,
        parts=beam.DoFn.StateParam(PARTS),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008 - Beam's DoFn parameter idiom
    ) -> Iterator:
        _, part = element
        parts.add(part)
        collected = list(parts.read())
        if len(collected) < self._expected:
            expiry.set(ts + self._horizon)
            return
        parts.clear()
        expiry.clear()
        article = next(p.article for p in collected if p.article is not None)
        matches = [p.match for p in collected if p.match is not None]
        best = min(matches, key=lambda m: m.node, default=None)
        if best is None:
            yield article._replace(duplicate_of=None, similarity=None)
        else:
            Metrics.counter(STEP, "near_duplicate").inc()
            yield article._replace(duplicate_of=best.article_id, similarity=best.similarity)

    @on_timer(EXPIRY)
    def expire(self, parts=beam.DoFn.StateParam(PARTS)):  # noqa: B008
        parts.clear()


class DeduplicateStream(beam.PTransform):
    """Articles (global window, timestamped) -> {"articles", "dropped", "failures"}.

    `seed` is a PCollection of dedupe.seed.SeedIndex pairs (or None): identities and texts already
    written. The first shuffle keeps the stateful steps out of the source's fused stage: the local
    runner fires that stage's event-time timers at each bundle's end, expiring state per tick.
    """

    def __init__(
        self, seed=None, horizon_s: int = DEFAULT_HORIZON_S, params: MinHashParams = DEFAULT_PARAMS
    ):
        super().__init__()
        self._seed, self._horizon, self._params = seed, horizon_s, params

    def expand(self, articles):
        seed = self._seed
        if seed is None:
            seed = articles.pipeline | "NoSeed" >> beam.Create([])
        seed_view = beam.pvalue.AsDict(seed)
        p = self._params
        exact = (
            articles
            | "KeyByIdentity"
            >> beam.Map(lambda a: (article_identity(a), a)).with_output_types(tuple[str, Article])
            | "ExactRedeliveries"
            >> beam.ParDo(_ExactFn(self._horizon), seed_view).with_outputs(
                DROPPED, FAILURES, main=ARTICLES
            )
        )
        printed = exact[ARTICLES] | "Fingerprint" >> beam.ParDo(_FingerprintFn(p)).with_outputs(
            _ROWS, _BANDS, main=ARTICLES
        )
        matches = (
            printed[_BANDS]
            | "KeyByBand" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, tuple])
            | "MatchInBucket"
            >> beam.ParDo(_BucketFn(self._horizon, p.threshold), seed_view).with_output_types(
                tuple[str, RowPart]
            )
        )
        marked = (
            (printed[_ROWS], matches)
            | "RowParts" >> beam.Flatten()
            | "KeyByRow" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, RowPart])
            | "MarkNearDuplicates" >> beam.ParDo(_MarkFn(p.bands, self._horizon))
        )
        unmarked = printed[ARTICLES]
        marked = (marked, unmarked) | "AllKept" >> beam.Flatten()
        return {ARTICLES: marked, DROPPED: exact[DROPPED], FAILURES: exact[FAILURES]}
