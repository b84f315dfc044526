"""The file sources: paths taken literally, special files never opened, JSON Lines and JSON arrays
cut into parts of whole items (chunking never moves a cut), gzip streamed, every item of a file
larger than --max-input-bytes read and counted, end to end through the CLI."""

from __future__ import annotations

import gzip
import json
import os
import random
import socket
import threading
import zlib
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.io.filesystems import FileSystems
from apache_beam.testing.util import assert_that, equal_to

from pipeline.sources.files import FILES, ReadDocuments
from pipeline.sources.parts import Cut, Part, cut_array, cut_lines
from pipeline.sources.paths import count_inputs, expand_input, match_inputs
from pipeline.sources.reading import (
    ARRAY,
    LINES,
    PAGE,
    WHOLE,
    DecompressError,
    FileReader,
    gunzip_chunks,
    shape,
    utf16_of,
)
from transforms.core.failures import ARTICLES, FAILURES
from transforms.core.records import Failure, RawDocument
from transforms.parse.step import parse_document

# --- paths: a path that exists is itself, glob characters and all ------------------------------


def _tree(root: Path) -> None:
    for rel in ("a.txt", "b.jsonl", "sub/c.txt", "sub/deep/d.txt", "other/e.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)


@pytest.mark.parametrize(
    "pattern", ["**", "*.txt", "sub/**", "sub/*.txt", "**/*.txt", "s*/**", "?.txt", "[ab].*", "x*"]
)
def test_listing_matches_beams_own_on_plain_patterns(tmp_path, pattern):
    _tree(tmp_path)
    full = f"{tmp_path}/{pattern}"
    beams = sorted(m.path for m in FileSystems.match([full])[0].metadata_list)
    assert sorted(m.path for m in match_inputs(full)) == beams


@pytest.mark.parametrize("name", ["news[1]", "a*b", "what?", "[x]", "odd]name"])
def test_a_folder_named_like_a_glob_is_that_folder(tmp_path, name):
    folder = tmp_path / name
    _tree(folder)
    (tmp_path / "news1").mkdir()  # what news[1] would match as a glob
    (tmp_path / "news1" / "decoy.txt").write_text("not in the folder asked for")
    (tmp_path / "aXb").mkdir()
    (tmp_path / "aXb" / "decoy.txt").write_text("not in the folder asked for")
    pattern = expand_input(str(folder))
    found = sorted(Path(m.path).relative_to(folder).as_posix() for m in match_inputs(pattern))
    assert found == ["a.txt", "b.jsonl", "other/e.txt", "sub/c.txt", "sub/deep/d.txt"]
    assert count_inputs(pattern) == 5
    # A glob below such a folder, and the folder's file given by name, work too.
    assert len(match_inputs(expand_input(f"{folder}/sub/*.txt"))) == 1
    assert [m.path for m in match_inputs(expand_input(f"{folder}/a.txt"))] == [f"{folder}/a.txt"]


def test_a_real_glob_still_globs(tmp_path):
    for name in ("news1", "news2", "news10"):
        _tree(tmp_path / name)
    assert count_inputs(expand_input(f"{tmp_path}/news?/**")) == 10
    assert count_inputs(expand_input(f"{tmp_path}/news[12]/*.txt")) == 2
    assert count_inputs(expand_input(f"{tmp_path}/nothing*")) == 0
    assert count_inputs(expand_input(f"{tmp_path}/missing")) == 0


# --- cutting parts: whole items, the same cuts however the bytes are chunked --------------------


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _jsonl(n: int, seed: int = 1) -> bytes:
    rnd = random.Random(seed)
    rows = [json.dumps({"i": i, "t": "x" * rnd.randint(0, 80)}) for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096, 1 << 20])
def test_line_parts_hold_whole_lines_numbered_as_in_the_file(chunk):
    data = _jsonl(300)
    parts = list(cut_lines(_chunked(data, chunk), 500, 10_000))
    assert parts == list(cut_lines([data], 500, 10_000))  # chunking never moves a cut
    assert all(isinstance(p, Part) and len(p.data) <= 500 for p in parts)
    assert b"".join(p.data for p in parts) == data
    for p in parts:
        for offset, line in enumerate(p.data.splitlines()):
            assert json.loads(line)["i"] == p.first_item + offset


