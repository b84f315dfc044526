"""The statistical entity tagger: a linear-chain CRF (CRFsuite) over features.py, trained by
bench/train_ner.py. Doc -> [Span], linked through the gazetteer like the rules' spans.

The weights ship in data/ner.crfsuite, the shared model, and data/ner-<language>.crfsuite, a
language's own (PROVENANCE.md says from what); nothing is downloaded.
"""

from __future__ import annotations

import re
from importlib import resources

import pycrfsuite

from transforms.entities.doc import Doc, Span
from transforms.entities.features import token_features

MODEL_FILE = "ner.crfsuite"
# A language with enough data of its own also has a model of its own, trained on that language
# alone so that its data does not pull the shared weights its way (bench/train_ner.py
# --language; German and French).
LANGUAGE_FILE = re.compile(r"ner-([a-z]{2,3})\.crfsuite")


def language_file(language: str) -> str:
    """The file of a language's own model: "ner-de.crfsuite"."""
    return f"ner-{language}.crfsuite"


LABELS = ("PER", "ORG", "LOC", "MISC")


class NerModel:
    """The loaded CRFs: the shared one, and one per language that has its own. CRFsuite holds
    the GIL while it tags, so threads may share them."""

    def __init__(self, path: str | None = None, languages: dict[str, str] | None = None):
        """path: a shared model other than the bundled one; languages: language -> the path of
        its own model. With neither, the bundled files."""
        self._blobs: list[bytes] = []  # CRFsuite reads a model in place: keep the bytes alive
        self.tagger = _open(path) if path else self._bundled(MODEL_FILE)
        if path or languages:
            self.by_language = {lang: _open(p) for lang, p in (languages or {}).items()}
            return
        data = resources.files("transforms.entities") / "data"
        found = (LANGUAGE_FILE.fullmatch(entry.name) for entry in data.iterdir())
        self.by_language = {m.group(1): self._bundled(m.group(0)) for m in found if m}

    def tags(self, doc: Doc, language: str = "und") -> list[str]:
        """BIO tag per token ("B-PER", "I-PER", "O"), by the language's own model if it has one."""
        if not doc.tokens:
            return []
        return self.by_language.get(language, self.tagger).tag(token_features(doc))

    def _bundled(self, name: str) -> pycrfsuite.Tagger:
        blob = (resources.files("transforms.entities") / "data" / name).read_bytes()
        self._blobs.append(blob)
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(blob)
        return tagger


def _open(path: str) -> pycrfsuite.Tagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(path)
    return tagger


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """BIO tags -> (first token, one past the last, label); an I- after another label opens one."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for k, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag != "O" else ""
        if label and (not kind or tag.startswith("B-") or kind != label):
            out.append((start, k, label))
            label = ""
        if kind and not label:
            start, label = k, kind
    return out


def model_spans(doc: Doc, model: NerModel, language: str = "und") -> list[Span]:
    """The model's names; a name the gazetteer knows exactly, under the same label, is linked."""
    known = {(m.i, m.j): m.entry for m in doc.matches}
    spans = []
    for i, j, label in bio_spans(model.tags(doc, language)):
        entry = known.get((i, j))
        if entry is not None and doc.gaz.entries[entry].label != label:
            entry = None
        spans.append(Span(i, j, label, entry))
    return spans
