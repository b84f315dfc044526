"""Plain-text cleaning: the seeds' expectation sidecars, and the general rules on text unlike them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import SEEDS
from transforms.core.records import Article, RawDocument
from transforms.parse import clean_plain_text, parse_document
from transforms.parse.plaintext import first_sentence

FETCHED_AT = 1_800_000_000_000_000  # 2027-01-15, after every seed's date
SIDECARS = sorted(SEEDS.glob("*.expect.json"))


def _parse_seed(sidecar):
    path = sidecar.with_name(sidecar.name.removesuffix(".expect.json"))
    items = list(parse_document(RawDocument(str(path), path.read_bytes(), FETCHED_AT)))
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0], json.loads(sidecar.read_text(encoding="utf-8"))


def test_every_seed_has_a_sidecar():
    seeds = sorted(p for p in SEEDS.iterdir() if not p.name.endswith(".expect.json"))
    assert len(seeds) == 5
    assert [p.name + ".expect.json" for p in seeds] == [s.name for s in SIDECARS]


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name[:3])
def test_seed_title(sidecar):
    article, expect = _parse_seed(sidecar)
    if expect["title"] is None:
        assert article.title_source != "headline"
    else:
        assert article.title == expect["title"]


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name[:3])
def test_seed_date(sidecar):
    article, expect = _parse_seed(sidecar)
    if expect["published_date"] is None:
        assert article.published_at is None
        assert article.published_at_source == "none"
    else:
        day = datetime.fromtimestamp(article.published_at / 1e6, UTC).date()
        assert day.isoformat() == expect["published_date"]
        assert article.published_at_source == "text"


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name[:3])
def test_seed_body_bounds(sidecar):
    article, expect = _parse_seed(sidecar)
    first, last = expect["first_sentence"], expect["last_sentence"]
    # A few characters of slack at the edges: scrapers glue stray words onto paragraphs.
    assert first in article.text[: len(first) + 12]
    assert article.text.rstrip().endswith(last)


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name[:3])
def test_seed_clutter_is_gone(sidecar):
    article, expect = _parse_seed(sidecar)
    left = [s for s in expect["must_be_gone"] if s in article.text]
    assert not left
    for author in expect.get("authors", []):
        assert author in article.authors
    assert "\n\n" in article.text or len(article.text) < 2000  # paragraphs kept apart


# General rules on English text built for the test, unlike any seed.
PAGE = """Home News Sport Business Culture
Sign in
Storm closes ports along the northern coast as winds reach record speeds
By Jane Example and Tom Sample
Published 12 March 2024
Share Tweet Email
A container ship waits outside the harbour. Photo: Example Agency
Jane Example/Example Agency
Port authorities closed three harbours on Tuesday after winds of more than 150 km/h battered the coast, halting freight and passenger traffic for the day.
Officials said the closure would last until the storm moved east, and that no injuries had been reported so far.
READ MORE: Ten things to know about winter storms
What happens next
Forecasters expect the winds to ease by Thursday, when ferries should resume a reduced timetable across the region.
Related stories
Flood warnings issued for river valleys
Ferry operator cuts winter routes
© Example News 2024
"""


def test_general_rules_on_an_unseen_layout():
    page = clean_plain_text(PAGE)
    assert page.title == "Storm closes ports along the northern coast as winds reach record speeds"
    assert page.title_source == "headline"
    assert page.authors == ["Jane Example", "Tom Sample"]
    assert datetime.fromtimestamp(page.published_at / 1e6, UTC).date().isoformat() == ("2024-03-12")
    paragraphs = page.text.split("\n\n")
    assert paragraphs[0].startswith("Port authorities closed three harbours")
    assert paragraphs[-1].startswith("Forecasters expect the winds")
    assert "What happens next" in paragraphs  # a sub-heading inside the body stays
    for clutter in ("Sign in", "Share Tweet", "Photo:", "READ MORE", "Related stories", "Flood"):
        assert clutter not in page.text
    assert page.source_name == "Example News 2024"


@pytest.mark.parametrize(
    "line, kept",
    [
        ("Officials confirmed the figures on Monday and said more data would follow soon.", True),
        ("Subscribe Login Register Menu", False),
        ("Watch the full interview on example.com", False),
        ("ALSO READ  Markets fall as oil climbs", False),
    ],
)
def test_a_line_inside_the_body(line, kept):
    body = "A long first paragraph that reads like prose and ends with a full stop for sure. " * 2
    page = clean_plain_text(f"{body}\n{line}\n{body.replace('first', 'last')}")
    assert (line in page.text) is kept


def test_nothing_article_like_gives_empty_text():
    assert clean_plain_text("Home\nMenu\nLogin\n").text == ""


def test_first_sentence():
    assert first_sentence("One sentence here. Another one.") == "One sentence here."


@pytest.mark.parametrize(
    "header, expected",
    [
        # The page banner (today's date) loses to the article's own dateline.
        (
            (
                "Monday, 4 November 2024\nHarbour reopens after the long storm season\n"
                "Published 12 March 2024"
            ),
            "2024-03-12",
        ),
        (
            (
                "Harbour reopens after the long storm season\nUpdated 13 March 2024, published "
                "12 March 2024"
            ),
            "2024-03-12",
        ),
        ("Harbour reopens after the long storm season\nUpdated 13 March 2024", "2024-03-13"),
        ("4 November 2024\nHarbour reopens after the long storm season\n12/03/2024", "2024-03-12"),
        ("4 November 2024\nHarbour reopens after the long storm season", "2024-11-04"),
    ],
)
def test_the_article_date_beats_the_banner(header, expected):
    body = "The harbour reopened on Tuesday after three weeks of storms, officials said today. " * 3
    page = clean_plain_text(f"{header}\n{body}")
    day = datetime.fromtimestamp(page.published_at / 1e6, UTC).date().isoformat()
    assert day == expected


# The cue words come from data/plaintext_cues.tsv: one case per kind, in several languages.
BODY = "A long first paragraph that reads like prose and ends with a full stop for sure. " * 2


@pytest.mark.parametrize(
    "line",
    [
        "Foto: Mario Rossi",  # credit_label (it)
        "Crédits : Jean Dupont",  # credit_label (fr)
        "Il presidente al vertice (Immagine LaPresse)",  # credit stem immagin* (it)
        "Leggi anche: le ultime notizie dal vertice",  # read_also (it)
        "Lesen Sie auch: Die Börse schließt im Plus",  # read_also (de)
        "Leia também: Governo anuncia medidas",  # read_also (pt)
    ],
)
def test_multilingual_clutter_lines_leave_the_body(line):
    lines = [BODY.replace("first", word) for word in ("first", "second", "third", "last")]
    page = clean_plain_text("\n".join([*lines[:2], line, *lines[2:]]))
    assert line not in page.text and "last paragraph" in page.text


@pytest.mark.parametrize(
    "heading",
    ["Articoli correlati", "Sur le même sujet", "Kommentare", "Похожие статьи", "12 comments"],
)
def test_section_end_headings_in_any_language_end_the_article(heading):
    tail = "An unrelated teaser paragraph about another story that is long enough to be prose."
    page = clean_plain_text(f"{BODY}\n{BODY}\n{heading}\n{tail}")
    assert tail not in page.text and page.text.startswith("A long first paragraph")


@pytest.mark.parametrize(
    "byline, authors",
    [
        ("Di Mario Rossi e Anna Bianchi", ["Mario Rossi", "Anna Bianchi"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Von Hans Müller und Eva Schmidt", ["Hans Müller", "Eva Schmidt"]),
        ("Por Ana García y Luis Pérez", ["Ana García", "Luis Pérez"]),
        ("Door Jan de Vries", []),  # names must be capitalised: "de" breaks the byline
    ],
)
def test_bylines_in_several_languages(byline, authors):
    page = clean_plain_text(f"Harbour reopens after the long storm season\n{byline}\n{BODY}")
    assert page.authors == authors


@pytest.mark.parametrize(
    "dateline, expected",
    [
        ("Aggiornato il 13 marzo 2024, pubblicato il 12 marzo 2024", "2024-03-12"),
        ("Mis à jour le 13 mars 2024", "2024-03-13"),
        ("Veröffentlicht am 12. März 2024", "2024-03-12"),
    ],
)
def test_date_cues_in_several_languages(dateline, expected):
    page = clean_plain_text(
        f"4 November 2024\nHarbour reopens after the long storm\n{dateline}\n{BODY}"
    )
    day = datetime.fromtimestamp(page.published_at / 1e6, UTC).date().isoformat()
    assert day == expected


@pytest.mark.parametrize(
    "opening, expected",
    [
        ("Roma, 3 dicembre 2026 - Il governo ha approvato la legge", "2026-12-03"),
        ("BERLIN (Reuters), 2 March 2024 – The government agreed", "2024-03-02"),
        ("Paris, mardi 4 mars 2025 : le gouvernement a annoncé", "2025-03-04"),
        ("Madrid, 12/03/2024 - El Gobierno aprobó", "2024-03-12"),
        # Not a dateline: a date inside the sentence, or one not followed by a dash.
        ("Il 3 dicembre 2026 il governo ha approvato la legge", None),
        ("Roma, 3 dicembre 2026 il governo ha approvato la legge", None),
    ],
)
def test_a_wire_dateline_dates_a_page_without_a_header(opening, expected):
    page = clean_plain_text(f"{opening} di bilancio dopo un lungo dibattito in aula.\n{BODY}")
    day = page.published_at and datetime.fromtimestamp(page.published_at / 1e6, UTC).date()
    assert (day.isoformat() if day else None) == expected


def test_a_copyright_line_ends_the_article_and_names_the_site():
    page = clean_plain_text(f"{BODY}\nTutti i diritti riservati\n{BODY.replace('first', 'last')}")
    assert page.text == BODY.strip()
    page = clean_plain_text(f"{BODY}\n© Esempio News - Il titolo del giorno\n{BODY}")
    assert (page.source_name, page.title) == ("Esempio News", "Il titolo del giorno")


@pytest.mark.parametrize(
    "raw, title, text",
    [
        (
            "Breaking: Fed holds rates\n\nThe Federal Reserve kept interest rates unchanged.\n",
            "Breaking: Fed holds rates",
            "The Federal Reserve kept interest rates unchanged.",
        ),
        (
            (
                "Forte scossa di terremoto a Macerata stamattina.\n"
                "Nessun danno a persone, dice il sindaco."
            ),
            "Forte scossa di terremoto a Macerata stamattina.",
            (
                "Forte scossa di terremoto a Macerata stamattina.\n\n"
                "Nessun danno a persone, dice il sindaco."
            ),
        ),
        # Not a flash: one short sentence with no headline, or page furniture.
        ("Page not found\nThe page you asked for does not exist.", None, ""),
        ("Home\nNews\nLogin\n© 2026 Example News. All rights reserved.", None, ""),
    ],
)
def test_a_news_flash_of_short_sentences_is_an_article(raw, title, text):
    page = clean_plain_text(raw)
    assert (page.text, page.title if text else None) == (text, title)


@pytest.mark.parametrize(
    "first, title",
    [
        ("Fed holds rates", "Fed holds rates"),
        ("Merkel Steps Down", "Merkel Steps Down"),
        ("Home", None),  # one word: a menu, or a section name
        ("Di Mario Rossi", None),  # a byline
        ("4 marzo 2024", None),  # a date
        ("Ultime notizie", None),  # a section label (data/plaintext_cues.tsv)
        ("Breaking News", None),
    ],
)
def test_a_short_first_line_right_above_the_text_is_its_headline(first, title):
    page = clean_plain_text(f"{first}\n{BODY}\n{BODY}")
    assert page.title_source == ("headline" if title else "lead_sentence")
    assert page.title == (
        title or "A long first paragraph that reads like prose and ends with a full stop for sure."
    )


@pytest.mark.parametrize(
    "glued, expected",
    [
        # a link's text run into the next sentence, a headline into its teaser
        ("le prossime visite internazionaliMentre le sue forze", "internazionali Mentre le"),
        ("Conflitto a GazaSi prevede che ciò accada", "Gaza Si prevede"),
        ("as Ukraine war nears anniversaryChina's President Xi", "anniversary China's President"),
        ("hail energy tiesChinese leader Xi Jinping", "ties Chinese leader"),
    ],
)
def test_blocks_run_together_get_their_space_back(glued, expected):
    from transforms.parse.glue import unglue

    assert expected in unglue(glued)


@pytest.mark.parametrize(
    "text",
    [
        "Il volo easyJet è partito, come il volo airBaltic.",  # short brands
        "Su LinkedIn, YouTube e PayPal, con l'iPhone e JavaScript.",  # capitalised parts
        "Il marchio zorbaMarket ha aperto. Ieri zorbaMarket ha chiuso.",  # written twice
        "Vedi www.example.com/someThing, @userName e #noTav.",  # addresses, handles, hashtags
    ],
)
def test_names_written_with_inner_capitals_stay_whole(text):
    from transforms.parse.glue import unglue

    assert unglue(text) == text


def test_a_scraped_text_with_blocks_run_together_reads_as_words():
    raw = (
        "Putin e Xi si sono sentiti ieri in una lunga videochiamata sulla guerra e i commerci.\n"
        "Interrompi tutte le prossime visite internazionaliMentre le sue forze si difendevano "
        "dall'avanzata russa nella regione di Kharkiv, nel nord-est del suo Paese, il presidente "
        "ha annullato i viaggi."
    )
    text = clean_plain_text(raw).text
    assert "internazionali Mentre" in text and "internazionaliMentre" not in text
