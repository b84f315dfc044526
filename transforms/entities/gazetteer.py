"""The bundled gazetteer: load transforms/entities/data/gazetteer.tsv.gz and match it over tokens.

Names and text go through one tokenizer, so glued text ("Russia-Cina", "AP.Putin", "l'Ucraina")
matches like spaced text; an Aho-Corasick automaton finds every name in one pass.
"""

from __future__ import annotations

import gzip
import re
from importlib import resources
from typing import NamedTuple

import ahocorasick

from transforms.entities.words import ELISIONS

GAZETTEER_FILE = "gazetteer.tsv.gz"
FIRST_NAMES_FILE = "first_names.txt"
TOWNS_FILE = "comuni_it.txt"

_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*['’]?|[^\w\s]")
ROMAN_NUMERAL = re.compile(r"^[IVXLC]+$")
# Scraped text glues words across lost line breaks ("anniversaryChina"): cut there.
_GLUE_RE = re.compile(r"(?<=[a-zà-öø-ÿ]{2})(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])")


# A token is a plain (text, start, end) tuple: named tuples doubled the tagger's time.
Token = tuple[str, int, int]


class Entry(NamedTuple):
    qid: str | None
    label: str  # PER | ORG | LOC | MISC
    kind: str  # hand | country | city
    name: str  # canonical name (first in its line)


class Match(NamedTuple):
    i: int  # first token
    j: int  # one past the last token
    entry: int  # index into Gazetteer.entries


def tokenize(text: str) -> list[Token]:
    """Words, elisions and single punctuation marks with character offsets into text."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        word, start = m.group(), m.start()
        if (
            "'" not in word
            and "’" not in word
            and (word.islower() or word.istitle() or not word[0].isalpha())
        ):
            out.append((word, start, m.end()))  # the common case, kept fast
        elif word[0].islower() and _GLUE_RE.search(word):
            for part in _GLUE_RE.split(word):
                _split_apostrophes(part, start, out)
                start += len(part)
        else:
            _split_apostrophes(word, start, out)
    return out


def _split_apostrophes(word: str, start: int, out: list[Token]) -> None:
    while "'" in word or "’" in word:
        cut = _apostrophe(word)
        if cut <= 0 or cut >= len(word):
            break
        head = word[:cut]
        if head[:-1].lower() in ELISIONS and not (head[0].isupper() and head[:-1] in ("D", "O")):
            out.append((head, start, start + cut))
            word, start = word[cut:], start + cut
            continue
        if word[cut:].lower() == "s":  # English possessive: "Putin's"
            out.append((word[: cut - 1], start, start + cut - 1))
            word, start = word[cut - 1 :], start + cut - 1
        break
    out.append((word, start, start + len(word)))


def _apostrophe(word: str) -> int:
    for k, ch in enumerate(word):
        if ch in "'’":
            return k + 1
    return -1


def token_key(tok: str, caps: frozenset[str] = frozenset()) -> str:
    """The matching form of a token: straight apostrophes, lower-case elisions, and all-caps
    words ("PUTIN") in title case unless the gazetteer knows them as acronyms ("NATO")."""
    if not tok.isupper():
        if "’" in tok:
            tok = tok.replace("’", "'")
        return tok.lower() if tok.endswith("'") else tok
    tok = tok.replace("’", "'")
    if tok.endswith("'"):
        return tok.lower()
    if len(tok) > 1 and tok.isupper() and tok not in caps and not ROMAN_NUMERAL.match(tok):
        return tok[0] + tok[1:].lower()
    return tok


class Gazetteer:
    """Entries plus an automaton over their token keys; built once per worker in setup()."""

    def __init__(
        self,
        rows: list[tuple[str, str, str, list[str]]],
        first_names: set[str],
        towns: frozenset[str] | set[str] = frozenset(),
    ):
        self.entries: list[Entry] = []
        self.first_names = frozenset(first_names)
        # Every Italian municipality: evidence for the rules that an unknown name is a place,
        # never matched on its own (many are surnames: "Ferrara", "Marino").
        self.towns = frozenset(towns)
        caps = set()
        for _, _, _, names in rows:
            for name in names:
                caps.update(t[0] for t in tokenize(name) if t[0].isupper() and len(t[0]) > 1)
        self.caps = frozenset(caps)
        self.automaton = ahocorasick.Automaton()
        self.name_tokens: set[str] = set()  # every token key of every name, for the rules
        for qid, label, kind, names in rows:
            idx = len(self.entries)
            self.entries.append(Entry(None if qid in ("", "-") else qid, label, kind, names[0]))
            for name in names:
                keys = [token_key(t[0], self.caps) for t in tokenize(name)]
                if not keys:
                    continue
                variants = [keys]
                if len(keys) > 1 and any(ROMAN_NUMERAL.match(k.upper()) for k in keys):
                    # "XI JINPING" keeps "XI" upper case (it could be a numeral): match it too.
                    variants.append(
                        [k.upper() if ROMAN_NUMERAL.match(k.upper()) else k for k in keys]
                    )
                for variant in variants:
                    key = " " + " ".join(variant) + " "
                    if key not in self.automaton:  # the file is in priority order: first wins
                        self.automaton.add_word(key, (idx, len(variant), len(key)))
                        self.name_tokens.update(variant)
        self.automaton.make_automaton()

    def match(self, tokens: list[Token], keys: list[str] | None = None) -> list[Match]:
        """Longest, leftmost, non-overlapping name matches over tokens."""
        if not tokens:
            return []
        keys = keys if keys is not None else [token_key(t[0], self.caps) for t in tokens]
        starts: dict[int, int] = {}
        pos = 1
        for k, key in enumerate(keys):
            starts[pos] = k
            pos += len(key) + 1
        found = []
        for end, (idx, n, size) in self.automaton.iter(" " + " ".join(keys) + " "):
            first = starts.get(end - size + 2)  # size counts both framing spaces
            if first is not None:
                found.append((first, -n, idx))
        found.sort()
        out: list[Match] = []
        reach = 0
        for first, neg_n, idx in found:
            if first >= reach:
                out.append(Match(first, first - neg_n, idx))
                reach = first - neg_n
        return out


def load_gazetteer(path: str | None = None) -> Gazetteer:
    """Read the bundled gazetteer (or one at path) and the first-name list."""
    data_dir = resources.files("transforms.entities") / "data"
    source = path or str(data_dir / GAZETTEER_FILE)
    rows = []
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            qid, label, kind, names = line.rstrip("\n").split("\t")
            rows.append((qid, label, kind, names.split("|")))
    text = (data_dir / FIRST_NAMES_FILE).read_text(encoding="utf-8")
    first = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    lines = (data_dir / TOWNS_FILE).read_text(encoding="utf-8").splitlines()
    towns = {line for line in lines if line and not line.startswith("#")}
    return Gazetteer(rows, first, towns)
