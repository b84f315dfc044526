"""The README's screenshot of `newsbeam report` (docs/report.png), made again from scratch:

    python bench/report_screenshot.py --shared ../shared

Runs newsbeam on the seeds and on the saved feeds of ../shared/eval/feeds (rssparser-realworld,
feedparser-tests) into one dataset, writes its report, and photographs the top of the page in
headless chromium (Debian's chromium and chromium-driver).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")  # fmt: skip


def newsbeam(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=ROOT, check=True)


def photograph(page: Path, png: Path, width: int, height: int) -> None:
    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        *FLAGS,
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp()}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(page.as_uri())
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('figure.chart > div')]"
            ".every(c => c.querySelector('svg'))"))  # fmt: skip
        image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    finally:
        driver.quit()
    image.quantize(colors=128).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--height", type=int, default=2600)
    args = parser.parse_args()
    feeds = args.shared.resolve() / "eval" / "feeds"
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "out"
        newsbeam("run", "--output", str(out))
        for name in ("rssparser-realworld", "feedparser-tests"):
            newsbeam("run", "--input", f"{feeds / name}/**", "--output", str(out))
        page = Path(work) / "report.html"
        newsbeam("report", str(out), "--output", str(page))
        photograph(page, args.output, 1400, args.height)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e3:.0f} KB)")


if __name__ == "__main__":
    main()
