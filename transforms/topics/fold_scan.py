"""Lower-cased text as the topic matcher reads it: accents folded, every character that is neither
a word character nor a space made a space, one character for one (offsets stay valid).

fold_scan.c is this function in C, built beside this file by setup.py where a C compiler is found
(README, "Compiled modules"); Python imports it first. This file is its reference, and what runs
without the build or with NEWSBEAM_PURE_PYTHON=1. tests/test_fold_scan.py holds the two together
on every code point.
"""

from __future__ import annotations

import re
from functools import lru_cache

FIRST = 0xC0  # the code point table[0] folds
_NON_WORD = re.compile(r"[^\w ]")


def fold_words(text: str, table: str) -> str:
    """Each character of text from FIRST on that table folds (table[ord(c) - FIRST], itself where
    it has no fold) replaced by its fold; then each that is not a word character (\\w as re reads
    it on str) nor a space, replaced by a space."""
    accented, folds = _pattern(table)
    if accented is not None:
        text = accented.sub(lambda m: folds[m.group()], text)
    return _NON_WORD.sub(" ", text)


@lru_cache(maxsize=4)
def _pattern(table: str) -> tuple[re.Pattern | None, dict[str, str]]:
    folds = {chr(FIRST + i): c for i, c in enumerate(table) if ord(c) != FIRST + i}
    if not folds:
        return None, folds
    return re.compile("[" + "".join(map(re.escape, folds)) + "]"), folds
