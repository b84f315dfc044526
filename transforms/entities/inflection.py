"""Names in the cases of languages that decline them in Latin letters (Polish, Czech, Slovak,
Croatian, Serbian, Slovenian, and the few endings of German and Swedish): "w Warszawie" and "do Krakowa" name
Warszawa and Kraków, "Srbije" and "u Beogradu" name Srbija and Beograd, "Deutschlands" and "in
den Niederlanden" Deutschland and die Niederlande. Tokens + gazetteer matches -> the matches
their nominatives add.

Each language's endings are in data/inflection_<language>.tsv, `ending<TAB>nominative ending`
per line ("ie<TAB>a": Warszawie -> Warszawa), written by hand from each language's grammar.
A word not matched as it stands is tried with each ending it has swapped for its nominative
one; the name is taken only when every try that finds a name finds the same one.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from itertools import product

from transforms.entities.gazetteer import Gazetteer, Match
from transforms.entities.tokens import Token, token_key
from transforms.entities.words import read_lists

# The longest name tried, in words ("Stanach Zjednoczonych", "Bosne i Hercegovine" are two and
# three), and the shortest stem an ending may leave.
MAX_WORDS = 3
MIN_STEM = 3
_MAX_TRIES = 64


@cache
def endings_for(language: str) -> tuple[tuple[str, str], ...] | None:
    """(ending, nominative ending) pairs of a language, longest ending first, or None."""
    name = f"inflection_{language}.tsv"
    if not (resources.files("transforms.entities") / "data" / name).is_file():
        return None
    pairs = [(ending, n) for ending, nominative in read_lists(name).items() for n in nominative]
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair)))


@cache
def case_endings(language: str) -> frozenset[str]:
    """The case endings a language's names take ("a", "u", "om" in Croatian), or none."""
    return frozenset(ending for ending, _ in endings_for(language) or () if ending)


def nominatives(word: str, endings: tuple[tuple[str, str], ...]) -> list[str]:
    """The forms word may have in the nominative: itself, and each ending swapped."""
    out = [word]
    for ending, nominative in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            out.append(word[: len(word) - len(ending)] + nominative)
    return list(dict.fromkeys(out))


def inflected_matches(
    tokens: list[Token],
    matches: list[Match],
    gaz: Gazetteer,
    endings: tuple[tuple[str, str], ...],
    initial: list[bool],
) -> list[Match]:
    """matches, plus a match for each run of capitalised words outside them whose nominatives
    name one gazetteer entry (the longest run first). A lone word that opens a sentence is not
    tried: its capital proves nothing ("Mogu", "Sada" would be towns)."""
    taken = [False] * len(tokens)
    for m in matches:
        taken[m.i : m.j] = [True] * (m.j - m.i)
    added = []
    k = 0
    while k < len(tokens):
        found = None if taken[k] else _longest(tokens, taken, k, gaz, endings, initial[k])
        if found is None:
            k += 1
            continue
        added.append(found)
        k = found.j
    return sorted(matches + added) if added else matches


def _longest(
    tokens: list[Token], taken: list[bool], k: int, gaz: Gazetteer, endings, opens: bool
) -> Match | None:
    if not _declinable(tokens[k][0]):
        return None
    # Longer names only when a name starts with one of the first word's forms: most words
    # start none, and each longer try costs up to _MAX_TRIES lookups.
    first = _nominative_keys(tokens[k][0], endings, gaz.caps)
    longest = MAX_WORDS if any(gaz.automaton.match(f" {key} ") for key in first) else 1
    for n in range(longest, 1 if opens else 0, -1):
        words = [t[0] for t in tokens[k : k + n]]
        if len(words) < n or any(taken[k : k + n]) or not all(_declinable(w) for w in words):
            continue
        entry = _one_entry(words, gaz, endings)
        # one word: only a place ("Tuska" is no name of its own)
        if entry is not None and (n > 1 or gaz.entries[entry].label == "LOC"):
            return Match(k, k + n, entry)
    return None


def _declinable(word: str) -> bool:
    return word[:1].isupper() and word.isalpha() and not word.isupper()


def _one_entry(words: list[str], gaz: Gazetteer, endings) -> int | None:
    """The one entry the words' nominatives name (not the words as they stand), or None."""
    forms = [_nominative_keys(w, endings, gaz.caps) for w in words]
    as_written = tuple(keys[0] for keys in forms)
    hits = set()
    for tries, combo in enumerate(product(*forms)):
        if tries >= _MAX_TRIES:
            break
        if combo == as_written:
            continue
        hit = gaz.automaton.get(" " + " ".join(combo) + " ", None)
        if hit is not None:
            hits.add(hit[0])
    return hits.pop() if len(hits) == 1 else None


@lru_cache(maxsize=50_000)
def _nominative_keys(word: str, endings, caps: frozenset[str]) -> tuple[str, ...]:
    """The gazetteer keys of word's nominatives, the word's own first: a word recurs in a text
    and across texts, and _longest and _one_entry both ask."""
    return tuple(dict.fromkeys(token_key(form, caps) for form in nominatives(word, endings)))
