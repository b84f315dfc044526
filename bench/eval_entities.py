"""Entity tagging quality and speed on the NER dev sets in ../shared/eval/ner (evaluation only).

.venv/bin/python bench/eval_entities.py --shared ../shared [--half A|B|all] [--backend rules|model|
    model+rules] [--ner-model it_core_news_lg]
Prints entity-level P/R/F1 per label (exact span and label), PER+ORG+LOC micro F1, token F1, ms/KB.
Every dev set is split into two fixed halves by document (half_of): choices are made on half A,
figures are reported on half B, the default.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ner_data import (
    UNER_SETS,
    build_doc,
    check_docs,
    read_any,
    read_conll,
    take_half,
    write_conll,
)

from transforms.entities import load_gazetteer
from transforms.entities.model import NerModel
from transforms.entities.tag import BACKENDS, load_backend, tag_with

CORE = ("PER", "ORG", "LOC")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(docs, tagger, labels_in_gold: set[str]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    ttp = tfp = tfn = 0
    nbytes, elapsed = 0, 0.0
    linked = []  # (text, label, qid, span and label agree with gold)
    found = Counter()  # label -> mentions found
    for doc in docs:
        text, gold, tokens = build_doc(doc)
        t0 = time.process_time()
        ents = tagger(text)
        elapsed += time.process_time() - t0
        nbytes += len(text.encode("utf-8"))
        pred = {(e.start, e.end, e.label) for e in ents if e.label in labels_in_gold}
        gold_set = set(gold)
        found.update(e.label for e in ents)
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
        "found": found,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tok": prf(ttp, tfp, tfn),
        "ms_kb": elapsed * 1000 / (nbytes / 1024),
    }


def report(name: str, res: dict, labels: list[str]) -> None:
    print(f"\n== {name} ==")
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
    shares = []
    for lab in ("PER", "ORG"):
        n = res["found"][lab]
        k = sum(x[1] == lab for x in linked)
        shares.append(f"{lab} {k}/{n} ({k / n if n else 0:.2f})")
    print("mentions found that are linked: " + ", ".join(shares))
    print(f"token-level P {p:.3f} R {r:.3f} F1 {f:.3f}; speed {res['ms_kb']:.3f} CPU ms/KB")


# key, name, path under eval/ner, reader, labels scored, language
SETS = (
    (
        "kind",
        "KIND-it Wikinews dev",
        "kind-it/wikinews_dev.tsv",
        "kind",
        ["PER", "ORG", "LOC"],
        "it",
    ),
    (
        "conll",
        "CoNLL-2003-en val",
        "conll2003-en/val.conllu",
        "conllu",
        ["PER", "ORG", "LOC", "MISC"],
        "en",
    ),
    (
        "wikigold",
        "Wikigold-en",
        "wikigold-en/wikigold.conll.txt",
        "wikigold",
        ["PER", "ORG", "LOC", "MISC"],
        "en",
    ),
)


def check_sets(data: Path, half: str, tagger_for, backend: str, per_source: bool) -> None:
    """Per language: the held-out fifths of its training sets (never trained on), one half."""
    labels = ["PER", "ORG", "LOC", "MISC"]
    for key, docs in check_docs(data, half, per_source).items():
        res = evaluate(docs, tagger_for(key.split()[0]), set(labels))
        report(f"check set {key}, half {half} ({len(docs)} docs), {backend}", res, labels)


def uner_sets(data: Path, half: str, tagger_for, backend: str) -> None:
    """Universal NER's test sets (ner_data.UNER_SETS), one half."""
    labels = ["PER", "ORG", "LOC"]
    for lang, rel in UNER_SETS:
        docs = take_half(read_any(data / rel, "uner"), half)
        res = evaluate(docs, tagger_for(lang), set(labels))
        report(f"{rel} ({lang}), half {half} ({len(docs)} docs), {backend}", res, labels)


def link_sets(root: Path, data: Path | None, half: str) -> list[tuple[str, str, list]]:
    """(key, language, documents) of every set a link sample draws from: the dev sets, and with
    DATA the English, German, Portuguese and Swedish PUD and the de, es and fr check sets."""
    sets = [
        (key, lang, take_half(read_conll(root / rel, fmt), half))
        for key, _, rel, fmt, _, lang in SETS
    ]
    if data is None:
        return sets
    for lang, rel in UNER_SETS:
        if lang in ("en", "de", "pt", "sv"):
            sets.append((f"uner-{lang}", lang, take_half(read_any(data / rel, "uner"), half)))
    for key, docs in check_docs(data, half).items():
        if key in ("de", "es", "fr"):
            sets.append((f"check-{key}", key, docs))
    return sets


