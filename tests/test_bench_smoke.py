"""The end-to-end, entity, packing, memory and runner benchmarks still run on a tiny corpus:
figures are not checked here (timed tests flake on shared machines), only that bench/ has not
rotted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, shared_path


def _bench(script: str, *args: str) -> str:
    """The script's output on the shared data; fails the test if it exits non-zero."""
    out = subprocess.run(
        [sys.executable, f"bench/{script}", *args, "--shared", str(shared_path())],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.slow
def test_bench_e2e_runs_both_modes_on_a_tiny_corpus():
    stdout = _bench("bench_e2e.py", "--n", "60", "--shards", "2")
    assert "failed" not in stdout, stdout[-3000:]
    rows = [ln for ln in stdout.splitlines() if ln.startswith(("beam --runner", "loop "))]
    assert len(rows) == 2, stdout
    assert all(ln.split()[-1] == rows[0].split()[-1] for ln in rows)  # same written/dropped
    assert "host: a pure-Python reference loop" in stdout
    assert "modules: " in stdout  # which build the figures come from


@pytest.mark.slow
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="--paired needs two cores")
def test_bench_e2e_paired_swaps_the_cores_and_reports_each_rounds_ratio():
    stdout = _bench("bench_e2e.py", "--n", "60", "--shards", "2", "--paired", "--repeat", "2")
    assert "failed" not in stdout, stdout[-3000:]
    rounds = [ln for ln in stdout.splitlines() if ln.startswith("round ")]
    assert len(rounds) == 2, stdout
    cores = [(ln.split("beam on core ")[1][0], ln.split("loop on core ")[1][0]) for ln in rounds]
    assert cores[0] == cores[1][::-1] and cores[0][0] != cores[0][1]
    assert "geometric mean of 2 paired rounds" in stdout


@pytest.mark.slow
def test_bench_entities_times_every_backend_on_a_tiny_corpus():
    stdout = _bench("bench_entities.py", "--n", "20")
    rows = [ln.split()[0] for ln in stdout.splitlines() if "ms/article" in ln]
    assert rows == ["rules", "model+rules", "model"], stdout
    assert "modules: " in stdout


@pytest.mark.slow
def test_bench_packing_round_trips_every_form_on_a_tiny_corpus():
    stdout = _bench("bench_packing.py", "--n", "20")  # it asserts every form decodes back equal
    forms = [ln for ln in stdout.splitlines() if ln.startswith(("RowCoder", "packing"))]
    assert len(forms) == 3, stdout


@pytest.mark.slow
def test_bench_stage_memory_names_the_steps_and_the_ratio_on_tiny_corpora():
    stdout = _bench("bench_stage_memory.py", "--n", "40", "--n", "80")
    stages = " ".join(ln for ln in stdout.splitlines() if ln.startswith("  "))
    for step in ("Deduplicate", "GroupStories", "WriteArticles"):
        assert step in stages, stdout
    assert "peak at 80 / peak at 40" in stdout, stdout


@pytest.mark.slow
def test_bench_runners_reports_wall_and_cpu_with_and_without_the_model_cache():
    stdout = _bench("bench_runners.py", "--n", "20", "--runners", "fnapi,fnapi-nocache")
    header, *rows = stdout[stdout.index("runner ") :].splitlines()
    assert "CPU s" in header, stdout
    assert [r.split()[0] for r in rows[:2]] == ["fnapi", "fnapi-nocache"], stdout
    cpu = float(rows[1].split()[4])  # this process's and its ended children's CPU, some > 0
    assert cpu > 0, stdout


@pytest.mark.slow
def test_eval_entities_draws_a_link_sample_that_leaves_out_a_judged_one(tmp_path):
    """--sample-links draws linked mentions to judge by hand, reproducibly, leaving out the keys
    of a sample already judged (bench/link_judgements/*.tsv: its first column)."""
    first = tmp_path / "first.txt"
    out = _bench("eval_entities.py", "--half", "B", "--sample-links", "8", "--seed", "7",
                 "--keys-out", str(first))  # fmt: skip
    keys = first.read_text().split()
    assert len(keys) == 8 and out.count("[[") == 8, out
    judged = tmp_path / "judged.tsv"
    judged.write_text("# a judged sample\n" + "".join(f"{k}\t1\t1\t\n" for k in keys))
    again = tmp_path / "again.txt"
    _bench("eval_entities.py", "--half", "B", "--sample-links", "8", "--seed", "7",
           "--keys-out", str(again))  # fmt: skip
    assert again.read_text().split() == keys  # the same seed, the same sample
    second = tmp_path / "second.txt"
    _bench("eval_entities.py", "--half", "B", "--sample-links", "8", "--seed", "7",
           "--exclude", str(judged), "--keys-out", str(second))  # fmt: skip
    assert len(second.read_text().split()) == 8
    assert not set(second.read_text().split()) & set(keys)
