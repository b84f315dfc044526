"""How a Dask task runs Beam steps: a ParDo's spec travels in the task graph, its DoFn is set up
once per worker process and reused by every bundle (one partition = one bundle), and a Chain of
steps whose inputs only they read runs as one task per partition (pipeline/runners/dask.py
builds the graph)."""

from __future__ import annotations

import dataclasses
import gc
import itertools
import re
import threading
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.runners.common import (
    DoFnContext,
    DoFnInvoker,
    DoFnSignature,
    Receiver,
    _OutputHandler,
)
from apache_beam.transforms.sideinputs import SideInputMap
from apache_beam.utils.windowed_value import WindowedValue

# Steps set up on this worker process, by (run, step, thread): setup() runs once per worker and
# DoFn instead of once per partition, so a gazetteer is loaded once, as Beam promises. Only the
# current run's steps are kept: a long-lived cluster would otherwise hold every run's models.
_LIVE_STEPS: dict = {}

# Dask keeps every task's result until its readers have run, so a worker holds far more objects
# than a fused Beam stage does, and each full collection walked them all again. A bundle freezes
# them (gc.freeze) when it ends and every FREEZE_EVERY elements, since a partition's outputs grow
# with it. One worker, 10,000 articles: collections 2.2 CPU-s, 0.85 after a task; 20,000: 3.2,
# 2.2 with the freezes inside too. Refcounts still free what is frozen; only cycles the collector
# has not reached by then wait for the next run's unfreeze (or the worker's exit).
FREEZE_EVERY = 500


@dataclasses.dataclass
class ParDoSpec:
    """What a worker needs to run one ParDo step; pickled into the task graph."""

    run: str
    label: str
    fn: beam.DoFn
    args: tuple
    kwargs: dict
    window_fn: Any
    side_views: list  # (view class, view options) per side input, in argument order

    def __dask_tokenize__(self) -> tuple:
        return (self.run, self.label)  # unique per run and step; hashing the DoFn costs seconds


class _Collector(Receiver):
    """Receives one output tag into the current bundle's list, as (tag, WindowedValue)."""

    def __init__(self, tag: str | None, step: _LiveStep):
        self._tag, self._step = tag, step

    def receive(self, windowed_value: WindowedValue) -> None:
        self._step.out.append((self._tag, windowed_value))


class _Collectors(dict):
    def __init__(self, step: _LiveStep):
        super().__init__()
        self._step = step

    def __missing__(self, tag):
        self[tag] = _Collector(tag, self._step)
        return self[tag]


class _LiveStep:
    """A DoFn after setup() with its invoker, reused by every bundle of the step on this thread.

    Side inputs are the same for every bundle of a run, so they are bound once too."""

    def __init__(self, spec: ParDoSpec, side_values: tuple):
        self.out: list = []
        collectors = _Collectors(self)
        handler = _OutputHandler(
            window_fn=spec.window_fn,
            main_receivers=collectors[None],
            tagged_receivers=collectors,
            per_element_output_counter=None,
            output_batch_converter=None,
            process_yields_batches=False,
            process_batch_yields_elements=False,
        )
        sides = [
            SideInputMap(view, options, values)
            for (view, options), values in zip(spec.side_views, side_values, strict=True)
        ]
        self.invoker = DoFnInvoker.create_invoker(
            DoFnSignature(spec.fn),
            handler,
            context=DoFnContext(spec.label, state=None),
            side_inputs=sides,
            input_args=list(spec.args),
            input_kwargs=spec.kwargs,
            user_state_context=None,
            bundle_finalizer_param=beam.DoFn.BundleFinalizerParam(),
        )
        self.invoker.invoke_setup()


def _run_bundle(items, spec: ParDoSpec, *side_values) -> list:
    """One partition = one bundle; returns [(tag, WindowedValue)], tag None for the main output."""
    key = (spec.run, spec.label, threading.get_ident())
    step = _LIVE_STEPS.get(key)
    if step is None:
        ended = [k for k in _LIVE_STEPS if k[0] != spec.run]
        for old in ended:
            _LIVE_STEPS.pop(old).invoker.invoke_teardown()
        if ended:
            gc.unfreeze()  # a new run: what the last one froze can be collected again
        step = _LIVE_STEPS[key] = _LiveStep(spec, side_values)
    step.out = []
    step.invoker.invoke_start_bundle()
    for done, wv in enumerate(items, 1):
        step.invoker.invoke_process(wv)
        if done % FREEZE_EVERY == 0:
            gc.freeze()
    step.invoker.invoke_finish_bundle()
    out, step.out = step.out, []
    gc.freeze()  # see FREEZE_EVERY
    return out


class Chain(NamedTuple):
    """ParDo steps that run as one task per partition, each reading the one before: a step
    whose input only it reads joins the chain of the step that made it."""

    source: Any  # the bag the first step reads
    specs: tuple  # ParDoSpec per step, in order
    sides: tuple  # per step, the delayed values of its side inputs

    def then(self, spec: ParDoSpec, sides: tuple) -> Chain:
        return Chain(self.source, (*self.specs, spec), (*self.sides, sides))

    def args(self) -> tuple:
        """run_steps' arguments after the partition: the specs, then every side input."""
        counts = tuple(len(s) for s in self.sides)
        return (self.specs, counts, *itertools.chain.from_iterable(self.sides))

    def name(self) -> str:
        more = len(self.specs) - 1
        return task_name(self.specs[0].label) + (f"+{more}" if more else "")


def run_steps(items, specs: tuple, side_counts: tuple, *side_values) -> list:
    """A chain's bundles one after another; returns the last step's [(tag, WindowedValue)]
    (every output of an earlier step is the next one's input, as its own task had it)."""
    out, at = [], 0
    for i, (spec, n) in enumerate(zip(specs, side_counts, strict=True)):
        out = _run_bundle(items, spec, *side_values[at : at + n])
        at += n
        if i + 1 < len(specs):
            items = [wv for _, wv in out]
    return out


def run_steps_values(items, specs: tuple, side_counts: tuple, *side_values) -> list:
    """run_steps for a chain whose last step has one output: its WindowedValues alone."""
    return [wv for _, wv in run_steps(items, specs, side_counts, *side_values)]


def select_output(pairs, tag) -> list:
    """One output of a multi-output step's bundle, untagged."""
    return [wv for t, wv in pairs if t == tag]


def task_name(label: str) -> str:
    """A step's label as its tasks' name on the dashboard and in the task stream (dask splits a
    key's name at its first "-")."""
    return "step:" + re.sub(r"[^0-9A-Za-z_./:]+", "_", label)
