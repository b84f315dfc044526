"""Word lists the entity rules consult, read once from data/*.tsv: one file per language newsbeam
reads first (it, en, fr, de, es), Portuguese's and Swedish's few, one for Russian (a capital
there makes a name; the file says which kind) and language-neutral tokens; each list is the
union over them.

Written by hand from general knowledge of news writing; compared lower-cased unless noted.
"""

from __future__ import annotations

import gzip
from importlib import resources

LANGUAGES = ("it", "en", "fr", "de", "es", "pt", "sv", "ru", "any")
_DATA = resources.files("transforms.entities") / "data"


class WordLists(dict[str, frozenset[str]]):
    """List name -> words. Remembers which lists code asked for, so a test can find a list no
    rule reads (a misspelt name in a data file would otherwise be ignored)."""

    def __init__(self, lists: dict[str, frozenset[str]]):
        super().__init__(lists)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> frozenset[str]:
        self.read.add(name)
        return super().__getitem__(name)

    def unread(self) -> set[str]:
        return set(self) - self.read


def read_lists(*files: str) -> WordLists:
    """List name -> its words over the data files named: one `list<TAB>word` per line, `#` lines
    and blank lines skipped. Tiny files, read once at import."""
    lists: dict[str, set[str]] = {}
    for name in files:
        for line in (_DATA / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                key, word = line.split("\t")
                lists.setdefault(key, set()).add(word)
    return WordLists({key: frozenset(words) for key, words in lists.items()})


def write_gz(path, text: str) -> None:
    """Write a built data file gzipped with mtime 0, so that a rebuild gives the same bytes (the
    builds' reproduction checks compare them)."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(text.encode("utf-8"))


def write_word_list(out: str | None, name: str, header: str, lines: list[str]) -> tuple[str, int]:
    """The words of lines written wholly in lower-case letters (a list's capitalised entries are
    names), sorted, once each, under header, gzipped to out or to the bundled data/<name>.
    Returns where, and how many words."""
    kept = sorted({w for w in (line.strip() for line in lines) if w.isalpha() and w.islower()})
    path = out or str(_DATA / name)
    write_gz(path, header + "".join(w + "\n" for w in kept))
    return path, len(kept)


def read_language_lists(stem: str) -> WordLists:
    """The lists of data/<stem>_<language>.tsv, each the union over the languages that have one."""
    files = [f"{stem}_{lang}.tsv" for lang in LANGUAGES if (_DATA / f"{stem}_{lang}.tsv").is_file()]
    if not files:
        raise FileNotFoundError(f"no data/{stem}_<language>.tsv in transforms.entities")
    return read_lists(*files)


LISTS = read_language_lists("words")


# Capitalised words that start sentences or headings but are not names (compared lower-cased).
STOP = LISTS["stop"]
TITLES = LISTS["titles"]
ROLE_CUES = TITLES | LISTS["role_cues"]
# What a German compound role ends in: "ministerpräsident", "bundesinnenminister".
ROLE_TAILS = tuple(sorted(LISTS["role_tails"]))
COMPOUND_HEAD = 3  # letters a German compound (a role, a body) has before its tail


def compound_of(low: str, tails: tuple[str, ...]) -> bool:
    """A lower-cased German compound that ends in one of tails after COMPOUND_HEAD letters of
    its own: "regierungssprecher" (sprecher), "gewerkschaftsbund" (bund)."""
    return low.endswith(tails) and any(
        low.endswith(t) and len(low) - len(t) >= COMPOUND_HEAD for t in tails
    )


def role_word(low: str, last: bool) -> bool:
    """A lower-cased word names the person after it: a role ("il portavoce", "Herrn"), or, right
    before the name (last), a German compound that ends in one ("Regierungssprecher X")."""
    return low in ROLE_CUES or (last and compound_of(low, ROLE_TAILS))


PORTFOLIO_LINKS, OFFICE_ADJECTIVES = LISTS["portfolio_links"], LISTS["office_adjectives"]
NICKNAME_CUES, NICKNAME_ARTICLES = LISTS["nickname_cues"], LISTS["nickname_articles"]
# Offices held "of" something, before the holder's name: "il ministro dell'Interno X", "il
# presidente dell'Egitto Hosni Mubarak", "il patriarca di Mosca Cirillo I".
OFFICES = TITLES | LISTS["offices"]
# Abbreviations that end a name with their full stop: "Norwest Corp.", "Martin Luther King Jr."
DOTTED_ENDS = LISTS["dotted_ends"]
# Stop words that open a name when capitalised inside a sentence before another capital:
# "First Union", "Old Trafford".
NAME_OPENING_STOPS = LISTS["name_opening_stops"]
FOREIGN_NAME_ARTICLES = LISTS["foreign_name_articles"]
# What a minister is minister of: not a name, even capitalised ("il ministro del Lavoro").
PORTFOLIOS = LISTS["portfolios"]
# What only a person has or undergoes, before "di"/"of" + a lone unknown name: "i figli di
# Gheddafi", "la presidenza di Mubarak", "i sostenitori di Gbagbo", "the arrest of Kabila".
PERSON_OF = LISTS["person_of"]
PERSON_OF_LINKS = LISTS["person_of_links"]
# What a person is of an organisation, or what an organisation has: "l'amministratore delegato
# di Trenord", "an analyst at Global Equities Research", "la sede di Trenord".
ORG_ROLES = LISTS["org_roles"]
# Italian names a government by its leader, English puts the leader first: "il governo
# Berlusconi", "l'amministrazione Bush", "the Bush administration".
GOVERNMENT_BY_LEADER = LISTS["government_by_leader"]
LEADER_GOVERNMENT = LISTS["leader_government"]
SPEECH = LISTS["speech"]
# Pronouns that open a sentence before a verb of speech ("Han säger", "Ele disse"): no names.
# (Not in STOP, which also keeps cities out of the gazetteer build: "Han" is a Chinese name.)
PRONOUNS = LISTS["pronouns"]
# Verbs of speech that say a person follows ("— сказал Гилбо", "sagte Guilbeault"; not English:
# "told" would take "told Reuters" for a person).
SPEECH_BEFORE = LISTS["speech_before"]
SPEECH_BEFORE_QUOTED = LISTS["speech_before_quoted"]
# Endings of Russian adjectives: such a capitalised word opens a longer name ("Республиканской
# партии") rather than being a person's name alone.
RUSSIAN_ADJECTIVE_ENDINGS = tuple(sorted(LISTS["adjective_endings"], key=lambda e: (-len(e), e)))
# What follows a sentence's subject in English, besides any "-ed" past ("Aldrin has", "Winstone
# met"): the evidence that a lone unknown word is a person. Singular only: "the Maya were".
SUBJECT_VERBS = LISTS["subject_verbs"]
DETERMINERS = LISTS["determiners"]
WHO = LISTS["who"]
# Plural nouns that open a sentence before "said" ("Analysts said"): not names (a tuple for
# str.endswith).
PLURAL_ENDINGS = tuple(sorted(LISTS["plural_endings"]))
SPEECH_AFTER_HA = LISTS["speech_after_ha"]
ORG_CUES_BEFORE = LISTS["org_cues_before"]
# Sports results name clubs: "Leicestershire beat Somerset", "Lazio v Roma".
MATCH_WORDS = LISTS["match_words"]
ORG_CUES_AFTER = MATCH_WORDS | LISTS["org_cues_after"]
# Offices that are of a place: "il sindaco di Capoterra", "the mayor of Ribera".
PLACE_OFFICES = LISTS["place_offices"]
# Italian adjectives that close the name of a party, paper or body, not a person's:
# "Unità Popolare", "Potere Operaio", "Gazzetta Ufficiale", "Brigate Rosse".
NAME_ADJECTIVES = LISTS["name_adjectives"]
PLACE_PREPS = LISTS["place_preps"]


# Language -> place prepositions that hold only in text of that language: "v Rožňave" (Slovak),
# "w Warszawie", "u Zagrebu"; in English "v" is "versus".
LOCAL_PLACE_PREPS = read_lists("place_preps_local.tsv")
# Language -> articles before a thing named for a person: "at the Santiago Bernabeu".
VENUE_ARTICLES = read_lists("venue_articles_local.tsv")
ORG_LAST = LISTS["org_last"]
ORG_FIRST = LISTS["org_first"]
# French: endings of the lower-case adjectives of a body's name ("Conseil constitutionnel").
QUALIFIER_ENDINGS = tuple(sorted(LISTS["qualifier_endings"]))
# "FC", "BSC", "VfB": a club's word, anywhere in its name (read with two capitals or more).
CLUB_WORDS = LISTS["club_words"]


def club_word(word: str) -> bool:
    """ "FC Bayern", "Hertha BSC", "VfB Stuttgart" name a club; "Fc" or "as" do not."""
    return word.lower() in CLUB_WORDS and sum(c.isupper() for c in word) >= 2


# A title's word that is an adjective inside a body's name, after its kind: "Unión General de
# Trabajadores", "Direzione Generale"; before a name it stays a title ("General Petraeus").
BODY_TITLES = LISTS["body_titles"]
# "X is a Danish chain", "X, a Brazilian bicycle maker": guess.described_as_body.
BODY_COPULAS, BODY_ARTICLES = LISTS["body_copulas"], LISTS["body_articles"]
BODY_STOPS, BODY_KINDS = LISTS["body_stops"], LISTS["body_kinds"]
# "die Kommission", "das Parlament": context.german_bodies.
GERMAN_BODY_NOUNS, GERMAN_ARTICLES = LISTS["german_body_nouns"], LISTS["german_articles"]
# "Bundesagentur für Arbeit", "Bundeszentrale für politische Bildung": context.bodies_for.
PURPOSE_LINKS, PURPOSE_JOINS = LISTS["purpose_links"], LISTS["purpose_joins"]
ADJECTIVE_ENDINGS = tuple(sorted(LISTS["adjective_endings"]))
# What a German compound that names a body ends in: "gewerkschaftsbund", "provinzialverband".
ORG_TAILS = tuple(sorted(LISTS["org_tails"]))
# The same for kinds of place: "Nordsee", "Mittelmeer", "Erzgebirge".
LOC_TAILS = tuple(sorted(LISTS["loc_tails"]))
LOC_WORDS = LISTS["loc_words"]
# Words that make a place of a name they open, and only there: "Porto Santo Stefano", "Villa
# Borghese"; last, they are surnames ("Costantino Rocca", "David Villa").
LOC_FIRST = LISTS["loc_first"]
SURNAME_PLACE_WORDS = LISTS["surname_place_words"]
CAMEL_SURNAME_PREFIXES = LISTS["camel_surname_prefixes"]
# ... and last: "Acilia Sud", "Milano Nord".
LOC_LAST = LISTS["loc_last"]
# Names that are also common words opening a sentence (Italian "Nato a ..." = "born in").
COMMON_WORD_NAMES = LISTS["common_word_names"]
# ... in French text only ("Seul", Seoul in Italian, is "alone" there).
COMMON_WORD_NAMES_FR = LISTS["common_word_names_fr"]
# A station's or a newspaper's word after its city ("Berlin Hbf", "Milano Centrale"; "China
# Daily").
STATION_WORDS = LISTS["station_words"]
PAPER_WORDS = LISTS["paper_words"]
GEO_PREFIXES = LISTS["geo_prefixes"]
# French nationalities as nouns, capitalised: "le Néerlandais", "la Suissesse" (French text).
DEMONYM_NOUNS_FR = LISTS["demonym_nouns"]
MISC_WORDS = LISTS["misc_words"]
CONNECTORS = LISTS["connectors"]
# Between two glued hyphens, these join a place's name too: "Aix-les-Bains", "Stoke-on-Trent".
HYPHEN_LINKS = LISTS["hyphen_links"]
# Connectors that mean "and": followed by another connector (an article) they join no name.
CONJUNCTIONS = LISTS["conjunctions"]
# Glued to a surname by a hyphen ("al-Maliki", "bin-Salman"): part of a person's name.
NAME_PARTICLES = LISTS["name_particles"]
# Lower-case words a full name may hold ("Ursula von der Leyen"): wikidata_names.py's filter.
SURNAME_PARTICLES = LISTS["surname_particles"]
# Capitalised before a name, part of a person's surname ("De Mistura"), some not where a sentence
# opens; and articles that open a name mid-sentence ("La Costa", "Le Matin").
SURNAME_HEADS = LISTS["surname_heads"]
SURNAME_HEADS_NOT_INITIAL = LISTS["surname_heads_not_initial"]
NAME_ARTICLES = LISTS["name_articles"]
ENGLISH_HINTS = LISTS["english_hints"]
ROMANCE_HINTS = LISTS["romance_hints"]
ITALIAN_HINTS = LISTS["italian_hints"]
DECADES, DECADE_BEFORE = LISTS["decades"], LISTS["decade_before"]
MONTH_ABBREVIATIONS = LISTS["month_abbreviations"]
CENTURIES, CENTURY_BEFORE = LISTS["centuries"], LISTS["century_before"]
DEMONYM_ENDINGS = tuple(sorted(LISTS["demonym_endings"]))
WEAK_DEMONYM_ENDINGS = tuple(sorted(LISTS["weak_demonym_endings"]))
# Marks after which a capital opens a sentence, a quote or a list item.
QUOTES_OPEN = LISTS["quotes_open"]

# English nationality and group words, capitalised in English text: MISC, never a person.
DEMONYMS = LISTS["demonyms"] | {w + "s" for w in LISTS["demonyms"]}

# Labels for a capitalised name with no evidence at all: a lone word could be anything (a
# demonym, a club, a surname) and is MISC, type unknown; two or more words are most often a person.
DEFAULT_SINGLE = "MISC"
DEFAULT_MULTI = "PER"

# Italian adjectives of place or level ("tedesca", "comunale"): stems before the ending.
ADJ_STEMS = LISTS["adj_stems"]


def place_adjective_stem(word: str) -> str | None:
    """The stem of an Italian adjective of place or level ("tedesca" -> "tedesc", "comunale" ->
    "comunal"), or None."""
    for cut in (1, 2):
        if word[:-cut] in ADJ_STEMS and word[-cut:] in ("o", "a", "i", "e", "hi", "he"):
            return word[:-cut]
    return None


def adjective_of_place(word: str) -> bool:
    """An Italian adjective of place or level after an institution ("tedesca", "comunale")."""
    return place_adjective_stem(word) is not None


# Italian words between an organisation noun and its name: "l'agenzia di stampa giapponese Jiji",
# "la compagnia ferroviaria spagnola Renfe" (with adjective_of_place).
ORG_NOUN_MODIFIERS = LISTS["org_noun_modifiers"]
# Kinds of organisation that open its name: "il movimento Black Lives Matter", "l'associazione
# "Umana Solidarietà"".
ORG_NOUNS = LISTS["org_nouns"]
# Kinds of place before a place's name, not part of it: "tra i comuni di Venarotta e Gimignano",
# "la stazione di Garbagnate", "in località Raica", "the village of Khazna".
PLACE_KIND_NOUNS = LISTS["place_kind_nouns"]
PLACE_KIND_LINKS = LISTS["place_kind_links"]
# Italian "of" and its article forms, linking a head noun to the name after it ("golfo del
# Messico", "ministero della Giustizia").
ITALIAN_LINKS = LISTS["italian_links"]
# What an office or role is of: "il sindaco di", "the mayor of".
OF_LINKS = LISTS["of_links"]
# Between a role and its organisation: "of", and "at" or "for" ("an analyst at X").
ORG_ROLE_LINKS = OF_LINKS | LISTS["org_role_links"]
# "Of" in French, Spanish and Portuguese ("le ministre de l'Intérieur", "el ministro de
# Economía"): an of-link in text of ROMANCE_OF_LANGUAGES only, since "de" also opens surnames
# ("il sindaco de Magistris"); and the articles that may follow it.
ROMANCE_OF_LINKS = LISTS["romance_of_links"]
ROMANCE_ARTICLES = LISTS["romance_articles"]
ROMANCE_OF_LANGUAGES = frozenset({"fr", "es", "pt", "ca"})
# Glued words that make an adjective of a name, not a longer name: "Putin-led", "Trump-era".
NOT_NAME_TAILS = LISTS["not_name_tails"]
# Hyphenated names that start so are places: "Saint-Alban", "San-Pedro".
HYPHEN_PLACE_PREFIXES = LISTS["hyphen_place_prefixes"]
QUOTES = LISTS["quotes"]
# Between a person's name and the organisation they work for: "Raffaele Cioni dell'Istituto ...".
PERSON_ORG_LINKS = LISTS["person_org_links"]
# Italian/French/Catalan elided articles and prepositions: "l'Ucraina" is "l'" + "Ucraina".
ELISIONS = LISTS["elisions"]


# Russian case endings (data/endings_ru.tsv), longest first: tokens.py strips one from a Cyrillic
# word before matching names.
CYRILLIC_ENDINGS = tuple(sorted(read_lists("endings_ru.tsv")["case"], key=lambda e: (-len(e), e)))
# Han, kana and Hangul words that turn a place's name before them into another word
# (data/cjk_words.tsv): "美國人" is an American, not the United States.
CJK_DERIVED = read_lists("cjk_words.tsv")["derived"]
