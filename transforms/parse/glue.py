"""Scraped text where two blocks lost the space between them: a link's text run into the next
sentence ("…le prossime visite internazionaliMentre le sue forze…", "Conflitto a GazaSi prevede
che…"), a headline into its teaser ("…as Ukraine war nears anniversaryChina's President…").
Each such join gets its space back. A word in lower case glued to a capitalised one is a join;
a name glued to a word that opens sentences (data/plaintext_cues.tsv `opener`, as written) is
one. A glued form the text writes more than once is a name of its own, and so is a short one
("easyJet", "airBaltic", "wikiHow": a lower-case part of three letters or fewer, or eight
letters or fewer in all);
web addresses, handles and hashtags are left as they are."""

from __future__ import annotations

import re

from transforms.parse.cues import load_cues

MIN_GLUED = 9  # letters of a lower-case word and a capitalised one run together, at least
_LOWER, _UPPER = "a-zß-öø-ÿ", "A-ZÀ-ÖØ-Þ"
_START = r"(?<![\w@#/.:\-])"  # a word's start, not inside an address, handle or hashtag
_WORD_AFTER_LOWER = re.compile(
    rf"{_START}([{_LOWER}]{{4,}})([{_UPPER}][{_LOWER}]+(?:['’]s)?)(?![\w@/])"
)
_OPENER_AFTER_NAME = re.compile(
    rf"{_START}([{_UPPER}][{_LOWER}]{{2,}})({load_cues('plaintext_cues.tsv').pattern('opener')})"
    rf"(?= [{_LOWER}])"
)


def unglue(text: str) -> str:
    """text with the space put back where two blocks were run together."""
    if not any(c.isupper() for c in text):
        return text

    def split(m: re.Match) -> str:
        glued = m.group(0)
        return glued if text.count(glued) > 1 else f"{m.group(1)} {m.group(2)}"

    def split_long(m: re.Match) -> str:
        return split(m) if len(m.group(0)) >= MIN_GLUED else m.group(0)

    return _OPENER_AFTER_NAME.sub(split, _WORD_AFTER_LOWER.sub(split_long, text))
