"""Dedupe: exact re-deliveries dropped, updates versioned, near-duplicates marked — a batch shell
and a streaming shell over the same rules, and the linear-cost pair/component machinery that
story grouping shares."""

from transforms.dedupe.batch import DROPPED, Deduplicate
from transforms.dedupe.components import (
    BUCKET_WINDOW,
    ConnectedComponents,
    MostShared,
    VerifyPairs,
    bucket_pairs,
    connected_roots,
)
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    hasher_for,
    jaccard_estimate,
    signature_from_bytes,
    signature_to_bytes,
)
from transforms.dedupe.rules import REDELIVERY
from transforms.dedupe.seed import SeedIndex
from transforms.dedupe.stream import AFTER_EXACT, DEFAULT_HORIZON_S, DeduplicateStream

__all__ = [
    "AFTER_EXACT",
    "BUCKET_WINDOW",
    "DEFAULT_HORIZON_S",
    "DEFAULT_PARAMS",
    "DROPPED",
    "REDELIVERY",
    "ConnectedComponents",
    "Deduplicate",
    "DeduplicateStream",
    "MinHashParams",
    "MostShared",
    "SeedIndex",
    "VerifyPairs",
    "bucket_pairs",
    "connected_roots",
    "hasher_for",
    "jaccard_estimate",
    "signature_from_bytes",
    "signature_to_bytes",
]
