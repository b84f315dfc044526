"""Compiled modules (setup.py, transforms/core/compiled.py): a build older than its source is
found, NEWSBEAM_PURE_PYTHON imports the source, and the compiled tagger tags as the source does."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from transforms.core import compiled
from transforms.core.compiled import SourceFirst, is_compiled, listed_modules, stale_builds

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _listed_modules() -> list[str]:
    """The modules setup.py compiles, read from its COMPILED tuple."""
    modules = listed_modules(ROOT)
    assert len(modules) > 30
    return modules


def _fake_package(tmp_path: Path, name: str) -> Path:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("WHERE = 'source'\n")
    (package / f"mod{SUFFIX}").write_bytes(b"not a shared object")
    return package


def test_a_source_edited_after_its_build_is_stale(tmp_path):
    package = _fake_package(tmp_path, "transforms")
    (tmp_path / "setup.py").write_text("")
    os.utime(package / f"mod{SUFFIX}", (1_000, 1_000))
    os.utime(package / "mod.py", (2_000, 2_000))
    assert stale_builds(tmp_path) == [package / "mod.py"]
    os.utime(package / f"mod{SUFFIX}", (3_000, 3_000))
    assert stale_builds(tmp_path) == []


def test_an_installed_package_is_never_stale(tmp_path):
    """No setup.py beside the packages: pip wrote the files, in its own order."""
    package = _fake_package(tmp_path, "transforms")
    os.utime(package / f"mod{SUFFIX}", (1_000, 1_000))
    os.utime(package / "mod.py", (2_000, 2_000))
    assert stale_builds(tmp_path) == []
    (tmp_path / "setup.py").write_text("")
    assert stale_builds(tmp_path) == [package / "mod.py"]


def test_an_extension_without_a_source_is_not_ours_to_judge(tmp_path):
    package = _fake_package(tmp_path, "transforms")
    (package / "mod.py").unlink()
    assert list(compiled.compiled_files(tmp_path)) == []


def test_source_first_imports_the_py_beside_a_compiled_module(tmp_path, monkeypatch):
    _fake_package(tmp_path, "nbfakepkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = SourceFirst(packages=("nbfakepkg",))
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    try:
        module = __import__("nbfakepkg.mod", fromlist=["WHERE"])
    finally:
        for name in ("nbfakepkg.mod", "nbfakepkg"):
            sys.modules.pop(name, None)
    assert module.WHERE == "source"
    assert not is_compiled(module)


def test_the_extension_alone_would_be_imported_first(tmp_path, monkeypatch):
    """Why SourceFirst exists: Python prefers the compiled file, here a broken one."""
    _fake_package(tmp_path, "nbfakepkg2")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ImportError):
            __import__("nbfakepkg2.mod")
    finally:
        for name in ("nbfakepkg2.mod", "nbfakepkg2"):
            sys.modules.pop(name, None)


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_every_module_setup_py_lists_runs_compiled():
    """The build compiled them all (a compile error is optional=True: silent, so caught here)."""
    modules = [importlib.import_module(name) for name in _listed_modules()]
    assert [m.__name__ for m in modules if not is_compiled(m)] == []


_TAG_ALL = """
import json, sys
from transforms.core.compiled import is_compiled
from transforms.entities import load_gazetteer
from transforms.entities.tag import load_backend, load_word_data, tag_with
import transforms.entities.spans as spans
texts = json.loads(sys.stdin.read())
gazetteer = load_gazetteer(); load_word_data()
out = {"compiled": is_compiled(spans)}
for backend in ("rules", "model+rules"):
    resource = load_backend(backend)
    out[backend] = [repr(tag_with(backend, t, gazetteer, resource, lang)) for t, lang in texts]
print(json.dumps(out))
"""


def _texts() -> list[tuple[str, str]]:
    """The seeds, and every document of CI's entity check samples, as space-joined words."""
    texts = [(p.read_text(errors="replace"), "it") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    for path in sorted((ROOT / "tests" / "fixtures" / "ner_check").glob("*.conll")):
        for doc in path.read_text().split("-DOCSTART-")[1:]:
            words = [line.split()[0] for line in doc.splitlines()[1:] if line.strip()]
            texts.append((" ".join(words), path.stem))
    return texts


def _tag_in_child(texts, pure: bool) -> dict:
    env = {**os.environ, compiled.PURE_PYTHON_ENV: "1" if pure else ""}
    done = subprocess.run(
        [sys.executable, "-c", _TAG_ALL],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_compiled_tagger_tags_as_its_source_does():
    texts = _texts()
    from_source, from_build = _tag_in_child(texts, True), _tag_in_child(texts, False)
    assert (from_source["compiled"], from_build["compiled"]) == (False, True)
    assert from_build["rules"] == from_source["rules"]
    assert from_build["model+rules"] == from_source["model+rules"]
