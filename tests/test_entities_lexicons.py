"""What the rules know of common words: German capitalises every noun, so a known noun is taken
for a lower-case word (nouns.py); English capitalises every sentence's first word, so a word no
English dictionary has may open a sentence as a name (lexicon.py); Polish or Croatian decline
names, so "Warszawie" is tried as "Warszawa" (inflection.py)."""

from __future__ import annotations

from importlib import resources

import pytest

from transforms.entities.doc import Doc
from transforms.entities.inflection import endings_for, inflected_matches, nominatives
from transforms.entities.lexicon import english_words, italian_word, italian_words, unknown_word
from transforms.entities.nouns import Nouns, nouns_for
from transforms.entities.tag import load_word_data, tag_entities, tag_with
from transforms.entities.tokens import tokenize


def _found(text, gaz, language="de"):
    return [(e.text, e.label) for e in tag_entities(text, gaz, language)]


def test_a_noun_is_known_by_itself_or_by_the_noun_it_ends_in():
    nouns = Nouns(frozenset({"Gewebe", "Regierung", "Wagen"}), frozenset({"Volkswagen"}))
    assert "Regierung" in nouns
    assert "Körpergewebe" in nouns  # a compound: "Gewebe" after "Körper"
    assert "Volkswagen" not in nouns  # ends in "Wagen" but is known as a name
    assert "Abwagen" not in nouns  # a tail of 5 letters needs a head of 3 before it
    # a genitive -s or a plural -n on a known noun of four letters or more ("des Gewebes", "den
    # Geweben"); such a word is a noun but not as the list writes it, so a gazetteer match on it
    # stays ("Ganges")
    assert "Gewebes" in nouns and "Geweben" in nouns
    # not the endings adjectives take too: "die Grauen Zwerghamster" is no "Grau"
    assert "Grauen" not in Nouns(frozenset({"Grau"}))
    assert not nouns.plain("Gewebes") and nouns.plain("Körpergewebe")
    assert "Wagens" not in Nouns(frozenset({"Wagen"}), frozenset({"Wagens"}))  # a known name
    assert "Baden" not in Nouns(frozenset({"Bad"}))  # a stem of three letters is too short
    assert "Berlin" not in nouns
    assert None not in nouns
    # the feminine of a noun of agent in -er, singular and plural
    agents = Nouns(frozenset({"Politiker", "Sprecher", "Put"}))
    assert "Politikerin" in agents and "Sprecherinnen" in agents
    assert "Putin" not in agents


def test_the_bundled_nouns_are_german_only():
    german = nouns_for("de")
    assert german is not None
    for noun in ("Regierung", "Industrie", "Regeln", "Entwurf", "Woche"):
        assert noun in german
    for name in ("Berlin", "Deutschland", "Merkel", "Bundestag", "Union"):
        assert name not in german
    assert nouns_for("it") is None
    assert nouns_for("en") is None


def test_a_declined_noun_is_no_name_but_a_declined_place_stays_one(gaz):
    assert _found("Die Sitzung des Kabinetts dauerte lange.", gaz) == []
    assert ("Ganges", "LOC") in _found("Die Pilger baden im Ganges bei Varanasi.", gaz)


def test_a_feminine_noun_glued_to_a_party_is_no_name(gaz):
    text = "Die Grünen-Politikerin Annalena Baerbock sprach."
    assert _found(text, gaz) == [("Die Grünen", "ORG"), ("Annalena Baerbock", "PER")]


def test_german_nouns_are_not_names(gaz):
    text = "Die Regierung hat am Ende der Woche in Berlin über die Regeln der Industrie beraten."
    assert _found(text, gaz) == [("Berlin", "LOC")]
    # Without the language the capitals read as names (the failure issue 20 reported).
    assert len(_found(text, gaz, "und")) > 1


def test_a_noun_after_a_given_name_is_a_surname_throughout_the_text(gaz):
    text = "Der Maler Gerhard Richter stellte in Köln aus. Richter ist 94 Jahre alt."
    assert "Richter" in nouns_for("de")  # a judge, in German
    found = _found(text, gaz)
    assert ("Gerhard Richter", "PER") in found
    assert ("Richter", "PER") in found


def test_a_one_word_match_on_a_noun_is_dropped_but_longer_names_stay(gaz):
    def matched(nouns):
        doc = Doc("Am Ende sprach die Deutsche Bank.", gaz, nouns)
        return [" ".join(t[0] for t in doc.tokens[m.i : m.j]) for m in doc.matches]

    assert matched(None) == ["Ende", "Deutsche Bank"]  # Ende: a town in Indonesia
    assert matched(nouns_for("de")) == ["Deutsche Bank"]
    assert ("Deutsche Bank", "ORG") in _found("Am Ende sprach die Deutsche Bank.", gaz)


def test_the_rules_backend_passes_the_language(gaz):
    text = "Laut dem Entwurf des Ministeriums soll die Bundesbank die Regeln prüfen."
    assert tag_with("rules", text, gaz, None, "de") == tag_entities(text, gaz, "de")
    assert ("Bundesbank", "ORG") in _found(text, gaz)
    assert not {"Entwurf", "Regeln"} & {e for e, _ in _found(text, gaz)}


def test_english_words_are_lower_case_dictionary_words():
    words = english_words()
    assert {"enrolled", "academy", "married", "yesterday"} <= words
    assert not {"clinton", "winstone", "aldrin"} & words  # the list's names are capitalised
    assert unknown_word("Winstone")
    assert not unknown_word("Yesterday")
    assert not unknown_word("NASA")  # acronyms are the acronym rules' business
    assert not unknown_word("B-52")


