"""The planner's web page in a real browser: Debian's Chromium driven by Playwright against
`zjtx serve` on loopback, at 1280×900 and 390×844 (a phone), in Chinese and English. The tests
need Chromium (`apt-get install chromium`; .ci/run installs it; ZJTX_CHROMIUM names another
path). Without it they are skipped outside CI, with a line in the test summary saying so
(tests/conftest.py); under CI=true a missing browser fails the run."""

from __future__ import annotations

import os
import shutil

import pytest


CHROMIUM = os.environ.get("ZJTX_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
WORDS = {"zh": ("评估结果", "尚可获得 900,000 元", "东城区", "小巨人", "条款原文，英文版"),
         "en": ("Evaluation", "900,000 yuan still to come", "Dongcheng", "national", "as printed")}
MISSING = f"the page tests need Chromium at {CHROMIUM}: apt-get install chromium"
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")

# A server (one for every page module) and a browser: slow, and on one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

if not shutil.which(CHROMIUM) and not IN_CI:
    pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(scope="module")
def browser(request):
    """Chromium for a module, against the session's server (tests/conftest.py `page_server`):
    Playwright's sync API holds an event loop while it runs, so it is closed before the worker
    goes on to other modules."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):  # only under CI: elsewhere the module is skipped
        pytest.fail(f"{MISSING} (CI=true: a missing browser fails the run)", pytrace=False)
    base = request.getfixturevalue("page_server")  # no server started for a missing browser
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        chromium.base = base
        yield chromium
        chromium.close()


def open_page(browser, lang: str = "zh", size: str = "desktop"):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[lang])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(browser.base + "/")
    page.wait_for_selector("body[data-ready=true]")
    return page


def total_includes(page, text: str) -> None:
    page.wait_for_function(f"document.querySelector('#total').textContent.includes({text!r})")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", list(LOCALES))
def test_an_example_in_each_language_and_size_with_no_horizontal_scroll(browser, lang: str, size: str) -> None:
    page = open_page(browser, lang, size)
    assert page.evaluate("document.documentElement.lang").startswith(lang)  # from the browser
    assert page.is_visible("#empty") and page.is_hidden("#filled")  # an empty state that says what to do
    page.select_option("#example", "dongcheng-municipal-then-national")
    total_includes(page, "900,000")
    page.wait_for_selector("#ranking rect.bar")
    text = page.inner_text("body")
    for words in WORDS[lang]:
        assert words in text, words
    # Worked example 2's claims (2023, 2025) are in years before as_of (2026): shown apart, as
    # past claims to check with the office, not as money to come (DOMAIN.md section 8).
    assert page.is_visible("#past-block")
    assert "A one-time incentive of RMB 100,000 and RMB 800,000" in page.inner_text("#past-awards")
    assert "010-87160638" in page.inner_text("#past-awards")
    assert "RMB 800,000" not in page.inner_text("#awards")
    assert page.locator("#ranking rect.bar").count() == 16
    assert page.is_visible(".legend")  # certain vs "up to"
    width = SIZES[size][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(SPLIT_SHORT) == []
    assert page.errors == []
    page.context.close()


def test_the_language_toggle_switches_every_word(browser) -> None:
    page = open_page(browser, "en")
    page.select_option("#example", "dongcheng-municipal-then-national")
    total_includes(page, "yuan still to come")
    page.click("#lang-zh")
    total_includes(page, "尚可获得")
    assert page.inner_text("#past-awards tbody tr:first-child td:nth-child(5)") == "东城区"  # paid by
    assert "status" not in page.inner_text("#past-awards thead")
    assert page.get_attribute("#lang-zh", "aria-pressed") == "true"
    page.click("#lang-en")
    total_includes(page, "yuan still to come")
    page.context.close()


def _fonts_of(page, selector: str) -> dict[str, int]:
    """The fonts Chromium drew an element's text with (DevTools protocol): family → glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    node = cdp.send("DOM.querySelector", {"nodeId": root["nodeId"], "selector": selector})["nodeId"]
    nodes = [node]
    # A text box's text is in its shadow tree (the editor's inner element).
    found = [root]
    while found:
        item = found.pop()
        if item["nodeId"] == node:
            nodes += [child["nodeId"] for shadow in item.get("shadowRoots", []) for child in shadow.get("children", [])]
            break
        found += item.get("children", []) + item.get("shadowRoots", [])
    used: dict[str, int] = {}
    for each in nodes:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": each})["fonts"]:
            used[font["familyName"]] = used.get(font["familyName"], 0) + font["glyphCount"]
    cdp.detach()
    return used


BUNDLED = "Noto Sans SC zjtx subset"


def test_the_bundled_font_is_loaded_for_chinese(browser) -> None:
    page = open_page(browser, "zh")
    loaded = page.evaluate("document.fonts.load('16px \"zjtx CJK\"', '东城区').then(f => f.length)")
    assert loaded >= 1
    assert page.evaluate("document.fonts.check('16px \"zjtx CJK\"', '尚可获得')")
    page.context.close()


@pytest.mark.parametrize("lang", list(LOCALES))
def test_chinese_everywhere_on_the_page_is_drawn_by_the_bundled_font(browser, lang: str) -> None:
    """The 中文 button (static text, drawn before any script), headings, and Chinese pasted into
    the text box (a monospace box: no system monospace font has CJK) all draw their hanzi with
    the bundled font, never a system font's boxes; every font list puts it first for CJK."""
    page = open_page(browser, lang)
    page.fill("#record", "name: 京西氢能有限公司\n# 司 雄 安 某 甲 乙")
    for selector, hanzi in (("#lang-zh", 2), ("#record", 14)):  # every hanzi drawn, by the bundled font
        fonts = _fonts_of(page, selector)
        assert fonts.get(BUNDLED) == hanzi, (selector, fonts)
    stacks = page.evaluate("[...document.querySelectorAll('body, button, textarea, select, input, h2, svg, td')]"
                           ".map(e => getComputedStyle(e).fontFamily)")
    assert stacks and all(stack.startswith('"zjtx CJK"') for stack in stacks), stacks
    page.context.close()


def test_the_form_evaluates_worked_example_2(browser) -> None:
    page = open_page(browser, "zh", "phone")
    page.select_option("#f-district", "dongcheng")
    first = page.locator("#f-recognitions .recognition").first
    first.locator("select").select_option("municipal")
    first.locator("input").fill("2022-09-30")
    page.click("#f-add-recognition")
    second = page.locator("#f-recognitions .recognition").nth(1)
    second.locator("select").select_option("national")
    second.locator("input").fill("2024-07-15")
    page.fill("#f-as-of", "2026-11-24")
    page.click("#evaluate-form")
    total_includes(page, "900,000")
    page.context.close()


# Worked example 2 as each language writes its dates.
TYPED_DATES = {"zh": ("2022年9月30日", "2024年7月15日", "2026年11月24日"),
               "en": ("2022-09-30", "2024/7/15", "2026.11.24")}
DATE_WORDS = {"zh": ("如 2023年6月30日", "不是"), "en": ("e.g. 2023-06-30", "is not a date")}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", list(LOCALES))
def test_dates_are_typed_in_the_page_s_language(browser, lang: str, size: str) -> None:
    """No browser date input (it speaks the browser's language, mm/dd/yyyy under an English
    browser whatever the page's): text boxes with a hint in the page's words that take what
    people type, a day the server does not read marked with its words; an English browser
    switched to 中文 shows the example's dates as 年月日."""
    page = open_page(browser, lang, size)
    assert page.locator("input[type=date]").count() == 0
    hint, refused = DATE_WORDS[lang]
    assert page.get_attribute("#f-as-of", "placeholder") == hint
    first, second, as_of = TYPED_DATES[lang]
    page.locator("#f-recognitions .recognition input").first.fill(first)
    page.click("#f-add-recognition")
    last = page.locator("#f-recognitions .recognition").nth(1)
    last.locator("select").select_option("national")
    last.locator("input").fill(second)
    assert last.locator("input").get_attribute("placeholder") == hint
    page.fill("#f-as-of", as_of)
    page.click("#evaluate-form")
    total_includes(page, "900,000")
    page.fill("#wi-tier-date", "2025年2月30日")
    page.dispatch_event("#wi-tier-date", "change")
    page.wait_for_selector("#wi-tier-date[aria-invalid=true] + .date-problem:not([hidden])")
    assert refused in page.inner_text("#wi-tier-date + .date-problem")
    page.fill("#wi-tier-date", "2025/3/31")
    page.dispatch_event("#wi-tier-date", "change")
    page.wait_for_selector("#wi-tier-date[aria-invalid=false]")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    if lang == "en":  # (another total than the form's: the example's answer is awaited)
        page.select_option("#example", "daxing-hydrogen-municipal")
        total_includes(page, "500,000")
        assert page.input_value("#f-as-of") == "2026-11-24"
        page.click("#lang-zh")
        total_includes(page, "尚可获得")
        assert page.input_value("#f-as-of") == "2026年11月24日"
        assert page.get_attribute("#f-as-of", "placeholder") == DATE_WORDS["zh"][0]
        assert page.input_value("#f-recognitions .recognition:nth-child(2) input") == "2023年6月30日"
    assert page.errors == []
    page.context.close()



def test_an_answer_that_comes_back_late_never_replaces_a_later_one(browser) -> None:
    """The latest run wins: the form's record is sent (its answer held back 1.5 s), then an
    example is chosen; the form's answer, arriving last, neither shows its total nor becomes the
    record the page switches language with (the page put it back before: the form refilled with
    the typed 2026.11.24)."""
    page = open_page(browser, "en")
    page.evaluate("""() => {
      const fetch = window.fetch;
      window.fetch = async (url, options) => {
        const answer = await fetch(url, options);
        if (String(url).includes("/v1/evaluate") && String(options && options.body).includes("SLOW-1"))
          await new Promise((resolve) => setTimeout(() => { window.slowAnswered = true; resolve(); }, 1500));
        return answer;
      };
    }""")
    page.fill("#f-id", "SLOW-1")
    page.fill("#f-as-of", "2026.11.24")
    page.click("#evaluate-form")
    page.select_option("#example", "daxing-hydrogen-municipal")
    total_includes(page, "500,000")
    page.wait_for_function("window.slowAnswered === true")  # the held-back answer is back
    page.wait_for_timeout(200)  # (and the run that sent it has had its turn)
    assert "500,000" in page.inner_text("#total")
    page.click("#lang-zh")
    total_includes(page, "尚可获得")
    assert page.input_value("#f-as-of") == "2026年11月24日"
    assert page.input_value("#f-id") != "SLOW-1"
    assert page.errors == []
    page.context.close()

TYPED_YAML = ("id: EX-2\ndistrict: 东城区\nas_of: 2026-11-24\nrecognitions:\n"
              "  - {tier: 专精特新, date: 2022/09/30}\n  - {tier: 小巨人, date: 2024年7月15日}\n")


def test_a_pasted_yaml_record_as_typed_in_beijing_is_worked_example_2_and_fills_the_form(browser) -> None:
    page = open_page(browser, "zh")
    page.fill("#record", TYPED_YAML)
    page.click("#evaluate")
    total_includes(page, "900,000")
    assert page.input_value("#f-district") == "dongcheng"
    assert page.locator("#f-recognitions .recognition").count() == 2
    page.context.close()


def test_a_bad_record_lists_every_problem_and_clears_the_results(browser) -> None:
    page = open_page(browser, "en")
    page.select_option("#example", "dongcheng-municipal-then-national")
    total_includes(page, "900,000")
    page.fill("#record", "id: E\ndistrict: gotham\nentity_type: charity\n"
                         "recognitions: [{tier: gold, date: 2023-01-01}]\n")
    page.click("#evaluate")
    page.wait_for_selector("#error:not([hidden])")
    error = page.inner_text("#error")
    for field in ("district", "entity_type", "recognitions[0].tier"):
        assert f"field {field}:" in error, error
    assert page.is_hidden("#filled") and page.is_visible("#empty")
    page.fill("#record", TYPED_YAML)
    page.click("#evaluate")
    total_includes(page, "900,000")
    assert page.is_hidden("#error")
    page.context.close()


def test_a_reading_toggle_in_plain_words_changes_the_total(browser) -> None:
    page = open_page(browser, "zh")
    page.select_option("#example", "dongcheng-municipal-then-national")
    total_includes(page, "900,000")
    assert "两级奖励是否都发" in page.inner_text("#readings")
    page.select_option("#reading-stacking", "difference-only")
    total_includes(page, "800,000")
    page.select_option("#reading-stacking", "cumulative")
    total_includes(page, "900,000")
    page.context.close()


def test_whatif_shows_baseline_scenario_and_difference(browser) -> None:
    page = open_page(browser, "en", "phone")
    page.select_option("#example", "daxing-hydrogen-municipal")
    total_includes(page, "500,000")
    assert page.is_visible("#whatif-empty")
    page.fill("#wi-tier-date", "2025-03-31")
    page.select_option("#wi-tier", "national")
    page.wait_for_selector("#whatif:not([hidden])")
    page.wait_for_function("document.querySelector('#whatif').textContent.includes('+500,000')")
    row = page.inner_text("#whatif tbody tr:first-child")
    assert "500,000" in row and "1,000,000" in row and "+500,000" in row
    page.select_option("#wi-tier", "")
    page.wait_for_selector("#whatif", state="hidden")
    page.context.close()


def test_the_ranking_follows_the_move_date(browser) -> None:
    page = open_page(browser, "en")
    page.select_option("#example", "relocating-little-giant")
    page.fill("#wi-move-date", "2027-01-15")
    page.dispatch_event("#wi-move-date", "change")
    page.wait_for_function("document.querySelector('#ranking-note').textContent.includes('2027-01-15')")
    assert page.locator("#ranking rect.bar").count() == 16
    assert "winner Fengtai" in page.inner_text("#ranking-note")
    page.context.close()


def _worklist_of_an_innovative_sme(page) -> str:
    """The worklist on 2026-12-01 of an innovative SME in Shijingshan: the municipal window is open."""
    page.fill("#record", "id: W-1\ndistrict: shijingshan\nrecognitions: [{tier: innovative, date: 2026-03-31}]\n")
    page.click("#evaluate")
    page.wait_for_selector("#filled:not([hidden])")
    page.fill("#wl-date", "2026-12-01")
    page.dispatch_event("#wl-date", "change")
    page.wait_for_function("document.querySelector('#worklist tbody').textContent.includes('2026-12-31')")
    return page.inner_text("#worklist tbody")


def test_the_worklist_names_the_window_and_whom_to_call(browser) -> None:
    page = open_page(browser, "en")
    row = _worklist_of_an_innovative_sme(page)
    assert "apply municipal" in row and "200,000" in row and "tel 010-87901013" in row
    page.context.close()


def test_the_worklist_action_reads_in_chinese(browser) -> None:
    """The action is words of the chosen language (kind, tier, status), never ids in English."""
    page = open_page(browser, "zh")
    row = _worklist_of_an_innovative_sme(page)
    assert "申报认定：专精特新（窗口开放）" in row, row
    assert "apply" not in row and "(open)" not in row
    page.context.close()


def test_measures_of_districts_never_registered_in_share_one_line(browser) -> None:
    page = open_page(browser, "zh")
    page.select_option("#example", "dongcheng-municipal-then-national")
    total_includes(page, "900,000")
    page.wait_for_selector("#not-awarded li.elsewhere")
    assert page.locator("#not-awarded li.elsewhere").count() == 1
    line = page.inner_text("#not-awarded li.elsewhere")
    assert "注册地不符" in line and "西城区小巨人奖励" in line and "密云区梯度奖励" in line
    others = page.inner_text("#not-awarded")
    assert others.count("西城区小巨人奖励") == 1  # not a line of its own as well
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_api_documentation_renders_its_operations_offline(browser, size: str) -> None:
    """/docs is Swagger UI 5, served by zjtx itself: it reads the OpenAPI 3.1 document (4.15
    showed "Unable to render this definition") and lists the operations; no request leaves the
    machine."""
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    outside = []
    page.on("request", lambda request: None if request.url.startswith(browser.base) else outside.append(request.url))
    page.goto(browser.base + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/evaluate" in [p.strip().replace("\u200b", "") for p in paths], paths
    assert "Unable to render" not in page.inner_text("body")
    page.locator(".opblock-summary-path", has_text="/v1/evaluate").first.click()
    page.wait_for_selector(".opblock-body")  # the operation opens: its parameters and body
    assert outside == []
    # The document's Chinese beside its English, drawn by the bundled font (no system CJK font).
    page.evaluate("document.fonts.ready")
    summary = ".opblock-post .opblock-summary-description"
    assert page.inner_text(summary).startswith("评估一份企业记录 · ")
    assert _fonts_of(page, summary).get(BUNDLED) == len("评估一份企业记录")
    assert _fonts_of(page, ".info .description p").get(BUNDLED, 0) > 50
    context.close()


def full_record(page) -> None:
    """The record of a relocating little giant with a what-if (a move to Daxing on 2027-01-15:
    +1,000,000): every table of the page filled."""
    page.select_option("#example", "relocating-little-giant")
    page.wait_for_selector("#filled:not([hidden])")
    page.fill("#wi-move-date", "2027-01-15")
    page.select_option("#wi-district", "daxing")
    page.dispatch_event("#wi-move-date", "change")
    page.wait_for_function("document.querySelector('#ranking-note').textContent.includes('2027-01-15')"
                           " && document.querySelectorAll('#whatif tbody tr').length >= 2")
    page.wait_for_selector("#worklist tbody tr")


# Every run of letters and digits in a table's text ("2026", "1,000,000", "daxing.tier", "EX-3",
# "2027-01-15") must lie on one line: the number of distinct line tops its characters take.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const table of document.querySelectorAll('#awards, #past-awards, #whatif, #worklist, #batch table')) {
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[A-Za-z0-9][A-Za-z0-9_.,-]*/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""

# Headings and short names (a tier, a paying district) drawn on more than one line: 支付方 and 东城区
# were one character per line in the past claims at 1280 px.
SPLIT_SHORT = """() => [...document.querySelectorAll(
    '#awards th, #past-awards th, #worklist th, #batch th, td.short')]
  .filter((node) => node.offsetParent !== null && node.textContent.trim().length <= 6)
  .filter((node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size > 1;
  })
  .map((node) => node.textContent.trim())"""

LINES = """(selector) => {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector(selector));
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
}"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", list(LOCALES))
def test_a_full_record_fits_the_screen_and_breaks_no_word(browser, lang: str, size: str) -> None:
    """At 390 px no horizontal scroll (the what-if table was 531–552 px wide), 合计（元） on one
    line (it stacked one character per line), ranking labels of a readable size (they were
    ~6 px); at 1280 px and 390 px no cell breaks inside a year, an amount or a word ("202/6")."""
    page = open_page(browser, lang, size)
    full_record(page)
    width = SIZES[size][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate(LINES, "#whatif tbody tr:first-child th") == 1
    heights = page.evaluate("[...document.querySelectorAll('#ranking text')].map(t => t.getBoundingClientRect().height)")
    assert len(heights) == 32 and min(heights) >= 11, heights  # 16 districts: name and amount
    labels = page.evaluate("[...document.querySelectorAll('#ranking text')].map(t => t.getBoundingClientRect().left)")
    assert min(labels) >= 0  # no label cut at the left edge (海淀区（现注册地）)
    assert page.evaluate(BROKEN_WORDS) == []
    assert page.errors == []
    page.context.close()


SHEET = ("编号,企业名称,注册区,专精特新认定日期,小巨人认定日期\n"
         "EX-2,京西氢能有限公司,东城区,2022/9/30,2024年7月15日\n"
         "EX-3,雄安某甲乙科技有限公司,gotham,2022-09-30,\n")


def _xlsx_file(tmp_path) -> str:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in SHEET.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "enterprises.xlsx"
    book.save(path)
    return str(path)


def _batch_tables(page) -> tuple[str, str]:
    page.wait_for_selector("#batch-out:not([hidden])")
    return page.inner_text("#batch-results tbody"), page.inner_text("#batch-errors tbody")


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", list(LOCALES))
def test_rows_pasted_or_uploaded_are_evaluated_as_zjtx_batch_reads_them(browser, lang: str, size: str,
                                                                       tmp_path) -> None:
    """CSV rows pasted (into the batch box, or where a record goes: they were refused as "…实际是
    str"), an XLSX uploaded (its bytes were dumped into the text box) and JSON lines all go to
    /v1/batch, read by the batch file reader: a results table, the errors by row in the page's
    language, and the results as the XLSX file `zjtx batch` writes."""
    page = open_page(browser, lang, size)
    page.fill("#batch-text", SHEET)
    page.click("#batch-run")
    results, errors = _batch_tables(page)
    assert "EX-2" in results and "京西氢能有限公司" in results and "900,000" in results
    assert "3" in errors and "EX-3" in errors and "gotham" in errors
    assert ("不是已知的区" if lang == "zh" else "not a known district") in errors
    assert page.inner_text("#batch-counts") == ("共 2 行：已评估 1 行，有错误 1 行" if lang == "zh"
                                                else "2 rows: 1 evaluated, 1 with errors")
    with page.expect_download() as download:
        page.click("#batch-download")
    saved = tmp_path / "results.xlsx"
    download.value.save_as(saved)
    from openpyxl import load_workbook

    book = load_workbook(saved)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == (("编号", "企业名称") if lang == "zh" else ("id", "name"))
    assert rows[1][:5] == ("EX-2", "京西氢能有限公司", None, 900000, 900000) and len(rows) == 2
    # Nothing lost: the error row is in the download too, on its own sheet.
    assert book.sheetnames == (["测算结果", "错误行"] if lang == "zh" else ["results", "errors"])
    assert list(book.worksheets[1].iter_rows(values_only=True))[1][:3] == (3, "EX-3", "注册区")

    page.fill("#record", SHEET)  # rows where a record goes
    page.click("#evaluate")
    page.wait_for_function("document.querySelector('#batch-counts').textContent.length > 0")
    assert "EX-2" in page.inner_text("#batch-results tbody")
    assert "str" not in page.inner_text("#error")

    page.fill("#batch-text", "")
    page.evaluate("document.querySelector('#batch-out').hidden = true")
    page.set_input_files("#upload", _xlsx_file(tmp_path))  # a sheet where a record goes
    results, errors = _batch_tables(page)
    assert "EX-2" in results and "EX-3" in errors
    assert page.input_value("#record") == SHEET  # the text box kept what it had, no zip bytes

    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text('{"id": "J-1", "district": "dongcheng", "recognitions": [{"tier": "municipal", '
                     '"date": "2022-09-30"}, {"tier": "national", "date": "2024-07-15"}]}\n', encoding="utf-8")
    page.set_input_files("#batch-upload", str(jsonl))
    page.wait_for_function("document.querySelector('#batch-results tbody').textContent.includes('J-1')")
    assert page.inner_text("#batch-counts").startswith("共 1 行" if lang == "zh" else "1 rows")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    page.fill("#batch-text", SHEET)
    page.click("#batch-run")
    page.wait_for_function("!document.querySelector('#batch-errors-block').hidden")
    assert page.evaluate(BROKEN_WORDS) == []  # "EX-3" and 行号 were broken at 1280 px
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("lang", list(LOCALES))
def test_file_choosers_speak_the_pages_language(browser, lang: str, tmp_path) -> None:
    """A file input drawn by the browser says "Choose File / No file chosen" in the browser's own
    language (English in an English browser under 中文): each is a button and a file name in the
    page's words, which follow the language toggle; the input itself is out of sight."""
    page = open_page(browser, lang, "phone")
    inputs = page.locator("input[type=file]").count()
    assert inputs >= 3
    words = {"zh": ("选择文件", "未选择文件"), "en": ("Choose a file", "no file chosen")}
    assert page.locator(".file-choose").all_inner_texts() == [words[lang][0]] * inputs
    assert page.locator(".file-name").all_inner_texts() == [words[lang][1]] * inputs
    assert all(page.locator("input[type=file]").nth(i).bounding_box()["width"] <= 1 for i in range(inputs))
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "J-1", "district": "dongcheng"}\n', encoding="utf-8")
    page.set_input_files("#batch-upload", str(rows))
    page.wait_for_function("document.querySelector('#batch-results tbody').textContent.includes('J-1')")
    chooser = page.locator("#batch-upload ~ .file-name")
    assert chooser.inner_text() == "rows.jsonl"
    other = "en" if lang == "zh" else "zh"
    page.click(f"#lang-{other}")
    page.wait_for_function(f"document.documentElement.lang.startsWith({other!r})")
    assert page.locator(".file-choose").first.inner_text() == words[other][0]
    assert chooser.inner_text() == "rows.jsonl"  # a file chosen keeps its name
    assert page.get_attribute("#ranking", "aria-label") == ("最佳迁入区排名" if other == "zh" else "best-district ranking")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    assert page.errors == []
    page.context.close()


def test_a_name_beyond_the_font_is_named_on_the_page(browser) -> None:
    page = open_page(browser, "zh", "phone")
    page.fill("#record", "id: E-1\nname: 京西𠀀有限公司\ndistrict: 东城区\n")
    page.click("#evaluate")
    page.wait_for_selector("#warnings:not([hidden])")
    assert "𠀀 (U+20000)" in page.inner_text("#warnings")
    page.context.close()
