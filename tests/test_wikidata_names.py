"""People and parties from Wikidata-derived lists: which names are kept, who gets a shared name."""

from __future__ import annotations

import json

import pytest

from transforms.entities.wikidata_names import (
    LEADERS_FILE,
    Named,
    cabinets,
    current_leaders,
    everypolitician,
    party_facts,
    plausible,
    read_names,
    resolve,
    world_leaders,
)


@pytest.mark.parametrize(
    "name, label, ok",
    [
        ("Donald Tusk", "PER", True),
        ("Ursula von der Leyen", "PER", True),
        ("Luiz Inácio Lula da Silva", "PER", True),
        ("Lula", "PER", False),  # one word: too often a word or a namesake
        ("ABRIGNANI Ignazio", "PER", True),
        ("Kim Jong-un", "PER", True),
        ("J. Smith", "PER", False),  # initials are not a full name
        ("Movimento 5 Stelle", "ORG", True),
        ("PSOE", "ORG", False),  # acronyms: "AND", "CUP", "DNA" are parties somewhere
        ("Livre", "ORG", False),
        ("Partido (Noruega)", "ORG", False),
        # a person's name in a script without capitals, as written; not two Han characters,
        # which match inside other words ("李强调", "Li stressed")
        ("习近平", "PER", True),
        ("नरेन्द्र मोदी", "PER", True),
        ("李强", "PER", False),
        ("Путин", "PER", False),  # Cyrillic has capitals: one word is too little, as in Latin
    ],
)
def test_plausible_names(name, label, ok):
    assert plausible(name, label) is ok


def _named(qid, prominence, *names, label="PER"):
    return Named(qid, label, prominence, "test", names)


def test_a_shared_name_goes_to_the_clearly_more_prominent_or_to_none():
    rows = [
        _named("Q1", 40, "John Smith", "Johnny Smith"),
        _named("Q2", 5, "John Smith"),
        _named("Q3", 10, "Ann Lee"),
        _named("Q4", 8, "Ann Lee", "Ann Marie Lee"),
    ]
    out = {qid: names for qid, _, names in resolve(rows)}
    assert out["Q1"] == ["John Smith", "Johnny Smith"]
    assert "Q2" not in out  # its only name went to Q1
    assert "Q3" not in out  # 10 is not twice 8: "Ann Lee" goes to nobody
    assert out["Q4"] == ["Ann Marie Lee"]


def test_one_entity_per_qid_with_its_names_merged():
    rows = [_named("Q7", 200, "Pedro Sánchez"), _named("Q7", 30, "Pedro Sánchez Pérez-Castejón")]
    assert resolve(rows) == [("Q7", "PER", ["Pedro Sánchez", "Pedro Sánchez Pérez-Castejón"])]


def _person(qid, names, wikis):
    return {
        "identifiers": [{"scheme": "wikidata", "identifier": qid}],
        "other_names": [{"lang": lang, "name": name} for lang, name in names],
        "links": [{"url": f"https://{w}.wikipedia.org/wiki/X"} for w in wikis],
    }


def test_sources_are_read_into_qids_and_names(tmp_path):
    # EveryPolitician: one Popolo file per chamber; editions are counted over all of them.
    wikis = ["pl", "en", "de", "fr"]
    sejm, eu = tmp_path / "sejm.json", tmp_path / "eu.json"
    tusk = _person("Q946", [("pl", "Donald Tusk"), ("ru", "Дональд Туск")], wikis)
    minor = _person("Q5", [("en", "Minor Member")], ["en"])
    sejm.write_text(json.dumps({"persons": [tusk, minor]}))
    eu.write_text(json.dumps({"persons": [_person("Q946", [], ["it"])]}))
    assert everypolitician([sejm, eu]) == [
        Named("Q946", "PER", 5.0, "everypolitician", ("Donald Tusk",))
    ]
    leaders = tmp_path / "wikidata.csv"
    leaders.write_text(
        "countryid,country,position,positionLabel,officeholder,officeholderLabel,start_year,"
        "end_year\nQ29,Spain,Q1,Prime Minister of Spain,Q6070218,Pedro Sánchez,2018,\n",
        encoding="utf-8",
    )
    assert [r.qid for r in world_leaders(leaders)] == ["Q6070218"]
    links, core = tmp_path / "pf_wikidata.csv", tmp_path / "pf_core.csv"
    links.write_text(
        "country,partyfacts_id,wikidata_id,name,name_short,name_native\n"
        "ITA,1,Q47817,Five Star Movement,M5S,Movimento 5 Stelle\n"
        "EST,2,Q9,Reform Party,RP,\n",
        encoding="utf-8",
    )
    core.write_text("partyfacts_id,share\n1,32.7\n2,\n", encoding="utf-8")
    got = {r.qid: (r.names, r.prominence) for r in party_facts(links, core)}
    # "Reform Party" is made of party words only: no party in particular; acronyms stay out
    assert got == {"Q47817": (("Movimento 5 Stelle", "Five Star Movement"), 32.7)}


