"""Spreadsheets as a service centre has them: the template's Chinese headers, GB18030 CSV saved by
Excel, XLSX, flat recognition-date columns, rows numbered as Excel numbers them, every problem of
a row at once, the credit code's check character, and a column map for other header names."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from formats.columns import CHINESE, TEMPLATE_COLUMNS
from formats.template import EXAMPLE
from models.creditcode import CHARSET, check_character, problem_of
from models.record import parse_record
from solver.evaluate import evaluate
from tests.support import assert_input_error

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


# -- the credit code (GB 32100-2015) --------------------------------------------------------------

def test_published_example_code_is_valid():
    # The example code printed in explanations of GB 32100-2015.
    assert problem_of("91350100M000100Y43") is None


@given(st.text(alphabet=CHARSET[:10], min_size=6, max_size=6),
       st.text(alphabet=CHARSET, min_size=11, max_size=11), st.data())
def test_constructed_codes_pass_and_a_corrupted_check_character_fails(division, rest, data):
    first17 = rest[:2] + division + rest[2:]
    code = first17 + check_character(first17)
    assert problem_of(code) is None
    wrong = data.draw(st.sampled_from([c for c in CHARSET if c != code[-1]]))
    assert "wrong check character" in problem_of(code[:-1] + wrong)


def test_check_character_by_hand():
    # 9 1 1 1 0 1 0 8 M A 0 1 T E S T 1 has an S (not in the set); use a hand-summed code instead:
    # "11111111111111111": sum of the weights = 1+3+9+27+19+26+16+17+20+29+25+13+8+24+10+30+28
    # = 305 = 9 x 31 + 26, so C18 = 31 - 26 = 5.
    assert check_character("1" * 17) == "5"
    assert problem_of("1" * 17 + "5") is None
    assert "18" in problem_of("1" * 17)
    assert "character set" in problem_of("1" * 16 + "I5")


# -- inputs with the template's Chinese headers ---------------------------------------------------

def valid_code(seed: int) -> str:
    rnd = random.Random(seed)
    first17 = "91" + "".join(rnd.choice("0123456789") for _ in range(6)) + \
        "".join(rnd.choice(CHARSET) for _ in range(9))
    return first17 + check_character(first17)


def corrupted(code: str) -> str:
    return code[:-1] + next(c for c in CHARSET if c != code[-1])


def flat_rows() -> list[dict]:
    """The template's example plus rows that must fail, as {field: cell} in the flat columns."""
    example = dict(EXAMPLE["en"])
    second = {"id": "E-0002", "name": "第二家企业有限公司", "credit_code": valid_code(2).lower(),
              "district": "石景山区", "municipal": "2022/9/30", "national": "2024年7月15日"}
    renewed = {"id": "E-0003", "name": "复核企业", "district": "haidian",
               "innovative": "2021-03-31", "municipal": "2022-06-30; 2025-06-30"}
    wrong_check = {"id": "E-BAD", "name": "校验码错误", "credit_code": corrupted(valid_code(4)),
                   "district": "haidian", "municipal": "2023-03-31"}
    many = {"id": "E-MANY", "name": "多处错误", "credit_code": corrupted(valid_code(5)),
            "district": "gotham", "municipal": "2023-02-30"}
    duplicate = {"id": "E-DUP", "name": "重复代码", "credit_code": second["credit_code"].upper(),
                 "district": "haidian", "municipal": "2023-03-31"}
    return [example, second, renewed, wrong_check, many, duplicate]


def as_record(row: dict) -> dict:
    """The same enterprise written as a record (JSON lists), to evaluate directly."""
    record = {k: v for k, v in row.items() if v is not None and k not in
              ("innovative", "municipal", "national", "privileged")}
    record["industries"] = [t.strip() for t in record.get("industries", "").split(",") if t.strip()]
    for key in ("moves", "expenses", "listings", "patents", "qualifications", "rewards_received"):
        if key in record:
            record[key] = json.loads(record[key])
    dates = {"2022/9/30": "2022-09-30", "2024年7月15日": "2024-07-15"}
    record["recognitions"] = [{"tier": tier, "date": dates.get(d.strip(), d.strip())}
                              for tier in ("innovative", "municipal", "national", "privileged")
                              if row.get(tier) for d in row[tier].split(";")]
    return record


