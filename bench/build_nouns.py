"""Build transforms/entities/data/nouns_<language>.tsv.gz: the capitalised words of a language that
writes every noun with a capital (German), each a noun or a name by its training sets' tags.

.venv/bin/python bench/build_nouns.py --data DIR [--language de] [--out PATH]
Reads the sets of ner_data.TRAINING in that language under DIR, their held-out fifth excepted (it
is the check set), exactly as bench/train_ner.py does. Words counted are capitalised but not
written all in capitals, and stand inside a sentence (a sentence's first word is capitalised
whatever it is); one is a noun when at most NAME_SHARE of its occurrences there are tagged as
part of a name, and a name otherwise.
The threshold and the compound rule of transforms/entities/nouns.py were chosen on half A of the
German check set and of Universal NER's German PUD (the notes in README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_ner import training_docs

from transforms.entities.nouns import noun_file
from transforms.entities.words import write_gz

NAME_SHARE = 0.3


def count(docs: list) -> tuple[Counter, Counter]:
    """(times tagged O, times tagged as part of a name) of each capitalised word inside a
    sentence."""
    plain, named = Counter(), Counter()
    for doc in docs:
        for sent in doc:
            for tok, tag in sent[1:]:
                if tok[:1].isupper() and not tok.isupper():
                    (plain if tag == "O" else named)[tok] += 1
    return plain, named


def kinds(plain: Counter, named: Counter, share: float = NAME_SHARE) -> list[tuple[str, str]]:
    """(kind, word), sorted: "noun" for a word tagged as a name at most share of the times,
    "name" for the others (never a noun, even when it ends like one: "Volkswagen")."""
    out = []
    for word in sorted(plain.keys() | named.keys()):
        noun = named[word] <= share * (plain[word] + named[word])
        out.append(("noun" if noun else "name", word))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--language", default="de")
    ap.add_argument("--out", default=None, help="default: the bundled file")
    args = ap.parse_args()
    sets = training_docs(args.data, args.shared, {args.language}, own=True)
    plain, named = count([doc for _, docs in sets for doc in docs])
    rows = kinds(plain, named)
    data = resources.files("transforms.entities") / "data"
    out = args.out or str(data / noun_file(args.language))
    write_gz(out, "".join(f"{kind}\t{word}\n" for kind, word in rows))
    nouns = sum(kind == "noun" for kind, _ in rows)
    print(f"{', '.join(n for n, _ in sets)}: {nouns} nouns, {len(rows) - nouns} names -> {out}")


if __name__ == "__main__":
    main()
