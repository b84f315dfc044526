"""The language step's scans of every span: its words without names and addresses, its letters,
and py3langid's byte automaton.

scan.c is this file in C, built beside it by setup.py where a C compiler is found (README,
"Compiled modules"); Python imports it first. This file is its reference, and what runs without
the build or with NEWSBEAM_PURE_PYTHON=1. tests/test_language_scan.py holds the two together.
"""

from __future__ import annotations

import functools
import re

import numpy as np


def count_letters(text: str) -> int:
    """How many characters backends.WORD's runs cover, r"[^\\W\\d_]+": to `re`, a word character
    is one isalnum() accepts or an underscore, and a digit one isdecimal() accepts. One table
    lookup per character; a text with a character past the BMP (emoji, rare CJK) asks each."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not codes.size:
        return 0
    if codes.max() > 0xFFFF:
        return sum(1 for c in text if c.isalnum() and not c.isdecimal())
    return int(_letter_table()[codes].sum())


@functools.cache
def _letter_table() -> np.ndarray:
    """1 for each BMP code point count_letters() counts. Built once per process."""
    return np.fromiter(
        (c.isalnum() and not c.isdecimal() for c in map(chr, range(0x10000))),
        dtype=np.uint8,
        count=0x10000,
    )


def visit_counts(nextmove, rowbase, output, data: bytes) -> dict[int, int] | None:
    """py3langid's visit_counts: its tokenizer automaton walked over the text's UTF-8 bytes,
    and how often each feature it emits was seen, in the order first seen; None for none.
    nextmove, rowbase and output are sequences of ints (scan.c takes them as arrays of 32-bit
    integers: "I", "I" and "i")."""
    state = 0
    counts: dict[int, int] = {}
    for byte in data:
        state = nextmove[rowbase[state] + byte]
        feature = output[state]
        if feature >= 0:
            counts[feature] = counts.get(feature, 0) + 1
    return counts or None


def clean_words(text: str, noise: re.Pattern) -> str:
    """text's words (split at white space, str.isspace) joined by one space, without hashtags
    and handles (a word that starts "#" or "@") and without the words holding a "." or "@" that
    `noise` finds something in (addresses, e-mails, domains)."""
    return " ".join(
        [
            t
            for t in text.split()
            if t[0] not in "#@" and (("." not in t and "@" not in t) or noise.search(t) is None)
        ]
    )
