"""Batch steps let go of their side inputs when their bundle ends (core.sideinputs): Beam's
worker otherwise keeps a globally windowed side input in the DoFn's cached arguments, and the
local runner keeps the finished stage's DoFn, so the dict stays in memory to the run's end."""

from __future__ import annotations

import gc

import apache_beam as beam
from apache_beam.runners.common import DoFnSignature
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.core import ParDo
from conftest import ROOT

from pipeline.options import parse_options
from pipeline.runners.choice import direct_runner
from pipeline.settings import settings_from
from transforms.core.sideinputs import PER_BUNDLE


class _Marker:
    pass


def _look_cached(x, looked: dict):
    yield x, len(looked)


def _look_per_bundle(x, looked: dict, _window=PER_BUNDLE):
    yield x, len(looked)


def _dicts_alive(keyed) -> list[int]:
    """In a later stage: how many dicts holding a _Marker are still in memory."""
    return [sum(1 for o in gc.get_objects() if type(o) is dict and _holds_marker(o))]


def _holds_marker(d: dict) -> bool:
    return any(type(v) is _Marker for v in d.values())


def _alive_after(look, expected: list[int]) -> None:
    with beam.Pipeline(runner=direct_runner()) as p:
        side = p | "Side" >> beam.Create(["k"]) | "Markers" >> beam.Map(lambda k: (k, _Marker()))
        looked = (
            p
            | "Items" >> beam.Create([1, 2, 3])
            | "Look" >> beam.FlatMap(look, beam.pvalue.AsDict(side))
        )
        later = looked | "Wait" >> beam.GroupByKey() | "Count" >> beam.FlatMap(_dicts_alive)
        assert_that(later, equal_to(expected))


def test_a_side_input_taken_per_bundle_is_gone_in_the_next_stage():
    _alive_after(_look_per_bundle, [0, 0, 0])


def test_without_it_beams_local_runner_keeps_the_dict():
    """What the test above guards against; if Beam stops caching (apache/beam#28776), this
    fails, and core.sideinputs can go."""
    _alive_after(_look_cached, [1, 1, 1])


def _ours(fn: beam.DoFn) -> bool:
    """A DoFn or Map/FlatMap function of newsbeam's, not Beam's own (a CombineGlobally's
    default, a one-element side input)."""
    module = getattr(getattr(fn, "_fn", fn), "__module__", "") or type(fn).__module__
    return module.startswith(("transforms.", "pipeline."))


def test_every_batch_step_with_a_side_input_takes_it_per_bundle(tmp_path):
    from pipeline.graph import build_batch

    options = parse_options("run", ["--input", str(ROOT / "seeds"), "--output", str(tmp_path)])
    p = beam.Pipeline(options=options)
    build_batch(p, settings_from("run", options, 0.0))
    steps = []

    class Visit(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):
            if isinstance(node.transform, ParDo) and node.side_inputs and _ours(node.transform.fn):
                steps.append((node.full_label, node.transform.fn))

    p.visit(Visit())
    assert len(steps) >= 11, steps  # six lookups in the dedupe, five in the stories
    for label, fn in steps:
        defaults = DoFnSignature(fn).process_method.defaults
        assert any(d is PER_BUNDLE for d in defaults), label
