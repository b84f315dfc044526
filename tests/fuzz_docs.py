"""Hypothesis strategies for whole input documents: RSS/Atom/RDF/JSON Feed and HTML pages built
from items whose fate is known, plain text, random bytes under random names, byte-level mutations
of real feeds, and wrappers (gzip, UTF-16 with and without BOM). Shared with bench/fuzz.py."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from urllib.parse import urljoin
from xml.sax.saxutils import escape, quoteattr

from hypothesis import strategies as st

from tests.fuzz_records import BAD, GOOD, ODD, Doc, Item, encode, json_array_doc, jsonl_doc
from tests.fuzz_values import (
    EXTREME_DATES,
    HOSTILE_CHARS,
    WORDS,
    Dated,
    DateText,
    date_text,
    prose,
    title_like,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"
# Characters XML 1.0 allows (even as references): hostile ones a well-formed feed can carry.
XML_HOSTILE = "".join(
    ch
    for ch in HOSTILE_CHARS
    if not ("\x00" <= ch < "\x20" or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff")
)
BLOG = "https://blog.example.org/"
FEED_FORMATS = ("rss", "atom", "rdf", "jsonfeed")
# Where an Atom feed's relative links resolve from: xml:base, its self or alternate link, or the
# URL it was fetched from (the RawDocument's source_uri).
LINK_BASES = ("absolute", "xml:base", "self", "alternate", "fetched")


class Seeds(tuple):
    """(name, bytes) of real documents to mutate; its repr stays short in Hypothesis' reports."""

    def __repr__(self) -> str:
        return f"Seeds({', '.join(name for name, _ in self)})"


def read_seeds(*folders: Path) -> Seeds:
    return Seeds(
        sorted((p.name, p.read_bytes()) for f in folders for p in f.iterdir() if p.is_file())
    )


def fixture_seeds() -> Seeds:
    """The real feeds kept in tests/fixtures/feeds/: seeds for mutation."""
    return read_seeds(FIXTURES)


def _char_refs(text: str) -> str:
    return "".join(f"&#x{ord(ch):X};" if ch in XML_HOSTILE else ch for ch in escape(text))


@st.composite
def feed_item(draw, uid: str, base: str) -> tuple[dict, Item]:
    kind = draw(st.sampled_from([GOOD, GOOD, GOOD, ODD, BAD]))
    path = f"/{draw(st.integers(2005, 2025))}/01/30/post-{uid}"
    written = path if base != "absolute" else urljoin(BLOG, path)
    spec = {
        "uid": uid,
        "title": draw(title_like()) + f" {uid}",
        "link": written,
        "text": f"Entry {uid}. " + "\n\n".join(draw(prose(paragraphs=(1, 2)))),
        "date": draw(date_text()),
        "guid": f"urn:uuid:{uid}" if draw(st.booleans()) else None,
        "author": draw(st.sampled_from([None, "Ada Reporter", "Bo Writer"])),
        "html": draw(st.booleans()),
    }
    what = "good entry"
    if kind == ODD:
        what = draw(st.sampled_from(["hostile_title", "extreme_date", "no_link"]))
        if what == "hostile_title":
            spec["title"] += "".join(draw(st.lists(st.sampled_from(XML_HOSTILE), min_size=1)))
        elif what == "extreme_date":
            spec["date"] = draw(st.sampled_from(EXTREME_DATES[:14]))
        else:
            spec["link"] = None
    elif kind == BAD:
        spec.update(title=None, text=None, link=None)
        what = "entry with neither title nor text"
    url = urljoin(BLOG, path) if kind == GOOD else None
    dated = None
    if kind == GOOD:  # RFC 822 and ISO 8601 are feeds' own syntaxes: those must be read
        d = spec["date"]
        dated = Dated(d.at, d.alternatives, must=d.syntax in ("iso", "rfc822"))
    return spec, Item(kind, url, what, json.dumps(spec, default=str), dated)


def _date_str(value) -> str:
    return value.text if isinstance(value, DateText) else str(value)


def _rss_item(s: dict) -> str:
    parts = ["<item>"]
    if s["title"] is not None:
        parts.append(f"<title>{_char_refs(s['title'])}</title>")
    if s["link"]:
        parts.append(f"<link>{escape(s['link'])}</link>")
    if s["text"] is not None:
        body = "".join(f"<p>{p}</p>" for p in s["text"].split("\n\n"))
        parts.append(f"<description><![CDATA[{body}]]></description>" if s["html"]
                     else f"<description>{escape(s['text'])}</description>")  # fmt: skip
    if s["guid"]:
        parts.append(f'<guid isPermaLink="false">{s["guid"]}</guid>')
    parts.append(f"<pubDate>{escape(_date_str(s['date']))}</pubDate>")
    if s["author"]:
        parts.append(f"<dc:creator>{s['author']}</dc:creator>")
    return "".join(parts) + "</item>\n"


