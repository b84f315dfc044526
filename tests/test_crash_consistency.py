"""Crash consistency of a batch run: `kill -9` it at several points, run the same command again to
completion, and the output must equal a clean run's exactly: the same files (no temp file, no
extra or missing file), the same rows (ingested_at aside, no row twice), the same dead letters and
the same summary.

A batch run writes only in its last seconds, so most kill points are events seen in the output
(the first temp file, half of the Parquet files, the counts file); the others are delays taken as
a fraction of the clean run's duration, so they fall inside the run on any machine. No assertion
is about time. Some scenarios start from an empty output, some from a complete earlier run of
the same input (a re-run that crashed).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT
from tests.hypothesis_profiles import PROFILE_ENV

pytestmark = pytest.mark.slow

SHARDS = 2
RUN_LIMIT_S = 600  # a hang guard for one run, never a measure
_EN = (
    "The minister said on Monday that talks with the leaders of both countries would continue.",
    "Police closed several streets near the central station after the protest.",
    "Energy prices rose again this week, and the markets fell in the afternoon.",
    "The court will hear the case of the hospital workers in the spring.",
)
_IT = (
    "Il governo ha detto che la città resta chiusa fino a lunedì per le proteste.",
    "Il sindaco teme nuove manifestazioni davanti alla stazione centrale.",
    "I prezzi dell'energia sono saliti ancora e la borsa ha chiuso in calo.",
    "Il tribunale deciderà sul caso dei lavoratori dell'ospedale in primavera.",
)


def _article(rng: random.Random, uid: str) -> dict:
    sentences = rng.choice((_EN, _IT))
    body = " ".join(rng.sample(sentences, 3))
    day = rng.randrange(1, 6)  # five dates, two languages: ten partitions, two shards each
    return {
        "url": f"https://news.example.org/2025/03/{day:02d}/{uid}",
        "title": f"{sentences[0][:40]} ({uid})",
        "text": f"Report {uid}. {body}",
        "published": f"2025-03-{day:02d}T{rng.randrange(24):02d}:00:00Z",
    }


def write_corpus(folder: Path) -> int:
    """A few hundred articles over several files and partitions, with bad lines among them;
    returns the number of items."""
    rng = random.Random(1616)
    folder.mkdir(parents=True)
    items = 0
    for f in range(4):
        lines = [json.dumps(_article(rng, f"f{f}-{i}"), ensure_ascii=False) for i in range(40)]
        lines[7] = '{"url": "https://news.example.org/broken", "text": '  # a dead letter
        lines[30] = '{"title": "no text"}'
        (folder / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        items += len(lines)
    entries = "".join(
        f"<item><title>Feed item {i}</title><link>https://wire.example.org/{i}</link>"
        f"<description>{_article(rng, f'rss-{i}')['text']}</description>"
        f"<pubDate>Mon, 03 Mar 2025 {i % 24:02d}:00:00 GMT</pubDate></item>"
        for i in range(30)
    )
    (folder / "wire.rss").write_text(
        f'<rss version="2.0"><channel><title>Wire</title>{entries}</channel></rss>'
    )
    return items + 30


class Snapshot(NamedTuple):
    files: frozenset  # every file below the output, relative
    rows: dict  # parquet file -> its rows without ingested_at
    dead: list  # dead letters without their time
    summary: dict  # without wall time
    counts: dict


def snapshot(out: Path) -> Snapshot:
    files = frozenset(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    rows = {}
    for name in sorted(f for f in files if f.endswith(".parquet")):
        table = pq.read_table(out / name)
        rows[name] = table.drop_columns(["ingested_at"]).to_pylist()
    dead = []
    for name in sorted(f for f in files if f.startswith("deadletter/")):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record.pop("at", None)
            dead.append(record)
    summary = json.loads((out / "summary.json").read_text()) if "summary.json" in files else {}
    summary.pop("wall_seconds", None)
    counts = {
        name: json.loads((out / name).read_text()) for name in files if name.startswith("_runs/")
    }
    for record in counts.values():  # a manifest: its run's summary (wall time) and file sizes,
        record.get("summary", {}).pop("wall_seconds", None)  # which follow ingested_at
        for entry in record.get("files", ()):
            entry.pop("bytes", None)
    return Snapshot(files, rows, sorted(dead, key=json.dumps), summary, counts)


def differences(got: Snapshot, clean: Snapshot) -> list[str]:
    """What a crashed-then-finished output has that a clean run's has not, in words."""
    found = []
    temp = sorted(f for f in got.files if "/.tmp" in f or f.startswith(".tmp") or ".temp" in f)
    if temp:
        found.append(f"temp files left: {temp}")
    if got.files - clean.files:
        found.append(f"extra files: {sorted(got.files - clean.files)}")
    if clean.files - got.files:
        found.append(f"missing files: {sorted(clean.files - got.files)}")
    for name in sorted(set(got.rows) & set(clean.rows)):
        if got.rows[name] != clean.rows[name]:
            found.append(f"{name}: {len(got.rows[name])} rows, clean run {len(clean.rows[name])}")
    ids = [(r["article_id"], r["version"]) for rows in got.rows.values() for r in rows]
    if len(ids) != len(set(ids)):
        found.append(f"{len(ids) - len(set(ids))} rows written twice")
    if got.dead != clean.dead:
        found.append(f"{len(got.dead)} dead letters, clean run {len(clean.dead)}")
    if got.summary != clean.summary:
        keys = {k for k in got.summary.keys() | clean.summary.keys()
                if got.summary.get(k) != clean.summary.get(k)}  # fmt: skip
        found.append(f"summary differs in {sorted(keys)}: {[got.summary.get(k) for k in keys]}")
    if got.counts != clean.counts:
        names = sorted(n for n in got.counts.keys() | clean.counts.keys()
                       if got.counts.get(n) != clean.counts.get(n))  # fmt: skip
        found.append(f"run records differ: {names}: {[got.counts.get(n) for n in names]}")
    return found


