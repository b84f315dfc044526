"""Label a run of name-like tokens. Run -> [Span].

RULES is the order of evidence: each rule reads the run and answers with its spans (an empty list
means "no name here") or None to pass; the first answer wins. A run no rule answers for is one
unknown name, labelled from its context by guess.py.
"""

from __future__ import annotations

from collections.abc import Callable

from transforms.entities.context import COMPANY_FORMS
from transforms.entities.doc import Doc, Span, glued_hyphen
from transforms.entities.gazetteer import PLACE_GIVEN_NAMES_FILE, Entry, read_words
from transforms.entities.guess import Stretch, guess, kind_word
from transforms.entities.lexicon import italian_word, unknown_word
from transforms.entities.rules_it import italian_opening
from transforms.entities.splits import office_holder, person_inside, person_of_org
from transforms.entities.words import (
    COMMON_WORD_NAMES,
    COMMON_WORD_NAMES_FR,
    CONNECTORS,
    DEMONYM_NOUNS_FR,
    DEMONYMS,
    GEO_PREFIXES,
    HYPHEN_LINKS,
    ORG_FIRST,
    ORG_LAST,
    PAPER_WORDS,
    STATION_WORDS,
    STOP,
    SURNAME_PLACE_WORDS,
    TITLES,
    VENUE_ARTICLES,
    club_word,
)


class Run:
    """Tokens [i, j) that read as one name (or several side by side), and what rules ask of them.

    matched: per token of the text, the index of the gazetteer match covering it, or -1.
    A run is built ~30 times per article and most rules ask little of it: what it is asked is
    worked out on the first question and kept (the None attributes below; declared, because
    the compiled class has no __dict__ for functools.cached_property)."""

    def __init__(self, i: int, j: int, doc: Doc, matched: list[int]):
        self.i, self.j, self.doc, self.matched = i, j, doc, matched
        self.tokens, self.matches, self.gaz = doc.tokens, doc.matches, doc.gaz
        self._inside: list[int] | None = None
        self._words: list[str] | None = None
        self._lows: list[str] | None = None
        self._kind: str | None = None
        self._kind_read = False
        self._uncovered: list[int] | None = None
        self._joined: bool | None = None

    def part(self, i: int, j: int) -> Run:
        return Run(i, j, self.doc, self.matched)

    def entry(self, x: int) -> Entry:
        """The gazetteer entry of match x."""
        return self.gaz.entries[self.matches[x].entry]

    def known(self, x: int) -> Span:
        """Match x as a span with its entry's label."""
        m = self.matches[x]
        return Span(m.i, m.j, self.gaz.entries[m.entry].label, m.entry)

    @property
    def inside(self) -> list[int]:
        """The gazetteer matches in the run, in order."""
        if self._inside is None:
            matched = self.matched
            self._inside = sorted({matched[k] for k in range(self.i, self.j) if matched[k] >= 0})
        return self._inside

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = [t[0] for t in self.tokens[self.i : self.j]]
        return self._words

    @property
    def lows(self) -> list[str]:
        if self._lows is None:
            self._lows = [w.lower().rstrip(".") for w in self.words]
        return self._lows

    @property
    def kind(self) -> str | None:
        """The type the name's first or last word gives it ("... Party", "Lake ..."), or a
        club's word anywhere in it ("Hertha BSC Berlin")."""
        if not self._kind_read:
            kind = kind_word(self.lows)
            self._kind = kind or ("ORG" if any(club_word(w) for w in self.words) else None)
            self._kind_read = True
        return self._kind

    @property
    def uncovered(self) -> list[int]:
        """Tokens no match covers, connectors aside."""
        if self._uncovered is None:
            self._uncovered = [
                k
                for k in range(self.i, self.j)
                if self.matched[k] < 0 and self.tokens[k][0].lower() not in CONNECTORS
            ]
        return self._uncovered

    @property
    def joined(self) -> bool:
        """No unknown connector inside: the run's words are one name, not two linked by "of"."""
        if self._joined is None:
            self._joined = not any(
                self.matched[k] < 0 and self.tokens[k][0].lower() in CONNECTORS
                for k in range(self.i, self.j)
            )
        return self._joined

    @property
    def head(self) -> int:
        """Words before the first match."""
        inside = self.inside
        return self.matches[inside[0]].i - self.i if inside else 0

    @property
    def tail(self) -> int:
        """Words after the last match."""
        inside = self.inside
        return self.j - self.matches[inside[-1]].j if inside else 0

    @property
    def whole_match(self) -> bool:
        """One gazetteer match is the whole run."""
        inside = self.inside
        return (
            len(inside) == 1
            and self.matches[inside[0]].i == self.i
            and self.matches[inside[0]].j == self.j
        )


