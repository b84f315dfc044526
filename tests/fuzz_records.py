"""Hypothesis strategies for JSON Lines and JSON array documents built from records whose fate is
known: GOOD ones must be written, BAD ones must be dead letters, ODD ones (a good record with one
hostile value) may be either, and every one of them is counted. Shared with bench/fuzz.py."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from hypothesis import strategies as st

from tests.fuzz_values import (
    LINE_BREAKS_INSIDE_JSON,
    WORDS,
    Dated,
    Raw,
    extreme_date_text,
    extreme_number,
    good_date,
    hostile_char,
    hostile_text,
    prose,
    title_like,
)

GOOD, ODD, BAD = "good", "odd", "bad"


class Item(NamedTuple):
    """One item of a generated document and what must become of it."""

    kind: str  # GOOD | ODD | BAD
    url: str | None  # the url a written row of a GOOD item carries (None: not checked)
    what: str  # what makes it odd or bad, for failure messages
    raw: str  # the item as it stands in the document
    dated: Dated | None = None  # the published_at a written GOOD row may carry (None: unchecked)


class Doc(NamedTuple):
    """A generated input file: its name, bytes and items (None when the count is unknown)."""

    name: str
    data: bytes
    items: tuple[Item, ...] | None
    uri: str | None = None  # the URL it was fetched from; None: a local file


def dumps(value: Any, ascii_only: bool) -> str:
    """JSON text in which Raw values are written as they stand (json.dumps cannot write 1e400,
    a 5,000-digit integer or lone surrogates unescaped)."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        body = ",".join(f"{dumps(k, ascii_only)}:{dumps(v, ascii_only)}" for k, v in value.items())
        return "{" + body + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def nested(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


_KEYS = {
    "url": ("url", "link", "permalink"),
    "title": ("title", "headline"),
    "text": ("text", "content", "body", "articleBody"),
    "published": ("published", "date", "datePublished", "published_at", "pubDate", "timestamp"),
    "updated": ("updated", "dateModified", "modified_at"),
    "author": ("author", "authors", "byline"),
}


@st.composite
def good_fields(draw, uid: str) -> tuple[dict, str, Dated]:
    """A readable article record, its url and its date. `uid` makes url, guid and text unique."""
    slug = draw(st.lists(st.sampled_from(WORDS[:20]), min_size=1, max_size=3))
    url = f"https://news.example.org/{uid}/{'-'.join(slug)}"
    if draw(st.booleans()):
        url += "?utm_source=feed&id=" + uid
    paragraphs = draw(prose())
    if draw(st.integers(0, 4)) == 0:  # valid in a JSON string, a line break to splitlines()
        paragraphs[0] += draw(st.sampled_from(LINE_BREAKS_INSIDE_JSON)) + " and more."
    text: Any = f"Report {uid}. " + "\n\n".join(paragraphs)
    shape = draw(st.sampled_from(["plain", "plain", "html", "list", "wrapped"]))
    if shape == "html":
        text = "".join(f"<p>{p}</p>" for p in text.split("\n\n")) + "<script>x()</script>"
    elif shape == "list":
        text = text.split("\n\n")
    elif shape == "wrapped":
        text = {"value": text, "type": "text"}
    key = {name: draw(st.sampled_from(keys)) for name, keys in _KEYS.items()}
    record: dict = {key["url"]: url, key["title"]: draw(title_like()), key["text"]: text}
    dated = Dated(None)
    if draw(st.booleans()):
        record[key["published"]], at = draw(good_date())
        dated = Dated(at)
    if draw(st.booleans()):
        record[key["author"]] = draw(st.sampled_from(["Ada Reporter", ["Ada R", "Bo S"],
                                                      {"name": "Cy T"}]))  # fmt: skip
    if draw(st.booleans()):
        record["id"] = f"guid-{uid}"
    return record, url, dated


# An ODD record is a good one with one value out of every range or shape.
ODD_TWISTS = (
    "published_extreme_number",
    "published_extreme_text",
    "updated_extreme_number",
    "title_hostile",
    "author_hostile",
    "url_hostile",
    "text_hostile",
    "extra_deep_nesting",
    "extra_huge_number",
)


@st.composite
def odd_fields(draw, uid: str) -> tuple[dict, str]:
    record, _, _ = draw(good_fields(uid))
    twist = draw(st.sampled_from(ODD_TWISTS))
    for name in ("published", "updated", "author"):  # the twisted value is the one read
        if twist.startswith(name):
            for key in _KEYS[name]:
                record.pop(key, None)
    if twist == "published_extreme_number":
        record["published"] = draw(extreme_number)
    elif twist == "published_extreme_text":
        record["published"] = draw(extreme_date_text)
    elif twist == "updated_extreme_number":
        record["updated"] = draw(st.one_of(extreme_number, extreme_date_text))
    elif twist == "title_hostile":
        record["title"] = draw(hostile_text(min_size=1))
    elif twist == "author_hostile":
        record["author"] = draw(hostile_text(min_size=1))
    elif twist == "url_hostile":
        url = next(record.pop(k) for k in _KEYS["url"] if k in record)
        cut = draw(st.integers(8, len(url)))
        record["url"] = url[:cut] + draw(hostile_char) + url[cut:]
    elif twist == "text_hostile":
        record["text"] = f"Report {uid}. " + draw(hostile_text(min_size=1, max_size=60))
    elif twist == "extra_deep_nesting":
        record["extra"] = nested(draw(st.sampled_from([50, 1000, 100_000])))
    else:
        record["extra"] = draw(extreme_number)
    return record, twist


BAD_LINES = (
    "NaN",
    "Infinity",
    "1e400",
    "9" * 5000,
    '"\\ud800"',
    "null",
    "true",
    "[]",
    "[1, 2]",
    '"just a string"',
    "{",
    "}{",
    '{"url": "https://news.example.org/x", "text": }',
    '{"title": "No text here", "url": "https://news.example.org/no-text"}',
    '{"text": "   "}',
    "not json at all, just words",
)


@st.composite
def bad_line(draw, uid: str) -> tuple[str, str]:
    choice = draw(st.sampled_from(["fixed", "fixed", "truncated", "deep", "garbage"]))
    if choice == "fixed":
        line = draw(st.sampled_from(BAD_LINES))
        return line, f"bad line {line[:30]!r}"
    if choice == "deep":
        depth = draw(st.sampled_from([1000, 100_000]))
        return str(nested(depth)), f"array nested {depth} deep"
    if choice == "garbage":
        text = draw(hostile_text(min_size=1, max_size=40)).replace("{", "(")
        text = "".join(ch for ch in text if not ch.isspace() and ch not in LINE_BREAKS_INSIDE_JSON)
        return "#" + text, "garbage line"
    record, _, _ = draw(good_fields(uid))
    line = dumps(record, ascii_only=True)
    cut = draw(st.integers(1, len(line) - 1))
    return line[:cut], "truncated record"


@st.composite
def record_items(draw, prefix: str, min_good: int = 1, max_items: int = 12) -> list[Item]:
    """Items of a JSON Lines file: at least `min_good` GOOD ones, in random order."""
    n = draw(st.integers(max(1, min_good), max_items))
    kinds = [GOOD] * min_good + draw(
        st.lists(st.sampled_from([GOOD, ODD, BAD]), min_size=n - min_good, max_size=n - min_good)
    )
    kinds = draw(st.permutations(kinds))
    ascii_only = draw(st.booleans())
    items = []
    for i, kind in enumerate(kinds):
        uid = f"{prefix}{i}"
        if kind == BAD:
            line, what = draw(bad_line(uid))
            items.append(Item(BAD, None, what, line))
            continue
        if kind == GOOD:
            record, url, dated = draw(good_fields(uid))
            items.append(Item(GOOD, url, "good record", dumps(record, ascii_only), dated))
        else:
            record, twist = draw(odd_fields(uid))
            items.append(Item(ODD, None, twist, dumps(record, ascii_only)))
    return items


def encode(text: str) -> bytes:
    """UTF-8, lone surrogates kept as the invalid bytes a broken writer leaves."""
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def jsonl_doc(draw, prefix: str = "r", min_good: int = 1, max_items: int = 12) -> Doc:
    items = draw(record_items(prefix, min_good, max_items))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    for item in items:
        lines.append(item.raw)
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))  # blank lines are no items
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    bom = "\ufeff" if draw(st.integers(0, 5)) == 0 else ""
    name = f"{prefix}{draw(st.sampled_from(['.jsonl', '.ndjson', '.JSONL']))}"
    return Doc(name, encode(bom + text), tuple(items))


