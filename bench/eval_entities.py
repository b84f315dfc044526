"""Entity tagging quality and speed on the NER dev sets in ../shared/eval/ner (evaluation only).

.venv/bin/python bench/eval_entities.py --shared ../shared [--ner-model it_core_news_lg]
Prints entity-level P/R/F1 per label (exact span and label), PER+ORG+LOC micro F1, token F1, ms/KB.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.entities import load_gazetteer, tag_entities
from transforms.entities.tag import tag_entities_spacy

CORE = ("PER", "ORG", "LOC")
KIND_BLOCK = 15  # KIND has no document marks: sentences are grouped into pseudo-documents


def read_conll(path: Path, fmt: str) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (token, tag). fmt: kind | conllu | wikigold."""
    docs, doc, sent = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if sent:
                doc.append(sent)
                sent = []
            continue
        parts = line.split("\t") if fmt != "wikigold" else line.split(" ")
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
    if fmt == "kind":
        flat = [s for d in docs for s in d]
        docs = [flat[k : k + KIND_BLOCK] for k in range(0, len(flat), KIND_BLOCK)]
    return docs


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
    gold, cur = [], None
    for s, e, _, tag in tokens + [(0, 0, "", "O")]:
        kind = tag[2:] if tag != "O" else None
        starts = tag.startswith("B-") or (cur and kind != cur[2])
        if cur and (kind is None or starts):
            gold.append(tuple(cur))
            cur = None
        if kind and cur is None:
            cur = [s, e, kind]
        elif kind:
            cur[1] = e
    return "".join(parts), gold, tokens


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(docs, tagger, labels_in_gold: set[str]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    ttp = tfp = tfn = 0
    nbytes, elapsed = 0, 0.0
    linked = []  # (text, label, qid, span and label agree with gold)
    for doc in docs:
        text, gold, tokens = build_doc(doc)
        t0 = time.process_time()
        ents = tagger(text)
        elapsed += time.process_time() - t0
        nbytes += len(text.encode("utf-8"))
        pred = {(e.start, e.end, e.label) for e in ents if e.label in labels_in_gold}
        gold_set = set(gold)
        linked += [
            (e.text, e.label, e.id, (e.start, e.end, e.label) in gold_set) for e in ents if e.id
        ]
        for x in pred & gold_set:
            tp[x[2]] += 1
        for x in pred - gold_set:
            fp[x[2]] += 1
        for x in gold_set - pred:
            fn[x[2]] += 1
        tag_at = {}
        for e in ents:
            if e.label in labels_in_gold:
                for s, t_end, _, _ in tokens:
                    if s >= e.start and t_end <= e.end:
                        tag_at[s] = e.label
        for s, _, _, tag in tokens:
            g, p = (tag[2:] if tag != "O" else None), tag_at.get(s)
            ttp += bool(g and p == g)
            tfp += bool(p and p != g)
            tfn += bool(g and p != g)
    return {
        "linked": linked,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tok": prf(ttp, tfp, tfn),
        "ms_kb": elapsed * 1000 / (nbytes / 1024),
    }


def report(name: str, res: dict, labels: list[str]) -> None:
    print(f"\n== {name} (dev figures) ==")
    print(f"{'label':6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    for lab in labels:
        p, r, f = prf(res["tp"][lab], res["fp"][lab], res["fn"][lab])
        print(f"{lab:6} {p:6.3f} {r:6.3f} {f:6.3f} {res['tp'][lab] + res['fn'][lab]:6d}")
    for group, labs in (("P+O+L", CORE), ("all", labels)):
        p, r, f = prf(*(sum(res[k][x] for x in labs) for k in ("tp", "fp", "fn")))
        print(f"{group:6} {p:6.3f} {r:6.3f} {f:6.3f}")
    p, r, f = res["tok"]
    linked = res["linked"]
    agree = sum(x[3] for x in linked) / len(linked) if linked else 0.0
    print(f"linked mentions {len(linked)}, span+label agree with gold {agree:.3f}")
    print(f"token-level P {p:.3f} R {r:.3f} F1 {f:.3f}; speed {res['ms_kb']:.3f} CPU ms/KB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--ner-model", default=None)
    ap.add_argument("--show-links", type=int, default=0, help="print N linked mentions to judge")
    ap.add_argument("--only", default=None, help="kind | conll | wikigold")
    args = ap.parse_args()
    root = args.shared / "eval/ner"
    if not root.is_dir():
        sys.exit(f"needs {root} (the team's shared evaluation data)")
    gaz = load_gazetteer()
    if args.ner_model:
        import spacy

        nlp = spacy.load(args.ner_model)

        def tagger(text):
            return tag_entities_spacy(text, nlp, gaz)
    else:

        def tagger(text):
            return tag_entities(text, gaz)

    sets = [
        (
            "kind",
            "KIND-it Wikinews dev",
            root / "kind-it/wikinews_dev.tsv",
            "kind",
            ["PER", "ORG", "LOC"],
        ),
        (
            "conll",
            "CoNLL-2003-en val",
            root / "conll2003-en/val.conllu",
            "conllu",
            ["PER", "ORG", "LOC", "MISC"],
        ),
        (
            "wikigold",
            "Wikigold-en",
            root / "wikigold-en/wikigold.conll.txt",
            "wikigold",
            ["PER", "ORG", "LOC", "MISC"],
        ),
    ]
    for key, name, path, fmt, labels in sets:
        if args.only and args.only != key:
            continue
        docs = read_conll(path, fmt)
        res = evaluate(docs, tagger, set(labels))
        report(name, res, labels)
        if args.show_links:
            counts = Counter((t, lab, q) for t, lab, q, _ in res["linked"])
            for (t, lab, q), c in counts.most_common(args.show_links):
                print(f"  {c:4d} {lab} {q} {t}")


if __name__ == "__main__":
    main()
