"""Evidence from the wider text, applied to the name rules' spans: sports teams named by their
place, one type per name, and ids dropped where a place is really a team or part of a longer
name. Spans in, spans out.
"""

from __future__ import annotations

import re
from collections import Counter

from transforms.entities.gazetteer import Gazetteer, Token
from transforms.entities.names import Span
from transforms.entities.words import ITALIAN_LINKS


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


# Words that make a text a sports report (compared lower-cased; two distinct ones are needed).
SPORT_WORDS = _words(
    """soccer football cricket rugby baseball basketball hockey tennis golf volleyball cycling
    athletics league innings wicket wickets goal goals scored halftime half-time standings
    championship match matches fixture fixtures quarterfinal semifinal semi-final quarter-final
    playoff playoffs tournament striker midfielder goalkeeper pitcher
    calcio partita partite campionato gol reti squadra squadre allenatore classifica stagione
    pallone attaccante portiere derby coppa supercoppa scudetto cup squad qualifier
    qualifiers coach inning stadium tifoso tifosi stadio fußball spiel tore mannschaft fútbol partido equipo
    but équipe"""
)
# A team named by its place: subject or object of a result, or one side of "X v Y".
RESULT_BEFORE = _words("beat beats v vs defeated sconfigge batte")
RESULT_AFTER = _words(
    """manager coach beat beats drew draw v vs defeated lost won sconfigge batte battono pareggia perde vince
    vincono battuto"""
)
# Where a place is a place even in a sports report: "in Leeds", "( Italy )" after an athlete.
NOT_TEAM_BEFORE = _words("in at a from da ( nel near")
SCORE_MAX = 999  # standings and scores; a four-digit number is a year


def sports_teams(
    spans: list[Span], text: str, tokens: list[Token], lows: list[str], gaz: Gazetteer
) -> list[Span]:
    """In a sports report a place next to a score or a result verb is the team: ORG, no id.
    A country there is its national side, which news NER (CoNLL) keeps as LOC: it keeps its
    label and, below, loses its id."""
    if len(SPORT_WORDS.intersection(lows)) < 2:
        return spans
    n = len(tokens)
    teams: set[tuple[str, ...]] = set()
    out = []
    for s in spans:
        words = tuple(lows[s.i : s.j])
        country = _region(s, gaz)
        place = not country and (
            s.label == "LOC" or (s.label == "MISC" and s.j - s.i == 1 and s.entry is None)
        )
        nxt = lows[s.j] if s.j < n else ""
        prev = lows[s.i - 1] if s.i else ""
        # isascii: "²".isdigit() is true and int() would raise
        score = nxt.isascii() and nxt.isdigit() and int(nxt) <= SCORE_MAX and prev != "("
        # "France at Japan", "CLEVELAND AT TEXAS": a fixture list, both sides are teams
        # "Juventus - Milan": a spaced dash between two names is a fixture too
        dash = prev == "-" and s.i >= 2 and tokens[s.i - 1][1] > tokens[s.i - 2][2]
        fixture = (prev in ("at", "v", "vs") or dash) and any(t.j == s.i - 1 for t in spans)
        if fixture:
            teams.update(tuple(lows[t.i : t.j]) for t in spans if t.j == s.i - 1)
        if place and (score or fixture or nxt in RESULT_AFTER or prev in RESULT_BEFORE):
            teams.add(words)
            s = Span(s.i, s.j, "ORG", None)
        out.append(s)
    # The same place named elsewhere in the report is the same team, unless it is where
    # something happens ("in Leeds").
    out = [
        Span(s.i, s.j, "ORG", None)
        if s.label != "ORG"
        and not _region(s, gaz)
        and tuple(lows[s.i : s.j]) in teams
        and not _surely_place(s, text, tokens, lows)
        else s
        for s in out
    ]
    # Any other country or city in a sports report may be a national side or a club ("an
    # upset over Turkey", "Atlanta 's Tom Glavine"): keep its id only where it is surely the
    # place: an athlete's country in brackets, after "in"/"at", or a dateline.
    return [
        s._replace(entry=None)
        if s.entry is not None and s.label == "LOC" and not _surely_place(s, text, tokens, lows)
        else s
        for s in out
    ]


# England, Scotland, Wales, Northern Ireland field national sides of their own.
HOME_NATIONS = frozenset(("Q21", "Q22", "Q25", "Q26"))


def _region(s: Span, gaz: Gazetteer) -> bool:
    """A known country or home nation ("Italy", "England"): its side is a national one. Counties
    and states ("Surrey", "Texas") name clubs like towns do."""
    if s.entry is None:
        return False
    entry = gaz.entries[s.entry]
    return entry.kind == "country" or entry.qid in HOME_NATIONS


