"""CPU cost of each entity backend on the bench corpus: ms per article and per KB, one process.

.venv/bin/python bench/bench_entities.py --n 3000 [--backends rules,model+rules,model]
    [--shared ../shared]
Builds the 10-language corpus of bench/corpus.py (~2.6 KB texts), detects each article's
language with the default backend, then times the entity step alone. Each backend runs in its
own process, so every backend starts with a cold word-feature cache. Pin a core with
`taskset -c 0` for steadier figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(n: int, backend: str, shared: Path) -> str:
    from corpus import LONG_TEXTS, build_corpus

    from transforms.entities import load_gazetteer
    from transforms.entities.tag import load_backend, load_word_data, tag_with
    from transforms.language import DEFAULT_BACKEND
    from transforms.language.backends import load_backend as load_detector
    from transforms.language.detect import detect_language

    items = build_corpus(n, shared, length=LONG_TEXTS)
    detector = load_detector(DEFAULT_BACKEND)
    docs = [(i["text"], detect_language(i.get("title"), i["text"], detector)[0]) for i in items]
    gazetteer, resource = load_gazetteer(), load_backend(backend)
    load_word_data()  # as the pipeline's setup() does: word lists are not per-article work
    kb = sum(len(text.encode("utf-8")) for text, _ in docs) / 1024
    started = time.process_time()
    for text, lang in docs:
        tag_with(backend, text, gazetteer, resource, lang)
    cpu = time.process_time() - started
    return f"{backend:<12} {1000 * cpu / len(docs):8.3f} ms/article {1000 * cpu / kb:7.3f} ms/KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--backends", default="rules,model+rules,model")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    if args.one:
        print(measure(args.n, args.one, args.shared))
        return
    print(f"{args.n} articles of bench/corpus.py (~2.6 KB), entity step only, cold cache")
    from measure import build_note

    print(build_note())
    for backend in args.backends.split(","):
        cmd = [sys.executable, __file__, "--n", str(args.n), "--shared", str(args.shared)]
        out = subprocess.run([*cmd, "--one", backend], capture_output=True, text=True, check=True)
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
