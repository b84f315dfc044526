"""A batch Beam runner on Dask distributed: the pipeline graph -> one dask.bag graph, computed once.

Beam 2.77's own DaskRunner computes only the last transform's ancestors (other sinks never run),
hands every output of a multi-output ParDo to every consumer (failures leak into the main output),
treats Reshuffle as a no-op (a file-matching source stays in one partition: no parallelism) and
calls DoFn.setup() per partition. This runner keeps its option flags and fixes those four.
Scope: bounded pipelines, non-merging windows; stateful and splittable DoFns are refused.
How a task runs the steps themselves is in dask_steps.py.
"""

from __future__ import annotations

import collections
import itertools
import pickle
import uuid
import zlib
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.pipeline import AppliedPTransform, PipelineVisitor, PTransformOverride
from apache_beam.runners.common import DoFnSignature
from apache_beam.runners.dask.dask_runner import DaskOptions
from apache_beam.runners.dask.overrides import _Create, _Reshuffle
from apache_beam.runners.runner import PipelineResult, PipelineRunner, PipelineState
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from pipeline.runners.dask_steps import (
    Chain,
    ParDoSpec,
    run_steps,
    run_steps_values,
    select_output,
    task_name,
)


def _global(value: Any) -> WindowedValue:
    return WindowedValue(value, MIN_TIMESTAMP, (GlobalWindow(),))


class _Replace(PTransformOverride):
    """Turn a composite the runner handles natively into a leaf the visitor sees."""

    def __init__(self, cls: type, make):
        self._cls, self._make = cls, make

    def matches(self, applied: AppliedPTransform) -> bool:
        return type(applied.transform) is self._cls

    def get_replacement_transform_for_applied_ptransform(self, applied: AppliedPTransform):
        return self._make(applied.transform)


_OVERRIDES = (
    _Replace(beam.Create, lambda t: _Create(t.values)),
    _Replace(beam.Reshuffle, lambda t: _Reshuffle()),
)


def _bucketize(items, key_coder, window_coder, n: int) -> list:
    """Split one partition into n buckets by key. Keys are compared and hashed as Beam's encoded
    bytes, not Python objects: equal bytes form a group, and crc32 is the same on every worker."""
    buckets: list = [[] for _ in range(n)]
    for wv in items:
        key, value = wv.value
        encoded = key_coder.encode(key)
        bucket = buckets[zlib.crc32(encoded) % n]
        for window in wv.windows:
            bucket.append(((encoded, window_coder.encode(window)), key, value, window))
    return [pickle.dumps(bucket, protocol=pickle.HIGHEST_PROTOCOL) for bucket in buckets]


def _group_bucket(*parts) -> list:
    groups: dict = {}
    for part in parts:
        for group_key, key, value, window in pickle.loads(part):
            entry = groups.get(group_key)
            if entry is None:
                groups[group_key] = (key, window, [value])
            else:
                entry[2].append(value)
    return [WindowedValue((k, vs), w.max_timestamp(), (w,)) for k, w, vs in groups.values()]


def _concat(parts) -> list:
    return list(itertools.chain.from_iterable(parts))


def _count(items) -> list:
    return [sum(1 for _ in items)]


class _Placement:
    """The worker for a task of partition i: the i-th of the workers, round robin. Every step's
    partition i then runs where partition i's input already is, and only shuffles move data:
    left to dask, an idle worker took a step's task and pulled its input, thousands of articles
    as Python objects, from a worker busy computing (seconds per transfer; two workers ran the
    10,000-article chain no faster than one). Keys without a partition index are left to dask.
    The workers are those of the cluster when the run is submitted: one that joins later gets
    none of these tasks."""

    def __init__(self, workers: list[str]):
        self._workers = workers

    def __call__(self, key) -> list[str] | None:
        if not self._workers or not isinstance(key, tuple) or not isinstance(key[-1], int):
            return None
        return [self._workers[key[-1] % len(self._workers)]]


class _Readers(PipelineVisitor):
    """How many steps read each PCollection, as main or side input."""

    def __init__(self):
        self.count: collections.Counter = collections.Counter()

    def visit_transform(self, node: AppliedPTransform) -> None:
        self.count.update(i for i in node.inputs if not isinstance(i, pvalue.PBegin))
        self.count.update(si.pvalue for si in node.side_inputs)


def readers_of(pipeline) -> collections.Counter:
    """Readers per PCollection of the (overridden) pipeline; _BagTranslator chains on it."""
    visitor = _Readers()
    pipeline.visit(visitor)
    return visitor.count


