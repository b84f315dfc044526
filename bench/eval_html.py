"""Main-text quality of HTML parsing on the article-extraction-benchmark pages, through parse_document.

Metric (the benchmark's evaluate.py, reimplemented): per page, 4-gram shingles of \\w+ tokens of the
predicted vs true articleBody -> TP/FP/FN counted with multiplicity and normalised per page;
precision and recall are means over pages (precision only where something was predicted); F1 =
2PR/(P+R). Usage: .venv/bin/python bench/eval_html.py --shared ../shared [--limit N] [--worst K]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import lxml.html
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.core.records import Article, RawDocument
from transforms.parse import clean_plain_text, decode_bytes, fragment_to_text, parse_document

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
FETCHED_AT = 1_900_000_000_000_000  # fixed, after every page: keeps published dates plausible


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    grams = [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return Counter(g for g in grams if g)


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total > 0 else (tp, fp, fn)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(scores: list[tuple[float, float, float]]) -> dict:
    precision = statistics.mean(_precision(*s) for s in scores if s[0] + s[1] > 0)
    recall = statistics.mean(_recall(*s) for s in scores if s[0] + s[2] > 0)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
    }


def load_pages(shared: Path, limit: int | None = None) -> list[tuple[str, Path, str]]:
    """(key, gzipped page path, true articleBody) in sorted key order; the first `limit` of them."""
    root = shared / "eval" / "html"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    return [(k, root / "html" / f"{k}.html.gz", truth[k].get("articleBody") or "") for k in keys]


def predict(path: Path) -> tuple[str, float, str]:
    """The text parse_document gives for one page, the CPU ms it took, and its date source."""
    doc = RawDocument(source_uri=str(path), data=path.read_bytes(), fetched_at=FETCHED_AT)
    start = time.process_time()  # CPU time: the machine is shared, wall time is noisy
    items = list(parse_document(doc))
    elapsed = (time.process_time() - start) * 1000
    articles = [a for a in items if isinstance(a, Article)]
    source = articles[0].published_at_source if articles else "failed"
    return "\n".join(a.text for a in articles), elapsed, source


def evaluate(pages: list[tuple[str, Path, str]]) -> dict:
    scores, times, per_page, sources = [], [], [], Counter()
    for key, path, truth in pages:
        text, ms, source = predict(path)
        sources[source] += 1
        score = tp_fp_fn(truth, text)
        scores.append(score)
        times.append(ms)
        per_page.append((key, score))
    result = metrics(scores)
    times.sort()
    result.update(
        pages=len(pages),
        ms_median=statistics.median(times),
        ms_p95=times[min(len(times) - 1, int(0.95 * len(times)))],
        per_page=per_page,
        date_sources=dict(sources.most_common()),
    )
    return result


def flattened_text(path: Path) -> str:
    """A page's whole <body> as scraped text, one block per line: the seeds' kind of input."""
    html = decode_bytes(gzip.decompress(path.read_bytes())).text
    try:
        body = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", html)).find("body")
    except (etree.ParserError, ValueError):
        return ""
    if body is None:
        return ""
    return fragment_to_text(lxml.html.tostring(body, encoding="unicode")).replace("\n\n", "\n")


def evaluate_plain_text(pages: list[tuple[str, Path, str]]) -> tuple[dict, dict]:
    """Shingle metrics of the flattened page text before and after clean_plain_text()."""
    before, after = [], []
    for _, path, truth in pages:
        flat = flattened_text(path)
        before.append(tp_fp_fn(truth, flat))
        after.append(tp_fp_fn(truth, clean_plain_text(flat).text))
    return metrics(before), metrics(after)


def text_speed(folder: Path, rounds: int = 20) -> tuple[float, float]:
    """CPU ms per plain-text document (median, p95) over the .txt files in `folder`."""
    times = []
    for path in sorted(folder.glob("*.txt")):
        doc = RawDocument(source_uri=str(path), data=path.read_bytes(), fetched_at=FETCHED_AT)
        for _ in range(rounds):
            start = time.process_time()
            list(parse_document(doc))
            times.append((time.process_time() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (sorted)")
    parser.add_argument("--worst", type=int, default=0, help="list the K lowest-F1 pages")
    args = parser.parse_args()
    if not (args.shared / "eval" / "html" / "ground-truth.json").exists():
        sys.exit(f"no benchmark at {args.shared / 'eval' / 'html'}")
    pages = load_pages(args.shared, args.limit)
    parse_document(RawDocument("warm.html", b"<html><body><p>warm up</p></body></html>", 0))
    r = evaluate(pages)
    print(
        f"html main text ({r['pages']} pages of {args.shared / 'eval' / 'html'}, via parse_document)"
    )
    print(f"precision={r['precision']:.4f} recall={r['recall']:.4f} F1={r['f1']:.4f}")
    print(f"parse CPU ms/doc: median={r['ms_median']:.1f} p95={r['ms_p95']:.1f}")
    print(f"published_at_source: {r['date_sources']}")
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    median, p95 = text_speed(seeds)
    print(f"plain text (seeds/) parse CPU ms/doc: median={median:.2f} p95={p95:.2f}")
    raw, cleaned = evaluate_plain_text(pages)
    print("plain-text cleaner on the same pages flattened to scraped text (a proxy for seeds/):")
    for name, m in (("flattened", raw), ("cleaned", cleaned)):
        print(f"  {name:<9} P={m['precision']:.4f} R={m['recall']:.4f} F1={m['f1']:.4f}")
    if args.worst:
        worst = sorted(
            r["per_page"], key=lambda kv: 2 * kv[1][0] / (2 * kv[1][0] + kv[1][1] + kv[1][2] or 1)
        )
        for key, (tp, fp, fn) in worst[: args.worst]:
            print(f"  {key[:16]} tp={tp:.2f} fp={fp:.2f} fn={fn:.2f}")


if __name__ == "__main__":
    main()
