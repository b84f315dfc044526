"""The statistical entity tagger: a linear-chain CRF (CRFsuite) over features.py, trained by
bench/train_ner.py. Doc -> [Span], linked through the gazetteer like the rules' spans.

The weights ship in data/ner.crfsuite (PROVENANCE.md says from what); nothing is downloaded.
"""

from __future__ import annotations

from importlib import resources

import pycrfsuite

from transforms.entities.doc import Doc, Span
from transforms.entities.features import token_features

MODEL_FILE = "ner.crfsuite"
LABELS = ("PER", "ORG", "LOC", "MISC")


class NerModel:
    """A loaded CRF. CRFsuite holds the GIL while it tags, so threads may share one."""

    def __init__(self, path: str | None = None):
        self.tagger = pycrfsuite.Tagger()
        if path:
            self.tagger.open(path)
        else:
            # CRFsuite reads the model in place: the bytes must live as long as the tagger.
            self._blob = (resources.files("transforms.entities") / "data" / MODEL_FILE).read_bytes()
            self.tagger.open_inmemory(self._blob)

    def tags(self, doc: Doc) -> list[str]:
        """BIO tag per token ("B-PER", "I-PER", "O")."""
        if not doc.tokens:
            return []
        return self.tagger.tag(token_features(doc))


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


def model_spans(doc: Doc, model: NerModel) -> list[Span]:
    """The model's names; a name the gazetteer knows exactly, under the same label, is linked."""
    known = {(m.i, m.j): m.entry for m in doc.matches}
    spans = []
    for i, j, label in bio_spans(model.tags(doc)):
        entry = known.get((i, j))
        if entry is not None and doc.gaz.entries[entry].label != label:
            entry = None
        spans.append(Span(i, j, label, entry))
    return spans