class _BagTranslator(PipelineVisitor):
    """Map every PCollection of the (overridden) pipeline to a dask.bag of WindowedValues.

    With `readers` (readers_of), a ParDo whose input only it reads runs in the task of the step
    before (Chain): the dedupe's and the stories' chains of small steps had one task per step
    and partition, each a round trip to the scheduler, which in a 2-worker run on 2 cores also
    takes CPU from the workers."""

    def __init__(
        self, npartitions: int, workers: list[str] | None = None, readers: dict | None = None
    ):
        self._n = npartitions
        self._run = uuid.uuid4().hex[:12]
        self._placement = _Placement(sorted(workers or ()))
        self._readers = readers or {}
        self._chains: dict = {}  # PCollection -> Chain not yet made a bag
        self.bags: dict = {}
        self.consumed: set = set()

    def leaves(self) -> list:
        """Bags nobody reads: the sinks. Computing all of them runs every branch."""
        with self._annotated():
            for pcoll in list(self._chains):
                self.bag(pcoll)
        return [bag for pcoll, bag in self.bags.items() if pcoll not in self.consumed]

    def bag(self, pcoll):
        """The bag of a PCollection; a chain that ends there becomes its one task per partition."""
        chain = self._chains.pop(pcoll, None)
        if chain is not None:
            self.bags[pcoll] = chain.source.map_partitions(
                run_steps_values, *chain.args(), token=chain.name()
            )
        return self.bags[pcoll]

    def _annotated(self):
        import dask

        # allow_other_workers: a task whose worker is gone runs elsewhere instead of waiting
        return dask.annotate(workers=self._placement, allow_other_workers=True)

    def visit_transform(self, node: AppliedPTransform) -> None:
        with self._annotated():
            self._translate(node)

    def _translate(self, node: AppliedPTransform) -> None:
        import dask.bag as db

        t = node.transform
        inputs = [i for i in node.inputs if not isinstance(i, pvalue.PBegin)]
        self.consumed.update(inputs)
        self.consumed.update(si.pvalue for si in node.side_inputs)
        if isinstance(t, _Create):
            values = [_global(v) for v in t.values]
            bag = db.from_sequence(values, npartitions=max(1, min(len(values), self._n)))
        elif isinstance(t, beam.Impulse):
            bag = db.from_sequence([_global(b"")], npartitions=1)
        elif isinstance(t, _Reshuffle):
            bag = self.bag(inputs[0]).repartition(npartitions=self._n)
        elif isinstance(t, beam.Flatten):
            bags = [self.bag(i) for i in inputs]
            bag = db.concat(bags) if bags else db.from_sequence([], npartitions=1)
            if bag.npartitions > self._n:  # concat adds partitions up; keep downstream tasks few
                bag = bag.repartition(npartitions=self._n)
        elif isinstance(t, beam.GroupByKey):
            bag = self._group_by_key(node, inputs[0])
        elif isinstance(t, beam.ParDo):
            self._par_do(node, inputs[0])
            return
        else:
            raise NotImplementedError(
                f"{node.full_label}: {type(t).__name__} is not supported by the Dask runner"
            )
        (out,) = node.outputs.values()
        self.bags[out] = bag

    def _group_by_key(self, node: AppliedPTransform, pcoll):
        """All-to-all shuffle: P bucketing tasks, then n grouping tasks (dask's own task shuffle
        made ~10,000 tasks for the batch chain on 300 articles)."""
        import dask
        import dask.bag as db
        from apache_beam import coders
        from apache_beam.typehints import typehints

        windowfn = pcoll.windowing.windowfn
        if windowfn.is_merging():
            raise NotImplementedError(f"{node.full_label}: merging windows (sessions) on Dask")
        key_type = typehints.coerce_to_kv_type(pcoll.element_type).tuple_types[0]
        key_coder = coders.registry.get_coder(key_type).as_deterministic_coder(node.full_label)
        window_coder = windowfn.get_window_coder()
        step = task_name(node.full_label)[5:] + "-" + self._run
        bucketed = [
            dask.delayed(_bucketize, pure=True)(
                part, key_coder, window_coder, self._n, dask_key_name=(f"bucketize-{step}", i)
            )
            for i, part in enumerate(self.bag(pcoll).to_delayed(optimize_graph=False))
        ]
        grouped = [
            dask.delayed(_group_bucket, pure=True)(
                *(b[j] for b in bucketed), dask_key_name=(f"group-{step}", j)
            )
            for j in range(self._n)
        ]
        return db.from_delayed(grouped)

    def _par_do(self, node: AppliedPTransform, pcoll) -> None:
        import dask

        t = node.transform
        signature = DoFnSignature(t.fn)
        if signature.is_stateful_dofn() or signature.is_splittable_dofn():
            raise NotImplementedError(
                f"{node.full_label}: stateful or splittable DoFns cannot run on Dask; "
                "a batch path must use GroupByKey/Combine"
            )
        spec = ParDoSpec(
            run=self._run,
            label=node.full_label,
            fn=t.fn,
            args=tuple(t.args),  # side inputs already replaced by placeholders
            kwargs=dict(t.kwargs),
            window_fn=pcoll.windowing.windowfn,
            side_views=[(type(si), si._view_options()) for si in node.side_inputs],
        )
        sides = tuple(
            dask.delayed(_concat)(self.bag(si.pvalue).to_delayed(optimize_graph=False))
            for si in node.side_inputs
        )
        if pcoll in self._chains and self._readers.get(pcoll) == 1:
            chain = self._chains.pop(pcoll).then(spec, sides)
        else:
            chain = Chain(self.bag(pcoll), (spec,), (sides,))
        if len(node.outputs) == 1:  # its values are the chain's until a step reads them apart
            (out,) = node.outputs.values()
            self._chains[out] = chain
            return
        tagged = chain.source.map_partitions(run_steps, *chain.args(), token=chain.name())
        for tag, out in node.outputs.items():  # one task per output, not a filter and a map
            self.bags[out] = tagged.map_partitions(
                select_output, tag, token=f"{chain.name()}:{tag}"
            )


