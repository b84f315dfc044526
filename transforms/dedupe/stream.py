"""Deduplicate a stream: Article -> Article(version, duplicate_of, similarity) + Dropped.

Keyed state with event-time TTLs, so memory is bounded by what was seen within `horizon`: per
identity (canonical URL, else GUID) the content hashes it delivered (re-deliveries are dropped, new
content is the next version), and per MinHash LSH band the latest signatures (a near-duplicate is
marked duplicate_of the earliest match). A seed read from the existing dataset (dedupe.seed) makes
a restarted stream skip what is already written and still find the originals of its copies. On
a cluster each seed entry goes to its own key's state (dedupe.seeding), never broadcast to every
worker; the local runner takes it as a side input (DeduplicateStream._with_seed says why).

State and timer ids are unique across the pipeline: the local runner mixes up the timers of two
stateful steps fused into one stage when their timer ids are equal (measured: a decode error).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import BooleanCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import Duration, Timestamp

from transforms.core.failures import ARTICLES, FAILURES, dead_letters
from transforms.core.records import Article, Dropped
from transforms.dedupe.batch import DROPPED, STEP
from transforms.dedupe.components import BUCKET_WINDOW
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
)
from transforms.dedupe.marking import BANDS, ROWS, FingerprintFn, MarkFn
from transforms.dedupe.rules import REDELIVERY, article_identity, best_match, decide
from transforms.dedupe.seeding import hold, keep_seed, release_held, stamped
from transforms.dedupe.state import (
    BUCKET_CODER,
    KNOWN_CODER,
    WAITING_CODER,
    BandIn,
    Bucket,
    ExactIn,
    Known,
    Member,
    RowPart,
    Waiting,
)

AFTER_EXACT = "after_exact"  # DeduplicateStream's output key for what after_exact returned
DEFAULT_HORIZON_S = 7 * 86400  # feeds keep an item for days; a week covers every feed we know


def _feed_counter(source_uri: str, name: str) -> None:
    """Per-feed counters beside the poller's (namespace "feed:<url>"); files are counted overall."""
    if source_uri.startswith(("http://", "https://")):
        Metrics.counter(f"feed:{source_uri}", name).inc()
    else:
        Metrics.counter("watch", name).inc()


class _ExactFn(beam.DoFn):
    """(identity, ExactIn) -> Article with its version | Dropped; state expires `horizon` after
    the identity was last delivered (event time), which bounds memory on an endless stream. The
    seed's part for this identity arrives on the same key (dedupe.seeding) and expires at
    `seed_expiry_us` unless an article touches it first."""

    KNOWN = ReadModifyWriteStateSpec("known_row", KNOWN_CODER)
    EXPIRY = TimerSpec("known_expiry", TimeDomain.WATERMARK)
    WAITING = BagStateSpec("known_waiting", WAITING_CODER)
    READY = ReadModifyWriteStateSpec("known_ready", BooleanCoder())
    RELEASE = TimerSpec("known_release", TimeDomain.WATERMARK)

    def __init__(self, horizon_s: int, seed_expiry_us: int | None = None, keyed: bool = True):
        self._horizon = Duration(seconds=horizon_s)
        self._seed_expiry, self._keyed = seed_expiry_us, keyed
        self._redelivered = Metrics.counter(STEP, REDELIVERY)
        self._updates = Metrics.counter(STEP, "update")

    def process(
        self,
        element,
        lookup,
        ts=beam.DoFn.TimestampParam,
        state=beam.DoFn.StateParam(KNOWN),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008
        waiting=beam.DoFn.StateParam(WAITING),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
        release=beam.DoFn.TimerParam(RELEASE),  # noqa: B008
    ) -> Iterator:
        key, value = element
        if value.seeded is not None:
            keep_seed(state, expiry, value.seeded, self._seed_expiry)
            return
        if self._keyed and not ready.read():
            hold(waiting, release, Waiting(ts.micros, value.article, None, None))
            return
        # The local runner's side input; empty with keyed seeding.
        yield from self._judge(value.article, ts, state, expiry, lookup.get(f"id:{key}"))

    @on_timer(RELEASE)
    def released(
        self,
        state=beam.DoFn.StateParam(KNOWN),  # noqa: B008
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008
        waiting=beam.DoFn.StateParam(WAITING),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
    ) -> Iterator:
        for w in release_held(waiting, ready):
            at = Timestamp(micros=w.at)
            yield from stamped(self._judge(w.article, at, state, expiry), w.at)

    def _judge(self, a: Article, ts, state, expiry, seeded: Known | None = None) -> Iterator:
        """One delivery against the identity's state, or `seeded` when the state is empty."""
        try:
            known = state.read()
            decision = decide(a, known if known is not None else seeded)
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
    def expire(
        self,
        state=beam.DoFn.StateParam(KNOWN),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
    ):
        state.clear()
        ready.clear()


