"""Nouns of a language that capitalises every noun (German): there a capital says nothing of a name,
so the rules treat a known noun as a lower-case word. Word -> is it a known noun.

The words ship in data/nouns_<language>.tsv.gz (`noun<TAB>word` or `name<TAB>word` per line),
built by bench/build_nouns.py from the language's training sets (PROVENANCE.md); a language
without such a file has no noun list.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

# A compound is a noun when its tail is a known noun of at least TAIL letters after at least HEAD
# letters of its own: "Körpergewebe" (Gewebe), "Trockengebieten" (Gebieten). Chosen on half A
# (bench/build_nouns.py).
TAIL = 5
HEAD = 3
_CACHE_SIZE = 50_000
# Endings a noun may carry beyond the forms the list has, on a stem of at least STEM letters: the
# genitive -s ("des Kabinetts") and the plural -n ("den Parallelen"); not -e, -en, -es, which
# adjectives take too ("die Grauen Zwerghamster", "der Deutschen Bank").
ENDINGS = ("s", "n")
STEM = 4
# The feminine of a noun of agent in -er, singular and plural: "Politikerin", "Sprecherinnen".
FEMININE = ("in", "innen")


def noun_file(language: str) -> str:
    """The file of a language's nouns: "nouns_de.tsv.gz"."""
    return f"nouns_{language}.tsv.gz"


class Nouns:
    """Capitalised words known as nouns, and the compounds that end in one, unless known as a
    name ("Volkswagen" ends in "Wagen"). Answers are cached per word (bounded: cleared when the
    cache grows past _CACHE_SIZE)."""

    def __init__(self, words: frozenset[str], names: frozenset[str] = frozenset()):
        self.words, self.names = words, names
        self.tails = frozenset(w.lower() for w in words if len(w) >= TAIL)
        self._known: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        hit = self._known.get(word)
        if hit is None:
            if len(self._known) > _CACHE_SIZE:
                self._known.clear()
            hit = self._known[word] = self.plain(word) or (
                word not in self.names and self._declined(word)
            )
        return hit

    def plain(self, word: str) -> bool:
        """A known noun or a compound that ends in one, as the list writes it: such a word is no
        place of the gazetteer's either ("Ende"), where a declined one may be ("Ganges")."""
        return word in self.words or (word not in self.names and self._compound(word.lower()))

    def _declined(self, word: str) -> bool:
        """A known noun with a case or plural ending ("Kabinetts", "Parallelen"), or the
        feminine of a noun of agent ("Politikerin": "Politiker")."""
        return any(
            word.endswith(end) and len(word) - len(end) >= STEM and word[: -len(end)] in self.words
            for end in ENDINGS
        ) or any(word.endswith("er" + end) and self.plain(word[: -len(end)]) for end in FEMININE)

    def _compound(self, low: str) -> bool:
        tails = self.tails
        return any(low[k:] in tails for k in range(HEAD, len(low) - TAIL + 1))


@cache
def nouns_for(language: str) -> Nouns | None:
    """The bundled nouns of a language, or None when it has none (read once per process)."""
    path = resources.files("transforms.entities") / "data" / noun_file(language)
    if not path.is_file():
        return None
    rows = [line.split("\t") for line in gzip.decompress(path.read_bytes()).decode().splitlines()]
    return Nouns(
        frozenset(word for kind, word in rows if kind == "noun"),
        frozenset(word for kind, word in rows if kind == "name"),
    )
