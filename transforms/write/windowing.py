"""Where the stream's files are cut: FixedWindows of ingestion time, stated once.

Elements carry their ingestion time as timestamp, so an old article in a feed is on time in the
window it was fetched in and is written under its published date; nothing is ever late unless the
runner falls behind by more than ALLOWED_LATENESS_S, and even then a late pane is a new file.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms import trigger, window

ALLOWED_LATENESS_S = 7 * 86400  # a backlog of a week is still written, each late pane a new file


def window_start(timestamp_s: float, seconds: int) -> float:
    """The start of the fixed window of `seconds` that holds `timestamp_s`."""
    return timestamp_s - timestamp_s % seconds


class WindowArticles(beam.PTransform):
    """Cut the stream into FixedWindows of `seconds` of ingestion time: on time at the watermark,
    then one more pane per late element (AfterCount(1) inside AfterWatermark; a bare
    Repeatedly(AfterCount) stalls the local runner)."""

    def __init__(self, seconds: int):
        super().__init__()
        self._seconds = seconds

    def expand(self, pcoll):
        return pcoll | "FixedWindows" >> beam.WindowInto(
            window.FixedWindows(self._seconds),
            trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
            accumulation_mode=trigger.AccumulationMode.DISCARDING,
            allowed_lateness=ALLOWED_LATENESS_S,
        )
