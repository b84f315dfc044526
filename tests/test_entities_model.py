"""The statistical entity backend: features, BIO decoding, training on newsbeam's own tokens, the
bundled CRF and the backend switch (rules | model | model+rules)."""

from __future__ import annotations

import argparse
import importlib.util

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import ROOT, make_article
from transforms.entities import TagEntities, tag_entities
from transforms.entities.doc import Doc
from transforms.entities.features import shape, token_features
from transforms.entities.model import NerModel, bio_spans
from transforms.entities.tag import MODEL_LANGUAGES, tag_entities_model, tag_with

_spec = importlib.util.spec_from_file_location("train_ner", ROOT / "bench/train_ner.py")
train_ner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_ner)


@pytest.fixture(scope="module")
def model():
    return NerModel()


@pytest.mark.parametrize(
    "word, expected",
    [("Putin", "Xx"), ("NATO", "X"), ("2026", "d"), ("Ban-Ki", "Xx-Xx"), ("l'", "x'"), (".", ".")],
)
def test_shape(word, expected):
    assert shape(word) == expected


@pytest.mark.parametrize(
    "tags, spans",
    [
        (["B-PER", "I-PER", "O"], [(0, 2, "PER")]),
        (["I-LOC", "I-LOC"], [(0, 2, "LOC")]),  # IO tags open a span too
        (["B-ORG", "B-ORG"], [(0, 1, "ORG"), (1, 2, "ORG")]),
        (["B-PER", "I-LOC"], [(0, 1, "PER"), (1, 2, "LOC")]),
        (["O", "O"], []),
        ([], []),
    ],
)
def test_bio_spans(tags, spans):
    assert bio_spans(tags) == spans


def test_features_see_the_gazetteer_and_the_neighbours(gaz):
    doc = Doc("Ieri Putin a Mosca.", gaz)
    feats = token_features(doc)
    assert len(feats) == len(doc.tokens)
    putin = feats[1]
    assert "g=B-PER:hand" in putin and "w=putin" in putin and "s=Xx" in putin
    assert "-1w=ieri" in putin and "1w=a" in putin and "2g=B-LOC:city" in putin
    assert "init" in feats[0] and "-1edge" in feats[0] and "1edge" in feats[-1]


def test_gold_tags_move_onto_newsbeam_tokens(gaz):
    # The gold tokenisation glues what newsbeam splits ("l'Ucraina", "Ban-Ki"): each piece of a
    # gold token takes its tag, and only the first piece of a name opens it.
    doc = [[("Ban-Ki", "B-PER"), ("Moon", "I-PER"), ("visita", "O"), ("Kiev", "B-LOC")]]
    xseq, yseq = train_ner.sequence(doc, gaz)
    assert yseq == ["B-PER", "I-PER", "I-PER", "I-PER", "O", "B-LOC"]
    assert len(xseq) == len(yseq)


def test_each_model_trains_with_its_own_settings():
    def params(*argv):
        ap = argparse.Namespace(c1=None, c2=None, iterations=None, algorithm="lbfgs", param=[])
        ap.language = None
        for name, value in zip(argv[::2], argv[1::2], strict=True):
            setattr(ap, name, value)
        return train_ner._params(ap)

    german = params("language", "de")
    assert german["feature.possible_states"] is True and german["c1"] == 0.1
    assert german["max_iterations"] == 300
    shared = params()
    assert shared["c1"] == 0.05 and "feature.possible_states" not in shared
    assert params("language", "de", "c1", 0.3)["c1"] == 0.3  # the command line wins
    perceptron = params("algorithm", "ap")
    assert "c1" not in perceptron and "c2" not in perceptron


def _smartdata_doc(doc_id: str, text: str, mentions: list[tuple[str, str]]) -> dict:
    spans = [
        {
            "type": kind,
            "span": {"start": text.index(surface), "end": text.index(surface) + len(surface)},
        }
        for surface, kind in mentions
    ]
    return {"id": doc_id, "text": {"string": text}, "conceptMentions": {"array": spans}}


