"""The planner's web page in a real browser: Debian's Chromium driven by Playwright against
`zjtx serve` on loopback. Outside CI the tests skip when Chromium is not installed; in CI
(.ci/run installs it) a missing browser is a failure."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from benchmarks.load_test import running_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with running_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/")
        page.wait_for_selector("#example option[value='dongcheng-municipal-then-national']",
                               state="attached")
        yield page
        browser.close()


def _pick(page, name: str) -> None:
    page.select_option("#example", name)


def test_picking_an_example_shows_the_evaluation_clauses_and_whom_to_call(page) -> None:
    _pick(page, "dongcheng-municipal-then-national")
    page.wait_for_function("document.querySelector('#total').textContent.includes('900,000')")
    # Every claim year of this example is before the page's as_of: past claims are shown apart.
    table = page.inner_text("#past")
    assert "Dongcheng tier rewards" in table and "010-87160638" in table
    assert "check with the office whether it was paid" in page.inner_text("#past-title")
    assert "no award" in page.inner_text("#awards")
    assert "A one-time incentive of RMB 100,000 and RMB 800,000" in table
    assert "2023" in page.inner_text("#timeline") and "2025" in page.inner_text("#timeline")


def test_the_ranking_chart_has_sixteen_interval_bars(page) -> None:
    _pick(page, "relocating-little-giant")
    page.fill("#wi-move-date", "2027-01-15")
    page.dispatch_event("#wi-move-date", "change")
    page.wait_for_function("document.querySelector('#ranking-note').textContent.includes('2027-01-15')")
    assert page.locator("#ranking rect.bar").count() == 16
    assert "winner fengtai" in page.inner_text("#ranking-note")
    page.fill("#wi-move-date", "")
    page.dispatch_event("#wi-move-date", "change")


def test_a_reading_toggle_changes_the_total(page) -> None:
    _pick(page, "dongcheng-municipal-then-national")
    page.wait_for_function("document.querySelector('#total').textContent.includes('900,000')")
    page.select_option("#reading-stacking", "difference-only")
    page.wait_for_function("document.querySelector('#total').textContent.includes('800,000')")
    page.select_option("#reading-stacking", "cumulative")
    page.wait_for_function("document.querySelector('#total').textContent.includes('900,000')")


def test_a_whatif_recognition_changes_the_total(page) -> None:
    _pick(page, "daxing-hydrogen-municipal")
    page.wait_for_function("document.querySelector('#total').textContent.includes('500,000')")
    page.fill("#wi-tier-date", "2025-03-31")
    page.select_option("#wi-tier", "national")
    # Daxing sentence 2: national 1,000,000, the 500,000 difference on top of the municipal reward.
    page.wait_for_function("document.querySelector('#total').textContent.includes('1,000,000')")
    page.select_option("#wi-tier", "")
    page.wait_for_function("document.querySelector('#total').textContent.startsWith('500,000')")


def test_a_typed_record_with_a_bad_tier_names_the_field(page) -> None:
    record = {"id": "T-1", "district": "miyun", "recognitions": [{"tier": "gold", "date": "2023-01-01"}]}
    page.fill("#record", json.dumps(record))
    page.click("#evaluate")
    page.wait_for_selector("#error:not([hidden])")
    assert "recognitions[0].tier" in page.inner_text("#error")
    record["recognitions"][0]["tier"] = "municipal"
    page.fill("#record", json.dumps(record))
    page.click("#evaluate")
    page.wait_for_function("document.querySelector('#total').textContent.includes('200,000')")
    assert page.is_hidden("#error")


def test_the_worklist_names_the_window_and_whom_to_call(page) -> None:
    record = {"id": "W-1", "district": "shijingshan",
              "recognitions": [{"tier": "innovative", "date": "2026-03-31"}]}
    page.fill("#record", json.dumps(record))
    page.fill("#wl-date", "2026-12-01")
    page.click("#evaluate")
    page.wait_for_function("document.querySelector('#worklist tbody').textContent.includes('2026-12-31')")
    row = page.inner_text("#worklist tbody")
    assert "apply municipal" in row and "200,000" in row and "tel 010-87901013" in row
    page.fill("#wl-date", "")
