"""What the streaming dedupe keeps in Beam state, as schema'd records with RowCoders.

Explicit coders, never pickles: a pickle records the module path of its class, so moving a class
would break restoring the state of a running Dataflow job (`--update`); a RowCoder's bytes follow
the field list only. typing.Optional/Sequence because Beam infers row schemas from them.

Known gap: with `from __future__ import annotations` Beam reads the annotations as strings and
types every field "any": plain values are still written field by field, but a nested record
(Bucket's members, an Article in Waiting or RowPart) is pickled, module path and all.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence

import apache_beam as beam
from apache_beam.coders import RowCoder

from transforms.core.records import Article


class Known(NamedTuple):
    """What the dedupe remembers of one identity (canonical URL, else GUID)."""

    hashes: Sequence[str]  # content hashes delivered, newest last, at most MAX_HASHES
    version: int  # highest version written
    article_id: str


class Member(NamedTuple):
    """One article in an LSH bucket: what a newcomer is compared with."""

    article_id: str
    time: int  # published, else ingested, µs
    version: int
    signature: bytes

    @property
    def node(self) -> tuple:
        return (self.time, self.article_id, self.version)


class Bucket(NamedTuple):
    members: Sequence[Member]  # the latest BUCKET_WINDOW, oldest first


class Match(NamedTuple):
    article_id: str
    time: int
    version: int
    similarity: float

    @property
    def node(self) -> tuple:
        return (self.time, self.article_id, self.version)


class RowPart(NamedTuple):
    """One part of a row waiting to be marked: the article itself, or one band's answer."""

    article: Optional[Article]
    match: Optional[Match]  # a band's best match; None with article None: no match there


class ExactIn(NamedTuple):
    """What reaches an identity's key: an article, or the restart seed's memory of the identity."""

    article: Optional[Article]
    seeded: Optional[Known]


class BandIn(NamedTuple):
    """What reaches an LSH band's key: an article's member (and its row), or the seed's bucket."""

    row: Optional[str]
    member: Optional[Member]
    seeded: Optional[Bucket]


class Waiting(NamedTuple):
    """An element held until its key's seed is in (dedupe.seeding): its timestamp and payload."""

    at: int  # µs
    article: Optional[Article]
    row: Optional[str]
    member: Optional[Member]


for _record in (Known, Member, Bucket, Match, RowPart, ExactIn, BandIn, Waiting):
    beam.coders.registry.register_coder(_record, RowCoder)

KNOWN_CODER = RowCoder.from_type_hint(Known, None)
BUCKET_CODER = RowCoder.from_type_hint(Bucket, None)
ROW_PART_CODER = RowCoder.from_type_hint(RowPart, None)
WAITING_CODER = RowCoder.from_type_hint(Waiting, None)
