"""Topic scoring: the pure core per language, lexicon matching, entities, custom topic files, Beam."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import SEEDS, make_article
from transforms.core.records import Article, Entity
from transforms.topics.keywords import LANGUAGES, Matcher, Term, normalise, term_key
from transforms.topics.lexicon import (
    load_iptc_topics,
    load_keyword_lexicon,
    load_lexicon,
    read_bundled,
)
from transforms.topics.score import (
    ScoreTopics,
    TopicFileError,
    explain_topics,
    load_custom_topics,
    score_topics,
)

POLITICS, CONFLICT, ECONOMY, SPORT = (
    "medtop:11000000",
    "medtop:16000000",
    "medtop:04000000",
    "medtop:15000000",
)
HEALTH, SCIENCE, CRIME, ENVIRONMENT = (
    "medtop:07000000",
    "medtop:13000000",
    "medtop:02000000",
    "medtop:06000000",
)


def best(text: str, lang: str, lexicon, title: str | None = None, entities=()) -> str:
    return score_topics(text, title, lang, entities, lexicon)[0].code


CASES = [
    (
        "it",
        "Il governo e il presidente del Consiglio preparano le elezioni in Parlamento.",
        POLITICS,
    ),
    ("it", "La Juventus ha vinto la partita di campionato con due gol nel secondo tempo.", SPORT),
    (
        "it",
        "La Borsa di Milano chiude in rialzo, lo spread scende e l'inflazione rallenta.",
        ECONOMY,
    ),
    (
        "it",
        "Missili e bombardamenti: l'esercito russo avanza, la guerra in Ucraina continua.",
        CONFLICT,
    ),
    ("it", "I medici dell'ospedale curano i pazienti colpiti dal virus dell'influenza.", HEALTH),
    ("it", "Gli scienziati hanno scoperto un nuovo pianeta con il telescopio spaziale.", SCIENCE),
    ("it", "La polizia ha arrestato il rapinatore; il processo in tribunale inizia lunedì.", CRIME),
    (
        "it",
        "Emissioni di gas serra e inquinamento: il cambiamento climatico minaccia le specie.",
        ENVIRONMENT,
    ),
    (
        "en",
        "The prime minister called an early election after parliament rejected the bill.",
        POLITICS,
    ),
    (
        "en",
        "Striker scores twice as the club wins the league title in front of 60,000 fans.",
        SPORT,
    ),
    (
        "en",
        "Shares fell on Wall Street as investors worried about inflation and interest rates.",
        ECONOMY,
    ),
    (
        "en",
        "Troops and tanks crossed the border; air strikes hit the city as the war escalated.",
        CONFLICT,
    ),
    ("en", "Doctors say the new vaccine cut hospital admissions for the disease by half.", HEALTH),
    ("en", "Microsoft released a software update for Windows to patch a security flaw.", SCIENCE),
    (
        "fr",
        "Le Premier ministre a annoncé des élections anticipées après le vote du Parlement.",
        POLITICS,
    ),
    ("fr", "L'équipe a remporté le championnat grâce à un but de son attaquant.", SPORT),
    ("fr", "La Bourse de Paris recule, l'inflation pèse sur les investisseurs.", ECONOMY),
    (
        "fr",
        "Les soldats et les chars de l'armée ont lancé une offensive; la guerre s'intensifie.",
        CONFLICT,
    ),
    (
        "de",
        "Die Bundesregierung und der Bundestag streiten über die Wahlen und den Kanzler.",
        POLITICS,
    ),
    ("de", "Der Verein gewann das Bundesliga-Spiel mit zwei Toren des Stürmers.", SPORT),
    ("de", "Die Börse schloss im Minus, Anleger fürchten Inflation und steigende Zinsen.", ECONOMY),
    ("de", "Ärzte im Krankenhaus behandeln Patienten mit der neuen Krankheit.", HEALTH),
    (
        "es",
        "El presidente del Gobierno convocó elecciones tras la votación en el Congreso.",
        POLITICS,
    ),
    ("es", "El equipo ganó el partido de liga con dos goles del delantero.", SPORT),
    ("es", "La bolsa cayó y la inflación preocupa a los inversores y al banco central.", ECONOMY),
    (
        "es",
        "Los científicos descubrieron una nueva especie de bacteria en el laboratorio.",
        SCIENCE,
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_best_topic_per_language(lexicon, lang, text, expected):
    assert best(text, lang, lexicon) == expected


@pytest.mark.parametrize("lang", [*LANGUAGES, "und", "pt"])
def test_output_shape(lexicon, lang):
    topics = score_topics(CASES[0][1], "Elezioni", lang, (), lexicon)
    top_level = [t for t in topics if t.code.endswith("000000")]
    assert len(top_level) == 17
    assert all(0.0 <= t.score <= 1.0 for t in topics)
    assert [t.score for t in topics] == sorted((t.score for t in topics), reverse=True)
    assert topics[0].code.endswith("000000")  # a parent always outranks its children
    assert len({t.code for t in topics}) == len(topics)


def test_level_two_codes_have_lexicon_entries_under_required_parents(lexicon):
    topics = load_iptc_topics()
    required = [POLITICS, ECONOMY, CONFLICT, CRIME, SCIENCE, ENVIRONMENT, HEALTH, SPORT]
    for lang in LANGUAGES:
        keys = load_lexicon_codes(lang, topics)
        for parent in required:
            children = {c for c in keys if topics[c].parent == parent}
            assert len(children) >= 3, (lang, parent, children)


def load_lexicon_codes(lang, topics):
    source, text = read_bundled(f"lexicon_{lang}.tsv")
    return {term.code for _, term in load_keyword_lexicon(source, text, topics)}


def test_level_two_topics_listed_with_labels(lexicon):
    topics = score_topics("The election campaign and the vote count.", None, "en", (), lexicon)
    election = [t for t in topics if t.code == "medtop:20000574"]
    assert election and election[0].label == "election"
    politics = next(t for t in topics if t.code == POLITICS)
    assert politics.score >= election[0].score


def test_no_evidence_gives_all_zero(lexicon):
    topics = score_topics("zzz qqq", None, "en", (), lexicon)
    assert len(topics) == 17 and all(t.score == 0.0 for t in topics)
    assert score_topics("", None, "it", (), lexicon)[0].score == 0.0


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("elezion*", "Le elezioni regionali", True),  # stem catches inflections
        ("elezion*", "preelezioni", False),  # a stem needs a word start
        ("vote", "they voted", False),  # a plain word needs both boundaries
        ("vote", "a vote, then", True),
        ("*wahl*", "die Bundestagswahlen", True),  # German compound, anywhere
        ("*krieg", "der Bürgerkrieg", True),  # German compound, word ending
        ("*krieg", "die Kriegsgefahr", False),
        ("sécurité", "SECURITE sociale", True),  # accents and case fold
        ("prime minister", "the Prime-Minister said", True),
        ("l'economia", "l’economia", True),  # typographic apostrophe
    ],
)
def test_term_matching(term, text, hit):
    matcher = Matcher([(term_key(term), Term("medtop:11000000", 1.0, term))])
    assert bool(matcher.find(normalise(text))) is hit


def test_longest_match_hides_the_shorter_one(lexicon):
    _, evidence = explain_topics("Settlers in the West Bank.", None, "en", (), lexicon)
    words = {w for e in evidence for w in e.terms}
    assert "west bank" in words and "bank" not in words


def test_normalise_keeps_offsets():
    text = "Città, Ärzte — “quoted” Š"
    assert len(normalise(text)) == len(text) + 2


def test_normalise_makes_every_non_word_character_one_space():
    text = "Crisi\tdi governo—il «Premièr»\u00a0a Roma: 3,5%!"
    assert normalise(text) == " crisi di governo il  premier  a roma  3 5   "


def test_explain_lists_matched_words(lexicon):
    topics, evidence = explain_topics(
        "Il ministro degli Esteri ha incontrato l'ambasciatore.", "Vertice", "it", (), lexicon
    )
    assert topics[0].code == POLITICS
    first = evidence[0]
    assert first.code == POLITICS
    assert {"ministro degli esteri", "ambasciatore", "vertice"} <= set(first.terms)
    assert topics == score_topics(
        "Il ministro degli Esteri ha incontrato l'ambasciatore.", "Vertice", "it", (), lexicon
    )


def test_linked_entities_count_as_evidence(lexicon):
    text = "Both bodies met on Monday."
    entities = [Entity("Both", "ORG", "Q35572", 0, 4), Entity("bodies", "ORG", "Q253414", 5, 11)]
    assert score_topics(text, None, "en", (), lexicon)[0].score == 0.0
    topics, evidence = explain_topics(text, None, "en", entities, lexicon)
    assert topics[0].code == SPORT
    assert "entity:Q35572" in evidence[0].terms


def test_people_next_to_role_words_strengthen_the_topic(lexicon):
    text = "Sales rose. The minister Anna Rossi and the minister Paolo Bianchi spoke. Sales fell."
    people = [
        Entity("Anna Rossi", "PER", None, text.index("Anna"), text.index("Anna") + 10),
        Entity("Paolo Bianchi", "PER", None, text.index("Paolo"), text.index("Paolo") + 13),
    ]
    plain = {t.code: t.score for t in score_topics(text, None, "en", (), lexicon)}
    with_people = {t.code: t.score for t in score_topics(text, None, "en", people, lexicon)}
    assert with_people[POLITICS] > plain[POLITICS]
    bad_offsets = [Entity("X", "PER", None, 500, 510)]
    assert score_topics(text, None, "en", bad_offsets, lexicon)[0].code  # ignored, no crash


def test_seeds_are_politics_or_conflict(lexicon):
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        for lang in ("it", "und"):
            assert best(text, lang, lexicon) in (POLITICS, CONFLICT), (path.name, lang)


# --- custom topic files ---------------------------------------------------------------------------

GOOD = """\
# our topics
[[topic]]
name = "Russia–China relations"
id = "russia-china"
weight = 2.0
wikidata = ["Q148", "Q159"]
keywords.it = ["russia-cina", "sino-russ*", "Pechino e Mosca"]
keywords.en = ["sino-russian*"]

