"""How much of a paragraph the language step must read: accuracy and cost per MAX_SPAN_CHARS.

Data: ../shared/eval/langid (lingua's test set, Apache-2.0). Documents are 3 paragraphs of 10
sentences of one language (bench/eval_language.py's "documents"); mixed documents put a paragraph
of a second language between two of the first. Each is in half A or B by a hash of its text:
MAX_SPAN_CHARS was chosen on half A; half B is the report.

    .venv/bin/python bench/eval_language_spans.py --shared ../shared --half A --caps 0,300,400,600

A document is right when the dominant language is its language; a mixed document when the
dominant language is the first one and the second is among the shares. "news" rows keep only
NEWS_LANGUAGES that the default backend tells apart (not bs/ms/nb, which it folds into hr/id/no).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_language import load_documents
from transforms.language import detect, shares
from transforms.language.backends import load_backend

FOLDED = {"bs", "ms", "nb"}


def half_of(text: str) -> str:
    return "AB"[hashlib.blake2b(text.encode(), digest_size=8).digest()[0] & 1]


def corpus(shared: Path, languages: list[str], half: str):
    docs = [(lang, d) for lang in languages for d in load_documents(shared, lang, 300)]
    rng = random.Random(7)
    mixed = []
    for _ in range(400):
        (la, da), (lb, db) = rng.sample(docs, 2)
        pa, pb = da.split("\n\n"), db.split("\n\n")
        mixed.append(((la, lb), f"{pa[0]}\n\n{pb[0]}\n\n{pa[1]}"))
    return [x for x in docs if half_of(x[1]) == half], [x for x in mixed if half_of(x[1]) == half]


def score(docs, mixed, detector) -> tuple[float, float, float]:
    started = time.process_time()
    right = sum(shares.detect_language(None, d, detector)[0] == lang for lang, d in docs)
    mixed_right = 0
    for (la, lb), d in mixed:
        best, _, found = shares.detect_language(None, d, detector)
        mixed_right += best == la and lb in {s.lang for s in found}
    ms = 1000 * (time.process_time() - started) / (len(docs) + len(mixed))
    return right / len(docs), mixed_right / len(mixed), ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--half", choices=("A", "B"), default="B")
    ap.add_argument("--caps", default="0,300,400,600", help="MAX_SPAN_CHARS values; 0 = no cap")
    args = ap.parse_args()
    detector = load_backend(detect.DEFAULT_BACKEND)
    folder = args.shared / "eval" / "langid" / "language-testdata" / "sentences"
    every = sorted(p.stem for p in folder.glob("*.txt"))
    news = [lang for lang in every if lang in shares.NEWS_LANGUAGES and lang not in FOLDED]
    for name, languages in (("news", news), ("all", every)):
        docs, mixed = corpus(args.shared, languages, args.half)
        print(
            f"== {name}: {len(languages)} languages, half {args.half}: "
            f"{len(docs)} documents, {len(mixed)} mixed =="
        )
        for cap in (int(c) for c in args.caps.split(",")):
            shares.MAX_SPAN_CHARS = cap  # a module global, read at each call, compiled or not
            acc, mixed_acc, ms = score(docs, mixed, detector)
            print(f"cap {cap:>4}: documents {acc:.4f}  mixed {mixed_acc:.4f}  {ms:.2f} CPU ms/doc")


if __name__ == "__main__":
    main()
