"""Detect language. Article -> Article(language, language_confidence, languages).

The Beam shell of shares.py, the pure core: detect_language() per article, with the backend
loaded once per worker.
"""

from __future__ import annotations

from collections.abc import Sequence

import apache_beam as beam

from transforms.core.cache import Cache
from transforms.core.failures import ArticleStep, article_step
from transforms.core.records import Article
from transforms.language.backends import (
    FACTORIES,
    PACKAGES,
    BackendUnavailable,
    LanguageDetector,
    available,
    load_backend,
)
from transforms.language.shares import detect_language

BACKENDS: tuple[str, ...] = tuple(FACTORIES)
DEFAULT_BACKEND = "fasttext+py3langid"


def backend_problem(backend: str) -> str | None:
    """Why `backend` cannot run here (with the fix), or None: checked on the launcher."""
    if backend not in BACKENDS:
        return f"unknown language backend {backend!r}; choose one of {', '.join(BACKENDS)}"
    if not available(backend):
        return f"language backend {backend!r} is not installed: pip install {PACKAGES[backend]}"
    return None


class DetectLanguage(beam.PTransform):
    """Articles -> {"articles": with language fields set, "failures": Failure records}."""

    def __init__(
        self,
        backend: str = DEFAULT_BACKEND,
        languages: Sequence[str] = (),
        cache_dir: str | None = None,
        batch: int = 1,
    ):
        """cache_dir: where workers keep built models between runs (core.cache); None: off.
        batch: articles per call in a batch run (core.failures.article_step); 1 in a stream."""
        super().__init__()
        self._batch = batch
        problem = backend_problem(backend)
        if problem:  # fail on the launcher, not once per worker in setup()
            raise BackendUnavailable(problem) if backend in BACKENDS else ValueError(problem)
        self._backend = backend
        self._languages = tuple(
            sorted({code.strip().lower() for code in languages if code.strip()})
        )
        self._cache = Cache(cache_dir) if cache_dir else None

    def expand(self, articles):
        fn = _DetectLanguageFn(self._backend, self._languages, self._cache)
        return articles | "Detect" >> article_step(fn, self._batch)


class _DetectLanguageFn(ArticleStep):
    STEP = "language"

    def __init__(self, backend: str, languages: tuple[str, ...], cache: Cache | None = None):
        super().__init__()
        self._backend = backend
        self._languages = languages
        self._cache = cache

    def load(self) -> LanguageDetector:
        return load_backend(self._backend, self._languages, self._cache)

    def apply(self, article: Article, detector: LanguageDetector) -> Article:
        language, confidence, shares = detect_language(
            article.title, article.text, detector, self._languages
        )
        return article._replace(
            language=language, language_confidence=confidence, languages=tuple(shares)
        )
