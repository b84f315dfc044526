"""The restart seed, per key: no side input, no broadcast.

The seed (what OUT/articles already holds: dedupe.seed) is flattened into the same keyed input as
the articles, so each key's own state receives its own part of it and memory is bounded per key.
Beam does not order a key's elements, so an article could arrive before its key's seed: articles
wait in the key's state until the watermark passes the seed's timestamp. The seed's elements
carry the minimum timestamp (an Impulse's) from a bounded read, so a watermark past it means the
whole seed is in; at once, in a running job, so waiting costs nothing once it has started. After
a key's first release it is ready: later articles go through directly.

The release timer's watermark hold keeps the windows downstream open for the articles it holds,
and they go out at their own timestamps, so nothing is late for waiting. These helpers take the
DoFn's state and timer objects; each DoFn declares its own specs (ids must be unique across a
pipeline).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from apache_beam import pvalue
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Timestamp

from transforms.dedupe.state import Waiting

SEED_IN = Timestamp(micros=MIN_TIMESTAMP.micros + 1)  # a watermark past this: the seed is in


def keep_seed(state, expiry_timer, seeded, expiry_us: int | None) -> None:
    """The key's part of the seed into its state, unless an article got there first (it waited
    for this seed, so it cannot have: but a duplicate seed entry must not undo its work); it
    expires at `expiry_us` unless an article touches the key before."""
    if state.read() is None:
        state.write(seeded)
        if expiry_us is not None:
            expiry_timer.set(Timestamp(micros=expiry_us))


def hold(waiting, release_timer, item: Waiting) -> None:
    """Keep `item` until the watermark says the seed is in."""
    waiting.add(item)
    release_timer.set(SEED_IN)


def release_held(waiting, ready) -> list[Waiting]:
    """The held items, oldest first (ties in a fixed order); the key is ready from now on."""
    items = sorted(waiting.read(), key=_order)
    waiting.clear()
    ready.write(True)
    return items


def _order(w: Waiting) -> tuple:
    return (w.at, w.row or "", w.article.article_id if w.article is not None else "")


def stamped(outputs: Iterable, at_us: int) -> Iterator:
    """A timer callback's outputs at the timestamps of the elements they came from."""
    at = Timestamp(micros=at_us)
    for out in outputs:
        if isinstance(out, pvalue.TaggedOutput):
            yield pvalue.TaggedOutput(out.tag, TimestampedValue(out.value, at))
        else:
            yield TimestampedValue(out, at)
