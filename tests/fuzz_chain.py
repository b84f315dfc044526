"""A whole batch run on generated files: the case (files whose items' fates are known, an input
folder name, maybe a small --max-input-bytes), the run (pipeline.cli.main) and what it must show:
exit 0, a balanced summary counting every generated item, every good item written (by its url),
every bad one dead-lettered, nothing dropped. Shared by tests/test_fuzz_chain.py and bench/fuzz.py.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pyarrow.dataset as ds
from hypothesis import strategies as st

from tests.fuzz_docs import feed_doc, gzipped, html_doc, text_doc
from tests.fuzz_records import BAD, GOOD, ODD, Doc, Item, jsonl_doc
from transforms.core.times import to_us


class ChainCase(NamedTuple):
    folder: str  # the input folder's name ("in [1]": a name that looks like a glob)
    docs: tuple[Doc, ...]
    max_input_bytes: int | None = None  # None: the default cap


class ChainRun(NamedTuple):
    exit_code: int
    summary: dict
    rows: list[dict]  # the written dataset, hive partition columns included
    dead: list[dict]  # the dead letters of the run


@st.composite
def small_bytes_doc(draw, prefix: str) -> Doc:
    """A .txt of random bytes: one item, read or dead-lettered (no '<', so it stays text)."""
    data = draw(st.binary(max_size=300).map(lambda b: b.replace(b"<", b"(")))
    return Doc(f"{prefix}.txt", data, (Item(ODD, None, "random bytes", repr(data[:40])),))


@st.composite
def chain_case(draw, max_files: int = 5) -> ChainCase:
    n = draw(st.integers(1, max_files))
    docs = []
    for i in range(n):
        prefix = f"c{i}"
        kind = draw(st.sampled_from(["jsonl", "jsonl", "feed", "html", "text", "bytes", "gzip"]))
        if kind == "jsonl":
            doc = draw(jsonl_doc(prefix=prefix, max_items=25))
        elif kind == "feed":
            doc = draw(feed_doc(prefix=prefix, local=True))
        elif kind == "html":
            doc = draw(html_doc(prefix=prefix))
        elif kind == "text":
            doc = draw(text_doc(prefix=prefix))
        elif kind == "bytes":
            doc = draw(small_bytes_doc(prefix))
        else:
            doc = gzipped(draw(jsonl_doc(prefix=prefix, max_items=25)), rename=True)
        docs.append(doc)
    folder = draw(st.sampled_from(["in", "in", "in [1]", "news 2026"]))
    cap = draw(st.sampled_from([None, None, None, 2048]))
    return ChainCase(folder, tuple(docs), cap)


def run_case(case: ChainCase, workdir: Path) -> ChainRun:
    """Write the case's files and run `newsbeam run` on them in this process."""
    from pipeline.cli import main

    folder = workdir / case.folder
    folder.mkdir(parents=True)
    for doc in case.docs:
        (folder / doc.name).write_bytes(doc.data)
    out = workdir / "out"
    argv = ["run", "--input", str(folder), "--output", str(out)]
    if case.max_input_bytes:
        argv += ["--max-input-bytes", str(case.max_input_bytes)]
    try:
        code = main(argv)
    except BaseException as exc:
        raise AssertionError(f"the run raised {type(exc).__name__}: {str(exc)[:600]}") from exc
    return ChainRun(code, *read_output(out))


def read_output(out: Path) -> tuple[dict, list[dict], list[dict]]:
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    rows: list[dict] = []
    if (out / "articles").exists():
        rows = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
        rows = rows.to_pylist()
    dead = [
        json.loads(line)
        for path in sorted((out / "deadletter").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return summary, rows, dead


def _micros(value) -> int | None:
    return None if value is None else to_us(value)


def _capped(case: ChainCase, doc: Doc) -> bool:
    return bool(case.max_input_bytes) and len(doc.data) > case.max_input_bytes


def check_run(case: ChainCase, run: ChainRun) -> None:
    """What every batch run on the case must show; AssertionError says what broke."""
    s = run.summary
    assert run.exit_code == 0, f"exit {run.exit_code}; summary {s}"
    assert s, "no summary.json"
    items = sum(len(doc.items) for doc in case.docs)
    assert s["balanced"], f"not balanced: {s}"
    assert s["items_read"] == items, f"{items} items generated, summary says {s['items_read']}"
    assert s["dropped_duplicates"] == 0, f"nothing was re-delivered, yet {s['dropped_by_reason']}"
    assert s["written"] == len(run.rows), (
        f"summary says {s['written']} rows, dataset has {len(run.rows)}"
    )
    ids = Counter((r["article_id"], r["version"]) for r in run.rows)
    assert not [k for k, n in ids.items() if n > 1], "the same row written twice"
    by_url = {r["url"]: r for r in run.rows}
    dead_per_file = Counter(Path(d["source_uri"]).name for d in run.dead)
    for doc in case.docs:
        lost = [
            i.url
            for i in doc.items
            if i.kind == GOOD and i.url not in by_url and not _capped(case, doc)
        ]
        assert not lost, f"{doc.name}: good items not written: {lost}"
        bad = sum(i.kind == BAD for i in doc.items)
        assert dead_per_file[doc.name] >= bad, (
            f"{doc.name}: {bad} bad items, {dead_per_file[doc.name]} dead letters"
        )
        for i in doc.items:
            if i.kind == GOOD and i.dated is not None and i.url in by_url:
                row = by_url[i.url]
                got = _micros(row["published_at"])
                allowed = i.dated.allowed(_micros(row["ingested_at"]))
                assert got in allowed, f"{i.url}: published_at {got}, expected one of {allowed}"


def run_and_check(case: ChainCase) -> None:
    with tempfile.TemporaryDirectory(prefix="newsbeam-fuzz-") as tmp:
        check_run(case, run_case(case, Path(tmp)))