@pytest.mark.parametrize("chunk", [1, 5, 100, 1 << 20])
def test_a_line_over_the_cap_is_a_cut_and_its_neighbours_are_read(chunk):
    data = b'{"i": 0}\n' + b"x" * 5000 + b'\n{"i": 2}\n\n\n{"i": 5}'
    got = list(cut_lines(_chunked(data, chunk), 100, 1000))
    assert got == [
        Part(b'{"i": 0}\n', 0),
        Cut(1, "line 2 is longer than --max-input-bytes (1000 bytes): not read", b"x" * 1000),
        Part(b'{"i": 2}\n\n\n{"i": 5}', 2),
    ]
    # At the end of the file too, with no newline after it.
    tail = list(cut_lines(_chunked(b'{"i": 0}\n' + b"y" * 3000, chunk), 100, 1000))
    assert [type(t) for t in tail] == [Part, Cut] and tail[1].item == 1


def test_blank_lines_count_but_a_part_of_blank_lines_is_not_passed_on():
    data = b'{"i": 0}\n' + b"\n" * 400 + b'{"i": 401}\n'
    parts = list(cut_lines([data], 100, 1000))
    assert len(parts) == 2  # not the four parts of blank lines between them
    found = [p.first_item + k for p in parts for k, x in enumerate(p.data.split(b"\n")) if x]
    assert found == [0, 401]


@pytest.mark.parametrize("chunk", [1, 3, 50, 1 << 20])
def test_array_parts_are_arrays_of_whole_elements_indexed_as_in_the_file(chunk):
    rows = [{"i": i, "s": 'q"u,o]t}e[{\\' * (i % 3), "n": [1, {"a": []}]} for i in range(120)]
    data = json.dumps(rows, indent=1).encode()
    parts = list(cut_array(_chunked(data, chunk), 400, 10_000))
    assert parts == list(cut_array([data], 400, 10_000))
    seen = [(p.first_item + k, obj) for p in parts for k, obj in enumerate(json.loads(p.data))]
    assert seen == list(enumerate(rows))


def test_a_bad_array_element_is_cut_alone():
    data = (
        b'[{"i": 0}, {"i": tru}, 1' + b"2" * 4400 + b', {"i": NaN}, {"s": "' + b"y" * 6000 + b'"},'
        b' {"i": 5}, ' + b"[" * 2400 + b"]" * 2400 + b', {"i": 7}]  trailing'
    )
    got = list(cut_array(_chunked(data, 97), 50, 5000))
    assert got == list(cut_array([data], 50, 5000))
    # NaN reads in Python's json: whether it is a value is parse's call, not the reader's.
    assert [x.first_item for x in got if isinstance(x, Part)] == [0, 3, 5, 7]
    cuts = {x.item: x.reason for x in got if isinstance(x, Cut)}
    assert set(cuts) == {1, 2, 4, 6, 8}
    assert "not JSON (JSONDecodeError" in cuts[1]
    assert "not JSON (ValueError: Exceeds the limit" in cuts[2]  # 4,401 digits
    assert "longer than --max-input-bytes" in cuts[4]
    assert "not JSON (RecursionError" in cuts[6]  # 2,400 levels deep
    assert "after the end" in cuts[8]


def test_an_array_cut_short_keeps_its_whole_elements():
    got = list(cut_array([b'[{"i": 0}, {"i": 1}, {"i": '], 1000, 1000))
    assert got[0] == Part(b'[{"i": 0},{"i": 1}]', 0)
    assert got[1].item == 2 and "ends inside element 2" in got[1].reason
    assert list(cut_array([b" [ ] "], 1000, 1000)) == []


# --- streaming gzip and charsets -----------------------------------------------------------------


