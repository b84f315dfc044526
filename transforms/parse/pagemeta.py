"""Page metadata for parse: dates (each with its source), canonical URL, site name, authors and
headline from a parsed HTML tree's JSON-LD, meta tags, <time> elements and URL.
"""

from __future__ import annotations

import json
import re
from typing import Any

_JSONLD_ARTICLE_TYPES = frozenset(
    [
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SocialMediaPosting",
    ]
)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "article.published",
    "og:article:published_time",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[^\d]|$)"
)
_URL_WORD_DATE = re.compile(
    r"/((?:19|20)\d{2})/([a-z]{3,9})/(0?[1-9]|[12]\d|3[01])/", re.IGNORECASE
)
# A <time> that says it is the publication time; other <time>s may belong to a sidebar, and are
# left to htmldate's visible-text heuristics, which weigh their position.
_PUBLISHED_TIME = (
    "//*[@itemprop='datePublished'][@datetime or @content]"
    " | //time[@datetime][@pubdate or contains(@class, 'publish') or contains(@class, 'posted')]"
    " | //article//time[@datetime] | //header//time[@datetime]"
)


def _jsonld_objects(tree: Any) -> list[dict]:
    objects: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            objects.append(node)
            walk(node.get("@graph"))

    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        try:
            walk(json.loads(script.text or "", strict=True))
        except (ValueError, RecursionError):
            continue
    return objects


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def page_metadata(tree: Any, url: str | None) -> dict:
    """Dates (each with its source), canonical URL, site name, authors, headline and paywall flag
    of a page.

    Dates are raw strings in order of trust: JSON-LD, then meta tags, then <time> elements, then
    the URL; the caller parses the first that reads as a date.
    """
    meta = _jsonld_metadata(tree)
    values = _meta_tags(tree)
    meta["dates"] += [("meta", values[k]) for k in _PUBLISHED_META if values.get(k)]
    meta["modified"] += [("meta", values[k]) for k in _MODIFIED_META if values.get(k)]
    for el in tree.xpath(_PUBLISHED_TIME)[:3]:
        meta["dates"].append(("html", el.get("datetime") or el.get("content")))
    meta["canonical_url"] = _canonical_url(tree, values)
    url_date = _url_date((meta["canonical_url"], url or values.get("og:url")))
    if url_date:
        meta["dates"].append(("url", url_date))
    if not meta.get("site_name"):
        meta["site_name"] = values.get("og:site_name") or values.get("application-name")
    if not meta["authors"] and values.get("author"):
        meta["authors"] = [values["author"]]
    return meta


def _jsonld_metadata(tree: Any) -> dict:
    """Dates, authors, headline, body and publisher of the page's JSON-LD objects of an article
    type; the first object to name one of them wins (the publisher: the first object, named or not)."""
    meta: dict = {
        "dates": [],
        "modified": [],
        "authors": [],
        "headline": None,
        "body": None,
        "paywalled": False,
    }
    for obj in _jsonld_objects(tree):
        if not _types(obj) & _JSONLD_ARTICLE_TYPES:
            continue
        meta["paywalled"] = meta["paywalled"] or _not_free(obj)
        if obj.get("datePublished"):
            meta["dates"].append(("jsonld", str(obj["datePublished"])))
        if obj.get("dateModified"):
            meta["modified"].append(("jsonld", str(obj["dateModified"])))
        meta["authors"] = meta["authors"] or _names(obj.get("author"))
        if isinstance(obj.get("headline"), str) and not meta["headline"]:
            meta["headline"] = obj["headline"].strip() or None
        meta["body"] = meta["body"] or _body(obj.get("articleBody"))
        publisher = _names(obj.get("publisher"))
        meta.setdefault("site_name", publisher[0] if publisher else None)
    return meta


def _body(value: Any) -> str | None:
    """articleBody: a string, or a list of paragraph strings."""
    parts = value if isinstance(value, list) else [value]
    text = "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return text or None


def _not_free(obj: dict) -> bool:
    """The article says isAccessibleForFree: false, on itself or on a part (Google's markup for
    paywalled content: the NewsArticle and its hasPart WebPageElement)."""
    parts = obj.get("hasPart")
    parts = parts if isinstance(parts, list) else [parts]
    for node in [obj, *(p for p in parts if isinstance(p, dict))]:
        value = node.get("isAccessibleForFree")
        if value is False or (isinstance(value, str) and value.strip().lower() == "false"):
            return True
    return False


def _meta_tags(tree: Any) -> dict[str, str]:
    """<meta> contents by lower-cased property, name or itemprop; the first of each key wins."""
    values: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and key not in values:
            values[key] = el.get("content", "").strip()
    return values


def _canonical_url(tree: Any, values: dict[str, str]) -> str | None:
    for link in tree.xpath("//link[@rel='canonical'][@href]"):
        return link.get("href").strip()
    return values.get("og:url")


def _url_date(candidates: tuple[str | None, str | None]) -> str | None:
    """A date written in the canonical URL, else in the page URL, as a string to parse."""
    for candidate in candidates:
        match = _URL_DATE.search(candidate or "")
        if match:
            return "-".join(match.groups())
        match = _URL_WORD_DATE.search(candidate or "")
        if match:  # /2019/nov/18/: day month year, read through the month table
            return " ".join(reversed(match.groups()))
    return None
