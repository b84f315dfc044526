"""A text's characters folded by a table and its white space collapsed: the last steps of
identity.normalise_text, in one pass.

space_scan.c is this function in C, built beside this file by setup.py where a C compiler is found
(README, "Compiled modules"); Python imports it first. This file is its reference, and what runs
without the build or with NEWSBEAM_PURE_PYTHON=1. tests/test_space_scan.py holds the two together
on every code point.
"""

from __future__ import annotations

import re


def fold_spaces(text: str, folds: dict[str, str]) -> str:
    """text with each character that `folds` maps replaced by its value (one character, or none:
    the character goes), then every run of white space (str.isspace) made one space, none left at
    either end."""
    if folds:
        pattern = re.compile("[" + "".join(map(re.escape, folds)) + "]")
        text = pattern.sub(lambda m: folds[m.group()], text)
    return " ".join(text.split())
