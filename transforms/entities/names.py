"""Rules for names the gazetteer does not know: capitalised spans labelled by their context.

Tokens -> [Span]. Cues: titles and roles ("il presidente", "CEO", "Mr"), speech verbs, org
suffixes ("SpA", "University"), place prepositions, given names, and sentence-initial evidence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

from transforms.entities.gazetteer import Gazetteer, Match
from transforms.entities.tokens import ROMAN_NUMERAL, Token
from transforms.entities.words import (
    COMMON_WORD_NAMES,
    CONNECTORS,
    DEFAULT_MULTI,
    DEFAULT_SINGLE,
    DEMONYM_ENDINGS,
    DEMONYMS,
    ENGLISH_HINTS,
    GEO_PREFIXES,
    GOVERNMENT_BY_LEADER,
    HYPHEN_PLACE_PREFIXES,
    ITALIAN_LINKS,
    LEADER_GOVERNMENT,
    LOC_WORDS,
    MISC_WORDS,
    NAME_ADJECTIVES,
    NAME_PARTICLES,
    NOT_NAME_TAILS,
    OFFICES,
    ORG_CUES_AFTER,
    ORG_CUES_BEFORE,
    ORG_FIRST,
    ORG_LAST,
    ORG_NOUN_MODIFIERS,
    ORG_NOUNS,
    PERSON_OF,
    PERSON_OF_LINKS,
    PERSON_ORG_LINKS,
    PLACE_KIND_LINKS,
    PLACE_KIND_NOUNS,
    PLACE_OFFICES,
    PLACE_PREPS,
    PLURAL_ENDINGS,
    PORTFOLIOS,
    QUOTES,
    QUOTES_OPEN,
    ROLE_CUES,
    ROMANCE_HINTS,
    SPEECH,
    SPEECH_AFTER_HA,
    STOP,
    TITLES,
    WEAK_DEMONYM_ENDINGS,
    WHO,
    adjective_of_place,
)


class Span(NamedTuple):
    i: int
    j: int
    label: str
    entry: int | None  # gazetteer entry index, or None for a rule-found name


_NEWLINE = re.compile("\n")


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper() and any(c.isalpha() for c in tok) and not tok.endswith(("'", "’"))


def _abbreviation(tokens: list[Token], k: int) -> bool:
    """The full stop at k ends an initial or a title ("P. Simmons", "Mr. Smith"), not a sentence."""
    if tokens[k][0] != "." or k == 0:
        return False
    prev = tokens[k - 1][0]
    return (len(prev) == 1 and prev.isupper()) or prev.lower() in TITLES


def _glued_hyphen(tokens: list[Token], k: int) -> bool:
    """The hyphen at k joins two words ("Domscheit-Berg"); a spaced one is a dash."""
    return (
        tokens[k][0] == "-"
        and 0 < k < len(tokens) - 1
        and tokens[k - 1][2] == tokens[k][1]
        and tokens[k][2] == tokens[k + 1][1]
    )


def _name_part(word: str) -> bool:
    """A word that can begin a hyphenated name: "Domscheit-", "al-"; not "centro-", "sub-"."""
    return word[:1].isupper() or word.lower() in NAME_PARTICLES


def _is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 5 and tok.isupper() and tok.isalpha() and not ROMAN_NUMERAL.match(tok)


def _is_loud(tok: str) -> bool:
    return len(tok) >= 3 and tok.isupper() and tok.isalpha()


# What an office or role is of: "il sindaco di", "the mayor of".
OF_LINKS = ITALIAN_LINKS | {"of"}


class _Doc:
    """Per-text facts the rules consult: sentence starts, shouting lines, lower-case words."""

    def __init__(self, text: str, tokens: list[Token]):
        self.tokens = tokens
        newlines = [m.start() for m in _NEWLINE.finditer(text)]
        self.line_of = line_of = [bisect_right(newlines, t[1]) for t in tokens]
        self.initial = [
            k == 0
            or line_of[k] != line_of[k - 1]
            or (
                tokens[k - 1][0] in QUOTES_OPEN
                and not _abbreviation(tokens, k - 1)
                and not (_glued_hyphen(tokens, k - 1) and _name_part(tokens[k - 2][0]))
            )
            for k in range(len(tokens))
        ]
        upper: dict[int, list[int]] = {}
        for k, t in enumerate(tokens):
            if len(t[0]) > 1 and t[0].isalpha():
                upper.setdefault(line_of[k], [0, 0])
                upper[line_of[k]][0] += 1
                upper[line_of[k]][1] += t[0].isupper()
        loud = {ln for ln, (n, up) in upper.items() if n >= 3 and up >= 0.7 * n}
        self.shouting = [line_of[k] in loud for k in range(len(tokens))]
        self.cap = [_is_cap(t[0]) for t in tokens]
        self.lower = {t[0] for t in tokens if t[0][:1].islower()}
        # English capitalises demonyms ("Russian"); Italian, French, Spanish do not.
        self.english = len(self.lower & ENGLISH_HINTS) > len(self.lower & ROMANCE_HINTS)
        self.mid_caps = {
            t[0]
            for k, t in enumerate(tokens)
            if self.cap[k] and not self.initial[k] and not self.shouting[k]
        }


def find_names(text: str, tokens: list[Token], matches: list[Match], gaz: Gazetteer) -> list[Span]:
    """Gazetteer matches plus rule-found names, as non-overlapping labelled token spans."""
    doc = _Doc(text, tokens)
    n = len(tokens)
    matched = [-1] * n
    for m_idx, m in enumerate(matches):
        for k in range(m.i, m.j):
            matched[k] = m_idx
    _unglue_known_parts(tokens, matches, matched)

    def name_like(k: int, after_name: bool = False) -> bool:
        t = tokens[k][0]
        if matched[k] >= 0:
            return True
        if not doc.cap[k] or doc.shouting[k] or t.lower() in STOP or t.lower() in TITLES:
            return False
        if t.isupper() and len(t) > 1:  # an acronym, unless it is a shouted word among others
            return (
                _is_acronym(t)
                and not (k > 0 and _is_loud(tokens[k - 1][0]))
                and not (k + 1 < len(tokens) and _is_loud(tokens[k + 1][0]))
            )
        if len(t) == 1:  # an initial when a full stop and a name follow
            return k + 2 < n and tokens[k + 1][0] == "." and doc.cap[k + 2]
        if doc.initial[k]:  # a capital here proves nothing: ask for other evidence
            if t in gaz.first_names or (t in doc.mid_caps and t.lower() not in doc.lower):
                return True
            nxt = tokens[k + 1][0] if k + 1 < n else ""
            speaks = nxt in SPEECH or (
                nxt == "ha" and k + 2 < n and tokens[k + 2][0] in SPEECH_AFTER_HA
            )
            if speaks and not t.lower().endswith(PLURAL_ENDINGS):
                return True  # "Ushakov ha detto", "Merkel said"; not "Analysts said"
            # followed by an unknown name written mid-sentence: "Vyacheslav Prokofyev"
            return (
                k + 1 < n
                and matched[k + 1] < 0
                and doc.cap[k + 1]
                and not doc.initial[k + 1]
                and nxt.lower() not in STOP
                and nxt.lower() not in doc.lower
                and not nxt.isupper()
            )
        # Next to a name, a capital mid-sentence is enough ("Montreal Hockey Club" in a text
        # that also says "hockey"); alone, the word must not also be written in lower case.
        return (
            after_name or t in gaz.first_names or t.lower() not in doc.lower or t in gaz.name_tokens
        )

    spans: list[Span] = []
    k = 0
    while k < n:
        if not name_like(k):
            k += 1
            continue
        i, j = k, k + 1
        while j < n and doc.line_of[j] == doc.line_of[i]:
            if name_like(j, True) or ROMAN_NUMERAL.match(tokens[j][0]):
                j += 1
                continue
            # up to two connectors followed by a name-like token
            step = 0
            while j + step < n and step < 2 and tokens[j + step][0].lower() in CONNECTORS:
                step += 1
            if (
                0 < step
                and j + step < n
                and doc.line_of[j + step] == doc.line_of[i]
                and name_like(j + step)
                and _connects(tokens, j, step)
            ):
                j += step + 1
                continue
            break
        spans.extend(_label_run(i, j, tokens, matches, matched, doc, gaz))
        k = j
    return _corefer([_untitled(_hyphen_tail(s, tokens), tokens) for s in spans], tokens, gaz)


def _hyphen_tail(s: Span, tokens: list[Token]) -> Span:
    """A person's name ends with a glued lower-case part: "Ban Ki-moon", "Prayuth Chan-ocha"."""
    j = s.j
    if s.label != "PER" or j + 1 >= len(tokens) or not _glued_hyphen(tokens, j):
        return s
    tail = tokens[j + 1][0]
    if tail.isalpha() and tail.islower() and len(tail) <= 4 and tail not in NOT_NAME_TAILS:
        return s._replace(j=j + 2)
    return s


