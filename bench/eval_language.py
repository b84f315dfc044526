"""Language-ID accuracy and speed of every backend, run through transforms.language.detect.detect_language.

Data: ../shared/eval/langid (lingua's test set, Apache-2.0): sentences, word pairs, single words.
Prints accuracy per language and granularity beside lingua's published figures, then ms/item,
ms/KB (all backends timed round-robin in one process) and peak memory (each backend in its own
process, so the memory is its own).

    nice .venv/bin/python bench/eval_language.py --shared ../shared [--limit 1000] [--backends a,b]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.language.backends import available, load_backend
from transforms.language.detect import BACKENDS, detect_language

GRANULARITIES = ("sentences", "word-pairs", "single-words")
# Article-sized texts (3 paragraphs x 10 sentences, ~3-4 KB): per-KB speed where pages are long.
DOCUMENTS = "documents"
SENTENCES_PER_PARAGRAPH, PARAGRAPHS_PER_DOCUMENT = 10, 3
ROUNDS = 3
GOAL_LANGUAGES = ("it", "en", "fr", "de", "es", "pt", "nl", "ru", "uk", "zh")
NAMES = {
    "it": "Italian", "en": "English", "fr": "French", "de": "German", "es": "Spanish",
    "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip
PUBLISHED = ("langdetect", "langid", "cld2", "cld3", "lingua-high-accuracy")


def load_items(shared: Path, granularity: str, lang: str, limit: int) -> list[str]:
    path = shared / "eval" / "langid" / "language-testdata" / granularity / f"{lang}.txt"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line][:limit]


def load_documents(shared: Path, lang: str, limit: int) -> list[str]:
    sentences = load_items(shared, "sentences", lang, limit)
    size = SENTENCES_PER_PARAGRAPH
    paragraphs = [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
    size = PARAGRAPHS_PER_DOCUMENT
    return ["\n\n".join(paragraphs[i : i + size]) for i in range(0, len(paragraphs), size)]


def published(shared: Path) -> dict[tuple[str, str], dict[str, float]]:
    """(granularity, lang) -> {detector: accuracy %} from lingua's accuracy reports."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    by_name = {v: k for k, v in NAMES.items()}
    for g in GRANULARITIES:
        path = shared / "eval" / "langid" / "baselines" / f"{g}-accuracy-values.csv"
        with path.open(encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                row = {k.lower(): v for k, v in row.items()}  # headers differ in case per file
                lang = by_name.get(row["language"])
                if lang:
                    out[(g, lang)] = {d: float(row[d] or "nan") for d in PUBLISHED if d in row}
    return out


def run_backend(backend: str, shared: Path, limit: int, languages: tuple[str, ...]) -> dict:
    """Worker: every item through detect_language(); accuracy, memory (and a rough timing)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    detector = load_backend(backend)
    load_s = time.perf_counter() - t0
    result: dict = {"backend": backend, "load_s": load_s, "acc": {}, "und": {}, "time": {}}
    for g in (*GRANULARITIES, DOCUMENTS):
        seconds = kbytes = items = 0.0
        for lang in languages:
            if g == DOCUMENTS:
                texts = load_documents(shared, lang, limit)
            else:
                texts = load_items(shared, g, lang, limit)
            correct = undetermined = 0
            t = time.perf_counter()
            for text in texts:
                got = detect_language(None, text, detector)[0]
                correct += got == lang
                undetermined += got == "und"
            seconds += time.perf_counter() - t
            kbytes += sum(len(x.encode("utf-8")) for x in texts) / 1024
            items += len(texts)
            result["acc"][f"{g}/{lang}"] = 100.0 * correct / len(texts)
            result["und"][f"{g}/{lang}"] = 100.0 * undetermined / len(texts)
        result["time"][g] = {"ms_item": 1000 * seconds / items, "ms_kb": 1000 * seconds / kbytes}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["model_rss_mb"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    ) / 1024
    return result


def time_backends(backends: list[str], shared: Path, languages: tuple[str, ...], n: int) -> dict:
    """Speed in one process, round-robin, best of ROUNDS: the machine is shared, and a backend
    timed alone in a busy minute would look slower than one timed in a quiet one."""
    detectors = {b: load_backend(b) for b in backends}
    corpora = {
        "sentences": [t for lang in languages for t in load_items(shared, "sentences", lang, n)],
        "word-pairs": [t for lang in languages for t in load_items(shared, "word-pairs", lang, n)],
        DOCUMENTS: [t for lang in languages for t in load_documents(shared, lang, 3 * n)],
    }
    best: dict = {b: {g: float("inf") for g in corpora} for b in backends}
    for _ in range(ROUNDS):
        for g, texts in corpora.items():
            for b, detector in detectors.items():
                t = time.perf_counter()
                for text in texts:
                    detect_language(None, text, detector)
                best[b][g] = min(best[b][g], time.perf_counter() - t)
    out: dict = {}
    for b in backends:
        for g, texts in corpora.items():
            kbytes = sum(len(x.encode("utf-8")) for x in texts) / 1024
            out.setdefault(b, {})[g] = {
                "ms_item": 1000 * best[b][g] / len(texts),
                "ms_kb": 1000 * best[b][g] / kbytes,
            }
    return out


def mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def report(
    results: list[dict], speed: dict, shared: Path, languages: tuple[str, ...], limit: int
) -> None:
    pub = published(shared)
    names = [r["backend"] for r in results]
    print(f"\n# Accuracy (%) through detect_language(), {limit} items per language and granularity")
    for g in GRANULARITIES:
        print(f"\n## {g}")
        head = ["lang"] + names + [f"pub:{d}" for d in PUBLISHED]
        print(" | ".join(f"{h:>14}" for h in head))
        rows = []
        for lang in languages:
            ours = [r["acc"][f"{g}/{lang}"] for r in results]
            theirs = [pub.get((g, lang), {}).get(d, float("nan")) for d in PUBLISHED]
            rows.append(ours + theirs)
            print(" | ".join([f"{lang:>14}"] + [f"{v:14.1f}" for v in ours + theirs]))
        means = [mean(col) for col in zip(*rows, strict=True)]
        print(" | ".join([f"{'MEAN':>14}"] + [f"{v:14.1f}" for v in means]))
        und = [mean(r["und"][f"{g}/{lang}"] for lang in languages) for r in results]
        print(" | ".join([f"{'und rate':>14}"] + [f"{v:14.1f}" for v in und]))

    print(f"\n# Speed (round-robin in one process, best of {ROUNDS}) and memory (own process)")
    base = speed.get("langdetect")
    cols = ("sentences", "word-pairs", DOCUMENTS)
    print(f"{'backend':>18} | {'load s':>6} | " + " | ".join(f"{g:>10} ms" for g in cols)
          + " | sent ms/KB | doc ms/KB | x sent | x doc | peak MB | model MB")  # fmt: skip
    for r in results:
        t = speed[r["backend"]]
        x_sent = base["sentences"]["ms_kb"] / t["sentences"]["ms_kb"] if base else 0.0
        x_doc = base[DOCUMENTS]["ms_kb"] / t[DOCUMENTS]["ms_kb"] if base else 0.0
        cells = " | ".join(f"{t[g]['ms_item']:13.3f}" for g in cols)
        print(f"{r['backend']:>18} | {r['load_s']:6.2f} | {cells} | {t['sentences']['ms_kb']:10.3f}"
              f" | {t[DOCUMENTS]['ms_kb']:9.3f} | {x_sent:6.1f} | {x_doc:5.1f}"
              f" | {r['peak_rss_mb']:7.0f} | {r['model_rss_mb']:8.0f}")  # fmt: skip

    print(f"\n# README table: means over {','.join(languages)} ({limit} items each)\n")
    print("| backend | sentences % | word pairs % | single words % (und %) | documents % "
          "| ms/KB sentences (x langdetect) | ms/KB documents (x langdetect) | model MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        acc = {
            g: mean(r["acc"][f"{g}/{lang}"] for lang in languages) for g in (*cols, "single-words")
        }
        und = mean(r["und"][f"single-words/{lang}"] for lang in languages)
        t = speed[r["backend"]]
        x = {g: base[g]["ms_kb"] / t[g]["ms_kb"] if base else float("nan") for g in cols}
        print(f"| {r['backend']} | {acc['sentences']:.1f} | {acc['word-pairs']:.1f} "
              f"| {acc['single-words']:.1f} ({und:.0f}) | {acc[DOCUMENTS]:.1f} "
              f"| {t['sentences']['ms_kb']:.2f} ({x['sentences']:.1f}x) "
              f"| {t[DOCUMENTS]['ms_kb']:.2f} ({x[DOCUMENTS]:.1f}x) | {r['model_rss_mb']:.0f} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--limit", type=int, default=1000, help="items per language/granularity")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--languages", default=",".join(GOAL_LANGUAGES))
    parser.add_argument("--timing-items", type=int, default=100, help="per language, for speed")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    languages = tuple(args.languages.split(","))
    data = args.shared / "eval" / "langid"
    if not data.is_dir():
        print(f"missing {data}: the lingua test data is needed", file=sys.stderr)
        return 2
    if args.worker:
        print(json.dumps(run_backend(args.worker, args.shared, args.limit, languages)))
        return 0
    results = []
    for backend in args.backends.split(","):
        if not available(backend):
            print(f"skipping {backend}: not installed", file=sys.stderr)
            continue
        cmd = [sys.executable, __file__, "--worker", backend, "--shared", str(args.shared),
               "--limit", str(args.limit), "--languages", args.languages]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(f"done {backend}", file=sys.stderr)
    names = [r["backend"] for r in results]
    speed = time_backends(names, args.shared, languages, args.timing_items)
    report(results, speed, args.shared, languages, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
