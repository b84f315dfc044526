"""Build transforms/entities/data/italian_words.txt.gz: the Italian dictionary words the rules
consult to tell a name from a title or a thing written with capitals ("Forze Armate", "Nuovo
Mondo"; transforms/entities/lexicon.py).

.venv/bin/python bench/build_italian_words.py --source paroleitaliane/60000_parole_italiane.txt
The source is the list of ~60,000 Italian words of napolux/paroleitaliane (MIT, © 2016 Francesco
Napoletano) at commit 64e90297708a5de9c0ea1abfaf52e5d697bcc354; its licence must travel with
every copy: data/italian_words.LICENSE. The repository's README says some of its lists were
recovered from an old disk, of unknown origin. Only words wholly of lower-case letters are kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from transforms.entities.words import write_word_list

SOURCE_COMMIT = "64e90297708a5de9c0ea1abfaf52e5d697bcc354"
HEADER = (
    "# Italian words: napolux/paroleitaliane 60000_parole_italiane.txt at commit\n"
    f"# {SOURCE_COMMIT}, lower-case entries only.\n"
    "# Licence (MIT): italian_words.LICENSE beside this file. Built by\n"
    "# bench/build_italian_words.py.\n"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--out", default=None, help="default: the bundled file")
    args = ap.parse_args()
    lines = args.source.read_text(encoding="utf-8").splitlines()
    out, count = write_word_list(args.out, "italian_words.txt.gz", HEADER, lines)
    print(f"{args.source}: {count} words -> {out}")


if __name__ == "__main__":
    main()
