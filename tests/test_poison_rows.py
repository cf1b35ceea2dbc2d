"""Poison rows are rows (issue 14): a line that is not UTF-8 late in a file, a CSV cell over
131,072 characters, a number of thousands of digits, a duplicate key each go to the errors file
with their row number, and the run goes on (before: a traceback and exit 1, and `--resume` died
at the same row). An unexpected exception is a bug: exit 3, saying so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

import formats.batch
import solver.batch
import solver.evaluate
from cli import app
from tests.support import assert_input_error

runner = CliRunner()
GOOD = {"id": "A", "district": "dongcheng", "as_of": "2026-01-01",
        "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}


def good(ident: str) -> bytes:
    return json.dumps({**GOOD, "id": ident}).encode() + b"\n"


def run(*args: object):
    return runner.invoke(app, ["batch", *(str(a) for a in args)])


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def breaking_on(ident: str, real):
    """`real` (an evaluation road), except that it raises an unexpected exception for `ident`."""
    def broken(record, *args, **kwargs):
        if record.id == ident:
            raise ZeroDivisionError("simulated bug")
        return real(record, *args, **kwargs)
    return broken


def break_amounts(monkeypatch, ident: str) -> None:
    """Both roads to a row's amounts (a baseline's compile, and a scenario's memoized) raise for
    `ident`."""
    for road in ("evaluate_amounts", "compile_record"):
        monkeypatch.setattr(solver.batch, road, breaking_on(ident, getattr(solver.batch, road)))


def test_jsonl_poison_lines_are_error_rows(tmp_path: Path):
    lines = [good(f"R{n:03d}") for n in range(200)]  # well past the first 8 KB
    lines.insert(150, b'{"id": "BAD", "name": "caf\xe9"}\n')
    lines.insert(160, b'{"id": "HUGE", "district": "daxing", "expenses": [{"id": "x", "amount": '
                 + b"9" * 5000 + b"}]}\n")
    lines.insert(170, b'{"id": "DUP", "district": "daxing", "district": "haidian"}\n')
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + b"".join(lines))  # and a BOM: row 1 is a row like the others
    result = run(source, "--out", tmp_path / "out.csv", "--errors", tmp_path / "errors.csv")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = read(tmp_path / "errors.csv")
    assert [int(e["row"]) for e in errors] == [151, 161, 171]
    assert "UTF-8" in errors[0]["message"]
    assert "far too long" in errors[1]["message"]
    assert "appears twice" in errors[2]["message"]
    out = read(tmp_path / "out.csv")
    assert len(out) == 200 and out[0]["id"] == "R000" and out[-1]["id"] == "R199"


def test_csv_poison_rows_are_error_rows(tmp_path: Path):
    header = b"id,district,name,expenses\n"
    rows = [f"R{n:03d},dongcheng,ok,\n".encode() for n in range(300)]
    rows[100] = b"LONG,dongcheng," + b"x" * 200_000 + b",\n"            # a cell over 131,072
    rows[200] = b"LATIN,dongcheng,caf\xe9,\n"                           # not UTF-8, past 8 KB
    rows[250] = (b'HUGE,daxing,ok,"[{""id"": ""x"", ""category"": ""exhibition"", ""amount"": '
                 + b"9" * 5000 + b', ""year"": 2024}]"\n')
    source = tmp_path / "in.csv"
    source.write_bytes(header + b"".join(rows))
    result = run(source, "--out", tmp_path / "out.csv", "--errors", tmp_path / "errors.csv",
                 "--encoding", "utf-8")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = read(tmp_path / "errors.csv")
    assert [int(e["row"]) for e in errors] == [102, 202, 252]
    assert errors[0]["field"] == "name"
    assert "utf-8" in errors[1]["message"]
    assert len(read(tmp_path / "out.csv")) == 297


def test_an_unexpected_exception_is_a_bug_exit_3(tmp_path: Path, monkeypatch):
    break_amounts(monkeypatch, "R002")  # (five rows, read row by row: each its own distinct input)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(f"R{n:03d}") for n in range(5)))
    result = run(source, "--out", tmp_path / "out.csv")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "row 3" in result.stderr and "bug" in result.stderr and "ZeroDivisionError" in result.stderr


def _no_memo(monkeypatch) -> None:
    """Rows differing only by id are one distinct input, and share amounts through the memo:
    both off (every row read row by row, its own distinct input), so R002 is computed."""
    monkeypatch.setattr(formats.batch.Distinct, "_read", lambda *_: (None, []))
    monkeypatch.setattr(solver.evaluate, "memoized", lambda key, compute: compute())


def test_an_unsound_optimizer_answer_stops_the_batch_exit_3_never_an_error_row(tmp_path: Path,
                                                                                monkeypatch):
    """The soundness check (R1–R5 re-checked) refusing an answer is zjtx's fault, not the row's:
    before, it became an error row saying the row was bad, and the run went on with exit 1."""
    real = solver.evaluate.violations

    def broken(compiled, paid):
        return ["R1: simulated double payment"] if compiled.record.id == "R002" else real(compiled, paid)

    monkeypatch.setattr(solver.evaluate, "violations", broken)
    _no_memo(monkeypatch)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(f"R{n:03d}") for n in range(5)))
    result = run(source, "--out", tmp_path / "out.csv", "--errors", tmp_path / "errors.csv")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "row 3" in result.stderr and "bug" in result.stderr
    assert "simulated double payment" in result.stderr
    assert not (tmp_path / "errors.csv").exists()  # nothing was blamed on the input


def test_an_unexpected_exception_in_a_pool_worker_is_a_bug_exit_3(tmp_path: Path, monkeypatch):
    # The forked workers inherit the patch.
    break_amounts(monkeypatch, "R300")
    _no_memo(monkeypatch)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(f"R{n:03d}") for n in range(600)))
    result = run(source, "--out", tmp_path / "out.csv", "--jobs", 2)
    assert result.exit_code == 3, result.output
    assert "row 301" in result.stderr and "ZeroDivisionError" in result.stderr
    assert not (tmp_path / "out.csv").exists()


def test_an_unexpected_exception_on_an_error_row_is_a_bug_exit_3(tmp_path: Path, monkeypatch):
    """A row already known to be bad (here a duplicate id) is validated again for its other
    problems; an unexpected exception there is a bug too, never a traceback with exit 1."""
    real = solver.batch.parse_record

    def broken(data, *args, row=None, **kwargs):
        if row == 2:
            raise ZeroDivisionError("simulated bug")
        return real(data, *args, row=row, **kwargs)

    monkeypatch.setattr(solver.batch, "parse_record", broken)
    source = tmp_path / "in.jsonl"
    source.write_bytes(good("R000") + good("R000"))
    result = run(source, "--out", tmp_path / "out.csv")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "row 2" in result.stderr and "ZeroDivisionError" in result.stderr


def test_an_unexpected_exception_in_a_sweep_is_a_bug_exit_3_not_an_error_count(tmp_path: Path,
                                                                                monkeypatch):
    """Before, the sweep counted a bug as one more bad row and reported costs without it."""
    import formats.sweep

    monkeypatch.setattr(formats.sweep, "evaluate_amounts",
                        breaking_on("R002", formats.sweep.evaluate_amounts))
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"".join(good(f"R{n:03d}") for n in range(5)))
    result = runner.invoke(app, ["sweep", str(source), "--reform",
                                 "dongcheng.tier.municipal.amount=100000..200000:100000",
                                 "--out", str(tmp_path / "cost.csv")])
    assert result.exit_code == 3, result.output
    assert "row 3" in result.stderr and "ZeroDivisionError" in result.stderr
    assert not (tmp_path / "cost.csv").exists()


def test_duplicate_csv_headers_are_an_error(tmp_path: Path):
    """Two columns that give the same field: an error naming both, not the last one silently."""
    source = tmp_path / "in.csv"
    source.write_text("id,district,注册区\nA,dongcheng,haidian\n", encoding="utf-8")
    result = run(source, "--out", tmp_path / "out.csv")
    assert_input_error(result, "'district'", "'注册区'", "both give district")
    assert not (tmp_path / "out.csv").exists()


def test_xlsx_formula_cells_without_a_cached_value_are_error_rows(tmp_path: Path):
    """openpyxl (like many programs) writes formulas without their computed value; such a cell
    read as empty would silently drop a recognition. It is an error row naming its column."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "district", "municipal"])
    sheet.append(["A", "dongcheng", "2023-03-31"])
    sheet.append(["B", "dongcheng", "=DATE(2023,3,31)"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    result = run(source, "--out", tmp_path / "out.csv", "--errors", tmp_path / "errors.csv")
    assert result.exit_code == 1, result.output
    assert [row["id"] for row in read(tmp_path / "out.csv")] == ["A"]
    (error,) = read(tmp_path / "errors.csv")
    assert error["row"] == "3" and "'municipal'" in error["message"], error
    assert "no computed value" in error["message"]
