"""parse_document: format dispatch, JSON records, gzip, identity fields, bad input; ParseDocuments."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.core import identity
from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import ParseDocuments, parse_document
from transforms.parse.cues import Cues, load_cues
from transforms.parse.step import MAX_HTML_BYTES
from transforms.parse.unpack import FEED, HTML, JSON, JSONL, TEXT, sniff, unpack

NOW = 1_700_000_000_000_000  # 2023-11-14
PROSE = "The council approved the new budget after a long debate on Tuesday evening. " * 6
HTML_PAGE = (
    "<html><head><title>Budget approved</title></head><body><article><h1>Budget approved</h1>"
    f"<p>{PROSE}</p><p>{PROSE.replace('council', 'mayor')}</p></article></body></html>"
)


def _parse(name: str, data: bytes, content_type: str | None = None) -> list:
    return list(parse_document(RawDocument(name, data, NOW, content_type)))


def _articles(items):
    return [i for i in items if isinstance(i, Article)]


def _failures(items):
    return [i for i in items if isinstance(i, Failure)]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b'{"title": "x"}\n{"title": "y"}\n', JSONL),
        (b'[{"title": "x"}]', JSON),
        (b'{\n  "title": "x"\n}', JSON),
        (b'<?xml version="1.0"?><rss version="2.0"></rss>', FEED),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', FEED),
        (b'<rdf:RDF xmlns:rdf="x">', FEED),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', FEED),
        (b"<!DOCTYPE html><html><body></body></html>", HTML),
        (b"\xef\xbb\xbf  <html lang=en>", HTML),
        (b"Just some words\nand more words", TEXT),
    ],
)
def test_sniff(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a/story.txt", TEXT),
        ("a/story.HTM", HTML),
        ("a/story.html.gz", HTML),
        ("gs://bucket/x.jsonl.gz", JSONL),
        ("x.rss", FEED),
        ("x.atom", FEED),
        ("x.unknown", TEXT),
    ],
)
def test_unpack_uses_the_extension_first(name, expected):
    data = b"Just some words"
    if name.endswith(".gz"):
        data = gzip.compress(data)
    assert unpack(name, data).format == expected


def test_text_file_gives_one_article_with_identity_fields():
    [a] = _parse("in/story.txt", f"Budget approved by the council\n{PROSE}".encode())
    assert a.title == "Budget approved by the council"
    assert a.text == PROSE.strip()
    assert a.article_id == identity.article_id(None, None, "in/story.txt", 0)
    assert a.content_hash == identity.content_hash(a.text)
    assert a.ingested_at == NOW
    assert a.published_at is None and a.published_at_source == "none"


def test_html_page_through_the_extractor():
    [a] = _parse("page.html", HTML_PAGE.encode())
    assert a.title == "Budget approved"
    assert a.text.startswith("The council approved")
    assert a.text.count("\n\n") >= 1


def test_gzipped_html_is_the_same_as_plain():
    [plain] = _parse("page.html", HTML_PAGE.encode())
    [packed] = _parse("page.html.gz", gzip.compress(HTML_PAGE.encode()))
    assert packed.text == plain.text


def test_jsonl_maps_fields_and_fails_bad_lines_alone():
    lines = [
        json.dumps(
            {
                "link": "https://Example.com/a?utm_source=feed&id=7#top",
                "headline": "First",
                "body": PROSE,
                "published": "2023-11-01T10:00:00Z",
                "author": "Ann Writer",
                "id": "a-1",
                "extra": "dropped",
            }
        ),
        "{not json",
        json.dumps({"title": "No text here"}),
        json.dumps(["a", "list"]),
        json.dumps({"url": "https://example.com/b", "content": "<p>Para one.</p><p>Para two.</p>"}),
    ]
    items = _parse("batch.jsonl", "\n".join(lines).encode())
    good, bad = _articles(items), _failures(items)
    assert len(good) == 2 and len(bad) == 3
    first = good[0]
    assert first.url == "https://Example.com/a?utm_source=feed&id=7#top"
    assert first.canonical_url == "https://example.com/a?id=7"
    assert first.article_id == identity.article_id(first.canonical_url, "a-1", "batch.jsonl", 0)
    assert (first.title, first.title_source, first.guid) == ("First", "input", "a-1")
    assert first.authors == ("Ann Writer",)
    assert first.published_at == 1_698_832_800_000_000
    assert first.published_at_source == "input"
    assert first.source_name == "example.com"
    assert good[1].text == "Para one.\n\nPara two."
    assert "malformed JSON line 2" in bad[0].error and bad[0].payload == "{not json"
    assert all(f.stage == "parse" and f.source_uri == "batch.jsonl" for f in bad)


def test_a_record_with_a_broken_url_fails_nobody_else():
    records = [
        {"url": "http://[not-a-host/a", "text": PROSE, "author": ["Ann", "Ann", ""]},
        {"url": "ftp://example.com/b", "text": PROSE},
        {"url": "https://example.com/c", "text": PROSE},
    ]
    broken, ftp, fine = _parse("urls.json", json.dumps(records).encode())
    assert (broken.url, broken.canonical_url, broken.authors) == (None, None, ("Ann",))
    assert (ftp.url, ftp.source_name) == (None, None)
    assert fine.url == "https://example.com/c"


def test_json_array_and_wrapped_list():
    records = [{"title": f"T{i}", "text": PROSE} for i in range(3)]
    assert len(_articles(_parse("a.json", json.dumps(records).encode()))) == 3
    wrapped = json.dumps({"articles": records}).encode()
    assert len(_articles(_parse("b.json", wrapped))) == 3


# One record each as real exports write them: field names in camelCase, nested or wrapped.
EXPORTS = {
    "NewsAPI": {
        "source": {"id": None, "name": "BBC News"},
        "author": "Ann Writer",
        "title": "Budget approved",
        "description": PROSE,
        "url": "https://example.com/newsapi",
        "publishedAt": "2023-11-01T10:00:00Z",
    },
    "news-please": {
        "authors": ["Ann Writer"],
        "date_publish": "2023-11-01 10:00:00",
        "maintext": PROSE,
        "source_domain": "example.com",
        "title": "Budget approved",
        "url": "https://example.com/newsplease",
    },
    "Guardian": {
        "id": "world/2023/nov/01/budget",
        "webTitle": "Budget approved",
        "webUrl": "https://example.com/guardian",
        "webPublicationDate": "2023-11-01T10:00:00Z",
        "fields": {"bodyText": PROSE, "byline": "Ann Writer"},
    },
    "NYT": {
        "_id": "nyt://article/1",
        "web_url": "https://example.com/nyt",
        "headline": {"main": "Budget approved", "print_headline": "Budget"},
        "lead_paragraph": PROSE,
        "pub_date": "2023-11-01T10:00:00+0000",
        "byline": {"original": "By Ann Writer"},
    },
    "Elasticsearch": {
        "_index": "news",
        "_id": "es-1",
        "_source": {"title": "Budget approved", "body": PROSE, "PublishedDate": 1698832800},
    },
    "MongoDB": {
        "_id": {"$oid": "6542"},
        "title": "Budget approved",
        "text": PROSE,
        "published": {"$date": "2023-11-01T10:00:00Z"},
    },
    "GDELT": {"url": "https://example.com/g", "title": "Budget approved", "seendate":
              "20231101T100000Z", "content": PROSE},
}  # fmt: skip


@pytest.mark.parametrize("name", EXPORTS)
def test_news_exports_keep_their_title_text_and_date(name):
    [a] = _parse(f"{name}.jsonl", json.dumps(EXPORTS[name]).encode())
    assert isinstance(a, Article), a
    assert a.title == "Budget approved" and a.text == PROSE.strip()
    assert a.published_at == 1_698_832_800_000_000 and a.published_at_source == "input"


def test_export_fields_land_where_they_belong():
    news_api, guardian, nyt, mongo = (
        _articles(_parse("x.jsonl", json.dumps(EXPORTS[k]).encode()))[0]
        for k in ("NewsAPI", "Guardian", "NYT", "MongoDB")
    )
    assert (news_api.source_name, news_api.authors) == ("BBC News", ("Ann Writer",))
    assert (guardian.guid, guardian.authors) == ("world/2023/nov/01/budget", ("Ann Writer",))
    assert (nyt.url, nyt.guid) == ("https://example.com/nyt", "nyt://article/1")
    assert mongo.guid == "6542"


def test_lists_of_records_one_level_down():
    records = [{"webTitle": f"T{i}", "fields": {"bodyText": PROSE}} for i in range(3)]
    for wrapped in (
        {"response": {"status": "ok", "results": records}},
        {"hits": {"hits": records}},
    ):
        items = _parse("page.json", json.dumps(wrapped).encode())
        assert [a.title for a in _articles(items)] == ["T0", "T1", "T2"]


def test_a_record_that_carries_a_whole_page_gets_its_main_text():
    page = HTML_PAGE.replace(
        "<head>",
        '<head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2023-11-01T10:00:00Z"}</script>',
    )
    crawled, in_content, both = _parse(
        "crawl.jsonl",
        "\n".join(
            json.dumps(r)
            for r in (
                {"url": "https://example.com/a", "html": page},
                {"url": "https://example.com/b", "content": page, "title": "Own title"},
                {"url": "https://example.com/c", "text": "Its own text, kept.", "html": page},
            )
        ).encode(),
    )
    assert crawled.text.startswith("The council approved") and "<" not in crawled.text
    assert crawled.title == "Budget approved"
    assert (crawled.published_at, crawled.published_at_source) == (1_698_832_800_000_000, "jsonld")
    assert in_content.text == crawled.text and in_content.title == "Own title"
    assert both.text == "Its own text, kept."


def test_csv_and_tsv_exports_are_one_article_per_row():
    long_text = PROSE * 2000  # over the csv module's default cell limit (128 KiB)
    rows = [
        ["id", "title", "publication", "author", "date", "url", "content"],
        ["1", "Budget approved", "Daily", "Ann Lee", "2023-11-01", "https://e.example/1", PROSE],
        ["2", "Long read", "Daily", "Bo Ma", "2023-11-01", "https://e.example/2", long_text],
        ["3", "Cut row", "Daily"],
        ["4", "Quoted", "Daily", "", "", "", "First line.\nSecond; with a semicolon."],
    ]
    for name, delimiter in (("news.csv", ";"), ("news.tsv", "\t"), ("news.csv.gz", ",")):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter).writerows(rows)
        data = ("\ufeff" + buf.getvalue()).encode()
        items = _parse(name, gzip.compress(data) if name.endswith(".gz") else data)
        budget, long_read, cut, quoted = items
        assert (budget.title, budget.text, budget.source_name) == (
            "Budget approved",
            PROSE.strip(),
            "Daily",
        )
        assert budget.authors == ("Ann Lee",) and budget.published_at == 1_698_796_800_000_000
        assert budget.guid == "1" and len(long_read.text) == len(long_text.strip())
        assert isinstance(cut, Failure) and "row 2 has 3 fields, the header 7" in cut.error
        assert quoted.text == "First line.\nSecond; with a semicolon."


def test_a_csv_with_only_a_header_is_a_dead_letter():
    [failure] = _parse("empty.csv", b"title,text\n")
    assert isinstance(failure, Failure) and "no data rows" in failure.error


def test_a_number_is_no_text():
    items = _parse("x.jsonl", json.dumps({"title": None, "text": 123}).encode())
    assert len(items) == 1 and isinstance(items[0], Failure) and "no text" in items[0].error


def test_future_date_beyond_a_day_is_unknown():
    record = {"text": PROSE, "published_at": "2030-01-01T00:00:00Z"}
    [a] = _parse("x.jsonl", json.dumps(record).encode())
    assert a.published_at is None and a.published_at_source == "none"


def test_epoch_numbers_in_seconds_and_milliseconds():
    for value in (1_698_832_800, 1_698_832_800_000):
        [a] = _parse("x.jsonl", json.dumps({"text": PROSE, "date": value}).encode())
        assert a.published_at == 1_698_832_800_000_000


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty document"),
        ("blank.html", b"  \n\t ", "empty document"),
        ("junk.html", bytes(range(256)) * 64, "binary"),
        ("junk.txt", b"\x00\x01\x02\x03\xff\xfe" * 500, "binary"),
        ("cut.html.gz", gzip.compress(HTML_PAGE.encode(), mtime=0)[:60], "truncated gzip"),
        ("bad.gz", b"\x1f\x8b" + b"garbage" * 10, "corrupt gzip"),
        (
            "nobody.html",
            b"<html><head><title>Only a title</title></head><body></body></html>",
            "no main",
        ),
        ("menu.txt", b"Home\nNews\nLogin\n", "no article text"),
        ("broken.json", b"[{", "malformed JSON"),
    ],
)
def test_bad_input_is_a_failure_with_a_reason(name, data, reason):
    items = _parse(name, data)
    assert len(items) == 1 and isinstance(items[0], Failure), items
    assert reason in items[0].error
    assert items[0].stage == "parse" and items[0].source_uri == name


def test_gzip_bomb_stops_at_the_cap():
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\x00" * (1 << 20)
    data = b"".join(bomb.compress(chunk) for _ in range(80)) + bomb.flush()  # 80 MB inflated
    assert len(data) < 200_000
    [failure] = _parse("bomb.html.gz", data)
    assert "gzip bomb" in failure.error


def test_truncated_html_parses_what_is_there():
    cut = HTML_PAGE[: HTML_PAGE.index("</p>") - 40].encode()
    [a] = _parse("cut.html", cut)
    assert a.text.startswith("The council approved")


def test_huge_page_is_cut_before_extraction():
    para = f"<p>{PROSE}</p>\n".encode()
    page = (
        b"<html><body><article>"
        + para * (50 * 1024 * 1024 // len(para))
        + b"</article></body></html>"
    )
    assert len(page) > 9 * MAX_HTML_BYTES
    [a] = _parse("huge.html", page)
    assert isinstance(a, Article) and a.text.startswith("The council approved")


def test_parse_documents_composite_splits_articles_and_failures():
    docs = [
        RawDocument("ok.txt", f"Budget approved by the council\n{PROSE}".encode(), NOW),
        RawDocument("empty.txt", b"", NOW),
    ]
    with TestPipeline() as p:
        out = p | beam.Create(docs) | ParseDocuments()
        assert_that(out["articles"] | beam.Map(lambda a: a.source_uri), equal_to(["ok.txt"]), "A")
        assert_that(
            out["failures"] | beam.Map(lambda f: (f.source_uri, f.error)),
            equal_to([("empty.txt", "empty document")]),
            label="F",
        )


def test_html_whose_declared_charset_lies_comes_out_readable():
    body = "Perché la città è così “bella”: déjà vu. " * 20
    page = f"<html><head><meta charset='iso-8859-1'></head><body><article><p>{body}</p></article></body></html>"
    [a] = _parse("lying.html", page.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert "Perché la città è così “bella”" in a.text
    assert "Ã" not in a.text and "\ufffd" not in a.text


def test_html_dates_follow_the_order_of_trust():
    link = '<link rel="canonical" href="https://example.com/2020/01/02/story">'
    meta = '<meta property="article:published_time" content="2021-05-06T07:08:09Z">'
    page = HTML_PAGE.replace("<head>", f"<head>{link}{meta}")
    [a] = _parse("dated.html", page.encode())
    assert a.published_at_source == "meta"
    assert a.published_at == 1_620_284_889_000_000
    assert a.url == "https://example.com/2020/01/02/story"
    assert a.source_name == "example.com"
    [b] = _parse("url-dated.html", HTML_PAGE.replace("<head>", f"<head>{link}").encode())
    assert (b.published_at_source, b.published_at) == ("url", 1_577_923_200_000_000)


def test_a_file_that_is_not_json_at_all_is_one_dead_letter():
    items = _parse("notes.jsonl", b"just\nsome\nplain\nlines\nof text\n")
    assert len(items) == 1 and "not JSON: all 5 records malformed" in items[0].error


def test_markup_behind_a_wrong_extension_is_read_as_markup():
    [a] = _parse("saved-page.txt", HTML_PAGE.encode())
    assert a.title == "Budget approved" and "<p>" not in a.text
    [b] = _parse("page.jsonl", HTML_PAGE.encode())
    assert b.text == a.text


# --- cue files ----------------------------------------------------------------------------


def test_cue_patterns_escape_phrases_keep_stems_and_put_longer_phrases_first():
    cues = Cues(
        "# a comment\nread\ten\tread\nread\ten\tread more\nread\tit\tc.so (sic)\nx\t*\tfoto*\n"
    )
    assert cues.pattern("read") == r"c\.so\ \(sic\)|read\ more|read"
    assert re.fullmatch(cues.pattern("x"), "fotografía")
    assert re.match(rf"(?:{cues.pattern('read')})\b", "read more").group() == "read more"


@pytest.mark.parametrize("line", ["kind\tlang", "kind\tlang\t ", "a\tb\tc\td"])
def test_a_malformed_cue_line_is_refused_with_its_place(line):
    with pytest.raises(ValueError, match="bad.tsv:2"):
        Cues(f"# header\n{line}\n", "bad.tsv")


@pytest.mark.parametrize("name", ["plaintext_cues.tsv", "html_cues.tsv"])
def test_bundled_cue_files_load(name):
    cues = load_cues(name)
    kinds = {
        "plaintext_cues.tsv": ["credit", "byline", "section_end"],
        "html_cues.tsv": ["tail_clutter"],
    }
    for kind in kinds[name]:
        re.compile(cues.pattern(kind))
        assert cues.phrases(kind)


def test_a_tag_inside_json_lines_or_text_is_content_not_format():
    # Found by bench/fuzz.py: a .jsonl whose first line is garbage and whose records hold "<p>"
    # was read as one HTML page; its good lines were lost.
    record = json.dumps({"url": "https://example.org/a", "title": "A", "text": "<p>Body of a.</p>"})
    data = b"#, garbage line\n" + record.encode() + b"\n"
    assert unpack("x.jsonl", data).format == JSONL
    items = list(parse_document(RawDocument("x.jsonl", data, NOW)))
    assert [type(i).__name__ for i in items] == ["Failure", "Article"]
    quoted = b"How to title a page: put it in <title> and keep it short.\n" * 3
    assert unpack("x.txt", quoted).format == TEXT
    page = b"\n <!-- saved --><html><body><p>x</p></body></html>"
    assert unpack("x.txt", page).format == HTML  # a page saved as .txt is still a page
