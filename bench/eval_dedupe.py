"""Near-duplicate quality and cost of Deduplicate on ../shared/eval/dedupe/dev.jsonl (dev figures).

Runs the dev set THROUGH the Beam transform and prints pairwise precision/recall/F1 of the groups,
ARI, ms/doc and signature state bytes per 10,000 articles; --scale times synthetic corpora. Beam
flags pass through (e.g. --dask_local_workers 2). Evaluation only: dev.jsonl stays outside.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from math import comb
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import cpu_seconds
from pipeline.runners.choice import runner_context
from transforms.core.identity import article_id, canonical_url, content_hash
from transforms.core.records import Article
from transforms.dedupe.batch import Deduplicate
from transforms.dedupe.fingerprint import DEFAULT_PARAMS, MinHashParams, hasher_for

INGESTED = 1_700_000_000_000_000


def _us(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(iso).timestamp() * 1_000_000)


def to_article(r: dict, index: int) -> Article:
    canonical = canonical_url(r.get("url"))
    return Article(
        article_id=article_id(canonical, r.get("id"), "dev.jsonl", index),
        url=r.get("url"),
        canonical_url=canonical,
        source_uri="dev.jsonl",
        source_name=None,
        title=r.get("title"),
        text=r["text"],
        summary=None,
        authors=(),
        published_at=_us(r.get("published")),
        published_at_source="input",
        ingested_at=INGESTED + index,
        content_hash=content_hash(r["text"]),
        guid=r.get("id"),
    )


def pair_scores(gold: list, pred: list) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 of predicted groups, from the contingency table (O(n))."""
    tp = sum(comb(c, 2) for c in Counter(zip(gold, pred, strict=True)).values())
    predicted = sum(comb(c, 2) for c in Counter(pred).values())
    actual = sum(comb(c, 2) for c in Counter(gold).values())
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def adjusted_rand_index(gold: list, pred: list) -> float:
    """Hubert & Arabie ARI from the contingency table (what sklearn's adjusted_rand_score does)."""
    n = len(gold)
    pairs = sum(comb(c, 2) for c in Counter(zip(gold, pred, strict=True)).values())
    a = sum(comb(c, 2) for c in Counter(gold).values())
    b = sum(comb(c, 2) for c in Counter(pred).values())
    expected = a * b / comb(n, 2)
    top = (a + b) / 2
    return 1.0 if top == expected else (pairs - expected) / (top - expected)


def run(articles: list[Article], params: MinHashParams, beam_args: list[str]):
    """Rows (article_id, duplicate_of, similarity), dropped count, wall and CPU seconds."""
    options = PipelineOptions(beam_args)
    with tempfile.TemporaryDirectory() as tmp, runner_context(options) as runner:
        started, cpu_started = time.perf_counter(), cpu_seconds()
        with beam.Pipeline(runner=runner, options=options) as p:
            result = p | "Create" >> beam.Create(articles) | "Deduplicate" >> Deduplicate(params)
            rows = result["articles"] | "Row" >> beam.Map(
                lambda a: json.dumps([a.article_id, a.duplicate_of, a.similarity])
            )
            dropped = result["dropped"] | "DroppedRow" >> beam.Map(
                lambda d: json.dumps([d.reason, d.article_id, None])
            )
            _ = (
                (rows, dropped)
                | "All" >> beam.Flatten()
                | "Write" >> beam.io.WriteToText(f"{tmp}/out")
            )
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_started  # this process and its children
        out = [tuple(json.loads(line)) for f in Path(tmp).glob("out*") for line in f.open()]
    kept = [row for row in out if row[0] != "exact_redelivery"]
    return kept, len(out) - len(kept), seconds, cpu


