"""topics/fold_scan: the C fold (where setup.py built it) gives the text the reference's regex
substitutions give, for every code point, and normalise() gives what its two patterns gave."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import python_twin
from transforms.core import compiled
from transforms.topics import fold_scan, keywords

REFERENCE = python_twin("transforms", "topics", "fold_scan.py")
TABLE = keywords._FOLD_TABLE
ONLY_C = pytest.mark.skipif(
    compiled.pure_python_requested(), reason="the C module's own checks; the .py twin runs"
)


def _two_patterns(text: str) -> str:
    """normalise() as it was before fold_scan (session 37), from the same fold table."""
    folds = {chr(code): base for code, base in keywords._FOLD.items()}
    accented = re.compile("[" + "".join(folds) + "]")
    return re.sub(r"[^\w ]", " ", accented.sub(lambda m: folds[m.group()], text.lower()))


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_fold_runs_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(fold_scan)


def test_the_table_folds_accents_one_for_one():
    assert fold_scan.FIRST == REFERENCE.FIRST == 0xC0
    assert TABLE[ord("é") - fold_scan.FIRST] == "e"
    assert TABLE[ord("÷") - fold_scan.FIRST] == "÷"  # no fold: itself


@pytest.mark.parametrize(
    "text, folded",
    [
        ("", ""),
        ("perché l'unione—europea, 2024_x!", "perche l unione europea  2024_x "),
        ("ÀÉÎõüçñ ßÆ ǅ", "AEIoucn ßÆ ǅ"),  # folds as the table says, no lower-casing here
        ("北京 ж٣\u0301\t\n", "北京 ж٣   "),  # a combining mark and white space but " " go
        ("\U0001d400x\U000e0001", "\U0001d400x "),
    ],
)
def test_fold_words(text, folded):
    assert fold_scan.fold_words(text, TABLE) == folded == REFERENCE.fold_words(text, TABLE)


def test_every_code_point_is_folded_as_the_patterns_fold_it():
    """Each character alone, between word characters and between spaces, every plane."""
    for block in range(0, 0x110000, 0x1000):
        text = "".join(f"{c} a{c}b " for c in map(chr, range(block, block + 0x1000)))
        want = REFERENCE.fold_words(text, TABLE)
        got = fold_scan.fold_words(text, TABLE)
        assert got == want, hex(block)
        assert len(got) == len(text)
        assert keywords.normalise(text) == f" {_two_patterns(text)} ", hex(block)


@pytest.mark.parametrize("table", ["", "a", TABLE[:5], "x" * 0x300, "\U0001f600\u4e00é"])
def test_any_table(table):
    text = "".join(map(chr, range(0x80, 0x600))) + " ab \U0001f600"
    assert fold_scan.fold_words(text, table) == REFERENCE.fold_words(text, table)


def test_a_fold_that_narrows_the_text_gives_a_str_equal_to_one_built_narrow():
    """Only "é" needs more than ASCII, and it folds: the result is ASCII as Python stores it."""
    folded = fold_scan.fold_words("é!", TABLE)
    assert folded == "e " and folded.isascii() and hash(folded) == hash("e ")
    assert fold_scan.fold_words("\U0001f600é", TABLE) == " e"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_normalise_is_what_the_two_patterns_gave(text):
    assert keywords.normalise(text) == f" {_two_patterns(text)} "
    assert fold_scan.fold_words(text, TABLE) == REFERENCE.fold_words(text, TABLE)


@ONLY_C
def test_only_strs_are_folded():
    with pytest.raises(TypeError):
        fold_scan.fold_words(b"bytes", TABLE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fold_scan.fold_words("text", None)  # type: ignore[arg-type]