[[topic]]
name = "Energy prices"
keywords.any = ["bollett*", "energy price*", "gas price*"]
"""


def write(tmp_path, text: str) -> str:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_custom_topics_load_and_score(tmp_path):
    path = write(tmp_path, GOOD)
    topics = load_custom_topics(path)
    assert [t.code for t in topics] == ["custom:russia-china", "custom:energy-prices"]
    lexicon = load_lexicon(path)
    text = "Accordo sino-russo: Pechino e Mosca firmano. Le bollette salgono."
    entities = [Entity("Russia", "LOC", "Q159", 0, 1)]
    scored, evidence = explain_topics(text, None, "it", entities, lexicon)
    by_code = {t.code: t for t in scored}
    assert by_code["custom:russia-china"].label == "Russia–China relations"
    assert 0 < by_code["custom:energy-prices"].score <= 1
    assert scored[0].code == "custom:russia-china"
    russia = next(e for e in evidence if e.code == "custom:russia-china")
    assert "entity:Q159" in russia.terms and "pechino e mosca" in russia.terms
    # Scores stay in [0, 1] without the entity evidence too (the custom topic was 1.6).
    alone = score_topics(text, None, "it", (), lexicon)
    assert alone[0].code == "custom:russia-china" and all(0 <= t.score <= 1 for t in alone)
    # A topic without evidence is not listed.
    assert not any(t.code.startswith("custom:") for t in score_topics("x", None, "it", (), lexicon))


BAD = [
    ('[[topic]]\nname = "A"\nkeywords.en = ["x"\n', 3, "invalid TOML"),
    ('[[topic]]\nweight = 1\nkeywords.en = ["abc"]\n', 1, "non-empty name"),
    ('[[topic]]\nname = "A"\nweight = -1\nkeywords.en = ["abc"]\n', 3, "weight must be in"),
    ('[[topic]]\nname = "A"\nweight = "high"\nkeywords.en = ["abc"]\n', 3, "must be a number"),
    ('[[topic]]\nname = "A"\n\nkeywords.pt = ["abc"]\n', 4, "unknown language 'pt'"),
    ('[[topic]]\nname = "A"\nkeywords.en = ["ok", "ab*"]\n', 3, "stem shorter"),
    ('[[topic]]\nname = "A"\nkeywords.en = ["a*b"]\n', 3, "'*' only at the start"),
    ('[[topic]]\nname = "A"\nkeywords.en = "abc"\n', 3, "must be a list of strings"),
    ('[[topic]]\nname = "A"\nwikidata = ["148"]\n', 3, "wikidata must be a list"),
    ('[[topic]]\nname = "A"\ncolour = "red"\nkeywords.en = ["abc"]\n', 3, "unknown key 'colour'"),
    ('[[topic]]\nname = "A"\n', 1, "neither keywords nor wikidata"),
    (
        '[[topic]]\nname = "A"\nkeywords.en = ["abc"]\n[[topic]]\nname = "A"\nkeywords.en = ["d"]\n',
        4,
        "repeats line 1",
    ),
    ('title = "x"\n', 1, "unknown key 'title'"),
    ("", 1, "no [[topic]] tables"),
    ('[[topic]]\nname = "A"\nid = "Not OK"\nkeywords.en = ["abc"]\n', 3, "id must be"),
]


@pytest.mark.parametrize(("text", "line", "problem"), BAD)
def test_bad_topic_files_name_the_line(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(TopicFileError) as info:
        load_custom_topics(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert problem in message


def test_missing_topic_file(tmp_path):
    with pytest.raises(TopicFileError, match="cannot read"):
        load_custom_topics(str(tmp_path / "nope.toml"))


def test_bad_lexicon_rows_name_the_line():
    topics = load_iptc_topics()
    with pytest.raises(TopicFileError, match=r"^lex.tsv:3: unknown topic code"):
        load_keyword_lexicon("lex.tsv", "# c\nmedtop:11000000\t1\tvote\nmedtop:999\t1\tx\n", topics)
    with pytest.raises(TopicFileError, match=r"^lex.tsv:1: weight is not a number"):
        load_keyword_lexicon("lex.tsv", "medtop:11000000\theavy\tvote\n", topics)
    with pytest.raises(TopicFileError, match=r"^lex.tsv:1: expected 3"):
        load_keyword_lexicon("lex.tsv", "medtop:11000000\tvote\n", topics)


# --- Beam shell -----------------------------------------------------------------------------------


def article(article_id: str, text, language: str = "it", title: str | None = None) -> Article:
    return make_article(
        text,
        article_id=article_id,
        source_uri=f"mem://{article_id}",
        title=title,
        language=language,
        content_hash="",
    )


def test_score_topics_pipeline(tmp_path):
    path = write(tmp_path, GOOD)
    good = article("a", "Il governo ha vinto il voto di fiducia in Parlamento.")
    sport = article("b", "The club won the match with a late goal.", "en", "Football")
    broken = article("c", None)  # text is required: this one must become a dead letter
    with TestPipeline() as p:
        out = p | beam.Create([good, sport, broken]) | ScoreTopics(path, explain=True)
        best = out["articles"] | beam.Map(lambda a: (a.article_id, a.topics[0].code))
        assert_that(best, equal_to([("a", POLITICS), ("b", SPORT)]), label="Best")
        failed = out["failures"] | beam.Map(lambda f: (f.stage, f.source_uri))
        assert_that(failed, equal_to([("topics", "mem://c")]), label="Failures")
        explained = out["articles"] | "Evidence" >> beam.Map(
            lambda a: (a.article_id, a.topic_evidence[0].code)
        )
        assert_that(explained, equal_to([("a", POLITICS), ("b", SPORT)]), label="Evidence")


def test_score_topics_pipeline_without_explain():
    with TestPipeline() as p:
        out = p | beam.Create([article("a", "Elezioni e governo.")]) | ScoreTopics()
        assert_that(out["articles"] | beam.Map(lambda a: len(a.topics) >= 17), equal_to([True]))
        unexplained = out["articles"] | "Evidence" >> beam.Map(lambda a: a.topic_evidence)
        assert_that(unexplained, equal_to([None]), label="NoEvidence")
