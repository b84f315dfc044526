"""The whole chain on generated input (tests/fuzz_chain.py): files of JSON Lines, feeds, HTML,
text and random bytes, with hostile records beside good ones, through `newsbeam run`. The run
exits 0, its summary is balanced and counts every generated item, every good item is written and
every bad one dead-lettered. Few examples (a run takes seconds); then the issue's cases, pinned."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from hypothesis import given

from tests.conftest import ROOT
from tests.fuzz_chain import ChainCase, chain_case, read_output, run_and_check
from tests.fuzz_records import BAD, GOOD, ODD, Doc, Item
from tests.hypothesis_profiles import budget

pytestmark = pytest.mark.slow


@budget(4)
@given(chain_case())
def test_generated_input_is_written_or_dead_lettered_and_counted(case):
    run_and_check(case)


# --- the cases, pinned ---------------------------------------------------------------


def _good(uid: str, **extra) -> tuple[str, Item]:
    url = f"https://news.example.org/{uid}"
    record = {
        "url": url,
        "title": f"Leaders meet in Rome, report {uid}",
        "text": f"Report {uid}. The minister said on Monday that talks with leaders of both "
        "countries would continue after the summit in Rome.",
        "published": "2025-03-04T10:00:00Z",
    }
    record.update(extra)
    line = json.dumps(record, ensure_ascii=False)
    return line, Item(GOOD, url, "good record", line)


def _item(kind: str, line: str) -> tuple[str, Item]:
    return line, Item(kind, None, line[:40], line)


def _jsonl(name: str, lines: list[tuple[str, Item]]) -> Doc:
    data = "\n".join(line for line, _ in lines).encode("utf-8", "surrogatepass")
    return Doc(name, data, tuple(item for _, item in lines))


def _record(uid: str, tail: str) -> str:
    """A record with good text whose last field is written as it stands (NaN, -1e30, ...)."""
    line, _ = _good(uid)
    return line[:-1] + ", " + tail + "}"


def _case(*docs: Doc, folder: str = "in", cap: int | None = None) -> ChainCase:
    return ChainCase(folder, docs, cap)


PINNED = {
    "issues 1 and 2: timestamps out of range beside 20 good rows of their partition": _case(
        _jsonl("a.jsonl", [
            *[_good(f"g{i}") for i in range(20)],
            _item(ODD, _record("o1", '"published": -100000000000')),
            _item(ODD, _record("o2", '"updated": -1e30')),
        ])),
    "issue 3: one bad value per line beside good lines": _case(_jsonl("a.jsonl", [
        _good("g1"),
        _item(ODD, _record("o1", '"published": NaN')),
        _item(ODD, _record("o2", '"published": Infinity')),
        _item(ODD, _record("o3", '"published": 1e400')),
        _item(ODD, _record("o4", '"published": ' + "9" * 5000)),
        _item(ODD, _record("o7", '"text": "A lone \\ud800 surrogate in the text."')),
        _item(ODD, _record("o6", '"extra": ' + "[" * 100_000 + "]" * 100_000)),
        _item(BAD, "NaN"),
        _good("g2"),
        _good("g3", text="A line separator\u2028inside the text is no line break."),
    ])),
    "a lone surrogate in a title: the row and its dead letter must both be writable": _case(
        _jsonl("a.jsonl", [*[_good(f"g{i}") for i in range(5)],
                           _item(ODD, _record("o1", '"title": "A lone \\ud800 surrogate"'))])),
    "issue 4: a JSON Lines file larger than --max-input-bytes": _case(
        _jsonl("big.jsonl", [_good(f"g{i}") for i in range(40)]), cap=2048),
    "issue 6: an input folder whose name looks like a glob": _case(
        _jsonl("a.jsonl", [_good("g1")]), folder="in [1]"),
    "issue 8: Atom relative links, JSON Feed with escaped slashes": _case(
        Doc("blog.atom", (
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title>'
            b'<link rel="self" href="https://blog.example.org/feed.atom"/>'
            b'<entry><title>Plex</title><link href="/blog/2013/01/30/Plex"/>'
            b"<id>tag:blog.example.org,2013:plex</id><updated>2013-01-30T10:00:00Z</updated>"
            b"<content type='html'>A post about Plex and the media server.</content></entry></feed>"
        ), (Item(GOOD, "https://blog.example.org/blog/2013/01/30/Plex", "atom", ""),)),
        Doc("wire.json", json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": "Wire",
            "items": [{"id": "w1", "url": "https://wire.example.org/1",
                       "content_text": "Story one of the wire, about the summit."}],
        }).replace("/", "\\/").encode(), (Item(GOOD, "https://wire.example.org/1", "jf", ""),)),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", PINNED.values(), ids=PINNED.keys())
def test_pinned(case):
    run_and_check(case)


def test_fifo_and_socket_in_the_input_folder_are_skipped_not_waited_for(tmp_path):
    """A FIFO would block a reader forever: the run must skip it (and the socket) and finish.
    Run as a subprocess with a generous limit, so a hang fails this test instead of CI."""
    folder = tmp_path / "in"
    folder.mkdir()
    line, item = _good("g1")
    (folder / "a.jsonl").write_text(line)
    os.mkfifo(folder / "pipe.jsonl")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "sock.jsonl"))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pipeline", "run", "--input", str(folder), "--output", str(out)]
    try:
        done = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the run still waits on the FIFO after 60 s")
    finally:
        sock.close()
    assert done.returncode == 0, done.stderr[-2000:]
    summary, rows, _ = read_output(out)
    assert [r["url"] for r in rows] == [item.url]
    assert summary["balanced"]
