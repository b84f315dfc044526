"""Which script a word or a name is written in, for the tokenizer and the gazetteer build.

Han, kana and Hangul write words without spaces: the tokenizer makes each of their characters a
token. Cyrillic inflects names: their matching key drops a case ending (tokens.py). Names in
other scripts enter the gazetteer when they pass other_script().
"""

from __future__ import annotations

import re

# Latin letters, with the accented ones of Latin-1, Latin Extended-A/B and Extended Additional.
LATIN_LETTERS = "A-Za-zÀ-ɏḀ-ỿ"
_LATIN_LETTER_RE = re.compile(f"[{LATIN_LETTERS}]")
# Han (with compatibility ideographs), hiragana, katakana and Hangul syllables.
HAN_KANA_HANGUL = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_HAN_KANA_HANGUL_RE = re.compile(f"[{HAN_KANA_HANGUL}]")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Letters of scripts other than Latin and Greek (Cyrillic, Armenian, Hebrew, Arabic, the Indic
# scripts, Han, kana, Hangul...).
OTHER_LETTER_RE = re.compile("[\u0400-\u1dbf\u2e80-\ud7ff\uf900-\ufaff]")
# One script without Latin letters, digits or brackets, at most four words: "Россия", "الصين".
_NOT_LATIN_WORD = f"[^\\s{LATIN_LETTERS}0-9()/,.;:\\[\\]]+"
_OTHER_SCRIPT_RE = re.compile(f"^{_NOT_LATIN_WORD}(?: {_NOT_LATIN_WORD}){{0,3}}$")


def has_latin_letter(text: str, start: int = 0, end: int | None = None) -> bool:
    return bool(_LATIN_LETTER_RE.search(text, start, len(text) if end is None else end))


def is_han(name: str) -> bool:
    """Written in Han characters (Chinese; or Japanese kanji)."""
    return bool(_HAN_RE.search(name))


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
