"""Evidence from the wider text, applied to the name rules' spans: sports teams named by their
place, one type per name, and ids dropped where a place is really a team or part of a longer
name. Spans in, spans out.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

from transforms.entities.doc import Doc, Span
from transforms.entities.gazetteer import Gazetteer
from transforms.entities.tokens import Token
from transforms.entities.words import (
    ADJECTIVE_ENDINGS,
    GERMAN_ARTICLES,
    GERMAN_BODY_NOUNS,
    ORG_CUES_BEFORE,
    ORG_FIRST,
    ORG_LAST,
    ORG_NOUNS,
    ORG_TAILS,
    PURPOSE_JOINS,
    PURPOSE_LINKS,
    QUALIFIER_ENDINGS,
    club_word,
    compound_of,
    read_language_lists,
)

LISTS = read_language_lists("context_cues")


# Words that make a text a sports report (compared lower-cased; two distinct ones are needed).
SPORT_WORDS = LISTS["sport_words"]
# A team named by its place: subject or object of a result, or one side of "X v Y".
RESULT_BEFORE = LISTS["result_before"]
RESULT_AFTER = LISTS["result_after"]
RESULT_ARTICLES = LISTS["result_articles"]
# Where a place is a place even in a sports report: "in Leeds", "( Italy )" after an athlete.
NOT_TEAM_BEFORE = LISTS["not_team_before"]
# "France at Japan", "Lazio v Roma": a fixture list names two teams.
FIXTURE_LINKS = LISTS["fixture_links"]
SCORE_MAX = 999  # standings and scores; a four-digit number is a year


def sports_teams(spans: list[Span], doc: Doc) -> list[Span]:
    """In a sports report a place next to a score or a result verb is the team: ORG, no id.
    A country there is its national side, which news NER (CoNLL) keeps as LOC: it keeps its
    label and, below, loses its id."""
    text, tokens, lows, gaz = doc.text, doc.tokens, doc.lows, doc.gaz
    if not _sports_text(doc):
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
        after_result = prev in RESULT_BEFORE or (
            prev in RESULT_ARTICLES and s.i > 1 and lows[s.i - 2] in RESULT_BEFORE
        )  # "beat Everton", "venceu o Palmeiras"
        # isascii: "²".isdigit() is true and int() would raise
        score = nxt.isascii() and nxt.isdigit() and int(nxt) <= SCORE_MAX and prev != "("
        # "France at Japan", "CLEVELAND AT TEXAS": a fixture list, both sides are teams
        # "Juventus - Milan": a spaced dash between two names is a fixture too
        dash = prev == "-" and s.i >= 2 and tokens[s.i - 1][1] > tokens[s.i - 2][2]
        fixture = (prev in FIXTURE_LINKS or dash) and any(t.j == s.i - 1 for t in spans)
        if fixture:
            teams.update(tuple(lows[t.i : t.j]) for t in spans if t.j == s.i - 1)
        if place and (score or fixture or nxt in RESULT_AFTER or after_result):
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


def club_cities(spans: list[Span], doc: Doc) -> list[Span]:
    """A club's name and its city right after it ("FC Bayern München", "Hertha BSC Berlin"): one
    ORG, with the club's id. A club says what it is by a short word in capitals ("FC", "BSC",
    "VfB") that names a body."""
    tokens, gaz, out = doc.tokens, doc.gaz, list(spans)
    for x in range(len(spans) - 1, 0, -1):
        club, city = out[x - 1], out[x]
        if city.i != club.j or city.entry is None or gaz.entries[city.entry].kind != "city":
            continue
        if club.label == "ORG" and any(club_word(t[0]) for t in tokens[club.i : club.j]):
            out[x - 1 : x + 1] = [Span(club.i, city.j, "ORG", club.entry)]
    return out


def _sports_text(doc: Doc) -> bool:
    """A sports report: two sport words or more ("match", "goals", "athletics")."""
    return len(SPORT_WORDS.intersection(doc.lows)) >= 2


def athletes(spans: list[Span], doc: Doc) -> list[Span]:
    """In a results list an unknown name of two or three words followed by its country in
    brackets is an athlete: "2. Torrance Zellner ( U.S. ) 48.23", "Mira Kasslin (Finland)"; a
    club is most often one word ("Dinamo ( Romania )")."""
    tokens, n = doc.tokens, len(doc.tokens)
    if not _sports_text(doc):
        return spans
    countries = {s.i: s for s in spans if _region(s, doc.gaz)}
    out = []
    for s in spans:
        country = countries.get(s.j + 1)
        bracketed = (
            country is not None
            and tokens[s.j][0] == "("
            and country.j < n
            and tokens[country.j][0] == ")"
        )
        if bracketed and s.entry is None and s.label != "PER" and 2 <= s.j - s.i <= 3:
            s = s._replace(label="PER")
        out.append(s)
    return out


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


def agree_labels(spans: list[Span], doc: Doc) -> list[Span]:
    """An unknown name left MISC takes the type the same name got from evidence elsewhere
    in the text ("a Stroppiana" ... "Stroppiana")."""
    lows = doc.lows
    seen: dict[tuple[str, ...], Counter] = {}
    for s in spans:
        if s.entry is None and s.label != "MISC":
            seen.setdefault(tuple(lows[s.i : s.j]), Counter())[s.label] += 1
    out = []
    for s in spans:
        votes = seen.get(tuple(lows[s.i : s.j])) if s.label == "MISC" and s.entry is None else None
        out.append(Span(s.i, s.j, votes.most_common(1)[0][0], None) if votes else s)
    return out


LIST_JOINS = LISTS["list_joins"]


def agree_in_lists(spans: list[Span], doc: Doc) -> list[Span]:
    """Unknown names left MISC in a list ("Cattenom, Civaux e Flamanville") take the one type
    the list's other members have."""
    lows = doc.lows
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