Rule = Callable[[Run], list[Span] | None]


def label_run(run: Run) -> list[Span]:
    """The labelled names in run: the first rule's answer, else one unknown name."""
    for rule in RULES:
        spans = rule(run)
        if spans is not None:
            return spans
    return [Span(run.i, run.j, guess(Stretch(run.i, run.j, run.doc)), None)]


# ---- runs that hold two names: split, and label each part ----


def nationality_then_name(run: Run) -> list[Span] | None:
    """French writes a nationality as a capitalised noun before a name ("le Néerlandais Jorik
    Van Egdom", "la Suissesse Delia Sclabas"), or alone ("l'Australien a gagné"): the
    nationality, a MISC, then the name, a person's unless the gazetteer knows it. Alone it is
    no place, whatever another language calls a country ("Australien", "Italien" in German)."""
    if run.doc.language != "fr" or run.lows[0] not in DEMONYM_NOUNS_FR:
        return None
    nationality = [Span(run.i, run.i + 1, "MISC", None)]
    if run.j - run.i == 1:
        return nationality
    if not run.tokens[run.i + 1][0][:1].isupper():
        return None
    rest = label_run(run.part(run.i + 1, run.j))
    if len(rest) == 1 and rest[0].entry is None and (rest[0].i, rest[0].j) == (run.i + 1, run.j):
        rest = [rest[0]._replace(label="PER")]
    return nationality + rest


def portfolio_then_person(run: Run) -> list[Span] | None:
    """ "il ministro dello Sport Giovanni Spadafora", "Emilia-Romagna Stefano Bonaccini": the
    capitalised words before a given name + surname are a name apart."""
    cut = person_inside(run)
    if cut is None:
        return None
    end = cut - 1 if run.lows[cut - 1 - run.i] in CONNECTORS else cut  # "Milan | di | Pioli"
    bare = _bare_opener(run, cut) or _rest_of_title(run, end)
    head = [] if bare else label_run(run.part(run.i, end))
    return head + label_run(run.part(cut, run.j))


def _rest_of_title(run: Run, end: int) -> bool:
    """English: dictionary words right after a title word, before a person, finish the title:
    "Chief | Executive | Tim Cook", "Chief | Financial Officer | Jane Doe"."""
    if not run.doc.english or run.i == 0 or run.doc.lows[run.i - 1] not in TITLES:
        return False
    words = [run.tokens[k][0] for k in range(run.i, end)]
    return all(w.isalpha() and not unknown_word(w) for w in words) and not any(
        run.matched[k] >= 0 for k in range(run.i, end)
    )


def _bare_opener(run: Run, cut: int) -> bool:
    """One unknown word opening a sentence before a person is a sentence's first word, not a
    name: "Ayer | Marta Ruiz habló", "Selon | Claire Dubois", "Stamattina | Marta Rossi"; a
    nationality stays ("American | Dennis Mitchell won")."""
    word = run.tokens[run.i][0]
    return (
        cut == run.i + 1
        and run.doc.initial[run.i]
        and run.matched[run.i] < 0
        and not word.isupper()
        and word not in run.gaz.first_names
        and run.lows[0] not in DEMONYMS
    )


