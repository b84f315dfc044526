"""Italian institutions: named by a common noun ("la polizia", "lo Stato", "il consiglio
comunale") and by a head noun with its qualifier or its object ("la Corte suprema", "il ministero
della Giustizia iracheno", "il Comune di Reggio Calabria"). Spans in, spans out.
"""

from __future__ import annotations

from transforms.entities.doc import Doc, Span
from transforms.entities.gazetteer import Gazetteer
from transforms.entities.tokens import Token
from transforms.entities.words import ITALIAN_LINKS, QUOTES_OPEN, place_adjective_stem, read_lists
from transforms.entities.words import adjective_of_place as _adjective

LISTS = read_lists("institutions_it.tsv")


# Italian determiners before an institution: "il governo", "della polizia", "l'esercito".
ARTICLES = LISTS["articles"]
# Written in lower case these still name one body in Italian news (KIND's convention too);
# English "the government" is a description, not a name, and is left alone.
INSTITUTIONS_LOWER = LISTS["institutions_lower"]
# Capitalised, these name the institution rather than the thing ("lo Stato", "la Camera").
INSTITUTIONS_CAP = INSTITUTIONS_LOWER | LISTS["institutions_cap"]
# Nouns that name a body only with a qualifier: "il consiglio comunale", not "un consiglio".
INSTITUTIONS_QUALIFIED = LISTS["institutions_qualified"]
_INSTITUTION_WORDS = INSTITUTIONS_CAP | INSTITUTIONS_QUALIFIED


def institutions(spans: list[Span], doc: Doc) -> list[Span]:
    """Italian institutions named by a common noun after an article, as unlinked ORG."""
    tokens, lows = doc.tokens, doc.lows
    candidates = [k for k, w in enumerate(lows) if w in _INSTITUTION_WORDS]
    if not candidates:
        return spans
    covered = [-1] * len(tokens)  # per token, the span covering it, or -1
    for x, s in enumerate(spans):
        for k in range(s.i, s.j):
            covered[k] = x
    out = list(spans)
    drop: set[int] = set()
    for k in candidates:
        tok, low = tokens[k][0], lows[k]
        if k == 0 or lows[k - 1] in QUOTES_OPEN:
            continue
        capital = tok[:1].isupper()
        # "in Parlamento", "capo di Stato": mid-sentence, the capital alone names the body.
        bare = capital and low in INSTITUTIONS_CAP and low != "stato"  # "colpo di Stato"
        if lows[k - 1] not in ARTICLES and not bare:
            continue
        if covered[k] >= 0:
            s = spans[covered[k]]
            alone = s.i == k and s.j == k + 1 and s.entry is None
            if alone and low in INSTITUTIONS_CAP and lows[k - 1] in ARTICLES:
                out[covered[k]] = Span(s.i, s.j, "ORG", None)  # "la Cassazione"
            continue
        qualified = k + 1 < len(tokens) and _qualified(low, lows[k + 1])
        if not (
            low in INSTITUTIONS_LOWER
            or (capital and low in INSTITUTIONS_CAP)
            or (qualified and low in INSTITUTIONS_QUALIFIED)
        ):
            continue
        j = k + 1
        if j < len(tokens) and covered[j] < 0 and _adjective(lows[j]):
            j += 1  # "il governo tedesco", "il consiglio comunale"
        elif capital and j < len(tokens) and covered[j] >= 0:
            nxt = spans[covered[j]]
            if nxt.i == j and nxt.label == "LOC" and tokens[j][1] == tokens[k][2] + 1:
                drop.add(covered[j])  # "Regione Lazio"
                j = nxt.j
        out.append(Span(k, j, "ORG", None))
    return sorted(s for x, s in enumerate(out) if x not in drop)


# A country's province, region or municipality is a place, not the Italian body: "la provincia
# cinese di Heilongjiang"; a level's adjective still makes the body ("il consiglio comunale").
TERRITORIAL_UNITS = LISTS["territorial_units"]
LEVEL_STEMS = LISTS["level_stems"]


def _qualified(low: str, nxt: str) -> bool:
    """An institution noun and an adjective that makes it the body: "il consiglio comunale", "la
    regione europea"; not "la provincia cinese", "la regione russa" (places)."""
    stem = place_adjective_stem(nxt)
    return stem is not None and (low not in TERRITORIAL_UNITS or stem in LEVEL_STEMS)


# Heads whose name goes on after them: "Corte suprema", "ministero della Giustizia",
# "Partito dei Lavoratori", "Ferrovie della Sardegna".
HEADS = LISTS["heads"]
# Lower-case heads that still open a name when a capitalised object follows ("il ministero
# della Giustizia"), unlike "un ministero".
LOWER_HEADS = LISTS["lower_heads"]
# Heads named after their place: "il Comune di Reggio Calabria" is the name; "la Procura di
# Trani" is the Procura, at Trani.
PLACE_NAMED_HEADS = LISTS["place_named_heads"]
QUALIFIERS = LISTS["qualifiers"]
COURT_OBJECTS = LISTS["court_objects"]


def _qualifier(tok: str, low: str) -> bool:
    return tok[:1].islower() and (low in QUALIFIERS or _adjective(low))


