"""Label an unknown name from its context. Stretch -> label.

GUESS_RULES is the order of evidence: each rule reads the words of the name and those around it
and answers with a label or None to pass; the first answer wins. A name no rule answers for has
several words and no evidence at all: DEFAULT_MULTI.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.entities import rules_it
from transforms.entities.doc import Doc, is_acronym
from transforms.entities.lexicon import unknown_word
from transforms.entities.scripts import is_cyrillic
from transforms.entities.words import (
    BODY_ARTICLES,
    BODY_COPULAS,
    BODY_KINDS,
    BODY_STOPS,
    CAMEL_SURNAME_PREFIXES,
    CONNECTORS,
    DEMONYM_ENDINGS,
    DETERMINERS,
    HYPHEN_PLACE_PREFIXES,
    LEADER_GOVERNMENT,
    LOC_FIRST,
    LOC_LAST,
    LOC_TAILS,
    LOC_WORDS,
    LOCAL_PLACE_PREPS,
    MATCH_WORDS,
    MISC_WORDS,
    NAME_ARTICLES,
    NAME_PARTICLES,
    NICKNAME_ARTICLES,
    NICKNAME_CUES,
    OF_LINKS,
    ORG_CUES_AFTER,
    ORG_CUES_BEFORE,
    ORG_FIRST,
    ORG_LAST,
    ORG_NOUN_MODIFIERS,
    ORG_NOUNS,
    ORG_ROLE_LINKS,
    ORG_ROLES,
    ORG_TAILS,
    PERSON_OF,
    PERSON_OF_LINKS,
    PLACE_KIND_LINKS,
    PLACE_KIND_NOUNS,
    PLACE_OFFICES,
    PLACE_PREPS,
    PLURAL_ENDINGS,
    QUOTES,
    ROMANCE_OF_LANGUAGES,
    ROMANCE_OF_LINKS,
    RUSSIAN_ADJECTIVE_ENDINGS,
    SPEECH,
    SPEECH_AFTER_HA,
    SPEECH_BEFORE,
    SPEECH_BEFORE_QUOTED,
    SUBJECT_VERBS,
    SURNAME_HEADS,
    WEAK_DEMONYM_ENDINGS,
    WHO,
    adjective_of_place,
    compound_of,
    role_word,
)

# Labels for a capitalised name with no evidence at all: a lone word could be anything (a
# demonym, a club, a surname) and is MISC, type unknown; two or more words are most often a person.
DEFAULT_SINGLE = "MISC"
DEFAULT_MULTI = "PER"


class Stretch:
    """Tokens [i, j) of an unknown name, with up to three lower-cased words before it and two
    after it."""

    def __init__(self, i: int, j: int, doc: Doc):
        self.i, self.j, self.doc = i, j, doc
        tokens = doc.tokens
        self.words = [t[0] for t in tokens[i:j]]
        self.before = [t[0].lower() for t in tokens[max(0, i - 3) : i]]
        self.after = [t[0].lower() for t in tokens[j : j + 2]]

    @property
    def lone(self) -> bool:
        return len(self.words) == 1


GuessRule = Callable[[Stretch], str | None]


def guess(s: Stretch) -> str:
    """The first rule's label, else DEFAULT_MULTI."""
    for rule in GUESS_RULES:
        label = rule(s)
        if label:
            return label
    return DEFAULT_MULTI


def kind_word(lows: list[str]) -> str | None:
    """The type a name's first or last word gives it: "... Party", "Banca ...", "... River",
    "Premio ...", and "Porto ..." for a name of several words ("Rocca" alone is a surname)."""
    if lows[-1] in ORG_LAST or lows[0] in ORG_FIRST or _org_compound(lows):
        return "ORG"
    if lows[-1] in LOC_WORDS or lows[0] in LOC_WORDS or (len(lows) > 1 and lows[0] in LOC_FIRST):
        return "LOC"
    if compound_of(lows[-1], LOC_TAILS):
        return "LOC"  # "Nordsee", "Mittelmeer", "Erzgebirge"
    if lows[-1] in MISC_WORDS or lows[0] in MISC_WORDS:
        return "MISC"
    return None


