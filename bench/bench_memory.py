"""Peak memory on huge inputs of near-identical items: `newsbeam run` on one RSS feed and on the same
items as JSON Lines, then the dedupe, stories and write steps alone, to say where the memory goes.

    python bench/bench_memory.py --n 10000 --n 50000 [--formats jsonl,rss] [--no-stages]

Items are one wire story retold N times: a template with a counter and a few varied words, the
same linked entities (Putin, Xi Jinping, Moscow, Beijing), every fifth one the previous item's text
under another URL, one in four undated. That is the worst case for the near-duplicate and story
buckets: every item lands in the same buckets as every other.

Every measurement runs in a fresh process; peak RSS is sampled (psutil, whole process tree) every
50 ms for the CLI runs and read from ru_maxrss for the stage runs. The stage runs load the items
(parsed, entities tagged) from a pickle, then run one step on FnApiRunner; "hold" runs the same
pipeline with an identity step, so a step's own cost is its peak minus hold's. "stories" gets the
items as the chain hands them over (near-duplicates marked by the dedupe); "stories-unmarked"
without the marks, so every undated item needs the shared-passage check: its worst case; "write"
is the Parquet writer (partition shuffle and files). A run
past --rss-cap-mb or --timeout is killed and reported as such (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENCIES = ("ANSA", "Reuters", "AP", "AFP", "Xinhua", "TASS", "AGI", "Adnkronos")
CITIES = ("Mosca", "Pechino", "Roma", "Ginevra", "Vienna", "Astana")
TOPICS = ("energia", "commercio", "sicurezza", "Ucraina", "gas", "grano", "finanza")
TEMPLATE = (
    "Il presidente russo Vladimir Putin e il presidente cinese Xi Jinping si sono sentiti al "
    "telefono per la {n}a volta quest'anno, ha riferito {agency} da {city}. Secondo il Cremlino il "
    "colloquio e' durato {minutes} minuti e ha toccato soprattutto il tema {topic}, oltre ai "
    "rapporti bilaterali tra Russia e Cina e alla situazione internazionale.\n\n"
    "Putin ha ringraziato Xi Jinping per la posizione equilibrata di Pechino e ha ribadito che "
    "Mosca considera la Cina un partner strategico. I due leader hanno concordato di mantenere "
    "contatti regolari e di preparare una visita ufficiale nei prossimi mesi, ha aggiunto il "
    "portavoce del Cremlino.\n\n"
    "Da Pechino il ministero degli Esteri ha confermato la telefonata e ha detto che le relazioni "
    "tra Cina e Russia sono al livello piu' alto della loro storia. Nessuna delle due parti ha "
    "fornito dettagli sugli accordi economici discussi durante la conversazione."
)
START = dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC)


def near_identical_items(n: int) -> list[dict]:
    """N items of one story: distinct URLs, a few varied words, every 5th a verbatim copy."""
    items: list[dict] = []
    for i in range(n):
        if i % 5 == 4:
            text = items[-1]["text"]  # the same text again under another URL
        else:
            text = TEMPLATE.format(
                n=i,
                agency=AGENCIES[i % len(AGENCIES)],
                city=CITIES[(i // 3) % len(CITIES)],
                minutes=20 + i % 70,
                topic=TOPICS[(i // 7) % len(TOPICS)],
            )
        item = {
            "id": f"wire-{i}",
            "url": f"https://wire{i % 13}.example/news/{i}",
            "title": f"Putin e Xi Jinping al telefono ({i})",
            "text": text,
            "author": f"Redazione {i % 11}",
        }
        if i % 4 != 3:  # one in four undated: story grouping then needs the text evidence
            item["published"] = (START + dt.timedelta(seconds=7 * i)).isoformat()
        items.append(item)
    return items


def write_jsonl(items: list[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path


def write_rss(items: list[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n')
        fh.write(
            "<title>Wire</title><link>https://wire.example/</link><description>x</description>\n"
        )
        for item in items:
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item["text"].split("\n\n"))
            date = item.get("published")
            fh.write(
                f"<item><title>{escape(item['title'])}</title><link>{escape(item['url'])}</link>"
                f"<guid>{item['id']}</guid><author>{escape(item['author'])}</author>"
                + (
                    f"<pubDate>{format_datetime(dt.datetime.fromisoformat(date))}</pubDate>"
                    if date
                    else ""
                )
                + f"<description><![CDATA[{paragraphs}]]></description></item>\n"
            )
        fh.write("</channel></rss>\n")
    return path


# ---- measured runs ------------------------------------------------------------------------------


def _tree_rss(proc) -> int:
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a child that just ended
            pass
    return total


def watch(cmd: list[str], timeout: float, rss_cap_mb: int) -> dict:
    """Run `cmd` from the repository root, sampling the RSS of its whole process tree every 50 ms;
    kill it past `timeout` seconds or `rss_cap_mb` (the machine is shared)."""
    import psutil

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        watched, peak, stopped = psutil.Process(proc.pid), 0, None
        while proc.poll() is None:
            try:
                peak = max(peak, _tree_rss(watched))
                if time.perf_counter() - started > timeout:
                    stopped = "timeout"
                elif peak > rss_cap_mb * 2**20:
                    stopped = "rss-cap"
                if stopped:
                    for child in watched.children(recursive=True):
                        child.kill()
                    proc.kill()
            except psutil.Error:  # it ended between poll() and the sample
                pass
            time.sleep(0.05)
        proc.wait()
        out.seek(0)
        err.seek(0)
        return {
            "exit": stopped or proc.returncode,
            "wall_s": round(time.perf_counter() - started, 1),
            "peak_rss_mb": round(peak / 2**20),
            "stdout": out.read(),
            "stderr": err.read(),
        }


def run_cli(path: Path, out: Path, timeout: float, rss_cap_mb: int) -> dict:
    """`newsbeam run` on one file: wall time, peak tree RSS, the run's summary."""
    cmd = [sys.executable, "-m", "pipeline", "run", "--input", str(path), "--output", str(out)]
    r = watch(cmd, timeout, rss_cap_mb)
    summary_path = out / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    r["summary"] = {
        k: summary.get(k)
        for k in ("items_read", "written", "dropped_duplicates", "dead_lettered", "balanced")
    }
    return r


