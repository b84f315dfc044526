"""Quality gate: a fixed sample of lingua's test data (the first N sentences and word pairs of it,
en, fr, de, es, pt, nl, ru, uk, zh) through detect_language(), with every language the backend
knows enabled. Floors sit just under what was measured; bench/eval_language.py has the full run."""

from __future__ import annotations

import functools

import pytest

from tests.conftest import shared_path
from transforms.language.backends import available, load_backend
from transforms.language.detect import DEFAULT_BACKEND, detect_language

pytestmark = pytest.mark.quality

LANGUAGES = ("it", "en", "fr", "de", "es", "pt", "nl", "ru", "uk", "zh")

# (backend, granularity, items per language, floor on the mean %, floor for every language %),
# pinned just under what this sample measured on 2026-11-22 (mean, worst language in comments).
# langdetect is left out (~4 ms an item: the slowest gate; bench covers it); lingua's sentences
# use a smaller sample because its models for 75 languages take seconds to load and score.
GATES = [
    (DEFAULT_BACKEND, "sentences", 100, 99.2, 97.0),  # fasttext+py3langid: 99.7, uk 98
    (DEFAULT_BACKEND, "word-pairs", 100, 86.0, 62.0),  # 87.2, pt 64
    ("fasttext-lite", "sentences", 100, 99.0, 97.0),  # 99.5, fr/uk 98
    ("fasttext-lite", "word-pairs", 100, 83.5, 55.0),  # 84.6, pt 57
    ("lingua+fasttext", "sentences", 30, 99.0, 96.0),  # 100.0, all 100
    ("lingua+fasttext", "word-pairs", 100, 92.0, 80.0),  # 93.4, es 83
]


@functools.cache
def detector(backend: str):
    return load_backend(backend)


def accuracy(backend: str, granularity: str, sample: int) -> dict[str, float]:
    folder = shared_path("eval", "langid", "language-testdata", granularity)
    result = {}
    for lang in LANGUAGES:
        lines = (folder / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        items = [line.strip() for line in lines if line.strip()][:sample]
        correct = sum(detect_language(None, item, detector(backend))[0] == lang for item in items)
        result[lang] = 100.0 * correct / len(items)
    return result


@pytest.mark.parametrize("backend,granularity,sample,mean_floor,language_floor", GATES)
def test_accuracy_floor(backend, granularity, sample, mean_floor, language_floor):
    if not available(backend):
        pytest.skip(f"{backend} is an optional backend and is not installed")
    per_language = accuracy(backend, granularity, sample)
    mean = sum(per_language.values()) / len(per_language)
    assert mean >= mean_floor, f"{backend} {granularity}: mean {mean:.1f} < {mean_floor}"
    worst = min(per_language, key=per_language.get)
    assert per_language[worst] >= language_floor, (
        f"{backend} {granularity}: {worst} {per_language[worst]:.1f} < {language_floor}"
    )
