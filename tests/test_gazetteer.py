"""The tokenizer and the gazetteer: keys, longest-leftmost matching, the bundled file, its build."""

from __future__ import annotations

import gzip
import importlib.util
import pickle
from importlib import resources
from pathlib import Path

import pytest

from tests.conftest import shared_path
from transforms.entities import Gazetteer
from transforms.entities.tokens import ending_variants, token_key, tokenize


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
        # Han, kana and Hangul: a character is a token, so names match inside a run of text.
        ("在北京会见", ["在", "北", "京", "会", "见"]),
        ("서울에서 Tokyo東京。", ["서", "울", "에", "서", "Tokyo", "東", "京", "。"]),
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
        # Cyrillic words lose one case ending, marked "~", so an inflected name meets its
        # nominative.
        ("Москве", frozenset(), "Москв~"),
        ("Москва", frozenset(), "Москв~"),
        ("России", frozenset(), "Росс~"),
        ("Россией", frozenset(), "Росс~"),
        ("Путина", frozenset(), "Путин~"),
        ("Путин", frozenset(), "Путин"),
        ("Ира", frozenset(), "Ира"),  # three letters stay
        ("США", frozenset({"США"}), "США"),  # a known acronym keeps its form
    ],
)
def test_token_key(token, caps, key):
    assert token_key(token, caps) == key


def test_a_name_without_an_ending_also_matches_its_inflected_forms():
    assert ending_variants(["Путин"]) == [["Путин"], ["Путин~"]]
    assert ending_variants(["Колумб~"]) == [["Колумб~"]]  # "Колумбия" is never plain "Колумб"
    assert ending_variants(["Paris"]) == [["Paris"]]


def test_the_build_keeps_other_scripts_but_not_their_cut_words_or_adjectives():
    from transforms.entities.scripts import other_script, without_cut_words

    names = ["Colombia", "Col", "Колумбия", "Колумб", "Колумби", "República de Colombia"]
    assert without_cut_words(names) == ["Colombia", "Col", "Колумбия", "República de Colombia"]
    assert without_cut_words(["مصر", "مصري"]) == ["مصر", "مصري"]  # only Cyrillic words are cut
    assert other_script("Россия") and other_script("中国") and other_script("مصر")
    assert not other_script("египетский")  # lower case where the script has capitals
    assert not other_script("中")  # one Han character is too short
    assert not other_script("Paris")


@pytest.mark.parametrize(
    "text, found",
    [
        (
            "中国外交部长在北京会见了俄罗斯总统。",
            [("中国", "Q148"), ("北京", "Q956"), ("俄罗斯", "Q159")],
        ),
        ("雖然美國的許多數字化轉型", [("美國", "Q30")]),
        ("東京で首相が会談した。", [("東京", "Q1490")]),
        ("서울에서 미국 대통령이 연설했다.", [("서울", "Q8684"), ("미국", "Q30")]),
        ("Президент России прибыл в Москву.", [("России", "Q159"), ("Москву", "Q649")]),
        ("وصل الوفد إلى القاهرة من مصر.", [("القاهرة", "Q85"), ("مصر", "Q79")]),
        ("भारत के प्रधानमंत्री ने दिल्ली में बैठक की।", [("भारत", "Q668"), ("दिल्ली", "Q1353")]),
        # Columbus is not Colombia; an American ("美國人") is not the United States.
        ("Христофор Колумб приплыл в Колумбию.", [("Колумбию", "Q739")]),
        ("這位美國人說道，美國解放了古巴。", [("美國", "Q30"), ("古巴", "Q241")]),
    ],
)
def test_names_in_other_scripts_match_and_link(text, found, gaz):
    tokens = tokenize(text)
    got = [
        (text[tokens[m.i][1] : tokens[m.j - 1][2]], gaz.entries[m.entry].qid)
        for m in gaz.match(tokens)
    ]
    assert got == found


def test_a_country_is_known_without_the_after_of(gaz):
    text = "An outbreak in the Democratic Republic of Congo and in the Republic of the Congo."
    tokens = tokenize(text)
    got = [
        (text[tokens[m.i][1] : tokens[m.j - 1][2]], gaz.entries[m.entry].qid)
        for m in gaz.match(tokens)
    ]
    assert got == [("Democratic Republic of Congo", "Q974"), ("Republic of the Congo", "Q971")]


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


