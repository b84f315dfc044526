"""Whole files or none: every file newsbeam writes goes to a temporary name beside its target and
is renamed onto it, so a reader (or a re-run after a crash) never sees half a file."""

from __future__ import annotations

import uuid

from apache_beam.io.filesystems import FileSystems

TMP_PREFIX = ".tmp-"  # hidden, and never matched by the dataset's `*.parquet` globs


def temp_path(path: str, unique: bool = True) -> str:
    """Where `path` is written before the rename. Unique per attempt for data files (two retried
    bundles may overlap); a fixed name for files one process writes (a re-run overwrites its own
    leftover)."""
    directory, name = path.rsplit("/", 1)
    suffix = f"-{uuid.uuid4().hex}" if unique else ""
    return f"{directory}/{TMP_PREFIX}{name}{suffix}"


def write_atomically(path: str, data: bytes) -> None:
    tmp = temp_path(path, unique=False)
    try:
        with FileSystems.create(tmp) as fh:
            fh.write(data)
        FileSystems.rename([tmp], [path])
    except BaseException:
        if FileSystems.exists(tmp):
            FileSystems.delete([tmp])
        raise


def remove_leftovers(path: str) -> int:
    """Delete the temporary files an interrupted write of `path` left behind."""
    directory, name = path.rsplit("/", 1)
    found = [
        m.path for m in FileSystems.match([f"{directory}/{TMP_PREFIX}{name}*"])[0].metadata_list
    ]
    if found:
        FileSystems.delete(found)
    return len(found)
