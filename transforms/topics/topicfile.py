"""User topic files: TOML [[topic]] tables (name, keywords per language, Wikidata IDs, weight).

load_custom_topics() validates a file and raises TopicFileError("file:line: problem").
"""

from __future__ import annotations

import re
import tomllib
from typing import NamedTuple

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from transforms.topics.keywords import LANGUAGES, TopicFileError, check_term, normalise

MAX_CUSTOM_WEIGHT = 10.0


class CustomTopic(NamedTuple):
    code: str
    name: str
    weight: float
    keywords: dict[str, tuple[str, ...]]  # language (or "any") -> terms
    wikidata: tuple[str, ...]


_TOPIC_KEYS = {"name", "id", "weight", "keywords", "wikidata"}
_HEADER = re.compile(r"^\s*\[\[\s*topic\s*\]\]")


def _slug(name: str) -> str:
    folded = normalise(name).strip()
    return re.sub(r"\s+", "-", folded)


def load_custom_topics(path: str) -> list[CustomTopic]:
    """Read and validate a TOML file of [[topic]] tables; raise TopicFileError("file:line: ...")."""
    try:  # through Beam's filesystems: on a cluster the file is a gs:// or s3:// URI workers can read
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
            raw = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicFileError(f"{path}:0: cannot read topic file: {exc}") from None
    try:
        doc = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"line (\d+)", str(exc))
        line = at.group(1) if at else max(1, len(raw.splitlines()))  # "at end of document"
        raise TopicFileError(f"{path}:{line}: invalid TOML: {exc}") from None
    lines = raw.splitlines()
    headers = [i + 1 for i, line in enumerate(lines) if _HEADER.match(line)]
    extra = set(doc) - {"topic"}
    if extra:
        key = min(extra)
        raise TopicFileError(f"{path}:{_line_of(lines, 1, len(lines), key)}: unknown key {key!r}")
    entries = doc.get("topic")
    if not isinstance(entries, list) or not entries:
        raise TopicFileError(f"{path}:1: no [[topic]] tables found")
    result, seen = [], {}
    for index, entry in enumerate(entries):
        first = headers[index] if index < len(headers) else 1
        last = headers[index + 1] - 1 if index + 1 < len(headers) else len(lines)
        result.append(_custom_topic(path, lines, first, last, entry))
        code = result[-1].code
        if code in seen:
            raise TopicFileError(f"{path}:{first}: topic id {code!r} repeats line {seen[code]}")
        seen[code] = first
    return result


def _line_of(lines: list[str], first: int, last: int, key: str) -> int:
    pattern = re.compile(rf"^\s*(?:keywords\.)?{re.escape(key)}\s*[=.]|^\s*\[\s*topic\.{key}")
    for number in range(first, last + 1):
        if pattern.search(lines[number - 1]):
            return number
    return first


def _custom_topic(path: str, lines: list[str], first: int, last: int, entry: dict) -> CustomTopic:
    def fail(key: str | None, problem: str) -> TopicFileError:
        line = _line_of(lines, first, last, key) if key else first
        return TopicFileError(f"{path}:{line}: {problem}")

    unknown = set(entry) - _TOPIC_KEYS
    if unknown:
        key = min(unknown)
        raise fail(key, f"unknown key {key!r} (allowed: {', '.join(sorted(_TOPIC_KEYS))})")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", 'topic needs a non-empty name = "..."')
    slug = entry.get("id", _slug(name))
    if not isinstance(slug, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", slug):
        raise fail("id", f"id must be lower-case letters, digits, '-' or '_': {slug!r}")
    weight = entry.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise fail("weight", f"weight must be a number, got {weight!r}")
    if not 0 < weight <= MAX_CUSTOM_WEIGHT:
        raise fail("weight", f"weight must be in (0, {MAX_CUSTOM_WEIGHT:g}], got {weight}")
    keywords = entry.get("keywords", {})
    if not isinstance(keywords, dict):
        raise fail("keywords", 'keywords must be a table: keywords.en = ["..."]')
    checked = {}
    for lang, terms in keywords.items():
        if lang not in LANGUAGES and lang != "any":
            raise fail(lang, f"unknown language {lang!r} (use {', '.join(LANGUAGES)} or any)")
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise fail(lang, f"keywords.{lang} must be a list of strings")
        for term in terms:
            problem = check_term(term)
            if problem:
                raise fail(lang, f"keywords.{lang}: {problem}")
        checked[lang] = tuple(t.strip() for t in terms)
    wikidata = entry.get("wikidata", [])
    if not isinstance(wikidata, list) or not all(
        isinstance(q, str) and re.fullmatch(r"Q\d+", q) for q in wikidata
    ):
        raise fail("wikidata", 'wikidata must be a list of IDs like "Q148"')
    if not checked and not wikidata:
        raise fail(None, f"topic {name!r} has neither keywords nor wikidata IDs")
    return CustomTopic(f"custom:{slug}", name.strip(), float(weight), checked, tuple(wikidata))
