"""The token pattern's matches with their offsets: str -> [(text, start, end)].

token_scan.c is this function in C, built beside this file by setup.py where a C compiler is found
(README, "Compiled modules"); Python imports it first. This file is its reference, and what runs
without the build or with NEWSBEAM_PURE_PYTHON=1.
"""

from __future__ import annotations

import re

# Words, with the apostrophes inside or after them ("l'Ucraina", "Putin's", "po'"), and every
# other character but white space on its own. token_scan.c reads \w and \s as re does on str.
TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*['’]?|[^\w\s]")


def matches(text: str) -> list[tuple[str, int, int]]:
    """Every match of TOKEN_RE with its offsets. findall's strings are placed with str.find:
    every character but white space belongs to a match, so the next match starts at the first
    occurrence of its text after the last one's end (one call per token, not three on a match
    object)."""
    tokens: list[tuple[str, int, int]] = []
    find, end = text.find, 0
    for word in TOKEN_RE.findall(text):
        start = find(word, end)
        end = start + len(word)
        tokens.append((word, start, end))
    return tokens
