"""Train the entity CRFs that ship as transforms/entities/data/ner*.crfsuite (`--backend model`).

.venv/bin/python bench/train_ner.py --data DIR [--language de] [--shared ../shared] [--c1 C1
    --c2 C2 --iterations N] [--algorithm lbfgs] [--param NAME=VALUE ...] [--out PATH]
Trains on the sets ner_data.TRAINING names under DIR (their held-out fifth excepted) plus half A
of Wikigold from ../shared, but not those of ner_data.OWN_MODEL_ONLY. With --language, a
language's own model (ner-<language>.crfsuite) on every set of that language. Gold tags are
carried onto newsbeam's own tokens by character offsets, so the model learns on the tokens it
will see. Only permissively licensed data may go in
(transforms/PROVENANCE.md); never KIND, CoNLL-2003, WikiNEuRal or MultiNERD.
"""

from __future__ import annotations

import argparse
import sys
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pycrfsuite
from ner_data import (
    OWN_MODEL_ONLY,
    TRAINING,
    build_doc,
    held_out,
    read_any,
    read_conll,
    source_of,
    take_half,
)

from transforms.entities import load_gazetteer
from transforms.entities.doc import Doc
from transforms.entities.features import token_features
from transforms.entities.model import LABELS, MODEL_FILE, language_file

KEEP = {f"{p}-{lab}" for p in "BI" for lab in LABELS}
# CRFsuite's settings of each shipped model, chosen on half A of the check sets (README,
# "Entities: backends"): the shared model's since 2026-12-04; German's own since session 25,
# which also weighs label-attribute pairs never seen together in training (possible_states);
# French's own since session 26 (a stronger L1 penalty, c1 0.2: as good as German's settings
# on half A, in a smaller file trained in a quarter of the time).
SETTINGS: dict[str | None, dict[str, float | int | bool]] = {
    None: {"c1": 0.05, "c2": 0.1, "max_iterations": 150},
    "de": {"c1": 0.1, "c2": 0.1, "max_iterations": 300, "feature.possible_states": True},
    "fr": {"c1": 0.2, "c2": 0.1, "max_iterations": 150},
}


def sequence(doc, gaz) -> tuple[list[list[str]], list[str]]:
    """Features and BIO labels over newsbeam's tokens of one gold document."""
    text, _, gold_tokens = build_doc(doc)
    tag_at = {}
    for start, end, _, tag in gold_tokens:
        tag = tag if tag in KEEP or tag == "O" else "O"
        tag_at.update((c, (start, tag)) for c in range(start, end))
    parsed = Doc(text, gaz)
    labels, prev = [], None
    for _, start, _ in parsed.tokens:
        first, tag = tag_at.get(start, (None, "O"))
        if tag != "O" and first == prev:  # a second piece of one gold token
            tag = "I-" + tag[2:]
        prev = first
        labels.append(tag)
    return token_features(parsed), _fix_bio(labels)


def _fix_bio(labels: list[str]) -> list[str]:
    """IO or IOB1 tags -> BIO: an entity's first token is B-."""
    out, before = [], "O"
    for tag in labels:
        if tag.startswith("I-") and before[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        before = tag
    return out


def training_docs(
    data: Path, shared: Path, langs: set[str], own: bool = False
) -> list[tuple[str, list]]:
    """(name, documents) per training set: the held-out fifth of each left out. own: for a
    language's own model, which also takes the sets of OWN_MODEL_ONLY."""
    out = []
    for lang, rel, fmt, _ in TRAINING:
        if lang in langs and (own or source_of(rel) not in OWN_MODEL_ONLY):
            out.append((rel, [d for d in read_any(data / rel, fmt) if not held_out(d)]))
    if "en" in langs:
        wikigold = read_conll(shared / "eval/ner/wikigold-en/wikigold.conll.txt", "wikigold")
        out.append(("wikigold half A", take_half(wikigold, "A")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--langs", default="it,en,de,es,fr", help="the shared model's languages")
    ap.add_argument("--language", default=None, help="train this language's own model instead")
    ap.add_argument("--c1", type=float, default=None, help="default: SETTINGS")
    ap.add_argument("--c2", type=float, default=None, help="default: SETTINGS")
    ap.add_argument("--iterations", type=int, default=None, help="default: SETTINGS")
    ap.add_argument("--algorithm", default="lbfgs", help="CRFsuite's: lbfgs, l2sgd, ap, pa, arow")
    ap.add_argument("--param", action="append", default=[], help="another CRFsuite NAME=VALUE")
    ap.add_argument("--out", default=None, help="default: the bundled model's file")
    args = ap.parse_args()
    data = resources.files("transforms.entities") / "data"
    langs = {args.language} if args.language else set(args.langs.split(","))
    model_file = language_file(args.language) if args.language else MODEL_FILE
    out = args.out or str(data / model_file)
    gaz = load_gazetteer()
    trainer = pycrfsuite.Trainer(algorithm=args.algorithm, verbose=False)
    for name, docs in training_docs(args.data, args.shared, langs, own=bool(args.language)):
        ntok = 0
        for doc in docs:
            xseq, yseq = sequence(doc, gaz)
            trainer.append(xseq, yseq)
            ntok += len(yseq)
        print(f"{name}: {len(docs)} documents, {ntok} tokens")
    trainer.set_params(_params(args))
    started = time.process_time()
    trainer.train(out)
    size = Path(out).stat().st_size
    print(f"trained in {time.process_time() - started:.0f} CPU-s -> {out} ({size:,} bytes)")


def _params(args: argparse.Namespace) -> dict:
    """The model's SETTINGS, then what the command line says; c1 and c2 only for the algorithms
    that read them."""
    params = {**SETTINGS.get(args.language, SETTINGS[None]), "feature.possible_transitions": True}
    given = {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}
    params.update({k: v for k, v in given.items() if v is not None})
    params.update(p.split("=", 1) for p in args.param)
    if args.algorithm != "lbfgs":
        params.pop("c1", None)
    if args.algorithm not in ("lbfgs", "l2sgd"):
        params.pop("c2", None)
    return params


if __name__ == "__main__":
    main()
