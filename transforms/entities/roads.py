"""Roads named by their number: "sulla A14", "auf der A8", "der Autobahn A 45", "an der B 277",
and the traffic report's line that opens with one ("A7 Hamburg Richtung Flensburg"). Such a
road is a place (LOC) with no id: "A8" is a different road in every country.

The cue words before a road number are the `road_before` lists of data/words_<language>.tsv,
and the letters a road number opens with are `road_letters`.
"""

from __future__ import annotations

import re

from transforms.entities.doc import Doc, Span
from transforms.entities.words import LISTS

ROAD_BEFORE = LISTS["road_before"]
ROAD_LETTERS = LISTS["road_letters"]
ROAD_INITIALS = frozenset(letters[0].upper() for letters in ROAD_LETTERS)
# A road number's letter, then its number, with or without a space: "A8", "A 45".
_ROAD_HINT = re.compile(rf"[{''.join(sorted(ROAD_INITIALS))}] ?[1-9]")
_NUMBER = re.compile(r"[1-9][0-9]{0,2}")


def _road_at(doc: Doc, k: int) -> int:
    """How many tokens a road number at token k takes: 1 ("A14"), 2 ("A 45"), or 0."""
    word = doc.tokens[k][0]
    letters = word.rstrip("0123456789")
    if letters == word:
        # the letter alone, then its number after one space: "A 45"
        nxt = k + 1 < len(doc.tokens) and _NUMBER.fullmatch(doc.tokens[k + 1][0])
        return 2 if word.lower() in ROAD_LETTERS and nxt and doc.gap(k) == " " else 0
    ok = letters.isupper() and letters.lower() in ROAD_LETTERS
    return 1 if ok and _NUMBER.fullmatch(word[len(letters) :]) else 0


def roads(spans: list[Span], doc: Doc) -> list[Span]:
    """An uncovered road number is the road (LOC, no id) after a cue word ("sulla", "auf der",
    "Autobahn"), or where it opens a line or sentence right before a place."""
    if not _ROAD_HINT.search(doc.text):
        return spans  # most texts: no road number at all, found in one regex pass
    initials = ROAD_INITIALS
    candidates = [k for k, t in enumerate(doc.tokens) if t[0][0] in initials]
    covered = {k for s in spans for k in range(s.i, s.j)}
    place_at = {s.i for s in spans if s.label == "LOC"}
    found: list[Span] = []
    for k in candidates:
        size = 0 if k in covered else _road_at(doc, k)
        if size and not covered.intersection(range(k, k + size)):
            cued = k > 0 and doc.lows[k - 1].replace("’", "'") in ROAD_BEFORE  # "l’A20"
            if cued or (doc.initial[k] and k + size in place_at):
                found.append(Span(k, k + size, "LOC", None))
                covered.update(range(k, k + size))
    return sorted(spans + found) if found else spans
