"""The near-duplicate half of the streaming dedupe, around the band buckets (dedupe.stream):
FingerprintFn splits an article into its row and one member per LSH band; MarkFn joins the row
with every band's answer and marks it duplicate_of the earliest match."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration

from transforms.core.records import Article
from transforms.dedupe.batch import STEP
from transforms.dedupe.fingerprint import MinHashParams, band_keys, hasher_for, signature_to_bytes
from transforms.dedupe.rules import member_of
from transforms.dedupe.seeding import stamped
from transforms.dedupe.state import ROW_PART_CODER, RowPart

ROWS, BANDS = "rows", "bands"


class FingerprintFn(beam.DoFn):
    """Article -> (row, RowPart(article)) for the join, (band, (row, Member)) per LSH band; an
    article without words has no signature and no near-duplicates: it goes on at once."""

    def __init__(self, params: MinHashParams):
        self._params = params

    def setup(self) -> None:
        self._hasher = hasher_for(self._params)  # permutations built once per worker

    def process(self, a: Article, ts=beam.DoFn.TimestampParam) -> Iterator:
        hashes = self._hasher.shingle_hashes(a.text or "")
        if not len(hashes):
            yield a._replace(duplicate_of=None, similarity=None)
            return
        signature = self._hasher.signature_of(hashes)
        # One delivery: the same version delivered again after its TTL is another row.
        row = f"{a.article_id}:{a.version}@{ts.micros}"
        yield pvalue.TaggedOutput(ROWS, (row, RowPart(a, None)))
        member = member_of(a, signature_to_bytes(signature))
        for band in band_keys(signature, self._params.bands):
            yield pvalue.TaggedOutput(BANDS, (band.hex(), (row, member)))


class MarkFn(beam.DoFn):
    """(row, RowPart) -> the Article once its own part and all band answers are in, duplicate_of
    the earliest match. Parts of one row arrive within one bundle chain; should the TTL come
    first (a watermark that jumped past a held row), the article goes out with the answers it
    has: a row is never dropped for want of a band's answer."""

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
        yield from _marked(collected)

    @on_timer(EXPIRY)
    def expire(self, parts=beam.DoFn.StateParam(PARTS)) -> Iterator:  # noqa: B008
        collected = list(parts.read())
        parts.clear()
        for article in _marked(collected):
            yield from stamped((article,), article.ingested_at)


def _marked(collected: list[RowPart]) -> Iterator[Article]:
    """The row's article marked with its earliest match; nothing without the article's part."""
    article = next((p.article for p in collected if p.article is not None), None)
    if article is None:
        return
    matches = [p.match for p in collected if p.match is not None]
    best = min(matches, key=lambda m: m.node, default=None)
    if best is None:
        yield article._replace(duplicate_of=None, similarity=None)
    else:
        Metrics.counter(STEP, "near_duplicate").inc()
        yield article._replace(duplicate_of=best.article_id, similarity=best.similarity)