def _untitled(s: Span, tokens: list[Token]) -> Span:
    """A known person's title is not part of the name ("Papa Francesco" names Francesco, as
    news NER marks it); the span keeps the person's id."""
    if s.entry is None or s.label != "PER" or s.j - s.i < 2:
        return s
    if tokens[s.i][0].lower().rstrip(".") not in TITLES or not tokens[s.i + 1][0][:1].isupper():
        return s
    return s._replace(i=s.i + 1)


def _unglue_known_parts(tokens: list[Token], matches: list[Match], matched: list[int]) -> None:
    """A known one-word name after an Arabic or Hebrew particle ("al-Bandar", "bin-Salman") is
    part of a person's surname, not the place of that name."""
    for k in range(1, len(tokens) - 1):
        m = matched[k + 1]
        if m < 0 or matches[m].j != k + 2 or not _glued_hyphen(tokens, k):
            continue
        if tokens[k - 1][0].lower() in NAME_PARTICLES and matched[k - 1] < 0:
            matched[k + 1] = -1


def _connects(tokens: list[Token], j: int, step: int) -> bool:
    """Hyphens and dots join only glued tokens ("Jean-Claude", "W. Bush" needs a one-letter part)."""
    for s in range(step):
        t = tokens[j + s]
        if t[0] == "-" and not (tokens[j + s - 1][2] == t[1] and t[2] == tokens[j + s + 1][1]):
            return False
        if t[0] == "." and len(tokens[j + s - 1][0]) != 1:
            return False
    return True


