"""Which script a word or a name is written in, for the tokenizer and the gazetteer build.

Han, kana and Hangul write words without spaces: the tokenizer makes each of their characters a
token. Cyrillic inflects names: their matching key drops a case ending (tokens.py). Names in
other scripts enter the gazetteer when they pass other_script().
"""

from __future__ import annotations

import re

# Han (with compatibility ideographs), hiragana, katakana and Hangul syllables.
HAN_KANA_HANGUL = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_HAN_KANA_HANGUL_RE = re.compile(f"[{HAN_KANA_HANGUL}]")
# One script without Latin letters, digits or brackets, at most four words: "Россия", "الصين".
_OTHER_SCRIPT_RE = re.compile(
    r"^[^\sA-Za-zÀ-ɏḀ-ỿ0-9()/,.;:\[\]]+(?: [^\sA-Za-zÀ-ɏḀ-ỿ0-9()/,.;:\[\]]+){0,3}$"
)


def is_han(name: str) -> bool:
    """Written in Han characters (Chinese; or Japanese kanji)."""
    return bool(_HAN_RE.search(name))


_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_cyrillic(word: str) -> bool:
    return "\u0400" <= word[0] <= "\u04ff"


def other_script(name: str) -> bool:
    """A name wholly in a non-Latin script, long enough to be matched on its own (two
    characters in Han, kana and Hangul, where a word is one or two; three elsewhere), and not in
    lower case where the script has capitals (the alias lists hold adjectives: "египетский")."""
    if not _OTHER_SCRIPT_RE.match(name) or name[0].islower():
        return False
    return len(name) >= (2 if _HAN_KANA_HANGUL_RE.match(name) else 3)


def without_cut_words(names: list[str]) -> list[str]:
    """Without the Cyrillic names that are a cut-off word of another name in the list ("Колумб"
    beside "Колумбия", "Росси" beside "Россия"): with case endings stripped (tokens.py) they
    would match other words ("Колумб" is Columbus)."""
    words = [n for n in names if " " not in n and is_cyrillic(n)]
    return [
        n for n in names if n not in words or not any(w != n and w.startswith(n) for w in words)
    ]
