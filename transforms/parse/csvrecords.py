"""CSV and TSV exports -> Article | Failure per row (csv_articles), the header's column names
mapped as a JSON record's field names are (data/json_fields.tsv: "title", "content",
"publishedAt", "url"...).

A row is one record, so one bad row fails alone. The delimiter is a tab for .tsv; for .csv it is
the one the header line uses most of comma, semicolon, tab and bar (spreadsheets in many locales
write ";").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import parse_failure
from transforms.parse.jsonlines import Record, map_fields, record_article

DELIMITERS = (",", ";", "\t", "|")
# A cell may hold a whole article; the csv module's default limit (128 KiB) would fail it.
MAX_CELL_CHARS = 64 * 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)


def delimiter_of(header_line: str) -> str:
    """The delimiter a header line uses: the most frequent of DELIMITERS, a comma on a tie."""
    return max(DELIMITERS, key=lambda d: (header_line.count(d), d == ","))


def csv_records(text: str, delimiter: str | None = None) -> Iterator[Record]:
    """Records of a CSV text with a header row: index = the row's place among the data rows."""
    delimiter = delimiter or delimiter_of(text.partition("\n")[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        return
    index = -1
    try:
        for index, row in enumerate(reader):
            if any(cell.strip() for cell in row):
                yield _row_record(index, header, row, delimiter)
    except csv.Error as exc:  # a NUL byte, an unclosed quote at the end: the rest is unreadable
        yield Record(index + 1, None, f"malformed CSV after data row {index}: {exc}", "")


def _row_record(index: int, header: list[str], row: list[str], delimiter: str) -> Record:
    raw = delimiter.join(row)
    if len(row) != len(header):
        error = f"row {index} has {len(row)} fields, the header {len(header)}"
        return Record(index, None, error, raw)
    try:
        return Record(index, map_fields(dict(zip(header, row, strict=True))), None, raw)
    except (TypeError, ValueError) as exc:
        return Record(index, None, str(exc), raw)


def csv_articles(doc: RawDocument, text: str, delimiter: str | None) -> Iterator[Article | Failure]:
    """An Article per row with text, a Failure per other row; a file with no header row (or
    nothing but it) is one Failure."""
    seen = False
    for record in csv_records(text, delimiter):
        seen = True
        yield record_article(doc, record)
    if not seen:
        yield parse_failure(doc, "CSV has no data rows under its header", text[:4096])
