"""The bundled gazetteer: load transforms/entities/data/gazetteer.tsv.gz and match it over tokens.

Names and text go through one tokenizer (tokens.py), so glued text matches like spaced text; an
Aho-Corasick automaton finds every name in one pass.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from functools import partial
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from transforms.core.cache import Cache, cached, version_of
from transforms.core.compiled import is_compiled
from transforms.entities.scripts import OTHER_LETTER_RE
from transforms.entities.token_scan import joined_keys
from transforms.entities.tokens import (
    ROMAN_NUMERAL,
    Token,
    ending_variants,
    token_key,
    tokenize,
)
from transforms.entities.words import CJK_DERIVED

GAZETTEER_FILE = "gazetteer.tsv.gz"
FIRST_NAMES_FILE = "first_names.txt"  # written by hand
GIVEN_NAMES_FILE = "given_names.txt"  # from Faker, bench/build_given_names.py
PLACE_GIVEN_NAMES_FILE = "place_given_names.txt"  # the same, words a place owns ("Nelson")
TOWNS_FILE = "comuni_it.txt"
_PACKAGE = resources.files("transforms.entities")
_DATA = _PACKAGE / "data"


class Entry(NamedTuple):
    qid: str | None
    label: str  # PER | ORG | LOC | MISC
    kind: str  # hand | country | city
    name: str  # canonical name (first in its line)


class Match(NamedTuple):
    i: int  # first token
    j: int  # one past the last token
    entry: int  # index into Gazetteer.entries


class Gazetteer:
    """Entries plus an automaton over their token keys; built once per worker in setup().

    Every argument has a default, an empty gazetteer: unpickling the compiled class (the
    cache's copy, load_gazetteer) builds an empty one and then sets its attributes."""

    def __init__(
        self,
        rows: list[tuple[str, str, str, list[str]]] | None = None,
        first_names: set[str] | frozenset[str] = frozenset(),
        towns: frozenset[str] | set[str] = frozenset(),
    ):
        rows = rows or []
        self.entries: list[Entry] = []
        self.first_names = frozenset(first_names)
        # Every Italian municipality: evidence for the rules that an unknown name is a place,
        # never matched on its own (many are surnames: "Ferrara", "Marino").
        self.towns = frozenset(towns)
        # Each name's words, tokenized once: the acronyms among them decide every name's keys.
        words = [[[t[0] for t in tokenize(name)] for name in names] for _, _, _, names in rows]
        self.caps = frozenset(
            w for per_row in words for ws in per_row for w in ws if w.isupper() and len(w) > 1
        )
        # Names in Latin (and other Western) letters, and names in other scripts: two automata,
        # so that text without those scripts never walks a trie node with thousands of Han
        # first characters (it doubled the matching time of Latin text).
        self.automaton = ahocorasick.Automaton()
        self.other_automaton = ahocorasick.Automaton()
        self.name_tokens: set[str] = set()  # every token key of every name, for the rules
        for (qid, label, kind, names), per_row in zip(rows, words, strict=True):
            idx = len(self.entries)
            self.entries.append(Entry(None if qid in ("", "-") else qid, label, kind, names[0]))
            for ws in per_row:
                keys = [token_key(w, self.caps) for w in ws]
                if not keys:
                    continue
                variants = ending_variants(keys)
                unhyphenated = _without_hyphens(keys)
                if unhyphenated:  # "Emilia-Romagna" is also written "Emilia Romagna"
                    variants.append(unhyphenated)
                if len(keys) > 1 and any(ROMAN_NUMERAL.match(k.upper()) for k in keys):
                    # "XI JINPING" keeps "XI" upper case (it could be a numeral): match it too.
                    variants.append(
                        [k.upper() if ROMAN_NUMERAL.match(k.upper()) else k for k in keys]
                    )
                for variant in variants:
                    key = " " + " ".join(variant) + " "
                    trie = self.other_automaton if OTHER_LETTER_RE.match(key, 1) else self.automaton
                    if key not in trie:  # the file is in priority order: first wins
                        trie.add_word(key, (idx, len(variant), len(key)))
                        self.name_tokens.update(variant)
        self.automaton.make_automaton()
        self.other_automaton.make_automaton()
        self.by_qid: dict[str, int] = {}  # QID -> its first entry
        for idx, entry in enumerate(self.entries):
            if entry.qid:
                self.by_qid.setdefault(entry.qid, idx)

    def match(self, tokens: list[Token], keys: list[str] | None = None) -> list[Match]:
        """Longest, leftmost, non-overlapping name matches over tokens."""
        if not tokens:
            return []
        if keys is None:  # a plain lower- or title-case word is its own key (token_scan.c)
            joined = joined_keys(tokens, partial(token_key, caps=self.caps))
        else:
            joined = " " + " ".join(keys) + " "
        found = []
        tries = [self.automaton] if len(self.automaton) else []  # none: no trie to walk
        if len(self.other_automaton) and OTHER_LETTER_RE.search(joined):
            tries.append(self.other_automaton)
        for trie in tries:
            for end, (idx, n, size) in trie.iter(joined):
                # A name is framed by spaces and no key holds one, so the spaces before the
                # name's framing space count the keys before it: its first token. (A text has
                # hundreds of tokens and a dozen hits: counting beats a table of every start.)
                found.append((joined.count(" ", 0, end - size + 1), -n, idx))
        found.sort()
        out: list[Match] = []
        reach = 0
        for first, neg_n, idx in found:
            if first >= reach and not _derived_after(tokens, first - neg_n):
                out.append(Match(first, first - neg_n, idx))
                reach = first - neg_n
        return out


def _without_hyphens(keys: list[str]) -> list[str] | None:
    """A name's keys without the hyphens that join two capitalised words ("Friuli - Venezia
    Giulia" -> "Friuli Venezia Giulia"), or None if it has none ("Ban Ki - moon" keeps its)."""
    joins = {
        k
        for k in range(1, len(keys) - 1)
        if keys[k] == "-" and keys[k - 1][:1].isupper() and keys[k + 1][:1].isupper()
    }
    return [key for k, key in enumerate(keys) if k not in joins] if joins else None


def _derived_after(tokens: list[Token], j: int) -> bool:
    """Han, kana or Hangul after a name that make another word of it ("美國" + "人")."""
    if j >= len(tokens) or tokens[j][0] not in _DERIVED_FIRST:
        return False
    ahead = "".join(t[0] for t in tokens[j : j + _DERIVED_LONGEST])
    return any(ahead.startswith(word) for word in CJK_DERIVED)


_DERIVED_FIRST = frozenset(word[0] for word in CJK_DERIVED)
_DERIVED_LONGEST = max(len(word) for word in CJK_DERIVED)


def load_gazetteer(path: str | None = None, cache: Cache | None = None) -> Gazetteer:
    """Read the bundled gazetteer (or one at path) and the first-name list. With a cache the
    built Gazetteer is unpickled (~0.04 s) instead of built (~0.4 s) when nothing it is built
    from changed."""
    source = path or str(_DATA / GAZETTEER_FILE)
    return cached(cache, "gazetteer", _built_from(source), lambda: _build(source))


def _built_from(source: str) -> Iterator[bytes | str]:
    """The key parts: the name file, every word list, the code that turns them into keys, and
    whether that code runs compiled (the compiled class and the Python one pickle differently)."""
    yield Path(source).read_bytes()
    for item in sorted(_DATA.iterdir(), key=lambda entry: entry.name):
        if item.is_file() and not item.name.endswith(".crfsuite"):
            yield item.name
            yield item.read_bytes()
    for module in ("gazetteer", "tokens", "words"):
        yield (_PACKAGE / f"{module}.py").read_bytes()
    yield version_of("pyahocorasick")
    yield "compiled" if is_compiled(sys.modules[__name__]) else "source"


def _build(source: str) -> Gazetteer:
    first = read_words(FIRST_NAMES_FILE) | read_words(GIVEN_NAMES_FILE)
    return Gazetteer(read_rows(source), first, read_words(TOWNS_FILE, lines=True))


def read_rows(source: str) -> list[tuple[str, str, str, list[str]]]:
    """The entries of a gazetteer file: (qid, label, kind, names)."""
    rows = []
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            qid, label, kind, names = line.rstrip("\n").split("\t")
            rows.append((qid, label, kind, names.split("|")))
    return rows


def read_words(name: str, lines: bool = False) -> set[str]:
    """The words of a bundled word file (its whole lines with lines=True), `#` lines skipped."""
    text = (_DATA / name).read_text(encoding="utf-8").splitlines()
    kept = [line for line in text if line and not line.startswith("#")]
    return set(kept) if lines else {w for line in kept for w in line.split()}
