"""The tokenizer and the gazetteer: keys, longest-leftmost matching, the bundled file, its build."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest

from tests.conftest import shared_path
from transforms.entities import Gazetteer
from transforms.entities.tokens import token_key, tokenize


@pytest.mark.parametrize(
    "text, words",
    [
        ("l'Ucraina", ["l'", "Ucraina"]),
        ("dell’Iran", ["dell’", "Iran"]),
        ("all'Onu e sull'Ue", ["all'", "Onu", "e", "sull'", "Ue"]),
        ("D'Alema e O'Brien", ["D'Alema", "e", "O'Brien"]),
        ("Putin's call", ["Putin", "'s", "call"]),
        ("Russia-Cina", ["Russia", "-", "Cina"]),
        ("AP.Putin", ["AP", ".", "Putin"]),
        ("”.Putin", ["”", ".", "Putin"]),
        ("anniversaryChina", ["anniversary", "China"]),
        ("iPhone McDonald", ["iPhone", "McDonald"]),
        ("", []),
    ],
)
def test_tokenize_splits_glued_text(text, words):
    tokens = tokenize(text)
    assert [t[0] for t in tokens] == words
    assert all(text[s:e] == w for w, s, e in tokens)


@pytest.mark.parametrize(
    "token, caps, key",
    [
        ("PUTIN", frozenset(), "Putin"),
        ("NATO", frozenset({"NATO"}), "NATO"),
        ("XIV", frozenset(), "XIV"),  # Roman numerals keep their case
        ("Dell’", frozenset(), "dell'"),
        ("Mosca", frozenset(), "Mosca"),
    ],
)
def test_token_key(token, caps, key):
    assert token_key(token, caps) == key


def test_match_is_longest_leftmost_and_first_entry_wins():
    rows = [
        ("Q1", "LOC", "country", ["New York", "NY"]),
        ("Q2", "LOC", "city", ["New York City", "York"]),
        ("Q3", "ORG", "hand", ["York"]),  # "York" already belongs to Q2: first entry wins
    ]
    g = Gazetteer(rows, set())
    tokens = tokenize("From New York City to York and NEW YORK")
    got = [(tokens[m.i][0], m.j - m.i, g.entries[m.entry].qid) for m in g.match(tokens)]
    assert got == [("New", 3, "Q2"), ("York", 1, "Q2"), ("NEW", 2, "Q1")]


def test_bundled_gazetteer_links_the_seed_names(gaz):
    want = {
        "Putin": "Q7747",
        "Xi Jinping": "Q15031",
        "Trump": "Q22686",
        "Russia": "Q159",
        "Cina": "Q148",
        "Ucraina": "Q212",
        "Stati Uniti": "Q30",
        "United States": "Q30",
        "Mosca": "Q649",
        "Moscow": "Q649",
        "Pechino": "Q956",
        "Beijing": "Q956",
        "Kyiv": "Q1899",
        "Kiev": "Q1899",
    }
    for name, qid in want.items():
        tokens = tokenize(name)
        (m,) = gaz.match(tokens)
        assert (m.i, m.j, gaz.entries[m.entry].qid) == (0, len(tokens), qid), name


def test_bundled_file_is_versioned_and_compact():
    path = resources.files("transforms.entities") / "data" / "gazetteer.tsv.gz"
    data = path.read_bytes()
    assert len(data) < 1_000_000
    assert gzip.decompress(data).decode("utf-8").startswith("# newsbeam-gazetteer/1\n")


def test_hand_list_lines_are_well_formed():
    text = (resources.files("transforms.entities") / "data" / "people_orgs.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        assert 3 <= len(fields) <= 5, line
        assert fields[0] == "-" or (fields[0][0] == "Q" and fields[0][1:].isdigit()), line
        assert fields[1] in ("PER", "ORG", "LOC", "MISC"), line


def test_build_reproduces_the_committed_file(tmp_path):
    shared = shared_path("gazetteer")
    from transforms.entities.gazetteer_build import main

    out = tmp_path / "g.tsv.gz"
    main(["--shared", str(shared.parent), "--out", str(out)])
    committed = resources.files("transforms.entities") / "data" / "gazetteer.tsv.gz"
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(committed.read_bytes()), (
        "stale: run python -m transforms.entities.gazetteer_build and commit transforms/entities/data/gazetteer.tsv.gz"
    )


def test_towns_come_from_istat_and_are_evidence_only(gaz):
    assert {"Stroppiana", "Arzachena", "Bozen", "Bolzano"} <= gaz.towns
    assert not any(len(t) < 4 for t in gaz.towns)
    # never matched on their own: many Italian surnames are towns
    assert gaz.match(tokenize("Stroppiana")) == []


def test_istat_list_is_parsed_from_its_csv(tmp_path):
    from transforms.entities.gazetteer_build import towns_from_istat

    head = (
        'Codice Regione;"Codice\nstatistico";Denominazione in italiano;Denominazione altra lingua\n'
    )
    rows = "01;1;Bolzano;Bozen\n01;2;Rho;\n01;3;Sankt Ulrich;Ortisei/St. Ulrich\n"
    path = tmp_path / "comuni.csv"
    path.write_bytes((head + rows).encode("cp1252"))
    assert towns_from_istat(path) == ["Bolzano", "Bozen", "Ortisei", "Sankt Ulrich", "St. Ulrich"]
