"""Cue phrases for parse from data/*.tsv (kind<TAB>lang<TAB>phrase), as regex alternations.

The words live in data files so that a language is added without touching a pattern; the code
that uses them keeps the grammar around them (anchors, boundaries, what may follow).
"""

from __future__ import annotations

import functools
import importlib.resources
import re


@functools.cache
def load_cues(name: str) -> Cues:
    """The cue file data/<name> of this package, read once per process."""
    path = importlib.resources.files("transforms.parse") / "data" / name
    return Cues(path.read_text(encoding="utf-8"), name)


class Cues:
    """Phrases by kind from kind<TAB>lang<TAB>phrase lines ("#" comments); pattern(kind) is their
    regex alternation."""

    def __init__(self, text: str, source: str = "<cues>"):
        self._phrases: dict[str, list[str]] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3 or not fields[2].strip():
                raise ValueError(f"{source}:{number}: want kind<TAB>lang<TAB>phrase, got {line!r}")
            kind, _, phrase = fields
            self._phrases.setdefault(kind, []).append(phrase.strip())

    def phrases(self, kind: str) -> list[str]:
        if kind not in self._phrases:
            raise KeyError(f"no cue kind {kind!r}")
        return list(self._phrases[kind])

    def pattern(self, kind: str) -> str:
        """The kind's phrases as one alternation, without a group or boundaries: literal text
        (escaped), "stem*" as stem plus word characters, longest first so that a phrase never
        loses to its own beginning ("read more" before "read")."""
        phrases = sorted(dict.fromkeys(self.phrases(kind)), key=lambda p: (-len(p), p))
        return "|".join(
            re.escape(p[:-1]) + r"\w*" if p.endswith("*") else re.escape(p) for p in phrases
        )
