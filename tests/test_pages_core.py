"""The page fetcher's pure parts: which items are fetched, how a page and its feed item merge,
what an answer means, paywalls, AMP folding, the restart seed of fetched rows, the host gate."""

from __future__ import annotations

from conftest import make_article

from pipeline.sources.clock import FakeClock
from pipeline.sources.hostgate import HostGate, gate_for
from pipeline.sources.http import FetchResult
from pipeline.sources.pagejobs import page_status
from transforms.core.identity import canonical_url, content_hash
from transforms.dedupe.seed import seed_entries
from transforms.pages import ALWAYS, AUTO, FETCH, NEVER, fetch_plan, load_cues, merge_page
from transforms.parse.html import extract_article

LINK = "https://news.example/world/2026/12/03/talks"
FULL = " ".join(f"word{i}" for i in range(400))


def _item(text="Leaders met in Rome to talk about trade. Read more", **kw):
    kw.setdefault("url", LINK)
    kw.setdefault("source_uri", "https://news.example/feed.xml")
    return make_article(text, **kw)


def test_auto_fetches_teasers_and_skips_whole_texts():
    assert fetch_plan(_item(), AUTO) is FETCH  # short
    assert fetch_plan(_item(FULL), AUTO) == "skipped"  # a whole article in the feed
    assert fetch_plan(_item(FULL + " …"), AUTO) is FETCH  # long, but cut
    assert fetch_plan(_item(FULL + "\nContinua a leggere"), AUTO) is FETCH
    assert fetch_plan(_item(FULL), ALWAYS) is FETCH
    assert fetch_plan(_item(), NEVER) == "not_fetched"


def test_only_new_feed_items_with_a_web_link_are_fetched():
    assert fetch_plan(_item(version=2), ALWAYS) == "skipped"  # the URL was ingested before
    assert fetch_plan(_item(url=None), ALWAYS) == "not_fetched"
    assert fetch_plan(_item(url="ftp://news.example/a"), ALWAYS) == "not_fetched"
    assert fetch_plan(_item(text_source="page"), ALWAYS) == "not_fetched"  # an HTML file


def test_the_cues_come_from_the_data_file():
    cues = load_cues()
    assert cues.min_words > 50 and "…" in cues.endings and "weiterlesen" in cues.read_more


def test_merge_takes_each_field_from_the_better_source():
    item = _item(
        title="Talks in Rome",
        published=1_780_000_000_000_000,
        authors=("Feed Desk",),
        summary=None,
    )
    page = make_article(
        FULL,
        url="https://www.news.example/world/talks",
        title="Talks in Rome | News Example",
        published=1_770_000_000_000_000,
        authors=("Anna Rossi", "Marco Bianchi"),
        modified_at=1_790_000_000_000_000,
        paywalled=True,
        text_source="page",
    )
    merged = merge_page(item, page)
    assert merged.text == FULL and merged.text_source == "page" and merged.fetch_status == "ok"
    assert merged.content_hash == content_hash(FULL) and merged.feed_hash == item.content_hash
    assert merged.summary == item.text  # the feed's teaser becomes the summary
    assert merged.title == "Talks in Rome"  # the feed's headline, without the site's name
    assert merged.published_at == item.published_at  # the feed's own date
    assert merged.modified_at == page.modified_at
    assert merged.authors == ("Anna Rossi", "Marco Bianchi")
    assert merged.canonical_url == page.canonical_url and merged.url == item.url
    assert merged.article_id == item.article_id and merged.paywalled is True


def test_merge_keeps_the_feed_text_when_the_page_has_less():
    item = _item(FULL)
    page = make_article("Subscribe to read.", url=LINK, text_source="page", paywalled=True)
    merged = merge_page(item, page)
    assert merged.text == FULL and merged.text_source == "feed" and merged.feed_hash is None
    assert merged.fetch_status == "ok" and merged.paywalled is True