def _label_run(i, j, tokens, matches, matched, doc, gaz) -> list[Span]:
    cut = _person_inside(i, j, tokens, matches, matched, gaz)
    if cut:  # "il ministro dello Sport Giovanni Spadafora": the portfolio, then the person
        return _label_run(i, cut, tokens, matches, matched, doc, gaz) + _label_run(
            cut, j, tokens, matches, matched, doc, gaz
        )
    held = _office_holder(i, j, tokens, matches, matched)
    if held:  # "il ministro del Lavoro | Poletti", "il presidente dell'Egitto | Hosni Mubarak"
        d, portfolio = held
        office = [] if portfolio else _label_run(i, d, tokens, matches, matched, doc, gaz)
        if d == j:
            return office
        m = matched[d]
        whole = m >= 0 and matches[m].i == d and matches[m].j == j
        entry = matches[m].entry if whole and gaz.entries[matches[m].entry].label == "PER" else None
        return office + [Span(d, j, "PER", entry)]
    link = _person_of_org(i, j, tokens, gaz)
    if link:  # "Raffaele Cioni dell'Istituto Nazionale": the person, then where they work
        return _label_run(i, link, tokens, matches, matched, doc, gaz) + _label_run(
            link + 1, j, tokens, matches, matched, doc, gaz
        )
    inside = sorted({matched[k] for k in range(i, j) if matched[k] >= 0})
    if _route(i, j, tokens, matches, inside, gaz):
        return [Span(i, j, "LOC", None)]
    words = [t[0] for t in tokens[i:j]]
    # A single gazetteer match covering the run, or several covering all its names.
    if len(inside) == 1 and matches[inside[0]].i == i and matches[inside[0]].j == j:
        m = matches[inside[0]]
        word = tokens[i][0]
        if j - i == 1 and len(word) <= 3 and word.isupper() and word not in gaz.caps:
            return []  # a short shouted word is not a title-case name: "FED CUP" is not the Fed
        if j - i == 1 and doc.initial[i] and word.istitle():
            low = word.lower()
            if low in COMMON_WORD_NAMES or low in doc.lower:  # "Nato a Verona" is "born in"
                return []
        return [Span(m.i, m.j, gaz.entries[m.entry].label, m.entry)]
    uncovered = [
        k for k in range(i, j) if matched[k] < 0 and tokens[k][0].lower() not in CONNECTORS
    ]
    last_word = tokens[j - 1][0].lower()
    if len(inside) > 1 and not uncovered and last_word in ORG_LAST and "-" not in words:
        return [Span(i, j, "ORG", None)]  # "Fiji Labour Party" is not the Labour Party
    # "Centro Italia", "Nord Italia": a part of the country, not a town called Centro beside it
    two_places = len(inside) == 2 and not uncovered and j - i == 2
    if (
        two_places
        and words[0].lower() in GEO_PREFIXES
        and gaz.entries[matches[inside[1]].entry].label == "LOC"
    ):
        return [Span(i, j, "LOC", None)]
    if inside and not uncovered:
        return [
            Span(matches[x].i, matches[x].j, gaz.entries[matches[x].entry].label, matches[x].entry)
            for x in inside
        ]
    # Titles at the front are cues, not part of the name.
    cue_per = False
    while i < j and tokens[i][0].lower().rstrip(".") in TITLES and matched[i] < 0:
        cue_per, i = True, i + 1
    if i >= j:
        return []
    words = [t[0] for t in tokens[i:j]]
    lows = [w.lower().rstrip(".") for w in words]
    kind = _kind_word(lows)
    if kind in ("ORG", "LOC"):
        return [Span(i, j, kind, None)]
    if any(w in CONNECTORS for w in lows) and any(w in ORG_LAST or w in ORG_FIRST for w in lows):
        return [Span(i, j, "ORG", None)]  # "Carnegie Institution of Washington"
    if kind == "MISC":
        return [Span(i, j, "MISC", None)]
    if not inside and all(w in DEMONYMS or w in GEO_PREFIXES for w in lows):
        return [Span(i, j, "MISC", None)]  # "South Korean", "Iraqi Kurds"
    first_is_name = words[0] in gaz.first_names and j - i >= 2
    big_match = any(matches[x].j - matches[x].i >= 2 for x in inside)
    if (
        first_is_name
        and not big_match
        and (
            not inside
            or matches[inside[0]].i > i
            or gaz.entries[matches[inside[0]].entry].label != "PER"
        )
    ):
        return [Span(i, j, "PER", None)]
    joined = not any(matched[k] < 0 and tokens[k][0].lower() in CONNECTORS for k in range(i, j))
    last = matches[inside[-1]] if inside else None
    tail = j - last.j if last else 0
    linked = any(gaz.entries[matches[x].entry].qid for x in inside)
    head = matches[inside[0]].i - i if inside else 0
    if inside and joined and len(inside) == 1 and tail == 0 and 1 <= head <= 2:
        entry = gaz.entries[last.entry]
        if entry.kind == "city" and last.j - last.i == 1 and lows[0] not in GEO_PREFIXES:
            return [Span(i, j, "PER", None)]  # "Whitney Houston": a surname that is a city
        if head == 1 and lows[0] in GEO_PREFIXES and entry.label == "LOC":
            return [Span(i, j, "LOC", None)]  # "West Jersey", "West Germany": another place
        if entry.kind == "country" and words[0] not in gaz.first_names:
            return [Span(i, j, "ORG", None)]  # "Air France", "Radio Free Europe"
    team = tail == 1 and lows[-1].endswith("s") and len(lows[-1]) > 3
    if inside and joined and (not linked or (head == 0 and (tail >= 2 or team))):
        # A known name run on into unknown capitalised words is a longer name of its own:
        # "Perth Glory", "North Melbourne", "Toronto Blue Jays", "Los Angeles Dodgers". A linked
        # name is not swallowed by one word ("Pechino Grande supporto", a lost full stop).
        label = "ORG" if last.j < j else gaz.entries[last.entry].label
        return [Span(i, j, label, None)]
    if inside and uncovered and all(tokens[k][0].lower() in GEO_PREFIXES for k in uncovered):
        entry = gaz.entries[matches[inside[0]].entry]
        if len(inside) == 1 and entry.label == "LOC":  # "Ossezia del Sud", "Germania Est"
            return [Span(i, j, "LOC", None)]
    if inside:
        out = [
            Span(matches[x].i, matches[x].j, gaz.entries[matches[x].entry].label, matches[x].entry)
            for x in inside
        ]
        k = i
        while k < j:  # uncovered stretches between matches are names of their own
            if matched[k] >= 0 or tokens[k][0].lower() in CONNECTORS:
                k += 1
                continue
            e = k
            while e < j and matched[e] < 0:
                e += 1
            while e > k and tokens[e - 1][0].lower() in CONNECTORS:
                e -= 1
            out.append(Span(k, e, _guess(k, e, tokens, doc, gaz, cue_per), None))
            k = e
        return sorted(out)
    return [Span(i, j, _guess(i, j, tokens, doc, gaz, cue_per), None)]


