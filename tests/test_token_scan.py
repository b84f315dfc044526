"""token_scan: the C scanner (where setup.py built it) gives the tokens and offsets the
reference pattern in token_scan.py gives, for every code point."""

from __future__ import annotations

import re
from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import python_twin
from transforms.core import compiled
from transforms.entities import token_scan, tokens

REFERENCE = python_twin("transforms", "entities", "token_scan.py")


def _by_pattern(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in REFERENCE.TOKEN_RE.finditer(text)]


# Where tokens.py may split, as it once found them: a pattern over the whole text, each match's
# position then looked up among the tokens' starts.
_SPECIAL = re.compile(
    f"['’]|[{REFERENCE._CAPITAL}](?<=[{REFERENCE._SMALL}]{{2}}[{REFERENCE._CAPITAL}])"
    f"(?=[{REFERENCE._SMALL}])"
)


def _marked_by_pattern(text: str) -> tuple[list[tuple[str, int, int]], list[int]]:
    found = _by_pattern(text)
    starts = [t[1] for t in found]
    return found, sorted({bisect_right(starts, m.start()) - 1 for m in _SPECIAL.finditer(text)})


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_scanner_runs_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(token_scan)


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("", []),
        ("l'Ucraina", [("l'Ucraina", 0, 9)]),
        (
            "Putin’s po' 'quote'",
            [("Putin’s", 0, 7), ("po'", 8, 11), ("'", 12, 13), ("quote'", 13, 19)],
        ),
        ("a''b", [("a'", 0, 2), ("'", 2, 3), ("b", 3, 4)]),
        (
            "x_1, 北京\u00a0ж!",
            [("x_1", 0, 3), (",", 3, 4), ("北京", 5, 7), ("ж", 8, 9), ("!", 9, 10)],
        ),
        # a combining mark is no word character to re: it stands alone
        (
            "e\u0301 \U0001d400\u2009٣",
            [("e", 0, 1), ("\u0301", 1, 2), ("\U0001d400", 3, 4), ("٣", 5, 6)],
        ),
    ],
)
def test_tokens_and_offsets(text, tokens):
    assert token_scan.matches(text) == tokens == _by_pattern(text)


def test_every_code_point_is_read_as_the_pattern_reads_it():
    """Each character alone, inside a word, after an apostrophe and before one: word
    characters, spaces and the rest fall where re puts them. Planes 4-13 (unassigned), 15 and
    16 (private use) hold no word character and no space: checked, then left out of the scan."""
    for block in (*range(0, 0x40000, 0x1000), *range(0xE0000, 0xF0000, 0x1000)):
        chars = [chr(cp) for cp in range(block, block + 0x1000)]
        text = "".join(f"{c} a{c}b'{c}' " for c in chars)
        assert token_scan.matches(text) == _by_pattern(text), hex(block)
    rest = (*range(0x40000, 0xE0000), *range(0xF0000, 0x110000))
    assert not any(chr(cp).isalnum() or chr(cp).isspace() for cp in rest)


def test_every_code_point_is_marked_as_the_pattern_marks_it():
    """Each character of the first planes as a capital glued between small letters, as a small
    letter before a capital, and beside apostrophes: the tokens that hold a mark are the ones
    the pattern over the whole text finds."""
    for block in range(0, 0x40000, 0x1000):
        chars = [chr(cp) for cp in range(block, block + 0x1000)]
        text = "".join(f"{c} a{c}b'{c}' xy{c}z {c}{c}Ab " for c in chars)
        expected = _marked_by_pattern(text)
        assert token_scan.marked(text) == expected, hex(block)
        assert REFERENCE.marked(text) == expected, hex(block)


def test_the_glue_letters_are_the_ones_tokens_splits_at():
    assert tokens._LOWER == f"[{REFERENCE._SMALL}]"
    assert tokens._UPPER == f"[{REFERENCE._CAPITAL}]"


@given(
    st.text(
        alphabet=st.sampled_from("aZé1_ '’-.,:\n\t\u00a0\u2009\u3000\u200b北京ж٣\u0301bÉ×÷"),
        max_size=60,
    )
)
@settings(max_examples=500, deadline=None)
def test_any_text_is_cut_as_the_pattern_cuts_it(text):
    """Both place each token where the pattern matched it, whatever white space (no-break, thin,
    ideographic) lies between: the reference places findall's strings with str.find."""
    assert token_scan.matches(text) == _by_pattern(text)
    assert REFERENCE.matches(text) == _by_pattern(text)
    assert token_scan.marked(text) == REFERENCE.marked(text) == _marked_by_pattern(text)