def office_then_holder(run: Run) -> list[Span] | None:
    """ "il ministro del Lavoro | Poletti", "il presidente dell'Egitto | Hosni Mubarak": what an
    office is of, then the person who holds it."""
    held = office_holder(run)
    if held is None:
        return None
    d, portfolio = held
    office = [] if portfolio else label_run(run.part(run.i, d))
    if d == run.j:
        return office
    if portfolio and run.lows[d - run.i] in CONNECTORS:
        return label_run(run.part(d + 1, run.j))  # "degli Esteri | di | Israele"
    m = run.matched[d]
    whole = m >= 0 and run.matches[m].i == d and run.matches[m].j == run.j
    entry = run.matches[m].entry if whole and run.entry(m).label == "PER" else None
    return office + [Span(d, run.j, "PER", entry)]


def person_then_workplace(run: Run) -> list[Span] | None:
    """ "Raffaele Cioni dell'Istituto Nazionale": the person, then where they work."""
    link = person_of_org(run)
    if link is None:
        return None
    return label_run(run.part(run.i, link)) + label_run(run.part(link + 1, run.j))


# ---- runs the gazetteer knows ----

# Given names a place owns too ("Nelson", "Kobe", "Chelsea"): data/place_given_names.txt.
PLACE_GIVEN_NAMES = frozenset(read_words(PLACE_GIVEN_NAMES_FILE))


def place_named_person(run: Run) -> list[Span] | None:
    """ "Kobe Bryant", "Nelson Mandela", "Chelsea Manning": a given name that is also a town's,
    then one name that is unknown or another town's, is a person. Not a country or a region
    ("Jordan Israel", "Asia Pacific"), a team ("Brooklyn Nets") or a kind of place ("Victoria
    Station")."""
    if run.j - run.i != 2 or run.words[0] not in PLACE_GIVEN_NAMES or run.doc.shouting[run.i]:
        return None
    if run.kind is not None or run.lows[1].endswith("s") or run.lows[1] in DEMONYMS:
        return None
    if not all(_town_or_unknown(run, k) for k in (run.i, run.i + 1)):
        return None
    return [Span(run.i, run.j, "PER", None)]


def _town_or_unknown(run: Run, k: int) -> bool:
    """Token k is unknown, or a one-word town or minor place: not a country or a linked region
    or continent ("Asia Pacific"); an unlinked hand-written region may be a given name ("Devon
    White", "Indiana Jones")."""
    m = run.matched[k]
    if m < 0:
        return True
    match, entry = run.matches[m], run.entry(m)
    minor = entry.kind == "city" or (entry.kind == "hand" and entry.qid is None)
    return match.j - match.i == 1 and entry.label == "LOC" and minor


def route(run: Run) -> list[Span] | None:
    """Two places glued by a hyphen, not both well known, name one thing: a line, a road or an
    airport ("Roma-Viterbo", "Milano-Malpensa", "Mosca-Domodedovo"). Two linked places are
    two ("Russia-Cina", "Mosca-Pechino": relations between them)."""
    i, j, tokens, inside = run.i, run.j, run.tokens, run.inside
    if j - i != 3 or not glued_hyphen(tokens, i + 1):
        return None
    ends = [m for m in inside if (run.matches[m].i, run.matches[m].j) in ((i, i + 1), (i + 2, j))]
    if len(inside) != len(ends) or not ends:
        return None
    if any(run.entry(m).label != "LOC" for m in ends):
        return None
    linked = [m for m in ends if run.entry(m).qid]
    if len(linked) < 2 and all(tokens[k][0][:1].isupper() for k in (i, i + 2)):
        return [Span(i, j, "LOC", None)]
    return None


