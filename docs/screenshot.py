"""Redraw docs/page.png: the planner page on an example, in Debian's Chromium.
Usage: python docs/screenshot.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import running_server  # noqa: E402
from tests.test_page import CHROMIUM, FLAGS  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    with running_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/")
        page.wait_for_selector("#example option[value='relocating-little-giant']", state="attached")
        page.select_option("#example", "relocating-little-giant")
        page.fill("#wi-move-date", "2027-01-15")
        page.select_option("#wi-district", "daxing")  # what if it moves to Daxing on that date?
        page.wait_for_function("document.querySelector('#ranking-note').textContent.includes('2027-01-15')")
        page.wait_for_function("document.querySelector('#total').textContent.includes('1,000,000')")
        page.screenshot(path=str(ROOT / "docs" / "page.png"), full_page=True)
        browser.close()
    print("wrote docs/page.png")


if __name__ == "__main__":
    main()
