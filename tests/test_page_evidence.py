"""The page's parts of #25 in a real browser (the set-up of tests/test_page.py): the evaluation's
evidence bundle downloaded, and 免申即享 — a published list and a registry uploaded, every row's
match shown, the new claims listed and downloaded as XLSX — in both languages, on a phone too."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from formats.bundle import sha256
from formats.evidence import verify_bundle
from tests.test_page import SIZES, browser, open_page, total_includes  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_answer_shown_downloads_as_evidence_that_verifies(browser) -> None:  # noqa: F811
    page = open_page(browser, "zh")
    page.select_option("#example", "shijingshan-municipal-then-national")
    total_includes(page, "元")
    with page.expect_download() as download:
        page.click("#evidence")
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "EX-1-evidence.zip"
    found = verify_bundle(data, "EX-1-evidence.zip")
    assert found.identical and found.command == "evaluate" and found.enterprise == "EX-1"
    page.wait_for_function("document.querySelector('#evidence-sum').textContent.includes('SHA-256')")
    assert sha256(data) in page.inner_text("#evidence-sum")
    members = zipfile.ZipFile(io.BytesIO(data))
    shown = json.loads(members.read("answer.zh.json"))
    assert shown["enterprise"] == "EX-1" and shown["total"]["max"] == 800_000
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("lang, size", [("zh", "desktop"), ("en", "phone")])
def test_a_list_and_a_registry_uploaded_show_every_match_and_the_new_claims(
        browser, lang: str, size: str) -> None:  # noqa: F811
    page = open_page(browser, lang, size)
    page.click("#rec-run")  # no files yet: one line says what to do
    assert page.is_visible("#rec-error")
    assert ("请选择两个文件" if lang == "zh" else "Choose both files") in page.inner_text("#rec-error")
    page.set_input_files("#rec-list", str(EXAMPLES / "recognitions-2026.csv"))
    page.set_input_files("#rec-registry", str(EXAMPLES / "enterprises.csv"))
    page.fill("#rec-day", "2026-12-01")
    page.click("#rec-run")
    page.wait_for_selector("#rec-out:not([hidden])")
    assert page.is_hidden("#rec-error")
    matches = page.locator("#rec-matches tbody tr")
    assert matches.count() == 6
    results = [matches.nth(n).locator("td").nth(2).inner_text() for n in range(6)]
    if lang == "zh":
        assert results == ["已添加（按信用代码）", "已添加（按企业名称）", "已添加（按信用代码）",
                           "信用代码无效", "未找到", "已添加（按信用代码）"]
        assert "校验码" in matches.nth(3).inner_text()
    else:
        assert results[3:5] == ["invalid credit code", "not found"]
        assert "registry row 6: BJ-0005" in matches.nth(4).inner_text()
    claims = page.inner_text("#rec-claims tbody")
    for enterprise in ("BJ-0001", "BJ-0002", "BJ-0003"):
        assert enterprise in claims
    assert "500,000" in claims and "010-89292028" in claims
    assert ("添加 4" in page.inner_text("#rec-counts")) if lang == "zh" else \
        ("4 added" in page.inner_text("#rec-counts"))
    with page.expect_download() as download:
        page.click("#rec-worklist")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == 4 and download.value.suggested_filename == "zjtx-new-claims.xlsx"
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    assert page.errors == []
    page.context.close()