def hyphen_chain(run: Run) -> list[Span] | None:
    """Three parts or more glued by hyphens, one of them a known place or a place's link word,
    name one place: "Bourgogne-Franche-Comté", "Seine-Saint-Denis", "Hauts-de-France",
    "Rhein-Neckar-Kreis", "Saône-et-Loire", "Stoke-on-Trent". Not countries alone
    ("Russia-Cina-India": a relation between them)."""
    i, j, tokens = run.i, run.j, run.tokens
    if j - i < 5 or (j - i) % 2 == 0:
        return None
    if not all(glued_hyphen(tokens, k) for k in range(i + 1, j, 2)):
        return None
    places = [run.entry(m) for m in run.inside]
    linked = any(run.lows[k - i] in HYPHEN_LINKS for k in range(i + 2, j - 1, 2))
    if not (places or linked) or any(e.label != "LOC" for e in places):
        return None
    named = [k for k in range(i, j, 2) if tokens[k][0][:1].isupper()]
    if all(run.matched[k] >= 0 and run.entry(run.matched[k]).kind == "country" for k in named):
        return None
    return [Span(i, j, "LOC", None)]


def short_shouted_word(run: Run) -> list[Span] | None:
    """A short shouted word is not a title-case name: "FED CUP" is not the Fed. In a line that
    is not shouted it is that name's acronym: "( UDC , PDL , MPA )" is the Pdl."""
    word = run.tokens[run.i][0]
    short = run.j - run.i == 1 and len(word) <= 3 and word.isupper()
    shouted = short and run.doc.shouting[run.i]
    return [] if run.whole_match and shouted and word not in run.gaz.caps else None


def common_word_opening(run: Run) -> list[Span] | None:
    """A known one-word name opening a sentence that is also a common word: "Nato a Verona" is
    "born in"; so is any word the text also writes in lower case, and in French "« Seul notre
    hélicoptère »" (Seoul in Italian)."""
    word = run.tokens[run.i][0]
    if run.whole_match and run.j - run.i == 1 and run.doc.initial[run.i] and word.istitle():
        low = word.lower()
        french = run.doc.language == "fr" and low in COMMON_WORD_NAMES_FR
        if low in COMMON_WORD_NAMES or low in run.doc.lower or french:
            return []
    return None


def org_word_closes_known_names(run: Run) -> list[Span] | None:
    """Known names closed by an organisation word are one new organisation: "Tonga Labour Party"
    is not the Labour Party."""
    last_word = run.tokens[run.j - 1][0].lower()
    several = len(run.inside) > 1 and not run.uncovered
    if several and last_word in ORG_LAST and "-" not in run.words:
        return [Span(run.i, run.j, "ORG", None)]
    return None


def part_of_country(run: Run) -> list[Span] | None:
    """ "Centro Italia", "Nord Italia": a part of the country, not a town called Centro beside it."""
    inside = run.inside
    two_places = len(inside) == 2 and not run.uncovered and run.j - run.i == 2
    if two_places and run.words[0].lower() in GEO_PREFIXES and run.entry(inside[1]).label == "LOC":
        return [Span(run.i, run.j, "LOC", None)]
    return None


def branch_in_country(run: Run) -> list[Span] | None:
    """A known organisation and a country's name right after it are its branch there: "Uber
    Italy", "Telefónica Deutschland", "Sony Australien": one organisation, not the country, and
    not the parent company either (unlinked)."""
    inside = run.inside
    if len(inside) != 2 or run.matches[inside[0]].j != run.matches[inside[1]].i:
        return None  # not "Benetton of Italy", the club of a country
    if run.head or run.tail or run.doc.gap(run.matches[inside[0]].j - 1) != " ":
        return None
    if run.entry(inside[0]).label != "ORG" or run.entry(inside[1]).kind != "country":
        return None
    return [Span(run.i, run.j, "ORG", None)]


