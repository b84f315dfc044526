"""core.cache: built models are kept between processes, keyed by what they are built from, and
anything that goes wrong falls back to building. The gazetteer and py3langid read from it give
the same answers as freshly built ones."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from pipeline.options import NewsbeamOptions, parse_options
from pipeline.settings import checked_steps
from tests.conftest import ROOT
from transforms.core.cache import STALE_AFTER_S, Cache, cached, default_directory, digest


class Builds:
    """A build function that counts its calls."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_an_entry_is_built_once_and_then_read(tmp_path):
    cache, build = Cache(str(tmp_path / "c")), Builds({"a": [1, 2]})
    assert cached(cache, "thing", [b"x"], build) == {"a": [1, 2]}
    again = cached(cache, "thing", [b"x"], build)
    assert again == {"a": [1, 2]} and build.calls == 1
    assert [p.name.startswith("thing-") for p in (tmp_path / "c").iterdir()] == [True]


def test_a_changed_input_builds_a_new_entry(tmp_path):
    cache, build = Cache(str(tmp_path)), Builds("v")
    cached(cache, "thing", [b"x"], build)
    cached(cache, "thing", [b"y"], build)
    assert build.calls == 2 and len(list(tmp_path.iterdir())) == 2


def test_key_parts_are_not_just_concatenated():
    assert digest([b"ab", b"c"]) != digest([b"a", b"bc"])
    assert digest(["ab"]) == digest([b"ab"])


def test_no_cache_builds_every_time():
    build = Builds(1)
    assert cached(None, "thing", [b"x"], build) == cached(None, "thing", [b"x"], build) == 1
    assert build.calls == 2


def test_a_corrupt_entry_is_rebuilt_and_replaced(tmp_path):
    cache, build = Cache(str(tmp_path)), Builds([3])
    cached(cache, "thing", [b"x"], build)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(entry.read_bytes()[:5])  # cut short (a full disk, a copy gone wrong)
    assert cached(cache, "thing", [b"x"], build) == [3] and build.calls == 2
    assert pickle.loads(entry.read_bytes()) == [3]


