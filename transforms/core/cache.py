"""A per-user cache of what is slow to build and quick to unpickle, such as the gazetteer's
automaton and py3langid's model, which every worker process loads in setup().

Building those took 0.39 and 0.46 CPU-s per process and unpickling them takes ~0.04 and ~0.06:
this is most of the fixed cost of a small run, and a cost each extra worker pays again.

An entry is keyed by a digest of everything it is built from: the bytes of its source files, the
versions of the libraries that build it, and Python's. A changed input gives a new key. Reading an
entry marks it used (its mtime); storing one removes the entries of the same name unused for
STALE_AFTER_S, so upgrades do not pile up 80 MB each while two checkouts in use keep theirs.
Entries are written to a temporary file and moved
into place (os.replace), so workers that build one at the same time never read half a file.
Anything that goes wrong (no writable directory, a file that does not unpickle) falls back to
building the object, which is always correct, only slower.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import NamedTuple, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)
STALE_AFTER_S = 30 * 86400
# What unpickling a truncated, corrupt or stale file raises.
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
)


class Cache(NamedTuple):
    """Where entries live: a small picklable value the launcher hands to transforms."""

    directory: str


def default_directory(environ: Mapping[str, str]) -> str | None:
    """$XDG_CACHE_HOME/newsbeam, else $HOME/.cache/newsbeam (the XDG base-directory default);
    None when neither is an absolute path (a container without HOME): no cache rather than one
    under the working directory. A relative XDG_CACHE_HOME is ignored, as the XDG spec says."""
    xdg, home = environ.get("XDG_CACHE_HOME", ""), environ.get("HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, "newsbeam")
    return os.path.join(home, ".cache", "newsbeam") if os.path.isabs(home) else None


def digest(parts: Iterable[bytes | str], python: bool = True) -> str:
    """A key over the parts, each length-prefixed so no two lists of parts collide; with
    python, over the Python release too (a pickle's), not for plain data files."""
    h = hashlib.blake2b(digest_size=12)
    if python:
        h.update(sys.version.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def version_of(distribution: str) -> str:
    """A key part: an installed distribution's name and version (no version when it is not
    installed)."""
    try:
        return f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return f"{distribution}=="


def cached(
    cache: Cache | None, name: str, parts: Iterable[bytes | str], build: Callable[[], T]
) -> T:
    """The entry named `name` for these key parts, built (and stored) when it is missing."""
    if cache is None:
        return build()
    path = Path(cache.directory) / f"{name}-{digest(parts)}.pickle"
    try:
        with path.open("rb") as fh:
            value = pickle.load(fh)
    except FileNotFoundError:
        pass
    except _UNREADABLE as err:  # a truncated or foreign file: rebuild and replace it
        log.warning("cache entry %s unreadable (%s); rebuilding it", path, err)
    else:
        _touch(path)
        return value
    value = build()
    if _store(path, value):
        _prune(path, name, time.time())
    return value


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # a read-only cache still serves
        pass


def _prune(kept: Path, name: str, now: float) -> None:
    """Remove the other entries of `name` that nobody read for STALE_AFTER_S."""
    for entry in kept.parent.glob(f"{name}-*.pickle"):
        try:
            if entry != kept and now - entry.stat().st_mtime > STALE_AFTER_S:
                entry.unlink()
        except OSError:  # another process removed or replaced it first
            continue


def _store(path: Path, value: object) -> bool:
    """Write the entry atomically; whether it was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as err:
        log.info("cache %s not writable (%s); building in each process", path.parent, err)
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as err:  # a full disk
        log.info("cache entry %s not written (%s)", path, err)
        Path(tmp).unlink(missing_ok=True)
        return False
    return True
