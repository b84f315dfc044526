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