def kind_after_place(run: Run) -> list[Span] | None:
    """A known place and a station's word are the station, a place of its own ("Berlin Hbf",
    "Amsterdam Centraal", "Milano Centrale"); with a newspaper's word, the newspaper ("the
    China Daily said", "the Hong Kong Standard"). Not the city: unlinked."""
    # The place is the run but its last word, which may be known too ("Telegram", the app).
    first = run.matches[run.inside[0]] if run.inside else None
    place_then_word = first is not None and (first.i, first.j) == (run.i, run.j - 1)
    if not place_then_word or run.entry(run.inside[0]).label != "LOC":
        return None
    if run.doc.gap(run.j - 2) != " ":
        return None
    last = run.lows[-1]
    if last in STATION_WORDS:
        return [Span(run.i, run.j, "LOC", None)]
    return [Span(run.i, run.j, "ORG", None)] if last in PAPER_WORDS else None


def known_names(run: Run) -> list[Span] | None:
    """One gazetteer match is the whole run, or matches cover all its words: each is itself
    ("Putin", "Russia-Cina", "the Jordan Israel treaty")."""
    if run.whole_match or (run.inside and not run.uncovered):
        return [run.known(x) for x in run.inside]
    return None


# ---- the words of the name say what it is ----


def kind_word_org_or_place(run: Run) -> list[Span] | None:
    """ "Acme Widgets Inc", "Banca Etruria", "Piccadilly Circus", "Lake Tana"; not "Fiona
    Hill", a given name and a place word that is also a surname."""
    if run.kind not in ("ORG", "LOC"):
        return None
    words = run.words
    if len(words) == 2 and words[0] in run.gaz.first_names and run.lows[1] in SURNAME_PLACE_WORDS:
        return None
    return [Span(run.i, run.j, run.kind, _company_before_form(run))]


def _company_before_form(run: Run) -> int | None:
    """A known company's whole name, then its legal form ("Apple Inc", "Siemens AG"): the same
    company, so its entry; otherwise none."""
    if run.kind != "ORG" or run.lows[-1] not in COMPANY_FORMS or len(run.inside) != 1:
        return None
    m = run.matches[run.inside[0]]
    known = m.i == run.i and m.j == run.j - 1 and run.entry(run.inside[0]).label == "ORG"
    return m.entry if known else None


def organisation_of(run: Run) -> list[Span] | None:
    """An organisation word and a connector: "Carnegie Institution of Washington"."""
    lows = run.lows
    if any(w in CONNECTORS for w in lows) and any(w in ORG_LAST or w in ORG_FIRST for w in lows):
        return [Span(run.i, run.j, "ORG", None)]
    return None


def kind_word_misc(run: Run) -> list[Span] | None:
    """ "World Cup", "Premio Strega", "Kyoto Protocol"."""
    return [Span(run.i, run.j, "MISC", None)] if run.kind == "MISC" else None


def demonym_phrase(run: Run) -> list[Span] | None:
    """Unknown nationality words: "South Korean", "Iraqi Kurds", "German-Israeli" (a hyphen
    between nationalities is no double surname)."""
    words = [w for w in run.lows if w != "-"]
    if not run.inside and words and all(w in DEMONYMS or w in GEO_PREFIXES for w in words):
        return [Span(run.i, run.j, "MISC", None)]
    return None


def opener_then_demonym(run: Run) -> list[Span] | None:
    """ "Former German | chancellor", "Retired American | general": a sentence's first word
    before nationality words is no part of a name; the nationality is."""
    if not run.doc.initial[run.i] or run.matched[run.i] >= 0 or run.j - run.i < 2:
        return None
    first, rest = run.lows[0], run.lows[1:]
    if first in DEMONYMS or first in GEO_PREFIXES or not all(w in DEMONYMS for w in rest):
        return None
    if rest[0] in GEO_PREFIXES:
        return None  # "Middle Eastern", "Far Eastern": one word with the opener
    word = run.words[0]
    common = first in run.doc.lower or not unknown_word(word)
    if not common or word in run.gaz.first_names:
        return None  # "Viorel Moldovan": a name, then a surname that is a nationality
    return [Span(run.i + 1, run.j, "MISC", None)]


