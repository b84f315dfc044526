"""English and Italian dictionary words. In English a capital opens every sentence, so a
capitalised word there is a name only with evidence; a word no dictionary has is such evidence
("Winstone enrolled at…", "Aldrin has been married three times"). Italian capitalises titles,
bodies and eras ("Forze Armate", "Nuovo Mondo"): names made only of dictionary words are rarely
people's. Word -> is it an unknown word.

The words ship in data/english_words.txt.gz (SCOWL's lower-case entries, built by
bench/build_english_words.py; its copyright notice is data/english_words.COPYRIGHT) and
data/italian_words.txt.gz (napolux/paroleitaliane, built by bench/build_italian_words.py; its
licence is data/italian_words.LICENSE).
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources


def _words(name: str) -> frozenset[str]:
    path = resources.files("transforms.entities") / "data" / name
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def english_words() -> frozenset[str]:
    """The bundled English words, lower case (read once per process)."""
    return _words("english_words.txt.gz")


@cache
def italian_words() -> frozenset[str]:
    """The bundled Italian words, lower case (read once per process)."""
    return _words("italian_words.txt.gz")


def unknown_word(word: str) -> bool:
    """A word of letters, not all capitals, that the English dictionary does not have."""
    return word.isalpha() and not word.isupper() and word.lower() not in english_words()


def italian_word(word: str) -> bool:
    """A word of letters the Italian dictionary has, in any case."""
    return word.isalpha() and word.lower() in italian_words()
