"""What every entity rule reads: Doc (a text, its tokens, its gazetteer matches and the facts the
rules ask of them) and Span (a labelled token range, the rules' currency).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import compress
from typing import NamedTuple

from transforms.entities.gazetteer import Gazetteer
from transforms.entities.inflection import inflected_matches
from transforms.entities.nouns import Nouns
from transforms.entities.tokens import ROMAN_NUMERAL, Token, tokenize
from transforms.entities.words import (
    CONNECTORS,
    ENGLISH_HINTS,
    HYPHEN_LINKS,
    ITALIAN_HINTS,
    NAME_PARTICLES,
    OF_LINKS,
    ORG_FIRST,
    QUOTES_OPEN,
    ROMANCE_HINTS,
    ROMANCE_OF_LINKS,
    TITLES,
)


class Span(NamedTuple):
    i: int
    j: int
    label: str
    entry: int | None  # gazetteer entry index, or None for a rule-found name


_NEWLINE = re.compile("\n")
# Web and e-mail addresses, handles and hashtags: the lower case of their words proves nothing
# ("…/boxe-mayweather-prendo-marciano…" does not make Mayweather a common word). A run of
# non-space characters with one of these marks is such a thing; found from each mark, in linear
# time (a pattern like "\S+@\S+" backtracks quadratically over a long run with an "@").
_SPACE = re.compile(r"\s")
_MARKS = ("@", "#", "://", "www.")
_ADDRESS_MARK = re.compile("|".join(map(re.escape, _MARKS)))
# Most texts hold no mark: four substring searches (_has_mark) tell in a twelfth of the time the
# pattern takes to try its branches at every character (4 against 51 µs per ~2.6 KB bench text).


class Doc:
    """A text as the rules see it: tokens, lower-cased words, gazetteer matches, and per-token
    facts (line, sentence start, shouting line, capital) plus the words it writes in lower case.
    nouns: the known nouns of a language that capitalises them (nouns.py); such a word's capital
    counts for nothing, and it is no name on its own, unless it follows a given name ("Gerhard
    Richter"). endings: the case endings of a language that declines names
    (inflection.py): "Warszawie" then matches Warszawa. language: the detected language, "und"
    when unknown."""

    def __init__(
        self,
        text: str,
        gaz: Gazetteer,
        nouns: Nouns | None = None,
        endings: tuple[tuple[str, str], ...] | None = None,
        language: str = "und",
    ):
        self.text = text
        self.gaz = gaz
        self.language = language
        self.tokens = tokens = tokenize(text)
        self.lows = [t[0].lower() for t in tokens]
        self.matches = _not_bodies(tokens, self.lows, gaz.match(tokens), gaz)
        starts = [t[1] for t in tokens]
        # Per newline, the tokens before it: a text has a few lines and hundreds of tokens.
        cuts = [bisect_left(starts, m.start()) for m in _NEWLINE.finditer(text)]
        self.line_of = line_of = _line_numbers(cuts, len(tokens))
        self.initial = _initials(text, tokens, starts, cuts)
        # where a name found through its case ending ends ("Makedonije"): what follows it is
        # another name ("predsjednik Makedonije Đorđe Ivanov")
        self.declined_ends: frozenset[int] = frozenset()
        if endings:
            plain = set(self.matches)
            self.matches = inflected_matches(tokens, self.matches, gaz, endings, self.initial)
            self.declined_ends = frozenset(m.j for m in self.matches if m not in plain)
        self.shouting = _shouting(tokens, line_of)
        self.cap = cap = [_is_cap(t[0]) if t[0][0].isupper() else False for t in tokens]
        if nouns is not None:
            self._drop_nouns(nouns)
        self.lower = _lower_words(text, tokens, starts)
        # English capitalises demonyms ("Russian"); Italian, French, Spanish do not.
        self.english = len(self.lower & ENGLISH_HINTS) > len(self.lower & ROMANCE_HINTS)
        # Italian for the Italian-only rules whose words mean something else elsewhere ("i" is
        # "and" in Croatian, "in" in Swedish): detected so, or undetected and not English.
        self.italian = language == "it" or (language == "und" and not self.english)
        # Some of the text is Italian, whatever the whole was detected as (an English article
        # with an Italian paragraph).
        self.writes_italian = self.italian or len(self.lower & ITALIAN_HINTS) > 1
        initial, shouting = self.initial, self.shouting
        self.mid_caps = {
            tokens[k][0]
            for k in compress(range(len(tokens)), cap)
            if not initial[k] and not shouting[k]
        }

    def gap(self, k: int) -> str:
        """What the text has between token k and the next: " ", "", "\n", ", "."""
        return self.text[self.tokens[k][2] : self.tokens[k + 1][1]]

    def _drop_nouns(self, nouns: Nouns) -> None:
        """A known noun's capital counts for nothing, and a one-word match on it is dropped
        ("Ende", a town in Indonesia; "Mitte"), unless the text writes the word after a given
        name: "Gerhard Richter ... Richter sagte". A declined noun keeps its match ("Ganges")."""
        tokens, cap, first = self.tokens, self.cap, self.gaz.first_names
        surnames = {tokens[k][0] for k in range(1, len(tokens)) if tokens[k - 1][0] in first}
        plain = set()
        for k, token in enumerate(tokens):
            if cap[k] and token[0] not in surnames and token[0] in nouns:
                cap[k] = False
                if nouns.plain(token[0]):
                    plain.add(k)
        if plain:
            self.matches = [m for m in self.matches if m.j - m.i > 1 or m.i not in plain]


# "of" in the languages whose bodies are named "<kind> of <name>"
_BODY_OF = OF_LINKS | ROMANCE_OF_LINKS


def _not_bodies(tokens: list[Token], lows: list[str], matches: list, gaz: Gazetteer) -> list:
    """Drop a place match that ends in a kind of body and goes on "of" a name: "El Banco" (a
    town in Colombia) in "El Banco de España" is the bank of Spain."""
    n = len(tokens)
    return [
        m
        for m in matches
        if not (
            m.j + 1 < n
            and lows[m.j - 1] in ORG_FIRST
            and lows[m.j] in _BODY_OF
            and tokens[m.j + 1][0][:1].isupper()
            and gaz.entries[m.entry].label == "LOC"
        )
    ]


def _lower_words(text: str, tokens: list[Token], starts: list[int]) -> set[str]:
    """The words the text writes in lower case, outside web addresses, handles and hashtags."""
    marks = [m.start() for m in _ADDRESS_MARK.finditer(text)] if _has_mark(text) else []
    if not marks:
        return {t[0] for t in tokens if t[0][0].islower()}
    inside = _runs_of(text, tokens, starts, marks)
    return {t[0] for k, t in enumerate(tokens) if t[0][0].islower() and k not in inside}


def _has_mark(text: str) -> bool:
    return any(mark in text for mark in _MARKS)


def _runs_of(text: str, tokens: list[Token], starts: list[int], marks: list[int]) -> set[int]:
    """The tokens of the runs of non-space characters that hold the marks at these offsets.
    Tokens cover every non-space character, so a run is its tokens with no space between them:
    each mark's run grows from its token, not every run of the text is searched."""
    inside: set[int] = set()
    last = len(tokens) - 1
    for p in marks:
        k = max(bisect_right(starts, p) - 1, 0)
        if k in inside:
            continue
        a, e = k, k
        while a > 0 and not _SPACE.search(text, tokens[a - 1][2], tokens[a][1]):
            a -= 1
        while e < last and not _SPACE.search(text, tokens[e][2], tokens[e + 1][1]):
            e += 1
        inside.update(range(a, e + 1))
    return inside


def _line_numbers(cuts: list[int], n: int) -> list[int]:
    """Per token, its line: cuts[i] tokens come before the i-th newline."""
    line_of: list[int] = []
    for line, cut in enumerate(cuts):
        line_of += [line] * (cut - len(line_of))
    return line_of + [len(cuts)] * (n - len(line_of))


# The openers that are one character: found in the text, where each is a token of its own.
_OPENER_CHARS = [q for q in QUOTES_OPEN if len(q) == 1]
_OPENER_RE = re.compile(
    "[" + "".join(map(re.escape, _OPENER_CHARS)) + "]" if _OPENER_CHARS else "(?!)"
)
_LONG_OPENERS = QUOTES_OPEN - set(_OPENER_CHARS)


def _initials(text: str, tokens: list[Token], starts: list[int], cuts: list[int]) -> list[bool]:
    """Per token: it opens a line, or follows an opening quote or stop (not an initial's full
    stop, not a hyphen inside a name): where a capital proves nothing."""
    n = len(tokens)
    initial = [False] * n
    for k in (0, *cuts):
        if k < n:
            initial[k] = True
    if _LONG_OPENERS:  # an opener of several characters is not one character of the text
        openers = (k for k, t in enumerate(tokens) if t[0] in QUOTES_OPEN)
    else:
        openers = (bisect_left(starts, m.start()) for m in _OPENER_RE.finditer(text))
    for k in openers:
        if (
            k + 1 < n
            and tokens[k][0] in QUOTES_OPEN
            and not abbreviation(tokens, k)
            and not (glued_hyphen(tokens, k) and _in_hyphenated_name(tokens, k))
        ):
            initial[k + 1] = True
    return initial


def _in_hyphenated_name(tokens: list[Token], k: int) -> bool:
    """The glued hyphen at k goes on a name: after a name's part ("Domscheit-Berg"), or after a
    small word glued on inside one ("Charles-de-Gaulle", "Saint-Germain-des-Prés",
    "Aix-les-Bains")."""
    if _name_part(tokens[k - 1][0]):
        return True
    low = tokens[k - 1][0].lower()
    small = low in CONNECTORS or low in HYPHEN_LINKS
    return small and k >= 3 and glued_hyphen(tokens, k - 2) and _name_part(tokens[k - 3][0])


def _shouting(tokens: list[Token], line_of: list[int]) -> list[bool]:
    """Per token: its line is written in capitals (a headline), where a capital proves nothing."""
    ups = [k for k, t in enumerate(tokens) if t[0].isupper() and len(t[0]) > 1 and t[0].isalpha()]
    if len(ups) < 3:  # no line can be loud
        return [False] * len(tokens)
    upper = Counter(line_of[k] for k in ups)
    if not any(up >= 3 for up in upper.values()):  # most texts: no line can be loud
        return [False] * len(tokens)
    seen = Counter(line_of[k] for k, t in enumerate(tokens) if len(t[0]) > 1 and t[0].isalpha())
    loud = {ln for ln, up in upper.items() if seen[ln] >= 3 and up >= 0.7 * seen[ln]}
    return [ln in loud for ln in line_of]


def _is_cap(tok: str) -> bool:
    """A capitalised word: an upper-case first letter, not an elision ("L'", "D’") but a saint's
    ("Sant'Egidio", "Quartu Sant'Elena")."""
    first = tok[:1]
    return (
        first.isupper()
        and (first.isalpha() or any(c.isalpha() for c in tok))
        and (not tok.endswith(("'", "’")) or tok[:-1] == "Sant")
    )


def abbreviation(tokens: list[Token], k: int) -> bool:
    """The full stop at k ends an initial or a title ("P. Simmons", "Mr. Smith"), not a sentence."""
    if tokens[k][0] != "." or k == 0:
        return False
    prev = tokens[k - 1][0]
    return (len(prev) == 1 and prev.isupper()) or prev.lower() in TITLES


def glued_hyphen(tokens: list[Token], k: int) -> bool:
    """The hyphen at k joins two words ("Domscheit-Berg"); a spaced one is a dash."""
    return (
        tokens[k][0] == "-"
        and 0 < k < len(tokens) - 1
        and tokens[k - 1][2] == tokens[k][1]
        and tokens[k][2] == tokens[k + 1][1]
    )


def _name_part(word: str) -> bool:
    """A word that can begin a hyphenated name: "Domscheit-", "al-"; not "centro-", "sub-"."""
    return word[:1].isupper() or word.lower() in NAME_PARTICLES


def is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 5 and tok.isupper() and tok.isalpha() and not ROMAN_NUMERAL.match(tok)


def is_loud(tok: str) -> bool:
    return len(tok) >= 3 and tok.isupper() and tok.isalpha()