class _BucketFn(beam.DoFn):
    """(band, BandIn) -> (row, RowPart(match)) against the band's latest members.

    State is the last BUCKET_WINDOW members per bucket (a boilerplate bucket stays small) and
    expires `horizon` after the bucket last changed (event time); the seed's bucket arrives on
    the same key (dedupe.seeding) and expires at `seed_expiry_us` unless an article touches it."""

    MEMBERS = ReadModifyWriteStateSpec("band_members_row", BUCKET_CODER)
    EXPIRY = TimerSpec("band_expiry", TimeDomain.WATERMARK)
    WAITING = BagStateSpec("band_waiting", WAITING_CODER)
    READY = ReadModifyWriteStateSpec("band_ready", BooleanCoder())
    RELEASE = TimerSpec("band_release", TimeDomain.WATERMARK)

    def __init__(
        self,
        horizon_s: int,
        threshold: float,
        seed_expiry_us: int | None = None,
        keyed: bool = True,
    ):
        self._horizon, self._threshold = Duration(seconds=horizon_s), threshold
        self._seed_expiry, self._keyed = seed_expiry_us, keyed

    def process(
        self,
        element,
        lookup,
        ts=beam.DoFn.TimestampParam,
        state=beam.DoFn.StateParam(MEMBERS),  # noqa: B008 - Beam's DoFn parameter idiom
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008
        waiting=beam.DoFn.StateParam(WAITING),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
        release=beam.DoFn.TimerParam(RELEASE),  # noqa: B008
    ) -> Iterator:
        band, value = element
        if value.seeded is not None:
            keep_seed(state, expiry, value.seeded, self._seed_expiry)
            return
        if self._keyed and not ready.read():
            hold(waiting, release, Waiting(ts.micros, None, value.row, value.member))
            return
        # The local runner's side input; empty with keyed seeding.
        seeded = lookup.get(f"band:{band}", ())
        yield self._match(value.row, value.member, ts, state, expiry, seeded)

    @on_timer(RELEASE)
    def released(
        self,
        state=beam.DoFn.StateParam(MEMBERS),  # noqa: B008
        expiry=beam.DoFn.TimerParam(EXPIRY),  # noqa: B008
        waiting=beam.DoFn.StateParam(WAITING),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
    ) -> Iterator:
        for w in release_held(waiting, ready):
            match = self._match(w.row, w.member, Timestamp(micros=w.at), state, expiry)
            yield from stamped((match,), w.at)

    def _match(self, row: str, member: Member, ts, state, expiry, seeded=()) -> tuple:
        """The member against the bucket's state, or `seeded` members when the state is empty."""
        bucket = state.read()
        members = list(bucket.members) if bucket else list(seeded)
        match = best_match(member.article_id, member.signature, members, self._threshold)
        state.write(Bucket((members + [member])[-BUCKET_WINDOW:]))
        expiry.set(ts + self._horizon)
        return row, RowPart(None, match)

    @on_timer(EXPIRY)
    def expire(
        self,
        state=beam.DoFn.StateParam(MEMBERS),  # noqa: B008
        ready=beam.DoFn.StateParam(READY),  # noqa: B008
    ):
        state.clear()
        ready.clear()


