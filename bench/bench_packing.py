"""What the run's transient copies of an article cost: the spill chunks and the writer's packed
rows, as core.packing writes them and as the records' RowCoder + zlib wrote them before.

.venv/bin/python bench/bench_packing.py --n 300 [--shared ../shared]
Enriches N bench-corpus articles (~2.6 KB texts) with the language, entity and topic steps, then
prints µs CPU per article to encode and to decode, bytes per article, and per article of a
256-article chunk. Garbage collection is off while timing; each figure is the least of 5 runs.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPEATS = 5


def enriched(n: int, shared: Path) -> list:
    import json

    from bench.corpus import LONG_TEXTS, build_corpus
    from transforms.core.records import Article, RawDocument
    from transforms.entities.tag import _TagEntitiesFn
    from transforms.language.detect import DEFAULT_BACKEND, _DetectLanguageFn
    from transforms.parse.step import parse_document
    from transforms.topics.score import _ScoreTopicsFn

    lines = "\n".join(json.dumps(i) for i in build_corpus(n, shared, length=LONG_TEXTS))
    doc = RawDocument("mem://bench.jsonl", lines.encode("utf-8"), 0)
    articles = [a for a in parse_document(doc) if isinstance(a, Article)]
    steps = (
        _DetectLanguageFn(DEFAULT_BACKEND, ()),
        _TagEntitiesFn("rules", None),
        _ScoreTopicsFn(None, False, "lexicon"),
    )
    for step in steps:
        step.setup()
        articles = [step.apply(a, step._resource) for a in articles]
    return articles


def least_us(fn, values) -> tuple[float, list]:
    best, out = float("inf"), []
    for _ in range(REPEATS):
        gc.collect()
        gc.disable()
        started = time.process_time()
        out = [fn(v) for v in values]
        best = min(best, time.process_time() - started)
        gc.enable()
    return 1e6 * best / len(values), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()

    import apache_beam as beam

    from transforms.core import packing
    from transforms.core.records import Article

    articles = enriched(args.n, args.shared)
    coder = beam.coders.registry.get_coder(Article)
    ways = {
        "RowCoder + zlib-1 (before)": (
            lambda a: zlib.compress(coder.encode(a), 1),
            lambda b: coder.decode(zlib.decompress(b)),
        ),
        "packing, uncompressed": (packing.pack, packing.unpack),
        "packing + compress (now)": (
            lambda a: packing.compress(packing.pack(a)),
            lambda b: packing.unpack(packing.decompress(b)),
        ),
    }
    entities = sum(len(a.entities) for a in articles) / len(articles)
    print(f"{len(articles)} enriched articles, {entities:.1f} entities each; µs CPU per article")
    print(f"{'form':<28} {'encode':>8} {'decode':>8} {'bytes':>7}")
    for name, (encode, decode) in ways.items():
        enc_us, blobs = least_us(encode, articles)
        dec_us, back = least_us(decode, blobs)
        assert back == articles
        size = sum(map(len, blobs)) / len(blobs)
        print(f"{name:<28} {enc_us:8.1f} {dec_us:8.1f} {size:7.0f}")
    chunk = b"".join(packing.pack(a) for a in articles[:256])
    per = len(articles[:256])
    for name, squeeze in (
        ("zlib-1", lambda d: zlib.compress(d, 1)),
        ("compress", packing.compress),
    ):
        us, (out,) = least_us(squeeze, [chunk])
        print(
            f"chunk of {per}, {name:<9} {us / per:8.1f} µs/article, {len(out) / len(chunk):.2f} of the bytes"
        )


if __name__ == "__main__":
    main()
