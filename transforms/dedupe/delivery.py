"""What the batch dedupe decides over while the articles wait in spill chunks: one small
Delivery per item (the fields resolve_versions and node_key read, and the text's signature), and
how a decision is applied to the spilled article when it is read back."""

from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam

from transforms.core.records import Article
from transforms.dedupe.fingerprint import MinHashParams, hasher_for, signature_to_bytes
from transforms.dedupe.rules import article_identity, hash_of

# A decision per ref, for the rows that are not plain version 1: None drops a re-delivery, an int
# is the version of an update, a str the error that dead-letters the row (its identity group
# could not be resolved).
Decision = int | str | None
FIRST_VERSION = 1


class Delivery(NamedTuple):
    """One delivered item, as resolve_versions() and node_key() read it (duck-typed like an
    Article), with its spill ref and its text's MinHash signature (b"" for a text without
    words)."""

    identity: str
    article_id: str
    source_uri: str
    ingested_at: int
    published_at: int | None
    modified_at: int | None
    content_hash: str
    signature: bytes
    version: int = FIRST_VERSION
    ref: bytes = b""


def delivery_of(a: Article, params: MinHashParams) -> Delivery:
    """The small record of one article; raises on a text that cannot be hashed."""
    hasher = hasher_for(params)  # permutations built once per process
    hashes = hasher.shingle_hashes(a.text or "")
    signature = signature_to_bytes(hasher.signature_of(hashes)) if len(hashes) else b""
    return Delivery(
        identity=article_identity(a),
        article_id=a.article_id,
        source_uri=a.source_uri,
        ingested_at=a.ingested_at,
        published_at=a.published_at,
        modified_at=a.modified_at,
        content_hash=hash_of(a),
        signature=signature,
    )


beam.coders.registry.register_coder(Delivery, beam.coders.RowCoder)
