"""An Article as bytes for the run's own transient copies: the spill chunks and the writer's
packed rows. Written and read by the same code in the same run, never kept past it, never state.

Why not the records' RowCoder: with `from __future__ import annotations` Beam sees every field as
"any" and pickles each one, and those copies cost ~160 µs per enriched article (encode + decode;
~31 entities). marshal of plain tuples costs ~40 µs and loses nothing: it refuses every type it
would not bring back exactly, and such an article is pickled whole instead: only str, int, float,
bool, None and bytes, in tuples and lists, take the marshal form (marshal itself would write a
numpy float as its buffer's bytes). compress() uses zstd (level 1) where pyarrow has it: on spill chunks a quarter of
zlib-1's time for a smaller result (bench/bench_packing.py measures both).
"""

from __future__ import annotations

import marshal
import pickle
import zlib

import pyarrow as pa

from transforms.core.memory import use_system_allocator_for_arrow
from transforms.core.records import Article, Entity, LanguageShare, Topic, TopicEvidence

# Every spill and the writer allocate here through Arrow: on malloc, where the trims reach.
use_system_allocator_for_arrow(pa)

_MARSHAL, _PICKLE = b"M", b"P"
_ZSTD, _ZLIB = b"Z", b"D"
_FIELDS = Article._fields
_NESTED = (
    (_FIELDS.index("languages"), LanguageShare),
    (_FIELDS.index("entities"), Entity),
    (_FIELDS.index("topics"), Topic),
)
_EVIDENCE = _FIELDS.index("topic_evidence")
_ZSTD_CODEC = pa.Codec("zstd", 1) if pa.Codec.is_available("zstd") else None
_LEAVES = frozenset({str, int, float, bool, type(None), bytes})


class _Refused(Exception):
    """The article holds a value the marshal form cannot bring back as it was."""


def _check(values) -> None:
    for v in values:
        kind = type(v)
        if kind is tuple or kind is list:
            _check(v)
        elif kind not in _LEAVES:
            raise _Refused


def _plain(records, cls) -> tuple:
    if type(records) is not tuple or any(type(r) is not cls for r in records):
        raise _Refused
    return tuple(map(tuple, records))


def _plain_fields(a: Article) -> tuple:
    if type(a) is not Article:
        raise _Refused
    fields = list(a)
    for index, cls in _NESTED:
        fields[index] = _plain(fields[index], cls)
    if a.topic_evidence is not None:
        fields[_EVIDENCE] = _plain(a.topic_evidence, TopicEvidence)
    _check(fields)
    return tuple(fields)


def pack(a: Article) -> bytes:
    """The article's bytes; unpack() gives back an equal Article with the same field types."""
    try:
        return _MARSHAL + marshal.dumps(_plain_fields(a))
    except (_Refused, RecursionError):
        return _PICKLE + pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> Article:
    if packed[:1] == _PICKLE:
        return pickle.loads(packed[1:])
    fields = list(marshal.loads(packed[1:]))
    for index, cls in _NESTED:
        fields[index] = tuple(map(cls._make, fields[index]))
    if fields[_EVIDENCE] is not None:
        fields[_EVIDENCE] = tuple(map(TopicEvidence._make, fields[_EVIDENCE]))
    return Article._make(fields)


def compress(data: bytes) -> bytes:
    """zstd-1 where pyarrow has it, else zlib-1; decompress() reads either."""
    if _ZSTD_CODEC is None:
        return _ZLIB + zlib.compress(data, 1)
    body = _ZSTD_CODEC.compress(data, asbytes=True)
    return _ZSTD + len(data).to_bytes(8, "big") + body


def decompress(data: bytes) -> bytes:
    if data[:1] == _ZLIB:
        return zlib.decompress(data[1:])
    size = int.from_bytes(data[1:9], "big")
    return (_ZSTD_CODEC or pa.Codec("zstd", 1)).decompress(
        data[9:], decompressed_size=size, asbytes=True
    )
