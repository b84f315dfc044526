"""core/space_scan: the C fold and collapse (where setup.py built it) give what the reference
gives, for every code point; normalise_text() gives what it gave before space_scan."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import python_twin
from transforms.core import compiled, identity, space_scan

REFERENCE = python_twin("transforms", "core", "space_scan.py")
FOLDS = identity._PUNCT_CHARS
ONLY_C = pytest.mark.skipif(
    compiled.pure_python_requested(), reason="the C module's own checks; the .py twin runs"
)


def _normalise_before(text: str) -> str:
    """normalise_text() as it was before space_scan (session 37): fold, case fold, collapse."""
    pattern = re.compile("[" + "".join(FOLDS) + "]")
    text = pattern.sub(lambda m: FOLDS[m.group()], unicodedata.normalize("NFKC", text))
    return " ".join(text.casefold().split())


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_scan_runs_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(space_scan)


@pytest.mark.parametrize(
    "text, folded",
    [
        ("", ""),
        (" \t\n ", ""),
        ("  l’Ucraina\u00a0— «sì»  ", 'l\'Ucraina - "sì"'),
        ("a \u200b b\u200bc", "a bc"),  # a character that goes joins the runs either side
        ("\u200b a\u2028\u3000b \u200b", "a b"),
        ("Straße İ \U0001d400", "Straße İ \U0001d400"),  # no case fold here
    ],
)
def test_fold_spaces(text, folded):
    assert space_scan.fold_spaces(text, FOLDS) == folded == REFERENCE.fold_spaces(text, FOLDS)


def test_every_code_point_is_read_as_the_reference_reads_it():
    """Each character alone, between letters and between spaces, every plane; and
    normalise_text() as it was."""
    for block in range(0, 0x110000, 0x1000):
        text = "".join(f"{c} a{c}b " for c in map(chr, range(block, block + 0x1000)))
        assert space_scan.fold_spaces(text, FOLDS) == REFERENCE.fold_spaces(text, FOLDS), hex(block)
        assert identity.normalise_text(text) == _normalise_before(text), hex(block)


def test_case_folding_makes_and_unmakes_no_white_space_and_no_fold():
    """Why normalise_text() may collapse before it case-folds."""
    for c in map(chr, range(0x110000)):
        folded = c.casefold()
        if folded != c:
            assert not c.isspace() and c not in FOLDS
            assert not any(x.isspace() or x in FOLDS for x in folded), hex(ord(c))


@pytest.mark.parametrize(
    "folds", [{}, {"a": ""}, {"a": "b", "b": "a"}, {" ": "x", "x": " "}, {"\U0001f600": "é"}]
)
def test_any_folds(folds):
    text = "a b  x\U0001f600 ab\tba " + "".join(map(chr, range(0x80, 0x400)))
    assert space_scan.fold_spaces(text, folds) == REFERENCE.fold_spaces(text, folds)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_any_text(text):
    assert space_scan.fold_spaces(text, FOLDS) == REFERENCE.fold_spaces(text, FOLDS)
    assert identity.normalise_text(text) == _normalise_before(text)


@ONLY_C
def test_folds_are_one_character_to_at_most_one():
    for folds in ({"ab": "c"}, {"a": "bc"}, {"": "c"}, {1: "c"}, {"a": None}):
        with pytest.raises(ValueError):
            space_scan.fold_spaces("text", folds)
    with pytest.raises(ValueError):
        space_scan.fold_spaces("text", {chr(0x100 + k): "" for k in range(65)})
    with pytest.raises(TypeError):
        space_scan.fold_spaces(b"text", {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        space_scan.fold_spaces("text", [])  # type: ignore[arg-type]
