"""Quality gate: entity F1 on fixed samples of half B of the NER dev sets (evaluation only) and
of the check sets of the languages no dev set covers, per backend.

Floors are pinned just under what bench/eval_entities.py measured on the same samples.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT, shared_path
from transforms.entities.model import NerModel
from transforms.entities.tag import tag_with

pytestmark = pytest.mark.quality

_spec = importlib.util.spec_from_file_location("eval_entities", ROOT / "bench/eval_entities.py")
ev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ev)

# (path under ../shared, reader, documents taken from the start of half B, labels scored, P+O+L
# F1 floor). Half B is the half no choice is made on (bench/eval_entities.py half_of).
# Measured 2026-12-05 on these samples with the rules: kind 0.794, conll 0.820, wikigold 0.617;
# with the model: kind 0.581, conll 0.600, wikigold 0.559 (MODEL_FLOORS); 2026-12-04: rules 0.787,
# 0.817, 0.601, model 0.560, 0.584, 0.556. Until then the gate
# ran on each file's first 40 documents (rules, 2026-11-27: kind 0.776, conll 0.837, wikigold
# 0.597).
SAMPLES = {
    "kind": ("eval/ner/kind-it/wikinews_dev.tsv", "kind", 40, {"PER", "ORG", "LOC"}, 0.78),
    "conll": (
        "eval/ner/conll2003-en/val.conllu",
        "conllu",
        40,
        {"PER", "ORG", "LOC", "MISC"},
        0.81,
    ),
    "wikigold": (
        "eval/ner/wikigold-en/wikigold.conll.txt",
        "wikigold",
        40,
        {"PER", "ORG", "LOC", "MISC"},
        0.60,
    ),
}


MODEL_FLOORS = {"kind": 0.56, "conll": 0.58, "wikigold": 0.54}
LANGUAGE = {"kind": "it", "conll": "en", "wikigold": "en"}

# Check sets (tests/fixtures/ner_check/, written by bench/eval_entities.py --check DATA
# --write-sample): half B of the fifth of each training set the model never saw; see README.md
# there. Measured 2026-12-04 with model+rules (the rules in it and en, the model elsewhere):
# it 0.628, en 0.693, es 0.825, fr 0.463 (French is 19th-century newspaper OCR). German,
# 2026-12-05, with its own model: 0.723 on 31 documents (12 or all of Europarl's, GermEval's and
# SmartData's held-out half B; the shared model alone gives 0.655 on them). Both models retrained
# on the gazetteer with ministers and CLDR's country names (2026-12-05): de 0.731, es 0.815,
# fr 0.485. After the second pass over unknown names and the given names (both models retrained):
# it 0.629, en 0.765, de 0.722, es 0.825, fr 0.458. French's sample has held WiNER-fr's
# Wikinews (12 articles) beside HIPE's since session 26, and French its own model: 0.639 (the
# shared model on the same sample: 0.520).
CHECK_FLOORS = {"it": 0.61, "en": 0.74, "de": 0.70, "es": 0.80, "fr": 0.61}
# The rules (the default backend) on the same German sample, 2026-12-05: 0.531 with the German
# noun list (nouns.py), 0.355 without it; 0.541 after the second pass.
RULES_CHECK_FLOORS = {"de": 0.52}


@pytest.fixture(scope="module")
def model():
    return NerModel()


def _f1(docs, tagger, labels) -> float:
    res = ev.evaluate(docs, tagger, labels)
    return ev.prf(*(sum(res[k][x] for x in ev.CORE) for k in ("tp", "fp", "fn")))[2]


@pytest.mark.parametrize("backend", ["rules", "model"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_entity_f1_floor(name, backend, gaz, model):
    rel, fmt, ndocs, labels, floor = SAMPLES[name]
    floor = floor if backend == "rules" else MODEL_FLOORS[name]
    docs = ev.take_half(ev.read_conll(shared_path(*rel.split("/")), fmt), "B")[:ndocs]
    lang = LANGUAGE[name]
    f1 = _f1(docs, lambda text: tag_with(backend, text, gaz, model, lang), labels)
    print(name, backend, round(f1, 4))
    assert f1 >= floor, f"{name}, {backend}: PER+ORG+LOC entity F1 {f1:.3f} fell under {floor}"


@pytest.mark.parametrize("lang", sorted(CHECK_FLOORS))
def test_check_set_f1_floor(lang, gaz, model):
    docs = ev.read_conll(ROOT / "tests/fixtures/ner_check" / f"{lang}.conll", "conll")
    labels = {"PER", "ORG", "LOC", "MISC"}
    f1 = _f1(docs, lambda text: tag_with("model+rules", text, gaz, model, lang), labels)
    print(lang, round(f1, 4))
    floor = CHECK_FLOORS[lang]
    assert f1 >= floor, f"check set {lang}: PER+ORG+LOC entity F1 {f1:.3f} fell under {floor}"


@pytest.mark.parametrize("lang", sorted(RULES_CHECK_FLOORS))
def test_check_set_rules_f1_floor(lang, gaz):
    docs = ev.read_conll(ROOT / "tests/fixtures/ner_check" / f"{lang}.conll", "conll")
    labels = {"PER", "ORG", "LOC", "MISC"}
    f1 = _f1(docs, lambda text: tag_with("rules", text, gaz, None, lang), labels)
    print(lang, "rules", round(f1, 4))
    floor = RULES_CHECK_FLOORS[lang]
    assert f1 >= floor, (
        f"check set {lang}, rules: PER+ORG+LOC entity F1 {f1:.3f} fell under {floor}"
    )
