"""Properties of the part cutters on generated input (Hypothesis, bounded for CI): every item comes
out once, in a part or as a Cut, at its place in the file; chunking never moves a cut; arbitrary
bytes never raise."""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.sources.parts import Cut, Part, cut_array, cut_lines
from pipeline.sources.reading import gunzip_chunks

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_line = st.one_of(
    st.just(b""),
    st.just(b"   "),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.integers(0, 400).map(lambda n: b"x" * n),  # now and then past the cap
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@EXAMPLES
@given(
    lines=st.lists(_line, max_size=40),
    final_newline=st.booleans(),
    target=st.integers(1, 300),
    slack=st.integers(0, 300),  # the reader's parts are never larger than its cap
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_every_line_comes_out_once_at_its_place(lines, final_newline, target, slack, cuts):
    max_item = target + slack
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    got = list(cut_lines(_chunks(data, cuts), target, max_item))
    assert got == list(cut_lines([data], target, max_item))
    seen = {}
    for piece in got:
        if isinstance(piece, Part):
            assert len(piece.data) <= target or piece.data.count(b"\n") <= 1
            for offset, line in enumerate(piece.data.split(b"\n")):
                if line.strip():
                    seen[piece.first_item + offset] = line
        else:
            assert piece.item not in seen and "longer than" in piece.reason
            seen[piece.item] = "cut"
    expected = {
        i: "cut" if len(line) > max_item else line
        for i, line in enumerate(data.split(b"\n"))
        if line.strip() or len(line) > max_item
    }
    assert seen == expected


@EXAMPLES
@given(
    rows=st.lists(_json, max_size=25),
    indent=st.sampled_from([None, 0, 2]),
    target=st.integers(2, 400),
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_every_array_element_comes_out_once_at_its_index(rows, indent, target, cuts):
    data = json.dumps(rows, indent=indent).encode()
    got = list(cut_array(_chunks(data, cuts), target, 1 << 20))
    assert got == list(cut_array([data], target, 1 << 20))
    assert all(isinstance(p, Part) for p in got)
    seen = [(p.first_item + k, row) for p in got for k, row in enumerate(json.loads(p.data))]
    assert seen == list(enumerate(rows))


@EXAMPLES
@given(data=st.binary(max_size=400), cuts=st.lists(st.integers(0, 1000), max_size=6))
def test_arbitrary_bytes_never_raise_and_cut_the_same_however_chunked(data, cuts):
    for cut, source in ((cut_lines, data), (cut_array, b"[" + data)):
        whole = list(cut([source], 50, 120))
        assert list(cut(_chunks(source, cuts), 50, 120)) == whole
        assert all(isinstance(x, Part | Cut) for x in whole)


@EXAMPLES
@given(data=st.binary(max_size=300))
def test_gunzip_of_arbitrary_bytes_raises_only_its_own_error(data):
    from pipeline.sources.reading import DecompressError

    try:
        list(gunzip_chunks([b"\x1f\x8b" + data]))
    except DecompressError:
        pass
