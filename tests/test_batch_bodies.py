"""/v1/batch takes CSV and XLSX bodies as well as JSON lines, read by the reader `zjtx batch`
uses for files (so a sheet gives the same rows and errors at both doors), bounded like JSON lines,
and answers the results as the XLSX file `zjtx batch` writes when asked (Accept)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from cli import app as cli
from service.answers import XLSX
from service.app import BATCH_LIMIT_ROWS, create_app

SHEET = ("编号,企业名称,注册区,专精特新认定日期,小巨人认定日期\n"
         "EX-2,京西氢能有限公司,东城区,2022/9/30,2024年7月15日\n"
         "EX-3,雄安某甲乙科技有限公司,gotham,2022-09-30,\n")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _xlsx(text: str) -> bytes:
    book = Workbook()
    for line in text.splitlines():
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["text/csv", XLSX])
def test_a_sheet_body_gives_the_rows_and_errors_zjtx_batch_gives(client: TestClient, kind: str, tmp_path: Path) -> None:
    body = SHEET.encode("utf-8") if kind == "text/csv" else _xlsx(SHEET)
    answer = client.post("/v1/batch?lang=zh", content=body, headers={"content-type": kind})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert (data["rows_in"], data["rows_out"], data["error_rows"]) == (2, 1, 1)
    assert data["results"][0]["id"] == "EX-2" and data["results"][0]["total_max"] == 900_000
    assert data["errors"][0]["row"] == 3 and data["errors"][0]["field"] == "注册区"  # as the sheet names it
    # The same file through the command line: the same result and error rows.
    source = tmp_path / ("in.csv" if kind == "text/csv" else "in.xlsx")
    source.write_bytes(body)
    done = CliRunner().invoke(cli, ["batch", str(source), "--out", str(tmp_path / "out.jsonl"),
                                    "--errors", str(tmp_path / "errors.jsonl"), "--lang", "zh"])
    assert done.exit_code == 1, done.output  # one row in the errors file
    import json

    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(line) for line in (tmp_path / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == data["results"] and errors == data["errors"]


def test_gb18030_csv_is_read_as_the_command_reads_it(client: TestClient) -> None:
    answer = client.post("/v1/batch", content=SHEET.encode("gb18030"), headers={"content-type": "text/csv"})
    assert answer.status_code == 200 and answer.json()["results"][0]["name"] == "京西氢能有限公司"


def test_the_results_as_xlsx_with_headers_in_the_request_language(client: TestClient) -> None:
    for lang, header in (("zh", "编号"), ("en", "id")):
        answer = client.post(f"/v1/batch?lang={lang}", content=SHEET.encode(),
                             headers={"content-type": "text/csv", "accept": XLSX})
        assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
        assert answer.headers["x-error-rows"] == "1"
        book = load_workbook(io.BytesIO(answer.content))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert rows[0][0] == header and rows[1][:5] == ("EX-2", "京西氢能有限公司", None, 900000, 900000)
        assert len(rows) == 2
        # Nothing lost: the error row on its own sheet, as `zjtx batch` writes its errors workbook.
        assert [sheet.title for sheet in book.worksheets] == (["测算结果", "错误行"] if lang == "zh"
                                                              else ["results", "errors"])
        errors = list(book.worksheets[1].iter_rows(values_only=True))
        assert errors[0] == (("行号", "编号", "列", "问题") if lang == "zh" else ("row", "id", "field", "message"))
        assert errors[1][:3] == (3, "EX-3", "注册区")  # the column as the sheet names it
        assert "gotham" in errors[1][3]
    every_row_good = client.post("/v1/batch", content=SHEET.encode().splitlines(keepends=True)[0] +
                                 SHEET.encode().splitlines(keepends=True)[1],
                                 headers={"content-type": "text/csv", "accept": XLSX})
    assert len(load_workbook(io.BytesIO(every_row_good.content)).worksheets) == 1  # no empty errors sheet


def test_a_sheet_is_bounded_like_json_lines(client: TestClient) -> None:
    rows = "编号,注册区\n" + "".join(f"R-{n},东城区\n" for n in range(BATCH_LIMIT_ROWS + 1))
    answer = client.post("/v1/batch", content=rows.encode(), headers={"content-type": "text/csv"})
    assert answer.status_code == 413 and f"{BATCH_LIMIT_ROWS:,}" in answer.json()["detail"]


def test_a_broken_sheet_is_one_clear_problem_not_naming_a_temporary_file(client: TestClient) -> None:
    answer = client.post("/v1/batch", content=b"not a zip", headers={"content-type": XLSX})
    assert answer.status_code == 400 and "XLSX" in answer.json()["detail"]
    assert "zjtx-batch-" not in answer.text and "/tmp" not in answer.text
    answer = client.post("/v1/batch", content=b"rows", headers={"content-type": "text/plain"})
    assert answer.status_code == 415 and "text/csv" in answer.json()["detail"]
