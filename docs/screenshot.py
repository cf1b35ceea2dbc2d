"""Redraw the screenshots in docs/ (Debian's Chromium, no CJK system font needed: the page carries
its own font) at 1280 and 390 px in both languages, and print each page's width (it must not be
wider than the screen):

- page-{zh,en}-{1280,390}.png: the planner page, full length, with the record of a relocating
  little giant and a what-if move to Daxing on 2027-01-15;
- batch-{zh,en}-{1280,390}.png: the batch section after pasting sheet rows (one result, one error
  row);
- api-docs-{1280,390}.png: /docs (Swagger UI 5) with an operation open;
- best-district.png and best-district-zh.png: the ranking chart in both languages.

Usage: python docs/screenshot.py"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import running_server  # noqa: E402
from tests.test_page import CHROMIUM, FLAGS, LOCALES, SHEET, full_record  # noqa: E402

WIDTHS = (1280, 390)


def _page(browser, base: str, lang: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 800 else 844},
                                  locale=LOCALES[lang])
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready=true]")
    return page


def _shoot(browser, base: str, lang: str, width: int) -> None:
    page = _page(browser, base, lang, width)
    full_record(page)
    page.evaluate("document.fonts.ready")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(ROOT / "docs" / f"page-{lang}-{width}.png"), full_page=True)
    page.fill("#batch-text", SHEET)
    page.click("#batch-run")
    page.wait_for_selector("#batch-out:not([hidden])")
    page.locator("#batch").screenshot(path=str(ROOT / "docs" / f"batch-{lang}-{width}.png"))
    scroll_batch = page.evaluate("document.documentElement.scrollWidth")
    print(f"docs/page-{lang}-{width}.png, docs/batch-{lang}-{width}.png: page width {scroll} px, "
          f"with the batch results {scroll_batch} px, screen {width} px")
    page.context.close()


def _docs(browser, base: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(base + "/docs")
    page.locator(".opblock-summary-path", has_text="/v1/batch").first.click()
    page.wait_for_selector(".opblock-body")
    page.screenshot(path=str(ROOT / "docs" / f"api-docs-{width}.png"))
    print(f"docs/api-docs-{width}.png")
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    with running_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for lang in LOCALES:
            for width in WIDTHS:
                _shoot(browser, base, lang, width)
        for width in WIDTHS:
            _docs(browser, base, width)
        browser.close()
    for lang, out in (("en", "best-district.png"), ("zh", "best-district-zh.png")):
        subprocess.run([sys.executable, "-c", "from cli import app; app()", "best-district",
                        "examples/relocating-little-giant.yaml", "--move-date", "2027-01-15",
                        "--format", "png", "--out", f"docs/{out}", "--lang", lang], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