def test_smartdata_mentions_become_bio_tags_on_our_tokens(tmp_path):
    import gzip
    import json

    text = (
        "Die Deutsche Bahn meldet in Berlin Verspätungen. "
        "Türkische Züge fahren laut Anna Roth in beiden Richtungen."
    )
    news = _smartdata_doc(
        "http://example.de/a",
        text,
        [
            ("Deutsche Bahn", "organization-company"),
            ("Berlin", "location-city"),
            ("Verspätungen", "trigger"),  # no name: dropped
            ("Türkische", "location"),  # a place's adjective: MISC, as GermEval's LOCderiv
            ("Anna Roth", "person"),
            ("beiden Richtungen", "location"),  # opens in lower case: no name
        ],
    )
    tweet = _smartdata_doc(
        "640470024180879360", "RT @DB_Bahn: Berlin gesperrt", [("Berlin", "location")]
    )
    path = tmp_path / "v1.json.gz"
    path.write_bytes(gzip.compress("\n".join(json.dumps(d) for d in (news, tweet, news)).encode()))
    docs = train_ner.read_any(path, "smartdata")
    assert len(docs) == 1  # the tweet and the repeated text are left out
    assert [len(sent) for sent in docs[0]] == [8, 10]  # two sentences
    tagged = {tok: tag for sent in docs[0] for tok, tag in sent}
    assert tagged["Deutsche"] == "B-ORG" and tagged["Bahn"] == "I-ORG"
    assert tagged["Berlin"] == "B-LOC" and tagged["Verspätungen"] == "O"
    assert tagged["Anna"] == "B-PER" and tagged["Roth"] == "I-PER"
    assert tagged["Türkische"] == "B-MISC" and tagged["beiden"] == tagged["Richtungen"] == "O"


def test_winer_articles_become_bio_tags_on_our_tokens(tmp_path):
    # WiNER-fr's BRAT files: the outermost name wins ("Valence" inside the mosque's name), events
    # and products are MISC, dates are no names, a fragmented name spans its fragments. Words
    # stay as the text writes them ("Jean-Marc"), cut only where a name starts or ends inside
    # one ("l'" | "ONU", "(" | "Drôme" | ")").
    text = (
        "France : attaque à Valence (Drôme)\n\n"
        "Le 1er janvier, devant la Grande Mosquée de Valence, l'ONU et la Coupe du monde.\n"
        "Jean-Marc Morandini a parlé.\n"
    )
    spans = [
        ("Location", "France"),
        ("Location", "Valence"),
        ("Location", "Drôme"),
        ("Date", "1er janvier"),
        ("Organization", "Grande Mosquée de Valence"),
        ("Event", "Coupe du monde"),
        ("Person", "Jean-Marc Morandini"),
    ]
    lines, pos = [], 0
    for k, (kind, surface) in enumerate(spans, 1):
        start = text.index(surface, pos)
        lines.append(f"T{k}\t{kind} {start} {start + len(surface)}\t{surface}")
        pos = start + 1 if kind != "Organization" else pos
    inner = text.index("Valence", text.index("Mosquée"))
    lines.append(f"T9\tLocation {inner} {inner + 7}\tValence")
    onu = text.index("ONU")
    lines.append(f"T10\tOrganization {onu} {onu + 1};{onu + 1} {onu + 3}\tO NU")
    folder = tmp_path / "2016" / "01"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "a.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = train_ner.read_any(tmp_path, "winer")
    assert len(docs) == 1 and len(docs[0]) == 3  # one article, its three lines with words
    tags = [(tok, tag) for sent in docs[0] for tok, tag in sent if tag != "O"]
    assert tags == [
        ("France", "B-LOC"),
        ("Valence", "B-LOC"),
        ("Drôme", "B-LOC"),
        ("Grande", "B-ORG"),
        ("Mosquée", "I-ORG"),
        ("de", "I-ORG"),
        ("Valence", "I-ORG"),
        ("ONU", "B-ORG"),
        ("Coupe", "B-MISC"),
        ("du", "I-MISC"),
        ("monde", "I-MISC"),
        ("Jean-Marc", "B-PER"),
        ("Morandini", "I-PER"),
    ]
    assert docs[0][0][-3:] == [("(", "O"), ("Drôme", "B-LOC"), (")", "O")]
    assert [tok for tok, _ in docs[0][1][:4]] == ["Le", "1er", "janvier,", "devant"]
    assert ("l'", "O") in docs[0][1] and ("monde", "I-MISC") in docs[0][1]


def test_a_model_trained_here_learns_the_pattern(gaz, tmp_path):
    path = _tiny_model(gaz, tmp_path)
    ents = tag_entities_model("Oggi Gino Riva parla.", gaz, NerModel(path), "it")
    assert [(e.text, e.label) for e in ents] == [("Gino Riva", "PER")]