def write_gb18030_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="gb18030", newline="") as handle:  # Excel on Chinese Windows
        out = csv.writer(handle)  # CRLF line ends, as Excel writes them
        out.writerow([CHINESE[c] for c in TEMPLATE_COLUMNS])
        for row in rows:
            out.writerow(["" if row.get(c) is None else row[c] for c in TEMPLATE_COLUMNS])
    return path


def write_template_xlsx(path: Path, rows: list[dict]) -> Path:
    from openpyxl import load_workbook

    assert invoke("template", path, "--lang", "zh").exit_code == 0
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [CHINESE[c] for c in TEMPLATE_COLUMNS]
    for row in rows:
        sheet.append([row.get(c) for c in TEMPLATE_COLUMNS])
    book.save(path)
    return path


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("kind", ["gb18030.csv", "xlsx"])
def test_chinese_template_headers_evaluate(tmp_path: Path, kind: str):
    rows = flat_rows()
    source = (write_gb18030_csv(tmp_path / "in.csv", rows) if kind.endswith("csv")
              else write_template_xlsx(tmp_path / "in.xlsx", rows))
    assert kind.endswith("xlsx") or b"\xef\xbb\xbf" not in source.read_bytes()[:3]
    out = tmp_path / "out.csv"
    # (a workbook's errors go to a workbook by default: asked here as CSV, to read them alike)
    result = invoke("batch", source, "--out", out, "--errors", tmp_path / "out.errors.csv")
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "rows in 6 = evaluated 3 + errors 3" in result.stderr
    assert "Traceback" not in result.output

    results = read_csv(out)
    assert [r["id"] for r in results] == ["E-0001", "E-0002", "E-0003"]
    for got, row in zip(results, rows):
        expected = evaluate(parse_record(as_record(row))).total
        assert (int(got["total_min"]), int(got["total_max"])) == (expected.min, expected.max), row["id"]
        assert got["name"] == row["name"]
        assert got["credit_code"] == (row.get("credit_code") or "").upper()
    assert int(results[1]["total_max"]) == 800_000  # worked example 1 (Shijingshan)

    errors = {e["id"]: e for e in read_csv(tmp_path / "out.errors.csv")}
    # Excel numbers the header row 1: the fourth data row is row 5.
    assert errors["E-BAD"]["row"] == "5"
    assert errors["E-BAD"]["field"] == "统一社会信用代码"
    assert "wrong check character" in errors["E-BAD"]["message"]
    # Every problem of the row at once, each named by its header.
    assert errors["E-MANY"]["row"] == "6"
    assert set(errors["E-MANY"]["field"].split("; ")) == {CHINESE["municipal"], "注册区", "统一社会信用代码"}
    for fragment in ("'2023-02-30' is not a real day", "'gotham'", "wrong check character"):
        assert fragment in errors["E-MANY"]["message"]
    assert errors["E-DUP"]["row"] == "7"
    assert errors["E-DUP"]["field"] == "统一社会信用代码"
    assert "duplicate credit code" in errors["E-DUP"]["message"] and "row 3" in errors["E-DUP"]["message"]


