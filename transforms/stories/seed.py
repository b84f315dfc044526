"""The streaming story grouping's restart seed: what OUT/articles already holds, as the state it
would have built — blocking buckets of recent articles, and the stories of more than one article —
so a stream restarted (or the local runner's next epoch) still joins new articles to them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from transforms.dedupe import BUCKET_WINDOW
from transforms.stories.rules import (
    blocking_keys,
    bucket_name,
    event_time,
    is_undated_bucket,
    profile_from,
    text_signature,
)
from transforms.stories.state import Assigned, StoryForest, member_of
from transforms.write import ReadSeed, read_rows

_COLUMNS = (
    "article_id",
    "story_id",
    "content_hash",
    "published_at",
    "published_at_source",
    "ingested_at",
    "entities",
)
_TEXTS: dict[str, bytes] = {}  # content_hash -> text signature: a pure function's memo per process


def story_entries(rows: Iterable[dict], texts: dict[str, bytes]) -> Iterator[tuple]:
    """Dataset rows -> ("bucket:"+name, tuple of StoryMembers) and ("forest", StoryForest)."""
    rows = sorted(rows, key=lambda r: (r.get("ingested_at") or 0, r["article_id"]))
    sizes = Counter(r["story_id"] for r in {r["article_id"]: r for r in rows}.values())
    assigned = {
        r["article_id"]: Assigned(r["article_id"], r["story_id"], r.get("ingested_at") or 0)
        for r in rows
        if r.get("story_id") and sizes[r["story_id"]] > 1
    }
    yield "forest", StoryForest(tuple(sorted(assigned.values())), ())
    buckets: dict[str, list] = {}
    for r in rows:
        time = event_time(r.get("published_at"), r.get("published_at_source"))
        profile = profile_from(r["article_id"], time, (e["id"] for e in r.get("entities") or ()))
        for key in blocking_keys(profile):
            name = bucket_name(key)
            text = texts.get(r["content_hash"]) if is_undated_bucket(name) else None
            buckets.setdefault(name, []).append(member_of(profile, text))
    for name, members in buckets.items():
        yield f"bucket:{name}", tuple(members[-BUCKET_WINDOW:])


def read_story_rows(output: str, since_us: int) -> tuple[list[dict], dict[str, bytes]]:
    """Recent rows with what story grouping needs, and the text signatures of those that can sit
    in an undated bucket (texts are read and hashed once per process)."""
    rows = read_rows(output, since_us, _COLUMNS)
    linked = {
        r["content_hash"]
        for r in rows
        if len({e["id"] for e in r["entities"] or () if e["id"]}) > 1
    }
    missing = linked - _TEXTS.keys()
    if missing:
        for r in read_rows(output, since_us, ("content_hash", "text"), hashes=missing):
            _TEXTS[r["content_hash"]] = text_signature(r["text"] or "")
    for h in [h for h in _TEXTS if h not in linked]:
        del _TEXTS[h]  # past the horizon: the memo stays as small as the seed
    return rows, {h: _TEXTS[h] for h in linked if h in _TEXTS}


def dataset_entries(output: str, since_us: int) -> Iterator[tuple]:
    return story_entries(*read_story_rows(output, since_us))


class StoryIndex(ReadSeed):
    """PBegin -> (key, value) pairs of the stories OUT/articles already holds, for
    GroupStoriesStream."""

    def __init__(self, output: str, since_us: int):
        super().__init__(output, since_us, dataset_entries)