def test_a_gazetteer_comes_back_whole_from_a_pickle():
    """The cache keeps the built gazetteer as a pickle (load_gazetteer). A compiled class
    unpickles by calling __init__ without arguments: with required ones, this raised."""
    rows = [("Q1", "LOC", "country", ["New York", "NY"]), ("Q2", "PER", "hand", ["Ann Lee"])]
    g = pickle.loads(pickle.dumps(Gazetteer(rows, {"Ann"}, {"Lecco"})))
    tokens = tokenize("Ann Lee left New York")
    assert [(m.i, m.j, g.entries[m.entry].qid) for m in g.match(tokens)] == [
        (0, 2, "Q2"),
        (3, 5, "Q1"),
    ]
    assert g.first_names == {"Ann"} and g.towns == {"Lecco"}
    assert g.by_qid == {"Q1": 0, "Q2": 1}
    assert Gazetteer().match(tokens) == []  # the empty one unpickling starts from


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


def test_spelling_key_folds_transliterations_and_accents():
    from transforms.entities.gazetteer_build import spelling_key

    assert spelling_key("Sergey Shoygu") == spelling_key("Sergej Schoigu") == "sergei shoigu"
    assert spelling_key("Alberto Núñez Feijóo") == spelling_key("Alberto Nunez Feijoo")
    assert spelling_key("Yoon Suk-yeol") == spelling_key("Yoon Suk Yeol")
    assert spelling_key("Mario Rossi") != spelling_key("Maria Rossi")


def test_a_hand_listed_name_takes_the_one_qid_its_spellings_have():
    from transforms.entities.gazetteer_build import _by_spelling, _listed_names, listed_qid

    wikidata = [
        ("Q32024", "PER", ["Sergey Shoygu"]),
        ("Q1", "PER", ["John Smith"]),
        ("Q2", "PER", ["Jon Smith"]),  # another man
        ("Q3", "ORG", ["Lega Nord"]),
    ]
    listed, by_spelling = _listed_names(wikidata), _by_spelling(wikidata)

    def qid(names, label="PER"):
        return listed_qid(names, label, listed, by_spelling)

    assert qid(["Sergey Shoigu", "Shoigu"]) == "Q32024"  # folded: Shoygu = Shoigu
    assert qid(["Lega", "Lega Nord"], "ORG") == "Q3"  # a full alias, spelt as written
    assert qid(["Lega Nord"], "PER") is None  # the label must agree
    assert qid(["Shoygu"]) is None  # a bare surname is too often a namesake
    assert qid(["Yon Smith", "Jon Smith", "John Smith"]) is None  # two people: neither
    assert qid(["Wang Yi"]) is None


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


def test_given_names_build_reproduces_the_committed_file():
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bgn", root / "bench/build_given_names.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    data = resources.files("transforms.entities") / "data"
    assert build.render(build.given_names()) == (data / build.OUT_FILE).read_text("utf-8"), (
        "stale: run python bench/build_given_names.py and commit its files"
    )
    places = build.render(build.place_given_names(), ", that are also a place's or a body's name")
    assert places == (data / build.PLACES_OUT_FILE).read_text("utf-8"), "stale: rebuild, commit"


def test_given_names_extend_the_hand_list_but_claim_no_word_or_place(gaz):
    built = (resources.files("transforms.entities") / "data" / "given_names.txt").read_text("utf-8")
    names = {line for line in built.splitlines() if not line.startswith("#")}
    assert {"Fidel", "Whitney"} <= names <= gaz.first_names
    assert not names & {"Grace", "Will", "Georgia", "Victoria", "Bruno"}  # word, places, hand list
    owned = (resources.files("transforms.entities") / "data" / "place_given_names.txt").read_text(
        "utf-8"
    )
    owned_names = {line for line in owned.splitlines() if not line.startswith("#")}
    assert {"Nelson", "Kobe", "Chelsea"} <= owned_names and not owned_names & names


@pytest.mark.parametrize(
    "text, qid",
    [
        ("in Emilia Romagna ieri", "Q1263"),  # the gazetteer writes Emilia-Romagna
        ("in Emilia-Romagna ieri", "Q1263"),
    ],
)
def test_a_hyphen_between_capitalised_words_may_be_left_out(text, qid, gaz):
    tokens = tokenize(text)
    (m,) = gaz.match(tokens)
    assert gaz.entries[m.entry].qid == qid


def test_a_hyphen_before_a_lower_case_word_stays():
    from transforms.entities.gazetteer import _without_hyphens

    assert _without_hyphens(["Ban", "Ki", "-", "moon"]) is None
    assert _without_hyphens(["Friuli", "-", "Venezia", "Giulia"]) == ["Friuli", "Venezia", "Giulia"]
