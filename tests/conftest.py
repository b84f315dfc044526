"""Shared test fixtures: where the repository and ../shared are, one Article factory, and the
heavy resources (gazetteer, lexicons) loaded once per session."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from transforms.core import compiled, identity
from transforms.core.records import Article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
# .ci/run sets this: in CI a missing ../shared is a broken checkout, so quality gates fail there
# instead of skipping quietly.
REQUIRE_SHARED = os.environ.get("NEWSBEAM_REQUIRE_SHARED") == "1"
# `make test` runs one pytest-xdist worker per core: a library's own thread pool (the e5 model's
# OpenMP) would only contend with the other workers' tests, so each worker's tests get one thread.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_sessionstart(session):
    """A module compiled before its source was edited would be tested in its old version."""
    stale = compiled.stale_builds_in_use()
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        pytest.exit(
            f"edited since they were compiled: {names}. Run `make compiled` to rebuild them, or "
            f"set {compiled.PURE_PYTHON_ENV}=1 to test the Python sources",
            returncode=3,
        )


def pytest_collection_modifyitems(config, items):
    """The tests marked slow or cluster first, each group in file order: pytest-xdist's workers
    start the minute-long ones early and end on short ones, instead of one worker finishing a
    long test alone while the others idle."""
    heavy = ("slow", "cluster")
    items.sort(key=lambda item: not any(item.get_closest_marker(m) for m in heavy))


def python_twin(*parts: str) -> ModuleType:
    """The .py file of a module written in C by hand (setup.py's NATIVE), loaded from its file
    as a module of its own, whatever Python imported first: the reference its C twin is held to."""
    path = ROOT.joinpath(*parts)
    spec = importlib.util.spec_from_file_location(f"{path.stem}_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test saying which path it needs (fail in CI)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"needs {path} (the team's shared/ folder beside the checkout)"
        if REQUIRE_SHARED:
            pytest.fail(message)
        pytest.skip(message)
    return path


def make_article(
    text: str | None = "text",
    *,
    url: str | None = None,
    source_uri: str = "mem://test",
    published: int | None = None,
    ingested: int = 0,
    **fields,
) -> Article:
    """An Article as parse would build it: identity fields derived from url/guid/source_uri the
    same way, published_at_source "feed" when dated, content_hash of the text. Any field can be
    given directly (article_id, canonical_url, language, entities, …)."""
    canonical = fields.pop("canonical_url", identity.canonical_url(url))
    aid = fields.pop("article_id", None) or identity.article_id(
        canonical, fields.get("guid"), source_uri, 0
    )
    base = {
        "article_id": aid,
        "url": url,
        "canonical_url": canonical,
        "source_uri": source_uri,
        "source_name": None,
        "title": None,
        "text": text,
        "summary": None,
        "authors": (),
        "published_at": published,
        "published_at_source": "feed" if published is not None else "none",
        "ingested_at": ingested,
        "content_hash": identity.content_hash(text) if isinstance(text, str) else "",
    }
    base.update(fields)
    return Article(**base)


@pytest.fixture(scope="session")
def gaz():
    """The bundled gazetteer, loaded once for the whole session (it takes about a second)."""
    from transforms.entities.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def lexicon():
    """The bundled topic lexicons (IPTC labels, keyword lists per language), loaded once."""
    from transforms.topics.lexicon import load_lexicon

    return load_lexicon()


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    """A core.cache directory shared by the session's tests (never the user's own cache)."""
    from transforms.core.cache import Cache

    return Cache(str(tmp_path_factory.mktemp("model-cache")))


@pytest.fixture(scope="session")
def embedder(lexicon, model_cache):
    """The optional e5 topic model with its prototypes, loaded once (their embeddings take about
    30 s, then sit in model_cache for the pipeline tests' workers): every test that scores with e5
    shares it. Skips, saying why, where the embeddings extra is not installed."""
    from transforms.topics.embedding import TopicEmbedder, embedding_backend_problem

    problem = embedding_backend_problem()
    if problem:
        pytest.skip(problem)
    return TopicEmbedder(lexicon.topics, cache=model_cache)