def _org_compound(lows: list[str]) -> bool:
    """A name of several words whose first or last is a German compound naming a body:
    "Deutscher Gewerkschaftsbund", "Oberlandesgericht Düsseldorf" (a known noun alone,
    "Gewerkschaftsbund", is no name at all)."""
    return len(lows) > 1 and (compound_of(lows[-1], ORG_TAILS) or compound_of(lows[0], ORG_TAILS))


# What ends a quotation or a clause before a verb of speech and its speaker.
QUOTE_ENDS = frozenset({",", '"', "”", "'", "’", "»"})


# ---- what the name is the object of ----


def office_of_place(s: Stretch) -> str | None:
    """ "il sindaco di Capoterra", "the mayor of Ribera"."""
    before = s.before
    office_of = before[-2:-1] and before[-1] in OF_LINKS
    return "LOC" if office_of and before[-2] in PLACE_OFFICES else None


def after_role(s: Stretch) -> str | None:
    """A role names the person after it ("il portavoce X", "il prefetto X"), not what it is of
    or at ("il presidente della Fiat", "an analyst at Zorbak")."""
    before = s.before
    if before and (
        before[-1] in NICKNAME_CUES
        or (before[-2:-1] and before[-2] in NICKNAME_CUES and before[-1] in NICKNAME_ARTICLES)
    ):
        return "PER"  # "Calò detto Pippo", "detto il Cassiere"; not "ha detto che la Fiat"
    role = max(
        (
            x
            for x, w in enumerate(before)
            if role_word(w, x == len(before) - 1) or w in PLACE_OFFICES
        ),
        default=None,
    )
    links = ORG_ROLE_LINKS | romance_of_links(s.doc)
    if role is None or any(w in links for w in before[role:]):
        return None
    if role < len(before) - 2 and _after_place_preposition(s):
        return None  # a verb, then where the holder went: "il presidente arriva a Zorbia"
    # "ein Sprecher der Gewerkschaft X": an organisation named between the role and the name
    if any(w in ORG_CUES_BEFORE or w in ORG_NOUNS for w in before[role + 1 :]):
        return None
    return "PER"


def romance_of_links(doc: Doc) -> frozenset[str]:
    """The words for "of" after an office in the doc's language beyond OF_LINKS: "de", "du"
    in French, Spanish or Portuguese text; none elsewhere."""
    return ROMANCE_OF_LINKS if doc.language in ROMANCE_OF_LANGUAGES else frozenset()


def person_of(s: Stretch) -> str | None:
    """What only a person has or undergoes: "i sostenitori di Gbagbo", "the arrest of Kabila"."""
    before = s.before
    if s.lone and before[-2:-1] and before[-2] in PERSON_OF and before[-1] in PERSON_OF_LINKS:
        return "PER"
    return None


def leader_government(s: Stretch) -> str | None:
    """English puts the leader before the government: "the Bush administration"."""
    if s.lone and s.after and s.after[0] in LEADER_GOVERNMENT and s.doc.english:
        return "PER"
    return None


def several_words_kind(s: Stretch) -> str | None:
    """A stretch beside a known name has the same word evidence as a whole run: "Gran Premio" di
    Monza, "Stadio Olimpico" di Roma. An unknown name ending in a compass word is a place
    ("Acilia Sud"); a known one is labels.place_and_direction's ("Ossezia del Sud")."""
    if s.lone:
        return None
    lows = [w.lower().rstrip(".") for w in s.words]
    return kind_word(lows) or ("LOC" if lows[-1] in LOC_LAST else None)


def player_against_player(s: Stretch) -> str | None:
    """A match word between this name and a person's ("Novak Djokovic beat Carlos Alcaraz",
    "Sinner v Alexander Zverev"): the two sides of a match are alike, so players, not teams."""
    tokens, n = s.doc.tokens, len(s.doc.tokens)
    if s.after and s.after[0] in MATCH_WORDS:
        k = s.j + 1  # the opponent's first word
    elif len(s.before) == 3 and s.before[-1] in MATCH_WORDS:
        k = s.i - 3  # a given name and a surname end right before the match word
    else:
        return None
    if k < 0 or k + 1 >= n:
        return None
    first, second = tokens[k][0], tokens[k + 1][0]
    if first in s.doc.gaz.first_names and second[:1].isupper() and second.isalpha():
        return "PER"
    return None


