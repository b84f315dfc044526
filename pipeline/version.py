"""newsbeam's installed version, for the User-Agent and the report's footer."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def newsbeam_version() -> str:
    try:
        return version("newsbeam")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "dev"
