"""Hostile input to parse (issue 16): values out of range, one bad record among good ones, control
and bidi characters, markup deeper than a tree, documents cut by a size limit. Every case is one
item's Failure at most, never its neighbours', and every Article can be written."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.test_pipeline import TestPipeline

from transforms.core.records import Article, Failure, RawDocument, articles_to_table
from transforms.core.times import DAY_US, EARLIEST_US, plausible
from transforms.parse import ParseDocuments, parse_document
from transforms.parse.controls import clean_line, clean_text, clean_url
from transforms.parse.paragraphs import flatten_markup
from transforms.write.partitioning import partition_date

NOW = 1_700_000_000_000_000  # 2023-11-14
PROSE = "The council approved the new budget after a long debate on Tuesday evening. " * 3


def _parse(name: str, data: bytes, **doc) -> list:
    return list(parse_document(RawDocument(name, data, NOW, **doc)))


def _kinds(items: list) -> list[str]:
    return ["A" if isinstance(i, Article) else "F" for i in items]


def _writable(articles: list[Article]) -> None:
    """What the write stage does with a row: a partition date and a pyarrow table."""
    for a in articles:
        assert len(partition_date(a)) == 10  # YYYY-MM-DD
    articles_to_table(articles)


def _record(i: int, **fields) -> str:
    return json.dumps({"url": f"https://example.com/{i}", "title": f"T{i}", "text": PROSE} | fields)


# --- times: one plausibility rule, checked where values enter -------------------------------


@pytest.mark.parametrize(
    "value",
    [
        -100_000_000_000,  # the record: 1200 BC as epoch seconds
        -1e30,
        1e300,
        10**30,
        10**4000,  # a huge int that still converts
        0,  # epoch 0: a null written as a number
        "0001-01-01T00:00:00Z",
        "0000-00-00 00:00:00",
        "9999-12-31T23:59:59Z",
        "Mon, 01 Jan 0001 +0100",  # read as 2000-12-31 before: two-digit-year rule on "0001"
        "1969-07-20",
        "1989-12-31T23:59:59Z",
        "2999-01-01T00:00:00Z",
        True,
        {"nested": "object"},
    ],
    ids=lambda v: repr(v)[:24],
)
def test_out_of_range_times_in_json_become_unknown_and_the_row_stays(value):
    lines = [_record(0, published=value, updated=value), _record(1)]
    a, b = _parse("x.jsonl", "\n".join(lines).encode())
    assert isinstance(a, Article) and isinstance(b, Article)
    assert (a.published_at, a.published_at_source, a.modified_at) == (None, "none", None)
    _writable([a, b])


def test_plausible_is_one_closed_range_of_ints():
    assert plausible(EARLIEST_US, NOW) == EARLIEST_US
    assert plausible(EARLIEST_US - 1, NOW) is None
    assert plausible(NOW + DAY_US, NOW) == NOW + DAY_US
    assert plausible(NOW + DAY_US + 1, NOW) is None
    assert plausible(float(NOW), NOW) is None and plausible(True, NOW) is None
    assert plausible(-(10**40), NOW) is None and plausible(None, NOW) is None
    assert datetime.fromtimestamp(EARLIEST_US / 1e6, UTC).year == 1990


@pytest.mark.parametrize(
    "date",
    ["Mon, 01 Jan 0001 +0100", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01"],
)
def test_out_of_range_times_in_feeds_and_pages_become_unknown(date):
    rss = (
        "<rss version='2.0'><channel><item><title>T</title>"
        f"<pubDate>{date}</pubDate><atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>"
        f"{date}</atom:updated></item></channel></rss>"
    )
    [a] = _parse("f.rss", rss.encode())
    assert (a.published_at, a.modified_at) == (None, None)
    page = (
        f"<html><head><meta property='article:published_time' content='{date}'></head>"
        f"<body><article><p>{PROSE}</p><p>{PROSE}</p></article></body></html>"
    )
    [b] = _parse("p.html", page.encode())
    assert b.published_at is None
    _writable([a, b])


# --- one bad JSON record costs one item ------------------------------------------------------

BAD_LINES = {
    "nan": '{"text": NaN}',
    "infinity": '{"text": "x", "published": Infinity}',
    "minus-infinity": '{"text": "x", "n": -Infinity}',
    "1e400": '{"text": "x", "published": 1e400}',
    "5000-digit-int": '{"text": "x", "n": ' + "9" * 5000 + "}",
    "lone-surrogate": '{"text": "a \\ud800 b"}',
    "lone-low-surrogate": '{"title": "\\udc00", "text": "x"}',
    "deep-array": "[" * 100_000 + "]" * 100_000,
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "deep-text-value": '{"text": ' + "[" * 900 + '"x"' + "]" * 900 + "}",
    "unterminated": '{"text": "x',
    "trailing-junk": '{"text": "x"} junk',
    "not-json": "this is not json",
}


@pytest.mark.parametrize("bad", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_one_bad_json_line_is_one_dead_letter_and_its_neighbours_are_written(bad):
    lines = [_record(0), bad, _record(1)]
    items = _parse("x.jsonl", "\n".join(lines).encode())
    assert _kinds(items) == ["A", "F", "A"], items
    failure = items[1]
    assert failure.payload == bad[: len(failure.payload)]
    if bad != BAD_LINES["deep-text-value"]:
        assert "line 2" in failure.error or "surrogate" in failure.error
    _writable([items[0], items[2]])


# In an array, a string that never closes swallows what follows (no line ends it): not isolable.
ARRAY_BAD = {k: v for k, v in BAD_LINES.items() if k != "unterminated"}


@pytest.mark.parametrize("bad", ARRAY_BAD.values(), ids=ARRAY_BAD.keys())
def test_one_bad_json_array_element_is_one_dead_letter(bad):
    text = "[" + ",".join([_record(0), bad, _record(1)]) + "]"
    items = _parse("x.json", text.encode())
    assert _kinds(items) == ["A", "F", "A"], items
    wrapped = _parse("y.json", ('{"source": "x", "articles": ' + text + "}").encode())
    assert _kinds(wrapped) == ["A", "F", "A"], wrapped


def test_a_cut_json_array_keeps_its_complete_elements():
    text = "[" + ",".join([_record(0), _record(1)]) + ', {"text": "cut her'
    assert _kinds(_parse("x.json", text.encode())) == ["A", "A", "F"]


def test_json_strings_may_hold_line_separators():
    # U+2028/U+2029/U+0085 are legal unescaped in JSON strings; splitting lines on them broke
    # one good record into two dead letters.
    line = _record(0, title="A\u2028B\u0085C", text=PROSE + "\u2029" + PROSE)
    [a] = _parse("x.jsonl", (line + "\r\n" + _record(1) + "\r\n").encode())[:1]
    assert a.title == "A B C" and "\u2029" in a.text


def test_records_that_parse_but_have_no_text_are_counted_one_by_one():
    lines = [json.dumps({"title": f"t{i}"}) for i in range(5)]
    items = _parse("x.jsonl", "\n".join(lines).encode())
    assert len(items) == 5 and all("has no text" in f.error for f in items)


def test_a_record_with_only_a_summary_is_read_with_the_summary_as_its_text():
    # News APIs' exports often carry a "description" and no body, as feed items carry only a
    # summary; a title alone stays a dead letter (above).
    lines = [
        json.dumps({"title": "t0", "description": PROSE}),
        json.dumps({"headline": "t1", "abstract": {"value": PROSE}}),
        json.dumps({"title": "t2", "text": "", "summary": PROSE}),
    ]
    items = _parse("x.jsonl", "\n".join(lines).encode())
    assert _kinds(items) == ["A", "A", "A"]
    assert all(a.text == PROSE.strip() and a.summary == a.text for a in items)


def test_a_record_whose_text_is_only_controls_is_a_dead_letter():
    items = _parse(
        "x.jsonl", "\n".join([_record(0, text="\u0000\u001b\u202e"), _record(1)]).encode()
    )
    assert _kinds(items) == ["F", "A"] and "no text" in items[0].error


def test_a_url_with_an_impossible_port_fails_nobody():
    [a] = _parse("x.jsonl", _record(0, url="http://example.com:99999/a").encode())
    assert a.url == "http://example.com:99999/a" and a.canonical_url is None


# --- control and bidi characters -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, line, text",
    [
        ("plain", "plain", "plain"),
        ("a\x00b\x1b[31mc\x1b[0m", "abc", "abc"),
        ("evil\u202egnp.exe", "evilgnp.exe", "evilgnp.exe"),
        ("iso\u2066late\u2069d", "isolated", "isolated"),
        ("C1\x85\x9bjunk", "C1 junk", "C1\njunk"),
        ("one\r\ntwo\n\nthree\tfour", "one two three four", "one\ntwo\n\nthree\tfour"),
        ("rtl \u200fmark", "rtl \u200fmark", "rtl \u200fmark"),  # a plain mark is no override
        ("lone \ud800", "lone \ufffd", "lone \ufffd"),
    ],
)
def test_control_characters_leave_lines_and_text(raw, line, text):
    assert clean_line(raw) == line
    assert clean_text(raw) == text


def test_control_characters_leave_urls():
    assert clean_url(" https://e.com/\x1b[31ma\u202eb\n ") == "https://e.com/ab"


def test_no_field_of_an_article_carries_controls_or_overrides():
    record = {
        "url": "https://example.com/\u202eabc\x00",
        "title": "Budget\x00 \x1b[1mapproved\u202e",
        "text": "First\x00 paragraph.\u2066\n\nSecond\x07 paragraph.",
        "summary": "Sum\x1bmary",
        "author": ["Ann\u202e Writer", "\x00"],
        "source": "Daily\x00 News\u202e",
        "id": "guid\x00-1",
    }
    [a] = _parse("x.jsonl", json.dumps(record).encode())
    assert a.url == "https://example.com/abc" and a.canonical_url == "https://example.com/abc"
    assert (a.title, a.summary, a.source_name, a.guid) == (
        "Budget approved",
        "Summary",
        "Daily News",
        "guid-1",
    )
    assert a.text == "First paragraph.\n\nSecond paragraph." and a.authors == ("Ann Writer",)
    feed = (
        "<rss version='2.0'><channel><title>Feed&#x202E;</title><item><title>A&#x202E;B</title>"
        "<link>https://example.com/&#x2066;x</link><description>d</description></item>"
        "</channel></rss>"
    )
    [b] = _parse("f.rss", feed.encode())
    assert (b.title, b.url, b.source_name) == ("AB", "https://example.com/x", "Feed")


def test_a_file_name_that_is_not_utf8_still_gives_writable_rows():
    name = "in/caf\udce9.txt"  # os.listdir's view of the bytes b"caf\xe9"
    [a] = _parse(name, f"Budget approved by the council\n{PROSE}".encode())
    assert a.source_uri == "in/caf\ufffd.txt"
    _writable([a])


# --- markup deeper than a tree ----------------------------------------------------------------


def test_a_100k_deep_html_article_keeps_its_text():
    body = "<div>" * 100_000 + f"<p>{PROSE}</p><p>{PROSE}</p>" + "</div>" * 100_000
    page = f"<html><head><title>Deep</title></head><body>{body}</body></html>"
    [a] = _parse("deep.html", page.encode())
    assert isinstance(a, Article) and a.text.startswith("The council approved")
    assert a.title == "Deep"


def test_a_deep_fragment_in_a_feed_entry_keeps_its_text():
    content = "&lt;div&gt;" * 5000 + "Deep entry text." + "&lt;/div&gt;" * 5000
    rss = f"<rss><channel><item><title>T</title><description>{content}</description></item></channel></rss>"
    [a] = _parse("f.rss", rss.encode())
    assert a.text == "Deep entry text."


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<p>One &amp; two</p><p>three<br>four</p>", "One & two\n\nthree\nfour"),
        ("<div><script>var x = '<p>no</p>';</script>kept</div>", "kept"),
        ("<style>p {}</style><p>a<b>b</b>c</p><!-- gone <p>x</p> -->", "abc"),
        ("<p>unclosed <!-- comment <p>never", "unclosed"),
        ("<SCRIPT>x</script >after", "after"),
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_flatten_markup(markup, text):
    assert flatten_markup(markup) == text


# --- limits that cut say so ------------------------------------------------------------------


def test_a_truncated_jsonl_part_reports_its_cut_line():
    lines = [_record(0), _record(1), _record(2)]
    data = "\n".join(lines).encode()[:-20]
    items = _parse("x.jsonl", data, truncated=True)
    assert _kinds(items) == ["A", "A", "F"]
    assert "size limit" in items[2].error and items[2].payload == lines[2][:-20]
    # cut right after a line: what followed is still reported, once
    items = _parse("x.jsonl", "\n".join(lines[:2]).encode() + b"\n", truncated=True)
    assert _kinds(items) == ["A", "A", "F"] and "size limit" in items[2].error


def test_a_truncated_json_array_reports_the_cut():
    text = "[" + ",".join([_record(0), _record(1)]) + ","
    items = _parse("x.json", text.encode(), truncated=True)
    assert _kinds(items) == ["A", "A", "F"] and "size limit" in items[2].error


def test_nothing_read_before_a_size_limit_is_not_an_empty_document():
    [f] = _parse("big.xml", b"   ", truncated=True)
    assert "size limit" in f.error


# --- decoding repairs are counted --------------------------------------------------------------

ITALIAN = "Città, perché è già così: più caffè per l'università. " * 4


def test_replaced_bytes_are_counted_by_parse_document_and_the_composite():
    data = ("Titolo della notizia\n" + ITALIAN).encode().replace(b"gi\xc3\xa0", b"gi\xe0", 2)
    stats = Counter()
    [a] = parse_document(RawDocument("it.txt", data, NOW), stats=stats)
    assert "Città" in a.text and "perché" in a.text and "gi\ufffd" in a.text
    assert stats["replaced_bytes"] == 2
    with TestPipeline(runner="FnApiRunner") as p:
        _ = p | beam.Create([RawDocument("it.txt", data, NOW)]) | ParseDocuments()
    result = p.result.metrics().query(MetricsFilter().with_name("replaced_bytes"))
    assert [c.committed for c in result["counters"]] == [2]


def test_every_output_is_an_article_or_a_failure_and_articles_are_writable():
    hostile = [
        b"\x00" * 100,
        b"\xff\xfe" + "<html>".encode("utf-16-le"),
        b'{"version": "https://jsonfeed.org/version/1", "items": [{"id": 1e400}]}',
        b"<rss><channel><item><title>\xff\xfe\x00</title></item>",
        b"<rss><channel><item><title>&#xD800;&#0;</title></item></channel></rss>",
    ]
    for data in hostile:
        items = _parse("x.unknown", data)
        assert items and all(isinstance(i, (Article, Failure)) for i in items)
        _writable([i for i in items if isinstance(i, Article)])


def test_a_document_that_decodes_to_nothing_is_a_dead_letter():
    [f] = _parse("x.jsonl", b"\xc2")  # a UTF-8 lead byte cut off: nothing left to read
    assert isinstance(f, Failure) and "undecodable" in f.error