def test_italian_words_are_lower_case_dictionary_words():
    words = italian_words()
    assert {"forze", "armate", "nuovo", "mondo", "governi"} <= words
    assert not {w for w in words if not (w.isalpha() and w.islower())}
    assert italian_word("Ospedali") and not italian_word("Zorbakis") and not italian_word("B-52")
    licence = resources.files("transforms.entities") / "data" / "italian_words.LICENSE"
    assert "MIT" in licence.read_text(encoding="utf-8")  # it travels with the words


def test_an_italian_name_of_dictionary_words_only_is_no_person(gaz):
    found = _found("Fu ricoverato negli Ospedali Riuniti di Reggio Calabria.", gaz, "it")
    assert ("Ospedali Riuniti", "MISC") in found
    # a given name first, or a word no dictionary has, still makes a person
    assert ("Rosa Zorbakini", "PER") in _found("Ieri Rosa Zorbakini ha parlato.", gaz, "it")
    assert ("Vasco Rossi", "PER") in _found("Il cantante Vasco Rossi ha parlato.", gaz, "it")


def test_german_capitalised_words_with_no_given_name_are_no_person(gaz):
    assert ("Grauen Zwerghamster", "MISC") in _found("Die Grauen Zwerghamster leben dort.", gaz)
    assert ("Thomas Zorbak", "PER") in _found("Gestern sprach Thomas Zorbak in Berlin.", gaz)
    # the same words in Italian text are still a person's, by the default there
    found = _found("Ieri Grauen Zwerghamster ha parlato.", gaz, "it")
    assert ("Grauen Zwerghamster", "PER") in found


def test_an_unknown_word_opens_an_english_sentence_as_a_name(gaz):
    text = "Aldrin has been married three times. Yesterday was his birthday."
    assert _found(text, gaz, "en") == [("Aldrin", "PER")]
    # Italian text: the English dictionary says nothing there.
    assert _found("Zorbak ha vinto ieri.", gaz, "it") == []


def test_a_declined_name_is_tried_in_its_nominatives():
    polish = endings_for("pl")
    assert "Warszawa" in nominatives("Warszawie", polish)
    assert "Kraków" in nominatives("Krakowie", polish)
    assert "Gdańsk" in nominatives("Gdańsku", polish)
    assert nominatives("Ende", polish)[0] == "Ende"  # the word as it stands comes first
    assert endings_for("it") is None and endings_for("en") is None


@pytest.mark.parametrize(
    "lang, text, found",
    [
        (
            "pl",
            "Premier spotkał się w Warszawie z prezydentem Francji.",
            [("Warszawie", "LOC", "Q270"), ("Francji", "LOC", "Q142")],
        ),
        (
            "pl",
            "W Stanach Zjednoczonych i Wielkiej Brytanii.",
            [("Stanach Zjednoczonych", "LOC", "Q30"), ("Wielkiej Brytanii", "LOC", "Q145")],
        ),
        (
            "hr",
            "Timovi Beograda i Prištine usuglasili su se u Bruxellesu.",
            [
                ("Beograda", "LOC", "Q3711"),
                ("Prištine", "LOC", "Q25270"),
                ("Bruxellesu", "LOC", "Q239"),
            ],
        ),
        # German: the genitive -s, the dative plural -n, an adjective's -en
        (
            "de",
            (
                "Die Wirtschaft Deutschlands wächst, in den Niederlanden und im Vereinigten "
                "Königreich nicht, sagen die Vereinten Nationen."
            ),
            [
                ("Deutschlands", "LOC", "Q183"),
                ("Niederlanden", "LOC", "Q55"),
                ("Vereinigten Königreich", "LOC", "Q145"),
                ("Vereinten Nationen", "ORG", "Q1065"),
            ],
        ),
        # Swedish: the genitive -s
        ("sv", "Han bor nära Stockholms centrum.", [("Stockholms", "LOC", "Q1754")]),
    ],
)
def test_declined_places_are_found_and_linked(lang, text, found, gaz):
    got = [(e.text, e.label, e.id) for e in tag_entities(text, gaz, lang)]
    for entity in found:
        assert entity in got
    # The same words in a language without endings stay unknown.
    plain = {(e.text, e.label, e.id) for e in tag_entities(text, gaz, "und")}
    assert not set(found) & plain


def test_a_lone_word_opening_a_sentence_is_not_declined(gaz):
    tokens = tokenize("Sada je kasno.")
    matches = gaz.match(tokens)
    opens = [True, False, False, False]
    assert inflected_matches(tokens, matches, gaz, endings_for("hr"), opens) == matches
    inside = inflected_matches(tokens, matches, gaz, endings_for("hr"), [False] * 4)
    assert len(inside) == len(matches) + 1  # "Sado", an island, had it stood mid-sentence


def test_the_word_data_is_read_in_setup_not_at_the_first_article(gaz):
    for cached in (english_words, italian_words, nouns_for, endings_for):
        cached.cache_clear()
    load_word_data()
    assert english_words.cache_info().currsize == italian_words.cache_info().currsize == 1
    assert nouns_for.cache_info().currsize == 1  # German
    assert endings_for.cache_info().currsize == 8  # pl, cs, sk, hr, sr, sl, de, sv
    tag_entities("W Warszawie i w Berlinie.", gaz, "pl")
    assert endings_for.cache_info().misses == 8  # the article read nothing new