def sample_links(sets, tagger_for, gaz, n: int, seed: int, exclude: set[str]) -> list[str]:
    """A random sample of n linked mentions (none whose key is in exclude), each with its key
    (set|document|start|end), id, the gazetteer entry's name and 70 characters either side, to
    judge by hand; returns the sample's keys. gaz: the gazetteer the tagger links through."""
    names = {e.qid: e.name for e in reversed(gaz.entries) if e.qid}
    pool = []
    for key, lang, docs in sets:
        tag = tagger_for(lang)
        for d_no, doc in enumerate(docs):
            text, gold, _ = build_doc(doc)
            labels = {(s, e): lab for s, e, lab in gold}
            for e in tag(text):
                k = f"{key}|{d_no}|{e.start}|{e.end}"
                if e.id and k not in exclude:
                    around = text[max(0, e.start - 70) : e.start], text[e.end : e.end + 50]
                    context = f"{around[0]}[[{e.text}]]{around[1]}".replace("\n", " ")
                    gold_label = labels.get((e.start, e.end), "-")
                    pool.append(
                        (k, f"{e.label} {e.id} ({names.get(e.id)}) gold={gold_label}", context)
                    )
    print(f"{len(pool)} linked mentions to draw from, seed {seed}")
    drawn = random.Random(seed).sample(pool, min(n, len(pool)))
    for i, (k, what, context) in enumerate(drawn, 1):
        print(f"{i:3d} {k} {what}\n      {context}")
    return [k for k, _, _ in drawn]


def _judged_keys(path: Path) -> set[str]:
    """The keys of a judged sample (bench/link_judgements/*.tsv: the first column, # lines
    aside)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line and not line.startswith("#")}


def write_check_sample(data: Path, out: Path, ndocs: int) -> None:
    """CI's quality floor sample: per language, the first documents of half B of the check set
    of each source (folder) it has."""
    out.mkdir(parents=True, exist_ok=True)
    by_lang: dict[str, list] = {}
    for key, docs in check_docs(data, "B", per_source=True).items():
        by_lang.setdefault(key.split()[0], []).extend(docs[:ndocs])
    for lang, docs in by_lang.items():
        write_conll(docs, out / f"{lang}.conll")
        print(f"{out / lang}.conll: {len(docs)} documents")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--backend", default="rules", choices=BACKENDS)
    ap.add_argument(
        "--ner-model", default=None, help="an installed spaCy pipeline (--backend spacy)"
    )
    ap.add_argument("--model-file", default=None, help="a CRF other than the bundled one")
    ap.add_argument("--half", default="B", choices=("A", "B", "all"))
    ap.add_argument("--show-links", type=int, default=0, help="print N linked mentions to judge")
    ap.add_argument("--only", default=None, help="kind | conll | wikigold")
    ap.add_argument(
        "--check",
        default=None,
        type=Path,
        help="instead: the held-out fifth of each training set under this folder (train_ner.py)",
    )
    ap.add_argument(
        "--write-sample", default=None, type=Path, help="with --check: write CI's sample"
    )
    ap.add_argument(
        "--per-source", action="store_true", help="with --check: one figure per training set"
    )
    ap.add_argument(
        "--uner",
        default=None,
        type=Path,
        help="instead: Universal NER's test files of ner_data.UNER_SETS under this folder",
    )
    ap.add_argument(
        "--sample-links",
        type=int,
        default=0,
        help="instead: draw N linked mentions at random to judge by hand (--data adds sets)",
    )
    ap.add_argument("--seed", type=int, default=20261208, help="with --sample-links")
    ap.add_argument("--data", default=None, type=Path, help="with --sample-links: UNER + checks")
    ap.add_argument(
        "--exclude",
        action="append",
        default=[],
        type=Path,
        help="with --sample-links: a judged sample (bench/link_judgements/*.tsv) to leave out",
    )
    ap.add_argument("--keys-out", default=None, type=Path, help="with --sample-links")
    args = ap.parse_args()
    root = args.shared / "eval/ner"
    if not root.is_dir():
        sys.exit(f"needs {root} (the team's shared evaluation data)")
    gaz = load_gazetteer()
    backend = "spacy" if args.ner_model else args.backend
    if args.model_file:
        resource = NerModel(args.model_file)
    else:
        resource = load_backend(backend, args.ner_model)

    def tagger_for(lang: str):
        return lambda text: tag_with(backend, text, gaz, resource, lang)

    if args.sample_links:
        exclude = set().union(*(_judged_keys(path) for path in args.exclude))
        sets = link_sets(root, args.data, args.half)
        keys = sample_links(sets, tagger_for, gaz, args.sample_links, args.seed, exclude)
        if args.keys_out:
            args.keys_out.write_text("\n".join(keys) + "\n")
        return
    if args.check and args.write_sample:
        write_check_sample(args.check, args.write_sample, 12)
        return
    if args.check:
        check_sets(args.check, args.half, tagger_for, backend, args.per_source)
        return
    if args.uner:
        uner_sets(args.uner, args.half, tagger_for, backend)
        return
    for key, name, rel, fmt, labels, lang in SETS:
        if args.only and args.only != key:
            continue
        docs = take_half(read_conll(root / rel, fmt), args.half)
        res = evaluate(docs, tagger_for(lang), set(labels))
        report(f"{name}, half {args.half} ({len(docs)} docs), {backend}", res, labels)
        if args.show_links:
            counts = Counter((t, lab, q) for t, lab, q, _ in res["linked"])
            for (t, lab, q), c in counts.most_common(args.show_links):
                print(f"  {c:4d} {lab} {q} {t}")


if __name__ == "__main__":
    main()