def test_an_unwritable_directory_still_returns_the_built_value(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache, build = Cache(str(blocker / "sub")), Builds("v")
    assert cached(cache, "thing", [b"x"], build) == "v"
    assert cached(cache, "thing", [b"x"], build) == "v" and build.calls == 2


def test_writers_leave_no_temporary_files(tmp_path):
    cache = Cache(str(tmp_path))
    for part in (b"a", b"b", b"c"):
        cached(cache, "thing", [part], Builds(part))
    assert sorted(p.name[0] for p in tmp_path.iterdir()) == ["t", "t", "t"]


def test_storing_an_entry_removes_its_name_s_entries_nobody_read_for_a_month(tmp_path):
    cache = Cache(str(tmp_path))
    for part in (b"old", b"recent", b"other"):
        cached(cache, "thing" if part != b"other" else "other", [part], Builds(part))
    old, recent = (tmp_path / f"thing-{digest([p])}.pickle" for p in (b"old", b"recent"))
    other = tmp_path / f"other-{digest([b'other'])}.pickle"
    month_ago = recent.stat().st_mtime - STALE_AFTER_S - 60
    for entry in (old, other):
        os.utime(entry, (month_ago, month_ago))
    cached(cache, "thing", [b"new"], Builds(b"new"))
    assert not old.exists()  # the same name, unused for a month
    assert recent.exists() and other.exists()  # in use, or another name


def test_reading_an_entry_marks_it_used(tmp_path):
    cache = Cache(str(tmp_path))
    cached(cache, "thing", [b"x"], Builds(1))
    (entry,) = tmp_path.iterdir()
    os.utime(entry, (0, 0))
    cached(cache, "thing", [b"x"], Builds(2))
    assert entry.stat().st_mtime > STALE_AFTER_S


def test_the_default_directory_follows_xdg():
    home = {"HOME": "/home/ana"}
    assert default_directory({"XDG_CACHE_HOME": "/x/cache", **home}) == "/x/cache/newsbeam"
    assert default_directory(home) == "/home/ana/.cache/newsbeam"
    assert default_directory({"XDG_CACHE_HOME": "cache", **home}) == "/home/ana/.cache/newsbeam"
    # no usable home (a container's arbitrary user): no cache, not one in the working directory
    assert default_directory({}) is None
    assert default_directory({"HOME": "~", "XDG_CACHE_HOME": ""}) is None


def test_the_flag_chooses_the_directory_or_switches_the_cache_off(tmp_path):
    def steps(*flags):
        return checked_steps(parse_options("run", list(flags)).view_as(NewsbeamOptions))

    assert steps("--cache_dir", "off").cache_dir is None
    assert steps("--cache_dir", str(tmp_path)).cache_dir == str(tmp_path)
    assert steps().cache_dir == default_directory(dict(os.environ))


def test_a_cached_gazetteer_matches_like_a_built_one(tmp_path, gaz):
    from transforms.entities.gazetteer import load_gazetteer
    from transforms.entities.tokens import tokenize

    cache = Cache(str(tmp_path))
    first = load_gazetteer(cache=cache)  # built, then stored
    second = load_gazetteer(cache=cache)  # read back
    assert len(list(tmp_path.iterdir())) == 1
    tokens = tokenize("Sergio Mattarella e Giorgia Meloni a Roma con la Commissione europea.")
    for loaded in (first, second):
        assert loaded.entries == gaz.entries and loaded.caps == gaz.caps
        assert loaded.match(tokens) == gaz.match(tokens) != []


def test_a_custom_gazetteer_file_has_its_own_entry(tmp_path):
    import gzip

    from transforms.entities.gazetteer import load_gazetteer

    names = tmp_path / "names.tsv.gz"
    names.write_bytes(gzip.compress(b"Q1\tORG\thand\tAcme Widgets\n"))
    cache = Cache(str(tmp_path / "c"))
    custom = load_gazetteer(str(names), cache=cache)
    assert [e.name for e in custom.entries] == ["Acme Widgets"]
    assert [e.name for e in load_gazetteer(str(names), cache=cache).entries] == ["Acme Widgets"]
    assert len(load_gazetteer(cache=cache).entries) > 1000
    assert len(list((tmp_path / "c").iterdir())) == 2


TEXTS = [
    "Il presidente ha parlato con il ministro degli esteri",
    "The minister spoke to reporters after the call",
    "Der Bundeskanzler sprach mit dem Präsidenten",
    "ok",
]


def test_a_cached_py3langid_model_ranks_like_a_built_one(tmp_path):
    from transforms.language.backends import Py3langidBackend

    built = Py3langidBackend()
    first = Py3langidBackend(cache=Cache(str(tmp_path)))
    second = Py3langidBackend(frozenset({"it", "en"}), cache=Cache(str(tmp_path)))
    third = Py3langidBackend(cache=Cache(str(tmp_path)))  # the restriction did not stick
    assert len(list(tmp_path.iterdir())) == 1
    for text in TEXTS:
        assert first.scores(text) == built.scores(text) == third.scores(text)
        assert {lang for lang, _ in second.scores(text)} <= {"it", "en"}
    assert first.known() == built.known()


def test_a_second_process_reads_the_model_instead_of_building_it(tmp_path):
    """What a second worker does: the default language backend, in two fresh processes that
    share a cache; py3langid's own loader runs in the first only."""
    script = (
        "import sys\n"
        "import py3langid.langid as L\n"
        "from transforms.core.cache import Cache\n"
        "from transforms.language.backends import load_backend\n"
        "calls, build = [], L.LanguageIdentifier.from_model_file\n"
        "L.LanguageIdentifier.from_model_file = lambda *a, **k: calls.append(1) or build(*a, **k)\n"
        "d = load_backend('fasttext+py3langid', (), Cache(sys.argv[1]))\n"
        "print(len(calls), d.scores('Il presidente ha parlato con il ministro')[0][0])\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        for _ in range(2)
    ]
    assert [r.stdout.split() for r in runs] == [["1", "it"], ["0", "it"]]
    assert len(list(tmp_path.iterdir())) == 1
