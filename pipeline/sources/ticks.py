"""Ticks: PBegin -> one timestamp (float seconds) every `interval` from `start` to `stop`.

PeriodicImpulse with two changes. Ticks missed while the pipeline was busy collapse into one (the
poller works from due times, so catching up tick by tick only repeats empty rounds). And when the
runner resumes the generator before the next tick is due, it waits for it. The local runner
resumes a deferred splittable DoFn at once, so the stock generator spins: thousands of empty
bundles a minute, a core busy, and metrics nested so deeply that reading them overflows the stack.
Runners that honour the deferral never wait here. Time is read from an injected clock (real by
default) so tests run on a fake one; due times are integer µs so a fake clock lands on them exactly.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.transforms.periodicsequence import (
    ImpulseSeqGenDoFn,
    ImpulseSeqGenRestrictionProvider,
)
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

from pipeline.sources.clock import SYSTEM_CLOCK, US, Clock, now_us

MAX_WAIT_S = 1.0  # a stop or a split is noticed within this long


def newest_due(start_us: int, interval_us: int, index: int, now: int) -> int:
    """The newest tick index due at `now` (µs), never before `index`: missed ticks collapse."""
    return max(index, index + (now - start_us - interval_us * index) // interval_us)


class _PacedSeqGenFn(ImpulseSeqGenDoFn):
    def __init__(self, clock: Clock):
        super().__init__()
        self._clock = clock

    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        element,
        restriction_tracker=beam.DoFn.RestrictionParam(ImpulseSeqGenRestrictionProvider()),  # noqa: B008
        watermark_estimator=beam.DoFn.WatermarkEstimatorParam(  # noqa: B008
            ManualWatermarkEstimator.default_provider()  # noqa: B008
        ),
    ):
        start, _, interval = element
        start = start.micros / 1e6 if isinstance(start, Timestamp) else start
        start_us, interval_us = round(start * US), round(interval * US)
        index = restriction_tracker.current_restriction().start
        while True:
            wait_us = start_us + interval_us * index - now_us(self._clock)
            if wait_us > 0:
                self._clock.sleep(min(wait_us / US, MAX_WAIT_S))
                due_us = start_us + interval_us * index
                if due_us > now_us(self._clock):
                    due = Timestamp(micros=due_us)
                    _advance(watermark_estimator, due)
                    restriction_tracker.defer_remainder(due)
                    return
            # Ticks missed while downstream was busy collapse into the newest one: a poll round
            # is owed once, not once per missed second.
            newest = newest_due(start_us, interval_us, index, now_us(self._clock))
            newest = max(index, min(newest, restriction_tracker.current_restriction().stop - 1))
            if not restriction_tracker.try_claim(newest):
                return
            index = newest
            at = Timestamp(micros=start_us + interval_us * index)
            _advance(watermark_estimator, at)
            yield TimestampedValue(at, at)
            index += 1


def _advance(estimator, to: Timestamp) -> None:
    current = estimator.current_watermark()
    if current is None or to > current:
        estimator.set_watermark(to)


class Ticks(beam.PTransform):
    """Timestamps start, start + interval, … before stop (None: forever), each at its time.

    `clock` decides what "its time" is: the wall clock unless a test passes a FakeClock.
    """

    def __init__(
        self, start: float, stop: float | None, interval: float, *, clock: Clock = SYSTEM_CLOCK
    ):
        super().__init__()
        self._start, self._interval, self._clock = start, interval, clock
        self._stop = stop if stop is not None else MAX_TIMESTAMP.micros / 1e6

    def expand(self, pbegin):
        return (
            pbegin
            # Impulse, not Create: in a streaming job Create leaves a pickled composite that
            # portable runners (Flink) cannot run.
            | "Impulse" >> beam.Impulse()
            | "ImpulseElement"
            >> beam.Map(lambda _, first: first, (self._start, self._stop, self._interval))
            | "GenSequence" >> beam.ParDo(_PacedSeqGenFn(self._clock))
            | "AsSeconds" >> beam.Map(float).with_output_types(float)
        )