def firm_of_partners(run: Run) -> list[Span] | None:
    """ "Douglas & Lomason", "Bodman, Longley & Dahling": names joined by "&" are a firm."""
    words = run.words
    amp = any(w == "&" and 0 < x < len(words) - 1 for x, w in enumerate(words))
    if amp and (not run.inside or run.uncovered):  # "Mosca & Pechino", both known: two places
        return [Span(run.i, run.j, "ORG", None)]
    return None


def given_name_first(run: Run) -> list[Span] | None:
    """A given name and more words, unless a longer known name is inside: a person."""
    inside, matches = run.inside, run.matches
    first_is_name = run.words[0] in run.gaz.first_names and run.j - run.i >= 2
    big_match = any(matches[x].j - matches[x].i >= 2 for x in inside)
    if (
        first_is_name
        and not big_match
        and (not inside or matches[inside[0]].i > run.i or run.entry(inside[0]).label != "PER")
    ):
        return [Span(run.i, run.j, _the_person(run), None)]
    return None


def _the_person(run: Run) -> str:
    """A person, or a place named for one: an article before the name ("at the Santiago
    Bernabeu", "en el Santiago Bernabéu"); in English, with no noun after it ("the Bill
    Clinton administration" is the man)."""
    lows, n = run.doc.lows, len(run.doc.lows)
    if not run.i or lows[run.i - 1] not in VENUE_ARTICLES.get(run.doc.language, ()):
        return "PER"
    nxt = lows[run.j] if run.j < n else "."
    return "LOC" if not run.doc.english or not nxt.isalpha() or nxt in STOP else "PER"


# ---- a known name at the end of unknown words ----


def _known_last_word(run: Run) -> Entry | None:
    """The entry of the one match that ends the run after one or two unknown words."""
    one = run.inside and run.joined and len(run.inside) == 1 and run.tail == 0
    return run.entry(run.inside[-1]) if one and 1 <= run.head <= 2 else None


def surname_is_city(run: Run) -> list[Span] | None:
    """ "Whitney Houston": a surname that is a city. In Italian, after a dictionary word that
    opens no person's name, one name of a thing ("Ferrovie Nord Milano"); after an acronym, a
    body ("FC Köln"), as no given name is written in capitals."""
    entry = _known_last_word(run)
    if entry is None or entry.kind != "city" or run.lows[0] in GEO_PREFIXES:
        return None
    if run.doc.italian and italian_opening(run.words[0], run.gaz.first_names):
        return [Span(run.i, run.j, "MISC", None)]  # "Ferrovie Nord Milano": named by what it is
    first = run.words[0]
    if (len(first) > 1 and first.isupper()) or (
        run.doc.italian and _title_case_acronym(first, run.gaz.first_names)
    ):
        return [Span(run.i, run.j, "ORG", None)]  # "FC Köln", "Asl Napoli", "Atm Milano"
    last = run.matches[run.inside[-1]]
    return [Span(run.i, run.j, "PER", None)] if last.j - last.i == 1 else None


ITALIAN_VOWELS = "aeiouàèéìòù"


def _title_case_acronym(word: str, given_names: frozenset[str]) -> bool:
    """Italian writes acronyms of bodies in title case ("Asl", "Atm", "Inps"): a word of three
    or four letters that is no given name and no Italian word, and ends in a consonant, as an
    Italian given name does not ("Lele Mora")."""
    return (
        3 <= len(word) <= 4
        and word.isalpha()
        and word[-1].lower() not in ITALIAN_VOWELS
        and word not in given_names
        and not italian_word(word)
    )


def another_place(run: Run) -> list[Span] | None:
    """ "West Jersey", "West Germany": a compass word makes another place."""
    entry = _known_last_word(run)
    if entry and run.head == 1 and run.lows[0] in GEO_PREFIXES and entry.label == "LOC":
        return [Span(run.i, run.j, "LOC", None)]
    return None


