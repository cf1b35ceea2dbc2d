"""The `zjtx` command line: bad input is one `zjtx: error:` line and exit status 2, never a
traceback; the browsing commands and `evaluate` print what they promise, deterministically."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from models.money import Money
from tests.support import assert_input_error

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "daxing-hydrogen-full.yaml"
runner = CliRunner()  # click >= 8.2: result.stderr is separate, result.output interleaves both

VALID = textwrap.dedent("""\
    id: E-1
    district: haidian
    recognitions: [{tier: municipal, date: 2023-03-31}]
""")


def invoke(*args: str):
    return runner.invoke(app, [str(arg) for arg in args])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- evaluate: bad record files --------------------------------------------------------------------

def test_missing_file(tmp_path: Path):
    path = tmp_path / "nowhere.yaml"
    assert_input_error(invoke("evaluate", path), str(path), "no such file")


def test_empty_file(tmp_path: Path):
    path = write(tmp_path, "empty.yaml", "   \n")
    assert_input_error(invoke("evaluate", path), "empty.yaml", "the file is empty")


def test_a_directory(tmp_path: Path):
    assert_input_error(invoke("evaluate", tmp_path), str(tmp_path), "is a directory")


def test_yaml_syntax_error(tmp_path: Path):
    path = write(tmp_path, "broken.yaml", "id: E-1\ndistrict: [haidian\n")
    assert_input_error(invoke("evaluate", path), "broken.yaml", "not valid YAML", "at line")


def test_invalid_json(tmp_path: Path):
    path = write(tmp_path, "broken.json", '{"id": "E-1", "district": "haidian",}')
    assert_input_error(invoke("evaluate", path), "broken.json", "not valid JSON", "line 1 column")


def test_yaml_list_instead_of_a_mapping(tmp_path: Path):
    path = write(tmp_path, "list.yaml", "- id: E-1\n  district: haidian\n")
    assert_input_error(invoke("evaluate", path), "list.yaml", "expected a mapping", "got list")


def test_unknown_key_suggests_the_nearest(tmp_path: Path):
    path = write(tmp_path, "typo.yaml", VALID.replace("recognitions:", "recognitons:"))
    assert_input_error(invoke("evaluate", path), "typo.yaml", "field recognitons",
                       "unknown key 'recognitons'", "did you mean 'recognitions'?")


def test_bad_tier_names_the_field_and_lists_the_tiers(tmp_path: Path):
    path = write(tmp_path, "tier.yaml", VALID.replace("tier: municipal", "tier: gold"))
    line = assert_input_error(invoke("evaluate", path), "tier.yaml", "field recognitions[0].tier",
                              "'gold'")
    accepted = line.split("(accepted:", 1)[1]
    for tier in ("innovative", "municipal", "national", "privileged"):
        assert tier in accepted


def test_bad_district(tmp_path: Path):
    path = write(tmp_path, "district.yaml", VALID.replace("district: haidian", "district: gotham"))
    line = assert_input_error(invoke("evaluate", path), "district.yaml", "field district", "'gotham'")
    assert "haidian" in line and "outside_beijing" in line


def test_bad_date_in_json(tmp_path: Path):
    path = write(tmp_path, "date.json", json.dumps(
        {"id": "E-1", "district": "haidian", "recognitions": [{"tier": "municipal", "date": "2022-13-01"}]}))
    assert_input_error(invoke("evaluate", path), "date.json", "field recognitions[0].date", "'2022-13-01'")


def test_bad_date_in_yaml(tmp_path: Path):
    """Regression (was a bug): PyYAML's safe_load turns `2022-13-01` into a timestamp and raises a plain ValueError
    ("month must be in 1..12"), which load_record does not catch (it only catches
    yaml.YAMLError): the CLI exits 1 with a traceback instead of exit 2 and one error line."""
    path = write(tmp_path, "date.yaml", VALID.replace("2023-03-31", "2022-13-01"))
    assert_input_error(invoke("evaluate", path), "date.yaml", "2022-13-01")


def test_negative_expense_amount(tmp_path: Path):
    path = write(tmp_path, "negative.yaml", VALID + "expenses: [{id: X1, category: exhibition, amount: -5, year: 2025}]\n")
    assert_input_error(invoke("evaluate", path), "negative.yaml", "field expenses[0].amount", "-5",
                       "greater than or equal to 0")


def test_float_amount(tmp_path: Path):
    path = write(tmp_path, "float.yaml", VALID + "expenses: [{id: X1, category: exhibition, amount: 100.5, year: 2025}]\n")
    assert_input_error(invoke("evaluate", path), "float.yaml", "field expenses[0].amount", "100.5",
                       "valid integer")


def test_duplicate_expense_id(tmp_path: Path):
    path = write(tmp_path, "dup.yaml", VALID + textwrap.dedent("""\
        expenses:
          - {id: X1, category: exhibition, amount: 100, year: 2025}
          - {id: X1, category: exhibition, amount: 200, year: 2025}
    """))
    line = assert_input_error(invoke("evaluate", path), "dup.yaml", "expense id", "appears twice")
    assert "X1" in line


def test_moves_that_do_not_chain(tmp_path: Path):
    path = write(tmp_path, "chain.yaml", """\
        id: E-1
        district: daxing
        moves:
          - {from: outside_beijing, to: haidian, date: 2022-01-01}
          - {from: shunyi, to: daxing, date: 2023-01-01}
    """)
    assert_input_error(invoke("evaluate", path), "chain.yaml",
                       "the move on 2023-01-01 starts in shunyi but the move before it ended in haidian")


def test_last_move_not_matching_the_district(tmp_path: Path):
    path = write(tmp_path, "last.yaml", """\
        id: E-1
        district: daxing
        moves: [{from: outside_beijing, to: haidian, date: 2022-01-01}]
    """)
    assert_input_error(invoke("evaluate", path), "last.yaml",
                       "the last move ends in haidian but district is daxing")


def test_rewards_received_with_an_unknown_measure(tmp_path: Path):
    path = write(tmp_path, "received.yaml", """\
        id: E-1
        district: daxing
        rewards_received: [{measure: daxing.teir, tier: municipal, amount: 200000, year: 2024}]
    """)
    assert_input_error(invoke("evaluate", path), "field rewards_received[0].measure",
                       "unknown measure 'daxing.teir'", "did you mean 'daxing.tier'?")


def test_rewards_received_error_names_the_record_file(tmp_path: Path):
    """Regression (was a bug in solver/compile.py collect_received): the RecordError carries no `file`, so unlike
    every other record error the line does not name the record file."""
    path = write(tmp_path, "received.yaml", """\
        id: E-1
        district: daxing
        rewards_received: [{measure: daxing.teir, tier: municipal, amount: 200000, year: 2024}]
    """)
    assert_input_error(invoke("evaluate", path), "received.yaml", "field rewards_received[0].measure")


def test_rewards_received_error_names_the_index_as_written(tmp_path: Path):
    """Regression (was a bug in solver/compile.py collect_received): the index is taken *after* EnterpriseRecord
    sorted rewards_received canonically by year, so the unknown entry written second
    (rewards_received[1]) is reported as rewards_received[0], pointing at the wrong entry."""
    path = write(tmp_path, "received.yaml", """\
        id: E-1
        district: daxing
        rewards_received:
          - {measure: daxing.tier, tier: municipal, amount: 200000, year: 2024}
          - {measure: daxing.teir, tier: national, amount: 800000, year: 2023}
    """)
    assert_input_error(invoke("evaluate", path), "field rewards_received[1].measure",
                       "unknown measure 'daxing.teir'")


# -- evaluate: bad options ---------------------------------------------------------------------------

def test_unknown_reading_lists_the_accepted_keys():
    line = assert_input_error(invoke("evaluate", EXAMPLE, "--reading", "foo=bar"),
                              "--reading", "unknown reading 'foo'")
    for key in ("stacking", "daxing-sentences", "claim-lag", "paying-district", "pinggu-relocation-origin"):
        assert key in line


def test_unknown_reading_value_lists_the_alternatives():
    assert_input_error(invoke("evaluate", EXAMPLE, "--reading", "stacking=wrong"),
                       "reading 'stacking' has no value 'wrong'",
                       "stacking=cumulative", "stacking=difference-only")


def test_reading_without_equals_sign():
    assert_input_error(invoke("evaluate", EXAMPLE, "--reading", "stacking"),
                       "'stacking' is not key=value")


def test_unknown_format_is_a_usage_error():
    result = invoke("evaluate", EXAMPLE, "--format", "xml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Usage:" in result.stderr
    assert "'xml'" in result.stderr and "--format" in result.stderr


def test_bad_input_never_prints_a_traceback_from_the_installed_command(tmp_path: Path):
    """The same contract outside CliRunner: the real process, its real stderr."""
    path = write(tmp_path, "typo.yaml", VALID.replace("recognitions:", "recognitons:"))
    done = subprocess.run([sys.executable, "-m", "cli", "evaluate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("zjtx: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


# -- measures ----------------------------------------------------------------------------------------

FAMILIES = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "dongcheng.tier", "xicheng.tier",
            "fengtai.qualification", "shijingshan.tier", "mentougou.tier", "mentougou.relocation",
            "shunyi.tier", "daxing.tier", "pinggu.tier", "pinggu.relocation", "miyun.tier"]


def _flat(text: str) -> str:
    """Rendered text without box drawing, whitespace collapsed (rich wraps long lines)."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2500-\u257f]", " ", text)).strip()