def _tiny_model(gaz, tmp_path) -> str:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    people = ["Carla Neri", "Piero Sala", "Ada Conti", "Ugo Ferri", "Lia Gatti", "Rino Bassi"]
    for k, name in enumerate(people):
        first, last = name.split()
        sent = [("Oggi", "O"), (first, "B-PER"), (last, "I-PER"), ("parla", "O"), (".", "O")]
        sent += [("Poi", "O"), ("vola", "O"), ("a", "O"), (["Lione", "Praga"][k % 2], "B-LOC")]
        trainer.append(*train_ner.sequence([sent], gaz))
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 50})
    path = str(tmp_path / "tiny.crfsuite")
    trainer.train(path)
    return path


def test_a_language_with_its_own_model_is_tagged_by_it(gaz, tmp_path):
    import pycrfsuite

    shared = _tiny_model(gaz, tmp_path)
    trainer = pycrfsuite.Trainer(verbose=False)  # a "German" model that finds no names
    trainer.append(*train_ner.sequence([[("Oggi", "O"), ("Gino", "O"), ("Riva", "O")]], gaz))
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 20})
    german = str(tmp_path / "de.crfsuite")
    trainer.train(german)
    model = NerModel(shared, languages={"de": german})
    text = "Oggi Gino Riva parla."
    assert [e.text for e in tag_entities_model(text, gaz, model, "it")] == ["Gino Riva"]
    assert [e.text for e in tag_entities_model(text, gaz, model, "und")] == ["Gino Riva"]
    assert tag_entities_model(text, gaz, model, "de") == []


def test_the_bundled_models_are_the_shared_one_german_and_french(model):
    assert set(model.by_language) == {"de", "fr"}


def test_the_bundled_french_model_reads_french_news(gaz, model):
    # French's own model (WiNER-fr's Wikinews and HIPE): the shared one took the statistics
    # institute for a place and missed the union.
    text = (
        "Le président Emmanuel Macron a reçu mardi à Paris António Guterres. Selon l'Insee, le "
        "chômage a baissé en Bretagne, a indiqué Jean Dupontel, porte-parole de la CGT."
    )
    ents = {(e.text, e.label, e.id) for e in tag_entities_model(text, gaz, model, "fr")}
    assert {("Emmanuel Macron", "PER", "Q3052772"), ("António Guterres", "PER", "Q311440")} <= ents
    assert {("Insee", "ORG", None), ("CGT", "ORG", None), ("Jean Dupontel", "PER", None)} <= ents


def test_bundled_model_tags_and_links(gaz, model):
    text = "Der Bundeskanzler Olaf Scholz traf in Berlin Vertreter der Industrie."
    ents = {(e.text, e.label, e.id) for e in tag_entities_model(text, gaz, model, "de")}
    assert ("Olaf Scholz", "PER", "Q61053") in ents
    assert ("Berlin", "LOC", "Q64") in ents
    assert not any(e[0] == "Industrie" for e in ents)  # a German noun, not a name


def test_model_and_rules_split_the_work_by_language(gaz, model):
    text = "Il presidente Mattarella ha incontrato a Roma i vertici della Fiat."
    assert MODEL_LANGUAGES == {"de", "es", "fr"}
    assert tag_with("model+rules", text, gaz, model, "it") == tag_entities(text, gaz)
    german = "Bundeskanzler Olaf Scholz sprach in Berlin."
    assert tag_with("model+rules", german, gaz, model, "de") == tag_entities_model(
        german, gaz, model, "de"
    )
    russian = "Президент России Владимир Путин прибыл в Москву."  # a language it never saw
    assert tag_with("model+rules", russian, gaz, model, "ru") == tag_entities(russian, gaz)


@pytest.mark.parametrize("backend", ["model", "model+rules"])
def test_composite_runs_each_backend(backend):
    article = make_article("Olaf Scholz sprach in Berlin.", article_id="a", language="de")
    with TestPipeline() as p:
        out = p | beam.Create([article]) | TagEntities(backend=backend)
        found = out["articles"] | beam.Map(lambda a: [(e.text, e.label) for e in a.entities])
        assert_that(found, equal_to([[("Olaf Scholz", "PER"), ("Berlin", "LOC")]]))
