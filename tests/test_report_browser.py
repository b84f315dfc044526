"""The report in a real browser: Debian's chromium, headless, through chromium-driver (.ci/run
installs both). Every chart is drawn with SVG marks, nothing reaches the console as an error, and
the screenshot is not blank — on a synthetic dataset where every section has data, and on the
pipeline's own output for the seeds."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sys

import pytest

from pipeline.cli import main
from pipeline.report import write_report
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from report_dataset import make_dataset, write_sources

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
# The flags this machine needs (no network, no sandbox as root, no GPU): .library/env notes.
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1400,1000",
)  # fmt: skip
DRAWN = """
const charts = [...document.querySelectorAll('figure.chart > div')];
return charts.map(c => [c.id, c.querySelectorAll('svg g.role-mark > *').length,
                        c.textContent.includes('could not be drawn')]);
"""


def _browser_paths() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    paths = _browser_paths()
    if paths is None:
        if os.environ.get("NEWSBEAM_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "chromium and chromedriver are required (apt-get install chromium chromium-driver)"
            )
        pytest.skip("chromium/chromedriver not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=paths[1]), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def render(driver, html_path) -> dict:
    """Open the page, wait until every chart has drawn (or failed), and read what it shows."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(html_path.as_uri())
    # get() should return once the page has loaded; under load (two test workers and chromium
    # on two cores) a fresh clone's CI once counted 3 of the page's charts. The page is static
    # HTML: count once the document says it is complete.
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    charts = driver.execute_script("return document.querySelectorAll('figure.chart > div').length")
    WebDriverWait(driver, 30).until(
        lambda d: all(n or failed for _, n, failed in d.execute_script(DRAWN))
    )
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(height, 6000))
    return {
        "charts": charts,
        "drawn": driver.execute_script(DRAWN),
        "console": [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")],
        "screenshot": driver.get_screenshot_as_png(),
    }


def assert_rendered(shown: dict, at_least: int) -> None:
    from PIL import Image

    assert shown["charts"] >= at_least
    assert shown["console"] == []
    for chart_id, marks, failed in shown["drawn"]:
        assert not failed and marks > 0, chart_id
    image = Image.open(io.BytesIO(shown["screenshot"])).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, bars and legends, not a blank page
    white = max(count for count, rgb in colours if rgb == (255, 255, 255))
    assert white < 0.95 * image.width * image.height


def test_every_chart_draws_without_console_errors(browser, tmp_path):
    out = tmp_path / "out"
    make_dataset(out, 2000, days=50, dead=120, exact=15)
    start = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    write_sources(out, start, [
        {"feed": f"https://f{i}.example/rss", "polls": 10, "http_200": 10 - i, "http_304": 0,
         "http_4xx": i, "http_5xx": 0, "timeouts": 0, "robots_blocked": 0, "new_items": 5,
         "pages_fetched": 4, "last_success": start}
        for i in range(4)
    ])  # fmt: skip
    html = tmp_path / "report.html"
    write_report(str(out), str(html), None, None, NOW)
    shown = render(browser, html)
    assert_rendered(shown, at_least=8)
    drawn = {chart_id for chart_id, _, _ in shown["drawn"]}
    assert {"chart-health", "chart-stories", "chart-topics", "chart-entities"} <= drawn


def test_the_seeds_run_reports_in_the_browser(browser, tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--output", str(out)]) == 0
    html = tmp_path / "seeds.html"
    assert main(["report", str(out), "--output", str(html)]) == 0
    assert_rendered(render(browser, html), at_least=6)
