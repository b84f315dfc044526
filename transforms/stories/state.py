"""What the streaming story grouping keeps in Beam state, as schema'd records with RowCoders
(meant never to pickle: pickled bytes name module paths, and a moved class would break
`--update`). typing.Optional/Sequence because Beam infers row schemas from them. Known gap: see
transforms/dedupe/state.py (nested records such as a bucket's members are still pickled)."""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import apache_beam as beam
from apache_beam.coders import RowCoder

from transforms.core.records import Article
from transforms.stories.rules import StoryProfile


class EntityCount(NamedTuple):
    qid: str
    count: int


class StoryMember(NamedTuple):
    """An article in a blocking bucket: its profile, and its text signature in the undated bucket
    of a pair (where shared passages may have to decide)."""

    article_id: str
    time: Optional[int]  # µs; None when undated
    entities: Sequence[EntityCount]
    text: Optional[bytes]

    def profile(self) -> StoryProfile:
        return StoryProfile(
            self.article_id, self.time, tuple((e.qid, e.count) for e in self.entities)
        )


class StoryBucket(NamedTuple):
    members: Sequence[StoryMember]  # the latest BUCKET_WINDOW, oldest first


class StoryPart(NamedTuple):
    """What the resolver gathers for a window: an article, or one bucket's links for it."""

    article: Optional[Article]
    article_id: str
    links: Sequence[str]  # ids of earlier articles in one bucket that tell the same story
    at: int  # µs of event time: which window the part belongs to


class Assigned(NamedTuple):
    """An article of a multi-article story, kept so later articles can join its story."""

    article_id: str
    story_id: str
    touched: int  # µs of event time when it last joined or was joined


class Alias(NamedTuple):
    """A story that a later bridge merged into another: new joiners get the other's id."""

    story_id: str
    into: str
    touched: int


class StoryForest(NamedTuple):
    assigned: Sequence[Assigned]
    aliases: Sequence[Alias]


for _record in (EntityCount, StoryMember, StoryBucket, StoryPart, Assigned, Alias, StoryForest):
    beam.coders.registry.register_coder(_record, RowCoder)

BUCKET_CODER = RowCoder.from_type_hint(StoryBucket, None)
PART_CODER = RowCoder.from_type_hint(StoryPart, None)
FOREST_CODER = RowCoder.from_type_hint(StoryForest, None)


def member_of(profile: StoryProfile, text: bytes | None) -> StoryMember:
    entities = tuple(EntityCount(q, n) for q, n in profile.entities)
    return StoryMember(profile.article_id, profile.time, entities, text)