def _child(argv: list[str]) -> dict:
    """Run one stage measurement in this (fresh) process; argv = [stage, input, pickle]."""
    stage, source, pickled = argv
    if stage == "prep":
        return _prep(Path(source), Path(pickled))
    if stage == "parse":
        return _parse_only(Path(source))
    return _beam_stage(stage, Path(pickled))


def _parse_only(path: Path) -> dict:
    from transforms.core.records import Article, RawDocument
    from transforms.parse.step import parse_document

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    doc = RawDocument(str(path), path.read_bytes(), time.time_ns() // 1000)
    articles = sum(isinstance(x, Article) for x in parse_document(doc))
    return {"articles": articles, "seconds": time.perf_counter() - t, "start_rss_kb": before}


def _prep(path: Path, pickled: Path) -> dict:
    """Parse the JSON Lines and tag entities once, so the stage runs start from enriched items:
    `pickled` as parsed, `pickled`.marked after the dedupe (what stories get in the chain)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.core.failures import ARTICLES
    from transforms.core.records import Article, RawDocument
    from transforms.dedupe import Deduplicate
    from transforms.entities.gazetteer import load_gazetteer
    from transforms.entities.tag import tag_entities
    from transforms.parse.step import parse_document

    gazetteer = load_gazetteer()
    doc = RawDocument(str(path), path.read_bytes(), time.time_ns() // 1000)
    articles = [a for a in parse_document(doc) if isinstance(a, Article)]
    articles = [
        a._replace(language="it", entities=tag_entities(a.text, gazetteer)) for a in articles
    ]
    with pickled.open("wb") as fh:
        pickle.dump(articles, fh, protocol=pickle.HIGHEST_PROTOCOL)
    marks_path = Path(f"{pickled}.marks")
    with beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"])) as p:
        loaded = p | "Path" >> beam.Create([str(pickled)]) | "Load" >> beam.FlatMap(_load)
        _ = (
            (loaded | "Deduplicate" >> Deduplicate())[ARTICLES]
            | "Marks" >> beam.Map(lambda a: (a.article_id, a.duplicate_of, a.similarity))
            | "All" >> beam.combiners.ToList()
            | "Save" >> beam.Map(lambda marks: marks_path.write_text(json.dumps(marks)))
        )
    marks = {aid: (dup, sim) for aid, dup, sim in json.loads(marks_path.read_text())}
    marked = [
        a._replace(duplicate_of=marks[a.article_id][0], similarity=marks[a.article_id][1])
        for a in articles
        if a.article_id in marks
    ]
    with Path(f"{pickled}.marked").open("wb") as fh:
        pickle.dump(marked, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {"articles": len(marked), "near_duplicates": sum(bool(a.duplicate_of) for a in marked)}


STAGES = ("dedupe", "stories", "stories-unmarked", "write")


def _load(pickled: str):
    with open(pickled, "rb") as fh:
        yield from pickle.load(fh)


def _beam_stage(stage: str, pickled: Path) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from transforms.core.failures import ARTICLES
    from transforms.dedupe import Deduplicate
    from transforms.stories import GroupStories

    t = time.perf_counter()
    if stage == "stories":
        pickled = Path(f"{pickled}.marked")  # after the dedupe, as in the chain
    with beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"])) as p:
        articles = p | "Path" >> beam.Create([str(pickled)]) | "Load" >> beam.FlatMap(_load)
        if stage == "hold":
            out = articles | "Identity" >> beam.Map(lambda a: a)
        elif stage == "dedupe":
            out = (articles | "Deduplicate" >> Deduplicate())[ARTICLES]
        elif stage in ("stories", "stories-unmarked"):
            out = (articles | "GroupStories" >> GroupStories())[ARTICLES]
        elif stage == "write":
            out = _write(articles, pickled.parent / "out-write")
        else:
            raise SystemExit(f"unknown stage {stage}")
        _ = out | "Count" >> beam.combiners.Count.Globally() | beam.Map(print)
    return {"seconds": time.perf_counter() - t}


def _write(articles, out: Path):
    import apache_beam as beam

    from transforms.write import WRITTEN, WriteArticles
    from transforms.write.naming import BatchFiles

    written = articles | "Write" >> WriteArticles(str(out), BatchFiles("bench"))
    return written[WRITTEN] | "Rows" >> beam.FlatMap(lambda w: [w.path] * w.rows)


def run_child(stage: str, source: Path, pickled: Path, timeout: float, rss_cap_mb: int) -> dict:
    cmd = [sys.executable, __file__, "--child", stage, str(source), str(pickled)]
    r = watch(cmd, timeout, rss_cap_mb)
    lines = [ln for ln in r["stdout"].splitlines() if ln.startswith("REPORT ")]
    if r["exit"] != 0 or not lines:
        return {"error": f"exit {r['exit']} at {r['peak_rss_mb']} MB: {r['stderr'][-1500:]}"}
    return json.loads(lines[-1][len("REPORT ") :])


def measure(n: int, formats: list[str], stages: list[str], timeout: float, rss_cap_mb: int) -> None:
    items = near_identical_items(n)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        folder = Path(tmp)
        files = {
            "jsonl": write_jsonl(items, folder / "wire.jsonl"),
            "rss": write_rss(items, folder / "wire.rss"),
        }
        del items
        for fmt in formats:
            path = files[fmt]
            r = run_cli(path, folder / f"out-{fmt}", timeout, rss_cap_mb)
            s = r["summary"]
            rate = n / r["wall_s"] if r["exit"] == 0 else 0.0
            print(
                f"run  n={n:<6} {fmt:5} {path.stat().st_size / 2**20:6.1f} MB  exit={r['exit']}  "
                f"wall {r['wall_s']:7.1f} s  {rate:6.1f} docs/s  peak RSS {r['peak_rss_mb']:6d} MB"
                f"  read={s['items_read']} written={s['written']} "
                f"dropped={s['dropped_duplicates']} dead={s['dead_lettered']} "
                f"balanced={s['balanced']}",
                flush=True,
            )
            if r["exit"] != 0:
                print(r["stderr"][-1500:], flush=True)
        if not stages:
            return
        pickled = folder / "articles.pickle"
        prep = run_child("prep", files["jsonl"], pickled, timeout, rss_cap_mb)
        if "error" in prep:
            print(f"prep failed: {prep['error']}", flush=True)
            return
        for fmt in formats:
            r = run_child("parse", files[fmt], pickled, timeout, rss_cap_mb)
            _print_stage(n, f"parse:{fmt}", r)
        hold = run_child("hold", files["jsonl"], pickled, timeout, rss_cap_mb)
        _print_stage(n, "hold", hold)
        print(f"prep  n={n:<6} {prep}", flush=True)
        for stage in stages:
            r = run_child(stage, files["jsonl"], pickled, timeout, rss_cap_mb)
            _print_stage(n, stage, r, hold)


def _print_stage(n: int, stage: str, r: dict, base: dict | None = None) -> None:
    if "error" in r:
        print(f"stage n={n:<6} {stage:12} failed: {r['error']}", flush=True)
        return
    extra = ""
    if base and "peak_rss_mb" in base:
        extra = f"  (+{r['peak_rss_mb'] - base['peak_rss_mb']:5d} MB over hold)"
    if "start_rss_kb" in r:
        extra = f"  (+{r['peak_rss_mb'] - r['start_rss_kb'] // 1024:5d} MB over start)"
    print(
        f"stage n={n:<6} {stage:12} {r['seconds']:7.1f} s  peak RSS {r['peak_rss_mb']:6d} MB{extra}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="items; repeat for several sizes")
    ap.add_argument("--formats", default="jsonl,rss", help="comma-separated: jsonl, rss")
    ap.add_argument("--no-stages", action="store_true", help="only the end-to-end runs")
    ap.add_argument("--stages", default=",".join(STAGES), help="comma-separated steps run alone")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per end-to-end run")
    ap.add_argument("--rss-cap-mb", type=int, default=8_000, help="kill a run above this")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        report = _child(args.child)
        report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print("REPORT " + json.dumps(report))
        return
    for n in args.n or [10_000]:
        stages = [] if args.no_stages else args.stages.split(",")
        measure(n, args.formats.split(","), stages, args.timeout, args.rss_cap_mb)


if __name__ == "__main__":
    main()
