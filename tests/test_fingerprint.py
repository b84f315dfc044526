"""Pure fingerprint functions: shingles, MinHash signatures, band keys, Jaccard estimates."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.core.identity import normalise_text
from transforms.dedupe.fingerprint import (
    DEFAULT_PARAMS,
    MinHasher,
    MinHashParams,
    band_keys,
    jaccard,
    jaccard_estimate,
    minhash_signature,
    signature_from_bytes,
    signature_to_bytes,
)

TEXT = (
    "Two people were killed when a hand grenade exploded in a restaurant near Algiers late on "
    "Friday, radio reported on Saturday, the latest in a wave of attacks across the country."
)


def test_signature_is_deterministic_across_hashers():
    a = MinHasher(DEFAULT_PARAMS).signature(TEXT)
    b = MinHasher(DEFAULT_PARAMS).signature(TEXT)
    assert a.dtype == np.uint32 and a.shape == (DEFAULT_PARAMS.num_perm,)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, MinHasher(DEFAULT_PARAMS._replace(seed=1)).signature(TEXT))


@settings(max_examples=60, deadline=None)
@given(
    st.sets(st.integers(0, 2**64 - 1), min_size=1, max_size=300),
    st.sets(st.integers(0, 2**64 - 1), min_size=1, max_size=300),
)
def test_signature_is_each_permutations_least_value_over_the_set(a, b):
    """What makes a MinHash: row i is the least of permutation i over the set, so the union's
    signature is the rowwise minimum of the parts' and the order of the hashes does not count."""
    hasher = MinHasher(DEFAULT_PARAMS)

    def sig(values):
        return hasher.signature_of(np.array(sorted(values), dtype=np.uint64))

    union = sig(a | b)
    assert union.tolist() == np.minimum(sig(a), sig(b)).tolist()
    shuffled = np.array(sorted(a, reverse=True), dtype=np.uint64)
    assert hasher.signature_of(shuffled).tolist() == sig(a).tolist()
    assert hasher.signature("").tolist() == [2**32 - 1] * DEFAULT_PARAMS.num_perm


@pytest.mark.parametrize(
    "variant",
    [
        TEXT.upper(),
        TEXT.replace(" ", "  "),
        "\u201c" + TEXT.replace("'", "\u2019") + "\u201d",
    ],
)
def test_normalisation_makes_typographic_variants_identical(variant):
    assert jaccard_estimate(minhash_signature(TEXT), minhash_signature(variant)) == 1.0


def test_word_order_matters():
    h = MinHasher(MinHashParams(shingle=2, num_perm=64, bands=16, band_rows=4))
    assert jaccard(h.shingle_hashes("a b c"), h.shingle_hashes("c b a")) == 0.0


@pytest.mark.parametrize("cut", [0.9, 0.7, 0.5])
def test_estimate_tracks_true_jaccard(cut):
    words = (TEXT + " " + TEXT[::-1]).split()
    other = " ".join(words[: int(len(words) * cut)])
    h = MinHasher(DEFAULT_PARAMS)
    true = jaccard(h.shingle_hashes(TEXT + " " + TEXT[::-1]), h.shingle_hashes(other))
    est = jaccard_estimate(h.signature(TEXT + " " + TEXT[::-1]), h.signature(other))
    assert abs(true - est) < 0.12, (true, est)


def test_short_and_empty_texts():
    h = MinHasher(DEFAULT_PARAMS)
    assert len(h.shingle_hashes("")) == 0
    assert len(h.shingle_hashes("just three words")) == 1  # fewer words than a shingle
    assert np.all(h.signature("") == np.iinfo(np.uint32).max)


def test_band_keys_distinct_per_band_and_shared_by_equal_bands():
    sig = minhash_signature(TEXT)
    keys = band_keys(sig, DEFAULT_PARAMS.bands)
    assert len(keys) == DEFAULT_PARAMS.bands == len(set(keys))
    changed = sig.copy()
    changed[0] ^= 1  # only the first band differs
    changed[-1] ^= 1  # a row past the LSH bands changes no key
    shared = set(keys) & set(band_keys(changed, DEFAULT_PARAMS.bands))
    assert len(shared) == DEFAULT_PARAMS.bands - 1


def test_signature_bytes_round_trip():
    sig = minhash_signature(TEXT)
    data = signature_to_bytes(sig)
    assert len(data) == 4 * DEFAULT_PARAMS.num_perm
    assert np.array_equal(signature_from_bytes(data), sig)


def test_params_must_split_into_bands():
    with pytest.raises(ValueError):
        MinHasher(MinHashParams(num_perm=100, bands=32, band_rows=4))


def test_normalised_text_collapses_every_white_space_a_regex_would():
    """normalise_text joins split() words: the same runs as a \\s+ regex, for every Unicode
    white space (the content hash and the shingles must not change with the implementation)."""
    spaces = [chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))]
    assert len(spaces) > 20 and all(s.isspace() for s in spaces)
    for s in spaces:
        text = f"{s}Uno{s}{s}due\u00a0«tre»{s}"
        assert normalise_text(text) == 'uno due "tre"'
    assert normalise_text("\u2003A\u200bB\n\tC\u3000") == "ab c"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=60), st.booleans())
def test_distinct_sorted_is_np_unique(values, repeat):
    from transforms.dedupe.fingerprint import distinct_sorted

    array = np.array(values + values[: len(values) // 2] * repeat, dtype=np.uint64)
    expected = np.unique(array)
    got = distinct_sorted(array.copy())
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
