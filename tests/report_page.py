"""Read a report page back: its tables (by data-table id, cells as text) and its chart specs (by
section id), with the standard library's HTML parser, as a reader or a scraper would."""

from __future__ import annotations

import json
from html.parser import HTMLParser


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.specs: dict[str, dict] = {}
        self.tags: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._spec: str | None = None
        self._spec_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table" and "data-table" in a:
            self._table = a["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "svg" and self._cell is not None:
            self._cell.append(a.get("aria-label", ""))
        elif tag == "script" and "data-chart" in a:
            self._spec, self._spec_text = a["data-chart"].removeprefix("chart-"), []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "script" and self._spec:
            self.specs[self._spec] = json.loads("".join(self._spec_text))
            self._spec = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._spec:
            self._spec_text.append(data)


def read_page(text: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser


def table(page: _PageParser, name: str) -> tuple[list[str], list[list[str]]]:
    """(header, body rows) of a section's table."""
    rows = page.tables[name]
    return rows[0], rows[1:]


def number(cell: str) -> int:
    return int(cell.replace(",", ""))
