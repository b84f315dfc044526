"""One graph, two modes: every flag works in both modes or is refused in one line where it does not
apply; batch and stream give the same stories and topic evidence for the same input; streaming
state has explicit coders and ids no other step shares."""

from __future__ import annotations

import pickle
import shutil

import apache_beam as beam
import pyarrow.dataset as ds
import pytest
from apache_beam.coders import PickleCoder
from apache_beam.options.pipeline_options import StandardOptions, TypeOptions
from apache_beam.transforms import userstate

from pipeline.cli import main
from pipeline.options import (
    RUN,
    STREAM,
    NewsbeamOptions,
    UsageError,
    mode_of_flags,
    parse_options,
)
from tests.conftest import SEEDS

# --- flags ---------------------------------------------------------------------------------------

_VALUES = {"feed": "https://example.com/rss", "feeds_file": "feeds.txt", "watch": "inbox"}


def _spelled(dest: str) -> list[str]:
    return [f"--{dest.replace('_', '-')}", _VALUES.get(dest, "2")]


@pytest.mark.parametrize("dest, mode", sorted(mode_of_flags().items()))
def test_a_flag_of_one_mode_is_refused_by_the_other(dest, mode, capsys):
    other = STREAM if mode == RUN else RUN
    with pytest.raises(UsageError, match=f"applies to `newsbeam {mode}` only"):
        parse_options(other, _spelled(dest))
    assert main([other, *_spelled(dest)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"newsbeam {mode}" in err


@pytest.mark.parametrize(
    "flag",
    ["--explain-topics", "--shards-per-partition=2", "--max-input-bytes=10", "--languages=it"],
)
@pytest.mark.parametrize("mode", [RUN, STREAM])
def test_shared_flags_work_in_both_modes(flag, mode):
    parse_options(mode, [flag])


def test_parsed_options_keep_one_view_per_class_and_share_its_values():
    """Views are built once (Beam asks for one per transform); a value set through one view is
    what every other view reads, as with Beam's own views; pickling leaves the views out."""
    options = parse_options(RUN, ["--output", "o", "--runner", "DirectRunner"])
    standard = options.view_as(StandardOptions)
    assert options.view_as(StandardOptions) is standard and standard.runner == "DirectRunner"
    options.view_as(TypeOptions).pipeline_type_check = False
    assert options.view_as(TypeOptions).pipeline_type_check is False
    standard.streaming = True
    assert options.get_all_options()["streaming"] is True
    copy = pickle.loads(pickle.dumps(options))
    assert "_views" not in copy.__dict__ and copy.view_as(StandardOptions).streaming is True
    assert copy.view_as(NewsbeamOptions).output == "o"


# --- the same results in both modes ---------------------------------------------------------------


def _rows(out) -> dict[str, dict]:
    table = ds.dataset(f"{out}/articles", format="parquet", partitioning="hive").to_table(
        columns=["article_id", "story_id", "topics", "topic_evidence", "duplicate_of"]
    )
    return {r["article_id"]: r for r in table.to_pylist()}


def _grouping(rows: dict[str, dict]) -> set[frozenset]:
    stories: dict[str, set] = {}
    for article_id, r in rows.items():
        stories.setdefault(r["story_id"], set()).add(article_id)
    return {frozenset(members) for members in stories.values()}


@pytest.mark.slow
def test_batch_and_stream_give_the_same_stories_and_evidence(tmp_path):
    news = tmp_path / "news"
    shutil.copytree(SEEDS, news, ignore=shutil.ignore_patterns("*.expect.json"))
    batch, stream = tmp_path / "batch", tmp_path / "stream"
    assert main(["run", "--input", str(news), "--output", str(batch), "--explain-topics"]) == 0
    flags = ["--watch", str(news), "--output", str(stream), "--explain-topics"]
    assert main(["stream", *flags, "--window", "2", "--duration", "2"]) == 0
    in_batch, in_stream = _rows(batch), _rows(stream)
    assert set(in_batch) == set(in_stream) and len(in_batch) == 5
    assert _grouping(in_stream) == _grouping(in_batch)
    assert len(_grouping(in_batch)) == 3  # the Xi-Putin call of 4 Feb 2026 in three reports
    for article_id, row in in_batch.items():
        assert in_stream[article_id]["story_id"] == row["story_id"]
        assert in_stream[article_id]["topics"] == row["topics"]
        assert in_stream[article_id]["topic_evidence"] == row["topic_evidence"]
        assert row["topic_evidence"], "--explain-topics was ignored"


# --- streaming state -----------------------------------------------------------------------------


def _stateful_dofns(p: beam.Pipeline) -> dict[str, beam.DoFn]:
    found = {}

    class Visitor(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):
            fn = getattr(node.transform, "fn", None)
            if isinstance(fn, beam.DoFn):
                states, timers = userstate.get_dofn_specs(fn)
                if states or timers:
                    found[node.full_label] = fn

    p.visit(Visitor())
    return found


def test_stream_state_has_explicit_coders_and_unique_ids(tmp_path):
    from pipeline.graph import build_stream
    from pipeline.settings import settings_from

    argv = ["--watch", str(tmp_path), "--feed", "https://example.com/rss"]
    options = parse_options(STREAM, [*argv, "--output", str(tmp_path / "out")])
    p = beam.Pipeline(options=options)
    build_stream(p, settings_from(STREAM, options, 0.0).epoch(0.0, 1.0, "t"))
    dofns = _stateful_dofns(p)
    assert {"DeduplicateStream/ExactRedeliveries", "GroupStories/Resolve"} <= {
        label.rsplit("/ParDo", 1)[0] for label in dofns
    }
    ids = []
    for label, fn in dofns.items():
        states, timers = userstate.get_dofn_specs(fn)
        for spec in states:
            # A pickle names the class's module: moving it would break restoring a job's state.
            assert not isinstance(spec.coder, PickleCoder), (label, spec.name)
        ids += [spec.name for spec in states] + [spec.name for spec in timers]
    # The local runner mixes up the timers of two fused steps whose timer ids are equal.
    assert len(ids) == len(set(ids)), sorted(ids)


def _transforms(p: beam.Pipeline) -> dict:
    """full label -> the transform, for every leaf and composite of the graph."""
    found = {}

    class Visitor(beam.pipeline.PipelineVisitor):
        def visit_transform(self, node):
            found[node.full_label] = node.transform

        def enter_composite_transform(self, node):
            found[node.full_label] = node.transform

    p.visit(Visitor())
    return found


def _labels(p: beam.Pipeline) -> set[str]:
    return set(_transforms(p))


def _fns_under(p: beam.Pipeline, prefix: str) -> list:
    """The DoFns of the ParDos whose labels start with prefix."""
    found = _transforms(p).items()
    return [t.fn for label, t in found if label.startswith(prefix) and hasattr(t, "fn")]


def test_a_batch_run_detects_languages_in_batches_a_stream_article_by_article(tmp_path):
    """Batches keep the language and entity calls back to back (graph.BATCH_ARTICLES); a stream
    stays per article: a batch in a window would carry the window's end as its timestamp."""
    from pipeline.graph import BATCH_ARTICLES, build_batch, build_stream
    from pipeline.settings import settings_from
    from transforms.core.failures import EachOfBatch

    options = parse_options(RUN, ["--input", str(SEEDS), "--output", str(tmp_path / "o")])
    p = beam.Pipeline(options=options)
    build_batch(p, settings_from(RUN, options, 0.0))
    (fn,) = _fns_under(p, "DetectLanguage/Detect/")
    assert isinstance(fn, EachOfBatch) and fn._size == BATCH_ARTICLES

    argv = ["--watch", str(tmp_path), "--output", str(tmp_path / "out")]
    options = parse_options(STREAM, argv)
    p = beam.Pipeline(options=options)
    build_stream(p, settings_from(STREAM, options, 0.0).epoch(0.0, 1.0, "t"))
    (fn,) = _fns_under(p, "DetectLanguage/Detect/")
    assert not isinstance(fn, EachOfBatch)
