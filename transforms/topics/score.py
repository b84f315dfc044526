"""Score IPTC Media Topics (and user topics). Article -> Article(topics=[Topic, ...] best first).

Pure scoring lives in scoring.py (score_topics() / explain_topics(), compiled); ScoreTopics is the
thin Beam shell.
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam

from transforms.core.cache import Cache
from transforms.core.failures import (
    ARTICLES,
    FAILURES,
    ArticleStep,
)
from transforms.core.records import Article, TopicEvidence
from transforms.topics import embedding
from transforms.topics.embedding import BACKENDS, TopicEmbedder
from transforms.topics.lexicon import (
    Lexicon,
    TopicFileError,
    load_custom_topics,
    load_lexicon,
)
from transforms.topics.scoring import explain_topics, score_topics

__all__ = [
    "ScoreTopics",
    "TopicEvidence",
    "TopicFileError",
    "explain_topics",
    "load_custom_topics",
    "score_topics",
]


class ScoreTopics(beam.PTransform):
    """Article -> Article with topics (and topic_evidence if explain); outputs "articles", "failures".

    backend "lexicon" (default, bundled) or "e5" (the optional embeddings extra)."""

    def __init__(
        self,
        custom_topics_path: str | None = None,
        explain: bool = False,
        backend: str = "lexicon",
        cache_dir: str | None = None,
    ):
        """cache_dir: where workers keep e5's prototype embeddings between runs (core.cache)."""
        super().__init__()
        if backend not in BACKENDS:
            raise ValueError(f"unknown topics backend {backend!r}; one of {', '.join(BACKENDS)}")
        self._custom_topics_path = custom_topics_path
        self._explain = explain
        self._backend = backend
        self._cache = Cache(cache_dir) if cache_dir else None

    def expand(self, articles):
        fn = _ScoreTopicsFn(self._custom_topics_path, self._explain, self._backend, self._cache)
        return articles | "Score" >> beam.ParDo(fn).with_outputs(FAILURES, main=ARTICLES)


class _ScoreTopicsFn(ArticleStep):
    STEP = "topics"

    def __init__(
        self,
        custom_topics_path: str | None,
        explain: bool,
        backend: str = "lexicon",
        cache: Cache | None = None,
    ):
        super().__init__()
        self._custom_topics_path = custom_topics_path
        self._explain = explain
        self._backend = backend
        self._cache = cache

    def load(self) -> tuple[Lexicon, TopicEmbedder | None]:
        lexicon = load_lexicon(self._custom_topics_path)
        e5 = self._backend == "e5"
        embedder = TopicEmbedder(lexicon.topics, cache=self._cache) if e5 else None
        return lexicon, embedder

    def apply(self, article: Article, resource: Any) -> Article:
        lexicon, embedder = resource
        args = (article.text, article.title, article.language, article.entities, lexicon, embedder)
        if not self._explain:
            return article._replace(topics=tuple(score_topics(*args)))
        topics, evidence = explain_topics(*args)
        return article._replace(topics=tuple(topics), topic_evidence=tuple(evidence))


def topics_problem(custom_topics_path: str | None, backend: str) -> str | None:
    """Why the topic flags cannot work, as "--flag value: reason"; None when they can."""
    if custom_topics_path:
        try:
            load_custom_topics(custom_topics_path)
        except (OSError, TopicFileError) as exc:
            return f"--custom-topics {exc}"
    if backend == "e5":
        problem = embedding.embedding_backend_problem()  # looked up late: tests stand it in
        if problem:
            return f"--topics-backend e5: {problem}"
    return None