def _route(i, j, tokens, matches, inside, gaz) -> bool:
    """Two places glued by a hyphen, not both well known, name one thing: a line, a road or an
    airport ("Roma-Viterbo", "Milano-Malpensa", "Mosca-Domodedovo"). Two linked places are
    two ("Russia-Cina", "Mosca-Pechino": relations between them)."""
    if j - i != 3 or not _glued_hyphen(tokens, i + 1):
        return False
    ends = [m for m in inside if (matches[m].i, matches[m].j) in ((i, i + 1), (i + 2, j))]
    if len(inside) != len(ends) or not ends:
        return False
    if any(gaz.entries[matches[m].entry].label != "LOC" for m in ends):
        return False
    linked = [m for m in ends if gaz.entries[matches[m].entry].qid]
    return len(linked) < 2 and all(tokens[k][0][:1].isupper() for k in (i, i + 2))


def _office_holder(i, j, tokens, matches, matched) -> tuple[int, bool] | None:
    """After "<office> of", a run is what the office is of, then who holds it: (where the
    holder's name starts, whether the first part is a minister's portfolio, not a name)."""
    if i < 2 or tokens[i - 1][0].lower() not in OF_LINKS:
        return None
    if tokens[i - 2][0].lower() not in OFFICES:
        return None
    d, portfolio = i, False
    while d < j and tokens[d][0].lower() in PORTFOLIOS and matched[d] < 0:
        d, portfolio = d + 1, True
    if not portfolio:
        m = matched[i]
        if m < 0 or matches[m].i != i or matches[m].j >= j:
            return None  # no known name opens the run, or it is the whole run
        d = matches[m].j
    tail = [t[0] for t in tokens[d:j]]
    if d == j:
        return (d, portfolio) if portfolio else None
    if (
        len(tail) > 3
        or not all(w[:1].isupper() for w in tail)
        or _kind_word([w.lower() for w in tail])
    ):
        return None
    if any(matched[k] >= 0 and matched[k] != matched[d] for k in range(d, j)):
        return None
    return d, portfolio


