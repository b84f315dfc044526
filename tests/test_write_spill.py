"""The batch writer with a spill folder: the partition shuffle carries chunk paths, the rows wait
in files, and each file is written one row group at a time in the writer's order."""

import glob
import random

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.test_parquet import DAY, art
from transforms.core import packing
from transforms.write import parquet, spilled
from transforms.write.naming import BatchFiles
from transforms.write.parquet import WRITTEN, WriteArticles, sort_key


def test_sort_bytes_sort_as_sort_key_does():
    rng = random.Random(7)
    ids = ["a", "ab", "abc", "b", "é", "z\u00e9", "Zz", "a\u4e2d"]
    articles = [
        art(rng.choice(ids), published=rng.choice([None, 0, 1, 20_488 * DAY, -5]))._replace(
            version=rng.choice([1, 2, 10, 300]), content_hash=rng.choice(["", "0a", "0", "ff"])
        )
        for _ in range(500)
    ]
    by_key = sorted(articles, key=sort_key)
    by_bytes = sorted(articles, key=spilled.sort_bytes)
    assert [sort_key(a) for a in by_bytes] == [sort_key(a) for a in by_key]


def test_spilled_partitions_are_whole_sorted_files_in_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(spilled, "CHUNK_BYTES", 300)  # a few rows per chunk: many per partition
    monkeypatch.setattr(parquet, "ROW_GROUP_ROWS", 4)  # and several row groups per file
    day1 = [art(f"a{i:02d}", published=20_488 * DAY + (i * 7919) % 13) for i in range(15)]
    day2 = [art(f"b{i:02d}", published=20_489 * DAY) for i in range(5)]
    rng = random.Random(1)
    shuffled = rng.sample(day1 + day2, 20)
    with TestPipeline() as p:
        res = (
            p
            | beam.Create(shuffled)
            | WriteArticles(str(tmp_path / "out"), BatchFiles("k"), str(tmp_path / "spill"))
        )
        rows = res[WRITTEN] | beam.Map(lambda w: (w.path.split("articles/")[1], w.rows))
        assert_that(
            rows,
            equal_to(
                [
                    ("date=2026-02-04/lang=it/batch-k-0000-of-0001.parquet", 15),
                    ("date=2026-02-05/lang=it/batch-k-0000-of-0001.parquet", 5),
                ]
            ),
        )
    first = glob.glob(f"{tmp_path}/out/articles/date=2026-02-04/*/*.parquet")[0]
    table = pq.read_table(first)
    assert table.column("article_id").to_pylist() == [
        a.article_id for a in sorted(day1, key=sort_key)
    ]
    assert pq.ParquetFile(first).metadata.num_row_groups == 4  # 15 rows, 4 a group
    chunks = glob.glob(f"{tmp_path}/spill/write/*.rows")
    assert len(chunks) > 2  # the rows crossed the shuffle as files
    for chunk in chunks:  # each compressed whole, its rows packed one by one but not compressed
        with open(chunk, "rb") as fh:
            assert packing.decompress(fh.read())
        ids = [packing.unpack(row).article_id for _, row in spilled.read_rows_chunk(chunk)]
        assert set(ids) <= {a.article_id for a in shuffled} and ids
    assert glob.glob(f"{tmp_path}/spill/write/.tmp-*") == []
    assert glob.glob(f"{tmp_path}/out/articles/*/*/.tmp*") == []


def test_a_partition_whose_every_row_is_refused_writes_no_file(tmp_path):
    bad = art("bad", published=20_488 * DAY)._replace(modified_at=-(10**30))
    with TestPipeline() as p:
        res = (
            p
            | beam.Create([bad])
            | WriteArticles(str(tmp_path), BatchFiles("k"), str(tmp_path / "spill"))
        )
        assert_that(res[WRITTEN], equal_to([]), label="Files")
        failed = res["failures"] | beam.Map(lambda f: f.source_uri)
        assert_that(failed, equal_to(["mem://bad"]))
    assert glob.glob(f"{tmp_path}/articles/*/*/*") == []


def test_a_row_group_is_decoded_a_few_rows_at_a_time(tmp_path, monkeypatch):
    """The writer holds DECODE_ROWS articles as Python objects at once, and still writes the
    partition's row group whole."""
    monkeypatch.setattr(parquet, "DECODE_ROWS", 3)
    decoded: list[int] = []
    convert = parquet.writable_table

    def counted(rows):
        decoded.append(len(rows))
        return convert(rows)

    monkeypatch.setattr(parquet, "writable_table", counted)
    articles = [art(f"a{i:02d}", published=20_488 * DAY + i % 4) for i in range(10)]
    with TestPipeline() as p:
        _ = (
            p
            | beam.Create(random.Random(2).sample(articles, 10))
            | WriteArticles(str(tmp_path / "out"), BatchFiles("k"), str(tmp_path / "spill"))
        )
    assert sorted(decoded) == [1, 3, 3, 3]
    path = glob.glob(f"{tmp_path}/out/articles/*/*/*.parquet")[0]
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    assert pq.read_table(path).column("article_id").to_pylist() == [
        a.article_id for a in sorted(articles, key=sort_key)
    ]
