"""Partitioned Parquet writing: partition values, deterministic names, temp + rename, stale files."""

import glob

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_article
from transforms.write.naming import BatchFiles
from transforms.write.parquet import WRITTEN, WriteArticles, remove_stale_files, write_parquet
from transforms.write.partitioning import partition_date, partition_lang, shard_of

DAY = 86_400_000_000


def art(aid, published=None, lang="it", ingested=20_000 * DAY):
    return make_article(
        "text " + aid,
        article_id=aid,
        source_uri="mem://" + aid,
        published=published,
        published_at_source="none" if published is None else "text",
        ingested=ingested,
        language=lang,
        content_hash="",
    )


@pytest.mark.parametrize(
    "article, date, lang",
    [
        (art("a", published=20_488 * DAY), "2026-02-04", "it"),
        (art("b", published=None, ingested=20_488 * DAY + 5), "2026-02-04", "it"),
        (art("c", published=20_488 * DAY - 1), "2026-02-03", "it"),
        (art("d", lang="und"), "2024-10-04", "und"),
        (art("e", lang="zh-Hant"), "2024-10-04", "und"),
    ],
)
def test_partition_values(article, date, lang):
    assert (partition_date(article), partition_lang(article)) == (date, lang)


def test_shards_are_stable_and_in_range():
    assert shard_of("abc", 4) == shard_of("abc", 4)
    assert {shard_of(str(i), 4) for i in range(200)} == {0, 1, 2, 3}
    assert BatchFiles("k", 4).parquet_name(None, 0, 2) == "batch-k-0002-of-0004.parquet"


def test_write_parquet_sorts_rows_and_leaves_no_temp(tmp_path):
    path = f"{tmp_path}/p/x.parquet"
    assert write_parquet(path, [art("b", 2), art("a", 1)]) == 2
    assert pq.read_table(path).column("article_id").to_pylist() == ["a", "b"]
    assert [p.split("/")[-1] for p in glob.glob(f"{tmp_path}/p/*")] == ["x.parquet"]
    assert glob.glob(f"{tmp_path}/p/.tmp*") == []


def _run_write(out, articles, key="k", shards=1):
    with TestPipeline() as p:
        res = p | beam.Create(articles) | WriteArticles(str(out), BatchFiles(key, shards))
        assert_that(res[WRITTEN] | beam.Map(lambda w: w.rows), equal_to([1] * len(articles)))


def test_rerun_overwrites_and_removes_what_it_no_longer_writes(tmp_path):
    _run_write(tmp_path, [art("a", 20_488 * DAY), art("b", 20_489 * DAY)])
    first = sorted(glob.glob(f"{tmp_path}/articles/*/*/*.parquet"))
    assert len(first) == 2 and "date=2026-02-04/lang=it/batch-k-0000-of-0001.parquet" in first[0]
    # Same run key, one article moved to another day: its old file must go, none may double.
    _run_write(tmp_path, [art("a", 20_488 * DAY), art("b", 20_490 * DAY)])
    files = sorted(glob.glob(f"{tmp_path}/articles/*/*/*.parquet"))
    assert [f.split("articles/")[1].split("/")[0] for f in files] == [
        "date=2026-02-04",
        "date=2026-02-06",
    ]
    assert sum(pq.read_metadata(f).num_rows for f in files) == 2


def test_other_run_keys_are_left_alone(tmp_path):
    _run_write(tmp_path, [art("a", 20_488 * DAY)], key="one")
    _run_write(tmp_path, [art("b", 20_488 * DAY)], key="two")
    assert len(glob.glob(f"{tmp_path}/articles/*/*/*.parquet")) == 2
    assert remove_stale_files(str(tmp_path), "batch-two", []) == 1
    assert len(glob.glob(f"{tmp_path}/articles/*/*/*.parquet")) == 1


# --- bad rows cost themselves only (issue "Bad input never costs good data") -------------------

YEAR_1 = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z in µs


@pytest.mark.parametrize(
    "article, date",
    [
        (art("y1", published=YEAR_1), "0001-01-01"),  # four digits, as every reader parses them
        (art("far", published=-(10**20), ingested=20_488 * DAY), "2026-02-04"),  # no calendar day
        (art("late", published=10**20, ingested=20_488 * DAY), "2026-02-04"),
    ],
)
def test_partition_date_names_every_row_and_never_raises(article, date):
    assert partition_date(article) == date


@pytest.mark.parametrize("spilled", [False, True], ids=["in-memory", "spilled"])
def test_one_unwritable_value_costs_its_row_not_its_partition(tmp_path, spilled):
    good = [art(f"g{i}", published=20_488 * DAY) for i in range(20)]
    bad = art("bad", published=20_488 * DAY)._replace(modified_at=-(10**30))  # past int64 µs
    nameless = art("nameless", published=20_488 * DAY)._replace(article_id=None)  # no shard
    spill = str(tmp_path / "spill") if spilled else None
    with TestPipeline() as p:
        res = (
            p
            | beam.Create([*good, bad, nameless])
            | WriteArticles(str(tmp_path), BatchFiles("k"), spill)
        )
        assert_that(res[WRITTEN] | beam.Map(lambda w: w.rows), equal_to([20]), label="Rows")
        failed = res["failures"] | beam.Map(lambda f: (f.stage, f.source_uri))
        assert_that(failed, equal_to([("write", "mem://bad"), ("write", "mem://nameless")]))
    (path,) = glob.glob(f"{tmp_path}/articles/*/*/*.parquet")
    assert sorted(pq.read_table(path).column("article_id").to_pylist()) == sorted(
        a.article_id for a in good
    )


def test_dead_letters_of_a_crashed_run_leave_no_temp_file(tmp_path):
    from transforms.write import WriteDeadLetters
    from transforms.write.deadletter import deadletter_dir

    leftover = tmp_path / "deadletter" / ".tmp-batch-k.jsonl-0123abcd"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half a file")  # what a kill -9 mid-write leaves
    with TestPipeline() as p:
        _ = p | beam.Create([]) | WriteDeadLetters(str(tmp_path), BatchFiles("k"))
    assert glob.glob(f"{deadletter_dir(str(tmp_path))}/*") == []
    assert not leftover.exists()


def test_atomic_writes_replace_whole_files(tmp_path):
    from transforms.write import write_atomically
    from transforms.write.files import remove_leftovers, temp_path

    target = tmp_path / "summary.json"
    write_atomically(str(target), b"one")
    write_atomically(str(target), b"two")
    assert target.read_bytes() == b"two" and sorted(p.name for p in tmp_path.iterdir()) == [
        "summary.json"
    ]
    (tmp_path / temp_path(str(target)).rsplit("/", 1)[1]).write_bytes(b"half")
    assert remove_leftovers(str(target)) == 1 and target.read_bytes() == b"two"


def test_a_dead_letter_with_a_lone_surrogate_is_written(tmp_path):
    import json

    from transforms.core.failures import make_failure
    from transforms.write import write_deadletters

    path = tmp_path / "dl.jsonl"
    failure = make_failure("write", "mem://x", "bad", '{"title": "A \ud800"}')
    assert write_deadletters(str(path), [failure]) == 1
    assert json.loads(path.read_text())["payload"] == '{"title": "A \ud800"}'