def test_an_undated_item_takes_the_page_date():
    page = make_article(FULL, url=LINK, published=1_770_000_000_000_000)
    page = page._replace(published_at_source="jsonld")
    merged = merge_page(_item(), page)
    assert (merged.published_at, merged.published_at_source) == (page.published_at, "jsonld")


def _result(status=200, **kw):
    kw.setdefault("content_type", "text/html; charset=utf-8")
    kw.setdefault("body", b"<html><body><p>x</p></body></html>")
    return FetchResult(LINK, LINK, status, **kw)


def test_each_answer_has_its_fetch_status():
    assert page_status(_result()) == "ok"
    assert page_status(_result(content_type="application/json", body=b"{}")) == "not_html"
    assert page_status(_result(content_type=None)) == "ok"  # sniffed: it is markup
    assert page_status(_result(content_type="application/pdf", body=b"%PDF-1.7")) == "not_html"
    assert page_status(_result(truncated=True)) == "too_large"
    assert page_status(_result(404, error="HTTP 404")) == "http_4xx"
    assert page_status(_result(429, error="HTTP 429")) == "http_4xx"
    assert page_status(_result(503, error="HTTP 503")) == "http_5xx"
    assert page_status(_result(0, error="timed out: no whole answer within 10 s")) == "timeout"
    assert page_status(_result(0, error="ReadTimeoutError: read timed out")) == "timeout"
    assert page_status(_result(0, error="NewConnectionError: refused")) == "error"


def _page(jsonld: str) -> str:
    return (
        "<html><head><script type='application/ld+json'>" + jsonld + "</script></head><body>"
        "<article><p>" + FULL + "</p></article></body></html>"
    )


def test_paywalled_is_what_the_json_ld_says():
    closed = '{"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": false}'
    as_text = '{"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": "False"}'
    part = (
        '{"@type": "NewsArticle", "headline": "H", "hasPart": {"@type": "WebPageElement", '
        '"isAccessibleForFree": false, "cssSelector": ".paywall"}}'
    )
    free = '{"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": true}'
    assert extract_article(_page(closed))["paywalled"] is True
    assert extract_article(_page(as_text))["paywalled"] is True
    assert extract_article(_page(part))["paywalled"] is True
    assert extract_article(_page(free))["paywalled"] is False
    assert (
        extract_article(_page('{"@type": "Person", "isAccessibleForFree": false}'))["paywalled"]
        is False
    )  # not about an article


def test_amp_variants_fold_into_the_page_they_stand_for():
    page = "https://www.news.example/world/talks"
    for amp in (
        "https://www.news.example/world/talks/amp",
        "https://www.news.example/world/talks/amp/",
        "https://www.news.example/amp/world/talks",
        "https://www.news.example/world/talks.amp",
        "https://www.news.example/world/talks?amp=1",
        "https://www-news-example.cdn.ampproject.org/c/s/www.news.example/world/talks/amp",
    ):
        assert canonical_url(amp) == page, amp
    assert canonical_url("https://x.example/news/a.amp.html") == "https://x.example/news/a.html"
    assert canonical_url("https://x.example/ampere") == "https://x.example/ampere"
    assert canonical_url("https://x.example/champ") == "https://x.example/champ"


def test_the_restart_seed_knows_a_fetched_row_by_its_link_and_its_feed_text():
    row = {
        "article_id": "a1",
        "url": LINK + "?utm_source=rss",
        "canonical_url": "https://www.news.example/other-canonical",  # what the page said
        "guid": None,
        "content_hash": "page-hash",
        "feed_hash": "feed-hash",
        "version": 1,
        "duplicate_of": None,
        "ingested_at": 1,
        "published_at": 1,
    }
    known = dict(seed_entries([row]))
    entry = known[f"id:url:{canonical_url(LINK)}"]
    assert set(entry.hashes) == {"page-hash", "feed-hash"}


