"""DFKI SmartData corpus v1 (CC BY 4.0), one of the German sets the CRF trains on: its JSON
as published -> documents of `block` sentences of (token, BIO tag). bench/ner_data.py reads it
with its BLOCK."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

# SmartData concept types -> ours. Routes ("A9", "ICE 26"), dates, triggers and the like are no
# names in the CoNLL sense; a street or a stop is a place, as in GermEval.
SMARTDATA = {
    "person": "PER",
    "organization": "ORG",
    "organization-company": "ORG",
    "location": "LOC",
    "location-city": "LOC",
    "location-street": "LOC",
    "location-stop": "LOC",
}
_WORD = re.compile(r"\w+(?:[-'’.&]\w+)*|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"„»A-ZÄÖÜ])|\n+")


def read_smartdata(path: Path, block: int) -> list[list[list[tuple[str, str]]]]:
    """DFKI SmartData corpus v1 JSON (gzipped, as published): web news, RSS and traffic reports;
    tweets (numeric ids) and repeated texts are left out. Our tokens carry the concept mentions'
    character spans; a mention that opens in lower case ("deutsche", "beiden Richtungen") or is a
    handle or hashtag is not a name, and a place's adjective ("Türkische" opening a sentence) is
    MISC, as in GermEval's LOCderiv."""
    seen: set[str] = set()
    docs = []
    for raw in _json_stream(gzip.decompress(path.read_bytes()).decode("utf-8")):
        text = raw["text"]["string"]
        if not raw["id"].startswith("http") or text in seen:
            continue
        seen.add(text)
        mentions = [_smartdata_mention(text, m) for m in (raw["conceptMentions"] or {})["array"]]
        doc = _tag_by_offsets(text, [m for m in mentions if m])
        docs += [doc[k : k + block] for k in range(0, len(doc), block)]
    return docs


def _json_stream(text: str):
    decoder, pos = json.JSONDecoder(), 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        obj, pos = decoder.raw_decode(text, pos)
        yield obj


def _smartdata_mention(text: str, mention: dict) -> tuple[int, int, str] | None:
    label = SMARTDATA.get(mention["type"])
    start, end = mention["span"]["start"], mention["span"]["end"]
    surface = text[start:end]
    if not label or not surface or not surface[0].isupper():
        return None
    if label == "LOC" and " " not in surface and re.search(r"ische[nmrs]?$", surface):
        label = "MISC"
    return start, end, label


def _tag_by_offsets(text: str, mentions: list[tuple[int, int, str]]) -> list:
    """Sentences of (token, BIO tag): a token inside a mention's characters takes its label."""
    sentences = []
    for piece in _pieces(text):
        sent = []
        for m in _WORD.finditer(text, piece[0], piece[1]):
            tag = "O"
            for start, end, label in mentions:
                if start <= m.start() and m.end() <= end:
                    tag = ("B-" if m.start() == start else "I-") + label
                    break
            sent.append((m.group(), tag))
        if sent:
            sentences.append(sent)
    return sentences


def _pieces(text: str) -> list[tuple[int, int]]:
    bounds = [0, *(x for m in _SENTENCE_END.finditer(text) for x in (m.start(), m.end()))]
    return list(zip(bounds[::2], [*bounds[1::2], len(text)], strict=True))
