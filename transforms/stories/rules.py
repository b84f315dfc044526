"""When two articles report the same event, as pure functions the batch and the streaming shell
share: linked entities meet across languages, time proximity keeps apart different events with the
same actors, and shared verbatim passages decide when a date is unknown."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from transforms.core.records import Article
from transforms.core.times import DAY_US
from transforms.dedupe import (
    BUCKET_WINDOW,
    MinHashParams,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)

HORIZON_US = 3 * DAY_US  # reports of one event appear within days; the same actors recur for years
TOP_ENTITIES = 4  # most-mentioned linked entities that block candidates (pairs of them: <= 6 keys)
MIN_SHARED = 2  # one shared entity (a country, a president) is not an event
MIN_ENTITY_COSINE = 0.5
# Without a date, entities cannot tell Tuesday's call from last year's: demand shared passages.
# On the seeds, word-4-shingle Jaccard is 0.038 between two translations of one AP report and
# <= 0.007 between reports of different Xi-Putin calls; 512 permutations keep the estimate's
# standard error (0.004 at J=0.007) well below that gap, where 128 could not.
MIN_TEXT_JACCARD = 0.02
TEXT_PARAMS = MinHashParams(shingle=4, num_perm=512, threshold=MIN_TEXT_JACCARD, seed=7)
UNDATED_SLOT = -1  # the blocking key's time slot for comparisons with an undated article
# A date from the page, feed or input is an event time; an ingestion-time fallback is not.
_UNDATED_SOURCES = frozenset({"none"})


# What a candidate pair needs: a decision now, or the text evidence of VerifyPairs.
SAME, DIFFERENT, NEEDS_TEXT = "same", "different", "needs_text"
EDGES, TEXT_PAIRS = "edges", "text_pairs"


class StoryProfile(NamedTuple):
    """What story grouping needs of an article in a bucket: small, so buckets stay cheap."""

    article_id: str
    time: int | None  # µs; None when the article has no known publication date
    entities: tuple  # ((qid, mentions), ...) most-mentioned first


def story_time(a: Article) -> int | None:
    return event_time(a.published_at, a.published_at_source)


def event_time(published_at: int | None, published_at_source: str | None) -> int | None:
    if published_at is None or published_at_source in _UNDATED_SOURCES:
        return None
    return published_at


def profile_of(a: Article) -> StoryProfile:
    return profile_from(a.article_id, story_time(a), (e.id for e in a.entities))


def profile_from(
    article_id: str, time: int | None, entity_ids: Iterable[str | None]
) -> StoryProfile:
    """A profile from an article's linked entity ids (mentions counted, most-mentioned first)."""
    counts = Counter(q for q in entity_ids if q)
    ranked = tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return StoryProfile(article_id, time, ranked)


def text_signature(text: str) -> bytes:
    return signature_to_bytes(hasher_for(TEXT_PARAMS).signature(text or ""))