class DeduplicateStream(beam.PTransform):
    """Articles (global window, timestamped) -> {"articles", "dropped", "failures"}.

    `after_exact`, when given, is applied to the articles the exact step keeps (new identities
    and new versions) before their MinHash: the stream's page fetcher goes there, so a page is
    fetched only for an item the dedupe has not seen, and near-duplicates are found on the
    page's text. What it returned is under "after_exact".

    `seed` is a PCollection of dedupe.seed.SeedIndex pairs (or None): identities and texts already
    written. With `keyed_seed` (the default, for Dataflow and Flink) each pair goes to its own
    key's state (dedupe.seeding), never broadcast; what no article touches expires at
    `seed_expiry_us` (the run's start plus the horizon, say). The local runner passes
    keyed_seed=False: there the seed is a side input (_with_seed says why). The
    first shuffle keeps the stateful steps out of the source's fused stage: the local runner fires
    that stage's event-time timers at each bundle's end, expiring state per tick.
    """

    def __init__(
        self,
        seed=None,
        horizon_s: int = DEFAULT_HORIZON_S,
        params: MinHashParams = DEFAULT_PARAMS,
        seed_expiry_us: int | None = None,
        keyed_seed: bool = True,
        after_exact: beam.PTransform | None = None,
    ):
        super().__init__()
        self._seed, self._horizon, self._params = seed, horizon_s, params
        self._seed_expiry, self._keyed = seed_expiry_us, keyed_seed
        self._after_exact = after_exact

    def expand(self, articles):
        seed = self._seed
        if seed is None:
            seed = articles.pipeline | "NoSeed" >> beam.Create([])
        p = self._params
        keyed = articles | "KeyByIdentity" >> beam.Map(
            lambda a: (article_identity(a), ExactIn(a, None))
        ).with_output_types(tuple[str, ExactIn])
        lookup = NO_LOOKUP if self._keyed else beam.pvalue.AsDict(seed)
        exact = self._with_seed(
            keyed, seed, _seed_identity, "Identities", ExactIn
        ) | "ExactRedeliveries" >> beam.ParDo(
            _ExactFn(self._horizon, self._seed_expiry, self._keyed), lookup
        ).with_outputs(DROPPED, FAILURES, main=ARTICLES)
        kept, between = exact[ARTICLES], None
        if self._after_exact is not None:  # e.g. the page fetcher: new items only, before MinHash
            between = kept | "AfterExact" >> self._after_exact
            kept = between[ARTICLES]
        printed = kept | "Fingerprint" >> beam.ParDo(FingerprintFn(p)).with_outputs(
            ROWS, BANDS, main=ARTICLES
        )
        bands = printed[BANDS] | "KeyByBand" >> beam.Map(
            lambda kv: (kv[0], BandIn(kv[1][0], kv[1][1], None))
        ).with_output_types(tuple[str, BandIn])
        matches = self._with_seed(
            bands, seed, _seed_bucket, "Buckets", BandIn
        ) | "MatchInBucket" >> beam.ParDo(
            _BucketFn(self._horizon, p.threshold, self._seed_expiry, self._keyed), lookup
        ).with_output_types(tuple[str, RowPart])
        marked = (
            (printed[ROWS], matches)
            | "RowParts" >> beam.Flatten()
            | "KeyByRow" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, RowPart])
            | "MarkNearDuplicates" >> beam.ParDo(MarkFn(p.bands, self._horizon))
        )
        unmarked = printed[ARTICLES]
        marked = (marked, unmarked) | "AllKept" >> beam.Flatten()
        out = {ARTICLES: marked, DROPPED: exact[DROPPED], FAILURES: exact[FAILURES]}
        if between is not None:
            out[AFTER_EXACT] = between
        return out

    def _with_seed(self, keyed, seed, entries, name: str, kind):
        """`keyed` with the seed's entries for the same keys flattened in (keyed seeding); on
        the local runner `keyed` alone, the seed going as a side input instead. The local runner
        fires a stage's event-time timers at the end of each bundle, so a seeded key could
        expire (or release its held articles) before the rest of its input came; a side input
        is whole before the stage runs, and one process holds it once. No Flatten there either:
        the local runner would hold both its inputs and the shuffle's copy (measured: twice the
        peak memory of an epoch)."""
        if not self._keyed:
            return keyed
        seeded = seed | f"Seed{name}" >> beam.FlatMap(entries).with_output_types(tuple[str, kind])
        return (keyed, seeded) | f"WithSeed{name}" >> beam.Flatten()


NO_LOOKUP: Mapping = MappingProxyType({})  # the keyed seed's steps look nothing up


def _seed_identity(pair: tuple) -> list[tuple[str, ExactIn]]:
    key, value = pair
    return [(key[len("id:") :], ExactIn(None, value))] if key.startswith("id:") else []


def _seed_bucket(pair: tuple) -> list[tuple[str, BandIn]]:
    key, value = pair
    if not key.startswith("band:"):
        return []
    return [(key[len("band:") :], BandIn(None, None, Bucket(tuple(value))))]
