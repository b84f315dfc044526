"""The name rules one by one: every rule of labels.RULES and guess.GUESS_RULES has a table of
phrases it decides, and every phrase needs its rule (without it the tagger answers otherwise)."""

from __future__ import annotations

import pytest

from transforms.entities import guess, labels
from transforms.entities.tag import tag_entities

# labels.RULES, in their order: phrase -> every entity found in it, (text, label).
RUN_RULE_CASES = {
    "nationality_then_name": [
        (
            "Le Néerlandais Jorik Van Zorbom a gagné.",
            [("Néerlandais", "MISC"), ("Jorik Van Zorbom", "PER")],
            "fr",
        ),
        ("L'Australien a gagné la course.", [("Australien", "MISC")], "fr"),
    ],
    "portfolio_then_person": [
        (
            "Ieri in Emilia-Romagna Stefano Zorbakini ha vinto.",
            [("Emilia-Romagna", "LOC"), ("Stefano Zorbakini", "PER")],
        ),
        (
            "della regione Emilia-Romagna Stefano Zorbakini",
            [("regione Emilia-Romagna", "LOC"), ("Stefano Zorbakini", "PER")],
        ),
        # One unknown word opening a sentence before a person is no name; a nationality is.
        ("Anoche Marta Zorbakez habló con la prensa.", [("Marta Zorbakez", "PER")]),
        ("Cependant Claire Zorbakine a parlé.", [("Claire Zorbakine", "PER")]),
        ("Stamattina Marta Zorbakini ha parlato.", [("Marta Zorbakini", "PER")]),
        ("American Dennis Zorbak won the race.", [("American", "MISC"), ("Dennis Zorbak", "PER")]),
    ],
    "office_then_holder": [
        ("Il ministro del Lavoro Poletti ha detto", [("Poletti", "PER")]),
        ("Lo ha detto il ministro dell'Interno.", []),
        # the portfolio, then what it is of; plural offices too
        ("Il ministro degli Esteri di Israele ha parlato.", [("Israele", "LOC")]),
        (
            "Il vertice tra i ministri della Difesa di Italia e Francia.",
            [("Italia", "LOC"), ("Francia", "LOC")],
        ),
        (
            "l'ex presidente dell'Egitto Hosni Zorbak è morto",
            [("Egitto", "LOC"), ("Hosni Zorbak", "PER")],
        ),
    ],
    "person_then_workplace": [
        (
            "il professor Raffaele Cioni dell'Istituto Nazionale di Geofisica",
            [("Raffaele Cioni", "PER"), ("Istituto Nazionale di Geofisica", "ORG")],
        ),
        # a known place the person comes from or stands for
        (
            "Representative Maria Zorbez of Texas said so.",
            [("Maria Zorbez", "PER"), ("Texas", "LOC")],
            "en",
        ),
    ],
    "hyphen_chain": [
        ("Les violences en Seine-Saint-Denis hier.", [("Seine-Saint-Denis", "LOC")], "fr"),
        ("Il pleut en Bourgogne-Franche-Comté.", [("Bourgogne-Franche-Comté", "LOC")], "fr"),
        ("Im Rhein-Neckar-Kreis regnet es.", [("Rhein-Neckar-Kreis", "LOC")], "de"),
        # no known place, but a place's link word between the hyphens
        ("Le conseil de Saône-et-Zorboire a voté.", [("Saône-et-Zorboire", "LOC")], "fr"),
    ],
    "route": [
        ("il treno Roma-Viterbo è fermo", [("Roma-Viterbo", "LOC")]),
        ("atterrato a Mosca-Domodedovo ieri", [("Mosca-Domodedovo", "LOC")]),
    ],
    "short_shouted_word": [
        ("TENNIS - DRAW FOR THE FED CUP FINAL", []),
    ],
    "common_word_opening": [
        ("Nato a Verona nel 1950, fu giornalista.", [("Verona", "LOC")]),
        ("Turkey prices rose as families bought a turkey.", []),
        # French only: "Seul" is Seoul in Italian
        ("« Seul notre hélicoptère a pu atteindre l'endroit », a dit le pilote.", [], "fr"),
    ],
    "org_word_closes_known_names": [
        # Not "Fiji Labour Party": Party Facts lists it, so the gazetteer knows it whole.
        ("The Tonga Labour Party won the vote.", [("Tonga Labour Party", "ORG")]),
        ("The Malta Labour Party lost.", [("Malta Labour Party", "ORG")]),
    ],
    "part_of_country": [
        ("Il terremoto del Centro Italia.", [("Centro Italia", "LOC")]),
    ],
    "place_named_person": [
        ("L'ex partito di Nelson Mandela ha perso.", [("Nelson Mandela", "PER")]),  # two towns
        ("La morte del cestista Kobe Bryant ha colpito tutti.", [("Kobe Bryant", "PER")]),
        ("Homers from Mariano Zorbak and others.", [("Mariano Zorbak", "PER")]),
    ],
    "branch_in_country": [
        ("Telefónica Deutschland erwartet mehr Kunden.", [("Telefónica Deutschland", "ORG")], "de"),
        ("Ieri Uber Italy è finita in amministrazione.", [("Uber Italy", "ORG")]),
    ],
    "kind_after_place": [
        (
            "Die Züge fallen zwischen Stuttgart Hbf und Ulm aus.",
            [("Stuttgart Hbf", "LOC"), ("Ulm", "LOC")],
            "de",
        ),
        ("Il treno è arrivato a Milano Centrale in ritardo.", [("Milano Centrale", "LOC")]),
        ("Lo ha scritto il China Daily ieri.", [("China Daily", "ORG")]),
    ],
    "known_names": [
        (
            "The Jordan Israel peace treaty was signed in 1994.",
            [("Jordan", "LOC"), ("Israel", "LOC")],
        ),
        (
            "Colloqui Georgia Russia a Ginevra.",
            [("Georgia", "LOC"), ("Russia", "LOC"), ("Ginevra", "LOC")],
        ),
    ],
    "kind_word_org_or_place": [
        ("il portavoce Zorbak Holdings ha detto", [("Zorbak Holdings", "ORG")]),
        ("They walked down Moscow Street.", [("Moscow Street", "LOC")]),
    ],
    "organisation_of": [
        (
            "He joined the Carnegie Institution of Washington in 1902.",
            [("Carnegie Institution of Washington", "ORG")],
        ),
    ],
    "kind_word_misc": [
        ("He won the Melbourne Cup twice.", [("Melbourne Cup", "MISC")]),
        # a law or a charter is a document, not the body that makes it
        ("La modifica della Costituzione entra in vigore.", [("Costituzione", "MISC")], "it"),
        # the sample input's "della Carta delle Nazioni Unite" gave "Carta", an ORG
        (
            "Sulla base della Carta delle Nazioni Unite, ha detto.",
            [("Carta delle Nazioni Unite", "MISC")],
            "it",
        ),
    ],
    "demonym_phrase": [
        ("The South Korean delegation arrived.", [("South Korean", "MISC")]),
        ("Many Iraqi Kurds fled.", [("Iraqi Kurds", "MISC")]),
        # hyphenated nationalities are no double surname, and lend no person's label to the
        # text's other "German"
        (
            "The German-Israeli talks ended. German officials left.",
            [("German-Israeli", "MISC"), ("German", "MISC")],
        ),
    ],
    "opener_then_demonym": [
        ("Former German chancellor Zorbak resigned.", [("German", "MISC"), ("Zorbak", "PER")]),
        ("Seven Iraqis were charged with hijack.", [("Iraqis", "MISC")]),
        ("Under English law the sentence is life.", [("English", "MISC")]),
    ],
    "firm_of_partners": [
        ("Shares of Douglas & Zorbason rose.", [("Douglas & Zorbason", "ORG")]),
        ("Shares of Martin & Zorbwell fell.", [("Martin & Zorbwell", "ORG")]),
    ],
    "given_name_first": [
        ("Ieri Mario Jordan ha parlato.", [("Mario Jordan", "PER")]),
        ("He beat his rival Mario Zorbakis in the final.", [("Mario Zorbakis", "PER")]),
        # after "the" and before no noun: a place named for a person, as a stadium is
        (
            "Madrid won 3-1 at the Santiago Zorbabeu.",
            [("Madrid", "LOC"), ("Santiago Zorbabeu", "LOC")],
            "en",
        ),
        (
            "El partido en el Santiago Zorbabéu terminó.",
            [("Santiago Zorbabéu", "LOC")],
            "es",
        ),
        ("Le match au Pierre Zorbauroy a été reporté.", [("Pierre Zorbauroy", "LOC")], "fr"),
    ],
    "surname_is_city": [
        ("Il concerto di Zorbakis Houston è stato rinviato.", [("Zorbakis Houston", "PER")]),
        ("Ieri Zorbanna Dallas ha cantato.", [("Zorbanna Dallas", "PER")]),
        # Italian writes a body's acronym in title case: three or four letters, a consonant
        # last (an Italian given name ends in a vowel: "Lele Mora")
        ("Indagati tre dirigenti dell'Asl Napoli ieri.", [("Asl Napoli", "ORG")]),
        ("Lo ha detto Zele Houston ieri.", [("Zele Houston", "PER")]),
        # no given name is written in capitals: a club, a body
        ("Das Spiel des KSC Köln endete 2:1.", [("KSC Köln", "ORG")], "de"),
    ],
    "another_place": [
        ("They settled in West Jersey in 1680.", [("West Jersey", "LOC")]),
        ("He grew up in West Germany.", [("West Germany", "LOC")]),
    ],
    "named_after_country": [
        ("He worked for Zorbak Germany.", [("Zorbak Germany", "ORG")]),
        ("Lavora per Autostrade Italia.", [("Autostrade Italia", "ORG")]),
    ],
    "longer_name": [
        ("I Toronto Blue Jays hanno vinto.", [("Toronto Blue Jays", "ORG")]),
        ("Ieri il Perth Glory ha vinto.", [("Perth Glory", "ORG")]),
    ],
    "place_and_direction": [
        ("Viaggio in Ossezia del Sud.", [("Ossezia del Sud", "LOC")]),
    ],
    # a known person's name and one more unknown word: another person, unlinked
    "person_goes_on": [
        ("Il premier libico Abdul Hamid Dbeibah ha parlato.", [("Abdul Hamid Dbeibah", "PER")]),
        ("Donald Trump Jr said on Monday.", [("Donald Trump Jr", "PER")], "en"),
    ],
    "known_and_unknown": [
        ("Lo Zorbak Stadium di Londra è chiuso.", [("Zorbak Stadium", "LOC"), ("Londra", "LOC")]),
        ("Ieri il Gran Premio di Monza è finito.", [("Gran Premio", "MISC"), ("Monza", "LOC")]),
    ],
}

