"""NER data for the evaluation and the training scripts: readers (CoNLL-like files, GermEval
TSV), the fixed halves of the dev sets, and the permissively licensed sets the CRF trains on.

Documents -> sentences -> (token, tag); tags are BIO or IO over PER, ORG, LOC, MISC.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from pathlib import Path

from smartdata_data import read_smartdata

from transforms.entities.model import bio_spans

# Files without document marks (KIND, Europarl) are cut into pseudo-documents of this many
# sentences.
BLOCK = 15


def read_conll(path: Path, fmt: str) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, tag). fmt: kind | conllu | wikigold | conll (token first,
    tag last, whitespace between, -DOCSTART- lines between documents)."""
    docs, doc, sent = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sent:
                doc.append(sent)
                sent = []
            continue
        parts = line.split("\t") if fmt in ("kind", "conllu") else line.split()
        token, tag = (parts[1], parts[2]) if fmt == "conllu" else (parts[0], parts[-1])
        if token == "-DOCSTART-":
            if sent:
                doc.append(sent)
                sent = []
            if doc:
                docs.append(doc)
            doc = []
            continue
        sent.append((token, tag))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    if len(docs) == 1 or fmt == "kind":
        flat = [s for d in docs for s in d]
        docs = [flat[k : k + BLOCK] for k in range(0, len(flat), BLOCK)]
    return docs


def half_of(doc) -> str:
    """The fixed half a document belongs to, "A" or "B", from a hash of its words: the same
    document is always in the same half, whatever order a file lists documents in."""
    return "AB"[_doc_hash(doc) >> 56 & 1]


def take_half(docs: list, half: str) -> list:
    return docs if half == "all" else [d for d in docs if half_of(d) == half]


def build_doc(doc) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int, str, str]]]:
    """Text (sentences on lines, tokens spaced), gold char spans, tokens with offsets and tags."""
    parts, tokens, pos = [], [], 0
    for sent in doc:
        for k, (tok, tag) in enumerate(sent):
            if k:
                parts.append(" ")
                pos += 1
            tokens.append((pos, pos + len(tok), tok, tag))
            parts.append(tok)
            pos += len(tok)
        parts.append("\n")
        pos += 1
    spans = bio_spans([t[3] for t in tokens])
    gold = [(tokens[i][0], tokens[j - 1][1], label) for i, j, label in spans]
    return "".join(parts), gold, tokens


def held_out(doc) -> bool:
    """A fifth of each training set, fixed by a hash of its words, is never trained on: it is the
    check set of the languages no dev set covers."""
    return _doc_hash(doc) % 5 == 0


def _doc_hash(doc) -> int:
    words = " ".join(tok for sent in doc for tok, _ in sent)
    return int.from_bytes(hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest(), "big")


# GermEval 2014 labels -> ours: derived forms ("deutschen", LOCderiv) are MISC as in CoNLL;
# a name inside a word ("EU-Kommission", ORGpart) is not a name of its own.
GERMEVAL = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "OTH": "MISC"}


def read_germeval(path: Path) -> list[list[list[tuple[str, str]]]]:
    """GermEval 2014 TSV: a `#` line opens each sentence; outer-level tags only."""
    docs, sent = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            if sent:
                docs.append([sent])
                sent = []
            continue
        _, token, tag = line.split("\t")[:3]
        kind = GERMEVAL.get(tag[2:]) if tag != "O" else None
        if tag[2:].endswith("deriv"):
            kind = "MISC"
        sent.append((token, f"{tag[:2]}{kind}" if kind else "O"))
    if sent:
        docs.append([sent])
    return [[s for d in docs[k : k + BLOCK] for s in d] for k in range(0, len(docs), BLOCK)]


def read_hipe(path: Path) -> list[list[list[tuple[str, str]]]]:
    """HIPE-2022 TSV (coarse literal tags; HumanProd is MISC): sentences end at EndOfSentence,
    documents at `# hipe2022:document_id`; each document cut into blocks of BLOCK sentences."""
    docs: list[list] = []
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.startswith("# hipe2022:document_id"):
            if sent:
                docs[-1].append(sent)
                sent = []
            docs.append([])
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        tag = cols[1].replace("HumanProd", "MISC")
        sent.append((cols[0], tag if tag[2:] in ("PER", "ORG", "LOC", "MISC") else "O"))
        if "EndOfSentence" in cols[-1]:
            docs[-1].append(sent)
            sent = []
    if sent:
        docs[-1].append(sent)
    return [d[k : k + BLOCK] for d in docs for k in range(0, len(d), BLOCK) if d]


