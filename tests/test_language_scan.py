"""language/scan: the C scans (where setup.py built them) count the letters the word pattern
covers and walk py3langid's automaton as py3langid does; the py3langid backend built on them
ranks as the library's own rank()."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS, python_twin
from transforms.core import compiled
from transforms.language import scan
from transforms.language.backends import WORD, Py3langidBackend, _restrict
from transforms.language.shares import _NOISE_TOKEN as NOISE

REFERENCE = python_twin("transforms", "language", "scan.py")
SCANS = [scan, REFERENCE]


def _letters_by_regex(text: str) -> int:
    return sum(map(len, WORD.findall(text)))


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_scans_run_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(scan)


def test_the_word_pattern_is_the_one_the_reference_describes():
    assert WORD.pattern == r"[^\W\d_]+"


def test_the_letter_table_is_the_word_pattern_on_every_bmp_character():
    table = REFERENCE._letter_table()
    matches = [WORD.fullmatch(chr(c)) is not None for c in range(0x10000)]
    assert table.tolist() == [int(m) for m in matches]


@pytest.mark.parametrize("impl", SCANS, ids=["built", "reference"])
def test_every_code_point_is_counted_as_the_pattern_counts_it(impl):
    """Each block of 4,096 code points, every plane: the letters there and the runs they make."""
    for block in range(0, 0x110000, 0x1000):
        text = "".join(chr(cp) + " x1_" for cp in range(block, block + 0x1000))
        assert impl.count_letters(text) == _letters_by_regex(text), hex(block)


@pytest.mark.parametrize("impl", SCANS, ids=["built", "reference"])
@pytest.mark.parametrize(
    "text",
    [
        "",
        "Città ² ½ 3,5 __ l'ONU",
        "平和 😀 𠀀 written",  # past the BMP
        "lone \ud800 surrogate",
        "١٢٣ abc ⅷ",
        "@[`{ AZaz",  # the ASCII characters either side of the letters
    ],
)
def test_letters_on_edge_cases(impl, text):
    assert impl.count_letters(text) == _letters_by_regex(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_letters_counts_what_the_word_pattern_covers(text):
    assert scan.count_letters(text) == REFERENCE.count_letters(text) == _letters_by_regex(text)


ONLY_C = pytest.mark.skipif(
    compiled.pure_python_requested(),
    reason="the C module's own checks; NEWSBEAM_PURE_PYTHON is set",
)


@ONLY_C
def test_count_letters_takes_only_text():
    with pytest.raises(TypeError):
        scan.count_letters(b"bytes")


@pytest.fixture(scope="module")
def backend() -> Py3langidBackend:
    return Py3langidBackend()


def _library_walk(identifier, data: bytes):
    from py3langid.langid import visit_counts

    found = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
    return dict(found) if found else None


def _texts() -> list[str]:
    """Headlines, paragraphs and scraps in several scripts, the seeds' own among them."""
    seeds = [p.read_text(encoding="utf-8")[:600] for p in sorted(SEEDS.iterdir()) if p.is_file()]
    return [
        *seeds,
        "",
        "   ",
        "1234 5678",
        "PUTIN E MELONI AL TELEFONO",
        "Il presidente del Consiglio ha sentito Zelensky",
        "Die Bundesregierung hat am Montag beschlossen",
        "Президент России провёл переговоры",
        "中国外交部发言人表示",
        "東京で会議が開かれた",
        "서울에서 회의가 열렸다",
        "مرحبا بالعالم",
        "Ελλάδα και Ιταλία",
        "😀 \ud800 mixed €",
    ]


@pytest.mark.parametrize("impl", SCANS, ids=["built", "reference"])
def test_the_walk_finds_the_features_py3langid_finds(impl, backend):
    identifier = backend._identifier
    for text in _texts():
        data = text.encode("utf8", "surrogatepass")
        found = impl.visit_counts(backend._nextmove, backend._rowbase, backend._output, data)
        expected = _library_walk(identifier, data)
        assert found == expected, text[:40]
        assert found is None or list(found) == list(expected)  # first seen first


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_the_walk_on_any_bytes(backend, data):
    found = scan.visit_counts(backend._nextmove, backend._rowbase, backend._output, data)
    assert found == _library_walk(backend._identifier, data)


