"""Catalog packages as data (issue 9): any package by path (`--catalog DIR`), export, schema,
dated rules and editions, diff, lint of every problem at once, and two fixture packages under
tests/catalogs/ (test data, not policy) evaluated through the CLI with hand-computed answers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from models.catalog import CATALOG_DIR, open_catalog
from models.errors import CatalogError
from tests.support import assert_catalog_error, assert_input_error

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LATER = ROOT / "tests" / "catalogs" / "beijing-later-edition"
RIVERLAND = ROOT / "tests" / "catalogs" / "riverland"


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def evaluate(record: dict, tmp_path: Path, *options: str) -> dict:
    path = tmp_path / f"{record['id']}.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    result = invoke("evaluate", path, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def awards(answer: dict) -> list[tuple]:
    return [(a["measure"], a["tier"], a["claim_year"], a["amount"]["min"], a["amount"]["max"],
             a["paid_by"]) for a in answer["awards"] if not a["received"]]


# -- export: the shipped package, written out, answers byte for byte the same --------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "exported"
    result = invoke("measures", "export", directory)
    assert result.exit_code == 0, result.output
    return directory


def test_an_exported_package_lints_clean(exported: Path):
    result = invoke("measures", "lint", "--catalog", exported)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 3 warning(s)" in result.output


COMMANDS = [
    ("evaluate", EXAMPLES / "daxing-hydrogen-full.yaml", "--format", "json"),
    ("evaluate", EXAMPLES / "dongcheng-municipal-then-national.yaml"),
    ("evaluate", EXAMPLES / "shijingshan-municipal-then-national.yaml", "--all-readings", "--format", "json"),
    ("timeline", EXAMPLES / "daxing-hydrogen-full.yaml", "--format", "json"),
    ("best-district", EXAMPLES / "relocating-little-giant.yaml", "--move-date", "2027-01-15", "--format", "json"),
    ("whatif", EXAMPLES / "shijingshan-municipal-then-national.yaml", "move=dongcheng@2024-01-01", "--format", "json"),
    ("howto", EXAMPLES / "exhibition-expenses.json", "--measure", "daxing.tier", "--target", "1000000", "--format", "json"),
    ("windows", "--date", "2026-11-25", "--format", "json"),
    ("measures", "list", "--format", "json"),
    ("measures", "show", "daxing.tier"),
    ("measures", "readings"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(str(p) for p in c[:2]))
def test_every_command_answers_the_same_with_the_exported_package(command, exported: Path):
    shipped = invoke(*command)
    assert shipped.exit_code == 0, shipped.output
    again = invoke(*command, "--catalog", exported)
    assert again.exit_code == 0, again.output
    assert again.stdout == shipped.stdout


def test_batch_answers_the_same_with_the_exported_package(exported: Path, tmp_path: Path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text("\n".join(json.dumps(json.loads(json.dumps(yaml.safe_load(p.read_text(encoding="utf-8")), default=str)))
                              for p in sorted(EXAMPLES.glob("*.yaml"))) + "\n", encoding="utf-8")
    outs = []
    for extra in ([], ["--catalog", str(exported)]):
        out = tmp_path / f"out{len(outs)}.csv"
        result = invoke("batch", rows, "--out", out, "--best-district", "--move-date", "2027-01-15", *extra)
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_export_refuses_a_directory_that_is_not_empty(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert_input_error(invoke("measures", "export", tmp_path), "not an empty directory")
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_an_extending_package_exports_flattened(tmp_path: Path):
    target = tmp_path / "flat"
    assert invoke("measures", "export", target, "--catalog", LATER).exit_code == 0
    assert "extends" not in yaml.safe_load((target / "index.yaml").read_text(encoding="utf-8"))
    assert (target / "dongcheng-edition-2025.yaml").exists()
    assert invoke("measures", "lint", "--catalog", target).exit_code == 0


# -- schema and broken packages -----------------------------------------------------------------------

def test_schema_covers_both_kinds_of_file():
    result = invoke("measures", "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    index, source = schema["properties"]["index"], schema["properties"]["source"]
    assert {"jurisdiction", "vocabulary", "conditions", "readings"} <= set(index["properties"])
    assert index["properties"]["readings"]["required"] == ["claim-lag", "paying-district"]
    assert {"payer", "edition", "measures", "sources", "text"} <= set(source["properties"])
    rule = source["$defs"]["RuleSpec"]["properties"]
    assert {"kind", "amount", "levels", "caps", "conditions", "effective_from", "effective_to",
            "r1_group", "only_when"} <= set(rule)
    assert json.loads(invoke("measures", "schema", "--part", "index").stdout)["title"] == "IndexSpec"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, directory, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return directory


def test_a_broken_package_is_a_catalog_error_naming_the_file_and_the_path_inside_it(copy: Path):
    text = (copy / "shunyi.yaml").read_text(encoding="utf-8")
    (copy / "shunyi.yaml").write_text(text.replace("national: {fixed: 500000}", "national: {fixd: 500000}"),
                                      encoding="utf-8")
    line = assert_catalog_error(invoke("evaluate", EXAMPLES / "daxing-hydrogen-full.yaml", "--catalog", copy),
                              "shunyi.yaml", "measures[0].rules[0].levels.national.fixd", "unknown key")
    assert "Traceback" not in line
    with pytest.raises(CatalogError) as caught:
        open_catalog(copy)
    assert caught.value.file == "shunyi.yaml"


def test_a_missing_package_directory_is_named():
    assert_catalog_error(invoke("evaluate", EXAMPLES / "daxing-hydrogen-full.yaml", "--catalog", "no/such/dir"),
                       "no such catalog directory")


def test_a_catalog_file_that_is_not_yaml_is_a_configuration_error_exit_4(copy: Path, tmp_path: Path):
    """A broken package is not the user's bad input (exit 2): every command that loads it stops
    with exit 4 and one line naming the file, whatever the record; lint reports it as a finding."""
    (copy / "miyun.yaml").write_text("measures: [\n  {id: miyun.tier,\n", encoding="utf-8")
    rows = tmp_path / "in.jsonl"
    rows.write_text('{"id": "A", "district": "miyun"}\n', encoding="utf-8")
    for command in (["evaluate", EXAMPLES / "daxing-hydrogen-full.yaml"], ["windows"],
                    ["measures", "list"],
                    ["batch", rows, "--out", tmp_path / "out.csv"]):
        assert_catalog_error(invoke(*command, "--catalog", copy), "miyun.yaml", "not valid YAML")
    assert not (tmp_path / "out.csv").exists()
    result = invoke("measures", "lint", "--catalog", copy)
    assert result.exit_code == 1 and "miyun.yaml" in result.output and "not valid YAML" in result.output


def test_lint_of_a_missing_package_directory_is_a_configuration_error():
    assert_catalog_error(invoke("measures", "lint", "--catalog", "no/such/dir"), "no such catalog directory")


def test_a_typo_in_a_condition_value_fails_lint_naming_the_nearest_declared_value(copy: Path):
    path = copy / "daxing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"industry in [hydrogen_energy]"', '"industry in [hydrogen_enrgy]"'), encoding="utf-8")
    result = invoke("measures", "lint", "--catalog", copy)
    assert result.exit_code == 1
    error, = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert "daxing.yaml" in error and "'hydrogen_enrgy'" in error
    assert "did you mean 'hydrogen_energy'?" in error


def test_lint_reports_every_problem_in_one_run(copy: Path):
    """Three broken files and one bad value: four errors, not the first only."""
    for name, old, new in [("shunyi.yaml", "national: {fixed: 500000}", "national: {fixd: 500000}"),
                           ("miyun.yaml", "kind: tier_reward", "kind: tier_rewrd"),
                           ("xicheng.yaml", "payer: xicheng", "payer: xichen"),
                           ("municipal-several-measures.yaml", "categories: [exhibition]",
                            "categories: [exhibiton]")]:
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = invoke("measures", "lint", "--catalog", copy)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert any("shunyi.yaml" in e and "fixd" in e for e in errors), errors
    assert any("miyun.yaml" in e and "kind" in e for e in errors), errors
    assert any("xicheng.yaml" in e and "'xichen'" in e for e in errors), errors
    assert any("'exhibiton'" in e and "did you mean 'exhibition'?" in e for e in errors), errors


def test_an_edition_closing_an_unknown_rule_is_an_error(tmp_path: Path):
    package = tmp_path / "later"
    shutil.copytree(LATER, package)
    (package / "index.yaml").write_text((LATER / "index.yaml").read_text(encoding="utf-8").replace(
        "../../../models/catalog", str(CATALOG_DIR)), encoding="utf-8")
    path = package / "dongcheng-edition-2025.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("closes: [dongcheng.tier]",
                                                             "closes: [dongcheng.teir]"), encoding="utf-8")
    result = invoke("measures", "lint", "--catalog", package)
    assert result.exit_code == 1
    assert "edition.closes[0]" in result.output and "did you mean 'dongcheng.tier'?" in result.output


def test_a_package_without_a_reading_the_engine_consults_is_refused(tmp_path: Path):
    package = tmp_path / "riverland"
    shutil.copytree(RIVERLAND, package)
    index = package / "index.yaml"
    data = yaml.safe_load(index.read_text(encoding="utf-8"))
    del data["readings"]["claim-lag"]
    index.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_catalog_error(invoke("windows", "--catalog", package), "index.yaml", "field readings",
                       "claim-lag")


# -- dated rules: the later Beijing edition (test data) -------------------------------------------------

def dongcheng(recognized_national: str, **more) -> dict:
    return {"id": f"DC-{recognized_national}", "district": "dongcheng", "as_of": "2026-11-24",
            "recognitions": [{"tier": "municipal", "date": "2023-03-01"},
                             {"tier": "national", "date": recognized_national}], **more}


def test_a_recognition_before_the_change_date_gets_the_old_amount(tmp_path: Path):
    answer = evaluate(dongcheng("2024-12-31"), tmp_path, "--catalog", LATER)
    assert awards(answer) == [("dongcheng.tier", "municipal", 2024, 100_000, 100_000, "dongcheng"),
                              ("dongcheng.tier", "national", 2025, 800_000, 800_000, "dongcheng")]


def test_a_recognition_from_the_change_date_gets_the_new_amount(tmp_path: Path):
    answer = evaluate(dongcheng("2025-01-01"), tmp_path, "--catalog", LATER)
    assert awards(answer) == [("dongcheng.tier", "municipal", 2024, 100_000, 100_000, "dongcheng"),
                              ("dongcheng.tier", "national", 2026, 1_000_000, 1_000_000, "dongcheng")]
    national = next(a for a in answer["awards"] if a["tier"] == "national")
    assert national["tel"] == "000-00000000"  # the new rule's source (rule ids never reach a person)


def test_the_shipped_package_still_pays_800000_after_the_change_date(tmp_path: Path):
    answer = evaluate(dongcheng("2025-06-01"), tmp_path)
    assert ("dongcheng.tier", "national", 2026, 800_000, 800_000, "dongcheng") in awards(answer)


EXHIBITION = {"expenses": [{"id": "X1", "category": "exhibition", "amount": 300_000, "year": 2025}]}


def test_the_new_district_measure_pays_from_expenses_capped_at_150000(tmp_path: Path):
    """50% of 300,000 is 150,000, the yearly cap; m6 does not pay (no foreign_trade tag)."""
    answer = evaluate(dongcheng("2025-06-01", **EXHIBITION), tmp_path, "--catalog", LATER)
    assert ("dongcheng.exhibition", None, 2025, 0, 150_000, "dongcheng") in awards(answer)
    assert not any(a[0] == "m6.exhibition" for a in awards(answer))


def test_one_expense_item_funds_one_programme_across_city_and_district(tmp_path: Path):
    """R4: a foreign-trade enterprise's item goes to m6 (70%: 210,000), not to both."""
    answer = evaluate(dongcheng("2025-06-01", industries=["foreign_trade"], **EXHIBITION), tmp_path,
                      "--catalog", LATER)
    paid = [a for a in awards(answer) if a[0] in ("m6.exhibition", "dongcheng.exhibition")]
    assert paid == [("m6.exhibition", None, 2025, 0, 210_000, "municipal")]


