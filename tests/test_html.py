"""HTML: fragments to paragraphs, and full pages through the extractor plus our metadata order."""

from __future__ import annotations

import pytest

from transforms.core.records import Article, Failure, RawDocument
from transforms.parse import parse_document
from transforms.parse.html import extract_article, fragment_to_text


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<p>Hello <b>world</b></p><p>Second</p>", "Hello world\n\nSecond"),
        ("<p>line one<br>line two</p>", "line one\nline two"),
        ("<div><ul><li>a</li><li>b</li></ul></div>", "a\n\nb"),
        ("<p>x</p><script>var a = 1;</script><style>p{}</style><p>y</p>", "x\n\ny"),
        ("Tom &amp; Jerry &lt;3", "Tom & Jerry <3"),
        ("plain\n\ntext  with   spaces", "plain\n\ntext with spaces"),
        ("<p>unclosed <i>tag", "unclosed tag"),
        ("<!-- comment --><p>kept</p>", "kept"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_fragment_to_text(fragment, expected):
    assert fragment_to_text(fragment) == expected


BODY = " ".join(
    f"Sentence number {i} of the story says something new about the harbour." for i in range(40)
)
PAGE = f"""<!doctype html><html><head>
<title>Storm closes ports | Example News</title>
<link rel="canonical" href="https://news.example.com/2024/03/12/storm-ports?utm_source=x">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-12T09:00:00+01:00">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Storm closes ports",
  "datePublished": "2024-03-12T08:30:00Z", "dateModified": "2024-03-13T10:00:00Z",
  "author": [{{"@type": "Person", "name": "Jane Example"}}]}}
</script></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Storm closes ports</h1><p>{BODY}</p><p>{BODY.replace("harbour", "coast")}</p></article>
<footer>Copyright Example News</footer></body></html>"""


def test_extract_article_prefers_structured_metadata():
    page = extract_article(PAGE, None)
    assert page["title"] == "Storm closes ports"
    assert page["title_source"] == "jsonld"
    assert page["dates"][0] == ("jsonld", "2024-03-12T08:30:00Z")
    assert ("meta", "2024-03-12T09:00:00+01:00") in page["dates"]
    assert page["modified"][0] == ("jsonld", "2024-03-13T10:00:00Z")
    assert page["authors"] == ["Jane Example"]
    assert page["site_name"] == "Example News"
    assert page["canonical_url"].startswith("https://news.example.com/2024/03/12/storm-ports")
    assert "Sentence number 0 of the story" in page["text"]
    assert "\n\n" in page["text"]
    assert "Home" not in page["text"] and "Copyright" not in page["text"]


def test_extract_article_on_a_page_without_text():
    page = extract_article("<html><head><title>x</title></head><body></body></html>", None)
    assert page["text"] == ""


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://x.org/2019/11/18/story", ("url", "2019-11-18")),
        ("https://x.org/news/20191118-story", ("url", "2019-11-18")),
        ("https://x.org/statements/2019/nov/18/story/", ("url", "18 nov 2019")),
        ("https://x.org/story-123", None),
    ],
)
def test_date_from_the_url(url, expected):
    import lxml.html

    from transforms.parse.pagemeta import page_metadata

    tree = lxml.html.fromstring(f"<html><head><link rel='canonical' href='{url}'></head></html>")
    dates = page_metadata(tree, None)["dates"]
    assert (dates[0] if dates else None) == expected


def test_a_sidebar_time_is_not_the_published_time():
    import lxml.html

    from transforms.parse.pagemeta import page_metadata

    html = (
        "<html><body><aside><time datetime='2001-01-01'>old</time></aside>"
        "<article><header><time datetime='2024-03-12T08:00:00Z'>today</time></header></article>"
        "</body></html>"
    )
    assert page_metadata(lxml.html.fromstring(html), None)["dates"] == [
        ("html", "2024-03-12T08:00:00Z")
    ]