def institution_names(spans: list[Span], doc: Doc) -> list[Span]:
    """Widen an institution's head over its qualifier and its named object; a place after a
    court or a prosecutor's office is where it sits and stays a place."""
    tokens, lows = doc.tokens, doc.lows
    starts = {s.i: x for x, s in enumerate(spans)}
    covered: set[int] = set()
    for s in spans:
        covered.update(range(s.i, s.j))
    n = len(tokens)
    out: list[Span] = []
    absorbed: set[int] = set()
    heads: list[tuple[int, int | None]] = [
        (s.i, x) for x, s in enumerate(spans) if _head_span(s, lows)
    ]
    heads += [
        (k, None)
        for k in range(n)
        if lows[k] in LOWER_HEADS and k not in covered and tokens[k][0].islower()
    ]
    widened: dict[int, Span] = {}
    for k, x in sorted(heads):
        if x in absorbed:
            continue  # already part of an earlier name ("Commissione della Regione ...")
        s = spans[x] if x is not None else Span(k, k + 1, "ORG", None)
        head, j, grew, named = lows[s.i], s.j, False, False
        while j < n:
            if _qualifier(tokens[j][0], lows[j]) and j not in covered:
                j, grew = j + 1, True
                continue
            if lows[j] == "d'" and j + 1 < n and lows[j + 1] in COURT_OBJECTS:
                j, grew = j + 2, True  # "Corte d'appello", "Corte d'Assise"
                continue
            t = starts.get(j + 1) if lows[j] in ITALIAN_LINKS else None
            if t is None or t in absorbed:
                break
            obj = spans[t]
            if obj.label == "LOC" and head not in PLACE_NAMED_HEADS:
                break
            if obj.label == "PER" and obj.j - obj.i > 1:
                break  # "la Fondazione di Mario Rossi": the person is named apart
            absorbed.add(t)
            j, grew, named = obj.j, True, True
        if (
            tokens[s.i][0][:1].isupper()
            and j + 1 < n
            and lows[j] in ITALIAN_LINKS
            and j + 1 not in covered
            and _common_noun(tokens[j + 1][0], lows[j + 1])
        ):
            # a capitalised head's lower-case object is part of its name: "Ordine nazionale
            # dei giornalisti", "Procura dei minori", "Presidenza del consiglio"
            j, grew = j + 2, True
            while j < n and j not in covered and _qualifier(tokens[j][0], lows[j]):
                j += 1
        if not grew or (x is None and not named):
            continue  # "un ministero", "le università italiane" name nothing
        widened[s.i] = Span(s.i, j, "ORG", None)
    for x, s in enumerate(spans):
        if x in absorbed:
            continue
        out.append(widened.pop(s.i, s))
    out.extend(widened.values())
    return _no_overlaps(sorted(out))


def _common_noun(tok: str, low: str) -> bool:
    return tok.isalpha() and tok.islower() and len(tok) >= 4 and low not in NOT_OBJECTS


# Lower-case words after "di" that do not name what a body deals with: "la Procura di ieri".
NOT_OBJECTS = LISTS["not_objects"]


def _head_span(s: Span, lows: list[str]) -> bool:
    one_word = s.j - s.i == 1 and s.label == "MISC"
    return s.entry is None and (s.label == "ORG" or one_word) and lows[s.i] in HEADS


def _no_overlaps(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if out and s.i < out[-1].j:
            continue
        out.append(s)
    return out


# Courts and offices named with the town they sit in: the town is a place of its own.
SEAT_HEADS = LISTS["seat_heads"]
# Heads that name nothing without their place: "il Comune di Milano".
_BARE_HEADS = (HEADS | INSTITUTIONS_CAP) - SEAT_HEADS


def seats(spans: list[Span], doc: Doc) -> list[Span]:
    """A full name followed by "di"/"dell'" and a known place names two things, the body or
    person and where they are from: "Università Cattolica | di | Milano", "Racing | di |
    Avellaneda", "Marco Simoncelli | di | Misano Adriatico", and a court or office and the town
    it sits in ("Procura | di | Trani"). A bare head keeps its place ("Comune di Milano"), a
    lone given name its surname ("Leonardo da Vinci")."""
    tokens, lows, gaz = doc.tokens, doc.lows, doc.gaz
    out: list[Span] = []
    for s in spans:
        if s.label not in ("ORG", "PER", "MISC") or s.entry is not None or s.j - s.i < 3:
            out.append(s)
            continue
        k = next((k for k in range(s.j - 2, s.i, -1) if lows[k] in ITALIAN_LINKS), None)
        if k is None:
            out.append(s)
            continue
        place = _place(tokens[k + 1 : s.j], gaz)
        bare = k - s.i == 1 and (s.label == "PER" or lows[s.i] in _BARE_HEADS)
        if place is None or bare or not tokens[k][0].islower():
            out.append(s)
            continue
        out += [Span(s.i, k, s.label, None), Span(k + 1, s.j, "LOC", place[1])]
    return out


def _place(words: list[Token], gaz: Gazetteer) -> tuple[str, int | None] | None:
    """("LOC", entry) when words are exactly one known place (or an Italian town), else None."""
    matches = gaz.match(words)
    if len(matches) == 1 and matches[0].i == 0 and matches[0].j == len(words):
        entry = gaz.entries[matches[0].entry]
        return ("LOC", matches[0].entry) if entry.label == "LOC" else None
    name = " ".join(t[0] for t in words)
    return ("LOC", None) if name in gaz.towns else None
