"""A synthetic newsbeam dataset of any size, written as the pipeline writes it, for `newsbeam
report`: its golden test (small) and its benchmark (100k rows, bench/bench_report.py).

Rows are real Article records written with the one ARTICLE_SCHEMA into OUT/articles/date=…/lang=…/,
one file per partition; dead letters use the dead-letter writer's JSON; run counts and a stream
report sit in OUT/_runs/ as the runners leave them. Skewed like news: a few sources, languages,
entities and stories carry most articles. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from functools import cache
from pathlib import Path

import pyarrow.parquet as pq

from transforms.core.records import (
    SOURCE_HEALTH_SCHEMA,
    Article,
    Entity,
    Failure,
    Topic,
    articles_to_table,
)
from transforms.write.deadletter import failure_to_json

LANGS = ["en", "it", "de", "fr", "es", "pt", "nl", "pl", "ru", "ja", "zh", "ar", "und"]
TOP_TOPICS = [
    ("medtop:01000000", "arts, culture, entertainment and media"),
    ("medtop:02000000", "crime, law and justice"),
    ("medtop:04000000", "economy, business and finance"),
    ("medtop:11000000", "politics and government"),
    ("medtop:13000000", "science and technology"),
    ("medtop:15000000", "sport"),
    ("medtop:16000000", "conflict, war and peace"),
]
LABELS = ("PER", "ORG", "LOC")
DEAD = [("parse", "entry {} has neither title nor text"), ("parse", "not a parsable feed: {}"),
        ("read", "line over --max-input-bytes ({} bytes)"), ("write", "ArrowInvalid: {}")]  # fmt: skip
US = 1_000_000


@cache
def _weights(n: int, s: float) -> tuple[float, ...]:
    return tuple(1 / (i + 1) ** s for i in range(n))


def _zipf(rng: random.Random, n: int, s: float = 1.1) -> int:
    """An index in [0, n) with a Zipf-like skew: index 0 the most frequent."""
    return rng.choices(range(n), weights=_weights(n, s))[0]


def _article(rng: random.Random, i: int, start: dt.datetime, days: int, n_sources: int) -> Article:
    published = start + dt.timedelta(seconds=rng.randrange(days * 86400))
    src = _zipf(rng, n_sources)
    host = f"news{src}.example.com"
    lang = LANGS[_zipf(rng, len(LANGS))]
    linked = [_zipf(rng, 400) for _ in range(rng.randrange(0, 6))]
    entities = [Entity(f"Entity {q}", LABELS[q % 3], f"Q{1000 + q}", k * 10, k * 10 + 8)
                for k, q in enumerate(linked)]  # fmt: skip
    entities.append(Entity("Somebody", "PER", None, 100, 108))  # unlinked: never counted
    best = _zipf(rng, len(TOP_TOPICS) + 1)
    topics = [Topic(code, label, round(rng.uniform(0.1, 0.3), 3)) for code, label in TOP_TOPICS]
    if best < len(TOP_TOPICS):  # the rest have no evidence: every score 0
        topics.sort(key=lambda t: t.code != TOP_TOPICS[best][0])
        topics[0] = topics[0]._replace(score=0.9)
    else:
        topics = [t._replace(score=0.0) for t in topics]
    story = f"s{_zipf(rng, 300, 1.2):04d}" if rng.random() < 0.4 else f"u{i:07d}"  # 60% alone
    return Article(
        article_id=f"a{i:07d}", url=f"https://{host}/{i}", canonical_url=f"https://{host}/{i}",
        source_uri=f"https://{host}/feed.xml", source_name=None if src % 7 == 3 else f"News {src}",
        title=f"Title {i}", text=f"Text of article {i}. " * 8, summary=None, authors=(),
        published_at=int(published.timestamp() * US), published_at_source="feed",
        ingested_at=int((start + dt.timedelta(days=days)).timestamp() * US), language=lang,
        content_hash=f"{i:032x}", duplicate_of=f"a{i - 1:07d}" if i and rng.random() < 0.1 else None,
        story_id=story, entities=tuple(entities), topics=tuple(topics),
    )  # fmt: skip


def _write_articles(out: Path, articles: list[Article]) -> None:
    parts: dict[tuple[str, str], list[Article]] = {}
    for a in articles:
        day = dt.datetime.fromtimestamp(a.published_at / US, dt.UTC).date().isoformat()
        parts.setdefault((day, a.language), []).append(a)
    for (day, lang), rows in parts.items():
        folder = out / "articles" / f"date={day}" / f"lang={lang}"
        folder.mkdir(parents=True, exist_ok=True)
        rows.sort(key=lambda a: (a.published_at, a.article_id))
        pq.write_table(articles_to_table(rows), folder / "batch-synthetic-0000-of-0001.parquet")


def _write_failures(out: Path, rng: random.Random, n: int, start: dt.datetime, days: int) -> list:
    failures = []
    for i in range(n):
        stage, reason = DEAD[_zipf(rng, len(DEAD))]
        at = start + dt.timedelta(seconds=rng.randrange(days * 86400))
        failures.append(Failure(stage, f"file:///in/{i}.xml", reason.format(i % 50), "<raw/>",
                                int(at.timestamp() * US)))  # fmt: skip
    (out / "deadletter").mkdir(parents=True, exist_ok=True)
    lines = "".join(failure_to_json(f) + "\n" for f in failures)
    (out / "deadletter" / "batch-synthetic.jsonl").write_text(lines, encoding="utf-8")
    return failures


def _write_runs(out: Path, exact: int, feeds: dict[str, dict[str, int]]) -> None:
    runs = out / "_runs"
    runs.mkdir(parents=True, exist_ok=True)
    counts = {"dedupe.dropped.exact_redelivery": exact, "write.rows": 0}
    (runs / "batch-synthetic.counts.json").write_text(json.dumps(counts), encoding="utf-8")
    report = {"overall": {"dedupe.exact_redelivery": 2}, "per_feed": feeds}
    (runs / "stream-1790000000.json").write_text(json.dumps(report), encoding="utf-8")


def write_sources(out: Path, start: dt.datetime, rows: list[dict]) -> None:
    """OUT/sources/date=…/ rows (SOURCE_HEALTH_SCHEMA), e.g. for the report's health section."""
    import pyarrow as pa

    folder = out / "sources" / f"date={start.date().isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    full = [{"window_start": start, "fetch_failures": [], "median_fetch_ms": None,
             "last_success": None, **r} for r in rows]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(full, schema=SOURCE_HEALTH_SCHEMA), folder / "w.parquet")


def make_dataset(
    out: Path, n: int, *, days: int = 60, dead: int = 0, exact: int = 0, seed: int = 7,
    start: dt.datetime = dt.datetime(2026, 9, 1, tzinfo=dt.UTC), sources: int = 40,
) -> dict:  # fmt: skip
    """Write the dataset; returns what went in (articles, failures) for tests to check against."""
    rng = random.Random(seed)
    articles = [_article(rng, i, start, days, sources) for i in range(n)]
    _write_articles(out, articles)
    failures = _write_failures(out, rng, dead, start, days) if dead else []
    feeds = {"https://news0.example.com/feed.xml": {"fetched": 9, "not_modified": 3, "errors": 0,
             "new_items": 40, "redeliveries": 1},
             "https://down.example.org/rss": {"fetched": 0, "not_modified": 0, "errors": 12,
             "new_items": 0, "redeliveries": 0}}  # fmt: skip
    _write_runs(out, exact, feeds)
    return {"articles": articles, "failures": failures, "exact": exact, "feeds": feeds}
