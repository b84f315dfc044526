"""Time every process's cyclic garbage collections: put this folder on PYTHONPATH and each Python
process started under it (the launcher, Beam's SDK workers, Dask's workers) keeps its own totals
in $GC_PROBE_DIR/gc-<pid>.txt (default: the system temp folder), rewritten as they grow:

    mkdir -p /tmp/gc && PYTHONPATH=bench/gc_probe GC_PROBE_DIR=/tmp/gc \\
        .venv/bin/python bench/bench_runners.py --n 10000 --runners dask-1 && cat /tmp/gc/gc-*

A line: the process's command, then CPU seconds in collections (all, and by generation) and
their counts. A file is rewritten once its total has grown by 0.1 s, so it may miss up to 0.1 s.
"""

import gc
import os
import sys
import tempfile
import time

_FOLDER = os.environ.get("GC_PROBE_DIR") or tempfile.gettempdir()
_STEP_S = 0.1
_state = {"started": 0.0, "by_gen": [0.0, 0.0, 0.0], "counts": [0, 0, 0], "written": 0.0}


def _write() -> None:
    total = sum(_state["by_gen"])
    by_gen = " ".join(f"{s:.2f}" for s in _state["by_gen"])
    line = f"{' '.join(sys.argv)[:70]} | gc {total:.2f} s (by generation {by_gen}) "
    line += f"counts {_state['counts']}\n"
    with open(os.path.join(_FOLDER, f"gc-{os.getpid()}.txt"), "w", encoding="utf-8") as out:
        out.write(line)
    _state["written"] = total


def _on_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _state["started"] = time.process_time()
        return
    generation = info["generation"]
    _state["by_gen"][generation] += time.process_time() - _state["started"]
    _state["counts"][generation] += 1
    if sum(_state["by_gen"]) - _state["written"] >= _STEP_S:
        _write()


gc.callbacks.append(_on_collection)
