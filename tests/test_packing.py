"""core.packing: an Article as the run's transient bytes (spill chunks, the writer's packed rows)
comes back equal, with every field of the type it had."""

from __future__ import annotations

import math
import pickle
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from tests.conftest import make_article
from transforms.core import packing
from transforms.core.records import Entity, LanguageShare, Topic, TopicEvidence


def _types(value):
    """The type tree of a value: equal trees mean no tuple became a list, no int a float."""
    if isinstance(value, (tuple, list)):
        return (type(value), tuple(_types(v) for v in value))
    return type(value)


def _enriched():
    return make_article("Giorgia Meloni ha parlato con Joe Biden a Roma.")._replace(
        authors=["Anna Rossi", "Luca Bianchi"],  # a list stays a list
        languages=(LanguageShare("it", 0.93), LanguageShare("en", 0.07)),
        entities=(
            Entity("Giorgia Meloni", "PER", "Q3742976", 0, 14),
            Entity("Roma", "LOC", None, 42, 46),
        ),
        topics=(Topic("medtop:11000000", "politics", 0.81),),
        topic_evidence=(TopicEvidence("medtop:11000000", ("governo", "PER:Meloni")),),
        story_id="s1",
        duplicate_of="d0",
        similarity=0.91,
        paywalled=False,
        version=3,
    )


@pytest.mark.parametrize(
    "article",
    [
        make_article("plain text"),
        _enriched(),
        _enriched()._replace(topic_evidence=None, paywalled=None, authors=()),
        # values no schema would take still come back as they were
        make_article("x")._replace(modified_at=-(10**30), published_at=10**20),
        make_article("x")._replace(text="lone surrogate \udcff and \x00 NUL", article_id=None),
        make_article("x")._replace(language_confidence=float("inf"), similarity=-0.0),
    ],
    ids=["plain", "enriched", "optional-none", "huge-ints", "odd-text", "odd-floats"],
)
def test_an_article_comes_back_equal_with_the_same_types(article):
    packed = packing.pack(article)
    assert packed[:1] == b"M"  # the fast form, not the pickle fallback
    back = packing.unpack(packed)
    assert back == article
    assert type(back) is type(article)
    assert _types(tuple(back)) == _types(tuple(article))
    assert [type(e) for e in back.entities] == [type(e) for e in article.entities]


def test_nan_survives_as_nan():
    back = packing.unpack(packing.pack(make_article("x")._replace(similarity=float("nan"))))
    assert math.isnan(back.similarity)


@pytest.mark.parametrize(
    "odd",
    [
        {"language_confidence": np.float64(0.5)},  # marshal would write its buffer's bytes
        {"language_confidence": np.float32(0.5)},
        {"authors": ("a", bytearray(b"b"))},
        {"entities": [Entity("Roma", "LOC", None, 0, 4)]},  # a list of records, not a tuple
        {"topics": ((("medtop:1", "x", 0.5)),)},  # plain tuples where records belong
        {"authors": ({"name": "a"},)},
    ],
    ids=["np.float64", "np.float32", "bytearray", "entity-list", "plain-topic", "dict"],
)
def test_a_value_marshal_would_change_is_pickled_whole_and_kept_exactly(odd):
    article = make_article("text")._replace(**odd)
    packed = packing.pack(article)
    assert packed[:1] == b"P"
    back = packing.unpack(packed)
    assert pickle.dumps(back) == pickle.dumps(article)  # equal and of the same types
    assert _types(tuple(back)) == _types(tuple(article))


def test_compress_reads_back_what_it_wrote_in_any_thread():
    data = packing.pack(_enriched()) * 20
    assert packing.decompress(packing.compress(data)) == data
    assert packing.decompress(packing.compress(bytearray(data))) == data  # spill frames
    assert len(packing.compress(data)) < len(data) / 2
    assert packing.decompress(packing.compress(b"")) == b""
    # each thread has its own zstd context: used at once from several, none corrupts another
    blobs = [packing.pack(make_article(f"article {k} " * (k + 1))) for k in range(200)]
    with ThreadPoolExecutor(4) as pool:
        back = list(pool.map(lambda b: packing.decompress(packing.compress(b)), blobs * 5))
    assert back == blobs * 5
    with pytest.raises(ValueError, match="not compress"):
        packing.decompress(b"D" + zlib.compress(data))


def test_articles_the_steps_enrich_take_the_fast_form():
    """The real steps' output, not a hand-made article: a list where the records hold tuples
    sent every enriched article down the pickle path (twice the cost of packing it)."""
    from tests.conftest import SEEDS
    from transforms.core.records import Article, RawDocument
    from transforms.entities.tag import _TagEntitiesFn
    from transforms.language.detect import DEFAULT_BACKEND, _DetectLanguageFn
    from transforms.parse.step import parse_document
    from transforms.topics.score import _ScoreTopicsFn

    articles = [
        a
        for path in sorted(SEEDS.glob("*.txt"))
        for a in parse_document(RawDocument(str(path), path.read_bytes(), 0))
        if isinstance(a, Article)
    ]
    assert len(articles) == 5
    steps = (
        _DetectLanguageFn(DEFAULT_BACKEND, ()),
        _TagEntitiesFn("rules", None),
        _ScoreTopicsFn(None, False, "lexicon"),
        _ScoreTopicsFn(None, True, "lexicon"),  # --explain-topics adds topic_evidence
    )
    for step in steps:
        step.setup()
        articles = [out for a in articles for out in step.process(a)]
        assert all(type(a) is Article for a in articles)
        assert all(a.entities for a in articles) or isinstance(step, _DetectLanguageFn)
        for a in articles:
            assert packing.pack(a)[:1] == b"M", type(step).__name__
            assert packing.unpack(packing.pack(a)) == a
    assert all(a.topic_evidence for a in articles)