@pytest.mark.parametrize(
    "title, site, expected",
    [
        ("Major layoffs begin | TheHill", "The Hill", "Major layoffs begin"),
        (
            "Meal Prep for Beginners | The Beachbody Blog",
            "The Beachbody Blog",
            "Meal Prep for Beginners",
        ),
        (
            "Milan Design Week 2018 | A light installation",
            "Inexhibit",
            "Milan Design Week 2018 | A light installation",
        ),
        ("&#8216;The Medium&#8217; &#8211; a festival", None, "‘The Medium’ – a festival"),
    ],
)
def test_titles_lose_the_site_name_and_entities(title, site, expected):
    from transforms.parse.html import _tidy_metadata

    result = _tidy_metadata({"title": title, "site_name": site, "authors": ["By TOM KRISHER"]})
    assert result["title"] == expected
    assert result["authors"] == ["TOM KRISHER"]


def _scripted_page(article_body: str, rendered: str = "") -> str:
    """A page its scripts render: the story is in the markup only as JSON-LD for search engines."""
    ld = (
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Summit ends",'
        f' "datePublished": "2026-11-28T18:30:00+01:00", "articleBody": {article_body}}}'
    )
    return (
        f'<!doctype html><html><head><script type="application/ld+json">{ld}</script></head>'
        f'<body><div id="app">{rendered}</div><script>window.render()</script></body></html>'
    )


@pytest.mark.parametrize(
    "article_body, expected",
    [
        (
            '"First paragraph of the summit story.\\nSecond one, Tom &amp; Jerry."',
            "First paragraph of the summit story.\n\nSecond one, Tom & Jerry.",
        ),
        ('["First paragraph.", "Second paragraph."]', "First paragraph.\n\nSecond paragraph."),
        ('"<p>First <b>paragraph</b>.</p><p>Second.</p>"', "First paragraph.\n\nSecond."),
    ],
)
def test_a_page_its_scripts_render_takes_the_text_of_its_json_ld(article_body, expected):
    page = extract_article(_scripted_page(article_body), None)
    assert page["text"] == expected
    assert page["title"] == "Summit ends" and page["dates"][0][0] == "jsonld"


def test_a_rendered_body_is_kept_over_a_json_ld_teaser():
    teaser = '"Sentence number 0 of the story says something new."'
    page = extract_article(_scripted_page(teaser, f"<article><p>{BODY}</p></article>"), None)
    assert page["text"].startswith("Sentence number 0") and "number 39" in page["text"]
    shown = "<article><p>Only the first lines are shown.</p></article>"
    page = extract_article(_scripted_page(f'"{BODY}"', shown), None)
    assert "number 39" in page["text"]  # the extractor saw less than half: the JSON-LD is whole


def _teaser(i: int, card_is_link: bool) -> str:
    headline = f"Headline number {i} about the economy and politics today"
    teaser = f"A short teaser sentence for story {i} that invites the reader to click through."
    if card_is_link:
        return f'<a href="/news/{i}"><h3>{headline}</h3><p>{teaser}</p></a>'
    return f'<div class="card"><h2><a href="/news/{i}">{headline}</a></h2><p>{teaser}</p></div>'


@pytest.mark.parametrize("card_is_link", [False, True])
def test_a_page_of_teasers_is_no_article(card_is_link):
    cards = "".join(_teaser(i, card_is_link) for i in range(12))
    page = f"<html><head><title>Home</title></head><body><main>{cards}</main></body></html>"
    [failure] = parse_document(RawDocument("home.html", page.encode(), 1_700_000_000_000_000))
    assert isinstance(failure, Failure) and "a page of teasers, not an article" in failure.error


def test_an_article_with_a_box_of_related_links_is_an_article():
    prose = "The council approved the new budget after a long debate on Tuesday evening. " * 3
    body = "".join(f"<p>{prose} Point {i}.</p>" for i in range(6))
    related = "".join(_teaser(i, False) for i in range(6))
    page = (
        "<html><head><title>Budget approved</title></head><body><article><h1>Budget approved</h1>"
        f"{body}</article><aside>{related}</aside></body></html>"
    )
    [article] = parse_document(RawDocument("a.html", page.encode(), 1_700_000_000_000_000))
    assert isinstance(article, Article) and article.text.startswith("The council approved")