def test_a_district_expense_measure_pays_only_enterprises_registered_there(tmp_path: Path):
    record = dongcheng("2025-06-01", **EXHIBITION)
    record.update(district="haidian", moves=[{"from": "dongcheng", "to": "haidian", "date": "2025-07-01"}])
    answer = evaluate(record, tmp_path, "--catalog", LATER)
    assert not any(a[0] == "dongcheng.exhibition" for a in awards(answer))
    reasons = next(n["reasons"] for n in answer["not_awarded"] if n["measure"] == "dongcheng.exhibition")
    assert any("registered in Haidian on 2025-12-31, not in Dongcheng" in r["text"] for r in reasons), reasons


def test_an_expense_before_the_edition_is_not_paid_by_the_new_measure(tmp_path: Path):
    record = dongcheng("2024-06-01", expenses=[{"id": "X0", "category": "exhibition", "amount": 300_000, "year": 2024}])
    answer = evaluate(record, tmp_path, "--catalog", LATER)
    reasons = next(n["reasons"] for n in answer["not_awarded"] if n["measure"] == "dongcheng.exhibition")
    assert any("outside the measure's effective dates" in r["text"] for r in reasons), reasons


def test_full_and_lean_roads_agree_on_a_district_expense_measure(tmp_path: Path):
    """best-district (full road, explanations) and batch --best-district (lean road) give the same
    best district and total when a district measure shares expense items with a city one."""
    record = dongcheng("2025-06-01", **EXHIBITION)
    record.update(district="haidian", moves=[{"from": "dongcheng", "to": "haidian", "date": "2024-01-01"}])
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    full = invoke("best-district", path, "--move-date", "2025-02-01", "--catalog", LATER, "--format", "json")
    assert full.exit_code == 0, full.output
    ranking = json.loads(full.stdout)["ranking"]
    best = ranking[0]
    there = next(o for o in ranking if o["district"] == "dongcheng")
    assert [(a["measure"], a["amount"]["max"]) for a in there["awards"]] == [
        ("dongcheng.exhibition", 150_000), ("dongcheng.tier", 1_000_000)]
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    lean = invoke("batch", rows, "--out", out, "--best-district", "--move-date", "2025-02-01", "--catalog", LATER)
    assert lean.exit_code == 0, lean.output
    row = json.loads(out.read_text(encoding="utf-8"))
    assert (row["best_district"], row["best_total_min"], row["best_total_max"]) == (
        best["district"], best["total"]["min"], best["total"]["max"])


