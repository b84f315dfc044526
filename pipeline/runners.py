"""Runner-specific option classes that Beam only registers when their module is imported."""

from __future__ import annotations

import importlib

# Optional runners whose flags `newsbeam run` should accept when the extra is installed.
_OPTIONAL_OPTION_MODULES = ("apache_beam.runners.dask.dask_runner",)


def load_runner_options() -> list[str]:
    """Import the option modules of installed optional runners; returns the ones loaded."""
    loaded = []
    for name in _OPTIONAL_OPTION_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        loaded.append(name)
    return loaded