DATELINE_AFTER = ("-", "–", "—", ",", "(")


def _dateline(doc: Doc, s: Span) -> bool:
    """The span opens its line and a dash, comma or bracket follows: a wire dateline ("ROMA -",
    "BERLIN (Reuters) -"), the city it names."""
    tokens = doc.tokens
    opens = s.i == 0 or doc.line_of[s.i - 1] != doc.line_of[s.i]
    return opens and s.j < len(tokens) and tokens[s.j][0] in DATELINE_AFTER


def shouted_places(spans: list[Span], doc: Doc) -> list[Span]:
    """A lone all-caps city name in a line written in mixed case is an acronym ("rilevata da
    SOFIA", the telescope), not the city: keep the span, drop the id; not at a dateline ("ROMA
    - Il governo..."). Countries in capitals are emphasis ("la guerra in UCRAINA") and keep
    theirs."""
    text, tokens, gaz = doc.text, doc.tokens, doc.gaz
    out = []
    for s in spans:
        tok = tokens[s.i][0]
        city = s.entry is not None and gaz.entries[s.entry].kind == "city"
        if (
            city
            and s.j - s.i == 1
            and tok.isupper()
            and tok not in gaz.caps
            and not _dateline(doc, s)
        ):
            line_start = text.rfind("\n", 0, tokens[s.i][1]) + 1
            line_end = text.find("\n", tokens[s.i][2])
            line = text[line_start : len(text) if line_end < 0 else line_end]
            words = [w for w in line.split() if w.isalpha() and len(w) > 1]
            if sum(w.isupper() for w in words) * 2 < len(words):
                s = s._replace(entry=None)
        out.append(s)
    return out


# A sports event named after its place, in a headline written in capitals ("HONG KONG OPEN",
# "BERLIN GRAND PRIX"): the event, not the place. In mixed case the words after the place are
# name-like and make the run one event already (labels.kind_word_misc).
EVENT_WORDS = LISTS["event_words"]


