"""Which feed items get their article page fetched (--fetch-articles), pure.

`always` fetches every item with an http(s) link; `auto` only those whose feed text reads as a
teaser: fewer than `min_words` words (60, chosen on half A of the HTML benchmark:
bench/eval_teasers.py), or ending the way cut texts end ("…", "Read more",
"Continua a leggere"; data/summary_cues.json); `never` none. Whatever the mode, an item is fetched
once: a later version of a URL already ingested (version > 1: its feed text changed) keeps the
feed's text, since the page was read when it was new. Pages themselves (an HTML file) are never
fetched again.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from transforms.core.records import Article

AUTO, ALWAYS, NEVER = "auto", "always", "never"
MODES = (AUTO, ALWAYS, NEVER)
FETCH = None  # fetch_plan()'s answer when the page is to be fetched


class Cues(NamedTuple):
    min_words: int
    endings: tuple[str, ...]
    read_more: tuple[str, ...]  # every language's, casefolded


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    raw = json.loads(resources.files(__package__).joinpath("data/summary_cues.json").read_text())
    phrases = sorted({p.casefold() for ps in raw["read_more"].values() for p in ps})
    return Cues(int(raw["min_words"]), tuple(raw["endings"]), tuple(phrases))


_WORD = re.compile(r"\w+")


def looks_like_summary(text: str, cues: Cues) -> bool:
    """A teaser: short, cut off with an ellipsis, or ending on a "read more" link."""
    text = text.strip()
    if len(_WORD.findall(text)) < cues.min_words:
        return True
    if text.endswith(cues.endings):
        return True
    last = text.rsplit("\n", 1)[-1].casefold()
    return len(last) < 200 and any(phrase in last for phrase in cues.read_more)


def has_page_link(a: Article) -> bool:
    return bool(a.url) and a.url.startswith(("http://", "https://"))


def fetch_plan(a: Article, mode: str, cues: Cues | None = None) -> str | None:
    """FETCH (None) when the item's page is to be fetched, else the fetch_status it keeps:
    "not_fetched" (fetching off, no link, or the text is a page already) or "skipped" (the
    feed's text is whole, or the URL was ingested before)."""
    if mode == NEVER or a.text_source != "feed" or not has_page_link(a):
        return "not_fetched"
    if a.version > 1:
        return "skipped"
    if mode == AUTO and not looks_like_summary(a.text, cues or load_cues()):
        return "skipped"
    return FETCH
