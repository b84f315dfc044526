"""The words a signature is made of: the runs of word characters of a text, r"\\w+" as re reads
it on str.

word_scan.c is this function in C, built beside this file by setup.py where a C compiler is
found (README, "Compiled modules"); Python imports it first. This file is its reference, and what
runs without the build or with NEWSBEAM_PURE_PYTHON=1. tests/test_word_scan.py holds the two
together on every code point.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Every run of word characters, in order."""
    return WORD_RE.findall(text)
