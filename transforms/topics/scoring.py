"""Topic scores from the lexicon (and an optional embedder): the pure core of the topics step;
score.py is its Beam shell.

Compiled by mypy's compiler (setup.py, README "Compiled modules"): the same code, with its type
hints enforced and used.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from transforms.core.records import Entity, Topic, TopicEvidence
from transforms.topics.keywords import Match, Term
from transforms.topics.lexicon import ANY_LANGUAGE, Lexicon, normalise

if TYPE_CHECKING:
    from transforms.topics.embedding import TopicEmbedder

TITLE_BOOST = 2.0  # a headline word says more about the topic than a body word
PRIOR = 2.0  # evidence mass of "no topic": one weak hit must not look like certainty
MIN_CHILD_SCORE = 0.05  # level-2 and custom topics below this are left out of the list
ENTITY_WINDOW_BEFORE = 40  # "il ministro degli Esteri Wang Yi": role word, then the name
ENTITY_WINDOW_AFTER = 20  # "Putin, the president ..."
ENTITY_CONTEXT_WEIGHT = 1.0  # a PER/ORG next to topic words adds to that topic
MAX_EVIDENCE_TERMS = 12


def score_topics(
    text: str,
    title: str | None,
    language: str,
    entities: Sequence[Entity],
    lexicon: Lexicon,
    embedder: TopicEmbedder | None = None,
) -> list[Topic]:
    """All 17 IPTC top-level topics plus level-2 and custom topics with some evidence, best first.
    With an embedder, IPTC topics are scored by it and custom topics by the lexicon."""
    return _score(text, title, language, entities, lexicon, None, embedder)


def explain_topics(
    text: str,
    title: str | None,
    language: str,
    entities: Sequence[Entity],
    lexicon: Lexicon,
    embedder: TopicEmbedder | None = None,
) -> tuple[list[Topic], list[TopicEvidence]]:
    """score_topics() plus, for every listed topic with evidence, the words that produced it
    (with an embedder: "near: " and the closest prototype's terms)."""
    words: dict[str, dict[str, None]] = defaultdict(dict)  # ordered sets of evidence per code
    topics = _score(text, title, language, entities, lexicon, words, embedder)
    evidence = [
        TopicEvidence(t.code, tuple(_evidence_for(t.code, lexicon, words))[:MAX_EVIDENCE_TERMS])
        for t in topics
        if t.score > 0
    ]
    return topics, evidence


def _score(
    text: str,
    title: str | None,
    language: str,
    entities: Sequence[Entity],
    lexicon: Lexicon,
    words: dict | None,
    embedder: TopicEmbedder | None = None,
) -> list[Topic]:
    matcher = lexicon.matchers.get(language) or lexicon.matchers[ANY_LANGUAGE]
    counts: dict[Term, float] = defaultdict(float)
    norm = normalise(text)
    matches = matcher.find(norm)
    for match in matches:
        _count(match, norm, 1.0, counts, words)
    if title:
        norm_title = normalise(title)
        for match in matcher.find(norm_title):
            _count(match, norm_title, TITLE_BOOST, counts, words)
    if entities:
        _count_entities(entities, matches, len(text), lexicon, counts, words)

    raw: dict[str, float] = defaultdict(float)
    for term, n in counts.items():
        raw[term.code] += term.weight * (1.0 + math.log(n)) if n >= 1 else term.weight * n
    totals = dict.fromkeys(lexicon.top_level, 0.0)
    for code, value in raw.items():
        totals[code] = totals.get(code, 0.0) + value
        parent = lexicon.topics[code].parent
        if parent:
            totals[parent] += value
    # Custom topics count in the mass too, so that their scores stay within [0, 1].
    custom = sum(v for code, v in totals.items() if not code.startswith("medtop:"))
    mass = sum(totals[code] for code in lexicon.top_level) + custom + PRIOR
    scores = {code: value / mass for code, value in totals.items()}
    if embedder is not None:
        embedded, nearest = embedder.scores(text, title, evidence=words is not None)
        scores = {c: v for c, v in scores.items() if not c.startswith("medtop:")} | embedded
        if words is not None:
            for code, prototype in nearest.items():
                words[code] = {f"near: {prototype}": None}
    ranked = []
    for code, score in scores.items():
        level = 0 if lexicon.topics[code].parent is None else 1
        if code in lexicon.top_level or score >= MIN_CHILD_SCORE:
            ranked.append((-score, level, code, score))
    ranked.sort()
    return [Topic(code, lexicon.topics[code].label, score) for _, _, code, score in ranked]


def _count(match: Match, norm: str, weight: float, counts: dict, words: dict | None) -> None:
    for term in match.terms:
        counts[term] += weight
    if words is not None:
        end = norm.find(" ", match.end)
        surface = norm[match.start : end if end >= 0 else len(norm)].strip()
        for term in match.terms:
            words[term.code][surface] = None


def _count_entities(
    entities: Sequence[Entity],
    matches: list[Match],
    text_length: int,
    lexicon: Lexicon,
    counts: dict,
    words: dict | None,
) -> None:
    """Linked entities that are evidence themselves, and people/organisations next to topic words."""
    starts = [m.start for m in matches]
    for entity in entities:
        for term in lexicon.entity_topics.get(entity.id or "", ()):
            counts[term] += 1.0
            if words is not None:
                words[term.code][f"entity:{entity.id}"] = None
        if entity.label not in ("PER", "ORG") or not matches:
            continue
        if not 0 <= entity.start < entity.end <= text_length:
            continue  # offsets from another text version: no context to read
        start, end = entity.start + 1, entity.end + 1  # normalised text has one leading space
        near = _nearest(matches, starts, start, end)
        if near is None:
            continue
        for term in near.terms:
            context = Term(term.code, ENTITY_CONTEXT_WEIGHT, f"{entity.label} context")
            counts[context] += 1.0
            if words is not None:
                words[term.code][f"{entity.label}:{entity.text}"] = None


def _nearest(matches: list[Match], starts: list[int], start: int, end: int) -> Match | None:
    """The lexicon match closest to an entity: just before it, else just after it."""
    i = bisect.bisect_left(starts, start)
    if i > 0 and 0 <= start - matches[i - 1].end <= ENTITY_WINDOW_BEFORE:
        return matches[i - 1]
    j = bisect.bisect_left(starts, end)
    if j < len(matches) and matches[j].start - end <= ENTITY_WINDOW_AFTER:
        return matches[j]
    return None


def _evidence_for(code: str, lexicon: Lexicon, words: dict) -> Iterator[str]:
    yield from words.get(code, {})
    for child, topic in lexicon.topics.items():
        if topic.parent == code:
            yield from (w for w in words.get(child, {}) if w not in words.get(code, {}))
