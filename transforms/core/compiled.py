"""Compiled modules: which of ours run as C (setup.py builds them with mypyc), and the switch
back to their Python source.

setup.py compiles the per-article steps' pure cores where a C compiler is found; the .py file
beside each compiled one is the same code and stays the reference. Python imports a compiled
module in preference to its source, so in a checkout a build older than its source would run old
code silently: stale_builds() finds those, and NEWSBEAM_PURE_PYTHON=1 imports every module from
source (for profiling, debugging, or to compare the two).
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

PURE_PYTHON_ENV = "NEWSBEAM_PURE_PYTHON"
PACKAGES = ("transforms", "pipeline")
_ROOT = Path(__file__).resolve().parent.parent.parent


def pure_python_requested() -> bool:
    return os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")


def _source_of(extension: Path) -> Path | None:
    """X.py beside X.cpython-311-x86_64-linux-gnu.so (or X.pyd), if there is one."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if extension.name.endswith(suffix):
            source = extension.with_name(extension.name[: -len(suffix)] + ".py")
            return source if source.is_file() else None
    return None


def listed_modules(root: Path = _ROOT, leave_out: tuple[str, ...] = ()) -> list[str]:
    """The modules setup.py compiles, read from its COMPILED tuple (paths, as there, in
    leave_out are left out), as module names; only in a checkout, which has setup.py."""
    tree = ast.parse((root / "setup.py").read_text())
    listed = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED"
    )
    paths = [path for path in ast.literal_eval(listed) if path not in leave_out]
    return [path[: -len(".py")].replace("/", ".") for path in paths]


def compiled_files(root: Path = _ROOT) -> Iterator[tuple[Path, Path]]:
    """(extension, its source) for every compiled module of ours under root."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*")):
            source = _source_of(path) if path.is_file() else None
            if source is not None:
                yield path, source


def stale_builds(root: Path = _ROOT) -> list[Path]:
    """Sources edited after their module was compiled, in a checkout (root holds setup.py): the
    compiled one, which Python imports first, runs the old code. `make compiled` rebuilds it.
    An installed package has no setup.py, and its files' times say only when pip wrote them."""
    if not (root / "setup.py").is_file():
        return []
    return [
        source
        for extension, source in compiled_files(root)
        if source.stat().st_mtime > extension.stat().st_mtime
    ]


def stale_builds_in_use(root: Path = _ROOT) -> list[Path]:
    """stale_builds(), unless NEWSBEAM_PURE_PYTHON runs every module from its source anyway."""
    return [] if pure_python_requested() else stale_builds(root)


def is_compiled(module) -> bool:
    origin = getattr(module, "__file__", None) or ""
    return origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


class SourceFirst(importlib.abc.MetaPathFinder):
    """Imports our modules from their .py files even where a compiled one sits beside them."""

    def __init__(self, packages: tuple[str, ...] = PACKAGES):
        self._packages = packages

    def find_spec(self, name, path, target=None):
        if name.split(".", 1)[0] not in self._packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        origin = Path(spec.origin) if spec is not None and spec.origin else None
        source = _source_of(origin) if origin is not None else None
        if source is None:
            return spec
        return importlib.util.spec_from_file_location(name, source)


def import_sources_if_requested() -> None:
    """Install SourceFirst when NEWSBEAM_PURE_PYTHON is set (called by transforms/__init__.py)."""
    if pure_python_requested() and not any(isinstance(f, SourceFirst) for f in sys.meta_path):
        sys.meta_path.insert(0, SourceFirst())