def named_after_country(run: Run) -> list[Span] | None:
    """ "Air France", "Radio Free Europe": an organisation named after its country."""
    entry = _known_last_word(run)
    if entry and entry.kind == "country" and run.words[0] not in run.gaz.first_names:
        return [Span(run.i, run.j, "ORG", None)]
    return None


def longer_name(run: Run) -> list[Span] | None:
    """A known name run on into unknown capitalised words is a longer name of its own: "Perth
    Glory", "North Melbourne", "Toronto Blue Jays", "Los Angeles Dodgers". A linked name is not
    swallowed by one word ("Pechino Grande supporto", a lost full stop)."""
    if not run.inside or not run.joined:
        return None
    last = run.matches[run.inside[-1]]
    lows, tail = run.lows, run.tail
    team = tail == 1 and lows[-1].endswith("s") and len(lows[-1]) > 3
    linked = any(run.entry(x).qid for x in run.inside)
    if not linked or (run.head == 0 and (tail >= 2 or team)):
        label = "ORG" if last.j < run.j else run.gaz.entries[last.entry].label
        return [Span(run.i, run.j, label, None)]
    return None


def place_and_direction(run: Run) -> list[Span] | None:
    """A place and a compass word: "Ossezia del Sud", "Germania Est" is another place."""
    inside, uncovered = run.inside, run.uncovered
    direction = uncovered and all(run.tokens[k][0].lower() in GEO_PREFIXES for k in uncovered)
    if direction and len(inside) == 1 and run.entry(inside[0]).label == "LOC":
        return [Span(run.i, run.j, "LOC", None)]
    return None


def person_goes_on(run: Run) -> list[Span] | None:
    """A known person's full name and one more unknown name-word ("Abdul Hamid Dbeibah",
    "Donald Trump Jr"): another person, whose name the known one only begins. PER, no id: the
    known person's would be a wrong link."""
    if len(run.inside) != 1 or run.head != 0 or run.tail != 1 or not run.joined:
        return None
    m = run.matches[run.inside[0]]
    word = run.words[-1]
    if run.entry(run.inside[0]).label != "PER" or m.j - m.i < 2 or not word.isalpha():
        return None
    if word.lower() in run.doc.lower or not unknown_word(word) or italian_word(word):
        return None
    return [Span(run.i, run.j, "PER", None)]


def known_and_unknown(run: Run) -> list[Span] | None:
    """Known names keep their entries; the stretches of unknown words between them are names
    of their own, labelled from their context."""
    if not run.inside:
        return None
    out = [run.known(x) for x in run.inside]
    for k, e in _unknown_stretches(run):
        out.append(Span(k, e, guess(Stretch(k, e, run.doc)), None))
    return sorted(out)


def _unknown_stretches(run: Run) -> list[tuple[int, int]]:
    """[k, e) ranges of unmatched tokens, without connectors at either end."""
    matched, tokens, j = run.matched, run.tokens, run.j
    out = []
    k = run.i
    while k < j:
        if matched[k] >= 0 or tokens[k][0].lower() in CONNECTORS:
            k += 1
            continue
        e = k
        while e < j and matched[e] < 0:
            e += 1
        while e > k and tokens[e - 1][0].lower() in CONNECTORS:
            e -= 1
        out.append((k, e))
        k = e
    return out


# The order is the evidence's weight: the first rule that answers labels the run.
RULES: tuple[Rule, ...] = (
    nationality_then_name,
    portfolio_then_person,
    office_then_holder,
    person_then_workplace,
    hyphen_chain,
    route,
    short_shouted_word,
    common_word_opening,
    org_word_closes_known_names,
    part_of_country,
    place_named_person,
    branch_in_country,
    kind_after_place,
    known_names,
    kind_word_org_or_place,
    organisation_of,
    kind_word_misc,
    demonym_phrase,
    opener_then_demonym,
    firm_of_partners,
    given_name_first,
    surname_is_city,
    another_place,
    named_after_country,
    longer_name,
    place_and_direction,
    person_goes_on,
    known_and_unknown,
)
