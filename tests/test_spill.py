"""core.spill: articles parked in chunk files while a batch step decides over small records."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_article
from transforms.core.failures import FAILURES
from transforms.core.spill import (
    CHUNKS,
    REFS,
    Spill,
    SpillByKeyFn,
    read_blobs,
    read_chunk,
    write_chunk,
)
from transforms.core.spill_groups import SpilledGroupByKey, SpillRecordsFn, read_records


def _articles(n: int) -> list:
    return [make_article(f"text number {i}", url=f"https://a.example/{i}") for i in range(n)]


def test_a_chunk_reads_back_what_was_written_with_refs_in_order(tmp_path):
    articles = _articles(5)
    path, chunk_id = write_chunk(str(tmp_path), articles)
    read = list(read_chunk(path))
    assert [a for _, a in read] == articles
    refs = [ref for ref, _ in read]
    assert len(set(refs)) == 5 and all(ref.startswith(chunk_id) for ref in refs)
    assert [int.from_bytes(ref[-2:], "big") for ref in refs] == list(range(5))


def test_identical_batches_stay_two_chunks_with_refs_of_their_own(tmp_path):
    """A file repeating one line fills two batches with equal articles: one chunk for both would
    give two deliveries one ref, and a decision for one would fall on the other."""
    articles = _articles(3)
    first, first_id = write_chunk(str(tmp_path), articles)
    again, again_id = write_chunk(str(tmp_path), articles)
    assert first != again and first_id != again_id
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.rsplit("/", 1)[1] for p in (first, again)
    )  # and no temporary file left behind


def test_a_repeated_line_across_chunks_keeps_one_row(tmp_path):
    from transforms.core.failures import ARTICLES
    from transforms.dedupe import DROPPED, Deduplicate

    same = [make_article("the one story, delivered again", url="https://a.example/x")] * 600
    with TestPipeline() as p:
        out = p | beam.Create(same) | Deduplicate(spill=str(tmp_path))
        kept = out[ARTICLES] | "Kept" >> beam.combiners.Count.Globally()
        dropped = out[DROPPED] | "Dropped" >> beam.combiners.Count.Globally()
        assert_that(kept, equal_to([1]), label="kept")
        assert_that(dropped, equal_to([599]), label="dropped")


def test_two_identical_deliveries_get_two_refs(tmp_path):
    """The same line delivered twice is two items: each must be told apart by its ref."""
    a = make_article("same text", url="https://a.example/x")
    path, _ = write_chunk(str(tmp_path), [a, a])
    refs = [ref for ref, _ in read_chunk(path)]
    assert refs[0] != refs[1]


def _extract(a):
    if "bad" in a.text:
        raise ValueError("cannot read this one")
    return a.article_id


def test_spill_passes_small_records_on_and_dead_letters_what_it_cannot_extract(tmp_path):
    articles = [*_articles(600), make_article("a bad text", url="https://a.example/bad")]
    with TestPipeline() as p:
        out = p | beam.Create(articles) | Spill(str(tmp_path), _extract, "test")
        ids = out[REFS] | "Ids" >> beam.Map(lambda ref_id: ref_id[1])
        assert_that(ids, equal_to([a.article_id for a in articles[:-1]]), label="ids")
        read_back = out[CHUNKS] | beam.FlatMap(lambda c: [a.article_id for _, a in read_chunk(c)])
        assert_that(read_back, equal_to([a.article_id for a in articles[:-1]]), label="chunks")
        errors = out[FAILURES] | "Errors" >> beam.Map(lambda f: (f.stage, "cannot read" in f.error))
        assert_that(errors, equal_to([("test", True)]), label="failures")


def test_spill_by_key_groups_paths_and_every_value_reads_back(tmp_path):
    """SpillByKeyFn: a GroupByKey after it carries file paths; reading a key's files gives each
    of its values once, however many files a small chunk size cuts them into."""
    values = [(f"k{i % 3}", f"value {i}".encode()) for i in range(40)]
    with TestPipeline() as p:
        grouped = (
            p
            | beam.Create(values)
            | beam.ParDo(SpillByKeyFn(str(tmp_path), chunk_bytes=30))
            | beam.GroupByKey()
        )
        paths = grouped | "Paths" >> beam.Map(lambda kv: (kv[0], len(kv[1]) > 1))
        assert_that(paths, equal_to([("k0", True), ("k1", True), ("k2", True)]), label="Files")
        read = grouped | beam.FlatMap(lambda kv: [(kv[0], b) for p in kv[1] for b in read_blobs(p)])
        assert_that(read, equal_to(values), label="Values")
    assert not list(tmp_path.glob(".tmp-*"))


def test_spilled_group_by_key_groups_as_group_by_key_does(tmp_path):
    """SpilledGroupByKey gives what a GroupByKey gives, for str and bytes keys and plain tuple
    values, with more keys than groups and with a key that has one value; its values go through
    files in the folder it is given."""
    values = [(f"k{i % 7}", (i, f"v{i}", b"\x00\xff")) for i in range(60)]
    values += [(b"\x01node", ("bytes key", None)), ("alone", (1.5, True))]
    expected = {}
    for k, v in values:
        expected.setdefault(k, []).append(v)
    with TestPipeline() as p:
        grouped = (
            p
            | beam.Create(values)
            | SpilledGroupByKey(str(tmp_path / "groups"), groups=3)
            | beam.Map(lambda kv: (kv[0], sorted(kv[1], key=repr)))
        )
        assert_that(grouped, equal_to([(k, sorted(v, key=repr)) for k, v in expected.items()]))
    assert list((tmp_path / "groups").glob("*.blobs"))


def test_spilled_records_read_back_in_order_across_files(tmp_path):
    """SpillRecordsFn passes records on as file paths, a new file past chunk_bytes; reading the
    files gives every record back once, each file in the order it was written."""
    records = [(f"key {i}".encode(), b"\x00" * (i % 5), i) for i in range(50)]
    with TestPipeline() as p:
        paths = p | beam.Create(records) | beam.ParDo(SpillRecordsFn(str(tmp_path), 100))
        files = paths | beam.combiners.Count.Globally()
        assert_that(files, _more_than_one)
        read = paths | beam.FlatMap(read_records)
        assert_that(read, equal_to(records), label="Records")


def _more_than_one(counts: list) -> None:
    assert counts[0] > 1, counts
