"""People and organisations from Wikidata-derived lists, for the gazetteer (gazetteer_build.py).

python -m transforms.entities.wikidata_names --sources DIR   (rewrites data/wikidata_names.tsv.gz)
python -m transforms.entities.wikidata_names --leaders-repo REPO
    (rewrites data/wikidata_leaders.tsv.gz)
DIR holds the files transforms/PROVENANCE.md names, as they are in their repositories:
world-leaders-2021/wikidata.csv, everypolitician/<Country>/<Chamber>/ep-popolo-v1.0.json,
cabinets/<repository>/holders21.csv (transforms/PROVENANCE_cabinets.tsv lists them),
partyfacts/wikidata.csv and partyfacts/partyfacts-core-parties.csv. Only Wikidata IDs and names
are kept (CC0 facts), with a prominence figure per entity: where several entities share a name,
the name goes to the most prominent or to none (resolve()).

REPO is a clone of open-data-archive/world-leaders-current: every daily snapshot in its history
of the heads of state and government of the G20, ASEAN, the EU and the African Union, so that
the leaders of 2026 (Carney, Merz, Starmer) are known though the lists above end in 2022-2023.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import subprocess
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from transforms.entities.scripts import other_script
from transforms.entities.words import SURNAME_PARTICLES, WordLists, read_lists, write_gz

NAMES_FILE = "wikidata_names.tsv.gz"
LEADERS_FILE = "wikidata_leaders.tsv.gz"
# Languages whose labels are kept: newsbeam's first five and the Latin-script ones news in
# Europe most often names people in.
LANGS = ("it", "en", "fr", "de", "es", "pt", "nl", "pl")
HEAD_OF_STATE = 200.0  # above any Wikipedia edition count (the most linked legislator has 112)
# Legislators with an article in fewer Wikipedia editions are left out: their names are as often
# a namesake's ("Michael Johnson", one edition, is an Australian MP and a sprinter). Chosen on
# half A of the NER dev sets, where every link from 4 editions down was a namesake.
MIN_EDITIONS = 5
# Members of national governments count as legislators in this many Wikipedia editions.
MINISTER = 10.0
CABINET_FILE = "holders21.csv"
OFFICE_LISTS = read_lists("cabinet_offices.tsv")


def _phrases(words: frozenset[str]) -> re.Pattern[str]:
    """Any of the phrases, as whole words."""
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, words))) + r")\b")


CABINET_OFFICE = _phrases(OFFICE_LISTS["office"])
NOT_CABINET_OFFICE = _phrases(OFFICE_LISTS["not_office"])
# A name goes to the most prominent of the entities sharing it only if it is this much more
# prominent than the next; otherwise to none.
MARGIN = 2.0
_QID = re.compile(r"Q\d+")
_WIKIPEDIA = re.compile(r"https?://([a-z-]+)\.wikipedia\.org/")
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")


class Named(NamedTuple):
    qid: str
    label: str  # PER | ORG
    prominence: float
    source: str
    names: tuple[str, ...]


def _wikidata_id(rec: dict) -> str | None:
    for ident in rec.get("identifiers") or []:
        if ident.get("scheme") == "wikidata" and _QID.fullmatch(ident.get("identifier", "")):
            return ident["identifier"]
    qid = str(rec.get("wikidata", ""))
    return qid if _QID.fullmatch(qid) else None


def everypolitician(paths: list[Path]) -> list[Named]:
    """Legislators: EveryPolitician Popolo files (ep-popolo-v1.0.json, one per chamber), the
    Wikidata labels of their people in LANGS; prominence = the Wikipedia editions they have an
    article in (their links, over every chamber they sat in)."""
    labels: dict[str, dict[str, set[str]]] = {}
    editions: dict[str, set[str]] = {}
    for path in paths:
        for person in json.loads(path.read_text(encoding="utf-8")).get("persons", []):
            qid = _wikidata_id(person)
            if qid is None:
                continue
            mine = labels.setdefault(qid, {})
            for other in person.get("other_names") or []:
                if other.get("lang") in LANGS and other.get("name"):
                    mine.setdefault(other["lang"], set()).add(other["name"])
            for link in person.get("links") or []:
                wiki = _WIKIPEDIA.match(link.get("url", ""))
                if wiki:
                    editions.setdefault(qid, set()).add(wiki.group(1))
    out = []
    for qid in sorted(labels, key=lambda q: int(q[1:])):
        names = [n for lang in LANGS for n in sorted(labels[qid].get(lang, ()))]
        prominence = float(len(editions.get(qid, ())))
        if names and prominence >= MIN_EDITIONS:
            out.append(Named(qid, "PER", prominence, "everypolitician", tuple(names)))
    return out


def world_leaders(path: Path) -> list[Named]:
    """Heads of state and government in office during 2022 (a Wikidata query's output)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            qid = row["officeholder"].rsplit("/", 1)[-1]
            if _QID.fullmatch(qid) and row["officeholderLabel"]:
                names = (row["officeholderLabel"],)
                out.append(Named(qid, "PER", HEAD_OF_STATE, "world-leaders", names))
    return out


def current_leaders(snapshots: Iterable[str]) -> list[Named]:
    """Heads of state and government: world-leaders-current's data/countries/<c>/current.json,
    each version of it (JSON text); the holder's English and local names."""
    out = []
    for text in snapshots:
        for position in (json.loads(text).get("positions") or {}).values():
            holder = (position or {}).get("current_holder") or {}
            qid = holder.get("wikidata_id") or ""
            names = tuple(n for n in (holder.get("name_en"), holder.get("name_local")) if n)
            if _QID.fullmatch(qid) and names:
                out.append(Named(qid, "PER", HEAD_OF_STATE, "world-leaders-current", names))
    return out


def _snapshots(repo: Path) -> list[str]:
    """Every version of every data/countries/*/current.json in the clone's history, oldest
    first."""
    git = ["git", "-C", str(repo)]
    log = [*git, "log", "--reverse", "--format=", "--raw", "--no-abbrev", "--", "data/countries"]
    blobs = []
    for line in subprocess.run(log, capture_output=True, text=True, check=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[5].endswith("/current.json") and set(fields[3]) != {"0"}:
            blobs.append(fields[3])
    show = [*git, "cat-file", "blob"]
    return [
        subprocess.run([*show, b], capture_output=True, text=True, check=True).stdout
        for b in dict.fromkeys(blobs)
    ]


def cabinets(paths: list[Path]) -> list[Named]:
    """Members of national governments: every-politician-scrapers' per-country Wikidata query
    output (<repository>/CABINET_FILE), each person's English label. Only the offices of
    CABINET_OFFICE; a person whose English Wikipedia title needs a qualifier ("David Jones
    (Clwyd West MP)") is not the first bearer of the name, and is left out."""
    out = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                qid, name = row.get("personID") or "", (row.get("person") or "").strip()
                if not (_QID.fullmatch(qid) and name and _cabinet_office(row["position"])):
                    continue
                if "(" in (row.get("enwiki") or ""):
                    continue
                out.append(Named(qid, "PER", MINISTER, "cabinets", (name,)))
    return out


def _cabinet_office(position: str) -> bool:
    low = position.lower()
    return bool(CABINET_OFFICE.search(low)) and not NOT_CABINET_OFFICE.search(low)


def party_facts(wikidata_csv: Path, core_csv: Path) -> list[Named]:
    """Political parties: Party Facts' Wikidata links (wikidata.csv) with their native and
    English names that have a word of their own ("Kurdistan Democratic Party", not "Reform
    Party"); prominence = the last vote share (%) in its core list. Acronyms are left out: "AND",
    "CUP", "DNA", "GPS", "AFP" are parties somewhere and something else in news."""
    words = read_lists("party_words.tsv")
    with core_csv.open(encoding="utf-8", newline="") as fh:
        share = {row["partyfacts_id"]: float(row["share"] or 0) for row in csv.DictReader(fh)}
    out = []
    with wikidata_csv.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            names = [*(row["name_native"] or "").split(" / "), row["name"] or ""]
            names = [n.strip() for n in names if _own_name(n, words)]
            if names and _QID.fullmatch(row["wikidata_id"] or ""):
                prominence = share.get(row["partyfacts_id"], 0.0)
                out.append(Named(row["wikidata_id"], "ORG", prominence, "partyfacts", tuple(names)))
    return out


def _own_name(name: str, words: WordLists) -> bool:
    low = [w.lower() for w in name.split()]
    return (
        bool(low) and low[0] not in words["article"] and any(w not in words["generic"] for w in low)
    )


def plausible(name: str, label: str) -> bool:
    """A name the matcher can take whole: two to five words (six for an ORG), capitalised but
    for particles ("Ursula von der Leyen"); one word ("Livre", "ABC") is too often a word. A
    person's name in a script without capitals (scripts.other_script) is taken as written."""
    if label == "PER" and other_script(name) and not (name[0].isupper() or name[0].islower()):
        # a script without capitals: "习近平", "नरेन्द्र मोदी"; three letters at least, since two
        # Han characters match inside other words ("李强" in "李强调")
        return len(name.replace(" ", "")) >= 3
    words = name.split()
    wordlike = all(_WORD.match(w) or (label == "ORG" and w.isdigit()) for w in words)
    if not 2 <= len(words) <= (5 if label == "PER" else 6) or not wordlike:
        return False
    if label == "ORG":
        return words[0][0].isupper()
    return words[0][0].isupper() and all(w[0].isupper() or w in SURNAME_PARTICLES for w in words)


def resolve(rows: list[Named]) -> list[tuple[str, str, list[str]]]:
    """(qid, label, names): one entity per QID (names merged, highest prominence), every name
    given to one entity at most, the clearly most prominent of those sharing it."""
    by_qid: dict[str, Named] = {}
    for r in rows:
        old = by_qid.get(r.qid)
        if old is None:
            by_qid[r.qid] = r
        else:
            best = max(old.prominence, r.prominence)
            by_qid[r.qid] = old._replace(prominence=best, names=old.names + r.names)
    claims: dict[str, list[Named]] = {}
    for r in by_qid.values():
        for name in dict.fromkeys(r.names):
            if plausible(name, r.label):
                claims.setdefault(name.casefold(), []).append(r)
    owner: dict[str, str] = {}
    for key, rs in claims.items():
        rs.sort(key=lambda r: -r.prominence)
        if len(rs) == 1 or rs[0].prominence >= MARGIN * max(rs[1].prominence, 0.5):
            owner[key] = rs[0].qid
    out = []
    for r in sorted(by_qid.values(), key=lambda r: (-r.prominence, r.qid)):
        names = [n for n in dict.fromkeys(r.names) if owner.get(n.casefold()) == r.qid]
        if names:
            out.append((r.qid, r.label, names))
    return out


def read_names(path: str | None = None, name: str = NAMES_FILE) -> list[tuple[str, str, list[str]]]:
    """A bundled list (data/<name>, or the file at path): (qid, label, names), most prominent
    first."""
    source = path or str(resources.files("transforms.entities") / "data" / name)
    out = []
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                qid, label, names = line.rstrip("\n").split("\t")
                out.append((qid, label, names.split("|")))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path)
    ap.add_argument("--leaders-repo", type=Path, help="a clone of world-leaders-current")
    ap.add_argument("--out", default=None, type=Path)
    args = ap.parse_args(argv)
    if args.leaders_repo:
        _write(resolve(current_leaders(_snapshots(args.leaders_repo))), args.out, LEADERS_FILE)
        return
    if not args.sources:
        ap.error("--sources or --leaders-repo is required")
    src = args.sources
    rows = (
        world_leaders(src / "world-leaders-2021/wikidata.csv")
        + everypolitician(sorted((src / "everypolitician").rglob("ep-popolo-v1.0.json")))
        + cabinets(sorted((src / "cabinets").glob(f"*/{CABINET_FILE}")))
        + party_facts(
            src / "partyfacts/wikidata.csv", src / "partyfacts/partyfacts-core-parties.csv"
        )
    )
    _write(resolve(rows), args.out, NAMES_FILE)


def _write(entries: list[tuple[str, str, list[str]]], out: Path | None, name: str) -> None:
    out = out or Path(str(resources.files("transforms.entities") / "data" / name))
    lines = ["# qid\tlabel\tnames (most prominent entity first; see wikidata_names.py)"]
    lines += [f"{q}\t{lab}\t{'|'.join(names)}" for q, lab, names in entries]
    write_gz(out, "\n".join(lines) + "\n")
    people = sum(lab == "PER" for _, lab, _ in entries)
    print(f"{out}: {people} people, {len(entries) - people} organisations")


if __name__ == "__main__":
    main()
