"""Build transforms/entities/data/english_words.txt.gz: the English dictionary words the rules
consult to tell a name from a capitalised word (transforms/entities/lexicon.py).

.venv/bin/python bench/build_english_words.py [--source /usr/share/dict/american-english
    --source /usr/share/dict/british-english]
The sources are SCOWL's American and British English lists at size 50 as Debian ships them
(`apt-get install wamerican wbritish`, version 2020.12.07-2 of both; their copyright notice, the
same file in both packages, must travel with every copy: data/english_words.COPYRIGHT). Only
words written wholly in lower-case letters are kept: the lists' capitalised entries are names
("Clinton"), which is what the rules are looking for.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from transforms.entities.words import write_word_list

DIALECTS = ("american", "british")
HEADER = (
    "# English words: SCOWL size 50, American and British (Debian wamerican and wbritish\n"
    "# 2020.12.07-2), lower-case entries only.\n"
    "# Copyright notice: english_words.COPYRIGHT beside this file. Built by\n"
    "# bench/build_english_words.py.\n"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, action="append", help="default: both lists")
    ap.add_argument("--out", default=None, help="default: the bundled file")
    args = ap.parse_args()
    sources = args.source or [Path("/usr/share/dict") / f"{v}-english" for v in DIALECTS]
    lines = [line for src in sources for line in src.read_text(encoding="utf-8").splitlines()]
    out, count = write_word_list(args.out, "english_words.txt.gz", HEADER, lines)
    print(f"{', '.join(map(str, sources))}: {count} words -> {out}")


if __name__ == "__main__":
    main()
