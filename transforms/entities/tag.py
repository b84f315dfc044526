"""Tag people, organisations and places, linked to Wikidata. Article -> Article(entities=...).

Pure core: tag_entities(text, gazetteer), in tagger.py (compiled). Backends: "rules" (the
bundled gazetteer plus name rules), "model" (the bundled CRF, model.py), "model+rules" (each where
it is the better one, by language), "spacy" (an installed spaCy pipeline). All link names
through the same gazetteer.
"""

from __future__ import annotations

import importlib.util
import re
from importlib import resources
from typing import Any

import apache_beam as beam
from apache_beam.utils import shared

from transforms.core.cache import Cache
from transforms.core.failures import ARTICLES, FAILURES, ArticleStep
from transforms.core.records import Article, Entity
from transforms.entities.gazetteer import Gazetteer, load_gazetteer
from transforms.entities.inflection import endings_for
from transforms.entities.lexicon import english_words, italian_words
from transforms.entities.model import NerModel
from transforms.entities.nouns import nouns_for
from transforms.entities.tagger import PASSES, rule_spans, tag_entities, tag_entities_model
from transforms.entities.tokens import token_key, tokenize

__all__ = [
    "BACKENDS",
    "PASSES",
    "TagEntities",
    "link",
    "load_backend",
    "ner_model_problem",
    "rule_spans",
    "tag_entities",
    "tag_entities_model",
    "tag_entities_spacy",
    "tag_with",
]

