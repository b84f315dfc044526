"""Candidate names: runs of name-like tokens (gazetteer matches and capitalised words that read as
names), each labelled by labels.py; then the fixes that need a text's other names. Doc -> [Span].
"""

from __future__ import annotations

from transforms.entities.doc import Doc, Span, glued_hyphen, is_acronym, is_loud
from transforms.entities.inflection import case_endings
from transforms.entities.labels import Run, label_run
from transforms.entities.lexicon import italian_word, unknown_word
from transforms.entities.scripts import is_cyrillic
from transforms.entities.tokens import ROMAN_NUMERAL, Token
from transforms.entities.words import (
    BODY_TITLES,
    CENTURIES,
    CENTURY_BEFORE,
    CONJUNCTIONS,
    CONNECTORS,
    DECADE_BEFORE,
    DECADES,
    DEMONYMS,
    DOTTED_ENDS,
    FOREIGN_NAME_ARTICLES,
    HYPHEN_LINKS,
    MONTH_ABBREVIATIONS,
    NAME_ARTICLES,
    NAME_OPENING_STOPS,
    NAME_PARTICLES,
    NOT_NAME_TAILS,
    ORG_FIRST,
    PLURAL_ENDINGS,
    PRONOUNS,
    SPEECH,
    SPEECH_AFTER_HA,
    STOP,
    SURNAME_HEADS,
    SURNAME_HEADS_NOT_INITIAL,
    TITLES,
)


def find_names(doc: Doc) -> list[Span]:
    """Gazetteer matches plus rule-found names, as non-overlapping labelled token spans."""
    matched = _matched(doc)
    cap = doc.cap
    spans: list[Span] = []
    k, n = 0, len(doc.tokens)
    while k < n:
        # Most tokens are neither known nor capitalised: _name_like would say no to them.
        if (matched[k] < 0 and not cap[k]) or not _name_like(doc, matched, k):
            k += 1
            continue
        j = _run_end(doc, matched, k)
        spans.extend(label_run(Run(k, j, doc, matched)))
        k = j
    return spans


def _matched(doc: Doc) -> list[int]:
    """Per token, the index of the gazetteer match covering it, or -1."""
    matched = [-1] * len(doc.tokens)
    for m_idx, m in enumerate(doc.matches):
        for k in range(m.i, m.j):
            matched[k] = m_idx
    _unglue_known_parts(doc, matched)
    return matched


def _unglue_known_parts(doc: Doc, matched: list[int]) -> None:
    """A known one-word name after an Arabic or Hebrew particle ("al-Bandar", "bin-Salman") is
    part of a person's surname, not the place of that name."""
    tokens = doc.tokens
    for k in range(1, len(tokens) - 1):
        m = matched[k + 1]
        if m < 0 or doc.matches[m].j != k + 2 or not glued_hyphen(tokens, k):
            continue
        if tokens[k - 1][0].lower() in NAME_PARTICLES and matched[k - 1] < 0:
            matched[k + 1] = -1


def _name_like(doc: Doc, matched: list[int], k: int, after_name: bool = False) -> bool:
    """Token k can be (part of) a name: known, or capitalised where a capital means something."""
    tokens = doc.tokens
    t = tokens[k][0]
    if matched[k] >= 0:
        return True
    if not doc.cap[k] or doc.shouting[k] or t.lower() in TITLES:
        return False
    if t.lower() in STOP and not _opening_stop(doc, k):
        return False
    if _time_word(doc, k):
        return False
    if t.isupper() and len(t) > 1:  # an acronym, unless it is a shouted word among others
        return (
            is_acronym(t)
            and not (k > 0 and is_loud(tokens[k - 1][0]))
            and not (k + 1 < len(tokens) and is_loud(tokens[k + 1][0]))
        )
    if len(t) == 1:  # an initial when a full stop and a name follow
        return k + 2 < len(tokens) and tokens[k + 1][0] == "." and doc.cap[k + 2]
    if doc.initial[k]:  # a capital here proves nothing: ask for other evidence
        return _initial_name(doc, matched, k)
    # Next to a name, a capital mid-sentence is enough ("Montreal Hockey Club" in a text
    # that also says "hockey"); alone, the word must not also be written in lower case.
    gaz = doc.gaz
    if after_name or t in gaz.first_names or t.lower() not in doc.lower or t in gaz.name_tokens:
        return True
    return _opens_known_name(doc, matched, k)


