"""People and parties from Wikidata-derived lists: which names are kept, who gets a shared name."""

from __future__ import annotations

import json

import pytest

from transforms.entities.wikidata_names import (
    Named,
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


def test_sources_are_read_into_qids_and_names(tmp_path):
    people = tmp_path / "people.jsonl"
    rec = {"qid": "Q946", "labels": {"pl": ["Donald Tusk"], "ru": ["Дональд Туск"]}}
    minor = {"qid": "Q5", "labels": {"en": ["Minor Member"]}, "n_wikipedia_links": 1}
    people.write_text(json.dumps({**rec, "n_wikipedia_links": 76}) + "\n" + json.dumps(minor))
    assert everypolitician(people) == [
        Named("Q946", "PER", 76.0, "everypolitician", ("Donald Tusk",))
    ]
    leaders = tmp_path / "wikidata.csv"
    leaders.write_text(
        "countryid,country,position,positionLabel,officeholder,officeholderLabel,start_year,"
        "end_year\nQ29,Spain,Q1,Prime Minister of Spain,Q6070218,Pedro Sánchez,2018,\n",
        encoding="utf-8",
    )
    assert [r.qid for r in world_leaders(leaders)] == ["Q6070218"]
    parties = tmp_path / "parties.jsonl"
    lines = [
        {"qid": "Q47817", "name": "Five Star Movement", "name_native": "Movimento 5 Stelle"},
        {"qid": "Q9", "name": "Reform Party", "name_native": None, "name_short": "RP"},
    ]
    parties.write_text("\n".join(json.dumps(x) for x in lines))
    got = {r.qid: r.names for r in party_facts(parties)}
    # "Reform Party" is made of party words only: no party in particular
    assert got == {"Q47817": ("Movimento 5 Stelle", "Five Star Movement")}


def test_bundled_list_reads_and_names_the_known_people():
    names = {n: qid for qid, _, ns in read_names() for n in ns}
    assert names["Donald Tusk"] == "Q946"
    assert names["Pedro Sánchez"] == "Q6070218"
    assert "Michael Johnson" not in names  # one Wikipedia edition: a namesake's name as often
