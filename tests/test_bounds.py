"""Bounds at the edge (README, "Bounds"): amounts, dates, list and string lengths, file sizes,
duplicate keys and scenario files are refused with one clear line naming the field, exit 2, never a
traceback. Each case was a traceback, a silent overwrite or an unbounded cost before (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from models.errors import RecordError
from models.limits import MAX_ITEMS, MAX_RECORD_BYTES, MAX_YUAN
from models.record import load_record, parse_record
from tests.support import assert_input_error

ROOT = Path(__file__).resolve().parent.parent
DONGCHENG = ROOT / "examples" / "dongcheng-municipal-then-national.yaml"
runner = CliRunner()
HUGE = "9" * 5000  # Python refuses to read an int of more than 4,300 digits


def invoke(*args: object):
    return runner.invoke(app, [str(arg) for arg in args])


def expense_record(amount: str) -> str:
    return ('{"id": "E", "district": "daxing", "expenses": [{"id": "a", "category": "exhibition", '
            f'"amount": {amount}, "year": 2024}}]}}')


@pytest.mark.parametrize("command", ["evaluate", "timeline", "best-district"])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_number_of_5000_digits_is_a_clear_error(tmp_path: Path, command: str, suffix: str):
    path = tmp_path / f"huge{suffix}"
    path.write_text(expense_record(HUGE), encoding="utf-8")
    assert_input_error(invoke(command, path), str(path), "number is far too long")


def test_an_amount_above_ten_trillion_names_the_field(tmp_path: Path):
    path = tmp_path / "big.json"
    path.write_text(expense_record(str(10**30)), encoding="utf-8")
    assert_input_error(invoke("evaluate", path), "expenses[0].amount", "less than or equal to "
                       f"{MAX_YUAN}")


def test_ten_trillion_itself_is_accepted():
    record = parse_record(json.loads(expense_record(str(MAX_YUAN))))
    assert record.expenses[0].amount == MAX_YUAN


@pytest.mark.parametrize("change", [f"shunyi.tier.national.amount={HUGE}",
                                    f"expense=exhibition:{HUGE}@2027",
                                    f"patent=1200:1020@2027/{HUGE}"], ids=["reform", "expense", "patent"])
def test_whatif_inline_huge_numbers(change: str):
    result = invoke("whatif", DONGCHENG, change)
    assert_input_error(result)
    assert len(result.stderr) < 400  # the 5,000 digits are not echoed back


@pytest.mark.parametrize(("field", "day"), [("recognitions[0].date", "9999-12-31"),
                                            ("recognitions[0].date", "0001-01-01"),
                                            ("as_of", "0001-01-01"), ("as_of", "2201-01-01")])
def test_dates_outside_1949_2200(tmp_path: Path, field: str, day: str):
    data = {"id": "E", "district": "daxing", "recognitions": [{"tier": "national", "date": "2024-01-01"}]}
    if field == "as_of":
        data["as_of"] = day
    else:
        data["recognitions"][0]["date"] = day
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert_input_error(invoke("evaluate", path, "--reading", "paying-district=at-claim"), field,
                       day, "1949-01-01 .. 2200-12-31")


def test_edge_dates_are_accepted():
    record = parse_record({"id": "E", "district": "daxing", "as_of": "2200-12-31",
                           "recognitions": [{"tier": "national", "date": "1949-01-01"}]})
    assert record.as_of.year == 2200


@pytest.mark.parametrize(("args", "option"), [
    (["best-district", DONGCHENG, "--move-date", "9999-12-31"], "--move-date"),
    (["windows", "--date", "0001-01-01"], "--date"),
    (["whatif", DONGCHENG, "move=shunyi@9999-12-31"], "move=shunyi@9999-12-31"),
])
def test_option_dates_outside_the_range(args: list, option: str):
    assert_input_error(invoke(*args), option, "between 1949-01-01 and 2200-12-31")


def test_horizon_is_bounded():
    result = invoke("best-district", DONGCHENG, "--horizon-years", "100000")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_too_many_items_refused_before_validating_them():
    data = {"id": "E", "district": "daxing",
            "expenses": [{"id": n, "bad": True} for n in range(MAX_ITEMS + 1)]}
    with pytest.raises(RecordError) as caught:
        parse_record(data)
    assert caught.value.field == "expenses" and f"at most {MAX_ITEMS:,}" in caught.value.message


def test_a_long_id_names_its_field():
    with pytest.raises(RecordError) as caught:
        parse_record({"id": "x" * 201, "district": "daxing"})
    assert caught.value.field == "id"


def test_a_record_file_over_the_cap(tmp_path: Path):
    path = tmp_path / "big.json"
    path.write_text('{"id": "E", "district": "daxing", "name": "' + "x" * MAX_RECORD_BYTES + '"}',
                    encoding="utf-8")
    assert_input_error(invoke("evaluate", path), str(path), f"at most {MAX_RECORD_BYTES:,}")


@pytest.mark.parametrize(("name", "text"), [
    ("dup.json", '{"id": "E", "district": "daxing", "district": "haidian"}'),
    ("dup.yaml", "id: E\ndistrict: daxing\ndistrict: haidian\n"),
    ("nested-dup.yaml", "id: E\ndistrict: daxing\nrecognitions:\n  - {tier: national, tier: municipal, date: 2024-01-01}\n"),
])
def test_duplicate_keys_are_errors(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError, match="appears twice"):
        load_record(path)


def test_a_bom_on_a_record_file_is_fine(tmp_path: Path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"id": "E", "district": "daxing"}')
    assert load_record(path).id == "E"


@pytest.mark.parametrize(("content", "phrase"), [
    (b"add:\n  recognitions: " + b"[" * 20000 + b"]" * 20000 + b"\n", "recognitions"),
    (b"set:\n  name: " + b"{a: " * 20000 + b"}" * 20000 + b"\n", "name"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8"),
    (b"reform: {shunyi.tier.national.amount: " + HUGE.encode() + b"}\n", "far too long"),
    (b"reform: {shunyi.tier.national.amount: 100000000000000000}\n", "reform.shunyi.tier.national.amount"),
    (b"name: a\nname: b\n", "appears twice"),
], ids=["nested-list", "nested-mapping", "binary", "huge-number", "over-the-cap", "duplicate-key"])
def test_scenario_files_share_the_record_limits(tmp_path: Path, content: bytes, phrase: str):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content)
    line = assert_input_error(invoke("whatif", DONGCHENG, path))
    # PyYAML >= 6.0.4 (what a fresh install gets) refuses deep nesting while parsing, before the
    # list check can name the field; either way it is one clear error, exit 2.
    assert phrase in line or (phrase in ("recognitions", "name") and "nesting depth" in line), line


@pytest.mark.parametrize("ident", ["A\x00B", "A\nB", "A\x1b[31mB", "A\u2028B"], ids=["nul", "newline", "escape", "line-separator"])
def test_ids_with_control_characters_are_refused(ident: str):
    with pytest.raises(RecordError) as caught:
        parse_record({"id": ident, "district": "daxing"})
    assert caught.value.field == "id" and "control character" in caught.value.message


def test_rich_markup_in_an_id_is_printed_as_written(tmp_path: Path):
    path = tmp_path / "markup.json"
    path.write_text(json.dumps({"id": "[bold red]X[/bold red]", "district": "daxing",
                                "recognitions": [{"tier": "municipal", "date": "2024-01-01"}]}),
                    encoding="utf-8")
    result = invoke("timeline", path)
    assert result.exit_code == 0, result.output
    assert "[bold red]X[/bold red]" in result.stdout
