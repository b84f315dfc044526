"""The memoised get_dofn_specs gives Beam's own answer for every DoFn of the batch and stream
graphs (stateful ones included), and still inspects a DoFn that carries its own bound methods."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms import userstate
from apache_beam.transforms.core import ParDo
from conftest import ROOT

from pipeline import dofnspecs
from pipeline.options import parse_options
from pipeline.settings import settings_from


def _dofns(p: beam.Pipeline) -> list:
    found = []

    class Visit(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):
            if isinstance(node.transform, ParDo):
                found.append(node.transform.fn)

    p.visit(Visit())
    return found


def _graphs(tmp_path) -> list:
    from pipeline.graph import build_batch, build_stream

    batch_opts = parse_options("run", ["--input", str(ROOT / "seeds"), "--output", str(tmp_path)])
    batch = beam.Pipeline(options=batch_opts)
    build_batch(batch, settings_from("run", batch_opts, 0.0))
    args = ["--feed", "http://127.0.0.1:9/feed.xml", "--output", str(tmp_path)]
    stream_opts = parse_options("stream", args)
    stream = beam.Pipeline(options=stream_opts)
    build_stream(stream, settings_from("stream", stream_opts, 0.0).epoch(0.0, None, "t"))
    return _dofns(batch) + _dofns(stream)


def test_the_cached_specs_are_beams_for_every_dofn_of_both_graphs(tmp_path):
    dofns = _graphs(tmp_path)
    assert userstate.get_dofn_specs is dofnspecs.cached_dofn_specs  # the graph installed it
    stateful = 0
    for fn in dofns:
        expected = dofnspecs._ORIGINAL(fn)
        assert dofnspecs.cached_dofn_specs(fn) == expected, fn
        assert dofnspecs.cached_dofn_specs(fn) == expected, fn  # and from the cache
        stateful += bool(expected[0] or expected[1])
    assert len(dofns) > 50 and stateful >= 4  # the poller, the dedupe and the stories keep state


_BAG = userstate.BagStateSpec("b", beam.coders.StrUtf8Coder())


class _Holder:
    def method(self, x, state=beam.DoFn.StateParam(_BAG)):  # noqa: B008 - Beam's idiom
        return x


class _WithOwnMethod(beam.DoFn):
    def __init__(self):
        super().__init__()
        self.extra = _Holder().method  # an instance attribute Beam inspects like a method

    def process(self, x):
        yield x


def test_a_dofn_with_its_own_bound_methods_is_inspected_each_time():
    odd, plain = _WithOwnMethod(), beam.Map(len).fn
    assert dofnspecs._has_own_methods(odd) and not dofnspecs._has_own_methods(plain)
    assert dofnspecs.cached_dofn_specs(odd) == dofnspecs._ORIGINAL(odd) == ({_BAG}, set())
    assert dofnspecs.cached_dofn_specs(plain) == dofnspecs._ORIGINAL(plain) == (set(), set())
