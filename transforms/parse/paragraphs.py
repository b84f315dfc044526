"""Markup -> paragraphs of text: the block tags, the tidy-up that html.py applies to every tree it
walks, and flatten_markup(), a scan without a tree for markup nested deeper than lxml builds.

libxml2 (under lxml and trafilatura) stops building a tree 256 elements deep: whatever sits deeper
is silently missing. A regular-expression scan has no depth: tags are found one after another,
block tags break paragraphs, script-like elements are skipped whole, entities are unescaped.
"""

from __future__ import annotations

import html as htmllib
import re

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
PARA_SEP = "\x00"  # placeholder for a paragraph break while walking markup
TREE_DEPTH = 250  # a tree this deep was cut by libxml2 (which stops at 256)

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_MANY_BREAKS = re.compile(r"\n{3,}")
# A tag (its name in group 2, "/" in group 1 when it closes), or the start of a comment or of a
# declaration/processing instruction. No lazy ".*?" anywhere: every match ends at the next "<" or
# ">", so the scan stays linear on any input.
_TOKEN = re.compile(r"<!--|<(/?)([A-Za-z][\w:.-]*)[^<>]*>|<[!?][^<>]*>")
_SKIPPED = frozenset([*DROP_TAGS, "head", "title"])
_CLOSING = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _SKIPPED}


def tidy(raw: str) -> str:
    """Walked text (PARA_SEP between blocks) -> paragraphs separated by one blank line."""
    paragraphs = []
    for block in raw.split(PARA_SEP):
        lines = [_SPACES.sub(" ", line).strip() for line in block.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return _MANY_BREAKS.sub("\n\n", "\n\n".join(paragraphs)).strip()


def flatten_markup(markup: str) -> str:
    """HTML of any depth -> its text as paragraphs, without building a tree."""
    out: list[str] = []
    pos = 0
    while (match := _TOKEN.search(markup, pos)) is not None:
        out.append(htmllib.unescape(markup[pos : match.start()]))
        pos = match.end()
        if match.group() == "<!--":
            end = markup.find("-->", pos)
            pos = len(markup) if end < 0 else end + 3
            continue
        name = (match.group(2) or "").lower()
        if name in _SKIPPED and not match.group(1) and not match.group().endswith("/>"):
            closing = _CLOSING[name].search(markup, pos)
            pos = len(markup) if closing is None else closing.end()
        elif name == "br":
            out.append("\n")
        elif name in BLOCK_TAGS:
            out.append(PARA_SEP)
    out.append(htmllib.unescape(markup[pos:]))
    return tidy("".join(out))


def one_line(text: str | None) -> str:
    """Text on one line: every run of whitespace one space, none at either end."""
    return " ".join((text or "").split())
