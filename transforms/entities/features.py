"""What the statistical tagger sees of each token of a Doc: Doc -> one feature list per token.

Most features say nothing of a language (shape, capitals, where a sentence starts, whether the
gazetteer knows the name, whether the text also writes the word in lower case), so one model
serves every language it was trained on and lends some of it to the ones it was not.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from transforms.entities.doc import Doc

_SHAPE_RUNS = re.compile(r"(.)\1+")


def shape(word: str) -> str:
    """Xxxx -> Xx, NATO -> X, 2026 -> d, Ban-Ki -> Xx-Xx: letter classes with runs collapsed."""
    classes = "".join(
        "X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word
    )
    return _SHAPE_RUNS.sub(r"\1", classes)


def _gazetteer_tags(doc: Doc) -> list[str]:
    """Per token: B-LABEL / I-LABEL of the gazetteer match over it (with the entry's kind), or
    an empty string."""
    tags = [""] * len(doc.tokens)
    for m in doc.matches:
        entry = doc.gaz.entries[m.entry]
        for k in range(m.i, m.j):
            tags[k] = ("B-" if k == m.i else "I-") + entry.label + ":" + entry.kind
    return tags


class _Word(NamedTuple):
    """A word's features: its own, and what its neighbours see of it."""

    own: tuple[str, ...]  # lower-cased word, shape, prefix, suffixes
    before: tuple[str, str]  # as the token before another: word and shape
    after: tuple[str, str]  # as the token after another
    two_before: str  # shape, two tokens away
    two_after: str
    opening: str  # its shape where it opens a sentence ("Xx" there says little)


class _WordFeatures(dict):
    """Word -> _Word. Words repeat, so each is built once per process (bounded: cleared when it
    grows past _CACHE_SIZE)."""

    def __missing__(self, word: str) -> _Word:
        if len(self) > _CACHE_SIZE:
            self.clear()
        low = word.lower()
        w, s = "w=" + low, "s=" + shape(word)
        own = (w, s, "p3=" + low[:3], "x2=" + low[-2:], "x3=" + low[-3:], "x4=" + low[-4:])
        self[word] = out = _Word(
            own, ("-1" + w, "-1" + s), ("1" + w, "1" + s), "-2" + s, "2" + s, "si=" + s
        )
        return out


_CACHE_SIZE = 50_000
_WORDS = _WordFeatures()


def _own(doc: Doc, k: int, word: str, gaz: str) -> list[str]:
    known = _WORDS[word]
    feats = ["b", *known.own, "g=" + gaz]
    if doc.initial[k]:
        feats += ["init", known.opening]
    if doc.shouting[k]:
        feats.append("loud")
    if doc.cap[k] and doc.lows[k] in doc.lower:
        feats.append("seen_low")  # the text also writes this word in lower case
    if word in doc.gaz.first_names:
        feats.append("first_name")
    if len(word) == 1:
        feats.append("one")
    return feats


def token_features(doc: Doc) -> list[list[str]]:
    """One list of feature strings per token of doc, for pycrfsuite."""
    gaz = _gazetteer_tags(doc)
    words, lows = [t[0] for t in doc.tokens], doc.lows
    n = len(words)
    out = []
    for k, word in enumerate(words):
        feats = _own(doc, k, word, gaz[k])
        if k:
            feats += [*_WORDS[words[k - 1]].before, "-1g=" + gaz[k - 1]]
            feats.append("-1b=" + lows[k - 1] + "|" + lows[k])  # the two words together
        else:
            feats.append("-1edge")
        if k + 1 < n:
            feats += [*_WORDS[words[k + 1]].after, "1g=" + gaz[k + 1]]
            feats.append("1b=" + lows[k] + "|" + lows[k + 1])
        else:
            feats.append("1edge")
        if k > 1:
            feats += [_WORDS[words[k - 2]].two_before, "-2g=" + gaz[k - 2], "-2w=" + lows[k - 2]]
        if k + 2 < n:
            feats += [_WORDS[words[k + 2]].two_after, "2g=" + gaz[k + 2], "2w=" + lows[k + 2]]
        out.append(feats)
    return out