def shouted_events(spans: list[Span], doc: Doc) -> list[Span]:
    """In a line written in capitals, a known place and the one or two words after it that end
    in an event's word are the event: MISC, unlinked ("SQUASH - HONG KONG OPEN RESULTS")."""
    tokens, lows, n = doc.tokens, doc.lows, len(doc.tokens)
    out = []
    for s in spans:
        if s.label == "LOC" and s.entry is not None and doc.shouting[s.i]:
            for e in (s.j + 1, s.j + 2):
                words = tokens[s.j : e]
                if e > n or not all(w[0].isupper() and w[0].isalpha() for w in words):
                    break
                if lows[e - 1] in EVENT_WORDS and all(
                    doc.gap(k) == " " for k in range(s.j - 1, e - 1)
                ):
                    s = Span(s.i, e, "MISC", None)
                    break
        out.append(s)
    return out


NAME_INNER = LISTS["name_inner"]


def places_inside_names(spans: list[Span], doc: Doc) -> list[Span]:
    """A place that ends or touches an unknown organisation's or title's name ("Human Rights in
    China", "Badminton Canada") is part of that name: keep the span, drop the id."""
    tokens, lows = doc.tokens, doc.lows
    out = list(spans)
    for x, s in enumerate(spans):
        if s.entry is None or s.label != "LOC":
            continue
        before = spans[x - 1] if x else None
        after = spans[x + 1] if x + 1 < len(spans) else None
        inner = (  # English title case: "in", "of", "for" are other languages' words too
            doc.english
            and before is not None
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


def _city_regions() -> tuple[tuple[str, str], ...]:
    text = (resources.files("transforms.entities") / "data" / "city_regions.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return tuple((city, region) for city, region in rows)


CITY_REGIONS = _city_regions()


def regions_after_places(spans: list[Span], doc: Doc) -> list[Span]:
    """After "<place> ," a name a city shares with its state is the state: "King County,
    Washington", "Long Island, New York" (city_regions.tsv). Only after a place the gazetteer
    does not know (a county, a town) and not before "and": "Paris, Washington and Rome" lists
    cities."""
    by_qid, entries = doc.gaz.by_qid, doc.gaz.entries
    regions = {c: by_qid[r] for c, r in CITY_REGIONS if r in by_qid}
    out = list(spans)
    for x, s in enumerate(spans[1:], start=1):
        before = spans[x - 1]
        after = doc.lows[s.j] if s.j < len(doc.lows) else ""
        qid = entries[s.entry].qid if s.entry is not None else None
        if (
            qid in regions
            and _after_place_comma(doc, before, s)
            and before.entry is None
            and (after == "," or after not in LIST_JOINS)
        ):
            out[x] = s._replace(entry=regions[qid])
    return out


US_STATE_CODES = LISTS["us_state_codes"]
US_STATE_ABBREVIATIONS = LISTS["us_state_abbreviations"]


def states_after_places(spans: list[Span], doc: Doc) -> list[Span]:
    """After "<place> ," a US state's postal code or AP abbreviation is the state: "Austin, TX",
    "Rockledge, Fla.", "Newark, N.J." (an acronym or a lone word to the rules before)."""
    tokens, out = doc.tokens, list(spans)
    for x, s in enumerate(spans[1:], start=1):
        before, word = spans[x - 1], tokens[s.i][0]
        after = tokens[s.j][0] if s.j < len(tokens) else ""
        one = s.j - s.i == 1
        state = one and (
            word in US_STATE_CODES or (word in US_STATE_ABBREVIATIONS and after == ".")
        )
        # written with stops, AP's way: "Newark, N.J.", "Raleigh, N.C."
        letters = [t[0] for t in tokens[s.i : s.j] if t[0] != "."]
        dotted = (
            not one and all(len(w) == 1 for w in letters) and "".join(letters) in US_STATE_CODES
        )
        if (state or dotted) and s.label != "LOC" and _after_place_comma(doc, before, s):
            out[x] = Span(s.i, s.j, "LOC", None)
    return out


def _after_place_comma(doc: Doc, before: Span, s: Span) -> bool:
    """s comes right after "<place> ,", before being that place: "King County, | Washington"."""
    return before.label == "LOC" and before.j == s.i - 1 and doc.tokens[s.i - 1][0] == ","


COMPANY_FORMS = LISTS["company_forms"]


def _company_form(tokens: list[Token], k: int) -> bool:
    """A company's legal form starts at token k: "Srl", "S.p.A.", "s . r . l .", "Inc", "AG"."""
    return _company_form_end(tokens, k) > k


def _company_form_end(tokens: list[Token], k: int) -> int:
    """One past the company's legal form that starts at token k, or k when none does."""
    parts: list[str] = []
    start = k
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
        return start
    # two-letter forms are words too ("Italia sa vincere"): only written as capitals or with
    # their stops ("e.V.") count
    dotted = "." in parts and len(parts) > 2
    if (len(form) > 2 and (form[0].isupper() or "." in parts)) or form.isupper() or dotted:
        return k
    return start


def company_names(spans: list[Span], doc: Doc) -> list[Span]:
    """A company's name runs from its legal form back over the capitalised words before it, where
    the rules broke it: a German noun inside ("Zorbex Maschinenbau AG"), a word in capitals
    ("DEIKON GmbH"), an acronym ("AMC Finanzmarkt GmbH"); and on over "& Co. KG". One ORG; a
    known organisation that is the whole name before the form keeps its id ("Deutsche Bank AG").
    A name the rules read from as far back stays theirs ("Gold Fields of South Africa Ltd")."""
    tokens, lows = doc.tokens, doc.lows
    # where a form may start: a form's word ("gmbh"), or a letter of a dotted one ("S.p.A.");
    # most texts have neither, which a set and a regex tell without a loop over the tokens
    forms = COMPANY_FORMS.intersection(lows)
    dotted = _DOTTED.search(doc.text) is not None
    if not forms and not dotted:
        return spans
    starts = [k for form in forms for k in _positions(lows, form)]
    if dotted:  # the letter before a full stop: "S" of "S . p . A ."
        starts += [k - 1 for k in _positions(lows, ".") if len(lows[k - 1]) == 1]
    starts = sorted(k for k in set(starts) if k > 0)
    named = {k for s in spans for k in range(s.i, s.j)}
    found: list[Span] = []
    k = 0
    for first in starts:
        if first < k:
            continue
        k = first
        end = _company_form_end(tokens, k)
        start = k
        while end > k and start > 0 and _company_word(doc, start - 1, named):
            start -= 1
        # a name the rules already read over the form's first word, from as far back, stays
        if start == k or any(t.i <= start and k < t.j for t in spans):
            continue
        end = _and_co(tokens, end)
        inside = [s for s in spans if start <= s.i and s.j <= k]
        entry = inside[0].entry if len(inside) == 1 and inside[0].i == start else None
        keep = entry is not None and inside[0].j == k and inside[0].label == "ORG"
        found.append(Span(start, end, "ORG", entry if keep else None))
        k = end
    if not found:
        return spans
    taken = {x for s in found for x in range(s.i, s.j)}
    kept = [s for s in spans if not taken.intersection(range(s.i, s.j))]
    return sorted(kept + found)


def _positions(words: list[str], word: str) -> list[int]:
    """Where word stands in words, found by list.index (a scan in C, not a loop in Python)."""
    out: list[int] = []
    k = -1
    while True:
        try:
            k = words.index(word, k + 1)
        except ValueError:
            return out
        out.append(k)


# A full stop, a letter, a full stop: inside a dotted legal form ("S.p.A.", "s . r . l ."). A
# pattern that opens with a literal character is searched fast.
_DOTTED = re.compile(r"\.\w\.|\. \w \.")


def _company_word(doc: Doc, x: int, named: set[int]) -> bool:
    """Token x may be part of a company's name before its legal form: a capitalised word (a
    German noun too) or "&" between two; a sentence's first word or a shouted line's only where
    the rules found a name there."""
    word = doc.tokens[x][0]
    if word == "&":
        return x > 0 and doc.tokens[x - 1][0][:1].isupper()
    if not word[:1].isupper() or doc.lows[x] in ORG_CUES_BEFORE or doc.lows[x] in ORG_NOUNS:
        return False  # "die Firma | Zorbex GmbH"
    return x in named or not (doc.initial[x] or doc.shouting[x])


def _and_co(tokens: list[Token], end: int) -> int:
    """ "GmbH & Co. KG": the partners' part after a legal form."""
    words = [t[0] for t in tokens[end : end + 3]]
    if words[:2] != ["&", "Co"]:
        return end
    end += 3 if words[2:] == ["."] else 2
    return max(end, _company_form_end(tokens, end))


def german_bodies(spans: list[Span], doc: Doc) -> list[Span]:
    """In German text, the body a bare noun names after the definite article: "die Kommission",
    "das Parlament" (ORG, unlinked), where the rules had a MISC word or nothing; a longer name
    stays as it is ("die Europäische Kommission")."""
    if doc.language != "de" or GERMAN_BODY_NOUNS.isdisjoint(doc.lows):
        return spans
    tokens, lows = doc.tokens, doc.lows
    at = {k: x for x, s in enumerate(spans) for k in range(s.i, s.j)}
    out, found = list(spans), []
    for word in GERMAN_BODY_NOUNS.intersection(lows):
        for k in _positions(lows, word):
            if k == 0 or lows[k - 1] not in GERMAN_ARTICLES or not tokens[k][0][0].isupper():
                continue
            if k not in at:
                found.append(Span(k, k + 1, "ORG", None))
            elif spans[at[k]] == Span(k, k + 1, "MISC", None):
                out[at[k]] = Span(k, k + 1, "ORG", None)
    return sorted(out + found)


def bodies_for(spans: list[Span], doc: Doc) -> list[Span]:
    """In German and English text, a body named for what it is for: a capitalised word naming a
    kind of body (German org_tails: "Bundesagentur", "Institut"; English org_last and org_first:
    "Office", "Institute"), "für" or "for", and the capitalised words after it
    ("Bundesagentur für Arbeit", "Bundesamt für Migration und Flüchtlinge", "Bundeszentrale für
    politische Bildung", "Office for Budget Responsibility"): one ORG, unlinked, over what the
    rules had there, unless a known name holds it all."""
    if doc.language not in ("de", "en") or PURPOSE_LINKS.isdisjoint(doc.lows):
        return spans
    found = []
    for link in PURPOSE_LINKS.intersection(doc.lows):
        for k in _positions(doc.lows, link):
            end = _purpose_end(doc, k + 1)
            if k > 0 and end > k + 1 and _body_word(doc, k - 1):
                end = _company_form_end(doc.tokens, end)  # "... für Krisenmanagement e.V."
                found.append(Span(_adjective_before(doc, k - 1), end, "ORG", None))
    found = [f for f in found if not any(_holds(s, f) for s in spans)]
    if not found:
        return spans
    start = {s.i: s for s in found}
    # a name the rules read over the body's word from further back stays its start
    for s in spans:
        for f in found:
            if s.i < f.i < s.j:
                start[f.i] = f._replace(i=s.i)
    bodies = list(start.values())
    kept = [s for s in spans if not any(b.i < s.j and s.i < b.j for b in bodies)]
    return sorted(kept + bodies)


def adjective_bodies(spans: list[Span], doc: Doc) -> list[Span]:
    """In German text, a capitalised adjective inside a sentence and a word naming a kind of body
    after it ("dem Statistischen Bundesamt", "des Deutschen Wetterdienstes"): one ORG, unlinked,
    over the unlinked names the rules had there. The declined adjective is often a known noun
    too ("der Statistische"), and the body's word alone a MISC or nothing."""
    if doc.language != "de":
        return spans
    found = [
        Span(k - 1, k + 1, "ORG", None)
        for k in range(1, len(doc.tokens))
        if _body_word(doc, k) and _adjective_before(doc, k) == k - 1 and not doc.initial[k - 1]
    ]
    for body in found:
        near = [s for s in spans if s.i < body.j and body.i < s.j]
        if any(s.entry is not None for s in near):
            continue
        i, j = min([body.i] + [s.i for s in near]), max([body.j] + [s.j for s in near])
        spans = sorted([s for s in spans if s not in near] + [Span(i, j, "ORG", None)])
    return spans


def french_qualifiers(spans: list[Span], doc: Doc) -> list[Span]:
    """In French text, a body's name ending in its first word ("le Conseil", "la Cour") goes on
    over up to two adjectives in lower case: "le Conseil constitutionnel", "la Cour suprême".
    The longer name is another body, so no id."""
    if doc.language != "fr":
        return spans
    tokens, lows, n, out = doc.tokens, doc.lows, len(doc.tokens), []
    taken = {k for s in spans for k in range(s.i, s.j)}
    for s in spans:
        j = s.j
        if s.label == "ORG" and lows[j - 1] in ORG_FIRST:
            while j < n and j - s.j < 2 and j not in taken and _french_qualifier(tokens[j][0]):
                j += 1
        out.append(s if j == s.j else Span(s.i, j, "ORG", None))
    return out


def _french_qualifier(word: str) -> bool:
    return word.isalpha() and word.islower() and len(word) > 3 and word.endswith(QUALIFIER_ENDINGS)


def _adjective_before(doc: Doc, k: int) -> int:
    """Where a body's name starts: at k, or at a capitalised adjective right before it
    ("Deutsche Gesellschaft für ...", "Kieler Institut für ..."), not at an article ("Die")."""
    if doc.language != "de":
        return k
    j = k - 1
    word = doc.tokens[j][0] if j >= 0 else ""
    adjective = word[:1].isupper() and word.isalpha() and word.endswith(ADJECTIVE_ENDINGS)
    return j if adjective and doc.lows[j] not in GERMAN_ARTICLES else k


def _holds(known: Span, body: Span) -> bool:
    """A known name that holds all of a body found by its words: the gazetteer's says more."""
    return known.entry is not None and known.i <= body.i and body.j <= known.j


def _body_word(doc: Doc, k: int) -> bool:
    """A capitalised word naming a kind of body, in German also with its genitive -s or -es
    ("des Instituts", "des Bundesamtes")."""
    low = doc.lows[k]
    if doc.english:
        return doc.tokens[k][0][:1].isupper() and (low in ORG_LAST or low in ORG_FIRST)
    stems = (low, low[:-1], low[:-2]) if low.endswith("s") else (low,)
    body = any(w in ORG_TAILS or compound_of(w, ORG_TAILS) for w in stems)
    return body and doc.tokens[k][0][:1].isupper()


def _purpose_end(doc: Doc, k: int) -> int:
    """After "für" at k - 1: past capitalised words, "und" between two, and an adjective before
    one ("politische Bildung")."""
    tokens, lows, n = doc.tokens, doc.lows, len(doc.tokens)
    end = k
    while k < n:
        word = tokens[k][0]
        if word[:1].isupper() and word.isalpha():
            k += 1
            end = k
            continue
        nxt_cap = k + 1 < n and tokens[k + 1][0][:1].isupper()
        joins = lows[k] in PURPOSE_JOINS and end == k
        # an adjective only right after "für" or "und": "für politische Bildung"
        after_link = lows[k - 1] in PURPOSE_LINKS or lows[k - 1] in PURPOSE_JOINS
        adjective = after_link and word.isalpha() and word.endswith(ADJECTIVE_ENDINGS)
        if nxt_cap and (joins or adjective):
            k += 1
            continue
        break
    return end


def _unknown_name(s: Span) -> bool:
    return s.entry is None and s.label in ("ORG", "MISC")
