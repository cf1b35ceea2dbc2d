"""`zjtx measures lint`: the shipped catalog is clean (three brochure-defect warnings), and each
kind of broken catalog exits 1 with a message that names the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from models.catalog import CATALOG_DIR
from models.lint import lint

runner = CliRunner()


def run_lint(*args: str):
    return runner.invoke(app, ["measures", "lint", *args])


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def replace_text(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not found in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def errors_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A private, writable copy of the shipped catalog (YAML files and the brochure source)."""
    directory = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, directory, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert (directory / "source" / "beijing-sme-support-brochure.txt").exists()
    return directory


# -- the shipped catalog ---------------------------------------------------------------------------

def test_shipped_catalog_lints_clean_with_the_three_brochure_defects():
    result = run_lint()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    warnings = [line for line in lines if line.startswith("warning:")]
    assert errors_of(result.output) == []
    assert len(warnings) == 3, warnings
    mentougou, = [w for w in warnings if "mentougou.yaml" in w]
    assert "prints item 5 (mentougou) 2 times" in mentougou
    item6, = [w for w in warnings if "no district item" in w]
    assert item6 == "warning: index.yaml: the brochure has no district item 6"
    daxing, = [w for w in warnings if "daxing.yaml" in w]
    assert "cites 2 source documents" in daxing
    assert "Commercial Aerospace" in daxing and "Hydrogen Energy" in daxing
    assert lines[-1].startswith("0 error(s), 3 warning(s) in ")


def test_an_unmodified_copy_lints_clean(catalog: Path):
    """The fixture itself is sound: every failure below comes from its one mutation."""
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 0, result.output
    assert f"0 error(s), 3 warning(s) in {catalog}" in result.output


# -- broken catalogs -------------------------------------------------------------------------------

def test_duplicated_clause(catalog: Path):
    text = (catalog / "mentougou.yaml").read_text(encoding="utf-8")
    again = text.replace("id: mentougou.tier", "id: mentougou-again.tier").replace(
        "id: mentougou.relocation", "id: mentougou-again.relocation")
    assert again != text
    (catalog / "mentougou-again.yaml").write_text(again, encoding="utf-8")
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    duplicated = [line for line in errors_of(result.output) if "duplicated clause" in line]
    assert duplicated, result.output
    # The two files are read in name order; whichever comes second is reported against the first.
    assert any("mentougou.tier" in line and "mentougou-again.tier" in line for line in duplicated), duplicated
    assert any("mentougou.relocation" in line and "mentougou-again.relocation" in line
               for line in duplicated), duplicated


def test_unknown_field_in_a_rule_names_the_file_and_suggests_the_field(catalog: Path):
    path = catalog / "shijingshan.yaml"
    data = load(path)
    data["measures"][0]["rules"][0]["amout"] = 200000
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    error, = errors_of(result.output)
    assert "shijingshan.yaml" in error
    assert "unknown key 'amout'" in error
    assert "did you mean 'amount'?" in error


def test_declared_condition_used_by_no_rule(catalog: Path):
    path = catalog / "index.yaml"
    data = load(path)
    data["conditions"]["employees"] = {"type": "int", "about": "head count"}
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "error: index.yaml: declared condition 'employees' is used by no rule" in result.output


def test_condition_on_an_undeclared_field(catalog: Path):
    path = catalog / "miyun.yaml"
    data = load(path)
    data["measures"][0]["rules"][0]["conditions"] = ["employees >= 10"]
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "error: miyun.yaml: miyun.tier: condition on undeclared field 'employees'" in result.output


def test_condition_on_a_fact_the_rule_kind_does_not_offer(catalog: Path):
    path = catalog / "miyun.yaml"
    data = load(path)
    data["measures"][0]["rules"][0]["conditions"] = ["patent_year <= 10"]
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "a tier_reward rule has no fact 'patent_year' to test" in result.output


def test_amount_its_quote_does_not_state(catalog: Path):
    replace_text(catalog / "shijingshan.yaml", "municipal: {fixed: 200000}", "municipal: {fixed: 250000}")
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    error, = errors_of(result.output)
    assert error.startswith("error: shijingshan.yaml: shijingshan.tier: amount")
    assert "250000" in error and "is not stated in its quote" in error


def test_quote_not_in_the_clause_is_an_amount_without_a_source_clause(catalog: Path):
    path = catalog / "shunyi.yaml"
    data = load(path)
    data["measures"][0]["rules"][0]["quote"] = "A one-time incentive of RMB 100,000 and RMB 900,000 will be granted"
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "error: shunyi.yaml: shunyi.tier: amount without a source clause" in result.output


