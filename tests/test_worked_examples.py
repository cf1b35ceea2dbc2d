"""DOMAIN.md section 6: the six worked examples, through the CLI, in both output formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

EXAMPLES = Path(__file__).parent.parent / "examples"
runner = CliRunner()

# (example file, total, [(measure, tier, claim year, min, max)])
WORKED = [
    ("shijingshan-municipal-then-national.yaml", 800_000,
     [("shijingshan.tier", "municipal", 2023, 200_000, 200_000),
      ("shijingshan.tier", "national", 2025, 600_000, 600_000)]),
    ("dongcheng-municipal-then-national.yaml", 900_000,
     [("dongcheng.tier", "municipal", 2023, 100_000, 100_000),
      ("dongcheng.tier", "national", 2025, 800_000, 800_000)]),
    ("dongcheng-both-tiers-in-one-year.yaml", 800_000,
     [("dongcheng.tier", "national", 2023, 800_000, 800_000)]),
    ("daxing-hydrogen-municipal.yaml", 500_000,
     [("daxing.tier", "municipal", 2024, 500_000, 500_000)]),
    ("daxing-hydrogen-private-non-enterprise.yaml", 200_000,
     [("daxing.tier", "municipal", 2024, 200_000, 200_000)]),
    ("mentougou-relocation-from-outside-beijing.yaml", 300_000,
     [("mentougou.relocation", None, 2023, 100_000, 100_000),
      ("mentougou.tier", "municipal", 2023, 200_000, 200_000)]),
    ("exhibition-expenses.json", 700_000,
     [("m6.exhibition", None, 2025, 0, 700_000)]),
]


@pytest.mark.parametrize(("name", "total", "awards"), WORKED, ids=[w[0] for w in WORKED])
def test_worked_example_in_json(name: str, total: int, awards: list) -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLES / name), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"]["max"] == total
    assert data["total"]["min"] == (0 if name.endswith(".json") else total)
    got = [(a["measure"], a["tier"], a["claim_year"], a["amount"]["min"], a["amount"]["max"])
           for a in data["awards"]]
    assert sorted(got, key=str) == sorted(awards, key=str)
    for award in data["awards"]:
        assert isinstance(award["claim_year"], int)
        assert award["clause"] and award["source"] and award["tel"] and award["why"]


@pytest.mark.parametrize(("name", "total", "awards"), WORKED, ids=[w[0] for w in WORKED])
def test_worked_example_in_the_table(name: str, total: int, awards: list) -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLES / name)])
    assert result.exit_code == 0, result.output
    assert f"{total:,}" in result.stdout
    for measure, _tier, year, _low, high in awards:
        assert measure in result.stdout and str(year) in result.stdout
        assert f"{high:,}" in result.stdout


def test_the_json_contract_has_exactly_the_documented_keys() -> None:
    result = runner.invoke(app, ["evaluate", str(EXAMPLES / "daxing-hydrogen-full.yaml"), "-f", "json"])
    data = json.loads(result.stdout)
    assert list(data) == ["enterprise", "readings", "total", "awards", "not_awarded", "benefits",
                          "as_of", "by_status", "warnings"]
    assert set(data["total"]) == {"min", "max", "open_above"}
    assert set(data["by_status"]) == {"due", "projected", "past"}
    keys = {"measure", "title", "tier", "amount", "claim_year", "paid_by", "status", "received",
            "projected", "clause", "source", "contact", "tel", "why", "reasons"}
    # Display names beside the ids, and the official Chinese names beside the English as printed.
    names = {"measure_name", "tier_name", "paid_by_name", "contact_name", "source_name", "tel_name"}
    assert all(set(award) == keys | names for award in data["awards"])
    assert all(set(item) == {"measure", "measure_name", "title", "elsewhere", "reasons"}
               for item in data["not_awarded"])
    reasons = [r for a in data["awards"] for r in a["reasons"]] + \
        [r for item in data["not_awarded"] for r in item["reasons"]]
    assert reasons and all(set(r) == {"code", "params", "text"} for r in reasons)
    received = [a for a in data["awards"] if a["received"]]
    assert received and data["total"]["max"] == sum(a["amount"]["max"] for a in data["awards"]
                                                    if not a["received"])
    assert data["total"]["open_above"] is True  # the district listing subsidy is "not less than"


def test_a_reading_changes_the_answer() -> None:
    path = str(EXAMPLES / "dongcheng-municipal-then-national.yaml")
    default = json.loads(runner.invoke(app, ["evaluate", path, "-f", "json"]).stdout)
    other = json.loads(runner.invoke(app, ["evaluate", path, "-f", "json", "--reading",
                                           "stacking=difference-only"]).stdout)
    assert default["total"]["max"] == 900_000
    assert other["total"]["max"] == 800_000
    assert other["readings"]["stacking"] == "difference-only"
