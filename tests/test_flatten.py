"""core/flatten: the C plain_fields (where setup.py built it) flattens and refuses exactly as its
Python reference does: on records, on every kind of value marshal would change, on nesting."""

from __future__ import annotations

from collections import namedtuple
from decimal import Decimal
from enum import IntEnum

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import python_twin
from transforms.core import compiled, flatten

REFERENCE = python_twin("transforms", "core", "flatten.py")
IMPLEMENTATIONS = [flatten.plain_fields, REFERENCE.plain_fields]
ONLY_C = pytest.mark.skipif(
    compiled.pure_python_requested(), reason="the C module's own checks; the .py twin runs"
)

Row = namedtuple("Row", "a b")
Other = namedtuple("Other", "a b")
Record = namedtuple("Record", "name rows extra maybe")
NESTED = ((1, Row, False), (3, Row, True))


class Text(str):
    pass


class Number(IntEnum):
    ONE = 1


@pytest.mark.skipif(compiled.pure_python_requested(), reason="NEWSBEAM_PURE_PYTHON is set")
def test_the_flattening_runs_as_c():
    """The build made it (it is optional=True: a failed build is silent, so caught here)."""
    assert compiled.is_compiled(flatten)


@pytest.mark.parametrize("plain_fields", IMPLEMENTATIONS)
def test_records_become_plain_tuples_and_the_rest_stays(plain_fields):
    extra = ["x", (1, 2.5, None, True, b"b"), []]
    record = Record("n", (Row("a", 1), Row("b", (2, [3]))), extra, (Row(None, -0.0),))
    out = plain_fields(record, NESTED)
    assert out == ("n", (("a", 1), ("b", (2, [3]))), extra, ((None, -0.0),))
    assert type(out) is tuple
    assert all(type(row) is tuple for row in out[1] + out[3])
    assert out[2] is extra  # a field that is not nested is the same object
    assert plain_fields(record._replace(maybe=None), NESTED)[3] is None
    assert plain_fields(record, ()) is None  # records where no field says so: refused
    assert plain_fields((), ()) == ()


@pytest.mark.parametrize("plain_fields", IMPLEMENTATIONS)
@pytest.mark.parametrize(
    "change",
    [
        {"name": np.float64(0.5)},  # a buffer: marshal would write its bytes
        {"name": np.int64(1)},
        {"name": Text("t")},  # subclasses come back as their base
        {"name": Number.ONE},
        {"name": Decimal(1)},
        {"name": {"a": 1}},
        {"name": {1}},
        {"name": bytearray(b"x")},
        {"name": memoryview(b"x")},
        {"name": 1j},
        {"extra": [1, [2, [np.float32(1)]]]},  # deep inside
        {"extra": (Row("a", 1),)},  # a record where no nested field is named
        {"rows": [Row("a", 1)]},  # a list of records, not a tuple
        {"rows": (("a", 1),)},  # plain tuples where records belong
        {"rows": (Row("a", 1), Other("b", 2))},  # another record type
        {"rows": None},  # None where it may not be
        {"rows": (Row("a", np.float64(1)),)},  # a record's own value
        {"maybe": (Row(Text("a"), 1),)},
    ],
    ids=lambda c: "-".join(f"{k}={type(v).__name__}" for k, v in c.items()),
)
def test_a_value_marshal_would_change_refuses_the_record(plain_fields, change):
    record = Record("n", (Row("a", 1),), [], None)._replace(**change)
    assert plain_fields(record, NESTED) is None


@pytest.mark.parametrize("plain_fields", IMPLEMENTATIONS)
def test_a_list_that_holds_itself_raises_recursion_error(plain_fields):
    loop: list = []
    loop.append(loop)
    with pytest.raises(RecursionError):
        plain_fields(Record("n", (), loop, None), NESTED)


LEAVES = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.binary(max_size=3),
    st.sampled_from([np.float64(1), Text("t"), Number.ONE, 1j, bytearray()]),
)
VALUES = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=12
)
ROWS = st.lists(st.builds(Row, VALUES, VALUES), max_size=3).map(tuple)


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        Record,
        VALUES,
        ROWS | VALUES,
        VALUES,
        st.none() | ROWS | st.lists(st.builds(Other, VALUES, VALUES), max_size=2).map(tuple),
    )
)
def test_any_record(record):
    assert flatten.plain_fields(record, NESTED) == REFERENCE.plain_fields(record, NESTED)


@ONLY_C
def test_arguments_are_checked():
    record = Record("n", (), [], None)
    with pytest.raises(TypeError):
        flatten.plain_fields(["a"], ())
    with pytest.raises(TypeError):
        flatten.plain_fields(record, [(1, Row, False)])
    with pytest.raises(TypeError):
        flatten.plain_fields(record, ((1, "Row", False),))
    with pytest.raises(IndexError):
        flatten.plain_fields(record, ((4, Row, False),))
    with pytest.raises(IndexError):
        flatten.plain_fields(record, ((-1, Row, False),))


# ---- records: the record again from marshal's plain tuples ---------------------------------


@pytest.mark.parametrize("impl", [flatten, REFERENCE], ids=["built", "reference"])
def test_records_make_the_record_again(impl):
    record = Record("n", (Row("a", 1), Row("b", (2, [3]))), ["x", (1,)], (Row(None, -0.0),))
    back = impl.records(impl.plain_fields(record, NESTED), NESTED, Record)
    assert back == record and type(back) is Record
    assert [type(r) for r in back.rows + back.maybe] == [Row, Row, Row]
    assert type(back.extra) is list and back.extra[1] == (1,)
    empty = impl.records(("n", (), [], None), NESTED, Record)
    assert empty == Record("n", (), [], None) and type(empty) is Record


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        Record,
        VALUES,
        ROWS,
        VALUES,
        st.none() | ROWS,
    )
)
def test_any_record_comes_back(record):
    plain = flatten.plain_fields(record, NESTED)
    if plain is None:
        return
    back = flatten.records(plain, NESTED, Record)
    assert back == REFERENCE.records(plain, NESTED, Record) == record
    assert type(back) is Record
    assert all(type(r) is Row for r in back.rows + (back.maybe or ()))


@ONLY_C
def test_records_arguments_are_checked():
    with pytest.raises(TypeError):
        flatten.records(("n", (), [], None), NESTED, dict)  # not a tuple type
    with pytest.raises(TypeError):
        flatten.records(("n", [("a", 1)], [], None), NESTED, Record)  # rows in a list
    with pytest.raises(TypeError):
        flatten.records(("n", (["a", 1],), [], None), NESTED, Record)  # a row as a list
    with pytest.raises(TypeError):
        flatten.records(("n", None, [], None), NESTED, Record)  # None where it may not be
    with pytest.raises(IndexError):
        flatten.records(("n",), NESTED, Record)
