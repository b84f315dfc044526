"""End to end through the CLI: JSON Lines, gzipped JSON Lines and a JSON array past
--max-input-bytes, in a folder named like a glob, are read whole, counted, and give the same rows
as read whole and on every runner; a FIFO in the input folder is a counted dead letter."""

from __future__ import annotations

import gzip
import json
import os
import random
import threading
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main

_WORDS = [
    "governo", "parlamento", "sindaco", "città", "regione", "scuola", "ospedale", "treno", "porto",
    "mercato", "squadra", "museo", "teatro", "festival", "ricerca", "università", "tribunale",
]  # fmt: skip


def _article(i: int) -> dict:
    rnd = random.Random(i)
    words = " ".join(rnd.choice(_WORDS) for _ in range(40))
    return {
        "url": f"https://notizie.test/{i}",
        "title": f"Notizia {i}",
        "text": f"Articolo {i}. {words.capitalize()}.",
        "published": "2026-11-20T10:00:00Z",
    }


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def _rows(out: Path) -> list[tuple]:
    return duckdb.sql(
        f"select article_id, url, title from read_parquet('{out}/articles/**/*.parquet') "
        "order by article_id"
    ).fetchall()


@pytest.fixture(scope="module")
def big_inputs(tmp_path_factory) -> Path:
    """JSON Lines, gzipped JSON Lines and a JSON array, each several times a 16 KB cap."""
    folder = tmp_path_factory.mktemp("big") / "news[1]"  # and a folder named like a glob
    folder.mkdir()
    lines = "".join(json.dumps(_article(i)) + "\n" for i in range(120)).encode()
    (folder / "a.jsonl").write_bytes(lines)
    (folder / "b.jsonl.gz").write_bytes(
        gzip.compress("".join(json.dumps(_article(i)) + "\n" for i in range(120, 240)).encode())
    )
    (folder / "c.json").write_text(json.dumps([_article(i) for i in range(240, 360)], indent=1))
    assert (folder / "a.jsonl").stat().st_size > 3 * 16_384
    return folder


CAP = ["--max-input-bytes", "16384"]


@pytest.fixture(scope="module")
def parts_out(big_inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parts") / "out"
    assert main(["run", "--input", str(big_inputs), "--output", str(out), *CAP]) == 0
    return out


def test_files_past_the_cap_are_read_whole_counted_and_the_same_as_read_whole(
    big_inputs, parts_out, tmp_path
):
    parts, whole = parts_out, tmp_path / "whole"
    s = _summary(parts)
    assert (s["items_read"], s["written"], s["dead_lettered"], s["balanced"]) == (360, 360, 0, True)
    assert s["documents_read"] == 3  # files, not parts
    assert main(["run", "--input", str(big_inputs), "--output", str(whole)]) == 0
    assert _summary(whole)["written"] == 360
    assert _rows(parts) == _rows(whole)


def test_a_fifo_in_the_input_folder_is_a_counted_dead_letter(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps(_article(1)) + "\n")
    os.mkfifo(folder / "pipe.jsonl")
    out = tmp_path / "out"
    done: list = []
    run = threading.Thread(
        target=lambda: done.append(main(["run", "--input", str(folder), "--output", str(out)])),
        daemon=True,
    )
    run.start()
    run.join(300)
    assert done == [0], "the run hung or failed"
    s = _summary(out)
    assert (s["written"], s["dead_lettered"], s["balanced"]) == (1, 1, True)
    (letter,) = [json.loads(x) for f in (out / "deadletter").glob("*.jsonl") for x in f.open()]
    assert letter["stage"] == "read" and "FIFO" in letter["error"]


def _dataset(out: Path) -> dict:
    """What a run leaves that must not depend on the runner (ingested_at is the run's time)."""
    rows = []
    for path in sorted(out.glob("articles/*/*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            row.pop("ingested_at")
            rows.append((str(path.parent.relative_to(out)), row))
    rows.sort(key=lambda r: (r[1]["article_id"], r[1]["version"]))
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    counts = {p.name: json.loads(p.read_text()) for p in sorted(out.glob("_runs/*.counts.json"))}
    return {"files": files, "rows": rows, "counts": counts}


@pytest.mark.cluster
@pytest.mark.parametrize(
    "flags",
    [
        ["--runner", "DirectRunner", "--direct_running_mode", "multi_processing",
         "--direct_num_workers", "2"],
        ["--dask_local_workers", "2"],
    ],
    ids=["multiprocessing", "dask"],
)  # fmt: skip
def test_parts_give_the_same_dataset_on_every_runner(big_inputs, parts_out, tmp_path, flags):
    pytest.importorskip("distributed", reason="needs the dask extra: pip install '.[dask]'")
    out = tmp_path / "out"
    assert main(["run", "--input", str(big_inputs), "--output", str(out), *CAP, *flags]) == 0
    assert _dataset(out) == _dataset(parts_out)


@pytest.mark.slow
def test_bench_large_input_runs(tmp_path):
    """bench/bench_large_input.py has not rotted: every item of a file past its cap is read."""
    import subprocess
    import sys

    from tests.conftest import ROOT, shared_path

    args = [
        "--n",
        "300",
        "--scale",
        "1",
        "--max-input-bytes",
        "20000",
        "--shared",
        str(shared_path()),
    ]
    out = subprocess.run(
        [sys.executable, "bench/bench_large_input.py", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    reads = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [(r["items"], r["failures"]) for r in reads] == [(300, 0), (300, 0)]
    assert all(r["parts"] > 5 for r in reads)
