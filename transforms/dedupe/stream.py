"""Streaming dedupe: Article -> Article(version, duplicate_of, similarity) + Dropped re-deliveries.

Keyed state with event-time TTLs, so memory is bounded by what was seen within `horizon`: per
identity (canonical URL, else GUID) the content hashes it delivered (re-deliveries are dropped, new
content is the next version), and per MinHash LSH band the latest signatures (a near-duplicate is
marked duplicate_of the earliest match). A seed read from the existing dataset makes a restarted
stream skip what is already written and still find the originals of its near-duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import Duration

from transforms.core.failures import ARTICLES, FAILURES, article_payload, make_failure
from transforms.core.identity import content_hash
from transforms.core.records import Article, Dropped
from transforms.core.times import to_us
from transforms.dedupe.batch import BUCKET_WINDOW, DROPPED, REDELIVERY, identity_key, node_of
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)

STEP = "dedupe"
DEFAULT_HORIZON_S = 7 * 86400  # feeds keep an item for days; a week covers every feed we know
MAX_HASHES = 32  # versions remembered per identity: a page edited more often is re-versioned
_ROWS, _BANDS = "rows", "bands"


class Known(NamedTuple):
    """What the dedupe remembers of one identity."""

    hashes: tuple  # content hashes delivered, newest last, at most MAX_HASHES
    version: int  # highest version written
    article_id: str


class Decision(NamedTuple):
    article: Article | None  # None: a re-delivery, dropped
    known: Known


def decide(a: Article, known: Known | None) -> Decision:
    """Pure rule for one delivery: a known hash is a re-delivery, a new hash a new version."""
    h = a.content_hash or content_hash(a.text)
    if known is not None and h in known.hashes:
        return Decision(None, known)
    version = known.version + 1 if known is not None else 1
    hashes = ((known.hashes if known else ()) + (h,))[-MAX_HASHES:]
    return Decision(a._replace(version=version), Known(hashes, version, a.article_id))


class Member(NamedTuple):
    """One article in an LSH bucket: what a newcomer is compared with."""

    article_id: str
    node: tuple  # dedupe.node_of: (published else ingested µs, article_id, version)
    signature: bytes


class Match(NamedTuple):
    article_id: str
    node: tuple
    similarity: float


def best_match(article_id: str, signature: bytes, members: Iterable[Member], threshold: float):
    """The earliest member at or above the Jaccard threshold, other versions of the URL aside."""
    mine, best = signature_from_bytes(signature), None
    for m in members:
        if m.article_id == article_id:
            continue
        similarity = jaccard_estimate(mine, signature_from_bytes(m.signature))
        if similarity >= threshold and (best is None or m.node < best.node):
            best = Match(m.article_id, m.node, round(similarity, 4))
    return best


def seed_entries(rows: Iterable[dict], bands: int = DEFAULT_PARAMS.bands) -> Iterator[tuple]:
    """Dataset rows -> ("id:"+identity, Known) and ("band:"+hex key, tuple of Members).

    A row's "signature" (MinHash bytes, optional) puts originals (rows without duplicate_of) into
    their LSH buckets, at most BUCKET_WINDOW per bucket, the latest kept.
    """
    known: dict[str, Known] = {}
    buckets: dict[bytes, list] = {}
    for r in sorted(rows, key=lambda r: r.get("ingested_at") or 0):
        key = identity_key_of(r.get("canonical_url"), r.get("guid"), r["article_id"])
        k = known.get(key, Known((), 0, r["article_id"]))
        hashes = k.hashes if r["content_hash"] in k.hashes else (k.hashes + (r["content_hash"],))
        version = max(k.version, int(r["version"] or 1))
        known[key] = Known(hashes[-MAX_HASHES:], version, k.article_id)
        if r.get("signature") and not r.get("duplicate_of"):
            node = (r.get("published_at") or r.get("ingested_at") or 0, r["article_id"], version)
            member = Member(r["article_id"], node, r["signature"])
            for band in band_keys(signature_from_bytes(r["signature"]), bands):
                buckets.setdefault(band, []).append(member)
    for key, k in known.items():
        yield f"id:{key}", k
    for band, members in buckets.items():
        yield f"band:{band.hex()}", tuple(members[-BUCKET_WINDOW:])


def identity_key_of(canonical: str | None, guid: str | None, article_id: str) -> str:
    return identity_key(
        Article(
            article_id, None, canonical, "", None, None, "", None, (), None, "none", 0, guid=guid
        )
    )


_SIGNATURES: dict[str, bytes] = {}  # content_hash -> MinHash: a pure function's memo per process


def read_seed_rows(
    output: str, since_us: int, params: MinHashParams = DEFAULT_PARAMS
) -> Iterator[dict]:
    """Rows of OUT/articles ingested since `since_us`, with the columns the dedupe needs and the
    MinHash signature of originals (texts are read and hashed once per process)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    root = f"{output.rstrip('/')}/articles"
    try:
        dataset = ds.dataset(
            root, format="parquet", partitioning="hive", exclude_invalid_files=True
        )
    except (FileNotFoundError, OSError):
        return
    since = ds.field("ingested_at") >= ds.scalar(pa.scalar(since_us, pa.timestamp("us", tz="UTC")))
    columns = ["article_id", "canonical_url", "guid", "content_hash", "version", "duplicate_of"]
    rows = dataset.to_table(
        columns=columns + ["ingested_at", "published_at"], filter=since
    ).to_pylist()
    missing = {r["content_hash"] for r in rows if not r["duplicate_of"]} - _SIGNATURES.keys()
    if missing:
        texts = dataset.to_table(
            columns=["content_hash", "text"],
            filter=since & ds.field("content_hash").isin(sorted(missing)),
        )
        hasher = hasher_for(params)
        for h, text in zip(
            texts.column("content_hash").to_pylist(), texts.column("text").to_pylist(), strict=False
        ):
            hashes = hasher.shingle_hashes(text or "")
            _SIGNATURES[h] = signature_to_bytes(hasher.signature_of(hashes)) if len(hashes) else b""
    current = {r["content_hash"] for r in rows}
    for h in [h for h in _SIGNATURES if h not in current]:
        del _SIGNATURES[h]  # past the horizon: the memo stays as small as the seed
    for row in rows:
        for column in ("ingested_at", "published_at"):
            if row[column] is not None:
                row[column] = to_us(row[column])
        row["signature"] = _SIGNATURES.get(row["content_hash"], b"")
        yield row