@ONLY_C
def test_the_walk_refuses_arrays_of_another_width_and_leaving_its_tables():
    nextmove, rowbase, output = array("I", [0] * 256), array("I", [0]), array("i", [-1])
    assert scan.visit_counts(nextmove, rowbase, output, b"abc") is None
    with pytest.raises(TypeError):
        scan.visit_counts(array("q", [0] * 256), rowbase, output, b"abc")
    with pytest.raises(TypeError):
        scan.visit_counts(nextmove, rowbase, array("I", [0]), b"abc")
    with pytest.raises(IndexError):  # a move to a state the tables do not have
        scan.visit_counts(array("I", [5] * 256), rowbase, output, b"a")
    with pytest.raises(IndexError):  # a row past the moves
        scan.visit_counts(array("I", [0] * 10), rowbase, output, b"\xff")


def test_the_backend_ranks_as_the_library_does(backend):
    identifier = backend._identifier
    for text in _texts():
        assert backend._ranked(text) == identifier.rank(text)[:10], text[:40]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=120))
def test_the_backend_ranks_any_text_as_the_library_does(backend, text):
    assert backend._ranked(text) == backend._identifier.rank(text)[:10]


def test_a_restricted_backend_ranks_as_the_restricted_library():
    restricted = Py3langidBackend(frozenset({"it", "en", "de", "sr"}))
    identifier = restricted._identifier
    assert len(identifier.nb_classes) < 142
    for text in _texts():
        assert restricted._ranked(text) == identifier.rank(text)[:10], text[:40]


def test_scores_are_the_library_ranking_restricted(backend):
    """What the language step reads: the library's top ten, renormalised, as before."""
    text = "Il presidente del Consiglio ha sentito il presidente ucraino"
    scores = backend.scores(text)
    assert scores == _restrict(backend._identifier.rank(text)[:10], frozenset())
    assert scores[0][0] == "it"


# ---- clean_words: a span's words without names and addresses -------------------------------


def _clean_before(text: str) -> str:
    """shares._clean's filter as it was before scan.c read the words (session 37)."""
    return " ".join(
        t
        for t in text.split()
        if t[0] not in "#@" and (("." not in t and "@" not in t) or NOISE.search(t) is None)
    )


@pytest.mark.parametrize("impl", SCANS, ids=["built", "reference"])
@pytest.mark.parametrize(
    "text, words",
    [
        ("", ""),
        (" \u3000\n", ""),
        ("  Leggi su www.ansa.it e #Roma @ansa\u2028fine. ", "Leggi su e fine."),
        ("scrivi a mario.rossi@rai.it, o Internazionale.it oggi", "scrivi a o oggi"),
        ("@ # #x", ""),
        ("\u00e9t\u00e9\u00a0\U0001f600 a@b", "\u00e9t\u00e9 \U0001f600 a@b"),
        ("ascii \u3000 only", "ascii only"),  # a wide space goes: the result is ASCII
    ],
)
def test_clean_words(impl, text, words):
    assert impl.clean_words(text, NOISE) == words == _clean_before(text)


def test_every_code_point_splits_and_marks_as_split_does():
    """Each character alone, inside a word, after a "." and a "#", every plane. (The reference
    is the filter it replaced, so the C one is held to it here, and both on random text.)"""
    for block in range(0, 0x110000, 0x1000):
        text = "".join(f"{c} a{c}b x.{c}it #{c} " for c in map(chr, range(block, block + 0x1000)))
        assert scan.clean_words(text, NOISE) == _clean_before(text), hex(block)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec=None), max_size=12)
        | st.sampled_from(["www.x.it", "a@b.c", "#t", "@h", ".", "ansa.it/", " ", "\u3000"]),
        max_size=20,
    ).map("".join)
)
def test_clean_words_on_any_text(text):
    assert (
        scan.clean_words(text, NOISE) == REFERENCE.clean_words(text, NOISE) == _clean_before(text)
    )


@ONLY_C
def test_clean_words_takes_text_and_a_pattern():
    with pytest.raises(TypeError):
        scan.clean_words(b"text", NOISE)  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        scan.clean_words("a.b", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        scan.clean_words("text")  # type: ignore[call-arg]