def _person_inside(i, j, tokens, matches, matched, gaz) -> int | None:
    """Where a given name and a surname follow other capitalised words in one run ("Sport
    Giovanni Spadafora", "Emilia-Romagna Stefano Bonaccini"), the person starts there."""
    for p in range(i + 1, j - 1):
        word, before = tokens[p][0], tokens[p - 1][0]
        if word not in gaz.first_names or before in gaz.first_names:
            continue  # "Juan Carlos Rodríguez" is one name
        if before.lower() in CONNECTORS or before.lower().rstrip(".") in TITLES:
            continue  # "Jean de Florette", "Dr. John Smith"
        known_before = matched[p - 1] >= 0 and matches[matched[p - 1]].j == p
        if len(before) == 1 or (before.lower() in GEO_PREFIXES and not known_before):
            continue  # "J. Edgar Hoover", "San Marco"; not "Lega Nord | Umberto Bossi"
        m = matched[p]
        if m >= 0 and (matches[m].i != p or gaz.entries[matches[m].entry].label != "PER"):
            continue  # the given name is inside a longer known name
        if matched[p - 1] >= 0 and matched[p - 1] == m:
            continue
        surname = tokens[p + 1][0]
        if surname[:1].isupper() and surname.lower() not in CONNECTORS:
            return p
    return None