def _atom_entry(s: dict) -> str:
    parts = ["<entry>"]
    if s["title"] is not None:
        parts.append(f"<title>{_char_refs(s['title'])}</title>")
    if s["link"]:
        parts.append(f'<link rel="alternate" href={quoteattr(s["link"])}/>')
    parts.append(f"<id>{s['guid'] or 'tag:blog.example.org,2013:' + s['uid']}</id>")
    parts.append(f"<updated>{escape(_date_str(s['date']))}</updated>")
    if s["text"] is not None:
        parts.append(f'<content type="html">{escape(s["text"])}</content>')
    if s["author"]:
        parts.append(f"<author><name>{s['author']}</name></author>")
    return "".join(parts) + "</entry>\n"


def _rdf_item(s: dict) -> str:
    about = escape(s["link"] or "urn:x")
    parts = [f'<item rdf:about="{about}">']
    if s["title"] is not None:
        parts.append(f"<title>{_char_refs(s['title'])}</title>")
    if s["link"]:
        parts.append(f"<link>{escape(s['link'])}</link>")
    if s["text"] is not None:
        parts.append(f"<description>{escape(s['text'])}</description>")
    parts.append(f"<dc:date>{escape(_date_str(s['date']))}</dc:date>")
    return "".join(parts) + "</item>\n"


def _xml_feed(fmt: str, specs: list[dict], base: str) -> str:
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    if fmt == "rss":
        items = "".join(_rss_item(s) for s in specs)
        return (f'{head}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>Fuzz wire</title><link>{BLOG}</link><description>d</description>"
                f"{items}</channel></rss>")  # fmt: skip
    if fmt == "rdf":
        items = "".join(_rdf_item(s) for s in specs)
        return (f'{head}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f'<channel rdf:about="{BLOG}"><title>Fuzz wire</title><link>{BLOG}</link>'
                f"<description>d</description></channel>{items}</rdf:RDF>")  # fmt: skip
    attrs = f' xml:base="{BLOG}"' if base == "xml:base" else ""
    links = ""
    if base == "self":
        links = f'<link rel="self" href="{BLOG}feed.atom"/>'
    elif base == "alternate":
        links = f'<link rel="alternate" href="{BLOG}"/>'
    entries = "".join(_atom_entry(s) for s in specs)
    return (f'{head}<feed xmlns="http://www.w3.org/2005/Atom"{attrs}><title>Fuzz blog</title>'
            f"{links}<id>tag:blog.example.org,2013:feed</id><updated>2025-01-01T00:00:00Z"
            f"</updated>{entries}</feed>")  # fmt: skip


def _json_feed(specs: list[dict], escaped_slashes: bool) -> str:
    items = []
    for s in specs:
        item = {"id": s["guid"] or s["link"] or f"id-{len(items)}",
                "date_published": _date_str(s["date"])}  # fmt: skip
        if s["link"]:
            item["url"] = s["link"]
        if s["title"] is not None:
            item["title"] = s["title"]
        if s["text"] is not None:
            item["content_text"] = s["text"]
        if s["author"]:
            item["authors"] = [{"name": s["author"]}]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Fuzz wire",
            "home_page_url": BLOG, "items": items}  # fmt: skip
    text = json.dumps(feed, ensure_ascii=False, indent=1)
    return text.replace("/", "\\/") if escaped_slashes else text  # PHP's json_encode does this


@st.composite
def feed_doc(draw, prefix: str = "f", max_items: int = 8, local: bool = False) -> Doc:
    """An RSS 2.0, Atom, RSS 1.0 or JSON Feed document. `local`: the source is a file, so no
    relative link may depend on the URL it was fetched from."""
    fmt = draw(st.sampled_from(FEED_FORMATS))
    bases = [b for b in LINK_BASES if not (local and b == "fetched")]
    base = draw(st.sampled_from(bases)) if fmt == "atom" else "absolute"
    n = draw(st.integers(1, max_items))
    pairs = [draw(feed_item(f"{prefix}{i}", base)) for i in range(n)]
    specs, items = [p[0] for p in pairs], tuple(p[1] for p in pairs)
    if fmt == "jsonfeed":
        text = _json_feed(specs, escaped_slashes=draw(st.booleans()))
        name = draw(st.sampled_from([f"{prefix}.json", f"{prefix}-feed.json"]))
    else:
        text = _xml_feed(fmt, specs, base)
        name = f"{prefix}.{ {'rss': 'rss', 'atom': 'atom', 'rdf': 'rdf'}[fmt] }"
        name = draw(st.sampled_from([name, f"{prefix}.xml"]))
    uri = f"{BLOG}feed.atom" if base == "fetched" else None
    return Doc(name, encode(text), items, uri=uri)


