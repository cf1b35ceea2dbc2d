"""The hand-computed cases in tests/cases/*.yaml (one sentence-named file per case; format in
tests/cases/README.md), each evaluated and compared with what the brochure says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from models.catalog import open_catalog, using_catalog
from models.packages import locate
from models.record import parse_record
from solver.evaluate import evaluate

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
TODAY = dt.date(2026, 11, 24)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


def _award_row(award: dict, payer: bool = True) -> tuple:
    amount = award["amount"] if "amount" in award else award
    return (award["measure"], award.get("tier"), award["claim_year"], amount["min"], amount["max"],
            bool(award.get("received", False))) + ((award.get("paid_by"),) if payer else ())


@pytest.mark.parametrize("solver", ["cp-sat", "exact"])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, solver: str) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    # `catalog:` a shipped package by name (default: the brochure, beijing-2022).
    with using_catalog(open_catalog(locate(case["catalog"])) if case.get("catalog") else None):
        result = evaluate(parse_record(case["record"], source=path.name), case.get("readings") or {},
                          today=TODAY, solver=solver).as_dict()
    expect = case["expect"]
    total = expect["total"]
    assert result["total"] == {"min": total["min"], "max": total["max"],
                               "open_above": total.get("open_above", False)}, result["awards"]
    if "awards" in expect:
        payer = all("paid_by" in award for award in expect["awards"])
        assert sorted(_award_row(a, payer) for a in result["awards"]) == \
            sorted(_award_row(a, payer) for a in expect["awards"])
    for measure, amount in (expect.get("by_measure") or {}).items():
        paid = [a["amount"] for a in result["awards"] if a["measure"] == measure and not a["received"]]
        assert (sum(a["min"] for a in paid), sum(a["max"] for a in paid)) == \
            (amount["min"], amount["max"]), measure
    missing = set(expect.get("not_awarded") or []) - {item["measure"] for item in result["not_awarded"]}
    assert not missing, result["not_awarded"]
