"""Evaluate the topic step on AG News (English) and SIB-200 (it/en/fr/de/es): accuracy, macro-F1, ms/doc.

Both sets are evaluation-only (../shared/README.md): read from ../shared, never copied or fitted to.
Usage: .venv/bin/python bench/eval_topics.py --shared ../shared [--limit N] [--confusion]
       [--entities] [--backend lexicon|e5]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.topics.embedding import BACKENDS, TopicEmbedder, embedding_backend_problem
from transforms.topics.lexicon import load_lexicon
from transforms.topics.score import score_topics

# The best IPTC top-level topic decides the class. AG News "World" is international news: politics,
# conflict, crime and justice, disasters, religion and society all appear under it. Codes that map
# to no class (arts, education, human interest, lifestyle, weather) always count as wrong.
AGNEWS_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}
AGNEWS_MAP = {
    "medtop:11000000": "World",
    "medtop:16000000": "World",
    "medtop:02000000": "World",
    "medtop:03000000": "World",
    "medtop:12000000": "World",
    "medtop:14000000": "World",
    "medtop:15000000": "Sports",
    "medtop:04000000": "Business",
    "medtop:09000000": "Business",
    "medtop:13000000": "Sci/Tech",
    "medtop:06000000": "Sci/Tech",
    "medtop:07000000": "Sci/Tech",
}
# SIB-200 labels with an IPTC counterpart; "geography" has none and is left out.
SIB_MAP = {
    "science/technology": "medtop:13000000",
    "travel": "medtop:10000000",
    "politics": "medtop:11000000",
    "sports": "medtop:15000000",
    "health": "medtop:07000000",
    "entertainment": "medtop:01000000",
}
SIB_LANGS = {
    "it": "ita_Latn",
    "en": "eng_Latn",
    "fr": "fra_Latn",
    "de": "deu_Latn",
    "es": "spa_Latn",
}
OTHER = "(other)"


def macro_f1(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def best_code(topics) -> str:
    top = topics[0]
    return top.code if top.score > 0 else OTHER


def evaluate(name, docs, lexicon, to_label, show_confusion, tagger=None, embedder=None):
    gold, pred, elapsed, size = [], [], 0.0, 0
    for label, title, text, lang in docs:
        entities = tagger(text) if tagger else ()
        start = time.perf_counter()
        topics = score_topics(text, title, lang, entities, lexicon, embedder)
        elapsed += time.perf_counter() - start
        size += len(text) + len(title or "")
        gold.append(label)
        pred.append(to_label(best_code(topics)))
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
    ms_doc = 1000 * elapsed / len(gold)
    ms_kb = 1000 * elapsed / (size / 1000)
    print(
        f"{name:<14} {'+entities' if tagger else '':<9} n={len(gold):<5} accuracy={accuracy:.3f} macro-F1={macro_f1(gold, pred):.3f} "
        f"ms/doc={ms_doc:.3f} ms/KB={ms_kb:.3f} no-topic={pred.count(OTHER) / len(pred):.3f}"
    )
    if show_confusion:
        for g in sorted(set(gold)):
            row = Counter(p for gg, p in zip(gold, pred, strict=True) if gg == g)
            print(f"    {g:<20} {dict(row.most_common())}")
    return accuracy


def speed(lexicon, texts: list[str], rounds: int = 50, embedder=None) -> None:
    """ms per document and per KB on the seeds (long Italian articles)."""
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            score_topics(text, None, "it", (), lexicon, embedder)
    elapsed = time.perf_counter() - start
    size = sum(len(t.encode("utf-8")) for t in texts) * rounds
    print(
        f"{'seeds-speed':<24} n={len(texts) * rounds:<5} ms/doc={1000 * elapsed / len(texts) / rounds:.3f}"
        f" ms/KB={1000 * elapsed / (size / 1000):.3f} (avg {size / rounds / len(texts) / 1000:.1f} KB/doc)"
    )


def agnews_docs(path: Path, limit: int | None):
    with path.open(encoding="utf-8") as f:
        for i, (cls, title, description) in enumerate(csv.reader(f)):
            if limit and i >= limit:
                break
            yield AGNEWS_CLASSES[cls], title, description.replace("\\", " "), "en"


def sib_docs(folder: Path, lang: str, splits=("train.tsv", "dev.tsv")):
    for split in splits:
        with (folder / split).open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["category"] in SIB_MAP:
                    yield SIB_MAP[row["category"]], None, row["text"], lang


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="path of the team's shared folder")
    parser.add_argument("--limit", type=int, default=None, help="first N AG News rows only")
    parser.add_argument("--confusion", action="store_true", help="print confusion rows")
    parser.add_argument(
        "--entities",
        action="store_true",
        help="tag entities first with the entity step (measures the entity-aware signal)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="lexicon",
        help="topic backend: the bundled lexicon (default) or e5 embeddings (the extra)",
    )
    args = parser.parse_args()
    topics_dir = Path(args.shared) / "eval" / "topics"
    if not topics_dir.is_dir():
        print(f"missing {topics_dir}: pass --shared PATH to the team's shared folder")
        return 2
    lexicon = load_lexicon()
    embedder = None
    if args.backend == "e5":
        problem = embedding_backend_problem()
        if problem:
            print(f"--backend e5: {problem}")
            return 2
        embedder = TopicEmbedder(lexicon.topics)
        print(f"backend e5: {len(embedder.prototypes)} prototypes from the English lexicon")
    tagger = None
    if args.entities:
        from transforms.entities.gazetteer import load_gazetteer
        from transforms.entities.tag import tag_entities

        gazetteer = load_gazetteer()
        tagger = lambda text: tag_entities(text, gazetteer)
    evaluate(
        "agnews-en",
        list(agnews_docs(topics_dir / "agnews-dev.csv", args.limit)),
        lexicon,
        lambda code: AGNEWS_MAP.get(code, OTHER),
        args.confusion,
        tagger,
        embedder,
    )
    seeds = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))
    if seeds:
        texts = [p.read_text(encoding="utf-8") for p in seeds]
        speed(lexicon, texts, 50 if embedder is None else 4, embedder)
    for lang, folder in SIB_LANGS.items():
        evaluate(
            f"sib200-{lang}",
            list(sib_docs(topics_dir / "sib200" / folder, lang)),
            lexicon,
            lambda code: code,
            args.confusion,
            tagger,
            embedder,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
