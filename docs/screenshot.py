"""Redraw the page screenshots in docs/ (Debian's Chromium, no CJK system font needed: the page
carries its own font): page.png (English, desktop, a what-if move), page-zh.png (Chinese,
desktop), page-zh-phone.png (Chinese, 390×844), and the best-district charts in both languages.
Usage: python docs/screenshot.py"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import running_server  # noqa: E402
from tests.test_page import CHROMIUM, FLAGS  # noqa: E402


def _shoot(browser, base: str, out: str, lang: str, size: tuple[int, int], *, move: bool) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.select_option("#example", "relocating-little-giant")
    page.fill("#wi-move-date", "2027-01-15")
    if move:
        page.select_option("#wi-district", "daxing")  # what if it moves to Daxing on that date?
        page.wait_for_selector("#whatif:not([hidden])")
    page.dispatch_event("#wi-move-date", "change")
    page.wait_for_function("document.querySelector('#ranking-note').textContent.includes('2027-01-15')")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(ROOT / "docs" / out), full_page=True)
    context.close()
    print(f"wrote docs/{out}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    with running_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        _shoot(browser, base, "page.png", "en", (1400, 900), move=True)
        _shoot(browser, base, "page-zh.png", "zh", (1400, 900), move=True)
        _shoot(browser, base, "page-zh-phone.png", "zh", (390, 844), move=False)
        browser.close()
    for lang, out in (("en", "best-district.png"), ("zh", "best-district-zh.png")):
        subprocess.run([sys.executable, "-c", "from cli import app; app()", "best-district",
                        "examples/relocating-little-giant.yaml", "--move-date", "2027-01-15",
                        "--format", "png", "--out", f"docs/{out}", "--lang", lang], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
