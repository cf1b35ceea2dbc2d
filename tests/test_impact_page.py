"""The page's "who is affected" section in a real browser (Chromium via Playwright, as
tests/test_page.py, whose browser fixture it shares): a clerk uploads the registry, chooses the
old and the new policies and sees who gains and who loses, with the change by paying district,
in either language and at a phone's width without horizontal scroll."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_page import BROKEN_WORDS, SIZES, browser, open_page  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

REGISTRY = [
    {"id": "FS-1", "name": "房山精工有限公司", "district": "fangshan", "as_of": "2026-11-24",
     "recognitions": [{"tier": "municipal", "date": "2025-06-01"}, {"tier": "national", "date": "2026-07-01"}]},
    {"id": "HD-1", "name": "海淀芯片有限公司", "district": "haidian", "as_of": "2026-11-24",
     "recognitions": [{"tier": "national", "date": "2024-07-15"}]},
    {"id": "DC-1", "district": "dongcheng", "as_of": "2026-11-24",
     "recognitions": [{"tier": "municipal", "date": "2024-03-01"}]},
    {"id": "BAD-1", "district": "gotham"},
]


@pytest.mark.parametrize(("lang", "size"), [("zh", "desktop"), ("en", "phone"), ("zh", "phone")])
def test_a_clerk_uploads_the_registry_and_sees_who_gains_and_who_loses(browser, lang: str, size: str,  # noqa: F811
                                                                       tmp_path: Path) -> None:
    page = open_page(browser, lang, size)
    registry = tmp_path / "registry.jsonl"
    registry.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REGISTRY), encoding="utf-8")
    assert page.input_value("#impact-from") == "beijing-2022"  # the default, then the later edition
    assert page.input_value("#impact-to") == "beijing-2025"
    page.set_input_files("#impact-upload", str(registry))
    page.wait_for_selector("#impact-out:not([hidden])")
    rows = page.locator("#impact-rows tbody tr")
    assert rows.count() == 2  # DC-1's awards are the same under both; BAD-1 is an error row
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "FS-1" in first and "+500,000" in first  # who gains most comes first
    assert "HD-1" in second and "0 … 500,000" in second and "0 – 500,000" in second
    assert (("房山区梯度奖励（2025年）" in first and "新增措施" in first) if lang == "zh"
            else ("fangshan.tier" in first and "measure added" in first))
    counts = page.inner_text("#impact-counts")
    assert counts.startswith("共 4 行：2 家企业奖励有变化，1 家不变，1 行有错误" if lang == "zh"
                             else "4 rows: 2 enterprises whose awards change, 1 unchanged, 1 with errors")
    districts = page.inner_text("#impact-districts tbody")
    assert ("房山区" in districts and "海淀区" in districts) if lang == "zh" else "Fangshan" in districts
    assert "BAD-1" in page.inner_text("#impact-errors tbody")
    # The other way round: who would lose if the later rules were withdrawn.
    page.select_option("#impact-from", "beijing-2025")
    page.select_option("#impact-to", "beijing-2022")
    page.click("#impact-run")
    page.wait_for_function("document.querySelector('#impact-rows tbody').textContent.includes('-500,000')")
    assert page.locator("#impact-rows tbody tr.loss").count() == 2
    assert page.locator("#impact-rows tbody tr.gain").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.errors == []
    page.context.close()