def _command(folder: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "run", "--input", str(folder),
            "--output", str(out), "--shards-per-partition", str(SHARDS)]  # fmt: skip


def _start(folder: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        _command(folder, out), env=env, cwd=ROOT, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def run_to_completion(folder: Path, out: Path) -> str:
    proc = _start(folder, out)
    log, _ = proc.communicate(timeout=RUN_LIMIT_S)
    assert proc.returncode == 0, f"run failed ({proc.returncode}):\n{log[-3000:]}"
    return log


class KillPoint(NamedTuple):
    """When to kill: `after` seconds as a fraction of the clean run's duration, or the moment an
    event shows in the output; and whether the output already holds a complete earlier run."""

    name: str
    event: str | None = None  # first-temp-file | first-parquet | half-the-parquet | counts-file
    over_earlier_run: bool = False
    after: float | None = None  # fraction of the clean run's duration


def _written_since(out: Path, since: float) -> list[Path]:
    """Files this run wrote (or is writing): modified at or after it started."""
    if not out.exists():
        return []
    found = []
    for p in out.rglob("*"):
        try:
            if p.is_file() and p.stat().st_mtime >= since:
                found.append(p)
        except FileNotFoundError:  # a temp file renamed away while we looked
            continue
    return found


def _event_seen(event: str, files: list[Path], parquet_files: int) -> bool:
    parquet = [p for p in files if p.suffix == ".parquet" and not p.name.startswith(".")]
    if event == "first-temp-file":
        return any(p.name.startswith(".tmp") for p in files)
    if event == "first-parquet":
        return bool(parquet)
    if event == "half-the-parquet":
        return len(parquet) >= parquet_files // 2
    return any(p.parent.name == "_runs" for p in files)  # counts written, summary not yet


def kill_during_run(
    folder: Path, out: Path, point: KillPoint, duration: float, parquet: int
) -> str:
    """Start a run, SIGKILL its process group at `point`; returns what the output held then."""
    since = time.time() - 1  # mtimes are a file system's, not this clock's: a margin
    proc = _start(folder, out)
    started = time.monotonic()
    while proc.poll() is None:
        if point.after is not None and time.monotonic() - started >= point.after * duration:
            break
        if point.event and _event_seen(point.event, _written_since(out, since), parquet):
            break
        time.sleep(0.002)
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=RUN_LIMIT_S)
    files = _written_since(out, since)
    state = f"{len(files)} files of this run ({sum(p.suffix == '.parquet' for p in files)} parquet)"
    return f"{'finished before the kill' if finished else 'killed'} with {state}"


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    """The input and a clean run's output, kept aside; the duration picks the kill points."""
    base = tmp_path_factory.mktemp("crash")
    folder = base / "in"
    items = write_corpus(folder)
    out = base / "out"
    started = time.monotonic()
    run_to_completion(folder, out)
    duration = time.monotonic() - started
    kept = base / "clean"
    shutil.copytree(out, kept)
    shutil.rmtree(out)
    snap = snapshot(kept)
    assert snap.summary["items_read"] == items and snap.summary["balanced"], snap.summary
    assert len(snap.rows) > 2 * SHARDS and snap.dead, "the corpus must span files and failures"
    return folder, out, kept, snap, duration


# CI kills three times: before any output, while a file is being written, and half-way through
# the Parquet files over an earlier run's; NEWSBEAM_FUZZ_PROFILE=slow adds the others.
KILL_POINTS = [
    KillPoint("at-0.4-of-the-run-over-an-earlier-run", after=0.4, over_earlier_run=True),
    KillPoint("first-temp-file", event="first-temp-file"),
    KillPoint(
        "half-the-parquet-over-an-earlier-run", event="half-the-parquet", over_earlier_run=True
    ),
]
if os.environ.get(PROFILE_ENV) == "slow":
    KILL_POINTS += [
        KillPoint("at-0.15-of-the-run", after=0.15),
        KillPoint("at-0.8-of-the-run", after=0.8),
        KillPoint("first-parquet", event="first-parquet"),
        KillPoint("first-temp-file-over-an-earlier-run", "first-temp-file", True),
        KillPoint("counts-written-summary-not-yet", event="counts-file"),
    ]


@pytest.mark.parametrize("point", KILL_POINTS, ids=[p.name for p in KILL_POINTS])
def test_kill_9_then_rerun_gives_the_clean_dataset(clean_run, point):
    folder, out, kept, clean, duration = clean_run
    if out.exists():
        shutil.rmtree(out)
    if point.over_earlier_run:
        shutil.copytree(kept, out)
    at_kill = kill_during_run(folder, out, point, duration, len(clean.rows))
    run_to_completion(folder, out)
    found = differences(snapshot(out), clean)
    assert not found, f"after a kill ({at_kill}) and a re-run: " + "; ".join(found)
