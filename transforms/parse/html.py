"""HTML to text: html_articles() for a page (RawDocument -> Article | Failure) through
extract_article(), and fragment_to_text() for feed entry bodies and record text.

Full pages go through trafilatura (main text + metadata); fragments are already the main text,
so they are only flattened to paragraphs with lxml, which is ~50x cheaper. Markup nested deeper
than libxml2 builds a tree (256 elements) is flattened by paragraphs.flatten_markup() instead,
and a page's text then comes from the plain-text cleaner, which judges lines, not a tree.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse.article import build_article, parse_failure, web_url
from transforms.parse.cues import load_cues
from transforms.parse.dates import parse_date
from transforms.parse.pagemeta import page_metadata
from transforms.parse.paragraphs import (
    BLOCK_TAGS,
    DROP_TAGS,
    PARA_SEP,
    TREE_DEPTH,
    flatten_markup,
    one_line,
    tidy,
)

# Input beyond this many characters is cut before extraction: trafilatura's cost grows with the
# tree, and no real article page needs more than a few hundred kB of markup to hold its text.
MAX_HTML_CHARS = 4_000_000

# trafilatura options, chosen on bench/eval_html.py (see the README's measurements).
EXTRACTOR_OPTIONS = {
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "favor_precision": True,
}
_MANY_BREAKS = re.compile(r"\n{3,}")
# A page of teasers (a section front, a home page): at least LIST_TEASERS paragraphs of its main
# text and LIST_SHARE of them sit in cards beside links to other pages (teaser_paragraphs()).
LIST_TEASERS = 5
LIST_SHARE = 0.6
CARD_DEPTH = 3  # how far up from a paragraph a card may end
CARD_RATIO = 3  # a card's text is at most this many times its paragraph's


def _walk(el: Any, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    block = tag.lower() in BLOCK_TAGS
    if block:
        out.append(PARA_SEP)
    if tag.lower() == "br":
        out.append("\n")
    if el.text and tag:
        out.append(el.text)
    for child in el:
        _walk(child, out)
    if block:
        out.append(PARA_SEP)
    if el.tail:
        out.append(el.tail)


def fragment_to_text(html: str) -> str:
    """An HTML fragment (a feed entry's content) -> text, paragraphs separated by a blank line."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return tidy(html.replace("\n\n", PARA_SEP))
    html = html[:MAX_HTML_CHARS]
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return tidy(re.sub(r"<[^>]*>", " ", html))
    if html.count("<") > TREE_DEPTH and _too_deep(root):
        return flatten_markup(html)
    etree.strip_elements(root, *DROP_TAGS, etree.Comment, with_tail=False)
    out: list[str] = []
    _walk(root, out)
    return tidy("".join(out))


_AT_TREE_DEPTH = etree.XPath("/".join(["."] + ["*"] * TREE_DEPTH))


def _too_deep(tree: Any) -> bool:
    """True when the tree reaches the depth where libxml2 stopped building it: text is missing.
    One XPath step per level over the elements at that level: linear in the tree."""
    return bool(_AT_TREE_DEPTH(tree))


def _trafilatura_document(html: Any, url: str | None, fast: bool = False) -> Any:
    import trafilatura  # deferred: heavy import, only needed for full pages

    return trafilatura.bare_extraction(
        html, url=url, with_metadata=True, fast=fast, **EXTRACTOR_OPTIONS
    )


# The cue words of every language are in data/html_cues.tsv; the patterns around them here.
_CUES = load_cues("html_cues.tsv")
_TAIL_CLUTTER = re.compile(
    rf"^(?:©|\(c\)\s|(?:{_CUES.pattern('copyright_start')})\b)"
    rf"|\b(?:{_CUES.pattern('tail_clutter')})\b",
    re.IGNORECASE,
)


def _trim_tail(text: str) -> str:
    """Drop the trailing paragraphs that are page furniture (copyright, newsletter, follow-us)."""
    paragraphs = text.split("\n\n")
    while len(paragraphs) > 1:
        last = paragraphs[-1]
        words = len(last.split())
        if words <= 40 and _TAIL_CLUTTER.search(last):
            paragraphs.pop()
        else:
            break
    return "\n\n".join(paragraphs)


def _same_words(a: str, b: str) -> bool:
    return re.findall(r"\w+", a.casefold()) == re.findall(r"\w+", b.casefold())


def extract_article(html: str, url: str | None = None, fast: bool = False) -> dict:
    """A full page -> dict(text, title, title_source, authors, dates, modified, date,
    canonical_url, site_name, description, paywalled).

    `dates`/`modified` are (source, raw string) candidates in order of trust; `date` is
    trafilatura's own pick (htmldate). Missing fields are None (lists: []); text is "" when
    the page has no main text.
    """
    from trafilatura.utils import load_html  # deferred with the extractor

    html = html[:MAX_HTML_CHARS]
    result: dict = {
        "text": "",
        "title": None,
        "title_source": "none",
        "authors": [],
        "dates": [],
        "modified": [],
        "date": None,
        "canonical_url": None,
        "site_name": None,
        "description": None,
        "paywalled": False,
        "teasers": (0, 0),  # (teasers, paragraphs): teaser_paragraphs()
    }
    tree = load_html(html)
    if tree is None:
        return result
    meta = page_metadata(tree, url)
    result.update(
        dates=meta["dates"],
        modified=meta["modified"],
        canonical_url=meta.get("canonical_url"),
        site_name=meta.get("site_name"),
        authors=meta["authors"],
        paywalled=meta["paywalled"],
    )
    if meta["headline"]:
        result.update(title=meta["headline"], title_source="jsonld")
    if _too_deep(tree):
        return _tidy_metadata(_deep_page(html, tree, result))
    doc = _trafilatura_document(tree, url, fast)  # the parsed tree: no second parse of the markup
    if doc is None:
        result["text"] = _with_jsonld_body("", meta["body"])
        return _tidy_metadata(result)
    text = _MANY_BREAKS.sub("\n\n", (doc.text or "").replace("\n", "\n\n")).strip()
    text = _with_jsonld_body(text, meta["body"])
    if not result["title"] and doc.title:
        result.update(title=doc.title, title_source="extractor")
    head, _, rest = text.partition("\n\n")
    if rest and result["title"] and _same_words(head, result["title"]):
        text = rest  # the headline repeated as the first line of the body
    result["text"] = _trim_tail(text)
    result["teasers"] = teaser_paragraphs(tree, result["text"])
    if not result["authors"]:
        result["authors"] = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    result["date"] = doc.date or None
    result["canonical_url"] = result["canonical_url"] or doc.url or None
    result["site_name"] = result["site_name"] or doc.sitename or None
    result["description"] = doc.description or None
    return _tidy_metadata(result)


def _with_jsonld_body(text: str, body: str | None) -> str:
    """The page's JSON-LD articleBody where the extractor found less than half its words: a page
    its scripts render holds the story only there, for search engines."""
    if not body:
        return text
    if "<" in body:
        body_text = fragment_to_text(body)
    else:  # plain text, a paragraph per line, entities often left escaped
        body_text = tidy(htmllib.unescape(body).replace("\n", PARA_SEP))
    return body_text if 2 * len(text.split()) < len(body_text.split()) else text


def _deep_page(html: str, tree: Any, result: dict) -> dict:
    """A page too deep for a tree: its text flattened without one, then cleaned line by line."""
    from transforms.parse.plaintext import clean_plain_text  # deferred: only for such pages

    flat = flatten_markup(html)
    page = clean_plain_text(flat)
    result["text"] = page.text or flat
    if not result["title"]:
        title = tree.findtext(".//title") or page.title
        result.update(title=title, title_source="extractor" if title else "none")
    result["authors"] = result["authors"] or page.authors
    result["description"] = page.summary
    return result


def html_articles(doc: RawDocument, html: str, fast: bool = False) -> Iterator[Article | Failure]:
    """The one Article of an HTML page, dated by the most trusted source that parses, or a Failure
    when the page has no main text."""
    page_url = web_url(doc.source_uri)
    page = extract_article(html, page_url, fast=fast)
    if not page["text"]:
        yield parse_failure(doc, "HTML page has no main text (empty body or not an article)", html)
        return
    teasers, paragraphs = page["teasers"]
    if teasers >= LIST_TEASERS and teasers >= LIST_SHARE * paragraphs:
        reason = f"a page of teasers, not an article: {teasers} of its {paragraphs} paragraphs"
        yield parse_failure(doc, f"{reason} sit beside links to other pages", html)
        return
    published, source = page_date(page)
    modified, _ = _first_date(page["modified"])
    url = web_url(page["canonical_url"]) or page_url
    yield build_article(
        doc,
        0,
        page["text"],
        url=url,
        title=page["title"],
        title_source=page["title_source"],
        summary=page["description"],
        authors=page["authors"],
        published_at=published,
        date_source=source,
        modified_at=modified,
        source_name=page["site_name"],
    )._replace(text_source="page", paywalled=page["paywalled"])


def page_date(page: dict) -> tuple[int | None, str]:
    """(published µs, where from) of an extract_article() result: the most trusted date that
    parses, else the extractor's own pick; (None, "none") when there is none."""
    published, source = _first_date(page["dates"])
    if published is None and page["date"]:
        published, source = parse_date(page["date"]), "html"
    return published, source if published is not None else "none"


def looks_like_page(text: str) -> bool:
    """A whole HTML page, not a fragment of one: a doctype, or <html> or <body> in its head."""
    head = text[:2000].lstrip().lower()
    return head.startswith("<!doctype html") or "<html" in head or "<body" in head


def teaser_paragraphs(tree: Any, text: str) -> tuple[int, int]:
    """(teasers, paragraphs) of a page's main text: how many of its paragraphs of 40+ characters
    stand in a card, a small block (at most CARD_RATIO times the paragraph) that also holds a link
    of four or more words to another page, or inside such a link. A section front or a home page
    is teasers end to end; an article, whose paragraphs share their block with each other, has
    a few at most (4 of 11 paragraphs on the 91 pages of bench/eval_html.py). Each paragraph is
    looked up once, and no block's text is read past the card's size: linear in the page."""
    paras = {one_line(p)[:60]: one_line(p) for p in text.split("\n\n") if len(p.strip()) >= 40}
    if len(paras) < LIST_TEASERS:
        return 0, len(paras)
    checked: set[str] = set()
    found = 0
    for el in tree.iter(*_TEXT_TAGS):
        para = paras.get(one_line(el.text)[:60]) if el.text else None
        if para is not None and para not in checked:
            checked.add(para)
            found += _in_card(el, para)
    return found, len(paras)


_TEXT_TAGS = ("p", "div", "span", "li", "section", "a", "h1", "h2", "h3", "h4", "h5", "h6")


def _in_card(el: Any, para: str) -> bool:
    """The paragraph's element is inside a headline link, or a small block around it holds one."""
    block = el
    for _ in range(CARD_DEPTH):
        if block.tag == "a" and block.get("href"):
            return True
        block = block.getparent()
        if block is None or _longer_than(block, CARD_RATIO * len(para)):
            return False
        if any(_headline_link(a) for a in block.iter("a") if el not in a.iterancestors()):
            return True
    return False


def _longer_than(block: Any, limit: int) -> bool:
    """Whether a block's text passes limit characters, reading no more of it than that."""
    size = 0
    for piece in block.itertext():
        size += len(piece.strip())
        if size > limit:
            return True
    return False


def _headline_link(a: Any) -> bool:
    return bool(a.get("href")) and len(a.text_content().split()) >= 4


def _first_date(candidates: list[tuple[str, str]]) -> tuple[int | None, str]:
    for source, raw in candidates:
        at = parse_date(raw)
        if at is not None:
            return at, source
    return None, "none"


_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·•»]\s+")
_BY = re.compile(rf"^(?:{_CUES.pattern('author_prefix')})\s+", re.IGNORECASE)


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _tidy_metadata(result: dict) -> dict:
    """Entities unescaped (JSON-LD often holds "&#8217;"), the site name cut off the title's end,
    "By " cut off author names."""
    site = htmllib.unescape(result["site_name"] or "").strip() or None
    result["site_name"] = site
    title = htmllib.unescape(result["title"] or "").replace("\xa0", " ").strip()
    parts = _TITLE_SEPARATOR.split(title)
    tail = _squash(parts[-1])
    if site and len(parts) > 1 and len(tail) >= 3 and tail in _squash(site):
        title = title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»")
    result["title"] = title or None
    names = (_BY.sub("", htmllib.unescape(a)).strip() for a in result["authors"])
    result["authors"] = [n for n in names if n]
    return result
