"""Links the gazetteer must not make: a place inside a longer name (a newspaper, a station, a
company's national branch), another language's common word, a name two countries share; and the
links beside them that must stay. Found in the link samples of README "Entities" (2026-12-07)."""

from __future__ import annotations

import pytest

from transforms.entities.tag import tag_entities


def _found(text, gaz, language):
    return [(e.text, e.label, e.id) for e in tag_entities(text, gaz, language)]


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # a newspaper named after its place, not the place
        ("Ha detto il China Daily sabato.", "it", [("China Daily", "ORG", None)]),
        ("the Hong Kong Standard said.", "en", [("Hong Kong Standard", "ORG", None)]),
        # a station, not its city; the city alone stays linked
        (
            "Die Züge fallen zwischen Berlin Hbf und Berlin aus.",
            "de",
            [("Berlin Hbf", "LOC", None), ("Berlin", "LOC", "Q64")],
        ),
        (
            "Von Amsterdam Centraal bis Utrecht.",
            "de",
            [("Amsterdam Centraal", "LOC", None), ("Utrecht", "LOC", None)],
        ),
        # a company's branch in a country, not the country; "of" keeps them two
        ("Telefónica Deutschland erwartet mehr.", "de", [("Telefónica Deutschland", "ORG", None)]),
        (
            "Benetton of Italy won the final.",
            "en",
            [("Benetton", "ORG", None), ("Italy", "LOC", "Q38")],
        ),
        # an organisation's first word before a country, though written in lower case elsewhere
        (
            "Il parle à la radio. Le président de Radio France a parlé.",
            "fr",
            [("Radio France", "ORG", None)],
        ),
        # "Kongo" names two countries: a place, unlinked; the full name stays linked
        (
            "Er lebte in Kongo. Die Demokratische Republik Kongo wählt.",
            "de",
            [("Kongo", "LOC", None), ("Demokratische Republik Kongo", "LOC", "Q974")],
        ),
        # a given name that is a country's name in French, before a surname
        ("Das Gespräch mit Malte Sprick dauerte.", "de", [("Malte Sprick", "PER", None)]),
        # "New" inside a sentence opens a name: New France, not France; the treaty New Start
        (
            "Forts were built in the older portions of New France by then.",
            "en",
            [("New France", "LOC", None)],
        ),
        (
            "La proroga del trattato New Start tra Stati Uniti e Russia.",
            "it",
            [("New Start", "MISC", None), ("Stati Uniti", "LOC", "Q30"), ("Russia", "LOC", "Q159")],
        ),
        # a sports event named after its place in a headline in capitals; the dateline stays
        (
            "SQUASH - HONG KONG OPEN QUARTER-FINAL RESULTS .\nHONG KONG 1996-08-30",
            "en",
            [("HONG KONG OPEN", "MISC", None), ("HONG KONG", "LOC", "Q8646")],
        ),
        (
            "ATHLETICS - BERLIN GRAND PRIX RESULTS .\nBERLIN 1996-08-30",
            "en",
            [("BERLIN GRAND PRIX", "MISC", None), ("BERLIN", "LOC", "Q64")],
        ),
        ("RUSSIA WAR CRIMES TRIAL OPENS .", "en", [("RUSSIA", "LOC", "Q159")]),
        # the last of the famous names found but not linked (the sample input has him)
        (
            "Il ministro degli Esteri cinese Wang Yi ha incontrato Sergey Shoigu.",
            "it",
            [("Wang Yi", "PER", "Q701801"), ("Sergey Shoigu", "PER", "Q32024")],
        ),
        # stock indices are things, not the people or companies their names recall
        (
            "The Dow Jones industrial average fell while the FTSE 100 rose.",
            "en",
            [("Dow Jones industrial average", "MISC", None), ("FTSE 100", "MISC", None)],
        ),
        (
            "A Piazza Affari il Ftse Mib guadagna lo 0,8%.",
            "it",
            [("Piazza Affari", "ORG", None), ("Ftse Mib", "MISC", None)],
        ),
        # a party named with its country and an article the text writes in lower case
        (
            "Les sympathisants de la France insoumise et la France.",
            "fr",
            [("France insoumise", "ORG", None), ("France", "LOC", "Q142")],
        ),
        # French "Seul" opening a sentence is "alone"; Italian "Seul" is Seoul
        ("« Seul notre hélicoptère a pu atteindre l'endroit ».", "fr", []),
        ("Seul ha risposto con durezza.", "it", [("Seul", "LOC", "Q8684")]),
    ],
)
def test_links_made_and_not_made(text, language, expected, gaz):
    assert _found(text, gaz, language) == expected