def _surely_place(s: Span, text: str, tokens: list[Token], lows: list[str]) -> bool:
    prev = lows[s.i - 1] if s.i else ""
    nxt = lows[s.j] if s.j < len(lows) else ""
    if (prev == "(" and nxt == ")") or prev in NOT_TEAM_BEFORE:
        return True
    line_start = s.i == 0 or "\n" in text[tokens[s.i - 1][2] : tokens[s.i][1]]
    return line_start and (nxt == "," or (len(nxt) >= 4 and nxt[:4].isdigit()))


# Italian writes a city without an article; "il Napoli", "della Roma" are the clubs. Cities
# whose Italian name takes the article are exempt.
CLUB_ARTICLES = _words("il del al dal sul col nel la della alla dalla sulla nella")
ARTICLE_CITIES = _words("cairo aquila spezia aia avana pireo havre paz mecca")


def clubs(spans: list[Span], lows: list[str], gaz: Gazetteer) -> list[Span]:
    """A city after an Italian article is its football club: ORG, no id."""
    out = []
    for s in spans:
        entry = gaz.entries[s.entry] if s.entry is not None else None
        if (
            entry is not None
            and entry.kind == "city"
            and s.i > 0
            and lows[s.i - 1] in CLUB_ARTICLES
            and lows[s.i] not in ARTICLE_CITIES
        ):
            s = Span(s.i, s.j, "ORG", None)
        out.append(s)
    return out


def agree_labels(spans: list[Span], lows: list[str]) -> list[Span]:
    """An unknown name left MISC takes the type the same name got from evidence elsewhere
    in the text ("a Stroppiana" ... "Stroppiana")."""
    seen: dict[tuple[str, ...], Counter] = {}
    for s in spans:
        if s.entry is None and s.label != "MISC":
            seen.setdefault(tuple(lows[s.i : s.j]), Counter())[s.label] += 1
    out = []
    for s in spans:
        votes = seen.get(tuple(lows[s.i : s.j])) if s.label == "MISC" and s.entry is None else None
        out.append(Span(s.i, s.j, votes.most_common(1)[0][0], None) if votes else s)
    return out


LIST_JOINS = _words(", e ed and o or y et und")


def agree_in_lists(spans: list[Span], lows: list[str]) -> list[Span]:
    """Unknown names left MISC in a list ("Cattenom, Civaux e Flamanville") take the one type
    the list's other members have."""
    out = list(spans)
    k = 0
    while k < len(spans):
        e = k
        while (
            e + 1 < len(spans)
            and all(w in LIST_JOINS for w in lows[spans[e].j : spans[e + 1].i])
            and spans[e + 1].i - spans[e].j in (1, 2)
        ):
            e += 1
        group = spans[k : e + 1]
        labels = {s.label for s in group if s.label != "MISC"}
        if len(group) >= 3 and len(labels) == 1:
            label = labels.pop()
            for x in range(k, e + 1):
                if spans[x].label == "MISC" and spans[x].entry is None:
                    out[x] = Span(spans[x].i, spans[x].j, label, None)
        k = e + 1
    return out


def shouted_places(spans: list[Span], text: str, tokens: list[Token], gaz: Gazetteer) -> list[Span]:
    """A lone all-caps city name in a line written in mixed case is an acronym ("rilevata da
    SOFIA", the telescope), not the city: keep the span, drop the id. Countries in capitals
    are emphasis ("la guerra in UCRAINA") and keep theirs."""
    out = []
    for s in spans:
        tok = tokens[s.i][0]
        city = s.entry is not None and gaz.entries[s.entry].kind == "city"
        if city and s.j - s.i == 1 and tok.isupper() and tok not in gaz.caps:
            line_start = text.rfind("\n", 0, tokens[s.i][1]) + 1
            line_end = text.find("\n", tokens[s.i][2])
            line = text[line_start : len(text) if line_end < 0 else line_end]
            words = [w for w in line.split() if w.isalpha() and len(w) > 1]
            if sum(w.isupper() for w in words) * 2 < len(words):
                s = s._replace(entry=None)
        out.append(s)
    return out


NAME_INNER = _words("in of for")


def places_inside_names(spans: list[Span], tokens: list[Token], lows: list[str]) -> list[Span]:
    """A place that ends or touches an unknown organisation's or title's name ("Human Rights in
    China", "Badminton Canada") is part of that name: keep the span, drop the id."""
    out = list(spans)
    for x, s in enumerate(spans):
        if s.entry is None or s.label != "LOC":
            continue
        before = spans[x - 1] if x else None
        after = spans[x + 1] if x + 1 < len(spans) else None
        inner = (
            before is not None
            and before.j == s.i - 1
            and lows[s.i - 1] in NAME_INNER
            and _unknown_name(before)
        )
        # glued to an unknown name: "Badminton Canada", "MEDIA INDONESIA", "Montreal HC"; an
        # unknown word after a place may be a lost full stop ("Pechino Grande supporto")
        glued = (before is not None and before.j == s.i and _unknown_name(before)) or (
            after is not None and after.i == s.j and after.entry is None and after.label == "ORG"
        )
        # before a company's legal form: "Uber Italy s.r.l.", "Acme France SAS"
        if inner or glued or _company_form(tokens, s.j):
            out[x] = s._replace(entry=None)
    return out


