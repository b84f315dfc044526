"""A record's fields as plain tuples, or None where a value would not come back from marshal as it
was: what core.packing hands marshal; and the record again from what marshal gives back.

flatten.c is this function in C, built beside this file by setup.py where a C compiler is found
(README, "Compiled modules"); Python imports it first. This file is its reference, and what runs
without the build or with NEWSBEAM_PURE_PYTHON=1. tests/test_flatten.py holds the two together.

marshal writes str, int, float, bool, None and bytes back as themselves, in tuples and lists. It
refuses most other values, but it writes any object with a buffer (a numpy float, a bytearray) as
that buffer's bytes, and a subclass of str or int as its base: such a value makes the whole record
None, so the caller keeps it some other way (packing pickles it whole).
"""

from __future__ import annotations

from itertools import repeat
from typing import TypeVar

R = TypeVar("R", bound=tuple)
LEAVES = frozenset({str, int, float, bool, type(None), bytes})


def plain_fields(record: tuple, nested: tuple[tuple[int, type, bool], ...]) -> tuple | None:
    """record's fields as one plain tuple. Each (index, cls, none_ok) of `nested` names a field
    that holds a tuple of `cls` records (exactly that type), each made a plain tuple; with
    none_ok that field may also be None. None if any value is of another type than LEAVES,
    tuples and lists, or a nested field is not as `nested` says. RecursionError past Python's
    recursion limit (a list that holds itself)."""
    fields = list(record)
    for index, cls, none_ok in nested:
        value = fields[index]
        if value is None and none_ok:
            continue
        if type(value) is not tuple or any(type(r) is not cls for r in value):
            return None
        fields[index] = tuple(map(tuple, value))
    return tuple(fields) if _plain(fields) else None


def _plain(values: tuple | list) -> bool:
    for v in values:
        kind = type(v)
        if kind is tuple or kind is list:
            if not _plain(v):
                return False
        elif kind not in LEAVES:
            return False
    return True


def records(fields: tuple, nested: tuple[tuple[int, type, bool], ...], cls: type[R]) -> R:
    """plain_fields()'s inverse: fields as a `cls` record, the plain tuples of each nested field
    made records of its type (None stays None where none_ok). Field counts are not checked: the
    fields are what plain_fields() gave for a record of `cls`."""
    values = list(fields)
    for index, record_cls, none_ok in nested:
        if not (none_ok and values[index] is None):
            values[index] = tuple(map(tuple.__new__, repeat(record_cls), values[index]))
    return tuple.__new__(cls, values)
