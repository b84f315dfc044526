"""A feed item and its fetched page -> one Article, pure.

How each field is chosen, and why:
- text: the page's main text when it is longer than the feed's (the feed held a teaser); else the
  feed's (a paywalled page or a page whose extractor found little). text_source says which.
- summary: the feed's summary, else the feed's own text (a teaser is a summary).
- title: the feed's (an editor wrote it for the feed, without the site's name or section), else
  the page's.
- published_at: the feed's date (explicit time zone, stated by the publisher for this item),
  else the page's best (JSON-LD, meta, <time>, URL: the batch HTML order).
- modified_at: the page's (JSON-LD dateModified is the most current), else the feed's.
- authors: the page's (JSON-LD and meta name people one by one), else the feed's.
- canonical_url: the page's own (<link rel=canonical>, og:url; AMP folded), else the link's; not
  a site's home page, which misconfigured templates name as every article's canonical URL.
  article_id, url and guid stay the feed item's: they are its identity for the dedupe.
- paywalled: what the page's JSON-LD says; the page is never fetched another way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from transforms.core.records import Article


def _page_canonical(page: Article) -> str | None:
    url = page.canonical_url
    return url if url and urlsplit(url).path not in ("", "/") else None


def merge_page(item: Article, page: Article) -> Article:
    """`item` from the feed, `page` from the same HTML path as batch pages (parse)."""
    use_page = len(page.text) > len(item.text)
    merged = item._replace(
        summary=item.summary or item.text,
        title=item.title or page.title,
        title_source=item.title_source if item.title else page.title_source,
        authors=tuple(page.authors) or tuple(item.authors),
        modified_at=page.modified_at if page.modified_at is not None else item.modified_at,
        canonical_url=_page_canonical(page) or item.canonical_url,
        source_name=item.source_name or page.source_name,
        paywalled=page.paywalled,
        fetch_status="ok",
    )
    if item.published_at is None and page.published_at is not None:
        merged = merged._replace(
            published_at=page.published_at, published_at_source=page.published_at_source
        )
    if use_page:
        merged = merged._replace(
            text=page.text,
            text_source="page",
            content_hash=page.content_hash,
            feed_hash=item.content_hash,
        )
    return merged