def test_the_gate_spaces_every_fetcher_of_a_host():
    gate = HostGate()
    assert gate.ready_at("h", 1_000_000) == 0
    gate.ended("h", 5_000_000)
    assert gate.ready_at("h", 1_000_000) == 6_000_000
    gate.pause("h", 60_000_000)
    assert gate.ready_at("h", 1_000_000) == 60_000_000
    assert gate.ready_at("other", 1_000_000) == 0
    with FakeClock() as a, FakeClock() as b:
        gate_for(a).ended("h", 1)
        assert gate_for(a) is gate_for(a) and gate_for(b).ready_at("h", 10) == 0


def test_a_host_that_stops_answering_is_not_asked_for_its_other_pages():
    from pipeline.sources.pagejobs import PageJobs
    from pipeline.sources.robots import RobotsCache, RobotsRules

    with FakeClock() as clock:
        urls = [f"https://down.example/{i}" for i in range(3)] + ["https://up.example/a"]
        cache = RobotsCache()
        for origin in ("https://down.example", "https://up.example"):
            cache.put(origin, RobotsRules("allow_all", "", 0, 1 << 62, "test"), clock)
        jobs = PageJobs(
            urls,
            gate=HostGate(),
            cache=cache,
            clock=clock,
            user_agent="t",
            delay_s=0,
            max_retry_after_s=0,
        )
        job = jobs.next_job("down.example", 0)
        refused = FetchResult(job.url, job.url, 0, error="NewConnectionError: refused")
        outcome = jobs.record(job, refused, 1)
        assert outcome.status == "error"
        assert [(u, o.status, o.result) for u, o in jobs.decided] == [
            ("https://down.example/1", "error", None),
            ("https://down.example/2", "error", None),
        ]
        assert jobs.ready_at("down.example") is None
        assert jobs.next_job("up.example", 1).url == "https://up.example/a"  # other hosts go on


def test_a_home_page_named_as_canonical_is_not_taken():
    page = make_article(FULL, url="https://www.news.example/", text_source="page")
    assert merge_page(_item(), page).canonical_url == canonical_url(LINK)


def test_internal_addresses_are_told_apart_from_public_ones():
    from pipeline.sources.addresses import REASON, literal_reason, resolved_reason

    for url in (
        "http://127.0.0.2/a",
        "http://localhost:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ):
        assert literal_reason(url) == REASON, url
    assert literal_reason("https://93.184.216.34/") is None
    assert literal_reason("https://news.example/a") is None

    def resolve(answer):
        return lambda host, port: [(2, 1, 6, "", (answer, 0))]

    assert resolved_reason("https://intranet.example/", resolve("10.1.2.3")) == REASON
    assert resolved_reason("https://news.example/", resolve("93.184.216.34")) is None

    def unknown(host, port):
        raise OSError("no such name")

    assert resolved_reason("https://nowhere.example/", unknown) is None  # the fetch fails on it


def test_a_redirect_to_an_internal_address_is_refused_unless_the_host_is_a_polled_feeds():
    from pipeline.sources.pagejobs import PageJobs
    from pipeline.sources.robots import RobotsCache

    with FakeClock() as clock:
        kw = {"gate": HostGate(), "cache": RobotsCache(), "clock": clock, "user_agent": "t"}
        jobs = PageJobs(["https://news.example/a"], delay_s=0, max_retry_after_s=0, **kw)
        assert jobs.may_request("http://169.254.169.254/latest/") is not None
        trusted = PageJobs(
            ["https://news.example/a"],
            delay_s=0,
            max_retry_after_s=0,
            exempt_hosts=frozenset({"10.0.0.5"}),
            **kw,
        )
        assert trusted.may_request("http://10.0.0.5/story") is None
        allowed = PageJobs([], delay_s=0, max_retry_after_s=0, allow_private=True, **kw)
        assert allowed.may_request("http://127.0.0.1/x") is None