def _opens_known_name(doc: Doc, matched: list[int], k: int) -> bool:
    """An organisation's first word right before a known name opens a name, though the text
    writes it in lower case elsewhere: "président de Radio | France" (and "à la radio")."""
    return (
        doc.lows[k] in ORG_FIRST
        and k + 1 < len(doc.tokens)
        and matched[k + 1] >= 0
        and doc.gap(k) == " "
    )


def _time_word(doc: Doc, k: int) -> bool:
    """ "gli anni Settanta", "nel primo Novecento", "anni Sessanta e Ottanta", "fine Anni
    Sessanta", "Aug. 5": a decade, a century or a month, not a name."""
    lows = doc.lows
    if lows[k] in MONTH_ABBREVIATIONS:  # "Aug. 5", "Sept 12"
        nxt = lows[k + 1] if k + 1 < len(lows) else ""
        return nxt == "." or nxt[:1].isdigit()
    if lows[k] in DECADE_BEFORE:  # "fine Anni Sessanta"
        return k + 1 < len(lows) and lows[k + 1] in DECADES
    kind = DECADES if lows[k] in DECADES else CENTURIES if lows[k] in CENTURIES else None
    if kind is None or k == 0:
        return False
    before = lows[k - 1].replace("’", "'")
    if before in (",", "e", "o") and k > 1 and lows[k - 2] in kind:
        return _time_word(doc, k - 2)
    return before in (DECADE_BEFORE if kind is DECADES else CENTURY_BEFORE)


def _opening_stop(doc: Doc, k: int) -> bool:
    """ "First Union", "Old Trafford": a stop word capitalised inside a sentence, before a capital,
    opens a name; so does "The" in a text not in English ("il quotidiano The Independent")."""
    tokens = doc.tokens
    low = doc.lows[k]
    return (
        (low in NAME_OPENING_STOPS or (low in FOREIGN_NAME_ARTICLES and _not_english(doc)))
        and not doc.initial[k]
        and k + 1 < len(tokens)
        and doc.cap[k + 1]
        and doc.gap(k) == " "
    )


def _not_english(doc: Doc) -> bool:
    """Detected as another language (a short text left undetected may well be English)."""
    return doc.language not in ("en", "und") and not doc.english


def _initial_name(doc: Doc, matched: list[int], k: int) -> bool:
    """A capitalised word opening a sentence is a name only with other evidence."""
    tokens, n = doc.tokens, len(doc.tokens)
    t = tokens[k][0]
    nxt = tokens[k + 1][0] if k + 1 < n else ""
    speaks = nxt in SPEECH or (nxt == "ha" and k + 2 < n and tokens[k + 2][0] in SPEECH_AFTER_HA)
    if t.lower() in PRONOUNS and (speaks or nxt[:1].islower()):
        return False  # "Han säger", "Ela afirmou", "Ela começou" ("Ela" is also a given name)
    if t in doc.gaz.first_names or (t in doc.mid_caps and t.lower() not in doc.lower):
        return True
    if t.lower() in ORG_FIRST and k + 1 < n and doc.cap[k + 1] and not doc.initial[k + 1]:
        return True  # a body's first word before a name: "Borussia Mönchengladbach verlor"
    if speaks and not t.lower().endswith(PLURAL_ENDINGS):
        return True  # "Ushakov ha detto", "Merkel said"; not "Analysts said"
    if doc.english and unknown_word(t) and not (doc.writes_italian and italian_word(t)):
        return True  # no English word: "Winstone enrolled at the academy"; not "Entrambi hanno"
    # followed by an unknown name written mid-sentence: "Vyacheslav Prokofyev"; not in Cyrillic
    # text, where such a name is a name for its capital alone ("Вчера | Зорбилов")
    return (
        not is_cyrillic(t)
        and k + 1 < n
        and matched[k + 1] < 0
        and doc.cap[k + 1]
        and not doc.initial[k + 1]
        and nxt.lower() not in STOP
        and nxt.lower() not in doc.lower
        and not nxt.isupper()
    )


