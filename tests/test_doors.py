"""Every door accepts what people type (issue #21, section 2): options, what-if items, scenario
files and spreadsheet headers read dates, districts, tiers, categories and amounts as a record
file does (one normalizer, `models.normalize`); blank rows between enterprises are reported;
accepted-value lists name the values in the reader's language."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from models.normalize import normalize_value

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def _json(*args: str) -> dict:
    done = runner.invoke(app, [*args, "--format", "json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


@pytest.mark.parametrize(("typed", "iso"), [("2027年1月15日", "2027-01-15"), ("2027/1/15", "2027-01-15"),
                                            ("2027.01.15", "2027-01-15"), ("20270115", "2027-01-15")])
def test_a_move_date_option_reads_every_spelling_a_record_reads(typed: str, iso: str) -> None:
    record = str(EXAMPLES / "relocating-little-giant.yaml")
    assert _json("best-district", record, "--move-date", typed) == \
        _json("best-district", record, "--move-date", iso)


def test_a_date_option_reads_slashes_and_chinese_dates() -> None:
    expected = _json("windows", "--date", "2026-12-01")
    assert _json("windows", "--date", "2026/12/1") == expected
    assert _json("windows", "--date", "2026年12月1日") == expected
    assert expected["date"] == "2026-12-01"


def test_a_date_option_that_is_no_day_says_what_is_accepted() -> None:
    done = runner.invoke(app, ["windows", "--date", "2026/2/30", "--lang", "zh"])
    assert done.exit_code == 2
    assert "--date" in done.stderr and "2023年6月30日" in done.stderr


@pytest.mark.parametrize(("typed", "canonical"), [
    (["move=大兴区@2027年1月1日"], ["move=daxing@2027-01-01"]),
    (["move=大兴@2027/1/1"], ["move=daxing@2027-01-01"]),
    (["recognition=小巨人@2027年3月1日"], ["recognition=national@2027-03-01"]),
    (["recognition=国家级专精特新“小巨人”企业@2027-03-01"], ["recognition=national@2027-03-01"]),
    (["expense=国际展会:50万@2026"], ["expense=exhibition:500000@2026"]),
    (["expense=国际展会：50万@2026年"], ["expense=exhibition:500000@2026"]),
    (["industry=氢能", "district=大兴区"], ["industry=hydrogen_energy", "district=daxing"]),
    (["listing=A股@2026"], ["listing=a_share@2026"]),
    (["qualification=企业技术中心@2026年5月1日"], ["qualification=tech_center@2026-05-01"]),
])
def test_what_if_items_read_chinese_names_dates_and_amounts(typed: list[str],
                                                            canonical: list[str]) -> None:
    record = str(EXAMPLES / "exhibition-expenses.json")
    chinese, ids = _json("whatif", record, *typed), _json("whatif", record, *canonical)
    assert {k: v for k, v in chinese.items() if k != "scenario"} == \
        {k: v for k, v in ids.items() if k != "scenario"}


def test_a_chinese_expense_item_pays_as_its_ids_do() -> None:
    # 500,000 of exhibition expenses in 2026 for a foreign-trade SME: m6 pays up to 70 %.
    result = _json("whatif", str(EXAMPLES / "exhibition-expenses.json"), "expense=国际展会:50万@2026")
    assert [(a["measure"], a["claim_year"], a["amount"]["max"]) for a in result["gained"]] == \
        [("m6.exhibition", 2026, 350_000)]


@pytest.mark.parametrize(("item", "words"), [
    ("move=哥谭@2027-01-01", "dongcheng（东城区）"),
    ("recognition=金牌@2027-01-01", "national（小巨人）"),
    ("expense=国际展会:很多@2026", "100万"),
    ("move=daxing@2027年13月1日", "2023年6月30日"),
])
def test_a_what_if_item_that_names_nothing_says_what_is_accepted_in_chinese(item: str,
                                                                           words: str) -> None:
    done = runner.invoke(app, ["whatif", str(EXAMPLES / "exhibition-expenses.json"), item,
                               "--lang", "zh"])
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("zjtx：错误：") and words in done.stderr, done.stderr


def test_a_scenario_file_reads_a_chinese_move(tmp_path: Path) -> None:
    scenario = tmp_path / "move.yaml"
    scenario.write_text("move: {to: 东城区, date: 2024年1月1日}\n", encoding="utf-8")
    record = str(EXAMPLES / "shijingshan-municipal-then-national.yaml")
    assert _json("whatif", record, str(scenario))["delta"] == \
        _json("whatif", record, "move=dongcheng@2024-01-01")["delta"]


@pytest.mark.parametrize(("spelling", "tier"), [
    ("专精特新中小企业", "municipal"), ("专精特新企业", "municipal"), ("市级专精特新", "municipal"),
    ("国家级小巨人", "national"), ("小巨人企业", "national"), ("专精特新“小巨人”", "national"),
    ("国家级专精特新“小巨人”企业", "national"), ("重点“小巨人”", "privileged"),
    ("创新型中小企业", "innovative"), ("北京市专精特新中小企业", "municipal"),
])
def test_tier_spellings_of_notices_and_sheets(spelling: str, tier: str) -> None:
    assert normalize_value("tier", spelling) == tier


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_recognition_date_columns_by_their_full_official_names(tmp_path: Path) -> None:
    dates = ["2021/1/31", "2021年6月30日", "2024-07-15", ""]
    full = _write_csv(tmp_path / "full.csv", [
        ["编号", "注册区", "创新型中小企业认定日期", "专精特新中小企业认定日期", "小巨人认定日期",
         "重点小巨人认定日期"], ["E1", "石景山区", *dates]])
    short = _write_csv(tmp_path / "short.csv", [
        ["id", "district", "innovative", "municipal", "national", "privileged"],
        ["E1", "shijingshan", *dates]])
    quoted = _write_csv(tmp_path / "quoted.csv", [
        ["编号", "注册区", "国家级专精特新“小巨人”企业认定日期"], ["E1", "石景山", "2024-07-15"]])
    for source in (full, short, quoted):
        done = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / f"{source.stem}-out.csv")])
        assert done.exit_code == 0, done.output
    full_rows, short_rows = _results(tmp_path / "full-out.csv"), _results(tmp_path / "short-out.csv")
    assert full_rows == short_rows
    # Shijingshan: municipal 200,000 (2022) and the national difference 600,000 (2025).
    assert (full_rows[0]["total_min"], full_rows[0]["total_max"]) == ("800000", "800000")
    assert _results(tmp_path / "quoted-out.csv")[0]["total_max"] == "800000"


def test_a_blank_row_between_enterprises_is_reported_not_dropped(tmp_path: Path) -> None:
    source = _write_csv(tmp_path / "in.csv", [
        ["编号", "注册区"], ["A", "东城"], ["", ""], ["B", "西城"], [" ", ""], ["", ""]])
    done = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / "out.csv"),
                               "--lang", "zh"])
    assert done.exit_code == 1, done.output
    with (tmp_path / "out.errors.csv").open(encoding="utf-8") as handle:
        errors = list(csv.reader(handle))
    assert [row[0] for row in errors[1:]] == ["3"]  # the blank rows after B end the sheet
    assert "空行" in errors[1][3]
    assert "输入 3 行 = 已评估 2 行 + 错误 1 行" in done.stderr


def test_a_blank_row_of_a_workbook_is_reported(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (["id", "district"], ["A", "dongcheng"], [None, None], ["B", "xicheng"]):
        sheet.append(row)
    book.save(tmp_path / "in.xlsx")
    done = runner.invoke(app, ["batch", str(tmp_path / "in.xlsx"), "--out", str(tmp_path / "out.csv"),
                               "--errors", str(tmp_path / "out.errors.csv")])
    assert done.exit_code == 1, done.output
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8")
    assert errors.splitlines()[1].startswith("3,") and "blank row" in errors


def test_accepted_districts_carry_their_chinese_names(tmp_path: Path) -> None:
    record = tmp_path / "r.yaml"
    record.write_text("id: E\ndistrict: 哥谭\n", encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(record), "--lang", "zh"])
    assert done.exit_code == 2
    assert "dongcheng（东城区）、xicheng（西城区）" in done.stderr
    assert "outside_beijing（京外）" in done.stderr
    english = runner.invoke(app, ["evaluate", str(record), "--lang", "en"])
    assert "dongcheng, xicheng" in english.stderr  # an English name that is the id adds nothing


def test_blank_rows_together_are_one_error_row_however_many(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "district"])
    book.active.append(["A", "dongcheng"])
    book.active.cell(row=100_000, column=1, value="B")  # 99,997 rows left out between A and B
    book.active.cell(row=100_000, column=2, value="xicheng")
    book.save(tmp_path / "in.xlsx")
    done = runner.invoke(app, ["batch", str(tmp_path / "in.xlsx"), "--out", str(tmp_path / "out.csv"),
                               "--errors", str(tmp_path / "errors.csv")])
    assert done.exit_code == 1, done.output
    rows = list(csv.reader((tmp_path / "errors.csv").open(encoding="utf-8")))
    assert [row[0] for row in rows[1:]] == ["3"] and "rows 3 to 99999 are blank" in rows[1][3]
    assert "rows in 3 = evaluated 2 + errors 1" in done.stderr


def test_the_tags_the_catalog_uses_carry_their_chinese_names(tmp_path: Path) -> None:
    record = tmp_path / "r.yaml"
    record.write_text("id: E\ndistrict: 东城区\nindustries: [量子]\n", encoding="utf-8")
    done = runner.invoke(app, ["evaluate", str(record), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert "commercial_aerospace（商业航天）、foreign_trade（外贸）、hydrogen_energy（氢能）" in done.stderr
    english = runner.invoke(app, ["evaluate", str(record), "--lang", "en"])
    assert "the catalog uses commercial_aerospace, foreign_trade, hydrogen_energy" in english.stderr
