"""The streaming dedupe's restart seed: what OUT/articles already holds, as the state it would have
built (identities with their content hashes, LSH buckets of originals), so a restarted stream adds
nothing twice and still finds the originals of its near-duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from transforms.core.identity import canonical_url, identity_key
from transforms.dedupe.components import BUCKET_WINDOW
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHashParams,
    band_keys,
    hasher_for,
    signature_from_bytes,
    signature_to_bytes,
)
from transforms.dedupe.rules import MAX_HASHES
from transforms.dedupe.state import Known, Member
from transforms.write import ReadSeed, read_rows

_COLUMNS = (
    "article_id",
    "url",
    "canonical_url",
    "feed_hash",
    "guid",
    "content_hash",
    "version",
    "duplicate_of",
    "ingested_at",
    "published_at",
)


def _link_identity(row: dict) -> str | None:
    """The canonical form of the row's link, as parse made it when the item came: a fetched page
    may have put its own canonical URL in canonical_url, but the item is known by its link."""
    return canonical_url(row.get("url")) or row.get("canonical_url")


def seed_entries(rows: Iterable[dict], bands: int = DEFAULT_PARAMS.bands) -> Iterator[tuple]:
    """Dataset rows -> ("id:"+identity, Known) and ("band:"+hex key, tuple of Members).

    A row's "signature" (MinHash bytes, optional) puts originals (rows without duplicate_of) into
    their LSH buckets, at most BUCKET_WINDOW per bucket, the latest kept.
    """
    known: dict[str, Known] = {}
    buckets: dict[bytes, list] = {}
    for r in sorted(rows, key=lambda r: r.get("ingested_at") or 0):
        key = identity_key(_link_identity(r), r.get("guid"), r["article_id"])
        k = known.get(key, Known((), 0, r["article_id"]))
        hashes = tuple(k.hashes)
        for h in (r.get("feed_hash"), r["content_hash"]):  # a fetched page: the feed's text too
            if h and h not in hashes:
                hashes += (h,)
        version = max(k.version, int(r["version"] or 1))
        known[key] = Known(hashes[-MAX_HASHES:], version, k.article_id)
        if r.get("signature") and not r.get("duplicate_of"):
            time = r.get("published_at") or r.get("ingested_at") or 0
            member = Member(r["article_id"], time, version, r["signature"])
            for band in band_keys(signature_from_bytes(r["signature"]), bands):
                buckets.setdefault(band, []).append(member)
    for key, k in known.items():
        yield f"id:{key}", k
    for band, members in buckets.items():
        yield f"band:{band.hex()}", tuple(members[-BUCKET_WINDOW:])


_SIGNATURES: dict[str, bytes] = {}  # content_hash -> MinHash: a pure function's memo per process


def read_seed_rows(
    output: str, since_us: int, params: MinHashParams = DEFAULT_PARAMS
) -> Iterator[dict]:
    """Rows of OUT/articles ingested since `since_us`, with the columns the dedupe needs and the
    MinHash signature of originals (texts are read and hashed once per process)."""
    rows = read_rows(output, since_us, _COLUMNS)
    missing = {r["content_hash"] for r in rows if not r["duplicate_of"]} - _SIGNATURES.keys()
    if missing:
        hasher = hasher_for(params)
        for r in read_rows(output, since_us, ("content_hash", "text"), hashes=missing):
            hashes = hasher.shingle_hashes(r["text"] or "")
            sig = signature_to_bytes(hasher.signature_of(hashes)) if len(hashes) else b""
            _SIGNATURES[r["content_hash"]] = sig
    current = {r["content_hash"] for r in rows}
    for h in [h for h in _SIGNATURES if h not in current]:
        del _SIGNATURES[h]  # past the horizon: the memo stays as small as the seed
    for row in rows:
        row["signature"] = _SIGNATURES.get(row["content_hash"], b"")
        yield row


def dataset_entries(output: str, since_us: int) -> Iterator[tuple]:
    return seed_entries(read_seed_rows(output, since_us))


class SeedIndex(ReadSeed):
    """PBegin -> (key, value) pairs of what OUT/articles already holds, for DeduplicateStream."""

    def __init__(self, output: str, since_us: int):
        super().__init__(output, since_us, dataset_entries)