class DaskPipelineResult(PipelineResult):
    """Futures of the sinks' row counts; wait_until_finish raises a worker's error here."""

    def __init__(self, client, futures: list):
        super().__init__(PipelineState.RUNNING)
        self.client = client
        self._futures = futures

    def wait_until_finish(self, duration: int | None = None) -> str:
        """Wait for every sink, at most `duration` ms; re-raise the first worker error."""
        from distributed import as_completed

        if self._state != PipelineState.RUNNING:
            return self._state
        timeout = None if duration is None else duration / 1000
        failed = None
        try:
            for future in as_completed(self._futures, loop=self.client.loop, timeout=timeout):
                if future.status == "error":
                    failed = future
                    break
        except TimeoutError:  # only our wait ran out: a step's own TimeoutError is re-raised below
            return self._state
        except BaseException:
            self._state = PipelineState.FAILED
            raise
        if failed is not None:
            self._state = PipelineState.FAILED
            failed.result()  # re-raises the worker's error, with its traceback
        self._state = PipelineState.DONE
        return self._state

    def cancel(self) -> str:
        self.client.cancel(self._futures)
        self._state = PipelineState.CANCELLED
        return self._state


class BatchDaskRunner(PipelineRunner):
    """Runs a bounded pipeline on a Dask cluster (--dask_client_address, or a local one)."""

    def __init__(self):
        super().__init__()
        self.clients: list = []

    def run_pipeline(self, pipeline, options) -> DaskPipelineResult:
        import dask.distributed as ddist

        dask_options = options.view_as(DaskOptions).get_all_options(
            drop_default=True, current_only=True
        )
        bag_kwargs = DaskOptions._extract_bag_kwargs(dask_options)
        client = ddist.Client(set_as_default=False, **dask_options)
        self.clients.append(client)
        workers = client.scheduler_info()["workers"]  # address -> its info, at submission
        threads = sum(w["nthreads"] for w in workers.values())
        # One partition per worker thread: partition i always runs on worker i (_Placement), so
        # more partitions balance nothing; each costs its own tasks, shuffle buckets and spill
        # chunks (2 workers, 10,000 articles: 4 partitions cost ~2 CPU-s more than 2).
        npartitions = bag_kwargs.get("npartitions") or max(1, threads)

        pipeline.replace_all(list(_OVERRIDES))
        translator = _BagTranslator(npartitions, list(workers), readers_of(pipeline))
        pipeline.visit(translator)
        # Sinks' sizes only travel back. The graph is not optimised, so every task keeps the key
        # its placement (_Placement) was chosen by (fusion merges and renames keys); optimising
        # twice had made dask.bag fuse away the lists that several consumers share, and rows
        # went missing.
        counts = [bag.map_partitions(_count) for bag in translator.leaves()]
        return DaskPipelineResult(client, client.compute(counts, optimize_graph=False))

    def close(self) -> None:
        """Close the clients this runner opened (a cluster it did not start keeps running)."""
        for client in self.clients:
            client.close()
