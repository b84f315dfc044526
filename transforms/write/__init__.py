"""Sinks: Hive-partitioned Parquet and dead letters, one writer for batch and stream."""

from transforms.write.dataset import ReadSeed, read_rows
from transforms.write.deadletter import WriteDeadLetters, failure_to_json, write_deadletters
from transforms.write.files import write_atomically
from transforms.write.naming import BatchFiles, WindowFiles, run_key, stream_file_name
from transforms.write.parquet import WRITTEN, WriteArticles, WrittenFile, write_parquet
from transforms.write.partitioning import partition_date, partition_dir, partition_lang
from transforms.write.sources import WriteSourceHealth
from transforms.write.windowing import WindowArticles

__all__ = [
    "WRITTEN",
    "BatchFiles",
    "ReadSeed",
    "WindowArticles",
    "WindowFiles",
    "WriteArticles",
    "WriteDeadLetters",
    "WriteSourceHealth",
    "WrittenFile",
    "failure_to_json",
    "partition_date",
    "partition_dir",
    "partition_lang",
    "read_rows",
    "run_key",
    "stream_file_name",
    "write_atomically",
    "write_deadletters",
    "write_parquet",
]
