"""Length-prefixed byte strings: many in one bytes object, for packed shuffle values (dedupe and
story buckets) and spill chunks alike."""

from __future__ import annotations


def frame(blob: bytes, width: int = 2) -> bytes:
    """`blob` after its length in `width` big-endian bytes."""
    return len(blob).to_bytes(width, "big") + blob


def unpack(packed: bytes, width: int = 2) -> list[bytes]:
    """The byte strings frame(…, width) packed, in the order they were added."""
    blobs, at = [], 0
    while at < len(packed):
        size = int.from_bytes(packed[at : at + width], "big")
        blobs.append(packed[at + width : at + width + size])
        at += width + size
    return blobs
