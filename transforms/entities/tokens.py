"""The one tokenizer for names and text: str -> [Token], each (text, start, end).

Glued text ("Russia-Cina", "AP.Putin", "l'Ucraina") splits like spaced text, so a gazetteer name
matches however the text writes it; token_key() is the form matching compares.
"""

from __future__ import annotations

import re

from transforms.entities.scripts import HAN_KANA_HANGUL, is_cyrillic
from transforms.entities.token_scan import marked as _marked  # C where it was built
from transforms.entities.words import CYRILLIC_ENDINGS, ELISIONS

ROMAN_NUMERAL = re.compile(r"^[IVXLC]+$")
# Scraped text glues words across lost line breaks ("anniversaryChina"): cut there.
_LOWER, _UPPER = "[a-zà-öø-ÿ]", "[A-ZÀ-ÖØ-Þ]"
_GLUE_RE = re.compile(f"(?<={_LOWER}{{2}})(?={_UPPER}{_LOWER})")
# Scripts written without spaces between words (Han, kana, Hangul): each character is a token,
# so a name matches inside a run of text ("在北京会见" holds "北京", "서울에서" holds "서울").
_CJK_RE = re.compile(f"[{HAN_KANA_HANGUL}]")
_CJK_PIECE_RE = re.compile(f"[{HAN_KANA_HANGUL}]|[^{HAN_KANA_HANGUL}]+")

# A token is a plain (text, start, end) tuple: named tuples doubled the tagger's time.
Token = tuple[str, int, int]


def tokenize(text: str) -> list[Token]:
    """Words, elisions and single punctuation marks with character offsets into text."""
    # Only a token with an apostrophe or a glued capital can split: the scan marks those few,
    # and every other token stays as the pattern cut it.
    tokens, marked = _marked(text)
    if _CJK_RE.search(text):
        return _with_cjk_pieces(tokens, frozenset(marked))
    if not marked:
        return tokens
    out: list[Token] = []
    done = 0
    for k in marked:
        out += tokens[done:k]
        _split_token(tokens[k], out)
        done = k + 1
    out += tokens[done:]
    return out


def _with_cjk_pieces(tokens: list[Token], marked: frozenset[int]) -> list[Token]:
    """Each token cut into its Han, kana and Hangul characters and the runs between them. A
    mark is no such character and neither are its letters, so it stays in one piece."""
    out: list[Token] = []
    for k, token in enumerate(tokens):
        if k in marked:
            for piece in _cjk_pieces(token):
                _split_token(piece, out)
        else:
            out += _cjk_pieces(token)
    return out


def _cjk_pieces(token: Token) -> list[Token]:
    word, start = token[0], token[1]
    if not _CJK_RE.search(word):
        return [token]
    return [(m.group(), start + m.start(), start + m.end()) for m in _CJK_PIECE_RE.finditer(word)]


def _split_token(token: Token, out: list[Token]) -> None:
    word, start = token[0], token[1]
    if (
        "'" not in word
        and "’" not in word
        and (word.islower() or word.istitle() or not word[0].isalpha())
    ):
        out.append(token)
    elif word[0].islower() and _GLUE_RE.search(word):
        for part in _GLUE_RE.split(word):
            _split_apostrophes(part, start, out)
            start += len(part)
    else:
        _split_apostrophes(word, start, out)


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
    """The matching form of a token: straight apostrophes, lower-case elisions, all-caps words
    ("PUTIN") in title case unless the gazetteer knows them as acronyms ("NATO"), and a Cyrillic
    word without its case ending, marked "~" when it had one ("Москве", "Москва": "Москв~";
    "Путин": "Путин", which names also match as "Путин~", tokens.py ending_variants)."""
    if is_cyrillic(tok) and not tok.isupper():
        return _without_case_ending(tok)
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


def _without_case_ending(word: str) -> str:
    for size, endings in _ENDINGS_BY_SIZE:
        if len(word) - size >= 3 and word[-size:] in endings:
            return word[:-size] + "~"
    return word


# The case endings by length, longest first: one set lookup per length.
_ENDINGS_BY_SIZE = tuple(
    (size, frozenset(e for e in CYRILLIC_ENDINGS if len(e) == size))
    for size in sorted({len(e) for e in CYRILLIC_ENDINGS}, reverse=True)
)


def ending_variants(keys: list[str]) -> list[list[str]]:
    """A name's keys, and those where a Cyrillic word with no ending ("Путин") takes one
    ("Путин~": "Путина", "Путину"). A word that lost an ending keeps it: "Колумбия" ("Колумб~")
    is not matched by "Колумб", Columbus."""
    bare = [k for k, key in enumerate(keys) if is_cyrillic(key) and not key.endswith("~")]
    if not bare or len(bare) > 3:
        return [keys]
    out = []
    for mask in range(1 << len(bare)):
        variant = list(keys)
        for bit, k in enumerate(bare):
            if mask >> bit & 1:
                variant[k] += "~"
        out.append(variant)
    return out