@st.composite
def json_array_doc(draw, prefix: str = "a", max_items: int = 10) -> Doc:
    """A .json array (or {"articles": [...]}) of GOOD, ODD and non-object BAD elements that the
    standard library's json still reads as one document."""
    n = draw(st.integers(1, max_items))
    items, elements = [], []
    for i in range(n):
        kind = draw(st.sampled_from([GOOD, GOOD, ODD, BAD]))
        uid = f"{prefix}{i}"
        if kind == BAD:
            element = draw(st.sampled_from(['"a string"', "null", "42", "[]", '{"title": "t"}']))
            items.append(Item(BAD, None, f"element {element}", element))
        elif kind == GOOD:
            record, url, dated = draw(good_fields(uid))
            items.append(Item(GOOD, url, "good record", dumps(record, ascii_only=True), dated))
        else:
            record, twist = draw(odd_fields(uid))
            record.pop("extra", None)  # a 100k-deep or 5,000-digit value stops the whole array
            items.append(Item(ODD, None, twist, dumps(record, ascii_only=True)))
        elements.append(items[-1].raw)
    body = "[" + ",\n".join(elements) + "]"
    if draw(st.booleans()):
        body = '{"articles": ' + body + "}"
    return Doc(f"{prefix}.json", encode(body), tuple(items))