def entity_cosine(a: dict, b: dict) -> float:
    dot = sum(n * b.get(q, 0) for q, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


def story_link(a: StoryProfile, b: StoryProfile) -> str:
    """SAME, DIFFERENT, or NEEDS_TEXT when the entities agree but a date is missing."""
    ea, eb = dict(a.entities), dict(b.entities)
    if len(ea.keys() & eb.keys()) < MIN_SHARED or entity_cosine(ea, eb) < MIN_ENTITY_COSINE:
        return DIFFERENT
    if a.time is None or b.time is None:
        return NEEDS_TEXT
    return SAME if abs(a.time - b.time) <= HORIZON_US else DIFFERENT


def shares_passages(text_a: bytes, text_b: bytes) -> bool:
    """Do two text signatures (from text_signature()) share enough verbatim passages?"""
    sa, sb = signature_from_bytes(text_a), signature_from_bytes(text_b)
    return jaccard_estimate(sa, sb) >= MIN_TEXT_JACCARD


def same_story(a: StoryProfile, b: StoryProfile, text_a: bytes, text_b: bytes) -> bool:
    """The whole rule on two articles (text signatures from text_signature())."""
    link = story_link(a, b)
    if link == NEEDS_TEXT:
        return shares_passages(text_a, text_b)
    return link == SAME


def blocking_keys(p: StoryProfile) -> Iterator[tuple]:
    """Buckets whose members may share a story: a pair of top entities, by time when known.

    A dated article goes to its HORIZON-wide time slot and the next, so any two dated articles
    within the horizon share a bucket; every article also goes to the undated bucket (-1) of the
    pair, where only pairs with an undated member are compared.
    """
    top = sorted(q for q, _ in p.entities[:TOP_ENTITIES])
    for pair in itertools.combinations(top, 2):
        yield (*pair, UNDATED_SLOT)
        if p.time is not None:
            slot = p.time // HORIZON_US
            yield (*pair, slot)
            yield (*pair, slot + 1)


def pair_link(key: tuple, a: StoryProfile, b: StoryProfile) -> str:
    """The link of two members of the bucket `key`: in a pair's undated bucket only pairs with an
    undated member are compared (two dated articles meet in their time slot)."""
    if a.article_id == b.article_id:
        return DIFFERENT
    if key[-1] == UNDATED_SLOT and a.time is not None and b.time is not None:
        return DIFFERENT
    return story_link(a, b)


def profile_line(p: StoryProfile) -> str:
    """A profile as one JSON string: what the batch shell's buckets hold, a sixth of the memory
    of a decoded profile (a bucket entry per entity pair and time slot, up to 18 per article)."""
    return json.dumps([p.article_id, p.time, p.entities], separators=(",", ":"))


def profile_from_line(line: str) -> StoryProfile:
    article_id, time, entities = json.loads(line)
    return StoryProfile(article_id, time, tuple((q, n) for q, n in entities))


def _in_order(members: Iterable[StoryProfile]) -> list[StoryProfile]:
    """A bucket's members in its one order: by article_id, then time (undated first)."""
    return sorted(set(members), key=lambda p: (p.article_id, p.time is not None, p.time or 0, p))


def bucket_links(key: tuple, members: Iterable[StoryProfile]) -> Iterator[tuple[str, tuple]]:
    """(EDGES, pair) decided here, or (TEXT_PAIRS, pair) that need shared passages to link."""
    ordered = _in_order(members)
    for i, b in enumerate(ordered):
        for a in ordered[max(0, i - BUCKET_WINDOW) : i]:
            link = pair_link(key, a, b)
            if link == SAME:
                yield EDGES, (a.article_id, b.article_id)
            elif link == NEEDS_TEXT:
                yield TEXT_PAIRS, (a.article_id, b.article_id)


def same_event_edges(key: tuple, members: Iterable[StoryProfile]) -> Iterator[tuple]:
    """The SAME pairs of bucket_links() that join what is not yet joined in this bucket: the same
    components from at most one edge per member, where a bucket of near-identical reports would
    give BUCKET_WINDOW each. Only a dated slot has SAME pairs (its members are all dated)."""
    if key[-1] == UNDATED_SLOT:
        return
    ordered = _in_order(members)
    parent: dict[str, str] = {}
    for i, b in enumerate(ordered):
        mine = b.article_id  # b's root here: b until it joins, then the root it joined
        for a in ordered[max(0, i - BUCKET_WINDOW) : i]:
            theirs = _root(parent, a.article_id)
            if theirs == mine:
                continue  # already joined here: the pair cannot change a component
            if pair_link(key, a, b) == SAME:
                parent[mine] = theirs
                mine = theirs
                yield a.article_id, b.article_id


def text_pairs(key: tuple, members: Iterable[StoryProfile], roots: dict) -> Iterator[tuple]:
    """The TEXT_PAIRS of bucket_links() whose articles are not already in one story by `roots`
    (article_id -> root): only those need the text check. Only an undated bucket has them."""
    for pairs in _unjoined_text_pairs(key, members, roots):
        yield from pairs


def text_votes(key: tuple, members: Iterable[StoryProfile], roots: dict) -> Iterator[tuple]:
    """(later article, earlier article) for the first pair of each article text_pairs() would
    give: a vote for the one partner checked first, so that reports which share passages need
    one check each, not one per pair of a dense bucket."""
    for pairs in _unjoined_text_pairs(key, members, roots, first_only=True):
        a, b = pairs[0]
        yield b, a


def _unjoined_text_pairs(
    key: tuple, members: Iterable[StoryProfile], roots: dict, first_only: bool = False
) -> Iterator[list[tuple]]:
    """Per later article of an undated bucket, its window pairs that need the text check and
    are not joined yet by `roots` (all of them, or the first)."""
    if key[-1] != UNDATED_SLOT:
        return
    ordered = _in_order(members)
    rooted = [roots.get(m.article_id, m.article_id) for m in ordered]
    if len(set(rooted)) < 2:
        return
    for i, b in enumerate(ordered):
        pairs = []
        for j in range(max(0, i - BUCKET_WINDOW), i):
            if rooted[j] != rooted[i] and pair_link(key, ordered[j], b) == NEEDS_TEXT:
                pairs.append((ordered[j].article_id, b.article_id))
                if first_only:
                    break
        if pairs:
            yield pairs


def _root(parent: dict, x: str) -> str:
    while parent.get(x, x) != x:
        parent[x] = parent.get(parent[x], parent[x])  # path halving keeps chains short
        x = parent[x]
    return x


def bucket_name(key: tuple) -> str:
    """A blocking key as a string: the shuffle and state key of the streaming shell."""
    return "|".join(map(str, key))


def is_undated_bucket(name: str) -> bool:
    return name.rsplit("|", 1)[-1] == str(UNDATED_SLOT)


def story_id(root_article_id: str) -> str:
    return hashlib.sha256(f"story:{root_article_id}".encode()).hexdigest()[:20]