def test_measures_show_prints_the_clause_and_telephone():
    result = invoke("measures", "show", "m6.exhibition")
    assert result.exit_code == 0, result.output
    clause = ("Enterprises engaging in foreign trade businesses that participate in activities such as "
              "international exhibitions will be granted financial support of up to 70% of the actual "
              "expenses incurred.")
    assert clause in _flat(result.stdout)
    assert "6. Market expansion:" in result.stdout
    assert "010-55578300" in result.stdout
    assert "m6.exhibition" in result.stdout


def test_measures_show_prints_list_conditions():
    """Regression (was a bug): views/table.py passes condition strings to rich as markup, so `[foreign_trade]` is
    read as a style tag and vanishes: the encoding shows only `industry in`. The same happens in
    the `evaluate` table's 'Not awarded' reasons (see the next test)."""
    result = invoke("measures", "show", "m6.exhibition")
    assert result.exit_code == 0
    assert "[foreign_trade]" in result.stdout


def test_evaluate_table_prints_the_reasons_of_the_json(tmp_path: Path):
    """Regression (was a bug): the table once lost bracketed text of reasons to rich markup. Reasons
    are now words rendered from codes: the JSON carries code, params and text, and the table prints
    the same words (record data such as tags reach rich as plain text)."""
    path = write(tmp_path, "software.yaml", VALID + "industries: [software]\n"
                 "expenses: [{id: X1, category: exhibition, amount: 1000, year: 2025}]\n")
    as_json = json.loads(invoke("evaluate", path, "--format", "json").stdout)
    reasons = {item["measure"]: item["reasons"] for item in as_json["not_awarded"]}
    exhibition = reasons["m6.exhibition"]
    assert [r["code"] for r in exhibition] == ["condition_failed"]
    assert exhibition[0]["params"]["value"] == "foreign_trade"
    assert "requires the industry tags one of foreign trade, but it is software" in exhibition[0]["text"]
    table = invoke("evaluate", path)
    assert table.exit_code == 0
    assert "requires the industry tags one of foreign" in table.stdout


