"""Quality gate: main-text F1 of parse_document on a fixed sample of the HTML benchmark pages.

Dataset: ../shared/eval/html (Scrapinghub article-extraction-benchmark), the first 20 pages in
sorted key order, scored with the benchmark's own shingle metric (bench/eval_html.py).
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT, shared_path

pytestmark = pytest.mark.quality

# Measured on these 20 pages with trafilatura 2.3.1: P=0.9716 R=0.9838 F1=0.9777.
F1_FLOOR = 0.970
PRECISION_FLOOR = 0.965
RECALL_FLOOR = 0.978


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_html", ROOT / "bench" / "eval_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_html_main_text_quality_gate():
    shared_path("eval", "html", "ground-truth.json")
    bench = _eval_module()
    result = bench.evaluate(bench.load_pages(ROOT.parent / "shared", limit=20))
    assert result["pages"] == 20
    assert result["f1"] >= F1_FLOOR, result["f1"]
    assert result["precision"] >= PRECISION_FLOOR, result["precision"]
    assert result["recall"] >= RECALL_FLOOR, result["recall"]


def test_metric_matches_the_benchmark_definition():
    bench = _eval_module()
    assert bench.tp_fp_fn("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = bench.tp_fp_fn("one two three four five", "one two three four six")
    assert (tp, fp, fn) == (1 / 3, 1 / 3, 1 / 3)
    m = bench.metrics(
        [(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)]
    )  # an empty prediction counts in recall only
    assert (m["precision"], m["recall"]) == (1.0, 0.5)


# The plain-text cleaner on the same 20 pages flattened to scraped text (every line of <body>):
# measured P=0.7473 R=0.8517 F1=0.7961 (before cleaning: P=0.4544 F1=0.6242).
PLAIN_F1_FLOOR = 0.785


def test_plain_text_cleaner_quality_gate():
    shared_path("eval", "html", "ground-truth.json")
    bench = _eval_module()
    before, after = bench.evaluate_plain_text(bench.load_pages(ROOT.parent / "shared", limit=20))
    assert after["f1"] >= PLAIN_F1_FLOOR, after
    assert after["precision"] > before["precision"] + 0.2, (before, after)
