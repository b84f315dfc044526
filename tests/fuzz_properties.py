"""The fuzz properties of the parser entry points, one registry for tests/test_fuzz_parse.py
(bounded in CI) and bench/fuzz.py (long runs, each input in a worker with a time limit).

A Property pairs a generator with a check that raises AssertionError when an invariant breaks;
`examples` is its share of the CI budget (inputs per run).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, NamedTuple

from hypothesis import strategies as st

from tests.fuzz_contract import check_outputs, check_shown_fields, typed
from tests.fuzz_docs import (
    Seeds,
    any_doc,
    feed_doc,
    gzipped,
    html_doc,
    mutated_doc,
    random_bytes_doc,
    text_doc,
    utf16,
)
from tests.fuzz_records import BAD, GOOD, Doc, json_array_doc, jsonl_doc
from tests.fuzz_values import (
    EXTREME_DATES,
    WORDS,
    DateText,
    date_text,
    extreme_date_text,
    hostile_text,
    prose,
)
from transforms.core.records import Article, Failure, RawDocument
from transforms.core.times import to_us

FETCHED_AT = to_us(datetime(2026, 1, 1, tzinfo=UTC))


class Property(NamedTuple):
    name: str
    entry: str  # the entry point it exercises
    strategy: Callable[[Seeds], st.SearchStrategy]
    check: Callable[[Any], None]
    examples: int  # inputs per CI run


def raw(doc: Doc) -> RawDocument:
    return RawDocument(doc.uri or f"/fuzz/in/{doc.name}", doc.data, FETCHED_AT)


def parsed(doc: Doc) -> list:
    """parse_document's outputs, each an Article or a Failure (the contract is checked apart, so
    that each property fails for one reason)."""
    from transforms.parse import parse_document

    return typed(parse_document(raw(doc)))


def assert_accounted(doc: Doc, outputs: list, fetched_at: int = FETCHED_AT) -> None:
    """One output per item; every GOOD item an Article with its url and date; every BAD one a
    Failure."""
    what = [f"{i.kind}:{i.what}" for i in doc.items]
    got = [
        type(o).__name__ + (f":{o.error[:60]}" if isinstance(o, Failure) else "") for o in outputs
    ]
    assert len(outputs) == len(doc.items), (
        f"{len(doc.items)} items {what} gave {len(outputs)}: {got}"
    )
    urls = {o.url for o in outputs if isinstance(o, Article)}
    lost = [i.url for i in doc.items if i.kind == GOOD and i.url not in urls]
    assert not lost, f"good items not read: {lost}; read urls {sorted(u or '' for u in urls)}"
    failures = sum(isinstance(o, Failure) for o in outputs)
    bad = sum(i.kind == BAD for i in doc.items)
    assert failures >= bad, f"{bad} bad items but {failures} dead letters: {got}"
    by_url = {o.url: o for o in outputs if isinstance(o, Article)}
    for i in doc.items:
        if i.kind == GOOD and i.dated is not None:
            allowed = i.dated.allowed(fetched_at)
            got_at = by_url[i.url].published_at
            assert got_at in allowed, f"{i.url}: published_at {got_at}, expected one of {allowed}"


def _same(got: list, expected: list, what: str) -> None:
    """Two output summaries are equal; else say where they first differ."""
    for i, (a, b) in enumerate(zip(got, expected, strict=False)):
        assert a == b, f"{what}: output {i} is {str(a)[:300]}, expected {str(b)[:300]}"
    assert len(got) == len(expected), f"{what}: {len(got)} outputs, expected {len(expected)}"


def _summary(outputs: list) -> list:
    return [
        (o.url, o.title, o.text, o.published_at, tuple(o.authors))
        if isinstance(o, Article)
        else ("failure", o.error)
        for o in outputs
    ]


def _valid_utf8(doc: Doc) -> bool:
    try:
        doc.data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- parse_document and parse_feed ------------------------------------------------------------


def contract(doc: Doc) -> None:
    """Never raises; every Article meets the contract (times in range, valid Unicode, a
    partition, rows pyarrow writes); every Failure can be written as a dead letter."""
    from transforms.parse import parse_document

    check_outputs(raw(doc), parse_document(raw(doc)))


def shown_fields(doc: Doc) -> None:
    for a in parsed(doc):
        if isinstance(a, Article):
            check_shown_fields(a)


def never_vanishes(doc: Doc) -> None:
    """A document is at least one output; only what may be an empty JSON array or a feed
    without items may have none."""
    outputs = parsed(doc)
    head = doc.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    assert outputs or head in (b"[", b"{", b"<"), f"{doc.name} {doc.data[:40]!r}: no output at all"


def accounted(doc: Doc) -> None:
    assert_accounted(doc, parsed(doc))


def feed_accounted(doc: Doc) -> None:
    from transforms.parse import parse_feed

    assert_accounted(doc, typed(parse_feed(raw(doc))))


def feed_contract(doc: Doc) -> None:
    from transforms.parse import parse_feed

    check_outputs(raw(doc), parse_feed(raw(doc)))


def one_item(doc: Doc) -> None:
    outputs = parsed(doc)
    assert len(outputs) == 1, f"one page gave {len(outputs)} outputs"


def gzip_transparent(case: tuple[Doc, bool]) -> None:
    """The same document gzipped (named .gz or not) gives the same outputs."""
    doc, rename = case
    packed = gzipped(doc, rename)._replace(name=doc.name)  # same source_uri, so same ids
    _same(_summary(parsed(packed)), _summary(parsed(doc)), "gzipped")


def utf16_like_utf8(case: tuple[Doc, str, bool]) -> None:
    doc, encoding, bom = case
    if not _valid_utf8(doc):
        return  # lone surrogates: not text UTF-16 can carry
    what = f"{encoding} {'with' if bom else 'without'} BOM"
    _same(_summary(parsed(utf16(doc, encoding, bom))), _summary(parsed(doc)), what)


# --- decode_bytes -------------------------------------------------------------------------------

CONTENT_TYPES = st.sampled_from(
    [None, "text/html", "text/html; charset=utf-8", "application/xml; charset=ISO-8859-1",
     "text/plain; charset=utf-16", "text/plain; charset=bogus", "charset=x-user-defined",
     'text/html; charset="cp1252"', "charset=utf-32", "charset=\x00", "charset=" + "a" * 300]
)  # fmt: skip


def decodes(case: tuple[bytes, str | None]) -> None:
    from transforms.parse import decode_bytes

    decoded = decode_bytes(*case)
    assert isinstance(decoded.text, str)
    decoded.text.encode("utf-8")  # no lone surrogates
    codecs.lookup(decoded.encoding)


@st.composite
def utf8_with_stray_bytes(draw) -> bytes:
    """Prose with ten accented letters, then one or two bytes no UTF-8 text has."""
    text = " ".join(draw(prose(paragraphs=(2, 4)))) + " Città perché già più così è."
    chars = list(text)
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.integers(0, len(chars)))
        chars.insert(at, draw(st.sampled_from(["\udcff", "\udce9", "\udc80", "\udcc3"])))
    return "".join(chars).encode("utf-8", errors="surrogateescape")


def stays_utf8(data: bytes) -> None:
    from transforms.parse import decode_bytes

    got = decode_bytes(data)
    expected = data.decode("utf-8", errors="replace")
    assert got.text == expected, (
        f"read as {got.encoding}: {got.text[-80:]!r}, not {expected[-80:]!r}"
    )


def utf16_detected(case: tuple[list[str], str]) -> None:
    from transforms.parse import decode_bytes

    words, order = case
    text = " ".join(words) + ".\n"
    got = decode_bytes(text.encode(f"utf-16-{order}"))
    assert got.text == text, f"UTF-16-{order.upper()} read as {got.encoding}: {got.text[:60]!r}"


# --- dates --------------------------------------------------------------------------------------


def instant_or_none(d: DateText) -> None:
    """A date is read as the instant it names or not at all, never another ("Mon, 01 Jan 0001
    +0100" is not 2000-12-31); before 1970, the contract's floor, it is no date."""
    from transforms.parse.dates import parse_date

    got = parse_date(d.text)
    if d.at < 0:
        assert got is None, f"{d.text!r} ({d.syntax}) -> {got}: before 1970, must be no date"
    else:
        assert got in (None, d.at, *d.alternatives), f"{d.text!r} -> {got}, expected {d.at}"


def every_syntax(d: DateText) -> None:
    from transforms.core.times import EARLIEST_US
    from transforms.parse.dates import parse_date

    # The floor is an instant: "01 Jan 1990 00:39 +0100" is 1989 in UTC, and rightly no date.
    if d.at >= EARLIEST_US:
        got = parse_date(d.text)
        assert got in (d.at, *d.alternatives), f"{d.text!r} ({d.syntax}) -> {got}, not {d.at}"


def never_before_1970(text: str) -> None:
    from transforms.parse.dates import parse_date

    got = parse_date(text)
    assert got is None or 0 <= got, f"{text!r} -> {got}"


def found_in_text(case: tuple[DateText, list[str], list[str]]) -> None:
    from transforms.parse.dates import find_dates

    d, before, after = case
    text = " ".join([*before, d.text]) + ". " + " ".join(after)
    found = find_dates(text)
    for f in found:
        assert 0 <= f.start < f.end <= len(text) and 0 <= f.at, f
    assert all(a.end <= b.start for a, b in pairwise(found)), found
    if d.year >= 1990:
        assert {f.at for f in found} & {d.at, *d.alternatives}, f"{d.text!r} not in {found}"


# --- the cleaners -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def invents_nothing(raw_text: str) -> None:
    from transforms.parse import clean_plain_text

    page = clean_plain_text(raw_text)
    source = _fold(raw_text)
    for paragraph in page.text.split("\n\n") if page.text else []:
        assert _fold(paragraph) in source, f"{paragraph[:80]!r} is not in the input"
    assert page.published_at is None or 0 <= page.published_at, page.published_at


@st.composite
def html_text(draw) -> str:
    page = draw(html_doc()).data.decode("utf-8")
    cut = draw(st.integers(0, len(page)))
    forms = [
        page,
        page[:cut],
        page[:cut] + draw(hostile_text()) + page[cut:],
        page.replace(">", ""),
    ]
    return draw(st.sampled_from(forms))


def extracts(html: str) -> None:
    from transforms.parse.html import extract_article

    page = extract_article(html, "https://news.example.org/x")
    assert isinstance(page["text"], str)
    assert page["title"] is None or isinstance(page["title"], str)


# Generators that take no seeds, and the tuples some checks take.
def _docs_with_hostile_strings(_: Seeds) -> st.SearchStrategy:
    return st.one_of(jsonl_doc(), json_array_doc(), feed_doc(), html_doc())


def _gzip_cases(_: Seeds) -> st.SearchStrategy:
    return st.tuples(st.one_of(jsonl_doc(), feed_doc(), text_doc()), st.booleans())


def _utf16_cases(_: Seeds) -> st.SearchStrategy:
    encodings = st.sampled_from(["utf-16-le", "utf-16-be"])
    return st.tuples(st.one_of(jsonl_doc(), text_doc()), encodings, st.booleans())


def _bytes_and_content_type(seeds: Seeds) -> st.SearchStrategy:
    data = st.one_of(st.binary(max_size=4096), mutated_doc(seeds).map(lambda d: d.data))
    return st.tuples(data, CONTENT_TYPES)


def _utf16_words(_: Seeds) -> st.SearchStrategy:
    return st.tuples(st.lists(st.sampled_from(WORDS), min_size=8, max_size=60),
                     st.sampled_from(["le", "be"]))  # fmt: skip


def _odd_date_texts(_: Seeds) -> st.SearchStrategy:
    return st.one_of(extreme_date_text, hostile_text(max_size=60), st.sampled_from(EXTREME_DATES))


def _dates_in_text(_: Seeds) -> st.SearchStrategy:
    around = st.lists(st.sampled_from(WORDS), max_size=6)
    return st.tuples(
        date_text(syntaxes=("iso", "words_dmy", "words_mdy", "numeric")), around, around
    )


def _plain_texts(_: Seeds) -> st.SearchStrategy:
    scraped = text_doc().map(lambda d: d.data.decode("utf-8", errors="replace"))
    return st.one_of(hostile_text(max_size=400), scraped)


def _html_texts(_: Seeds) -> st.SearchStrategy:
    return st.one_of(html_text(), hostile_text(max_size=200), st.just("<" * 5000))


def _just(strategy: Callable[[], st.SearchStrategy]) -> Callable[[Seeds], st.SearchStrategy]:
    return lambda _: strategy()


PROPERTIES = (
    Property("document_meets_contract", "parse_document", any_doc, contract, 100),
    Property("shown_fields_clean", "parse_document", _docs_with_hostile_strings, shown_fields, 50),
    Property("random_bytes_never_vanish", "parse_document", _just(random_bytes_doc),
             never_vanishes, 60),
    Property("jsonl_lines_fail_alone", "parse_document", _just(jsonl_doc), accounted, 40),
    Property("json_array_elements_fail_alone", "parse_document", _just(json_array_doc),
             accounted, 30),
    Property("feed_entries_accounted", "parse_document", _just(feed_doc), accounted, 40),
    Property("parse_feed_entries_accounted", "parse_feed", _just(feed_doc), feed_accounted, 30),
    Property("parse_feed_mutated_real_feeds", "parse_feed", mutated_doc, feed_contract, 60),
    Property("html_found_at_any_depth", "parse_document", _just(html_doc), accounted, 25),
    Property("text_is_one_item", "parse_document", _just(text_doc), one_item, 25),
    Property("gzip_transparent", "parse_document", _gzip_cases, gzip_transparent, 25),
    Property("utf16_reads_like_utf8", "parse_document", _utf16_cases, utf16_like_utf8, 30),
    Property("decode_gives_valid_unicode", "decode_bytes", _bytes_and_content_type, decodes, 150),
    Property("utf8_with_stray_bytes_stays_utf8", "decode_bytes", _just(utf8_with_stray_bytes),
             stays_utf8, 40),
    Property("utf16_without_bom_detected", "decode_bytes", _utf16_words, utf16_detected, 30),
    Property("date_instant_or_none", "parse_date", _just(date_text), instant_or_none, 200),
    Property("date_every_syntax_since_1990", "parse_date", _just(date_text), every_syntax, 200),
    Property("date_never_before_1970", "parse_date", _odd_date_texts, never_before_1970, 100),
    Property("find_dates_in_running_text", "find_dates", _dates_in_text, found_in_text, 200),
    Property("plain_text_invents_nothing", "clean_plain_text", _plain_texts, invents_nothing, 80),
    Property("extract_article_never_raises", "extract_article", _html_texts, extracts, 40),
)  # fmt: skip
BY_NAME = {p.name: p for p in PROPERTIES}