def _particle(words: list[str], x: int) -> bool:
    """words[x] is a surname particle glued to the surname: "al-Maliki", "bin-Salman"."""
    return words[x].lower() in NAME_PARTICLES and words[x + 1 : x + 2] == ["-"]


def _org_noun_before(tokens: list[Token], i: int) -> bool:
    """An organisation noun, then only its modifiers: "la compagnia ferroviaria spagnola X"."""
    for k in range(i - 1, max(-1, i - 5), -1):
        low = tokens[k][0].lower()
        if low in ORG_CUES_BEFORE or low in ORG_NOUNS:
            return k < i - 1 or low in ORG_NOUNS  # ORG_CUES_BEFORE alone: _guess's first test
        if low not in ORG_NOUN_MODIFIERS and low not in QUOTES and not adjective_of_place(low):
            return False
    return False


def _place_kind_before(tokens: list[Token], i: int) -> bool:
    """ "la stazione di Garbagnate", "in località Raica", "the village of Khazna"."""
    before = [t[0].lower() for t in tokens[max(0, i - 2) : i]]
    if before and before[-1] in PLACE_KIND_NOUNS:
        return tokens[i - 1][0].islower()
    return (
        len(before) == 2
        and before[1] in PLACE_KIND_LINKS
        and before[0] in PLACE_KIND_NOUNS
        and tokens[i - 2][0].islower()
    )


def _person_of_org(i: int, j: int, tokens: list[Token], gaz: Gazetteer) -> int | None:
    """The connector that joins a given name + surname to an organisation's name after it."""
    if tokens[i][0] not in gaz.first_names:
        return None
    for c in range(i + 2, j - 1):
        if tokens[c][0].lower() in PERSON_ORG_LINKS:
            nxt = tokens[c + 1][0].lower()
            return c if nxt in ORG_FIRST or nxt in ORG_NOUNS else None
    return None


def _kind_word(lows: list[str]) -> str | None:
    """The type a name's first or last word gives it: "... Party", "Banca ...", "... River",
    "Premio ..."."""
    if lows[-1] in ORG_LAST or lows[0] in ORG_FIRST:
        return "ORG"
    if lows[-1] in LOC_WORDS or lows[0] in LOC_WORDS:
        return "LOC"
    if lows[-1] in MISC_WORDS or lows[0] in MISC_WORDS:
        return "MISC"
    return None


