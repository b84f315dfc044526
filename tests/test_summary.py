"""The run summary adds up: read = written + dropped + dead-lettered."""

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline

from pipeline.summary import CountOutcomes, format_summary, read_counts, summarise


def test_summarise_balances_and_groups():
    counts = {
        "read.failures": 1,
        "parse.articles": 10,
        "parse.failures": 2,
        "language.failures": 1,
        "dedupe.dropped.exact_redelivery": 3,
        "write.rows": 6,
        "write.files": 2,
        "read.documents": 5,
    }
    s = summarise(counts, 1.234)
    assert (s["items_read"], s["written"], s["dropped_duplicates"], s["dead_lettered"]) == (
        13,
        6,
        3,
        4,
    )
    assert s["balanced"]
    assert s["dead_lettered_by_stage"] == {"read": 1, "parse": 2, "language": 1}
    assert s["dropped_by_reason"] == {"exact_redelivery": 3}
    assert "written               6" in format_summary(s)


def test_summarise_flags_a_leak():
    s = summarise({"parse.articles": 3, "write.rows": 2}, 0.0)
    assert not s["balanced"]
    assert "WARNING" in format_summary(s)


def test_count_outcomes_writes_one_file(tmp_path):
    path = f"{tmp_path}/c.json"
    with TestPipeline() as p:
        named = {
            "a.articles": p | "A" >> beam.Create(["x", "y"]),
            "b.rows": p | "B" >> beam.Create([3, 4]),
            "c.failures": p | "C" >> beam.Create([]),
        }
        _ = named | CountOutcomes(path, {"b.rows": lambda n: ("b.rows", n)})
    assert read_counts(path) == {"a.articles": 2, "b.rows": 7}