def org_cue_before(s: Stretch) -> str | None:
    """ "the carmaker X", "il quotidiano X", "Lazio v X"."""
    if not s.before or s.before[-1] in LOCAL_PLACE_PREPS.get(s.doc.language, ()):
        return None  # "v Rožňave" is "in" in Slovak, where "Lazio v Roma" is "versus"
    return "ORG" if s.before[-1] in ORG_CUES_BEFORE else None


def org_cue_after(s: Stretch) -> str | None:
    """ "X shares", "X spokesman", "X Inc"."""
    return "ORG" if s.after and s.after[0] in ORG_CUES_AFTER else None


def org_noun_before(s: Stretch) -> str | None:
    """An organisation noun, then only its modifiers: "la compagnia ferroviaria spagnola X"."""
    tokens, i = s.doc.tokens, s.i
    for k in range(i - 1, max(-1, i - 5), -1):
        low = tokens[k][0].lower()
        if low in ORG_CUES_BEFORE or low in ORG_NOUNS:
            # a cue right before the name was org_cue_before's to take
            return "ORG" if k < i - 1 or low in ORG_NOUNS else None
        if low not in ORG_NOUN_MODIFIERS and low not in QUOTES and not adjective_of_place(low):
            return None
    return None


def described_as_body(s: Stretch) -> str | None:
    """What the text says a name is, right after it: "Bilka is a Danish chain of hypermarkets",
    "Caloi, a Brazilian bicycle maker,", "Trenord è una società": an organisation. The look ends
    at a preposition ("X, a spokesman for the company" is a person)."""
    lows, n = s.doc.lows, len(s.doc.lows)
    k = s.j
    if k < n and lows[k] == ",":
        k += 1  # "Caloi, a Brazilian bicycle maker" (or "Caloi, which is a...": no)
    elif k < n and lows[k] in BODY_COPULAS:
        k += 1  # "Bilka is a Danish chain"
    else:
        return None
    if k >= n or lows[k] not in BODY_ARTICLES:
        return None
    for word in lows[k + 1 : k + 5]:
        if word in BODY_KINDS:
            return "ORG"
        if word in BODY_STOPS or not word.isalpha():
            return None
    return None


def place_kind_before(s: Stretch) -> str | None:
    """ "la stazione di Garbagnate", "in località Raica", "the village of Khazna"."""
    tokens, i = s.doc.tokens, s.i
    before = [t[0].lower() for t in tokens[max(0, i - 2) : i]]
    if before and before[-1] in PLACE_KIND_NOUNS:
        return "LOC" if tokens[i - 1][0].islower() else None
    if (
        len(before) == 2
        and before[1] in PLACE_KIND_LINKS
        and before[0] in PLACE_KIND_NOUNS
        and tokens[i - 2][0].islower()
    ):
        return "LOC"
    return None


def _brand_inner(word: str) -> int:
    """Where a brand-like word's second part starts: a capital inside it, after a small letter
    and two or more letters in, not after a surname's prefix ("WeWork" 2, "AirPods" 3); 0 for
    any other word ("McDonald", "DeSantis", "Rossi")."""
    inner = next((x for x in range(2, len(word)) if word[x].isupper() and word[x - 1].islower()), 0)
    return inner if inner and word[:inner].lower() not in CAMEL_SURNAME_PREFIXES else 0


def brand_like(word: str) -> bool:
    """ "WeWork", "GateHouse", "AirPods": a company's or a product's name, not "McDonald"."""
    return _brand_inner(word) > 0


def inner_org_word(s: Stretch) -> str | None:
    """ "NationsBank", "KeyCorp", "JetAirways": a word whose part after the capital inside is an
    organisation's last word."""
    inner = _brand_inner(s.words[0]) if s.lone else 0
    return "ORG" if inner and s.words[0][inner:].lower() in ORG_LAST else None