def _guess(i: int, j: int, tokens: list[Token], doc: _Doc, gaz: Gazetteer, cue_per: bool) -> str:
    """Label an unknown name from its context."""
    words = [t[0] for t in tokens[i:j]]
    before = [t[0].lower() for t in tokens[max(0, i - 3) : i]]
    office_of = before[-2:-1] and before[-1] in OF_LINKS
    if office_of and before[-2] in PLACE_OFFICES:
        return "LOC"  # "il sindaco di Capoterra"
    role = max((x for x, w in enumerate(before) if w in ROLE_CUES), default=None)
    # a role names the person after it, not what it is of ("il presidente della Fiat")
    if cue_per or (role is not None and not any(w in OF_LINKS for w in before[role:])):
        return "PER"
    if len(words) == 1 and (
        (before[-2:-1] and before[-2] in PERSON_OF and before[-1] in PERSON_OF_LINKS)
        or (before and before[-1] in GOVERNMENT_BY_LEADER and not doc.english)
        or (j < len(tokens) and tokens[j][0].lower() in LEADER_GOVERNMENT and doc.english)
    ):
        return "PER"
    # a stretch beside a known name has the same word evidence as a whole run: "Gran Premio"
    # di Monza, "Stadio Olimpico" di Roma
    kind = _kind_word([w.lower().rstrip(".") for w in words]) if len(words) > 1 else None
    if kind:
        return kind
    if (before and before[-1] in ORG_CUES_BEFORE) or (
        j < len(tokens) and tokens[j][0].lower() in ORG_CUES_AFTER
    ):
        return "ORG"
    if _org_noun_before(tokens, i):
        return "ORG"
    if _place_kind_before(tokens, i):
        return "LOC"
    after = [t[0].lower() for t in tokens[j : j + 2]]
    if after and (
        after[0] in SPEECH
        or (after[0] == "ha" and after[1:2] and after[1] in SPEECH_AFTER_HA)
        or (after[0] == "," and after[1:2] and (after[1] in WHO or after[1].isdigit()))
    ):
        return "PER"  # "X said", "X ha detto", "X, who", "X, 34,"
    if words[0] in gaz.first_names:  # a lone given name is a person called by it ("Bruno")
        return "PER"
    if len(words) == 1 and _is_acronym(words[0]):
        return "ORG"
    if not doc.english and " ".join(words) in gaz.towns:
        return "LOC"  # an Italian town ("tra Olbia e Tempio", "ad Arzachena")
    w = words[0]
    demonym = doc.english and len(words) == 1 and len(w) > 4 and w not in gaz.first_names
    if demonym and w.lower().endswith(DEMONYM_ENDINGS):
        return "MISC"
    if before and before[-1] in PLACE_PREPS:
        return "LOC"
    if demonym and w.lower().endswith(WEAK_DEMONYM_ENDINGS):
        return "MISC"
    if len(words) == 1:
        return DEFAULT_SINGLE
    if words[0].lower() in HYPHEN_PLACE_PREFIXES and words[1:2] == ["-"]:
        return "LOC"  # "Saint-Alban", "San-Pedro"
    if any(
        t.lower() in CONNECTORS and t not in ".-" and not _particle(words, x)
        for x, t in enumerate(words)
    ):
        return "ORG"  # "Bank of Tokyo"; not the dot of an initial ("P. Simmons"), not "al-"
    if not doc.english and any(_name_adjective(t.lower()) for t in words[1:]):
        return "ORG"  # "Sinistra Italiana", "Brigate Rosse", "Gazzetta Ufficiale"
    if len(words) > 3 or any(t.lower() in doc.lower or (t.isupper() and len(t) > 1) for t in words):
        return "MISC"  # common words or acronyms inside: a title or a thing, not a person's name
    return DEFAULT_MULTI


def _name_adjective(low: str) -> bool:
    return low in NAME_ADJECTIVES or adjective_of_place(low)


def _corefer(spans: list[Span], tokens: list[Token], gaz: Gazetteer) -> list[Span]:
    """A lone word that is part of a person's name elsewhere in the text is that person."""
    people = [s for s in spans if s.label == "PER" and s.j - s.i >= 2]
    person_words = {tokens[k][0] for s in people for k in range(s.i, s.j)}
    surnames = {tokens[s.j - 1][0] for s in people}
    out = []
    for s in spans:
        if s.j - s.i == 1 and tokens[s.i][0] in person_words and s.label != "PER":
            kind = gaz.entries[s.entry].kind if s.entry is not None else None
            # Any word of a name for unknown words and towns; a country only as a surname
            # ("Neil Jordan ... Jordan said").
            if kind in (None, "city") or (kind == "country" and tokens[s.i][0] in surnames):
                s = Span(s.i, s.j, "PER", None)
        out.append(s)
    return out