def test_only_a_str_is_scanned():
    with pytest.raises(TypeError):
        token_scan.matches(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        token_scan.marked(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a marked token inside a run of Han characters: cut into its pieces, then at its marks
        (
            "在北京l'Ucraina会见anniversaryChina",
            [
                ("在", 0, 1), ("北", 1, 2), ("京", 2, 3), ("l'", 3, 5), ("Ucraina", 5, 12),
                ("会", 12, 13), ("见", 13, 14), ("anniversary", 14, 25), ("China", 25, 30),
            ],
        ),
        ("Putin's 東京", [("Putin", 0, 5), ("'s", 5, 7), ("東", 8, 9), ("京", 9, 10)]),
    ],
)  # fmt: skip
def test_marked_tokens_split_beside_cjk_as_before(text, expected):
    """Measured on the tokenizer before the scan marked tokens (it searched the whole text)."""
    assert tokens.tokenize(text) == expected


# ---- joined_keys: the text the gazetteer's automaton reads ---------------------------------


def _key_of(word: str) -> str:
    return f"<{word}>"


def _keys_before(words: list[str]) -> str:
    """Gazetteer.match's keys as it built them before token_scan.c (session 37)."""
    keys = [
        w
        if "’" not in w and w[-1] != "'" and not w.isupper() and not "\u0400" <= w[0] <= "\u04ff"
        else _key_of(w)
        for w in words
    ]
    return " " + " ".join(keys) + " "


@pytest.mark.parametrize("impl", [token_scan, REFERENCE], ids=["built", "reference"])
def test_joined_keys(impl):
    words = ["Putin", "PUTIN", "l'", "l’Ucraina", "Москве", "A", "a", "ǅ", "Ǆx", "1", "2A", "é"]
    joined = impl.joined_keys([(w, 0, 0) for w in words], _key_of)
    assert joined == " Putin <PUTIN> <l'> <l’Ucraina> <Москве> <A> a ǅ Ǆx 1 <2A> é "
    assert joined == _keys_before(words)
    assert impl.joined_keys([], _key_of) == "  "


def test_every_code_point_is_keyed_as_before():
    """Each character alone, first and last in a word, between capitals. (The reference is the
    comprehension it replaced, so the C one is held to it here, and both on random words.)"""
    planes = (0, 1, 2, 3, 14)
    for block in (b for p in planes for b in range(p << 16, (p + 1) << 16, 0x1000)):
        chars = [chr(c) for c in range(block, block + 0x1000)]
        words = [w for c in chars for w in (c, f"{c}x", f"X{c}", f"A{c}B")]
        tokens = [(w, 0, 0) for w in words]
        assert token_scan.joined_keys(tokens, _key_of) == _keys_before(words), hex(block)
    # the other planes hold no cased character: each is its own key, as "x" is
    others = (c for p in range(17) if p not in planes for c in range(p << 16, (p + 1) << 16))
    assert not any(chr(c).isupper() or chr(c).islower() for c in others)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec=None), min_size=1, max_size=8), max_size=30))
def test_any_words_are_keyed_as_before(words):
    tokens = [(w, 0, 0) for w in words]
    expected = _keys_before(words) if words else "  "
    assert token_scan.joined_keys(tokens, _key_of) == expected
    assert REFERENCE.joined_keys(tokens, _key_of) == expected


@pytest.mark.skipif(compiled.pure_python_requested(), reason="the C module's own checks")
def test_joined_keys_checks_what_it_is_given():
    with pytest.raises(TypeError):
        token_scan.joined_keys((("a", 0, 0),), _key_of)  # a tuple of tokens, not a list
    with pytest.raises(TypeError):
        token_scan.joined_keys([["a", 0, 0]], _key_of)
    with pytest.raises(TypeError):
        token_scan.joined_keys([(b"A", 0, 0)], _key_of)
    with pytest.raises(TypeError):
        token_scan.joined_keys([("A", 0, 0)], lambda w: 1)
    with pytest.raises(ZeroDivisionError):
        token_scan.joined_keys([("a", 0, 0), ("A", 0, 0), ("b", 0, 0)], lambda w: 1 / 0)