def evaluate_dev(path: Path, seeds: int, beam_args: list[str]) -> None:
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    articles = [to_article(r, i) for i, r in enumerate(records)]
    gold_by_id = {a.article_id: r["group"] for a, r in zip(articles, records, strict=True)}
    kind_by_id = {a.article_id: r["kind"] for a, r in zip(articles, records, strict=True)}
    print(f"dataset {path}: {len(records)} articles, {len(set(gold_by_id.values()))} groups")
    print(f"params {DEFAULT_PARAMS}")
    for seed in range(seeds):
        params = DEFAULT_PARAMS._replace(seed=DEFAULT_PARAMS.seed + seed)
        out, _, seconds, _ = run(articles, params, beam_args)
        ids = sorted(gold_by_id)
        cluster = {row[0]: row[1] or row[0] for row in out}
        gold = [gold_by_id[i] for i in ids]
        pred = [cluster[i] for i in ids]
        p, r, f1 = pair_scores(gold, pred)
        ari = adjusted_rand_index(gold, pred)
        sims = [row[2] for row in out if row[2] is not None]
        print(
            f"seed +{seed}: pairwise precision {p:.4f} recall {r:.4f} F1 {f1:.4f} ARI {ari:.4f} "
            f"| marked {len(sims)} min similarity {min(sims):.3f} "
            f"| {1000 * seconds / len(records):.2f} ms/doc end-to-end ({len(out)} rows out)"
        )
        # Per variant kind: is the copy in the same predicted group as its group's original?
        originals = {gold_by_id[i]: cluster[i] for i in ids if kind_by_id[i] == "original"}
        hits: Counter = Counter()
        totals: Counter = Counter()
        for i in ids:
            if kind_by_id[i] != "original":
                totals[kind_by_id[i]] += 1
                hits[kind_by_id[i]] += cluster[i] == originals[gold_by_id[i]]
        print(
            "  recall vs original by kind: "
            + ", ".join(f"{k} {hits[k]}/{totals[k]}" for k in sorted(totals))
        )


def synthetic_articles(n: int, shared: Path, seed: int = 11) -> tuple[list[Article], list[int]]:
    """n articles from lingua's sentences (Apache-2.0): 70% originals, 30% variants of them;
    with each article's group (the index of the original it derives from)."""
    folder = shared / "eval" / "langid" / "language-testdata" / "sentences"
    pools = [
        [s for s in f.read_text(encoding="utf-8").splitlines() if len(s.split()) > 5]
        for f in sorted(folder.glob("*.txt"))
    ]
    pools = [pool for pool in pools if len(pool) > 100]
    rng = random.Random(seed)
    texts: list[str] = []
    groups: list[int] = []
    while len(texts) < n:
        if texts and rng.random() < 0.3:
            index = rng.randrange(max(0, len(texts) - 1000), len(texts))
            base = texts[index].split(" ")
            cut = rng.choice([len(base), len(base), int(len(base) * 0.8)])
            texts.append("UPDATED 14:05 GMT " + " ".join(base[:cut]) + " Subscribe now.")
            groups.append(groups[index])
        else:
            texts.append(" ".join(rng.sample(rng.choice(pools), 10)))
            groups.append(len(texts) - 1)
    articles = [
        Article(
            article_id=article_id(f"https://s.example/{i}", None, "synthetic", i),
            url=f"https://s.example/{i}",
            canonical_url=f"https://s.example/{i}",
            source_uri="synthetic",
            source_name=None,
            title=None,
            text=t,
            summary=None,
            authors=(),
            published_at=INGESTED + i,
            published_at_source="input",
            ingested_at=INGESTED + i,
            content_hash=content_hash(t),
        )
        for i, t in enumerate(texts)
    ]
    return articles, groups


def scale(sizes: list[int], shared: Path, beam_args: list[str]) -> None:
    for n in sizes:
        articles, groups = synthetic_articles(n, shared)
        out, _, seconds, cpu = run(articles, DEFAULT_PARAMS, beam_args)
        marked = sum(row[1] is not None for row in out)
        cluster = {row[0]: row[1] or row[0] for row in out}
        p, r, _ = pair_scores(groups, [cluster[a.article_id] for a in articles])
        hasher = hasher_for(DEFAULT_PARAMS)
        started = time.perf_counter()
        for a in articles[:2000]:
            hasher.signature(a.text)
        core_ms = 1000 * (time.perf_counter() - started) / min(n, 2000)
        print(
            f"N={n}: {1000 * seconds / n:.3f} ms/doc end-to-end ({seconds:.1f} s wall, "
            f"{1000 * cpu / n:.3f} ms/doc CPU), "
            f"signature core {core_ms:.3f} ms/doc, {marked} marked duplicate_of "
            f"(pairwise precision {p:.4f} recall {r:.4f}), "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--seeds", type=int, default=1, help="MinHash seeds to try (robustness)")
    ap.add_argument("--scale", default="", help="also time synthetic corpora, e.g. 10000,100000")
    args, beam_args = ap.parse_known_args()
    shared = Path(args.shared)
    path = shared / "eval" / "dedupe" / "dev.jsonl"
    if not path.exists():
        sys.exit(f"needs {path} (the team's shared evaluation folder)")
    evaluate_dev(path, args.seeds, beam_args)
    if args.scale:
        scale([int(n) for n in args.scale.split(",")], shared, beam_args)
    state = DEFAULT_PARAMS.num_perm * 4 * 10_000
    print(f"signature state per 10,000 articles: {state:,} bytes ({state / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