def read_uner(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Universal NER `.iob2` files: `# newdoc` opens a document, other `#` lines are comments,
    then `index<TAB>token<TAB>BIO tag`; documents cut into blocks of BLOCK sentences."""
    docs: list[list] = [[]]
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc") and docs[-1]:
            docs.append([])
        if line.startswith("#"):
            continue
        if not line.strip():
            if sent:
                docs[-1].append(sent)
                sent = []
            continue
        cols = line.split("\t")
        sent.append((cols[1], cols[2]))
    if sent:
        docs[-1].append(sent)
    return [d[k : k + BLOCK] for d in docs for k in range(0, len(d), BLOCK) if d]


# WiNER-fr's types -> ours: events and products are MISC, as in CoNLL; dates and hours are no
# names.
WINER = {
    "Person": "PER",
    "Organization": "ORG",
    "Location": "LOC",
    "Event": "MISC",
    "Product": "MISC",
}


def read_winer(path: Path) -> list[list[list[tuple[str, str]]]]:
    """WiNER-fr (French Wikinews, BRAT standoff): one document per article, its lines as
    sentences, each word tagged by the outermost entity it starts in (_tagged)."""
    docs = []
    for txt in sorted(path.glob("*/*/*.txt")):
        text = txt.read_text(encoding="utf-8")
        entities = _outermost(_brat_entities(txt.with_suffix(".ann")))
        docs.append(
            [s for s in (_tagged(line, start, entities) for line, start in _lines(text)) if s]
        )
    return docs


def _brat_entities(ann: Path) -> list[tuple[int, int, str]]:
    """(start, end, our label) of each text-bound annotation of a type we keep; a fragmented one
    spans from its first fragment's start to its last's end."""
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        kind, *offsets = line.split("\t")[1].replace(";", " ").split()
        if kind in WINER:
            out.append((int(offsets[0]), int(offsets[-1]), WINER[kind]))
    return out


def _outermost(entities: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entities inside no other ("Valence" in "Grande Mosquée de Valence"), by start; of two
    with the same span, the first listed."""
    ordered = sorted(entities, key=lambda e: (e[0], -e[1]))
    out: list[tuple[int, int, str]] = []
    for e in ordered:
        if not out or e[0] >= out[-1][1]:
            out.append(e)
    return out


def _lines(text: str) -> list[tuple[str, int]]:
    """(line, where it starts in text) for each line with words."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((line, pos))
        pos += len(line) + 1
    return out


def _tagged(line: str, offset: int, entities: list) -> list[tuple[str, str]]:
    """The line's words as it writes them ("Jean-Marc", "l'ONU"), cut where a name starts or
    ends inside one ("l'" | "ONU"), BIO-tagged by the entity each piece starts in. Cut any
    further, build_doc would space the pieces apart ("Jean - Marc"), a text no one writes."""
    starts = [e[0] for e in entities]
    cuts = sorted({b for e in entities for b in e[:2]})
    out, last = [], None
    for chunk in re.finditer(r"\S+", line):
        a, b = offset + chunk.start(), offset + chunk.end()
        inner = cuts[bisect_right(cuts, a) : bisect_left(cuts, b)]
        for start, end in zip([a, *inner], [*inner, b], strict=True):
            k = bisect_right(starts, start) - 1
            inside = k >= 0 and start < entities[k][1]
            tag = "O"
            if inside:
                tag = ("I-" if last == k else "B-") + entities[k][2]
            last = k if inside else None
            out.append((line[start - offset : end - offset], tag))
    return out


def read_any(path: Path, fmt: str) -> list[list[list[tuple[str, str]]]]:
    readers = {
        "germeval": read_germeval,
        "hipe": read_hipe,
        "smartdata": lambda p: read_smartdata(p, BLOCK),
        "uner": read_uner,
        "winer": read_winer,
    }
    return readers[fmt](path) if fmt in readers else read_conll(path, fmt)


# Training sets under a data folder (bench/train_ner.py --data DIR): (language, path, format,
# licence). Each file is as published, in a folder of our naming: europarl_ner_ixa/ holds the root
# files of ixa-ehu/ner-evaluation-corpus-europarl, germeval2014/ GermEval2014/*.tsv of
# davidsbatista/NER-datasets, hipe2022_newseye_sonar/ the data/v2.1/newseye/fr/ files of
# hipe-eval/HIPE-2022-data, smartdata/ the v1_20180119/{train,test}.json.gz of
# DFKI-NLP/smartdata-corpus as v1-{train,test}.json.gz, winer_fr/ the YYYY/ folders of
# YoannDupont/WiNER-fr's v1-adjudication branch. Commits and licences in
# transforms/PROVENANCE.md.
TRAINING = (
    ("it", "europarl_ner_ixa/it-europarl.test.conll02", "conll", "Europarl terms of use"),
    ("en", "europarl_ner_ixa/en-europarl.test.conll02", "conll", "Europarl terms of use"),
    ("de", "europarl_ner_ixa/de-europarl.test.conll02", "conll", "Europarl terms of use"),
    ("es", "europarl_ner_ixa/es-europarl.test.conll02", "conll", "Europarl terms of use"),
    ("de", "germeval2014/NER-de-dev.tsv", "germeval", "CC BY 4.0"),
    ("de", "germeval2014/NER-de-test.tsv", "germeval", "CC BY 4.0"),
    ("fr", "hipe2022_newseye_sonar/HIPE-2022-v2.1-newseye-dev-fr.tsv", "hipe", "CC BY 4.0"),
    ("fr", "hipe2022_newseye_sonar/HIPE-2022-v2.1-newseye-dev2-fr.tsv", "hipe", "CC BY 4.0"),
    ("fr", "hipe2022_newseye_sonar/HIPE-2022-v2.1-newseye-test-fr.tsv", "hipe", "CC BY 4.0"),
    ("de", "smartdata/v1-train.json.gz", "smartdata", "CC BY 4.0"),
    ("de", "smartdata/v1-test.json.gz", "smartdata", "CC BY 4.0"),
    ("fr", "winer_fr", "winer", "CC BY 4.0 (annotations), CC BY 2.5 (Wikinews texts)"),
)


# Sets that train only their language's own model (ner-<language>.crfsuite), not the shared one:
# SmartData's 110,000 tokens of German traffic and business news pulled the shared weights German's
# way (French on half A of its check set: 0.599 without them, 0.569 with them; German alone
# trains as well on its own: 0.726 against 0.716 with the shared model, half A). WiNER-fr's
# ~260,000 tokens of French news train French's own model (session 26), so the shared model the
# other languages use is left as it shipped.
OWN_MODEL_ONLY = {"smartdata", "winer_fr"}


# Text from outside every training and dev set, for evaluation only (`eval_entities.py --uner
# DATA`): Universal NER's test files (never trained on, never shipped), under DATA/uner/ as
# published. PUD: 1,000 news and Wikipedia sentences each, in short documents:
# UniversalNER/UNER_English-PUD 07ea0553, UNER_German-PUD 47eb039b, UNER_Chinese-PUD 647ba537,
# UNER_Russian-PUD 6f5acd6d, UNER_Portuguese-PUD cda2cf86 (CC BY-SA 3.0), UNER_Swedish-PUD
# 7fed5e26 (CC BY-SA 4.0). Croatian and Serbian SETimes news (UNER_Croatian-SET 20dcb2ef,
# UNER_Serbian-SET 0d9685f0) and the Slovak National Corpus (UNER_Slovak-SNK 886e7c6d), CC BY-SA
# 4.0. All but English and German are languages the CRF never saw. UNER tags a country that acts
# (a government) as ORG, where our rules and CoNLL say LOC.
UNER_SETS = (
    ("en", "uner/en_pud-ud-test.iob2"),
    ("de", "uner/de_pud-ud-test.iob2"),
    ("zh", "uner/zh_pud-ud-test.iob2"),
    ("ru", "uner/ru_pud-ud-test.iob2"),
    ("pt", "uner/pt_pud-ud-test.iob2"),
    ("sv", "uner/sv_pud-ud-test.iob2"),
    ("hr", "uner/hr_set-ud-test.iob2"),
    ("sr", "uner/sr_set-ud-test.iob2"),
    ("sk", "uner/sk_snk-ud-test.iob2"),
)


def source_of(rel: str) -> str:
    """A training set's source: the folder of our naming it sits in ("smartdata")."""
    return rel.split("/")[0]


def check_docs(data: Path, half: str, per_source: bool = False) -> dict[str, list]:
    """Language (or "language source") -> the held-out fifths of its training sets (never
    trained on), one half."""
    by_lang: dict[str, list] = {}
    for lang, rel, fmt, _ in TRAINING:
        docs = [d for d in read_any(data / rel, fmt) if held_out(d)]
        key = f"{lang} {source_of(rel)}" if per_source else lang
        by_lang.setdefault(key, []).extend(take_half(docs, half))
    return by_lang


def write_conll(docs: list, path: Path) -> None:
    """Documents as `token<TAB>tag` lines, sentences apart, -DOCSTART- between documents."""
    lines = []
    for doc in docs:
        lines += ["-DOCSTART-\tO", ""]
        for sent in doc:
            lines += [f"{tok}\t{tag}" for tok, tag in sent] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