def speaks(s: Stretch) -> str | None:
    """ "X said", "X ha detto", "— сказал X": a person, but a body after an Italian masculine
    article; not a company's name ("WeWork said") nor an acronym ("VW says", acronym's to
    take)."""
    after = s.after
    if s.lone and (brand_like(s.words[0]) or is_acronym(s.words[0])):
        return None
    if after and (
        after[0] in SPEECH or (after[0] == "ha" and after[1:2] and after[1] in SPEECH_AFTER_HA)
    ):
        # "Il Codacons ha annunciato": Italian puts no article before a man's name
        return "ORG" if rules_it.thing_article(s) else "PER"
    before = s.before
    if before and before[-1] in SPEECH_BEFORE:
        return "PER"
    # '"...," said Tarlo', ", says Tarlo": English, only after a quotation or a comma
    quoted = before[-2:-1] and before[-2] in QUOTE_ENDS and before[-1] in SPEECH_BEFORE_QUOTED
    # ... but not the body of the speaker named after it: "said Eagles owner Jeffrey Lurie"
    role_after = s.after and (s.after[0] in ORG_CUES_AFTER or role_word(s.after[0], True))
    return "PER" if quoted and not role_after else None


def described(s: Stretch) -> str | None:
    """ "X, who", "X, 34,": a relative clause or an age after a comma."""
    after = s.after
    if after and after[0] == "," and after[1:2] and (after[1] in WHO or after[1].isdigit()):
        return "PER"
    return None


# ---- what the name itself looks like ----


def given_name(s: Stretch) -> str | None:
    """A lone given name is a person called by it ("Bruno"), and so is one that opens a name;
    not after an Italian masculine article ("sul Mac")."""
    if s.words[0] not in s.doc.gaz.first_names or rules_it.thing_article(s):
        return None
    return "PER"


def of_organisation(s: Stretch) -> str | None:
    """ "l'amministratore delegato di Trenord", "an analyst at Global Equities Research": a role
    held in an organisation; a person after it was given_name's to take ("il portavoce di
    Silvio Berlusconi")."""
    before = s.before
    if before[-2:-1] and before[-1] in ORG_ROLE_LINKS and before[-2] in ORG_ROLES:
        return "ORG"
    return None


def acronym(s: Stretch) -> str | None:
    """ "ACME", "NASA": an unknown acronym is most often an organisation."""
    return "ORG" if s.lone and is_acronym(s.words[0]) else None


def _demonym_like(s: Stretch) -> bool:
    """English capitalises demonyms: a lone longer word that is not a given name may be one."""
    w = s.words[0]
    return s.doc.english and s.lone and len(w) > 4 and w not in s.doc.gaz.first_names


def demonym(s: Stretch) -> str | None:
    """ "Ghanaian", "Maltese", "Kurdish"."""
    if _demonym_like(s) and s.words[0].lower().endswith(DEMONYM_ENDINGS):
        return "MISC"
    return None


def _after_place_preposition(s: Stretch) -> bool:
    """The word right before the name is a place preposition, of any language or of the text's."""
    if not s.before:
        return False
    local = LOCAL_PLACE_PREPS.get(s.doc.language, ())
    if s.before[-1] in PLACE_PREPS or s.before[-1] in local:
        return True
    # "en La Moncloa", "a La Spezia": a capitalised article opens the place's name
    opens = s.before[-1] in NAME_ARTICLES and s.doc.tokens[s.i - 1][0][:1].isupper()
    return opens and len(s.before) > 1 and (s.before[-2] in PLACE_PREPS or s.before[-2] in local)


def after_place_preposition(s: Stretch) -> str | None:
    """ "in Tlacotalpan", "a Stroppiana", "nach Wiesbaden"."""
    return "LOC" if _after_place_preposition(s) else None


def weak_demonym(s: Stretch) -> str | None:
    """ "Afghan", "Czech", "Baltic", "Iraqi": endings places have too ("in Oman"), so they count
    only after a place preposition has had its say."""
    if _demonym_like(s) and s.words[0].lower().endswith(WEAK_DEMONYM_ENDINGS):
        return "MISC"
    return None


def unknown_subject(s: Stretch) -> str | None:
    """English: a lone word no dictionary has, before a singular verb, is a person ("Winstone
    enrolled", "Aldrin has"); not after an article ("the Danevirke had"), not a plural
    ("Melanesians travelled")."""
    if not (s.lone and s.doc.english and s.after) or not unknown_word(s.words[0]):
        return None
    if brand_like(s.words[0]):
        return None
    after_article = bool(s.before) and s.before[-1] in DETERMINERS
    if after_article or s.words[0].lower().endswith(PLURAL_ENDINGS):
        return None
    verb = s.after[0]
    return "PER" if verb in SUBJECT_VERBS or verb.endswith("ed") else None


