"""`newsbeam compact`: a partition's stream files become one file, swapped in atomically; batch
files stay; a reader never sees a row twice or a row missing; a file a stream writes meanwhile
is kept."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
from conftest import make_article

from pipeline.cli import main
from pipeline.compact_cli import compact_main
from transforms.write import compaction
from transforms.write.parquet import write_parquet

DAY = "2026-11-30"


def _write(partition: Path, name: str, ids: range) -> None:
    partition.mkdir(parents=True, exist_ok=True)
    rows = [make_article(f"text {i}", url=f"https://x.example/{i}") for i in ids]
    write_parquet(str(partition / name), rows)


def _ids(partition: Path) -> list[str]:
    table = ds.dataset(str(partition), format="parquet").to_table(columns=["url"])
    return table.column("url").to_pylist()


def _stream_files(partition: Path, files: int, per_file: int, first: int = 0) -> int:
    for f in range(files):
        start = first + f * per_file
        _write(
            partition, f"stream-w{start:05d}-000-0000-run.parquet", range(start, start + per_file)
        )
    return files * per_file


def test_stream_files_become_one_and_batch_files_stay(tmp_path):
    out = tmp_path / "out"
    en = out / "articles" / f"date={DAY}" / "lang=en"
    it = out / "articles" / f"date={DAY}" / "lang=it"
    fr = out / "articles" / f"date={DAY}" / "lang=fr"
    _stream_files(en, 5, 10)
    _write(en, "batch-abc-0000-of-0001.parquet", range(1000, 1007))
    _stream_files(it, 2, 3, first=2000)
    _stream_files(fr, 1, 4, first=3000)
    before = {p: sorted(_ids(p)) for p in (en, it, fr)}

    assert main(["compact", str(out), "--date", DAY]) == 0

    names = sorted(p.name for p in en.iterdir())
    assert len(names) == 2 and names[0].startswith("batch-") and names[1].startswith("compact-")
    assert [p.name.split("-")[0] for p in it.iterdir()] == ["compact"]
    assert [p.name for p in fr.iterdir()] == ["stream-w03000-000-0000-run.parquet"]  # one: as is
    for p in (en, it, fr):
        assert sorted(_ids(p)) == before[p]  # no row lost, none doubled
    trash = list((out / "_compacted").glob(f"*/date={DAY}/lang=en/stream-*.parquet"))
    assert len(trash) == 5  # kept for readers still reading them
    assert not list((out / "_compacted").glob(".staging-*"))  # no staging folder left behind
    assert not list((out / "articles").glob("**/.*"))  # nothing hidden where readers glob


def test_by_default_only_days_before_today_are_compacted(tmp_path):
    out = tmp_path / "out"
    old = out / "articles" / f"date={DAY}" / "lang=en"
    today = out / "articles" / "date=2026-12-01" / "lang=en"
    _stream_files(old, 3, 2)
    _stream_files(today, 3, 2, first=100)
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC).timestamp()
    assert compact_main([str(out)], now=now) == 0
    assert len(list(old.iterdir())) == 1 and len(list(today.iterdir())) == 3


def test_old_compactions_are_swept_after_the_grace_period(tmp_path):
    out = tmp_path / "out"
    part = out / "articles" / f"date={DAY}" / "lang=en"
    _stream_files(part, 2, 2)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()
    assert compact_main([str(out), "--date", DAY], now=now) == 0
    assert len(list((out / "_compacted").iterdir())) == 1
    _stream_files(part, 2, 2, first=50)
    assert compact_main([str(out), "--date", DAY, "--grace-hours", "0"], now=now + 10**6) == 0
    assert len(list((out / "_compacted").iterdir())) == 1  # the first went; the second stays
    assert sorted(_ids(part)) == sorted(
        f"https://x.example/{i}" for i in [0, 1, 2, 3, 50, 51, 52, 53]
    )


def test_a_file_written_while_compacting_is_kept(tmp_path, monkeypatch):
    out = tmp_path / "out"
    part = out / "articles" / f"date={DAY}" / "lang=en"
    _stream_files(part, 3, 2)
    real = compaction.exchange

    def exchange_after_a_write(a, b):
        _write(part, "stream-late-000-0000-run.parquet", range(900, 903))  # a stream, meanwhile
        real(a, b)

    monkeypatch.setattr(compaction, "exchange", exchange_after_a_write)
    assert compact_main([str(out), "--date", DAY]) == 0
    assert (part / "stream-late-000-0000-run.parquet").exists()
    assert len(_ids(part)) == 6 + 3


def test_readers_never_see_a_row_twice_or_missing(tmp_path):
    """Readers list and read the partition over and over while it is compacted: each read that
    succeeds holds every row once (a read whose listed file was swapped away may fail; it never
    returns wrong rows), and the reads saw both the old files and the new one. The compaction
    starts once a read has finished, and the readers stop once a read that began after it has:
    both states are read however the threads are scheduled."""
    seen, errors, wrong = [], [], []
    for round_ in range(8):
        out = tmp_path / f"out{round_}"
        part = out / "articles" / f"date={DAY}" / "lang=en"
        expected = _stream_files(part, 40, 5)
        stop, read_once, compacted, read_after = (threading.Event() for _ in range(4))
        marks = (read_once, compacted, read_after)

        def read(part=part, expected=expected, stop=stop, out=out, marks=marks):
            glob = f"{out}/articles/**/*.parquet"  # the README's way, as DuckDB reads it
            first_read, compaction, later_read = marks
            while not stop.is_set():
                after = compaction.is_set()
                try:
                    dataset = ds.dataset(str(part), format="parquet")
                    urls = dataset.to_table(columns=["url"]).column("url").to_pylist()
                    with duckdb.connect() as con:
                        ducked = con.execute(f"select url from read_parquet('{glob}')").fetchall()
                except (FileNotFoundError, OSError, duckdb.IOException) as exc:
                    errors.append(exc)
                    continue
                for got in (urls, [u for (u,) in ducked]):
                    if not len(got) == len(set(got)) == expected:
                        wrong.append((len(got), len(set(got)), expected))
                seen.append(len(dataset.files))
                (later_read if after else first_read).set()

        readers = [threading.Thread(target=read) for _ in range(2)]
        for r in readers:
            r.start()
        read_once.wait(60)  # bounded: a reader that only fails leaves the assertions to say so
        assert compact_main([str(out), "--date", DAY]) == 0
        compacted.set()
        read_after.wait(60)
        stop.set()
        for r in readers:
            r.join()
        assert len(_ids(part)) == expected
    assert not wrong, wrong[:5]
    assert 1 in seen and 40 in seen, sorted(set(seen))


def test_two_compactions_within_one_second_keep_both_old_sets(tmp_path):
    out = tmp_path / "out"
    part = out / "articles" / f"date={DAY}" / "lang=en"
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC).timestamp()
    _stream_files(part, 2, 2)
    assert compact_main([str(out), "--date", DAY], now=now) == 0
    _stream_files(part, 2, 2, first=70)
    assert compact_main([str(out), "--date", DAY], now=now) == 0
    assert len(list(part.iterdir())) == 1 and len(_ids(part)) == 8
    kept = sorted(p.name for p in (out / "_compacted").glob(f"*/date={DAY}/*"))
    assert kept == ["lang=en", "lang=en+"]
