"""Check at run time that the type hints of setup.py's compiled modules hold, over the tests.

mypyc trusts the hints (README, "Compiled modules"): a compiled function raises TypeError on a
value of another type than its hint says, and reads a NamedTuple by position. mypy checks the
modules against each other at every build, not what Python code hands them. This runs the test
suite on the .py files of a copy of the tree (no compiled module in it) with every hint of
those modules enforced by beartype's import hook, so a hint that a caller breaks fails a test
with a beartype violation naming the function and the value.

    .venv/bin/python bench/check_hints.py [pytest arguments]    # ~9 minutes for all the tests

Expected failures: tests/test_compiled.py, which needs the compiled modules. beartype cannot
resolve the TYPE_CHECKING imports of the modules listed in UNCHECKED, so they are left out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNCHECKED = ("transforms/entities/splits.py", "transforms/entities/rules_it.py")
_ENV = "NEWSBEAM_CHECK_HINTS"


def _copy_sources(target: Path) -> None:
    """The tree's files as git sees them (tracked and new, not ignored): no compiled module."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in listed:
        source = ROOT / name
        if source.is_file() and not name.startswith(".venv"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="newsbeam-hints-") as tmp:
        copy = Path(tmp) / "newsbeam"
        _copy_sources(copy)
        if (ROOT / ".venv").is_dir():  # for the tests that run .venv/bin/newsbeam
            (copy / ".venv").symlink_to(ROOT / ".venv")
        if (ROOT.parent / "shared").is_dir():  # ../shared, beside the copy as beside the tree
            (Path(tmp) / "shared").symlink_to(ROOT.parent / "shared")
        env = dict(os.environ, PYTHONPATH=f"{copy}:{ROOT / 'bench'}", **{_ENV: "1"})
        env.pop("NEWSBEAM_PURE_PYTHON", None)  # nothing compiled in the copy to step around
        command = [sys.executable, "-m", "pytest", "-p", "check_hints", "-p", "no:cacheprovider"]
        done = subprocess.run([*command, *sys.argv[1:]], check=False, cwd=copy, env=env)
        return done.returncode


if os.environ.get(_ENV) == "1":  # imported by pytest as a plugin (-p check_hints): hook first
    from beartype import BeartypeConf
    from beartype.claw import beartype_packages

    from transforms.core.compiled import listed_modules

    checked = listed_modules(Path.cwd(), leave_out=UNCHECKED)
    beartype_packages(tuple(checked), conf=BeartypeConf(is_pep484_tower=True))

if __name__ == "__main__":
    sys.exit(main())
