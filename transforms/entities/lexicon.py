"""English dictionary words. In English a capital opens every sentence, so a capitalised word
there is a name only with evidence; a word no dictionary has is such evidence ("Winstone
enrolled at…", "Aldrin has been married three times"). Word -> is it an unknown word.

The words ship in data/english_words.txt.gz (SCOWL's lower-case entries, built by
bench/build_english_words.py; its copyright notice is data/english_words.COPYRIGHT).
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources


@cache
def english_words() -> frozenset[str]:
    """The bundled English words, lower case (read once per process)."""
    path = resources.files("transforms.entities") / "data" / "english_words.txt.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def unknown_word(word: str) -> bool:
    """A word of letters, not all capitals, that the English dictionary does not have."""
    return word.isalpha() and not word.isupper() and word.lower() not in english_words()