# guess.GUESS_RULES, in their order: an unknown name labelled from its context.
GUESS_RULE_CASES = {
    "office_of_place": [
        ("Lo ha deciso il sindaco di Kassarò ieri.", [("Kassarò", "LOC")]),
        ("The mayor of Tlacotalpan said no.", [("Tlacotalpan", "LOC")]),
    ],
    "after_role": [
        ("Il presidente Zelluni ha firmato.", [("Zelluni", "PER")]),
        ("Lo ha detto il portavoce Zelluni.", [("Zelluni", "PER")]),
        ("Lo ha deciso il prefetto Zelluni.", [("Zelluni", "PER")]),
        ("Помощник президента Зорбинского приехал вчера.", [("Зорбинского", "PER")], "ru"),
        ("O senhor Zorbley chegou ontem.", [("Zorbley", "PER")], "pt"),
        # German writes the office and the role as one word; "Herrn" is "Herr" declined
        ("Dazu erklärte Ministerpräsident Zorbler am Montag.", [("Zorbler", "PER")], "de"),
        ("Regierungssprecher Zorbler widersprach.", [("Zorbler", "PER")], "de"),
        (
            "Ich danke dem Berichterstatter, Herrn Zorbler, für seine Arbeit.",
            [("Zorbler", "PER")],
            "de",
        ),
    ],
    "person_of": [
        ("Ieri i sostenitori di Mbatuko hanno protestato.", [("Mbatuko", "PER")]),
        ("He called for the arrest of Mbatuko.", [("Mbatuko", "PER")]),
    ],
    "government_by_leader": [
        ("Ieri il governo Zelluni ha deciso.", [("governo", "ORG"), ("Zelluni", "PER")]),
        ("Il ddl Zelluni è fermo.", [("Zelluni", "PER")]),
        ("Torna la legge ex Zelluni.", [("Zelluni", "PER")]),
    ],
    "leader_government": [
        ("He said the Zelluni administration was wrong.", [("Zelluni", "PER")]),
    ],
    "several_words_kind": [
        # (not "Gran Premio di Monza": every word of it is Italian, italian_phrase answers too)
        ("Ieri l'Acilia Zorbak Sud di Roma.", [("Acilia Zorbak Sud", "LOC"), ("Roma", "LOC")]),
    ],
    # The two sides of a match are alike: one side a person by a given name, so is the other.
    "player_against_player": [
        (
            "Carlos Alcaraz beat Novak Zorbakovic in the final.",
            [("Carlos Alcaraz", "PER"), ("Novak Zorbakovic", "PER")],
            "en",
        ),
        (
            "Novak Zorbakovic beat Carlos Alcaraz in the final.",
            [("Novak Zorbakovic", "PER"), ("Carlos Alcaraz", "PER")],
            "en",
        ),
        (
            "Novak Zorbakovic batte Jannik Sinner in finale.",
            [("Novak Zorbakovic", "PER"), ("Jannik Sinner", "PER")],
            "it",
        ),
    ],
    "org_cue_before": [
        ("Shares in the carmaker Zorbak rose.", [("Zorbak", "ORG")]),
        ("He bid for the news-stand chain Zorbuch last year.", [("Zorbuch", "ORG")]),
        ("Lavora per la società Zorbak.", [("Zorbak", "ORG")]),
    ],
    "org_cue_after": [
        ("Investors sold Zorbak shares on Monday.", [("Zorbak", "ORG")]),
        (
            '"He was great," said Zorbak owner Jeffrey Lurie.',
            [("Zorbak", "ORG"), ("Jeffrey Lurie", "PER")],
            "en",
        ),
    ],
    "org_noun_before": [
        ("un treno della compagnia ferroviaria spagnola Renfe", [("Renfe", "ORG")]),
        ("il sindacato Zorbak ha protestato", [("Zorbak", "ORG")]),
    ],
    "described_as_body": [
        ("Zorbilka is a Danish chain of hypermarkets.", [("Zorbilka", "ORG"), ("Danish", "MISC")]),
        (
            "He sold Zorbaloi, a Brazilian bicycle maker, in 1990.",
            [("Zorbaloi", "ORG"), ("Brazilian", "MISC")],
        ),
        ("La Zorbex è una società milanese.", [("Zorbex", "ORG")], "it"),
    ],
    "place_kind_before": [
        ("They fled the village of Khazna at dawn.", [("Khazna", "LOC")]),
        ("in località Raica", [("Raica", "LOC")]),
        ("un incidente nella cittadina di Zorbaville", [("Zorbaville", "LOC")]),
        ("proseguiamo in direzione di Zorbaville", [("Zorbaville", "LOC")]),
    ],
    "speaks": [
        ("Ieri Grigorovski ha dichiarato che tutto va bene.", [("Grigorovski", "PER")]),
        ("After the vote Zelluni said no.", [("Zelluni", "PER")]),
        # Russian puts the verb before the name after a quotation; an adjective-like surname
        ("Это важно, — сказала Зорбинская.", [("Зорбинская", "PER")], "ru"),
        ("„Es ist wichtig“, sagte Zorbeault.", [("Zorbeault", "PER")], "de"),
        ("É importante, disse Zorbeault.", [("Zorbeault", "PER")], "pt"),
        ("Det är viktigt, säger Zorbsson.", [("Zorbsson", "PER")], "sv"),
        ("«È una vergogna», spiega Zorbetti.", [("Zorbetti", "PER")], "it"),
        ("«È una vergogna», ha spiegato Zorbetti.", [("Zorbetti", "PER")], "it"),
        ("«Es una vergüenza», dijo Zorbález.", [("Zorbález", "PER")], "es"),
        # English too, but only after a quotation or a comma ("told Reuters" names the agency)
        ('"It is wrong," said Zorbley on Monday.', [("Zorbley", "PER")], "en"),
        ("It always had a political side, says Zorbley.", [("Zorbley", "PER")], "en"),
        ("« C’est une honte », explique Zorbet.", [("Zorbet", "PER")], "fr"),
    ],
    "described": [
        ("Police arrested Zelluni, 34, on Monday.", [("Zelluni", "PER")]),
        ("It was the case of Zelluni, who fled.", [("Zelluni", "PER")]),
    ],
    "given_name": [
        ("Ieri ho visto Bruno al mercato.", [("Bruno", "PER")]),
        ("Alla festa c'era anche Giulia.", [("Giulia", "PER")]),
    ],
    "of_organisation": [
        ("L'amministratore delegato di Zorbatel ha parlato.", [("Zorbatel", "ORG")]),
        ("She is an analyst at Zorbak Equities.", [("Zorbak Equities", "ORG")]),
    ],
    "acronym": [
        ("Ieri la ZXQW ha votato.", [("ZXQW", "ORG")]),
        ("He joined ZXQW in 2001.", [("ZXQW", "ORG")]),
        ("Later the ZXQW said it would sue.", [("ZXQW", "ORG")]),  # speaks passes it by
    ],
    "inner_org_word": [
        ("Shares of ZorbBank fell on Monday.", [("ZorbBank", "ORG")]),
        ("Analysts expect ZorbCorp to grow.", [("ZorbCorp", "ORG")]),
    ],
    "italian_town": [
        ("Ieri Stroppiana ha votato il bilancio.", [("Stroppiana", "LOC")]),
        ("Tra Olbia e Arzachena la strada è chiusa.", [("Olbia", "LOC"), ("Arzachena", "LOC")]),
    ],
    "demonym": [
        ("They spoke in Zorbakese at the meeting.", [("Zorbakese", "MISC")]),
        ("They sang in Balinese at the temple.", [("Balinese", "MISC")]),
    ],
    "after_place_preposition": [
        ("The rally was held in Tlacotalpan on Sunday.", [("Tlacotalpan", "LOC")]),
        ("Ieri a Zorbakka una festa.", [("Zorbakka", "LOC")]),
        ("Hanno sparato vicino Zorbakka ieri.", [("Zorbakka", "LOC")]),
        ("Он был в Зорбинске в сентябре.", [("Зорбинске", "LOC")], "ru"),
        ("Ele mora em Zorbópolis desde 2010.", [("Zorbópolis", "LOC")], "pt"),
        # a preposition of one language only: Slovak "v" (English "versus"), Croatian "u"
        ("Študoval v Zorbave dva roky.", [("Zorbave", "LOC")], "sk"),
        ("Potom odišiel do Zorbavy na dva roky.", [("Zorbavy", "LOC")], "sk"),
        ("Živio je u Zorbavi dvije godine.", [("Zorbavi", "LOC")], "hr"),
        ("Hon bor i Zorbköping sedan 2010.", [("Zorbköping", "LOC")], "sv"),
        ("Ele mora na Zorbônia desde 2010.", [("Zorbônia", "LOC")], "pt"),
        # a traffic report's direction and stretch
        (
            "Stau auf der A8 Richtung Zorbhausen seit Mittag.",
            [("A8", "LOC"), ("Zorbhausen", "LOC")],
            "de",
        ),
    ],
    # seen only when a lone unknown word defaults to something else than MISC (SETTINGS)
    "weak_demonym": [
        ("The Samoan team won the match.", [("Samoan", "MISC")]),
        ("He met the Tongan king.", [("Tongan", "MISC")]),
    ],
    "unknown_subject": [
        (
            "Deciding to pursue drama, Winstone enrolled at the academy.",
            [("Winstone", "PER")],
        ),
        ("Aldrin has been married three times.", [("Aldrin", "PER")]),
    ],
    "organisation_article": [
        ("Il contratto della Zorbatel è scaduto.", [("Zorbatel", "ORG")]),
        ("Ieri hanno suonato i Zorbaks.", [("Zorbaks", "ORG")]),
    ],
    "cyrillic_word": [
        ("Он сказал, что Зорбинтон победит.", [("Зорбинтон", "PER")], "ru"),
    ],
    "lone_word": [
        ("Ieri Zorbak ha vinto.", [("Zorbak", "MISC")]),
        ("He met Zorbak yesterday.", [("Zorbak", "MISC")]),
    ],
    "hyphen_place": [
        (
            "Le centrali di Penly e Saint-Alban sono ferme.",
            [("Penly", "MISC"), ("Saint-Alban", "LOC")],
        ),
    ],
    "connector_inside": [
        ("Ieri la Casa di Zorbak ha chiuso.", [("Casa di Zorbak", "ORG")]),
        ("He joined the Zorbak of Zimbak board.", [("Zorbak of Zimbak", "ORG")]),
    ],
    "closing_adjective": [
        ("Ieri Sinistra Italiana ha votato contro.", [("Sinistra Italiana", "ORG")]),
        ("Lo scrive la Gazzetta Ufficiale di oggi.", [("Gazzetta Ufficiale", "ORG")]),
    ],
    "title_or_thing": [
        ("He read The Zorbak Times Review Daily.", [("Zorbak Times Review Daily", "MISC")]),
        ("Il libro Zorbak Nuovo Mondo Antico è uscito.", [("Zorbak Nuovo Mondo Antico", "MISC")]),
    ],
    "english_phrase": [
        ("Il brano Release Me è piaciuto.", [("Release Me", "MISC")]),
        ("The capsule Crew Dragon landed.", [("Crew Dragon", "MISC")]),
    ],
    "italian_phrase": [
        ("Fu scoperto il cosiddetto Nuovo Mondo nel 1492.", [("Nuovo Mondo", "MISC")]),
        ("Con l'unità del popolo e le Forze Armate, ha detto.", [("Forze Armate", "MISC")]),
        ("Le vittime delle Fosse Zorbatine sono ricordate.", [("Fosse Zorbatine", "MISC")]),
        ("Un treno delle Ferrovie Zorbak è deragliato.", [("Ferrovie Zorbak", "MISC")]),
    ],
    # (German text: the third item is the language the tagger is told)
    "german_phrase": [
        ("Die Grauen Zwerghamster leben dort.", [("Grauen Zwerghamster", "MISC")], "de"),
        ("Im Ersten Weltkrieg kämpfte er.", [("Ersten Weltkrieg", "MISC")], "de"),
    ],
}