def test_utf8_with_bom_and_crlf_and_english_headers_mixed_in(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_bytes("\ufeff编号,Name,注册区,MUNICIPAL\r\nA-1,甲公司,shijingshan,2022-09-30\r\n"
                     .encode("utf-8"))
    result = invoke("batch", path, "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    [row] = read_csv(tmp_path / "out.csv")
    assert (row["id"], row["name"], row["total_max"]) == ("A-1", "甲公司", "200000")


def test_forced_encoding(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_bytes("编号,企业名称,注册区\r\nA-1,甲公司,haidian\r\n".encode("gbk"))
    assert invoke("batch", path, "--out", tmp_path / "a.csv", "--encoding", "gbk").exit_code == 0
    assert read_csv(tmp_path / "a.csv")[0]["name"] == "甲公司"
    assert_input_error(invoke("batch", path, "--out", tmp_path / "b.csv", "--encoding", "utf-8"),
                       "cannot read CSV as utf-8", "--encoding")
    assert_input_error(invoke("batch", path, "--out", tmp_path / "c.csv", "--encoding", "klingon"),
                       "unknown encoding 'klingon'", "--encoding")


def test_column_map(tmp_path: Path):
    path = tmp_path / "in.csv"
    path.write_text("企业编号,所在区,市级专精特新\nA-1,shijingshan,2022-09-30\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("企业编号: id\n所在区: district\n市级专精特新: municipal\n", encoding="utf-8")
    assert_input_error(invoke("batch", path, "--out", tmp_path / "x.csv"),
                       "unknown column '企业编号'", "--columns")
    result = invoke("batch", path, "--out", tmp_path / "out.csv", "--columns", mapping)
    assert result.exit_code == 0, result.stderr
    assert read_csv(tmp_path / "out.csv")[0]["total_max"] == "200000"
    mapping.write_text("所在区: distrct\n", encoding="utf-8")
    assert_input_error(invoke("batch", path, "--out", tmp_path / "y.csv", "--columns", mapping),
                       "unknown field 'distrct'", "did you mean 'district'?")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template(tmp_path: Path, lang: str):
    from openpyxl import load_workbook

    names = [CHINESE[c] if lang == "zh" else c for c in TEMPLATE_COLUMNS]
    assert invoke("template", tmp_path / "t.csv", "--lang", lang).exit_code == 0
    assert read_csv(tmp_path / "t.csv") == [] and \
        (tmp_path / "t.csv").read_text(encoding="utf-8-sig").strip() == ",".join(names)
    assert invoke("template", tmp_path / "t.xlsx", "--lang", lang).exit_code == 0
    book = load_workbook(tmp_path / "t.xlsx")
    empty, example, about = book.worksheets
    assert [list(r) for r in empty.iter_rows(values_only=True)] == [names]
    assert len(list(about.iter_rows())) == len(TEMPLATE_COLUMNS) + 1
    # The example sheet is a valid input: moved first, it evaluates.
    book.move_sheet(example, offset=-1)
    book.save(tmp_path / "example.xlsx")
    result = invoke("batch", tmp_path / "example.xlsx", "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    first = (tmp_path / "t2.xlsx")
    invoke("template", first, "--lang", lang)
    assert first.read_bytes() == (tmp_path / "t.xlsx").read_bytes()  # byte-stable
    assert_input_error(invoke("template", tmp_path / "t.txt"), ".xlsx, .csv")


def test_output_people_open(tmp_path: Path):
    """XLSX with typed cells, a frozen bold header and Chinese headers; CSV for Excel with a BOM."""
    from openpyxl import load_workbook

    from models.i18n import t

    source = write_gb18030_csv(tmp_path / "in.csv", flat_rows()[:3])
    result = invoke("batch", source, "--out", tmp_path / "out.xlsx", "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    book = load_workbook(tmp_path / "out.xlsx")
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= 16  # 统一社会信用代码 fits
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:5] == ["编号", "企业名称", "统一社会信用代码", "合计下限", "合计上限"]
    assert "m1 下限" in header
    for row in rows:
        values = dict(zip(header, row))
        assert isinstance(values["合计上限"], int) and not isinstance(values["合计上限"], bool)
        assert values["上不封顶"] in ("是", "否")  # in words: Excel would show TRUE or FALSE
    assert rows[1][:2] == ["E-0002", "第二家企业有限公司"]
    # Amounts with a thousands separator; the sheet named in the command's language.
    second = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert second[header.index("合计上限")].number_format == "#,##0"
    assert second[header.index("编号")].number_format == "General"
    assert sheet.title == "测算结果" and sheet.column_dimensions["B"].width >= 28

    import pyarrow.parquet as pq

    result = invoke("batch", source, "--out", tmp_path / "out.parquet")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert (table[1]["name"], table[1]["credit_code"]) == ("第二家企业有限公司", valid_code(2))

    out = tmp_path / "out.csv"
    result = invoke("batch", source, "--out", out, "--excel", "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "编号,企业名称".encode("utf-8"))
    assert read_csv(out)[1]["企业名称"] == "第二家企业有限公司"
    assert {row["上不封顶"] for row in read_csv(out)} <= {"是", "否"}  # no true/false in Chinese
    wrong = invoke("batch", source, "--out", tmp_path / "x.csv", "--lang", "fr")
    assert wrong.exit_code == 2 and "--lang" in wrong.stderr and not (tmp_path / "x.csv").exists()


def test_the_errors_of_a_workbook_go_to_a_workbook_and_a_csv_for_excel_carries_a_bom(tmp_path: Path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    for row in (["编号", "注册区"], ["A", "东城"], ["B", "哥谭"]):
        book.active.append(row)
    book.save(tmp_path / "in.xlsx")
    result = invoke("batch", tmp_path / "in.xlsx", "--out", tmp_path / "out.csv", "--lang", "zh")
    assert result.exit_code == 1 and "out.errors.xlsx" in result.stderr
    errors = load_workbook(tmp_path / "out.errors.xlsx").worksheets[0]
    assert errors.title == "错误行"
    assert [list(r)[:3] for r in errors.iter_rows(values_only=True)] == [
        ["行号", "编号", "列"], [3, "B", "注册区"]]
    assert not (tmp_path / "out.errors.csv").exists()
    assert not list(tmp_path.glob("*zjtx*"))  # no spool or partial file left behind
    # A CSV input's errors as a workbook, on request; as CSV for Excel, with a BOM.
    source = tmp_path / "in.csv"
    source.write_text("编号,注册区\nA,东城\nB,哥谭\n", encoding="utf-8")
    result = invoke("batch", source, "--out", tmp_path / "o.csv", "--errors", tmp_path / "e.xlsx")
    assert result.exit_code == 1 and load_workbook(tmp_path / "e.xlsx").worksheets[0]["B2"].value == "B"
    result = invoke("batch", source, "--out", tmp_path / "o2.csv", "--excel", "--lang", "zh")
    assert (tmp_path / "o2.errors.csv").read_bytes().startswith(b"\xef\xbb\xbf" + "行号".encode())
    assert_input_error(invoke("batch", source, "--out", tmp_path / "o3.csv", "--errors", tmp_path / "e.txt"),
                       ".csv, .xlsx, .jsonl")


def test_the_chinese_template_teaches_chinese_values(tmp_path: Path):
    from openpyxl import load_workbook

    for lang in ("zh", "en"):
        assert invoke("template", tmp_path / f"t-{lang}.xlsx", "--lang", lang).exit_code == 0
    book = load_workbook(tmp_path / "t-zh.xlsx")
    empty, example, about = book.worksheets
    header, row = [list(r) for r in example.iter_rows(values_only=True)]
    values = dict(zip(header, row))
    assert (values["注册区"], values["主体类型"], values["行业"]) == ("大兴区", "企业", "氢能、外贸")
    assert values["专精特新中小企业认定日期"] == "2023年6月30日" and "400万" in values["费用支出"]
    assert "研发投入" in values["费用支出"] and "东城区" in " ".join(str(c) for r in about.iter_rows(values_only=True) for c in r)
    # The Chinese example is the English one, as a clerk writes it: the same answer.
    totals = []
    for lang in ("zh", "en"):
        workbook = load_workbook(tmp_path / f"t-{lang}.xlsx")
        workbook.move_sheet(workbook.worksheets[1], offset=-1)
        workbook.save(tmp_path / f"example-{lang}.xlsx")
        out = tmp_path / f"example-{lang}.csv"
        assert invoke("batch", tmp_path / f"example-{lang}.xlsx", "--out", out).exit_code == 0
        totals.append({k: v for k, v in read_csv(out)[0].items() if k != "name"})
    assert totals[0] == totals[1] and totals[0]["total_max"] == "8710360"