def test_gunzip_streams_members_in_bounded_chunks():
    data = _jsonl(2000)
    two_members = gzip.compress(data[:5000]) + gzip.compress(data[5000:]) + b"\x00" * 8 + b"junk"
    out = list(gunzip_chunks(_chunked(two_members, 1)))
    assert b"".join(out) == data
    bomb = gzip.compress(b"\n" * (20 << 20))  # 20 KB that expands to 20 MB
    assert max(len(c) for c in gunzip_chunks([bomb])) <= 1 << 20


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda z: z[: len(z) // 2], "truncated gzip"),
        (lambda z: z[:40] + bytes(b ^ 0x55 for b in z[40:80]) + z[80:], "corrupt"),
        (lambda z: z[:-8] + (zlib.crc32(b"other")).to_bytes(4, "little") + z[-4:], "corrupt"),
    ],
)
def test_gunzip_reports_damage_after_what_it_could_read(damage, message):
    stream = gunzip_chunks([damage(gzip.compress(_jsonl(3000)))])
    with pytest.raises(DecompressError, match=message):
        for _ in stream:
            pass


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", None), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_utf16_is_found_with_or_without_a_bom(encoding, expected):
    assert utf16_of('{"title": "Città", "text": "x"}\n'.encode(encoding)) == expected


@pytest.mark.parametrize(
    "name, head, expected",
    [
        ("a.jsonl", b'{"a": 1}\n', LINES),
        ("a.jsonl.gz", b'{"a": 1}\n', LINES),
        ("a.ndjson", b"", LINES),
        ("a.jsonl", b"<html><body>", WHOLE),  # markup behind a JSON name is read as markup
        ("a.json", b'\xef\xbb\xbf [{"a": 1}', ARRAY),
        ("a.json", b'{"a": 1}\n{"a": 2}\n', LINES),  # a .json that is really JSON Lines
        ("a.json", b'{"version": "https://jsonfeed.org/version/1.1", "items": [', WHOLE),
        ("noext", b'{"a": 1}\n{"a": 2}\n', LINES),
        ("noext", b"[1, 2]", ARRAY),
        ("a.html", b"<html>", PAGE),
        ("a.txt", b"Title\n\nText", PAGE),
        ("a.txt", b'<?xml version="1.0"?><rss version="2.0">', WHOLE),  # a feed saved as .txt
        ("a.rss", b"<rss>", WHOLE),
        ("a.xml", b"[", WHOLE),
    ],
)
def test_shape_of_a_file(name, head, expected):
    assert shape(f"/in/{name}", head) == expected


# --- reading one file ----------------------------------------------------------------------------


def _read(path: Path, max_bytes: int, part_bytes: int = 8 << 20) -> list:
    return [r.item for r in FileReader(max_bytes, part_bytes).read(str(path), 0)]


def _ids(docs: list) -> list[tuple]:
    arts = [a for d in docs if isinstance(d, RawDocument) for a in parse_document(d)]
    return sorted((a.article_id, a.title, a.text) for a in arts if not isinstance(a, Failure))


def _records(n: int) -> list[dict]:
    # No url, no guid: an id is the item's place in its file, the case parts must not move.
    return [{"title": f"Titolo {i}", "text": f"Il testo numero {i} della prova."} for i in range(n)]


@pytest.mark.parametrize(
    "name, encode",
    [
        ("a.jsonl", lambda rs: "".join(json.dumps(r) + "\n" for r in rs).encode()),
        (
            "a.jsonl.gz",
            lambda rs: gzip.compress("".join(json.dumps(r) + "\n" for r in rs).encode()),
        ),
        ("a.json", lambda rs: json.dumps(rs, indent=2).encode()),
        ("b.jsonl", lambda rs: "".join(json.dumps(r) + "\r\n" for r in rs).encode("utf-16-le")),
    ],
)
def test_ids_are_the_same_read_whole_or_in_parts(tmp_path, name, encode):
    path = tmp_path / name
    path.write_bytes(encode(_records(400)))
    whole = _read(path, 64 << 20)
    parts = _read(path, 2000)
    assert len(whole) == 1 and len(parts) > 10
    assert {d.source_uri for d in parts} == {str(path)}
    assert _ids(parts) == _ids(whole) and len(_ids(whole)) == 400