def _feed_counter(source_uri: str, name: str) -> None:
    """Per-feed counters beside the poller's (namespace "feed:<url>"); files are counted overall."""
    if source_uri.startswith(("http://", "https://")):
        Metrics.counter(f"feed:{source_uri}", name).inc()
    else:
        Metrics.counter("watch", name).inc()


class _ExactFn(beam.DoFn):
    """(identity, Article) -> Article with its version | Dropped; state expires `horizon` after
    the identity was last delivered (event time), which bounds memory on an endless stream."""

    KNOWN = ReadModifyWriteStateSpec("known", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

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
            yield pvalue.TaggedOutput(
                FAILURES, make_failure(STEP, a.source_uri, exc, article_payload(a))
            )
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
    """Article -> (row, Article) for the join, (band, (row, Member)) per LSH band; an article
    without words has no signature and no near-duplicates: it goes on at once."""

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
        yield pvalue.TaggedOutput(_ROWS, (row, ("article", a)))
        member = Member(a.article_id, node_of(a), signature_to_bytes(signature))
        for band in band_keys(signature, self._params.bands):
            yield pvalue.TaggedOutput(_BANDS, (band.hex(), (row, member)))


class _BucketFn(beam.DoFn):
    """(band, (row, Member)) -> (row, ("match", Match | None)) against the band's latest members.

    State is the last BUCKET_WINDOW members per bucket (a boilerplate bucket stays small) and
    expires `horizon` after the bucket last changed (event time)."""

    MEMBERS = ReadModifyWriteStateSpec("members", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

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
        members = state.read()
        if members is None:
            members = seed.get(f"band:{band}", ())
        match = best_match(member.article_id, member.signature, members, self._threshold)
        state.write((tuple(members) + (member,))[-BUCKET_WINDOW:])
        expiry.set(ts + self._horizon)
        yield row, ("match", match)

    @on_timer(EXPIRY)
    def expire(self, state=beam.DoFn.StateParam(MEMBERS)):  # noqa: B008
        state.clear()


class _MarkFn(beam.DoFn):
    """(row, part) -> the Article once its own part and all band matches are in, duplicate_of
    the earliest match. Parts of one row arrive within one bundle chain; the TTL only cleans up."""

    PARTS = BagStateSpec("parts", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

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
        article = next(value for kind, value in collected if kind == "article")
        matches = [value for kind, value in collected if kind == "match" and value is not None]
        best = min(matches, key=lambda m: m.node, default=None)
        if best is None:
            yield article._replace(duplicate_of=None, similarity=None)
        else:
            Metrics.counter(STEP, "near_duplicate").inc()
            yield article._replace(duplicate_of=best.article_id, similarity=best.similarity)

    @on_timer(EXPIRY)
    def expire(self, parts=beam.DoFn.StateParam(PARTS)):  # noqa: B008
        parts.clear()


class SeedIndex(beam.PTransform):
    """PBegin -> (key, value) pairs of what OUT/articles already holds, for DeduplicateStream."""

    def __init__(self, output: str, since_us: int):
        super().__init__()
        self._output, self._since = output, since_us

    def expand(self, pbegin):
        output, since = self._output, self._since
        return (
            pbegin
            | "Start" >> beam.Create([None])
            | "ReadDataset" >> beam.FlatMap(lambda _: seed_entries(read_seed_rows(output, since)))
        )


class DeduplicateStream(beam.PTransform):
    """Articles (global window, timestamped) -> {"articles", "dropped", "failures"}.

    `seed` is a PCollection of SeedIndex pairs (or None): identities and texts already written.
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
            >> beam.Map(lambda a: (identity_key(a), a)).with_output_types(tuple[str, Article])
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
                tuple[str, tuple]
            )
        )
        marked = (
            (printed[_ROWS], matches)
            | "RowParts" >> beam.Flatten()
            | "KeyByRow" >> beam.Map(lambda kv: kv).with_output_types(tuple[str, tuple])
            | "MarkNearDuplicates" >> beam.ParDo(_MarkFn(p.bands, self._horizon))
        )
        unmarked = printed[ARTICLES]
        marked = (marked, unmarked) | "AllKept" >> beam.Flatten()
        return {ARTICLES: marked, DROPPED: exact[DROPPED], FAILURES: exact[FAILURES]}
