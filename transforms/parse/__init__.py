"""Parse step: RawDocument -> Article per item | Failure("parse", ...).

ParseDocuments is the composite; parse_document() its pure core. The rest is what bench/ and the
tests reach in from outside: parse_feed() alone on a feed, and the HTML and plain-text cleaners.
"""

from transforms.parse.decoding import decode_bytes
from transforms.parse.feeds import feedparser_result, parse_feed
from transforms.parse.html import fragment_to_text
from transforms.parse.plaintext import clean_plain_text
from transforms.parse.step import ParseDocuments, parse_document, parse_page

__all__ = [
    "ParseDocuments",
    "clean_plain_text",
    "decode_bytes",
    "feedparser_result",
    "fragment_to_text",
    "parse_document",
    "parse_feed",
    "parse_page",
]