# The Slavic languages written in Latin script. German and Swedish decline names too, but
# their -s and -n also fit given names and adjectives ("Lucas Cranach", "Australian Open").
SLAVIC_LATIN = frozenset({"hr", "sr", "bs", "sl", "sk", "cs", "pl"})


def _genitive_place_ends(doc: Doc, matched: list[int], j: int) -> bool:
    """The known name over token j - 1 ends there and is Cyrillic, or was found through its
    case ending: Russian and the other Slavic languages put a place in the genitive before a
    name ("президент России Владимир Путин", "predsjednik Makedonije Đorđe Ivanov"), so the
    run stops there."""
    ends = matched[j] != matched[j - 1]
    slavic = doc.language in SLAVIC_LATIN and j in doc.declined_ends
    return ends and (is_cyrillic(doc.tokens[j - 1][0]) or slavic)


def _run_end(doc: Doc, matched: list[int], i: int) -> int:
    """Where the run of name-like tokens that starts at i ends: it goes on over name-like words,
    Roman numerals and up to two connectors before a name-like word, within one line."""
    tokens, line_of, n = doc.tokens, doc.line_of, len(doc.tokens)
    j = i + 1
    while j < n and line_of[j] == line_of[i]:
        if matched[j - 1] >= 0 and _genitive_place_ends(doc, matched, j):
            break
        if _name_like(doc, matched, j, True) or ROMAN_NUMERAL.match(tokens[j][0]):
            j += 1
            continue
        if doc.cap[j] and doc.lows[j] in BODY_TITLES and doc.lows[i] in ORG_FIRST:
            j += 1  # "Unión General de Trabajadores"
            continue
        step, most = 0, _most_connectors(tokens, j)
        while j + step < n and step < most and _connector(doc, j + step, step == 1 and most == 3):
            step += 1
        if (
            0 < step
            and j + step < n
            and line_of[j + step] == line_of[i]
            and _name_like(doc, matched, j + step)
            and _connects(tokens, j, step)
        ):
            j += step + 1
            continue
        break
    return j


def _most_connectors(tokens: list[Token], j: int) -> int:
    """How many connectors may join two parts of a name at j: two ("Jean de", "of the"), or
    three glued by hyphens ("Charles-de-Gaulle", "Saint-Germain-des-Prés", "Hauts-de-France")."""
    chain = j + 3 < len(tokens) and glued_hyphen(tokens, j) and glued_hyphen(tokens, j + 2)
    return 3 if chain else 2


def _connector(doc: Doc, k: int, linked: bool) -> bool:
    """Token k may join two parts of a name: a connector, or, between two glued hyphens
    (linked), a word that joins a place's parts ("Aix-les-Bains", "Stoke-on-Trent")."""
    return doc.lows[k] in CONNECTORS or (linked and doc.lows[k] in HYPHEN_LINKS)