def test_bundled_list_reads_and_names_the_known_people():
    names = {n: qid for qid, _, ns in read_names() for n in ns}
    assert names["Donald Tusk"] == "Q946"
    assert names["Pedro Sánchez"] == "Q6070218"
    assert "Michael Johnson" not in names  # one Wikipedia edition: a namesake's name as often


def test_cabinets_keep_government_offices_and_first_bearers_of_a_name(tmp_path):
    long = tmp_path / "italy-ministers"
    long.mkdir()
    (long / "holders21.csv").write_text(
        "position,person,personID,start,end,gender,DOB,DOD,image,enwiki\n"
        "Minister of Foreign Affairs,Lamberto Dini,Q208100,1995,1996,male,,,,Lamberto Dini\n"
        "Secretary of State for Wales,David Jones,Q728167,2012,2014,male,,,,"
        "David Jones (Clwyd West MP)\n"
        "ambassador to Panama,Glyn Davies,Q56849377,1999,2002,male,,,,\n"
        "Parliamentary Under-Secretary of State,Kevin Foster,Q19873325,2019,,male,,,,\n"
        "Deputy Prime Minister,Ann Example,Q1,2019,,female,,,,Ann Example\n",
        encoding="utf-8",
    )
    short = tmp_path / "chad-ministers"
    short.mkdir()
    (short / "holders21.csv").write_text(
        "position,person,personID,start,end\n"
        "Minister of Education,Nagoum Yamassoum,Q1371488,1996,\n"
        "President,Idriss Déby,Q57413,1990,2021\n",
        encoding="utf-8",
    )
    got = cabinets(sorted(tmp_path.glob("*/holders21.csv")))
    assert [(r.qid, r.names) for r in got] == [
        ("Q1371488", ("Nagoum Yamassoum",)),
        ("Q57413", ("Idriss Déby",)),
        ("Q208100", ("Lamberto Dini",)),
    ]
    assert {r.label for r in got} == {"PER"}


def _snapshot(hog: dict | None, hos: dict | None) -> str:
    positions = {"head_of_government": {"current_holder": hog}, "head_of_state": None}
    if hos is not None:
        positions["head_of_state"] = {"current_holder": hos}
    return json.dumps({"snapshot_date": "2026-08-22", "positions": positions})


def test_current_leaders_are_read_from_every_snapshot():
    starmer = {"name_en": "Keir Starmer", "name_local": None, "wikidata_id": "Q6383803"}
    burnham = {"name_en": "Andy Burnham", "name_local": None, "wikidata_id": "Q269909"}
    merz = {"name_en": "Friedrich Merz", "name_local": "Friedrich Merz", "wikidata_id": "Q566257"}
    vacant = {"name_en": "—", "name_local": None, "wikidata_id": None}
    snapshots = [_snapshot(starmer, None), _snapshot(burnham, vacant), _snapshot(merz, None)]
    got = resolve(current_leaders(snapshots))
    assert got == [
        ("Q269909", "PER", ["Andy Burnham"]),
        ("Q566257", "PER", ["Friedrich Merz"]),
        ("Q6383803", "PER", ["Keir Starmer"]),
    ]


def test_bundled_leaders_name_the_heads_in_office_in_2026():
    names = {n: qid for qid, _, ns in read_names(name=LEADERS_FILE) for n in ns}
    assert names["Mark Carney"] == "Q192533"
    assert names["Keir Starmer"] == "Q6383803"
    assert names["Friedrich Merz"] == "Q566257"
    assert names["习近平"] == "Q15031"  # and in the scripts of their countries
