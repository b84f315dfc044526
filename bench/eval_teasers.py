"""How well `--fetch-articles auto` tells a teaser from a whole article (transforms/pages
plan.looks_like_summary): on real news pages, the publisher's own teaser (the page's meta
description, what a feed's <description> usually carries) must read as a teaser, and the
human-checked article body as a whole text.

Dataset: ../shared/eval/html (91 real article pages with their main text, MIT). Fixed halves by
sorted key: A = even positions, B = odd. `min_words` is chosen on half A (best F1 of "teaser",
then the smallest); half B is reported once, for that choice and for the shipped value.

    .venv/bin/python bench/eval_teasers.py --shared ../shared
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.pages.plan import load_cues, looks_like_summary
from transforms.parse.html import extract_article

CANDIDATES = (40, 60, 80, 100, 120, 150, 200, 250)


def examples(shared: Path, keys: list[str], truth: dict) -> list[tuple[str, bool]]:
    """(text, is a teaser): each page's meta description and its whole main text."""
    found = []
    for key in keys:
        html = gzip.decompress((shared / "eval/html/html" / f"{key}.html.gz").read_bytes())
        teaser = extract_article(html.decode("utf-8", "replace"))["description"]
        if teaser:
            found.append((teaser, True))
        found.append((truth[key]["articleBody"], False))
    return found


def score(found: list[tuple[str, bool]], min_words: int) -> dict:
    cues = load_cues()._replace(min_words=min_words)
    said = [(looks_like_summary(text, cues), teaser) for text, teaser in found]
    tp = sum(s and t for s, t in said)
    fp = sum(s and not t for s, t in said)
    fn = sum(t and not s for s, t in said)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "whole_fetched": fp}


def _line(m: dict) -> str:
    return (
        f"P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} "
        f"(whole texts taken for teasers: {m['whole_fetched']})"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    shared = Path(ap.parse_args().shared)
    truth = json.loads((shared / "eval/html/ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)
    half_a, half_b = examples(shared, keys[0::2], truth), examples(shared, keys[1::2], truth)
    print(f"half A (choice): {len(half_a)} texts, {sum(t for _, t in half_a)} teasers")
    for n in CANDIDATES:
        print(f"  min_words {n:>3}: {_line(score(half_a, n))}")
    best = max(CANDIDATES, key=lambda n: (score(half_a, n)["f1"], -n))
    print(f"half B (report): {len(half_b)} texts, {sum(t for _, t in half_b)} teasers")
    print(f"  chosen on A, min_words {best}: {_line(score(half_b, best))}")
    shipped = load_cues().min_words
    print(f"  shipped, min_words {shipped}: {_line(score(half_b, shipped))}")


if __name__ == "__main__":
    main()