BACKENDS = ("rules", "model", "model+rules", "spacy")
# The languages model+rules hands to the model: those it trained on and the rules were not
# written for (German capitalises every noun; Spanish and French the rules barely know). In
# Italian and English the rules were written and measured; in languages the model never saw
# (Russian, Chinese, Portuguese, Swedish: half A of Universal NER's PUD) the gazetteer and the
# capitals serve better than a model that never saw their words.
MODEL_LANGUAGES = frozenset({"de", "es", "fr"})
# spaCy label -> ours; labels not listed (dates, numbers...) are not entities here.
SPACY_LABELS = {
    "PER": "PER",
    "PERSON": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "GPE": "LOC",
    "FAC": "LOC",
    "MISC": "MISC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}


def load_backend(backend: str, ner_model: str | None = None) -> Any:
    """What a backend needs besides the gazetteer: the CRF, a spaCy pipeline, or None."""
    if backend in ("model", "model+rules"):
        return NerModel()
    if backend == "spacy":
        problem = ner_model_problem(ner_model)
        if problem:
            raise RuntimeError(f"--ner-model {ner_model}: {problem}")
        import spacy

        return spacy.load(ner_model)
    return None


def tag_with(
    backend: str, text: str, gazetteer: Gazetteer, resource: Any, language: str = "und"
) -> list[Entity]:
    """Entities in text by the backend named, resource from load_backend(). model+rules: the
    model in the languages it trained on (MODEL_LANGUAGES), the rules in the others."""
    if backend == "spacy":
        return tag_entities_spacy(text, resource, gazetteer)
    if backend == "rules" or (backend == "model+rules" and language not in MODEL_LANGUAGES):
        return tag_entities(text, gazetteer, language)
    return tag_entities_model(text, gazetteer, resource, language)


def link(name: str, gazetteer: Gazetteer) -> tuple[str, str | None] | None:
    """(label, qid) of the gazetteer entry named exactly name, or None."""
    keys = [token_key(t[0], gazetteer.caps) for t in tokenize(name)]
    hit = gazetteer.automaton.get(" " + " ".join(keys) + " ", None) if keys else None
    if hit is None:
        return None
    entry = gazetteer.entries[hit[0]]
    return entry.label, entry.qid


def tag_entities_spacy(text: str, nlp: Any, gazetteer: Gazetteer) -> list[Entity]:
    """Entities from a spaCy pipeline's spans, linked through the gazetteer."""
    out = []
    for ent in nlp(text).ents:
        label = SPACY_LABELS.get(ent.label_)
        if label is None:
            continue
        hit = link(ent.text, gazetteer)
        qid = hit[1] if hit and hit[0] == label else None
        out.append(Entity(ent.text, label, qid, ent.start_char, ent.end_char))
    # Surnames after a linked full name take its id, as in the default backend.
    surname: dict[str, str] = {}
    for e in out:
        if e.label == "PER" and e.id and " " in e.text:
            surname.setdefault(e.text.split()[-1], e.id)
    return [e._replace(id=surname.get(e.text)) if e.label == "PER" and not e.id else e for e in out]


def ner_model_problem(model: str) -> str | None:
    """Why the spaCy model cannot be used here, or None when it can."""
    if importlib.util.find_spec("spacy") is None:
        return "spaCy is not installed (pip install spacy, then the model package)"
    import spacy.util

    if not spacy.util.is_package(model) and not _is_model_dir(model):
        return f"spaCy model {model!r} is not installed (python -m spacy download {model})"
    return None


def _is_model_dir(path: str) -> bool:
    from pathlib import Path

    return (Path(path) / "meta.json").is_file()


class TagEntities(beam.PTransform):
    """Article -> Article with entities; outputs "articles" and "failures"."""

    def __init__(
        self, backend: str = "rules", ner_model: str | None = None, cache_dir: str | None = None
    ):
        """cache_dir: where workers keep the built gazetteer between runs (core.cache)."""
        super().__init__()
        if ner_model:
            backend = "spacy"
        if backend not in BACKENDS:
            raise ValueError(f"entities backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        if backend == "spacy" and not ner_model:
            raise ValueError("entities backend 'spacy' needs ner_model, e.g. it_core_news_lg")
        self._backend = backend
        self._ner_model = ner_model
        self._cache = Cache(cache_dir) if cache_dir else None

    def expand(self, articles):
        fn = _TagEntitiesFn(self._backend, self._ner_model, shared.Shared(), self._cache)
        return articles | "Tag" >> beam.ParDo(fn).with_outputs(FAILURES, main=ARTICLES)


class _Loaded:
    """The gazetteer and the backend's model, held once per worker process (Shared needs an
    object it can reference weakly)."""

    def __init__(self, backend: str, ner_model: str | None, cache: Cache | None = None):
        self.gazetteer = load_gazetteer(cache=cache)
        self.resource = load_backend(backend, ner_model)
        load_word_data()


# The rules' per-language word data: data/nouns_<language>.tsv.gz, data/inflection_<language>.tsv.
_WORD_DATA = re.compile(r"(?:nouns_([a-z]+)\.tsv\.gz|inflection_([a-z]+)\.tsv)")


def load_word_data() -> None:
    """Read the word data the rules consult (English and Italian words, each language's nouns
    and case endings) into their per-process caches, so that a worker reads them in setup rather
    than at its first article in a language."""
    english_words()
    italian_words()
    for entry in (resources.files("transforms.entities") / "data").iterdir():
        found = _WORD_DATA.fullmatch(entry.name)
        if found and found[1]:
            nouns_for(found[1])
        elif found:
            endings_for(found[2])


class _TagEntitiesFn(ArticleStep):
    STEP = "entities"

    def __init__(
        self,
        backend: str,
        ner_model: str | None,
        handle: shared.Shared | None = None,
        cache: Cache | None = None,
    ):
        super().__init__()
        self._backend = backend
        self._ner_model = ner_model
        self._handle = handle or shared.Shared()
        self._cache = cache

    def load(self) -> Any:
        key = f"entities:{self._backend}:{self._ner_model}"
        return self._handle.acquire(
            lambda: _Loaded(self._backend, self._ner_model, self._cache), tag=key
        )

    def apply(self, article: Article, resource: Any) -> Article:
        ents = tag_with(
            self._backend, article.text, resource.gazetteer, resource.resource, article.language
        )
        return article._replace(entities=tuple(ents))