def cyrillic_word(s: Stretch) -> str | None:
    """Russian capitalises names only, so a lone unknown Cyrillic word inside a sentence is
    most often a person ("Клинтон", "Сигал"; places the gazetteer and the prepositions take
    first); not an adjective opening a longer name ("Республиканской партии")."""
    word = s.words[0]
    if s.lone and is_cyrillic(word) and not word.lower().endswith(RUSSIAN_ADJECTIVE_ENDINGS):
        return "PER"
    return None


def lone_word(s: Stretch) -> str | None:
    return DEFAULT_SINGLE if s.lone else None


def hyphen_place(s: Stretch) -> str | None:
    """ "Saint-Alban", "San-Pedro"."""
    words = s.words
    return "LOC" if words[0].lower() in HYPHEN_PLACE_PREFIXES and words[1:2] == ["-"] else None


def connector_inside(s: Stretch) -> str | None:
    """ "Bank of Tokyo"; not the dot of an initial ("P. Simmons"), not a particle ("al-")."""
    words = s.words
    if any(
        t.lower() in CONNECTORS and t not in ".-" and not _particle(words, x)
        for x, t in enumerate(words)
    ):
        return "ORG"
    return None


def _particle(words: list[str], x: int) -> bool:
    """words[x] is a surname particle glued to the surname ("al-Maliki", "bin-Salman"), or one
    written with a capital before the last word, as Italian surnames are ("Lorella Di Giovanni",
    "Vincenzo De Luca"; "Banca di Roma" writes its "di" small)."""
    if words[x].lower() in NAME_PARTICLES and words[x + 1 : x + 2] == ["-"]:
        return True
    return (
        x == len(words) - 2
        and words[x][:1].isupper()
        and words[x].lower() in SURNAME_HEADS
        and words[x + 1][:1].isupper()
    )


def title_or_thing(s: Stretch) -> str | None:
    """Common words or acronyms inside, or many words: a title or a thing, not a person."""
    words, lower = s.words, s.doc.lower
    if len(words) > 3 or any(t.lower() in lower or (t.isupper() and len(t) > 1) for t in words):
        return "MISC"
    return None


def english_phrase(s: Stretch) -> str | None:
    """Several words, each one an English dictionary word: a title, a product or a thing ("Release
    Me", "Crew Dragon", "Black Eyed Peas") rather than a person, whose name has at least one
    word no dictionary has."""
    if s.lone or not all(w.isalpha() and not unknown_word(w) for w in s.words):
        return None
    return "MISC"


def german_phrase(s: Stretch) -> str | None:
    """German capitalises every noun and the adjectives of a name: several unknown capitalised
    words that no other evidence named are as often a thing or a body ("Vereinten Nationen",
    "Ersten Weltkrieg", "Grauen Zwerghamster") as a person, whose name would open with a given
    name. So they are no person there."""
    if s.lone or s.doc.language != "de" or s.words[0] in s.doc.gaz.first_names:
        return None
    return "MISC"


# The order is the evidence's weight: the first rule that answers labels the name.
GUESS_RULES: tuple[GuessRule, ...] = (
    office_of_place,
    after_role,
    person_of,
    rules_it.government_by_leader,
    leader_government,
    several_words_kind,
    player_against_player,
    org_cue_before,
    org_cue_after,
    org_noun_before,
    described_as_body,
    place_kind_before,
    speaks,
    described,
    given_name,
    of_organisation,
    acronym,
    inner_org_word,
    rules_it.italian_town,
    demonym,
    after_place_preposition,
    weak_demonym,
    unknown_subject,
    rules_it.organisation_article,
    cyrillic_word,
    lone_word,
    hyphen_place,
    connector_inside,
    rules_it.closing_adjective,
    title_or_thing,
    english_phrase,
    # last: these only keep the default (a person) from such names
    rules_it.italian_phrase,
    german_phrase,
)