def test_an_oversized_file_that_cannot_be_cut_is_a_dead_letter_not_a_truncated_parse(tmp_path):
    feed = tmp_path / "big.rss"
    feed.write_bytes(b'<rss version="2.0"><channel>' + b"<item><title>t</title></item>" * 200)
    (got,) = _read(feed, 1000)
    assert isinstance(got, Failure) and got.stage == "read"
    assert (
        "exceeds --max-input-bytes (1000 bytes)" in got.error
        and str(feed.stat().st_size) in got.error
    )
    page = tmp_path / "big.html"
    page.write_bytes(b"<html><body><p>" + b"word " * 1000 + b"</p></body></html>")
    (doc,) = _read(page, 1000)  # one page is one item: its head is read, as before
    assert isinstance(doc, RawDocument) and doc.truncated and len(doc.data) == 1000
    zipped = tmp_path / "big.html.gz"
    zipped.write_bytes(gzip.compress(os.urandom(3000)))  # a head of gzip would not inflate
    (got,) = _read(zipped, 1000)
    assert isinstance(got, Failure) and "exceeds" in got.error


def test_items_past_the_cap_are_read_and_a_long_line_is_counted(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [json.dumps(r) for r in _records(300)]
    rows[150] = json.dumps({"title": "huge", "text": "z" * 5000})
    path.write_text("\n".join(rows) + "\n")
    got = _read(path, 3000)
    failures = [d for d in got if isinstance(d, Failure)]
    assert len(failures) == 1 and "line 151 is longer" in failures[0].error
    assert len(_ids(got)) == 299


def test_a_damaged_gzip_keeps_the_lines_before_the_damage(tmp_path):
    data = "".join(json.dumps(r) + "\n" for r in _records(400)).encode()
    zipped = gzip.compress(data)
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(zipped[: len(zipped) * 3 // 4])
    read = {}
    for cap in (64 << 20, 2000):  # one part, many parts
        got = _read(path, cap)
        (failure,) = [d for d in got if isinstance(d, Failure)]
        assert "truncated gzip" in failure.error and "what came before it is read" in failure.error
        read[cap] = _ids(got)
    assert read[2000] == read[64 << 20] and 200 < len(read[2000]) < 400


def _unopened(path: Path) -> list:
    """Read in a thread so that a reader that did open a FIFO fails the test instead of hanging."""
    result: list = []
    worker = threading.Thread(target=lambda: result.extend(_read(path, 1000)), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), f"reading {path} blocked: it was opened"
    return result


def test_special_files_are_reported_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.jsonl")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock.txt"))
        (tmp_path / "null.txt").symlink_to("/dev/null")
        for name, kind in [("pipe.jsonl", "FIFO"), ("sock.txt", "socket"), ("null.txt", "device")]:
            (got,) = _unopened(tmp_path / name)
            assert isinstance(got, Failure) and kind in got.error and "not opened" in got.error


def test_a_link_to_nothing_is_listed_and_reported_not_skipped(tmp_path):
    (tmp_path / "a.txt").write_text("Un titolo\n\nUn testo.")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    listed = [Path(m.path).name for m in match_inputs(expand_input(str(tmp_path)))]
    assert listed == ["a.txt", "gone.txt"]
    assert count_inputs(expand_input(str(tmp_path / "gone.txt"))) == 1
    (got,) = _read(tmp_path / "gone.txt", 1000)
    assert isinstance(got, Failure) and "cannot read" in got.error and "No such file" in got.error


# --- the source composite ------------------------------------------------------------------------


def test_read_documents_spreads_parts_and_counts_files(tmp_path):
    (tmp_path / "big.jsonl").write_bytes(
        "".join(json.dumps(r) + "\n" for r in _records(200)).encode()
    )
    (tmp_path / "small.txt").write_text("Un titolo\n\nUn testo.")
    os.mkfifo(tmp_path / "pipe.txt")
    big = [d.first_item for d in _read(tmp_path / "big.jsonl", 2000)]
    assert len(big) > 5
    with beam.Pipeline(runner="FnApiRunner") as p:
        read = p | ReadDocuments(f"{tmp_path}/**", 2000)
        firsts = read[ARTICLES] | beam.Map(lambda d: (Path(d.source_uri).name, d.first_item))
        named = read[FILES] | beam.Map(lambda path: Path(path).name)
        kinds = read[FAILURES] | beam.Map(lambda f: (Path(f.source_uri).name, "FIFO" in f.error))
        expected = [("small.txt", 0)] + [("big.jsonl", i) for i in big]
        assert_that(firsts, equal_to(expected), label="Parts")
        assert_that(named, equal_to(["big.jsonl", "small.txt"]), label="Files")
        assert_that(kinds, equal_to([("pipe.txt", True)]), label="Special")