# -- diff ----------------------------------------------------------------------------------------------

def test_diff_between_two_dates_of_the_later_edition_names_the_changed_amount():
    result = invoke("measures", "diff", "--catalog", LATER, "--at", "2024-06-01", "--at", "2025-06-01",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)
    amount, = [c for c in changes if c["what"] == "amount"]
    assert amount["measure"] == "dongcheng.tier"
    assert amount["before"]["national"] == {"fixed": 800_000}
    assert amount["after"]["national"] == {"fixed": 1_000_000}
    assert {"change": "added", "measure": "dongcheng.exhibition"} in [
        {"change": c["change"], "measure": c["measure"]} for c in changes]


def test_the_shipped_package_does_not_change_between_its_dates():
    result = invoke("measures", "diff", "--at", "2022-10-01", "--at", "2025-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "0 change(s)"


def test_diff_between_two_packages():
    result = invoke("measures", "diff", CATALOG_DIR, LATER)
    assert result.exit_code == 0, result.output
    assert "+ dongcheng.exhibition (Dongcheng exhibition subsidy): measure added" in result.stdout
    assert ("~ dongcheng.tier (Dongcheng tier reward) (rule dongcheng.tier): dates in force changed:"
            " […, …] → […, 2024-12-31]") in result.stdout


def test_diff_needs_two_dates_or_two_packages():
    assert_input_error(invoke("measures", "diff", "--at", "2025-01-01"), "give --at twice")


# -- a fictional jurisdiction (test data) ----------------------------------------------------------------

RIVER = {"id": "RL-1", "district": "北区", "as_of": "2026-01-01",
         "recognitions": [{"tier": "小树", "date": "2024-05-01"}, {"tier": "oak", "date": "2025-02-01"}],
         "expenses": [{"id": "T1", "category": "tooling", "amount": 1_200_000, "year": 2025}]}


def test_riverland_lints_clean():
    result = invoke("measures", "lint", "--catalog", RIVERLAND)
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_riverland_pays_its_ladder_difference_and_its_capped_city_programme(tmp_path: Path):
    """North: sapling 50,000 (claimed the same year: Riverland's default claim-lag is as written),
    oak 300,000 less 50,000; the city's tooling subsidy is 40% of 1,200,000 = 480,000, capped at
    400,000 a year. Names and aliases come from Riverland's own vocabulary (北区, 小树)."""
    answer = evaluate(RIVER, tmp_path, "--catalog", RIVERLAND)
    assert awards(answer) == [("north.tier", "sapling", 2024, 50_000, 50_000, "north"),
                              ("north.tier", "oak", 2025, 250_000, 250_000, "north"),
                              ("r1", None, 2025, 0, 400_000, "municipal")]
    assert answer["total"] == {"min": 300_000, "max": 700_000, "open_above": False}


def test_riverland_words_are_not_beijing_words(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(RIVER, allow_unicode=True), encoding="utf-8")
    result = invoke("evaluate", path)  # against the shipped Beijing package
    assert result.exit_code == 2 and result.stdout == ""
    assert "field recognitions[1].tier: 'oak' is not accepted" in result.stderr
    assert "field district: '北区' is not accepted" in result.stderr


def test_riverland_ranks_its_own_districts(tmp_path: Path):
    record = {"id": "RL-2", "district": "south", "recognitions": [{"tier": "oak", "date": "2026-03-01"}]}
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    result = invoke("best-district", path, "--move-date", "2026-01-15", "--catalog", RIVERLAND, "--format", "json")
    assert result.exit_code == 0, result.output
    ranking = json.loads(result.stdout)["ranking"]
    assert [o["district"] for o in ranking] == ["north", "south", "east"]  # ties keep staying (DOMAIN 8)
    assert ranking[0]["total"]["max"] == 300_000


def test_riverland_windows_are_its_own():
    result = invoke("windows", "--date", "2026-05-05", "--catalog", RIVERLAND, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [w["tier"] for w in json.loads(result.stdout)["windows"]] == ["seedling", "sapling"]


def test_city_and_district_parts_are_solved_apart_only_when_nothing_ties_them():
    """The lean road solves the municipal part once and the district part per district; a
    district rule taking the same expense items as a city programme (R4) ties them together."""
    shipped, later = open_catalog(), open_catalog(LATER)
    assert shipped.parts_separable(shipped.default_readings())
    assert not later.parts_separable(later.default_readings())