def test_measures_show_unknown_id():
    assert_input_error(invoke("measures", "show", "nosuch"), "unknown measure 'nosuch'")


def test_measures_show_suggests_a_near_id():
    assert_input_error(invoke("measures", "show", "m6.exhibitoin"), "did you mean 'm6.exhibition'?")


def test_measures_list_prints_all_19_families():
    result = invoke("measures", "list")
    assert result.exit_code == 0, result.output
    first_column = [line.split("│")[1].strip() for line in result.stdout.splitlines()
                    if line.startswith("│") and line.split("│")[1].strip()]
    assert first_column == FAMILIES
    assert "19 measure families" in result.stdout


def test_measures_list_json():
    result = invoke("measures", "list", "--format", "json")
    assert result.exit_code == 0
    assert [item["id"] for item in json.loads(result.stdout)] == FAMILIES


def test_measures_readings_lists_the_nine_keys():
    result = invoke("measures", "readings")
    assert result.exit_code == 0, result.output
    keys = [line.split(":", 1)[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert keys == ["stacking", "daxing-sentences", "claim-lag", "paying-district",
                    "pinggu-relocation-origin", "entity-scope", "interest-cap", "interest-years",
                    "audience"]
    assert result.stdout.count("(default)") == 9
    assert "(default) interest-cap=per-enterprise" in result.stdout
    assert "(default) interest-years=first-three" in result.stdout
    assert "(default) audience=as-written" in result.stdout
    assert "(default) stacking=cumulative" in result.stdout


# -- evaluate: output --------------------------------------------------------------------------------

def test_evaluate_table_shows_the_total_and_the_phone():
    result = invoke("evaluate", EXAMPLE)
    assert result.exit_code == 0, result.output
    total = json.loads(invoke("evaluate", EXAMPLE, "--format", "json").stdout)["total"]
    shown = Money(total["min"], total["max"], total["open_above"]).text()
    assert f"total: {shown} yuan" in result.stdout
    assert "total: 500,000 – 18,710,360 or more yuan" in result.stdout
    assert "010-89292028" in result.stdout
    assert "Enterprise E-0001" in result.stdout


def test_evaluate_json_parses_with_int_claim_years():
    result = invoke("evaluate", EXAMPLE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["enterprise"] == "E-0001"
    assert data["awards"], "the example earns awards"
    years = [award["claim_year"] for award in data["awards"]]
    assert all(type(year) is int for year in years), years
    assert years == sorted(years)
    for key in ("min", "max"):
        assert type(data["total"][key]) is int
    assert data["readings"]["stacking"] == "cumulative"


def test_evaluate_json_honours_a_reading():
    default = json.loads(invoke("evaluate", EXAMPLE, "-f", "json").stdout)
    split = json.loads(invoke("evaluate", EXAMPLE, "-f", "json", "-r", "daxing-sentences=split").stdout)
    assert split["readings"]["daxing-sentences"] == "split"
    assert default["readings"]["daxing-sentences"] == "both"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_evaluate_is_deterministic(fmt: str):
    first = invoke("evaluate", EXAMPLE, "--format", fmt)
    second = invoke("evaluate", EXAMPLE, "--format", fmt)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    assert len(first.stdout_bytes) > 1000


def test_a_solver_status_other_than_optimal_is_an_error_that_says_so(monkeypatch):
    """Anything but OPTIMAL from CP-SAT is an error (exit 3) naming the status, never an answer."""
    from ortools.sat.python import cp_model

    monkeypatch.setattr(cp_model.CpSolver, "solve", lambda self, model, *a, **k: cp_model.FEASIBLE)
    example = Path(__file__).parent.parent / "examples" / "dongcheng-municipal-then-national.yaml"
    result = invoke("evaluate", example, "--solver", "cp-sat")
    assert result.exit_code == 3, result.output
    assert "CP-SAT returned FEASIBLE" in result.stderr and "expected OPTIMAL" in result.stderr
    assert "Traceback" not in result.output
