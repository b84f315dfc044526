"""Ingestion state that is committed after the rows, never before: at-least-once ingestion.

What a stream's sources save as "already ingested" — the poller's validators and due times
(`poller/<host>.json`), the folder watch's markers (`watch/<hash>`) — lives under OUT/_stream/.
On the local runner each epoch writes it to a staging folder, `_stream/staged/<epoch>/`, and reads
only what earlier epochs committed. The epoch loop moves the staging folder into place once the
epoch's Parquet files are written; a run killed before that loses only the staging, which the next
start discards. So after a `kill -9` a feed is fetched again with the validators of the last
committed epoch (a 200, not a 304) and a watched file is read again: every item served before the
kill comes back, and the dedupe, seeded from the written dataset, drops what was already written.
(RUNNERS.md: "whatever an epoch loop saves as already seen must be saved only after that epoch's
rows are committed".) Other runners commit state and output per bundle themselves: no staging.
"""

from __future__ import annotations

import os
import shutil

STAGED = "staged"


def staging_dir(state_dir: str, epoch: str) -> str:
    if not state_dir.strip("/"):
        raise ValueError(f"no state folder to stage in: {state_dir!r}")
    return f"{state_dir.rstrip('/')}/{STAGED}/{epoch}"


def _is_local(path: str) -> bool:
    return "://" not in path


def commit_staged(state_dir: str, epoch: str) -> int:
    """Move every file of the epoch's staging folder to its place under `state_dir` (replacing
    the committed copy), then remove the folder. Returns how many files moved."""
    staged = staging_dir(state_dir, epoch)
    if not _is_local(staged):
        return _commit_remote(state_dir, staged)
    moved = 0
    for folder, _dirs, names in os.walk(staged):
        relative = os.path.relpath(folder, staged)
        target = os.path.normpath(os.path.join(state_dir, relative))
        os.makedirs(target, exist_ok=True)
        for name in names:
            if name.endswith(".tmp"):  # a snapshot cut short by the kill it survived: not state
                continue
            os.replace(os.path.join(folder, name), os.path.join(target, name))
            moved += 1
    shutil.rmtree(staged, ignore_errors=True)
    return moved


def _commit_remote(state_dir: str, staged: str) -> int:
    from apache_beam.io.filesystems import FileSystems

    matched = FileSystems.match([f"{staged}/**"])[0].metadata_list
    sources = [m.path for m in matched if not m.path.endswith(".tmp")]
    targets = [f"{state_dir.rstrip('/')}/{p[len(staged) + 1 :]}" for p in sources]
    if sources:
        FileSystems.rename(sources, targets)
    return len(sources)


def discard_staged(state_dir: str) -> None:
    """Drop what epochs that never committed (a killed run) staged: their rows may be missing."""
    staged = staging_dir(state_dir, "").rstrip("/")
    if _is_local(staged):
        shutil.rmtree(staged, ignore_errors=True)
        return
    from apache_beam.io.filesystems import FileSystems

    if FileSystems.exists(staged):
        FileSystems.delete([staged])