@st.composite
def html_doc(draw, prefix: str = "h") -> Doc:
    """An article page with metadata (canonical link, meta and JSON-LD dates), its body nested
    0 to 100,000 elements deep; GOOD when it has paragraphs, ODD when it has none."""
    url = f"https://news.example.org/{prefix}/{draw(st.sampled_from(WORDS[:20]))}.html"
    title = draw(title_like()) + f" {prefix}"
    paragraphs = draw(prose(paragraphs=(3, 6)))
    # A page without paragraphs and headline is no article, but nav text may still be read as
    # one ("Home | World"): ODD, either outcome is accounted for.
    kind = draw(st.sampled_from([GOOD, GOOD, GOOD, ODD]))
    if kind == ODD:
        paragraphs = []
    depth = draw(st.sampled_from([0, 0, 3, 30, 300, 3000, 100_000]))
    date = draw(st.one_of(date_text().map(lambda d: d.text), st.sampled_from(EXTREME_DATES)))
    author = {"@type": "Person", "name": "Ada Reporter"}
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": date, "author": author})  # fmt: skip
    head = f"<h1>{escape(title)}</h1>" if kind == GOOD else ""  # a headline alone is an article
    body = head + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    nav = "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)} | N</title>"
            f"<link rel='canonical' href='{url}'><meta property='article:published_time' "
            f"content={quoteattr(date)}><script type='application/ld+json'>{ld}</script></head>"
            f"<body>{nav}{'<div>' * depth}<article>{body}</article>{'</div>' * depth}"
            "<footer>© News</footer></body></html>")  # fmt: skip
    what = f"page nested {depth} deep" if kind == GOOD else "page without main text"
    item = Item(kind, url if kind == GOOD else None, what, page[:200])
    return Doc(f"{prefix}.{draw(st.sampled_from(['html', 'htm']))}", encode(page), (item,))


@st.composite
def text_doc(draw, prefix: str = "t") -> Doc:
    """Scraped plain text: a headline, a byline, a date line, prose and clutter. One item, ODD:
    the cleaner may judge it no article."""
    lines = [draw(title_like()), draw(st.sampled_from(["", "By Ada Reporter", "di Mario Rossi"]))]
    lines.append(draw(st.one_of(date_text().map(lambda d: d.text), st.sampled_from(EXTREME_DATES))))
    lines += draw(prose(paragraphs=(1, 4)))
    lines += draw(st.lists(st.sampled_from(["Home | World | Sport", "Read also", "© 2025 News"])))
    text = "\n".join(lines)
    return Doc(f"{prefix}.txt", encode(text), (Item(ODD, None, "plain text", text[:200]),))


NAMES = st.sampled_from(["doc", "a b", "x[1]", "città", "feed.rss", "page", "-", "n.json"])
EXTENSIONS = st.sampled_from(
    [".txt", ".html", ".htm", ".jsonl", ".ndjson", ".json", ".xml", ".rss", ".atom", ".rdf",
     ".gz", ".txt.gz", ".jsonl.gz", "", ".bin", ".HTML", ".expect"]
)  # fmt: skip


@st.composite
def random_bytes_doc(draw) -> Doc:
    data = draw(st.one_of(st.binary(max_size=2048), st.binary(max_size=64).map(lambda b: b * 40)))
    return Doc(draw(NAMES) + draw(EXTENSIONS), data, None)


# Tokens that matter to the parsers, spliced into real documents.
TOKENS = (
    b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\xc3", b"\x80",
    b"&bogus;", b"&#0;", b"&#x202E;", b"&amp;", b"<![CDATA[", b"]]>", b"<!--", b"-->",
    b"<item>", b"</item>", b"<entry>", b"</entry>", b"<link>", b"</channel>", b"<rss>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', b"&a;", b'encoding="utf-16"',
    b'encoding="bogus"', b'xml:base="/x/"', b"Mon, 01 Jan 0001 +0100", b"9999-12-31T23:59:59Z",
    b"\x1f\x8b", b"{", b"}", b'"', b"\\ud800", b"\r", b"\n\n",
)  # fmt: skip


@st.composite
def mutated_doc(draw, seeds: Seeds) -> Doc:
    """A real document after 1 to 8 byte-level edits (flips, cuts, repeats, tokens, splices)."""
    name, data = draw(st.sampled_from(seeds))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "token", "repeat", "cut", "splice"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        size = draw(st.sampled_from([1, 2, 8, 64, 512]))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del data[at : at + size]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "repeat":
            data[at:at] = data[at : at + size] * draw(st.integers(2, 50))
        elif op == "cut":
            del data[at:]
        else:
            other = draw(st.sampled_from(seeds))[1]
            data[at:] = other[draw(st.integers(0, max(0, len(other) - 1))) :]
    return Doc(name, bytes(data), None)


def gzipped(doc: Doc, rename: bool) -> Doc:
    name = doc.name + ".gz" if rename else doc.name
    return doc._replace(name=name, data=gzip.compress(doc.data, mtime=0))


def utf16(doc: Doc, encoding: str, bom: bool) -> Doc:
    """The same document in UTF-16 (LE or BE), with or without its byte order mark."""
    text = doc.data.decode("utf-8").removeprefix("\ufeff")
    data = text.encode(encoding)
    if bom:
        data = ("\ufeff".encode(encoding)) + data
    return doc._replace(data=data)


def any_doc(seeds: Seeds) -> st.SearchStrategy[Doc]:
    """Every kind of input document parse_document may meet."""
    return st.one_of(
        jsonl_doc(),
        json_array_doc(),
        feed_doc(),
        html_doc(),
        text_doc(),
        random_bytes_doc(),
        mutated_doc(seeds),
        st.builds(gzipped, st.one_of(jsonl_doc(), feed_doc(), text_doc()), st.booleans()),
    )
