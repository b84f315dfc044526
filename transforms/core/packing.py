"""An Article as bytes for the run's own transient copies: the spill chunks and the writer's
packed rows. Written and read by the same code in the same run, never kept past it, never state.

Why not the records' RowCoder: with `from __future__ import annotations` Beam sees every field as
"any" and pickles each one, and those copies cost ~160 µs per enriched article (encode + decode;
~31 entities). marshal of plain tuples costs ~40 µs and loses nothing: it refuses every type it
would not bring back exactly, and such an article is pickled whole instead: only str, int, float,
bool, None and bytes, in tuples and lists, take the marshal form (marshal itself would write a
numpy float as its buffer's bytes). compress() uses zstd (level 1), through `zstandard` (which
apache-beam requires) with one context per thread: on spill chunks a quarter of zlib-1's time for a
smaller result, and on one packed article (the writer's rows) 19 us, where pyarrow's codec, which
sets up a context per call, took 36 (bench/bench_packing.py measures them).
"""

from __future__ import annotations

import marshal
import pickle
import threading

import pyarrow as pa
import zstandard

from transforms.core.flatten import plain_fields, records
from transforms.core.memory import use_system_allocator_for_arrow
from transforms.core.records import Article, Entity, LanguageShare, Topic, TopicEvidence

# Every spill and the writer allocate here through Arrow: on malloc, where the trims reach.
use_system_allocator_for_arrow(pa)

_MARSHAL, _PICKLE = b"M", b"P"
# marshal's format 2, not the default 4: format 3 added back-references, so 3 and 4 look every
# object up in a table as they write it. An article's values are never shared, so that search
# finds nothing. On 300 enriched articles (bench_packing's), µs per article: dumps 8.1 against
# 12.4, loads 8.1 against 8.9; 11% more bytes before compression, 2% more after.
_MARSHAL_VERSION = 2
_ZSTD = b"Z"
_FIELDS = Article._fields
_EVIDENCE = _FIELDS.index("topic_evidence")
# (field, record type, may be None): the fields that hold tuples of records
_NESTED = (
    (_FIELDS.index("languages"), LanguageShare, False),
    (_FIELDS.index("entities"), Entity, False),
    (_FIELDS.index("topics"), Topic, False),
    (_EVIDENCE, TopicEvidence, True),
)
_CONTEXTS = threading.local()  # a zstd context is reused, never shared between threads


class _Refused(Exception):
    """The article holds a value the marshal form cannot bring back as it was."""


def _plain_fields(a: Article) -> tuple:
    if type(a) is not Article:
        raise _Refused
    fields = plain_fields(a, _NESTED)
    if fields is None:
        raise _Refused
    return fields


def pack(a: Article) -> bytes:
    """The article's bytes; unpack() gives back an equal Article with the same field types."""
    try:
        return _MARSHAL + marshal.dumps(_plain_fields(a), _MARSHAL_VERSION)
    except (_Refused, RecursionError):
        return _PICKLE + pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(packed: bytes) -> Article:
    if packed[:1] == _PICKLE:
        return pickle.loads(packed[1:])
    return records(marshal.loads(packed[1:]), _NESTED, Article)


def compress(data: bytes | bytearray) -> bytes:
    """zstd level 1 (a frame that records its size); decompress() reads it."""
    compressor = getattr(_CONTEXTS, "compressor", None)
    if compressor is None:
        compressor = _CONTEXTS.compressor = zstandard.ZstdCompressor(level=1)
    return _ZSTD + compressor.compress(data)


def decompress(data: bytes | bytearray) -> bytes:
    if data[:1] != _ZSTD:
        raise ValueError(f"not compress()'s bytes: they start {bytes(data[:1])!r}")
    decompressor = getattr(_CONTEXTS, "decompressor", None)
    if decompressor is None:
        decompressor = _CONTEXTS.decompressor = zstandard.ZstdDecompressor()
    return decompressor.decompress(memoryview(data)[1:])