def _connects(tokens: list[Token], j: int, step: int) -> bool:
    """Hyphens and dots join only glued tokens ("Jean-Claude", "W. Bush" needs a one-letter part);
    "and" then an article, an acronym or a kind of body joins two names, not one ("Universidad
    de Salamanca | y el | Banco", "Comisiones Obreras | y | UGT")."""
    if step == 2 and tokens[j][0].lower() in CONJUNCTIONS:
        return False
    after = tokens[j + step][0]
    if tokens[j][0].lower() in CONJUNCTIONS and (
        (len(after) > 1 and after.isupper()) or after.lower() in ORG_FIRST
    ):
        # "Comisiones Obreras | y | UGT", "Banco de España | y | Comisiones Obreras": an acronym
        # or a kind of body after "and" opens a second name
        return False
    for s in range(step):
        t = tokens[j + s]
        if t[0] == "-" and not (tokens[j + s - 1][2] == t[1] and t[2] == tokens[j + s + 1][1]):
            return False
        if t[0] == "." and len(tokens[j + s - 1][0]) != 1:
            return False
    return True


def dotted_ends(spans: list[Span], doc: Doc) -> list[Span]:
    """A name that ends in an abbreviation keeps its full stop: "Norwest Corp.", "Acme Ltd.";
    an initialism keeps its letters and stops: "B.C.", "N.J.", "N.S.W." (not one the gazetteer
    knows whole, "U.S.")."""
    tokens, n, out = doc.tokens, len(doc.tokens), []
    for s in spans:
        j = s.j
        dot = j < n and tokens[j][0] == "." and doc.gap(j - 1) == ""
        if dot and s.j - s.i > 1 and doc.lows[j - 1] in DOTTED_ENDS:
            s = s._replace(j=j + 1)
        elif dot and s.entry is None and _initial_letters(tokens, s.i, j):
            s = s._replace(j=_initialism_end(doc, j))
        out.append(s)
    return out


def _initial_letters(tokens: list[Token], i: int, j: int) -> bool:
    """Tokens [i, j) are capital letters with full stops between: "N", "N . S"."""
    return all(
        (len(t[0]) == 1 and t[0].isupper()) if (k - i) % 2 == 0 else t[0] == "."
        for k, t in enumerate(tokens[i:j], start=i)
    )


def _initialism_end(doc: Doc, j: int) -> int:
    """From the glued full stop at j, over further glued capital letters and their stops."""
    tokens, n = doc.tokens, len(doc.tokens)
    j += 1
    while (
        j + 1 < n
        and doc.gap(j - 1) == ""
        and len(tokens[j][0]) == 1
        and tokens[j][0].isupper()
        and tokens[j + 1][0] == "."
        and doc.gap(j) == ""
    ):
        j += 2
    return j


# How a possessive adjective made of a name opens in the Slavic languages: "UN-ov", "UN-ova".
POSSESSIVE_HEADS = ("ov", "ev")


def hyphen_tails(spans: list[Span], doc: Doc) -> list[Span]:
    """A person's name ends with a glued lower-case part: "Ban Ki-moon", "Prayuth Chan-ocha";
    an acronym with its case ending, or a possessive ending, glued by a hyphen in a language that
    declines names is one name: "NATO-a", "UN-u", "SDSM-om", "UN-ovo" (Croatian, Serbian)."""
    cases = case_endings(doc.language)
    return [_hyphen_tail(s, doc.tokens, cases) for s in spans]


def _hyphen_tail(s: Span, tokens: list[Token], cases: frozenset[str]) -> Span:
    j = s.j
    if j + 1 >= len(tokens) or not glued_hyphen(tokens, j):
        return s
    tail = tokens[j + 1][0]
    last = tokens[j - 1][0]
    possessive = tail.startswith(POSSESSIVE_HEADS) and tail.isalpha() and len(tail) <= 5
    if cases and (tail in cases or possessive) and len(last) > 1 and last.isupper():
        return s._replace(j=j + 2)  # "NATO-a", "UN-ovo"
    if s.label != "PER":
        return s
    if tail.isalpha() and tail.islower() and len(tail) <= 4 and tail not in NOT_NAME_TAILS:
        return s._replace(j=j + 2)
    return s


