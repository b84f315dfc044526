"""Build a JSON Lines corpus of N news-like articles from real, permissively licensed text.

Text comes from the five seeds (Italian news) and lingua's test sentences (Apache-2.0, Leipzig
news/web crawls) in seven languages. About 5% of items are exact re-deliveries and 5% light edits of
an earlier article from another URL, so the dedupe stage does real work.

    python bench/corpus.py --n 10000 --out bench/out/corpus-10000.jsonl --shared ../shared
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"it": 0.35, "en": 0.3, "fr": 0.1, "de": 0.1, "es": 0.1, "pt": 0.025, "nl": 0.025}


def _sentences(shared: Path) -> dict[str, list[str]]:
    pools = {}
    for lang in LANGS:
        path = shared / "eval" / "langid" / "language-testdata" / "sentences" / f"{lang}.txt"
        pools[lang] = [
            s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()
        ]
    seeds = []
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        seeds += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]
    pools["it"] += seeds
    return pools


# Sentences per new article: texts of ~1.2 KB, or ~2.6 KB (the size issue "Throughput and
# memory" measured; the benches' --long).
SHORT_TEXTS = (6, 14)
LONG_TEXTS = (13, 30)


def build_corpus(
    n: int, shared: Path, seed: int = 1, length: tuple[int, int] = SHORT_TEXTS
) -> list[dict]:
    """N items; each new article draws between `length` sentences (SHORT_TEXTS or LONG_TEXTS)."""
    rng = random.Random(seed)
    pools = _sentences(shared)
    langs, weights = zip(*LANGS.items(), strict=True)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    items: list[dict] = []
    for i in range(n):
        roll = rng.random()
        if items and roll < 0.05:  # an exact re-delivery of an earlier item
            items.append(dict(rng.choice(items)))
            continue
        if items and roll < 0.10:  # the same story syndicated elsewhere, lightly edited
            base = rng.choice(items)
            paragraphs = base["text"].split("\n\n")
            paragraphs[-1] = paragraphs[-1] + " " + rng.choice(pools["en"])
            items.append(
                dict(base, url=f"https://mirror{i % 7}.example/{i}", text="\n\n".join(paragraphs))
            )
            continue
        lang = rng.choices(langs, weights)[0]
        sentences = rng.sample(pools[lang], rng.randint(*length))
        cut = sorted(rng.sample(range(1, len(sentences)), 2))
        paragraphs = [sentences[: cut[0]], sentences[cut[0] : cut[1]], sentences[cut[1] :]]
        items.append(
            {
                "id": f"item-{i}",
                "url": f"https://news{i % 23}.example/{lang}/{i}?utm_source=feed",
                "title": sentences[0][:90],
                "text": "\n\n".join(" ".join(p) for p in paragraphs),
                "published": (
                    start + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
                ).isoformat(),
                "author": f"Reporter {i % 41}",
            }
        )
    return items


def write_corpus(items: list[dict], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    out = args.out or ROOT / "bench" / "out" / f"corpus-{args.n}.jsonl"
    path = write_corpus(build_corpus(args.n, args.shared), out)
    print(f"{args.n} articles -> {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
