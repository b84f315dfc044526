"""Topic lexicons: IPTC Media Topic labels, bundled keyword lexicons per language, user topics.

Loads and validates them (every error names "file:line") and compiles one Aho-Corasick matcher per
language, so scoring an article is one pass over its text in C.
"""

from __future__ import annotations

import importlib.resources
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from transforms.topics.keywords import (
    LANGUAGES,
    Match,
    Matcher,
    Term,
    TopicFileError,
    check_term,
    normalise,
    term_key,
)
from transforms.topics.topicfile import CustomTopic, load_custom_topics

__all__ = [
    "ANY_LANGUAGE",
    "LANGUAGES",
    "CustomTopic",
    "Lexicon",
    "Match",
    "Matcher",
    "Term",
    "TopicDef",
    "TopicFileError",
    "load_custom_topics",
    "load_lexicon",
    "normalise",
]

ANY_LANGUAGE = "*"  # the merged matcher, used when the language is unknown


class TopicDef(NamedTuple):
    code: str  # medtop:NNNNNNNN or custom:<slug>
    parent: str | None  # top-level code for level-2 IPTC topics, else None
    label: str  # English IPTC name, or the user's name for a custom topic


class Lexicon(NamedTuple):
    topics: dict[str, TopicDef]
    matchers: dict[str, Matcher]
    entity_topics: dict[str, tuple[Term, ...]]  # Wikidata QID -> evidence it gives
    top_level: frozenset[str]  # the 17 IPTC top-level codes, always listed


def read_bundled(name: str) -> tuple[str, str]:
    path = importlib.resources.files("transforms.topics") / "data" / name
    return str(path), path.read_text(encoding="utf-8")


def _rows(source: str, text: str, columns: int) -> Iterable[tuple[int, list[str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != columns:
            raise TopicFileError(
                f"{source}:{number}: expected {columns} tab-separated columns, got {len(cells)}"
            )
        yield number, cells


def load_iptc_topics() -> dict[str, TopicDef]:
    source, text = read_bundled("iptc_topics.tsv")
    topics = {}
    for number, cells in _rows(source, text, 7):
        code, parent, label = cells[0], cells[1] or None, cells[2]
        if code == "code":
            continue
        if not re.fullmatch(r"medtop:\d{8}", code):
            raise TopicFileError(f"{source}:{number}: bad IPTC code {code!r}")
        topics[code] = TopicDef(code, parent, label)
    return topics


def load_keyword_lexicon(
    source: str, text: str, topics: dict[str, TopicDef]
) -> list[tuple[str, Term]]:
    """Parse one lexicon TSV (code, weight, comma-separated terms) into (key, Term) pairs."""
    pairs = []
    for number, (code, weight, terms) in _rows(source, text, 3):
        if code not in topics:
            raise TopicFileError(f"{source}:{number}: unknown topic code {code!r}")
        try:
            value = float(weight)
        except ValueError:
            raise TopicFileError(f"{source}:{number}: weight is not a number: {weight!r}") from None
        for term in terms.split(","):
            problem = check_term(term)
            if problem:
                raise TopicFileError(f"{source}:{number}: {problem}")
            pairs.append((term_key(term), Term(code, value, term.strip())))
    return pairs


def load_entity_topics(topics: dict[str, TopicDef]) -> dict[str, list[Term]]:
    source, text = read_bundled("entity_topics.tsv")
    table: dict[str, list[Term]] = defaultdict(list)
    for number, (qid, code, weight, name) in _rows(source, text, 4):
        if not re.fullmatch(r"Q\d+", qid) or code not in topics:
            raise TopicFileError(f"{source}:{number}: bad QID or topic code: {qid!r} {code!r}")
        table[qid].append(Term(code, float(weight), f"{name} ({qid})"))
    return table


def load_lexicon(custom_topics_path: str | None = None) -> Lexicon:
    """The bundled IPTC lexicons, plus the user's topics when a topic file is given."""
    topics = load_iptc_topics()
    per_language = {}
    for lang in LANGUAGES:
        source, text = read_bundled(f"lexicon_{lang}.tsv")
        per_language[lang] = load_keyword_lexicon(source, text, topics)
    entity_topics = load_entity_topics(topics)
    if custom_topics_path:
        for custom in load_custom_topics(custom_topics_path):
            topics[custom.code] = TopicDef(custom.code, None, custom.name)
            for lang, terms in custom.keywords.items():
                for term in terms:
                    pair = (term_key(term), Term(custom.code, 2.0 * custom.weight, term))
                    for target in LANGUAGES if lang == "any" else (lang,):
                        per_language[target].append(pair)
            for qid in custom.wikidata:
                entity_topics[qid].append(Term(custom.code, 2.0 * custom.weight, qid))
    matchers = {lang: Matcher(pairs) for lang, pairs in per_language.items()}
    matchers[ANY_LANGUAGE] = Matcher(p for pairs in per_language.values() for p in pairs)
    frozen = {qid: tuple(terms) for qid, terms in entity_topics.items()}
    top_level = frozenset(
        c for c, t in topics.items() if t.parent is None and c.startswith("medtop:")
    )
    return Lexicon(topics, matchers, frozen, top_level)
