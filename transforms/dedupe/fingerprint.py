"""Text fingerprints for near-duplicate search: word shingles, MinHash signatures, LSH band keys.

numpy for the shingles, rensa (Rust, MIT) for the signatures; deterministic across processes and
machines (no salted `hash()`, seeded permutations), shared by the batch and streaming dedupe
shells and the stories' text signatures. Parameters were chosen by measurement (see DEFAULT_PARAMS).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
from rensa import RMinHash as _RMinHash

from transforms.core.identity import normalise_text
from transforms.dedupe.word_scan import words as word_runs  # C where it was built


class MinHashParams(NamedTuple):
    """How texts are fingerprinted; the defaults are what bench/eval_dedupe.py measured best.

    Measured on ../shared/eval/dedupe/dev.jsonl (564 articles; dev figures, not a held-out
    result): true word-5-shingle Jaccard of same-group pairs is >= 0.47 while the closest
    different-group pair (sports results pages) is 0.38; 4- and 3-word shingles narrow that gap.
    Verifying with 128 permutations (standard error ~0.044 at J=0.5), one seed in three merged
    two sports groups (pairwise precision 0.981); with 256, precision was 1.0 on 10 of 10 seeds
    at thresholds 0.45-0.55 (recall >= 0.992 at 0.5; 0.42 merges sports pages again). 0.5 keeps
    the wider margin from the hard negatives. LSH needs only the first 128 rows in 32 bands of 4
    (a pair at J=0.5 is a candidate with p=0.87, at J=0.6 with p=0.99): dev results were identical
    to 64 bands, with half the bucket shuffle. State: 1 KiB per text.
    Since session 34 the permutations are rensa's (signature_of); bench/eval_dedupe.py --seeds 10
    gave precision and recall 1.0 on 10 of 10 seeds, as the numpy permutations had.
    """

    shingle: int = 5
    num_perm: int = 256
    bands: int = 32
    band_rows: int = 4  # LSH uses the first bands * band_rows rows; verification uses all
    threshold: float = 0.5  # estimated Jaccard at or above which two texts are near-duplicates
    seed: int = 20260204


DEFAULT_PARAMS = MinHashParams()


class MinHasher:
    """The permutations of one MinHashParams, built once (per worker, in a DoFn's setup())."""

    def __init__(self, params: MinHashParams = DEFAULT_PARAMS):
        if params.bands * params.band_rows > params.num_perm or params.bands > 255:
            raise ValueError(
                f"{params.bands} bands of {params.band_rows} rows need more permutations"
            )
        self.params = params
        rng = np.random.default_rng(params.seed)
        # Position multipliers make a shingle hash order-sensitive ("a b" != "b a").
        self._pos = rng.integers(1, 2**63, size=params.shingle, dtype=np.uint64) | np.uint64(1)

    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 64-bit hashes of the word k-shingles of the normalised text (a set)."""
        words = word_runs(normalise_text(text))
        if not words:
            return np.empty(0, dtype=np.uint64)
        known = list(map(_WORD_HASHES.get, words))  # a C loop: most words are known
        if None in known:
            known = [
                h if h is not None else word_hash(w) for w, h in zip(words, known, strict=True)
            ]
        tokens = np.array(known, dtype=np.uint64)
        k = min(self.params.shingle, len(tokens))
        n = len(tokens) - k + 1
        with np.errstate(over="ignore"):
            acc = np.zeros(n, dtype=np.uint64)
            for j in range(k):
                acc += tokens[j : j + n] * self._pos[j]
            acc = _mix64(acc)
        return distinct_sorted(acc)

    def signature(self, text: str) -> np.ndarray:
        """MinHash signature (uint32, num_perm); all-max for a text without words."""
        return self.signature_of(self.shingle_hashes(text))

    def signature_of(self, hashes: np.ndarray) -> np.ndarray:
        """The MinHash signature of a set of shingle hashes, by rensa's R-MinHash (num_perm
        seeded permutations of the 64-bit hashes, in Rust): 0.02 ms for an article's ~400
        shingles, where numpy's 64-bit multiply-add over (shingles x permutations) took 0.15."""
        if not len(hashes):
            return np.full(self.params.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        rows = _RMinHash.digest_matrix_from_flat_token_hashes(
            hashes,
            np.array((0, len(hashes)), dtype=np.uint64),
            self.params.num_perm,
            self.params.seed,
        ).to_rows()
        return np.array(rows[0], dtype=np.uint32)


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-D array, sorting it in place: np.unique's checks and dispatch cost 30 us
    on an article's ~400 shingles, fifteen times its sort."""
    values.sort()
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


_WORD_HASHES: dict[str, int] = {}
MAX_CACHED_WORDS = 1 << 19  # ~60 MB at most; news vocabulary repeats, so most words are found


def word_hash(word: str) -> int:
    """A word's 64-bit hash (blake2b), remembered per process: hashing each occurrence again
    was half the cost of a signature (measured on bench/corpus.py articles)."""
    found = _WORD_HASHES.get(word)
    if found is None:
        if len(_WORD_HASHES) >= MAX_CACHED_WORDS:
            _WORD_HASHES.clear()
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        found = _WORD_HASHES[word] = int.from_bytes(digest, "little")
    return found


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the sum of position-weighted token hashes over all bits."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_HASHERS: dict = {}


def hasher_for(params: MinHashParams = DEFAULT_PARAMS) -> MinHasher:
    """One MinHasher per params per process: the permutations are built once, then reused."""
    if params not in _HASHERS:
        _HASHERS[params] = MinHasher(params)
    return _HASHERS[params]


def minhash_signature(text: str, params: MinHashParams = DEFAULT_PARAMS) -> np.ndarray:
    return hasher_for(params).signature(text)


def band_keys(
    signature: np.ndarray, bands: int = DEFAULT_PARAMS.bands, rows: int = DEFAULT_PARAMS.band_rows
) -> list[bytes]:
    """One LSH bucket key per band: band index + the band's rows, so bands never collide."""
    raw = np.ascontiguousarray(signature, dtype="<u4")
    return [bytes([i]) + raw[i * rows : (i + 1) * rows].tobytes() for i in range(bands)]


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    """Share of agreeing MinHash rows: an unbiased estimate of the shingle-set Jaccard."""
    if len(a) != len(b) or not len(a):
        raise ValueError("signatures must be non-empty and of equal length")
    return float(np.count_nonzero(a == b)) / len(a)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """True Jaccard of two shingle-hash sets (as returned by MinHasher.shingle_hashes)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def signature_to_bytes(signature: np.ndarray) -> bytes:
    """Compact, coder-friendly form (4 bytes per permutation) for shuffles and state."""
    return np.ascontiguousarray(signature, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")
