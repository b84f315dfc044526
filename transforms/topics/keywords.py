"""Keyword matching for topics: the term syntax, text normalisation and an Aho-Corasick matcher.

Terms: "word" whole word, "stem*" word prefix, "*end" word ending, "*part*" anywhere in a word,
"two words" phrase. Matching is leftmost-longest over accent-folded, lower-cased text.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from transforms.topics.fold_scan import FIRST, fold_words

LANGUAGES = ("it", "en", "fr", "de", "es")
MIN_STEM = 3  # a shorter stem* would match half the words of a language

# Accents fold one character to one character so offsets into the text stay valid.
_FOLD = {
    code: base
    for code in range(0xC0, 0x250)
    if len(base := unicodedata.normalize("NFD", chr(code))[0]) == 1
    and base.isascii()
    and base != chr(code)
}
# fold_scan's table: the fold of each code point from its FIRST on, itself where it has none. One
# pass in C (fold_scan.c) folds a text and makes every character that is neither a word character
# nor a space a space, where two regex substitutions took ~100 µs a bench text.
_FOLD_TABLE = "".join(_FOLD.get(code, chr(code)) for code in range(FIRST, max(_FOLD) + 1))


class TopicFileError(ValueError):
    """A lexicon or topic file is malformed; the message starts with "file:line: "."""


class Term(NamedTuple):
    code: str
    weight: float
    term: str  # as written in the lexicon, e.g. "minist*"


class Match(NamedTuple):
    # Offsets into the normalised text, which is the original text plus one leading space.
    start: int
    end: int
    terms: tuple[Term, ...]


def normalise(text: str) -> str:
    """Lower-case, accent-folded text with every non-word character a space, padded by one space.

    Length is preserved (plus the leading pad) so entity offsets map onto it by adding one.
    """
    return f" {fold_words(text.lower(), _FOLD_TABLE)} "


def term_key(term: str) -> str:
    """The automaton key for a lexicon term: spaces mark the word boundaries it requires."""
    inner = term.strip()
    if inner.startswith("*") and inner.endswith("*") and len(inner) > 2:
        return normalise(inner[1:-1]).strip()
    if inner.startswith("*"):
        return normalise(inner[1:]).strip() + " "  # word ending: German compounds (*krieg)
    if inner.endswith("*"):
        return " " + normalise(inner[:-1]).strip()
    return " " + normalise(inner).strip() + " "


def check_term(term: str) -> str | None:
    """Why a term cannot be used, or None when it is fine."""
    inner = term.strip()
    if not inner:
        return "empty term"
    core = inner.strip("*")
    if "*" in core:
        return f"'*' only at the start (*end), the end (stem*) or both (*part*): {term!r}"
    if not normalise(core).strip():
        return f"term has no letters or digits: {term!r}"
    if inner.endswith("*") and len(normalise(core).strip()) < MIN_STEM:
        return f"stem shorter than {MIN_STEM} characters: {term!r}"
    return None


class Matcher:
    """Leftmost-longest, non-overlapping matching of lexicon terms on normalised text."""

    def __init__(self, terms: Iterable[tuple[str, Term]]):
        by_key: dict[str, list[Term]] = defaultdict(list)
        for key, term in terms:
            by_key[key].append(term)
        self._automaton = ahocorasick.Automaton()
        for key, found in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(found)))
        self.size = len(by_key)
        if by_key:
            self._automaton.make_automaton()

    def find(self, norm: str) -> list[Match]:
        if not self.size:
            return []
        found = []
        for end, (length, terms) in self._automaton.iter(norm):
            start = end - length + 1
            # A key's boundary spaces belong to the neighbouring words, not to the match.
            found.append((start, -length, end + 1, terms))
        found.sort()
        matches: list[Match] = []
        reach, taken = 0, -1
        for start, _, end, terms in found:
            core_start = start + (norm[start] == " ")
            if core_start == taken:
                # A user's topic is never hidden by a longer bundled term at the same word.
                custom = tuple(t for t in terms if t.code.startswith("custom:"))
                if custom:
                    last = matches[-1]
                    matches[-1] = last._replace(terms=last.terms + custom)
                continue
            if core_start < reach:
                continue  # inside a longer match already taken ("west bank" hides "bank")
            core_end = end - (norm[end - 1] == " ")
            matches.append(Match(core_start, core_end, terms))
            reach, taken = core_end, core_start
        return matches
