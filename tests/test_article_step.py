"""core.failures.ArticleStep: what every Article -> Article step shares."""

from __future__ import annotations

import gc

from tests.conftest import make_article
from transforms.core.failures import ArticleStep


class _Upper(ArticleStep):
    STEP = "upper"

    def load(self):
        return {"table": list(range(1000))}  # stands in for a gazetteer

    def apply(self, article, resource):
        if not article.text:
            raise ValueError("no text")
        return article._replace(text=article.text.upper())


def test_loaded_resources_are_frozen_while_the_step_lives_and_thawed_after():
    step = _Upper()
    gc.unfreeze()
    try:
        step.setup()
        assert gc.get_freeze_count() > 0
        assert [a.text for a in step.process(make_article("abc"))] == ["ABC"]
        step.teardown()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_a_failing_article_is_a_dead_letter_and_the_step_goes_on():
    step = _Upper()
    step.setup()
    try:
        (failed,) = step.process(make_article("")._replace(text=""))
        assert failed.value.stage == "upper" and "no text" in failed.value.error
        assert [a.text for a in step.process(make_article("ok"))] == ["OK"]
    finally:
        step.teardown()


def test_a_batch_is_run_whole_before_its_first_result_is_passed_on():
    """EachOfBatch's run_batch() returns a list: Beam gets the first result after the last
    apply(), so the step's calls run back to back, and so do the next fused step's."""
    from transforms.core.failures import EachOfBatch

    calls = []

    class _Counting(_Upper):
        def apply(self, article, resource):
            calls.append(article.text)
            return super().apply(article, resource)

    fn = EachOfBatch(_Counting(), 3)
    fn.setup()
    try:
        articles = [make_article("a"), make_article("")._replace(text=""), make_article("c")]
        out = fn.run_batch(articles)
        assert isinstance(out, list) and calls == ["a", "", "c"]
        assert [o.text for o in out if not hasattr(o, "tag")] == ["A", "C"]
        (failed,) = [o for o in out if hasattr(o, "tag")]  # one dead letter, the others go on
        assert failed.tag == "failures" and failed.value.stage == "upper"
    finally:
        fn.finish_bundle()
        fn.teardown()


def test_a_batching_step_collects_its_lists_itself_and_flushes_the_rest_at_the_bundle_end():
    """BatchingFn gets one element at a time and runs run_batch() on each full list; the
    bundle's last, shorter list goes out in finish_bundle(), in the global window, outputs to
    other tags keeping their tag. No PCollection of lists is left for Beam to sample."""
    from apache_beam import pvalue
    from apache_beam.transforms.window import GlobalWindow
    from apache_beam.utils.windowed_value import WindowedValue

    from transforms.core.failures import BatchingFn

    class _Sizes(BatchingFn):
        def run_batch(self, batch):
            return [len(batch), pvalue.TaggedOutput("first", batch[0])]

    fn = _Sizes(3)
    fn.start_bundle()
    out = [o for k in range(7) for o in fn.process(k)]
    assert [o if isinstance(o, int) else (o.tag, o.value) for o in out] == [
        3,
        ("first", 0),
        3,
        ("first", 3),
    ]
    size, first = fn.finish_bundle()
    assert isinstance(size, WindowedValue) and size.value == 1
    assert size.windows == (GlobalWindow(),)
    assert first.tag == "first" and first.value.value == 6
    fn.start_bundle()
    assert list(fn.finish_bundle()) == []  # an empty bundle calls nothing


def test_a_batched_step_gives_what_the_step_gives_one_article_at_a_time():
    import apache_beam as beam
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.core.failures import ARTICLES, FAILURES, article_step

    texts = [f"text {k}" if k % 7 else "" for k in range(150)]
    articles = [make_article(t or "x")._replace(text=t) for t in texts]
    expected = [t.upper() for t in texts if t]
    for batch in (1, 4, 64):
        with TestPipeline() as p:
            out = (
                p
                | f"Create{batch}" >> beam.Create(articles)
                | f"Step{batch}" >> article_step(_Upper(), batch)
            )
            got = out[ARTICLES] | f"Text{batch}" >> beam.Map(lambda a: a.text)
            assert_that(got, equal_to(expected), label=f"Articles{batch}")
            stages = out[FAILURES] | f"Stage{batch}" >> beam.Map(lambda f: f.stage)
            assert_that(stages, equal_to(["upper"] * texts.count("")), label=f"Failures{batch}")
