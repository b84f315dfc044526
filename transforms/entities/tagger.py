"""The rules tagger's pure core: a text's Doc, the name rules' spans, the passes over them, and
the entities they resolve to. tag.py is its Beam shell and its other backends.

Compiled by mypy's compiler (setup.py, README "Compiled modules"): the same code, with its type
hints enforced and used.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.core.records import Entity
from transforms.entities.context import (
    adjective_bodies,
    agree_in_lists,
    agree_labels,
    athletes,
    bodies_for,
    club_cities,
    company_names,
    french_qualifiers,
    german_bodies,
    places_inside_names,
    regions_after_places,
    shouted_events,
    shouted_places,
    sports_teams,
    states_after_places,
)
from transforms.entities.doc import Doc, Span
from transforms.entities.gazetteer import Gazetteer
from transforms.entities.inflection import endings_for
from transforms.entities.institutions_it import institution_names, institutions, seats
from transforms.entities.model import NerModel, model_spans
from transforms.entities.nouns import nouns_for
from transforms.entities.roads import roads
from transforms.entities.rules_it import clubs, place_kinds, purposes, venues
from transforms.entities.scripts import has_latin_letter
from transforms.entities.spans import (
    corefer,
    dotted_ends,
    find_names,
    hyphen_tails,
    particle_heads,
    untitled,
)

# The tagger after find_names (gazetteer matches and the name rules): each pass takes the spans
# the passes before it left, and the Doc, and returns spans. The order matters: a club, for one,
# must be found while its city still has its id, before a sports report drops it.
PASSES: tuple[Callable[[list[Span], Doc], list[Span]], ...] = (
    company_names,  # "Zorbex Maschinenbau AG", "DEIKON GmbH & Co. KG"
    german_bodies,  # "die Kommission" (de)
    bodies_for,  # "Bundesagentur für Arbeit" (de)
    adjective_bodies,  # "dem Statistischen Bundesamt" (de)
    french_qualifiers,  # "le Conseil constitutionnel" (fr)
    dotted_ends,  # "Norwest Corp."
    hyphen_tails,  # "Ban Ki-moon"
    particle_heads,  # "De Mistura"
    untitled,  # "Papa | Francesco"
    corefer,  # "Neil Jordan ... Jordan"
    clubs,  # "il Napoli" (it)
    club_cities,  # "FC Bayern München"
    athletes,  # "Torrance Zellner ( U.S. ) 48.23"
    sports_teams,  # "Leeds beat Everton 2-1"
    institutions,  # "la polizia", "il governo" (it)
    institution_names,  # "Corte suprema", "ministero della Giustizia" (it)
    seats,  # "Procura | di | Trani" (it)
    venues,  # "via Giuseppe Garibaldi" (it)
    purposes,  # "il Movimento per l'Autonomia" (it)
    agree_in_lists,  # "Cattenom, Civaux e Flamanville"
    agree_labels,  # "a Stroppiana" ... "Stroppiana"
    shouted_places,  # "rilevata da SOFIA"
    shouted_events,  # "HONG KONG OPEN RESULTS"
    places_inside_names,  # "Human Rights in China"
    regions_after_places,  # "King County, Washington"
    states_after_places,  # "Austin, TX", "Rockledge, Fla."
    place_kinds,  # "il golfo del Messico", "Ribera (AG)" (it)
    roads,  # "sulla A14", "auf der A8", "der Autobahn A 45"
)


def tag_entities(text: str, gazetteer: Gazetteer, language: str = "und") -> list[Entity]:
    """Entities in text by the rules, sorted by start, one id per entity within the text. In a
    language that capitalises its nouns (one with a noun list: German), known nouns are not
    names; in one that declines names (Polish, Croatian...), "Warszawie" is Warszawa."""
    doc = Doc(text, gazetteer, nouns_for(language), endings_for(language), language)
    return _resolve(doc, rule_spans(doc))


def rule_spans(doc: Doc) -> list[Span]:
    spans = find_names(doc)
    for step in PASSES:
        spans = step(spans, doc)
    return spans


def tag_entities_model(
    text: str, gazetteer: Gazetteer, model: NerModel, language: str = "und"
) -> list[Entity]:
    """Entities in text by the CRF (the language's own, if it has one), linked through the
    gazetteer."""
    doc = Doc(text, gazetteer)
    return _resolve(doc, model_spans(doc, model, language))


# Names in scripts without Latin letters ("Москве", "北京", "القاهرة") are found but not linked:
# a hand-judged sample of those links on Universal NER's Chinese and Russian news was 40/50 right
# (places inside longer names, "西班牙宗教裁判所"; historic namesakes, ancient Macedon), far under
# the precision the links keep elsewhere. A wrong link costs more than a missing one.
def _linkable(doc: Doc, span: Span) -> bool:
    tokens = doc.tokens
    return has_latin_letter(doc.text, tokens[span.i][1], tokens[span.j - 1][2])


def _resolve(doc: Doc, spans: list[Span]) -> list[Entity]:
    """Spans -> Entities; a surname or repeated name takes the id its full mention had."""
    text, tokens, gaz = doc.text, doc.tokens, doc.gaz
    spans = [s if s.entry is None or _linkable(doc, s) else s._replace(entry=None) for s in spans]
    by_words: dict[tuple[str, ...], tuple[str, str]] = {}  # word suffix -> (label, qid)
    for s in spans:
        entry = gaz.entries[s.entry] if s.entry is not None else None
        if entry and entry.qid:
            words = tuple(t[0] for t in tokens[s.i : s.j])
            by_words.setdefault(words, (s.label, entry.qid))
            if s.label == "PER" and len(words) > 1:
                by_words.setdefault(words[-1:], (s.label, entry.qid))
    out = []
    for s in spans:
        entry = gaz.entries[s.entry] if s.entry is not None else None
        label, qid = s.label, entry.qid if entry else None
        if qid is None:
            words = tuple(t[0] for t in tokens[s.i : s.j])
            known = by_words.get(words)
            # A surname or an unknown name takes the id; places and organisations the rules
            # unlinked on purpose (a sports team, a place inside a name) stay unlinked.
            if known and label in ("PER", "MISC"):
                label, qid = known
        start, end = tokens[s.i][1], tokens[s.j - 1][2]
        out.append(Entity(text[start:end], label, qid, start, end))
    out.sort(key=lambda e: (e.start, e.end))
    return out
