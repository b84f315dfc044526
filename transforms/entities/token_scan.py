"""The token pattern's matches with their offsets: str -> [(text, start, end)]; and which of
them hold a mark where tokens.py may split them (an apostrophe, a glued capital).

token_scan.c is this function in C, built beside this file by setup.py where a C compiler is found
(README, "Compiled modules"); Python imports it first. This file is its reference, and what runs
without the build or with NEWSBEAM_PURE_PYTHON=1.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


# The Latin letters of the glue rule: a capital between two small letters and a third glues two
# words ("anniversaryChina"). All five are word characters, so a token holds all of them.
_SMALL, _CAPITAL = "a-zà-öø-ÿ", "A-ZÀ-ÖØ-Þ"
_GLUED = re.compile(f"(?<=[{_SMALL}]{{2}})[{_CAPITAL}](?=[{_SMALL}])")


def marked(text: str) -> tuple[list[tuple[str, int, int]], list[int]]:
    """matches(text), and the index of each token that holds an apostrophe or a glued capital,
    in order: the only tokens tokens.py may split."""
    tokens = matches(text)
    return tokens, [k for k, t in enumerate(tokens) if _holds_mark(t[0])]


def _holds_mark(word: str) -> bool:
    return "'" in word or "’" in word or _GLUED.search(word) is not None


def joined_keys(tokens: list[tuple[str, int, int]], key_of: Callable[[str], str]) -> str:
    """The text the gazetteer's automaton reads: each token's key, each framed by one space. A
    plain lower- or title-case word is its own key; key_of(word) gives the key of one with a
    "’" in it or an apostrophe at its end, one in capitals (str.isupper), or one that starts with
    a Cyrillic letter (U+0400-U+04FF)."""
    keys = [
        w
        if "’" not in w and w[-1] != "'" and not w.isupper() and not "\u0400" <= w[0] <= "\u04ff"
        else key_of(w)
        for w in (t[0] for t in tokens)
    ]
    return " " + " ".join(keys) + " "