COMPANY_FORMS = _words("srl spa sas sarl inc ltd llc plc gmbh ag nv bv sa")


def _company_form(tokens: list[Token], k: int) -> bool:
    """A company's legal form starts at token k: "Srl", "S.p.A.", "s . r . l .", "Inc", "AG"."""
    parts: list[str] = []
    while k < len(tokens) and len(parts) < 8:
        tok = tokens[k][0]
        if tok == "." and not parts:
            break  # a full stop after the place ends its sentence
        if tok != "." and not (tok.isalpha() and len(tok) <= 4 and not (parts and len(tok) > 1)):
            break  # after the first piece only dots and single letters go on ("S.p.A.")
        parts.append(tok)
        k += 1
        if len(tok) > 1:
            break  # a whole word: "Srl", "Inc", "AG"
    form = "".join(parts).replace(".", "")
    if form.lower() not in COMPANY_FORMS:
        return False
    # two-letter forms are words too ("Italia sa vincere"): only written as capitals count
    return (len(form) > 2 and (form[0].isupper() or "." in parts)) or form.isupper()


def _unknown_name(s: Span) -> bool:
    return s.entry is None and s.label in ("ORG", "MISC")


# Italian writes the kind of place in lower case before its name: "il golfo del Messico",
# "la provincia di Ascoli Piceno", "il fiume Dyfi". The whole is the place (and not the
# country or town it is named after, so no id).
GEO_NOUNS = _words(
    """golfo fiume lago monte monti isola isole provincia distretto regione punta valle stretto
    mare oceano canale baia penisola deserto contea arcipelago laguna"""
)


# "la Sardegna meridionale", "la Macedonia settentrionale": a part of the place, or another one.
PLACE_PARTS_AFTER = _words("settentrionale meridionale orientale occidentale centrale")


# Italian province codes, written in brackets after a town: "Cassano Magnago (VA)".
PROVINCE_CODES = _words(
    """AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CI CL CN CO CR CS CT
    CZ EN FC FE FG FI FM FR GE GO GR IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA NO NU
    OG OR OT PA PC PD PE PG PI PN PO PR PT PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS SU
    SV TA TE TN TO TP TR TS TV UD VA VB VC VE VI VR VS VT VV"""
)


def place_kinds(spans: list[Span], tokens: list[Token], lows: list[str]) -> list[Span]:
    """Widen a place over the lower-case kind of place before it ("golfo del Messico") and the
    part of it named after it ("Sardegna meridionale"); a province code in brackets after a
    place is the province ("Ribera (AG)")."""
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
    return _motorways(_province_codes(out, tokens), tokens, lows)


def _province_codes(spans: list[Span], tokens: list[Token]) -> list[Span]:
    """The code in brackets after a place is its province ("Ribera ( AG )"), whatever else it
    was taken for (a party, a firm, a shouted word)."""
    codes = {
        s.j + 1
        for s in spans
        if s.label == "LOC"
        and s.j + 2 < len(tokens)
        and tokens[s.j][0] == "("
        and tokens[s.j + 1][0] in PROVINCE_CODES
        and tokens[s.j + 2][0] == ")"
    }
    if not codes:
        return spans
    kept = [s for s in spans if not any(s.i <= k < s.j for k in codes)]
    return sorted(kept + [Span(k, k + 1, "LOC", None) for k in codes])


# An Italian motorway by its number: "sulla A14", "l'autostrada A4", "dell'A10".
MOTORWAY = re.compile(r"A[1-9][0-9]?")
MOTORWAY_BEFORE = _words(
    "la della sulla nella dalla alla l' dell' sull' nell' dall' all' autostrada autostrade"
)


def _motorways(spans: list[Span], tokens: list[Token], lows: list[str]) -> list[Span]:
    """An uncovered "A14" after an article or "autostrada" is the motorway: LOC, no id."""
    covered = {k for s in spans for k in range(s.i, s.j)}
    roads = [
        Span(k, k + 1, "LOC", None)
        for k in range(1, len(tokens))
        if k not in covered and lows[k - 1] in MOTORWAY_BEFORE and MOTORWAY.fullmatch(tokens[k][0])
    ]
    return sorted(spans + roads) if roads else spans