def particle_heads(spans: list[Span], doc: Doc) -> list[Span]:
    """A capitalised word just before an unknown name may open it: a surname's particle makes it
    a person ("De Mistura", "Del Piero", "Di Battista"), an article mid-sentence is part of the
    name ("La Costa", "Le Matin"). A name the gazetteer knows stays as it is ("Da Roma")."""
    out: list[Span] = []
    end = 0  # where the span before ends: the word must be in none
    for s in spans:
        if s.i > end:
            s = _particle_head(doc, s)
        out.append(s)
        end = s.j
    return out


def _particle_head(doc: Doc, s: Span) -> Span:
    k = s.i - 1
    word = doc.tokens[k][0]
    if s.entry is not None or s.j - s.i > 2 or doc.gap(k) != " " or not word.istitle():
        return s
    low = word.lower()
    # Before a full name, "Di" is a byline's: "Di Malek Fouda" is by Malek Fouda.
    surname = s.j - s.i == 1 and not (doc.initial[k] and low in SURNAME_HEADS_NOT_INITIAL)
    if low in SURNAME_HEADS and surname:
        return Span(k, s.j, "PER", None)
    if low in NAME_ARTICLES and not doc.initial[k]:
        return s._replace(i=k)
    return s


def untitled(spans: list[Span], doc: Doc) -> list[Span]:
    """A known person's title is not part of the name ("Papa Francesco" names Francesco, as
    news NER marks it); the span keeps the person's id."""
    return [_untitled(s, doc.tokens) for s in spans]


def _untitled(s: Span, tokens: list[Token]) -> Span:
    if s.entry is None or s.label != "PER" or s.j - s.i < 2:
        return s
    if tokens[s.i][0].lower().rstrip(".") not in TITLES or not tokens[s.i + 1][0][:1].isupper():
        return s
    return s._replace(i=s.i + 1)


def _hyphen_glued(doc: Doc, k: int, s: Span) -> bool:
    """Token k of span s is glued by a hyphen to a neighbour inside it: "Gannett-Gatehouse"."""
    return (k + 1 < s.j and glued_hyphen(doc.tokens, k + 1)) or (
        k - 1 > s.i and glued_hyphen(doc.tokens, k - 1)
    )


def corefer(spans: list[Span], doc: Doc) -> list[Span]:
    """A lone word that is part of a person's name elsewhere in the text is that person."""
    tokens = doc.tokens
    people = [s for s in spans if s.label == "PER" and s.j - s.i >= 2]
    # Not a nationality word ("British Realm", a name by default, makes no "British" a person)
    # nor a part of a hyphenated compound ("Gannett-Gatehouse" ... "Gannett").
    person_words = {
        tokens[k][0]
        for s in people
        for k in range(s.i, s.j)
        if tokens[k][0].lower() not in DEMONYMS and not _hyphen_glued(doc, k, s)
    }
    # A known place becomes a person only in a known person's name or after a given name
    # ("Paolo Ferrara ... Ferrara"), not in a name the rules took for a person without one
    # ("Ferrovie Nord Milano" ... "Milano").
    named = [s for s in people if s.entry is not None or tokens[s.i][0] in doc.gaz.first_names]
    named_words = {tokens[k][0] for s in named for k in range(s.i + 1, s.j)}
    surnames = {tokens[s.j - 1][0] for s in named}
    out = []
    for s in spans:
        if s.j - s.i == 1 and tokens[s.i][0] in person_words and s.label != "PER":
            kind = doc.gaz.entries[s.entry].kind if s.entry is not None else None
            # Any word of a name for unknown words, any word after a given name for towns; a
            # country only as a surname ("Neil Jordan ... Jordan said").
            word = tokens[s.i][0]
            if (
                kind is None
                or (kind == "city" and word in named_words)
                or (kind == "country" and word in surnames)
            ):
                s = Span(s.i, s.j, "PER", None)
        out.append(s)
    return out
