"""Quality gate: synthetic near-duplicates through Deduplicate, pairwise precision/recall floors.

Articles are built from lingua's language-ID sentences (Apache-2.0, ../shared/eval/langid), each
original with known variants: syndicated copy, boilerplate wrap, light edits, truncated lead,
typographic noise; plus hard negatives that share a third of their sentences with an original.
"""

from __future__ import annotations

import itertools
import random

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that

from tests.conftest import make_article, shared_path
from transforms.core.identity import article_id, canonical_url
from transforms.core.records import Article
from transforms.dedupe.batch import Deduplicate

pytestmark = pytest.mark.quality

T0 = 1_770_163_200_000_000
ORIGINALS = 40
SENTENCES = 12
# Measured on this fixed sample (seeded): precision 1.0, recall 1.0. Floors sit just under.
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.95


def _edit(rng: random.Random, text: str, share: float) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(["the", "said", "new", "also", "has", words[i].upper()])
    return " ".join(words)


def _typography(rng: random.Random, text: str) -> str:
    text = text.replace("'", "\u2019").replace(" - ", " \u2014 ").replace(", ", " ,  ")
    return "\u201c" + text.upper() + "\u201d" if rng.random() < 0.5 else text.replace(" ", "\u00a0")


def synthetic_corpus(sentences: list[str], seed: int = 5) -> list[tuple[str, str]]:
    """(group, text) pairs: every original with its variants, and hard negatives of their own."""
    rng = random.Random(seed)
    rng.shuffle(sentences)
    docs = []
    for g in range(ORIGINALS):
        body = sentences[g * SENTENCES : (g + 1) * SENTENCES]
        text = " ".join(body)
        docs.append((f"g{g}", text))
        variants = [
            text,
            "UPDATED 14:05 GMT " + text + "\n\nSubscribe to our newsletter for the latest news.",
            _edit(rng, text, 0.04),
            " ".join(body[: int(SENTENCES * 0.75)]),
            _typography(rng, text),
        ]
        for v in rng.sample(variants, 2 + g % 3):
            docs.append((f"g{g}", v))
        # Hard negative: a third of the sentences shared with the original, the rest new.
        pool = sentences[ORIGINALS * SENTENCES + g * 8 : ORIGINALS * SENTENCES + (g + 1) * 8]
        docs.append((f"n{g}", " ".join(body[:4] + pool)))
    return docs


def to_articles(docs: list[tuple[str, str]]) -> tuple[list[Article], dict[str, str]]:
    articles, gold = [], {}
    for i, (group, text) in enumerate(docs):
        url = canonical_url(f"https://site{i % 7}.example/{i}")
        aid = article_id(url, None, "synthetic", i)
        gold[aid] = group
        articles.append(
            make_article(
                text,
                url=url,
                article_id=aid,
                source_uri="synthetic",
                published=T0 + i,
                ingested=T0 + i,
            )
        )
    return articles, gold


def pairwise(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        g, p = gold[a] == gold[b], pred[a] == pred[b]
        tp, fp, fn = tp + (g and p), fp + (p and not g), fn + (g and not p)
    return tp / (tp + fp), tp / (tp + fn)


def test_synthetic_near_duplicates_meet_floors():
    path = shared_path("eval", "langid", "language-testdata", "sentences", "en.txt")
    sentences = [
        s.strip() for s in path.read_text(encoding="utf-8").splitlines() if len(s.split()) > 6
    ]
    articles, gold = to_articles(synthetic_corpus(sentences))

    def check(rows):
        pred = {a.article_id: a.duplicate_of or a.article_id for a in rows}
        assert set(pred) == set(gold)
        precision, recall = pairwise(gold, pred)
        assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, (precision, recall)

    with TestPipeline() as p:
        out = p | beam.Create(articles) | Deduplicate()
        assert_that(out["articles"], check)