# A rule whose answer a default would give anyway is tested with that default changed: weak
# demonyms stay MISC even if a lone unknown word were taken for a person.
SETTINGS = {"weak_demonym": {"DEFAULT_SINGLE": "PER"}}


def _cases():
    return [
        pytest.param(rule, case[0], case[1:], id=f"{rule}-{n}")
        for table in (RUN_RULE_CASES, GUESS_RULE_CASES)
        for rule, cases in table.items()
        for n, case in enumerate(cases)
    ]


def _found(text, gaz, language="und"):
    return [(e.text, e.label) for e in tag_entities(text, gaz, language)]


def _settle(monkeypatch, rule):
    for name, value in SETTINGS.get(rule, {}).items():
        monkeypatch.setattr(guess, name, value)


def test_every_rule_has_a_table_in_order():
    assert list(RUN_RULE_CASES) == [r.__name__ for r in labels.RULES]
    assert list(GUESS_RULE_CASES) == [r.__name__ for r in guess.GUESS_RULES]


@pytest.mark.parametrize("rule, text, case", _cases())
def test_rule_decides_its_phrases(rule, text, case, gaz, monkeypatch):
    _settle(monkeypatch, rule)
    expected, *language = case
    assert _found(text, gaz, *language) == expected


@pytest.mark.parametrize("rule, text, case", _cases())
def test_phrase_needs_its_rule(rule, text, case, gaz, monkeypatch):
    _settle(monkeypatch, rule)
    for module, name in ((labels, "RULES"), (guess, "GUESS_RULES")):
        rules = getattr(module, name)
        monkeypatch.setattr(module, name, tuple(r for r in rules if r.__name__ != rule))
    expected, *language = case
    assert _found(text, gaz, *language) != expected


def test_a_cape_is_a_place(gaz):
    """A probe text's "lanciato da Cape Canaveral" gave a person: cape is a place's word, as
    mount and lake are (the label rules and the guesses both read it)."""
    found = _found("Il razzo partirà da Cape Zorbaral, in Florida.", gaz)
    assert found == [("Cape Zorbaral", "LOC"), ("Florida", "LOC")]
