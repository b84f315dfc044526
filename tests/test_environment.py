"""The pinned environment: constraints.txt, which `make` installs .venv from, pins every package
pyproject.toml names, within the ranges pyproject.toml allows."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _requirements() -> list[Requirement]:
    """Every requirement of the project and of its extras that applies on this platform."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    reqs = [Requirement(line) for line in lines]
    return [r for r in reqs if r.marker is None or r.marker.evaluate()]


def test_every_named_package_is_pinned():
    missing = {canonicalize_name(r.name) for r in _requirements()} - set(_pins())
    assert not missing, f"not in constraints.txt (run `make lock`): {sorted(missing)}"


def test_pins_fall_within_pyproject_ranges():
    pins = _pins()
    outside = [
        f"{r} but constraints.txt has {pins[canonicalize_name(r.name)]}"
        for r in _requirements()
        if canonicalize_name(r.name) in pins
        and not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not outside, "; ".join(outside)


def test_pins_parse_and_are_unique():
    lines = [
        line
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = [canonicalize_name(line.partition("==")[0]) for line in lines]
    assert len(names) == len(set(names)) and len(names) > 50