def test_clause_not_verbatim_in_the_brochure(catalog: Path):
    replace_text(catalog / "shijingshan.yaml", "non-repetitive incentive for a single enterprise",
                 "non-repetitive incentive for one enterprise")
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    error, = errors_of(result.output)
    assert error == "error: shijingshan.yaml: shijingshan.tier: clause is not verbatim in the brochure"


def test_benefit_quote_not_in_the_clause(catalog: Path):
    path = catalog / "municipal-gradient-cultivation.yaml"
    data = load(path)
    data["measures"][0]["benefits"][1]["quote"] = "A hotline will be opened"
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "m8.communication: quote is not in the clause" in result.output


def test_overlapping_ladders(catalog: Path):
    path = catalog / "daxing.yaml"
    data = load(path)
    rule = data["measures"][0]["rules"][1]
    assert rule["id"] == "daxing.tier.sentence-2"
    rule["r1_group"] = "daxing.tier.second-sentence"
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    overlapping = [line for line in errors_of(result.output) if "overlapping ladders" in line]
    assert any("daxing.tier.sentence-1 and daxing.tier.sentence-2 both pay daxing municipal" in line
               for line in overlapping), result.output
    # Rules of different readings never overlap: the split rules are not reported.
    assert not any("commercial-aerospace" in line for line in overlapping), overlapping


def test_difference_ladder_without_r1_group(catalog: Path):
    path = catalog / "mentougou.yaml"
    data = load(path)
    del data["measures"][0]["rules"][0]["r1_group"]
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "mentougou.tier: a difference-only ladder needs an r1_group" in result.output


def test_district_neither_with_measures_nor_listed(catalog: Path):
    path = catalog / "index.yaml"
    data = load(path)
    data["districts_without_measures"].remove("haidian")
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "error: index.yaml: districts neither with measures nor listed without: haidian" in result.output


def test_district_listed_without_measures_but_with_a_file(catalog: Path):
    path = catalog / "index.yaml"
    data = load(path)
    data["districts_without_measures"].append("miyun")
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "listed without measures but has a file: miyun" in result.output


def test_missing_brochure(catalog: Path):
    (catalog / "source" / "beijing-sme-support-brochure.txt").unlink()
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "brochure file source/beijing-sme-support-brochure.txt is missing" in result.output


def test_yaml_syntax_error_in_a_catalog_file(catalog: Path):
    (catalog / "xicheng.yaml").write_text("sources: [unclosed\n", encoding="utf-8")
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "xicheng.yaml" in result.output and "not valid YAML" in result.output
    assert "Traceback" not in result.output


def test_malformed_condition_in_a_catalog_file(catalog: Path):
    path = catalog / "miyun.yaml"
    data = load(path)
    data["measures"][0]["rules"][0]["conditions"] = ["tier >= gold"]
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "error: miyun.yaml: field measures[0].rules[0].conditions[0]: unknown tier 'gold'" in result.output


def test_lint_function_matches_the_command(catalog: Path):
    replace_text(catalog / "shijingshan.yaml", "municipal: {fixed: 200000}", "municipal: {fixed: 250000}")
    findings = lint(catalog)
    assert [f.level for f in findings].count("error") == 1
    assert [f.level for f in findings].count("warning") == 3


# -- defects found while writing these tests (not fixed; see the report) ------------------------------

def test_unknown_field_message_keeps_its_field_path(catalog: Path):
    """Regression (was a bug): lint() renders a CatalogError with `str(exc).split(": ", 1)[-1]`, which drops the
    "file, field measures[0].rules[0].amout" prefix *including the field path*; in a file with
    many rules the reader cannot tell which rule has the unknown key."""
    path = catalog / "municipal-several-measures.yaml"
    data = load(path)
    data["measures"][5]["rules"][2]["amout"] = 1
    dump(path, data)
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "measures[5].rules[2]" in result.output


def test_an_operator_that_does_not_suit_its_field_is_an_error(catalog: Path):
    path = catalog / "municipal-several-measures.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"industry in [foreign_trade]"', '"industry >= foreign_trade"'),
                    encoding="utf-8")
    result = run_lint("--catalog", str(catalog))
    assert result.exit_code == 1, result.output
    assert "operator '>=' does not apply to a tags field" in result.output
