"""Italian-only rules. Passes over the name rules' spans (spans in, spans out): a city after an
article is its club ("il Napoli"), the lower-case kind of place belongs to the place ("il golfo del
Messico") and province codes ("Ribera (AG)"). And evidence for an unknown
name's label, in guess.GUESS_RULES: "il governo X", an Italian town, a closing adjective.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transforms.entities.doc import Doc, Span
from transforms.entities.lexicon import italian_word
from transforms.entities.tokens import Token
from transforms.entities.words import (
    GOVERNMENT_BY_LEADER,
    ITALIAN_LINKS,
    NAME_ADJECTIVES,
    ORG_FIRST,
    ORG_LAST,
    adjective_of_place,
    read_lists,
)

if TYPE_CHECKING:
    from transforms.entities.guess import Stretch

LISTS = read_lists("rules_it.tsv")


# Italian writes a city without an article; "il Napoli", "della Roma" are the clubs. Cities
# whose Italian name takes the article are exempt.
CLUB_ARTICLES = LISTS["club_articles"]
ARTICLE_CITIES = LISTS["article_cities"]
CLUB_REGIONS, CLUB_REGION_ARTICLES = LISTS["club_regions"], LISTS["club_region_articles"]


def clubs(spans: list[Span], doc: Doc) -> list[Span]:
    """A city after an Italian article is its football club: ORG, no id; so is "la Lazio"."""
    lows, gaz = doc.lows, doc.gaz
    out = []
    for s in spans:
        entry = gaz.entries[s.entry] if s.entry is not None else None
        before = lows[s.i - 1] if s.i > 0 else ""
        city_club = (
            entry is not None
            and entry.kind == "city"
            and before in CLUB_ARTICLES
            and lows[s.i] not in ARTICLE_CITIES
        )
        region_club = (
            s.j - s.i == 1 and lows[s.i] in CLUB_REGIONS and before in CLUB_REGION_ARTICLES
        )
        if city_club or region_club:
            s = Span(s.i, s.j, "ORG", None)
        out.append(s)
    return out


# Italian writes the kind of place in lower case before its name: "il golfo del Messico",
# "la provincia di Ascoli Piceno", "il fiume Dyfi". The whole is the place (and not the
# country or town it is named after, so no id).
GEO_NOUNS = LISTS["geo_nouns"]


# "la Sardegna meridionale", "la Macedonia settentrionale": a part of the place, or another one.
PLACE_PARTS_AFTER = LISTS["place_parts_after"]


# Italian province codes, written in brackets after a town: "Cassano Magnago (VA)".
PROVINCE_CODES = LISTS["province_codes"]


def place_kinds(spans: list[Span], doc: Doc) -> list[Span]:
    """Widen a place over the lower-case kind of place before it ("golfo del Messico") and the
    part of it named after it ("Sardegna meridionale"); a province code in brackets after a
    place is the province ("Ribera (AG)")."""
    tokens, lows = doc.tokens, doc.lows
    out = []
    last_end = 0
    for x, s in enumerate(spans):
        nxt = spans[x + 1].i if x + 1 < len(spans) else len(tokens)
        if s.label == "LOC" and s.j < nxt and lows[s.j] in PLACE_PARTS_AFTER:
            s = Span(s.i, s.j + 1, "LOC", None)
        k = s.i - 1
        if k >= 0 and lows[k] in ITALIAN_LINKS:
            k -= 1
        place = s.label == "LOC" or (s.label == "MISC" and s.entry is None)
        if place and k >= last_end and lows[k] in GEO_NOUNS and tokens[k][0].islower():
            # "la regione Lazio" is still Lazio; "la provincia di Ascoli" is not the town
            s = Span(k, s.j, "LOC", s.entry if lows[k] == "regione" else None)
        out.append(s)
        last_end = s.j
    return _province_codes(out, tokens) if doc.italian else out


# Streets, squares, stadiums, airports and bridges are named after people: "via Giuseppe
# Garibaldi", "Piazza Vittorio Emanuele", "lo stadio Giuseppe Meazza".
VENUE_NOUNS = LISTS["venue_nouns"]


def venues(spans: list[Span], doc: Doc) -> list[Span]:
    """A venue noun and the person or unknown name after it are one place ("Piazza | Vittorio
    Emanuele", "stadio Benito Stirpe"), as is a name it opens ("Aeroporto Leonardo da Vinci").
    After "via", only a person, and only in Italian: "via Skype", "sent via John Smith" are
    ways, not streets."""
    lows = doc.lows
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        named = s.label == "PER" or (s.label == "MISC" and s.entry is None)
        if named and prev and _venue_word(doc, prev, s.i):
            out[-1] = Span(prev.i, s.j, "LOC", None)  # "Piazza" | "Vittorio Emanuele"
            continue
        k = s.i - 1
        # A place a square or an avenue is named after is not where it is: "piazza Venezia" is
        # in Rome. Not after "via", which is also "by way of" ("via Parigi").
        place = s.label == "LOC" and k >= 0 and lows[k] != "via" and doc.italian
        if (named or place) and k >= (prev.j if prev else 0) and lows[k] in VENUE_NOUNS:
            street = lows[k] != "via" or (s.label == "PER" and doc.italian)
            if doc.gap(k) == " " and street:
                s = Span(k, s.j, "LOC", None)
        elif s.j - s.i > 1 and lows[s.i] in VENUE_NOUNS and s.label != "LOC" and s.entry is None:
            s = s._replace(label="LOC")  # "Aeroporto Leonardo da Vinci", one run
        out.append(s)
    return out


PURPOSE_LINKS = LISTS["purpose_links"]
PURPOSE_ARTICLES = LISTS["purpose_articles"]


def purposes(spans: list[Span], doc: Doc) -> list[Span]:
    """A body named for what it is for is one organisation: "il Movimento | per l' |
    Autonomia", "il Fondo per l'Ambiente Italiano"."""
    if not doc.italian:
        return spans
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if prev is not None and _body(doc, prev) and _purpose_between(doc, prev.j, s.i):
            out[-1] = Span(prev.i, s.j, "ORG", None)
            continue
        out.append(s)
    return out


def _body(doc: Doc, s: Span) -> bool:
    """An organisation by its first or last word (org_first, org_last): "Movimento", "Fondo"."""
    lows = doc.lows[s.i : s.j]
    return s.label == "ORG" and (lows[0] in ORG_FIRST or lows[-1] in ORG_LAST)


def _purpose_between(doc: Doc, j: int, i: int) -> bool:
    """Tokens [j, i) are "per" and at most one article."""
    between = doc.lows[j:i]
    if not between or between[0] not in PURPOSE_LINKS or len(between) > 2:
        return False
    return len(between) == 1 or between[1] in PURPOSE_ARTICLES


def _venue_word(doc: Doc, s: Span, before: int) -> bool:
    """s is one venue noun just before token `before`, a space between."""
    return s.j == before and s.j - s.i == 1 and doc.lows[s.i] in VENUE_NOUNS and doc.gap(s.i) == " "


def _province_codes(spans: list[Span], tokens: list[Token]) -> list[Span]:
    """The code in brackets after a place is its province ("Ribera ( AG )"), whatever else it
    was taken for (a party, a firm, a shouted word); not after a dateline's city in capitals
    ("NEW YORK (AP)", the agency)."""
    codes = {
        s.j + 1
        for s in spans
        if s.label == "LOC"
        and not tokens[s.j - 1][0].isupper()
        and s.j + 2 < len(tokens)
        and tokens[s.j][0] == "("
        and tokens[s.j + 1][0] in PROVINCE_CODES
        and tokens[s.j + 2][0] == ")"
    }
    if not codes:
        return spans
    kept = [s for s in spans if not any(s.i <= k < s.j for k in codes)]
    return sorted(kept + [Span(k, k + 1, "LOC", None) for k in codes])


# ---- evidence for an unknown name's label (guess.GUESS_RULES) ----


# Italian names a law by the minister who wrote it: "la riforma Fornero", "il ddl Mastella",
# "la legge ex Cirielli" (a `former` word may come between).
LAW_BY_AUTHOR = LISTS["law_by_author"]
FORMER = LISTS["former"]


def government_by_leader(s: Stretch) -> str | None:
    """Italian names a government by its leader and a law by its author: "il governo
    Berlusconi", "l'amministrazione Bush", "il ddl Mastella", "la legge ex Cirielli"."""
    if not s.lone or not s.before or s.doc.english:
        return None
    before = s.before[:-1] if s.before[-1] in FORMER else s.before
    if before and (before[-1] in GOVERNMENT_BY_LEADER or before[-1] in LAW_BY_AUTHOR):
        return "PER"
    return None


def italian_town(s: Stretch) -> str | None:
    """An Italian municipality ("tra Olbia e Tempio", "ad Arzachena")."""
    return "LOC" if not s.doc.english and " ".join(s.words) in s.doc.gaz.towns else None


def closing_adjective(s: Stretch) -> str | None:
    """An adjective closes the name of a party, paper or body, not a person's: "Sinistra
    Italiana", "Brigate Rosse", "Gazzetta Ufficiale"."""
    if not s.doc.english and any(_name_adjective(t.lower()) for t in s.words[1:]):
        return "ORG"
    return None


# Italian gives no article to a person or a town: a lone unknown name after a feminine one is
# a company or a body ("della Trenord", "dalla Innocenti"), after a plural one a band or a
# team ("i Beatles", "dai Barbarians"). Countries and regions take them too, but those are
# known names.
ORG_ARTICLES = LISTS["org_articles"]
THING_ARTICLES = LISTS["thing_articles"]


def thing_article(s: Stretch) -> bool:
    """A lone given name after a masculine article, in Italian: "sul Mac", "il Mac". Italian
    writes a man's name without one ("ha detto Mario"), so it is a thing named like a person."""
    return s.lone and s.doc.italian and bool(s.before) and s.before[-1] in THING_ARTICLES


def organisation_article(s: Stretch) -> str | None:
    """ "la sede della Trenord", "i Doors"."""
    if s.lone and s.before and s.before[-1] in ORG_ARTICLES and s.doc.italian:
        return "ORG"
    return None


def italian_phrase(s: Stretch) -> str | None:
    """Several words of Italian text that no other evidence named, opening with an Italian
    dictionary word that is no given name, or made only of such words: a body, a line, a place
    or a title named by what it is ("Ferrovie Nord Milano", "Fosse Ardeatine", "Forze Armate",
    "Divina Commedia"), not a person, whose name opens with a given name (or an initial)."""
    if s.lone or not s.doc.italian or s.words[0] in s.doc.gaz.first_names:
        return None
    opens = italian_opening(s.words[0], s.doc.gaz.first_names)
    return "MISC" if opens or all(italian_word(w) for w in s.words) else None


def italian_opening(word: str, given_names: frozenset[str]) -> bool:
    """An Italian dictionary word that opens no person's name: not a given name ("Stella",
    "Marina") or an initial ("V.")."""
    return len(word) > 2 and word.isalpha() and word not in given_names and italian_word(word)


def _name_adjective(low: str) -> bool:
    return low in NAME_ADJECTIVES or adjective_of_place(low)
