"""Input paths -> patterns -> the files they match (FileMetadata), for the file and folder sources.

A path that exists is taken literally, glob characters in its name included (`news[1]/`, `a*b`):
they are escaped as `[[]`, `[*]`, `[?]`. Local patterns are listed from their longest literal
folder, so an escaped name never makes the listing walk its parent; filesystem URIs (gs://, s3://)
are matched by Beam.
"""

from __future__ import annotations

import glob
import os
import re
import warnings

from apache_beam.io.filesystem import FileMetadata, FileSystem
from apache_beam.io.filesystems import FileSystems

_MAGIC = re.compile(r"[*?[]")
# A class of one character is that character: how escape() writes a literal *, ? or [.
_ONE_CHAR_CLASS = re.compile(r"\[([^!])\]")


def is_input_path(path: str) -> bool:
    """Expectation sidecars, hidden and `_`-prefixed files lie beside the input but are not it."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return bool(name) and not name.startswith((".", "_")) and not name.endswith(".expect.json")


def escape(path: str) -> str:
    """A path as a pattern that matches that path only."""
    return glob.escape(path)


def _literal(component: str) -> str | None:
    """A pattern's path component as the name it matches, or None when it is a real glob."""
    if _MAGIC.search(_ONE_CHAR_CLASS.sub("", component)):
        return None
    return _ONE_CHAR_CLASS.sub(lambda m: m.group(1), component)


def _expand_local(path: str) -> str:
    if os.path.isdir(path):
        return os.path.join(escape(path), "**")
    if os.path.exists(path) or not _MAGIC.search(path):
        return escape(path)
    # A glob below a folder whose own name has glob characters: that folder is taken literally.
    parts = path.split(os.sep)
    for i in range(len(parts) - 1, 0, -1):
        head = os.sep.join(parts[:i])
        if _MAGIC.search(head) and os.path.isdir(head):
            return os.sep.join([escape(head), *parts[i:]])
    return path


def _expand_remote(uri: str) -> str:
    literal = escape(uri)
    if _matches(literal):
        return literal  # an object, whatever characters its name has
    # Object stores have no folders: a prefix that is not an object is read as one, when it has
    # objects below it or its name could not be a glob anyway.
    folder = FileSystems.join(literal.rstrip("/"), "**")
    return folder if not _MAGIC.search(uri) or _matches(folder) else uri


def _matches(pattern: str) -> bool:
    try:
        return bool(match_inputs(pattern))
    except Exception:  # noqa: BLE001 - an unmatched pattern is judged by count_inputs
        return False


def expand_input(pattern: str) -> str:
    """A folder means everything below it; a path that exists is itself, whatever characters its
    name has; anything else is a glob."""
    return _expand_remote(pattern) if "://" in pattern else _expand_local(pattern)


def folder_pattern(folder: str) -> str:
    """Everything below a folder (the watched one), its name taken literally."""
    if "://" in folder and _MAGIC.search(folder):
        return folder  # a glob of folders in an object store, as the flag has always allowed
    return f"{escape(folder.rstrip('/'))}/**"


def _split_literal(pattern: str) -> tuple[str, str]:
    """'/a/b[[]1]/*.jsonl' -> ('/a/b[1]', '*.jsonl'): the longest literal folder and the rest."""
    parts = pattern.split("/")
    literal = []
    for part in parts:
        name = _literal(part)
        if name is None:
            break
        literal.append(name)
    root = "/".join(literal)
    if not root and pattern.startswith("/"):
        root = "/"
    return root, "/".join(parts[len(literal) :])


def _metadata(path: str) -> FileMetadata | None:
    try:
        return FileMetadata(path, os.path.getsize(path), os.path.getmtime(path))
    except OSError:
        if os.path.islink(path):  # a link to nothing is an input the reader reports, not a gap
            return FileMetadata(path, 0, 0.0)
        return None  # gone between listing and stat, as Beam's own listing tolerates


def _walk(root: str):
    for folder, _, names in os.walk(root or "."):
        for name in names:
            path = os.path.join(folder, name)
            yield path if root else path.removeprefix("./")


def _match_local(pattern: str) -> list[FileMetadata]:
    root, rest = _split_literal(pattern)
    if not rest:  # one path: a file, or a FIFO given by name (the reader reports it)
        found = _metadata(root) if os.path.lexists(root) and not os.path.isdir(root) else None
        return [found] if found else []
    # Beam's glob syntax (`*` within a name, `**` across folders) for what follows the root.
    prefix = re.escape(f"{root.rstrip('/')}/") if root else ""
    glob_part = FileSystem.translate_pattern(rest).removeprefix("(?ms)")
    matcher = re.compile(prefix + glob_part, re.DOTALL)
    found = (_metadata(path) for path in _walk(root) if matcher.match(path))
    return sorted((m for m in found if m), key=lambda m: m.path)


def match_inputs(pattern: str) -> list[FileMetadata]:
    """Every file the pattern matches, special files (FIFOs, sockets) included: the readers
    report those instead of opening them."""
    if "://" in pattern:
        with warnings.catch_warnings():  # `[[]` reads as a nested set to re: harmless here
            warnings.simplefilter("ignore", FutureWarning)
            return list(FileSystems.match([pattern])[0].metadata_list)
    return _match_local(pattern)


def count_inputs(pattern: str) -> int:
    """How many input files the (expanded) pattern matches; used to validate before a run."""
    return sum(1 for m in match_inputs(pattern) if is_input_path(m.path))
