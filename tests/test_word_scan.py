"""dedupe/word_scan: the C scan (where setup.py built it) gives the words the reference pattern
gives, for every code point."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import python_twin
from transforms.core import compiled
from transforms.dedupe import word_scan

REFERENCE = python_twin("transforms", "dedupe", "word_scan.py")


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_scan_runs_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(word_scan)


@pytest.mark.parametrize(
    "text, words",
    [
        ("", []),
        ("  ", []),
        ("l'ucraina, 2024_x!", ["l", "ucraina", "2024_x"]),
        ("北京ж٣ e\u0301 \U0001d400x", ["北京ж٣", "e", "\U0001d400x"]),  # a combining mark cuts
        ("@[`{/:", []),  # the ASCII characters either side of letters and digits
    ],
)
def test_words(text, words):
    assert word_scan.words(text) == words == REFERENCE.words(text)


def test_every_code_point_is_read_as_the_pattern_reads_it():
    """Each character alone, between word characters and between spaces, every plane."""
    for block in range(0, 0x110000, 0x1000):
        text = "".join(f"{c} a{c}b " for c in map(chr, range(block, block + 0x1000)))
        assert word_scan.words(text) == REFERENCE.WORD_RE.findall(text), hex(block)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_any_text(text):
    assert word_scan.words(text) == REFERENCE.words(text)


def test_only_a_str_is_scanned():
    with pytest.raises(TypeError):
        word_scan.words(b"bytes")  # type: ignore[arg-type]
