"""Country names for the gazetteer build (gazetteer_build.py): Natural Earth's names in 26
languages, CLDR's in it, en, fr, de, es (../shared) and in 14 more Latin-script languages (Babel's
copy of CLDR), and the formal forms and acronyms of countrynames' aliases.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

from transforms.entities.scripts import LATIN_LETTERS, other_script, without_cut_words


def words(text: str) -> list[str]:
    return text.split()


# Natural Earth name columns: all 26 languages (Han, kana and Hangul names match character by
# character, tokens.py).
NE_NAME_COLUMNS = words("""ADMIN NAME NAME_LONG FORMAL_EN NAME_ALT NAME_DE NAME_EN NAME_ES NAME_FR
NAME_IT NAME_EL NAME_HU NAME_NL NAME_PL NAME_PT NAME_RU NAME_SV NAME_TR NAME_UK NAME_AR
NAME_BN NAME_FA NAME_HE NAME_HI NAME_ID NAME_JA NAME_KO NAME_UR NAME_VI NAME_ZH NAME_ZHT""")
CLDR_LANGS = ("it", "en", "fr", "de", "es")
# CLDR's country names in the Latin-script languages Natural Earth has no column for (Croatian,
# Serbian, Czech, Slovak, Slovenian...: "Hrvatska", "Německo"), from Babel's copy of CLDR (the
# dev extra; BSD-3-Clause, CLDR under the Unicode licence).
BABEL_LANGS = words("hr sr_Latn bs cs sk sl ro da nb fi lt lv et ca")
# Country names in other languages that are words or other names in ours ("UK Indie Chart" is
# not India; Columbia University, Hellas Verona and Norra Djurgården are not in Colombia, Greece
# or Norway).
COUNTRY_STOP = {"Indie", "Columbia", "Hellas", "Norra", "Togas"}
ALIAS_ACRONYMS = {"USA", "UK", "U.K.", "U.S.", "U.S.A.", "UAE", "DRC", "RDC", "URSS", "USSR"}
STATE_WORDS = set(
    words("""Republic Repubblica République Republik República of di de del della des der the The
    Federation Federazione Fédération Federal Federale Kingdom Regno Royaume Königreich Reino
    Democratic Democratica Popular Popolare People's Islamic Islamica United Uniti Unis Vereinigte
    Unidos State States Stato Stati Socialist Sultanate Principality Grand Duchy Emirates Emirati
    Commonwealth d' d'America America""")
)
LATIN_RE = re.compile(f"^[{LATIN_LETTERS}'’.\\- ]+$")


def long_enough(name: str) -> bool:
    return len(name) >= 4 or (not LATIN_RE.match(name) and other_script(name))


def clean(name: str) -> str:
    return " ".join(name.replace("|", " ").replace("\t", " ").split())


def countries(shared: Path) -> tuple[list[tuple[str, list[str]]], dict[str, str]]:
    """[(qid, names)] in file order, and ISO2 -> QID."""
    by_iso: dict[str, str] = {}
    out: list[tuple[str, list[str]]] = []
    ne = shared / "gazetteer/naturalearth-countries/ne_10m_admin_0_countries_attributes.tsv"
    with ne.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qid = row["WIKIDATAID"].strip()
            if not qid.startswith("Q"):
                continue
            names = [clean(row.get(c, "")) for c in NE_NAME_COLUMNS]
            names = [n for n in names if long_enough(n)]
            names = [n for n in names if n not in COUNTRY_STOP]
            out.append((qid, names))
            for col in ("ISO_A2", "ISO_A2_EH"):
                iso = row[col].strip()
                if len(iso) == 2 and iso.isalpha() and iso not in by_iso:
                    by_iso[iso] = qid
    extra: dict[str, list[str]] = {}
    for lang in CLDR_LANGS:
        path = shared / f"gazetteer/cldr-country-names/country_{lang}.csv"
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["id"] in by_iso:
                    extra.setdefault(by_iso[row["id"]], []).append(clean(row["value"]))
    for iso, name in _babel_country_names():
        if iso in by_iso and long_enough(name) and name not in COUNTRY_STOP:
            extra.setdefault(by_iso[iso], []).append(name)
    aliases = yaml.safe_load(
        (shared / "gazetteer/countrynames-aliases/data.yaml").read_text(encoding="utf-8")
    )
    tokens_of = {qid: {t for n in names for t in n.split()} for qid, names in out}
    for iso, variants in (aliases or {}).items():
        qid = by_iso.get(str(iso))
        if not qid:
            continue
        known = tokens_of.get(qid, set())
        for v in variants or ():
            v = clean(str(v))
            # The alias list mixes demonyms, regions, empires and typos: keep acronyms we trust
            # and formal forms made of the country's own name plus state words only.
            words = set(v.split())
            if (
                v in ALIAS_ACRONYMS
                or (
                    " " in v
                    and LATIN_RE.match(v)
                    and known & words
                    and words <= known | STATE_WORDS
                )
                or other_script(v)
            ):
                extra.setdefault(qid, []).append(v)
    return [
        (qid, without_cut_words(_without_the(names + extra.get(qid, [])))) for qid, names in out
    ], by_iso


def _without_the(names: list[str]) -> list[str]:
    """Each name, and after it the same without "the" after "of", as news writes most of them:
    "Democratic Republic of Congo", "Republic of Congo"."""
    out = []
    for name in names:
        out.append(name)
        if " of the " in name:
            out.append(name.replace(" of the ", " of "))
    return out


def _babel_country_names() -> list[tuple[str, str]]:
    """(ISO2, name) in each of BABEL_LANGS, in that order."""
    from babel import Locale  # the dev extra: needed only to rebuild the gazetteer

    out = []
    for lang in BABEL_LANGS:
        territories = Locale.parse(lang).territories
        out += [(iso, clean(name)) for iso, name in sorted(territories.items()) if len(iso) == 2]
    return out
