"""Build transforms/entities/data/given_names.txt: given names from Faker's person providers.

.venv/bin/python bench/build_given_names.py [--out PATH] [--check]
Faker (MIT; pinned in the dev extra, so that the build reproduces the committed file) lists
the first names of 80-odd locales. A name is kept when two locales or more list it of their
own (not inherited from another locale), and when nothing else claims the word: not an English
dictionary word ("Will", "Grace"), not a common word of Faker's lorem lists in 27 languages
("Luna", "Vida", "Paz": a sentence would open with a person), not a one-word place or
organisation of the gazetteer ("Florence", "Georgia"), not an Italian municipality, not in the
hand list first_names.txt (which it extends). The rules read both lists as evidence that a name
opens with a given name. The names left out only because a place, a body or a town owns the word
go to place_given_names.txt: a person's first word only before one unknown name ("Kobe Bryant").
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faker
from faker.providers import lorem, person

from transforms.entities.gazetteer import (
    FIRST_NAMES_FILE,
    GAZETTEER_FILE,
    TOWNS_FILE,
    read_rows,
    read_words,
)
from transforms.entities.lexicon import english_words

OUT_FILE = "given_names.txt"
PLACES_OUT_FILE = "place_given_names.txt"
# Listed by this many locales of their own: chosen on half A of the NER dev sets and of
# Universal NER's test sets among 1-4 (README, "Unknown names, a second pass").
MIN_LOCALES = 2
LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_DATA = resources.files("transforms.entities") / "data"


def faker_names() -> dict[str, set[str]]:
    """Name -> the locales whose person provider lists it of its own."""
    locales: dict[str, set[str]] = defaultdict(set)
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attr in LISTS:
            names = provider.__dict__.get(attr)
            if names is None or isinstance(names, property):
                continue
            for name in names.keys() if isinstance(names, dict) else names:
                locales[name].add(module.name)
    return locales


def common_words() -> set[str]:
    """The words of Faker's lorem providers, lower case: common words of 27 languages ("luna",
    "vida", "paz"; Czech's list holds some names too, which go with them)."""
    words = set()
    for module in pkgutil.iter_modules(lorem.__path__):
        provider = importlib.import_module(f"faker.providers.lorem.{module.name}").Provider
        words.update(w.lower() for w in provider.__dict__.get("word_list") or ())
    return words


def claimed_words() -> set[str]:
    """Words something else owns: one-word gazetteer names other than people's, Italian towns,
    the hand list's given names."""
    rows = read_rows(str(_DATA / GAZETTEER_FILE))
    words = {n for _, label, _, names in rows if label != "PER" for n in names if " " not in n}
    return words | read_words(TOWNS_FILE, lines=True) | read_words(FIRST_NAMES_FILE)


def _candidates() -> list[str]:
    """Faker's given names that could be a person's first word: listed by MIN_LOCALES locales,
    letters only, not an English or a common word."""
    dictionary, common = english_words(), common_words()
    return sorted(
        name
        for name, where in faker_names().items()
        if len(where) >= MIN_LOCALES
        and name.isalpha()
        and name[0].isupper()
        and not name.isupper()
        and len(name) > 2
        and name.lower() not in dictionary
        and name.lower() not in common
    )


def given_names() -> list[str]:
    claimed = claimed_words()
    return [name for name in _candidates() if name not in claimed]


def place_given_names() -> list[str]:
    """The given names left out because a place, an organisation or an Italian town owns the
    word ("Nelson", "Kobe", "Santiago"): the rules read them as a person's first word only
    before one unknown name ("Kobe Bryant")."""
    claimed, hand = claimed_words(), read_words(FIRST_NAMES_FILE)
    return [name for name in _candidates() if name in claimed and name not in hand]


def render(names: list[str], what: str = "") -> str:
    header = (
        f"# Given names from Faker {faker.VERSION}'s person providers (MIT), listed by"
        f" {MIN_LOCALES}+ locales{what};\n"
        "# built by bench/build_given_names.py (its docstring says what is left out)."
        " One per line.\n"
    )
    return header + "".join(f"{name}\n" for name in names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(str(_DATA / OUT_FILE)))
    ap.add_argument("--places-out", type=Path, default=Path(str(_DATA / PLACES_OUT_FILE)))
    ap.add_argument("--check", action="store_true", help="compare with the files, write nothing")
    args = ap.parse_args()
    texts = {
        args.out: render(given_names()),
        args.places_out: render(place_given_names(), ", that are also a place's or a body's name"),
    }
    if args.check:
        same = all(path.read_text(encoding="utf-8") == text for path, text in texts.items())
        print("reproduced" if same else "differs")
        sys.exit(0 if same else 1)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {text.count(chr(10)) - 2} names")


if __name__ == "__main__":
    main()
