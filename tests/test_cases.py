"""The hand-computed cases in tests/cases/*.yaml (one sentence-named file per case; format in
tests/cases/README.md), each evaluated and compared with what the brochure says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from models.catalog import Catalog, active_catalog, open_catalog, using_catalog
from models.packages import locate
from models.money import Money
from models.record import parse_record
from solver.evaluate import evaluate, evaluate_amounts

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
CATALOGS = Path(__file__).parent / "catalogs"
TODAY = dt.date(2026, 11, 24)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


def _award_row(award: dict) -> tuple:
    amount = award["amount"] if "amount" in award else award
    return (award["measure"], award.get("tier"), award["claim_year"], amount["min"], amount["max"],
            award["paid_by"], bool(award.get("received", False)))


def payer_problems(expect: dict) -> list[str]:
    """What keeps a case from stating who pays: every expected award names its `paid_by`, and a
    case that leaves the split between awards open (`by_measure`, or no award list) states what
    each paying district pays (`by_payer`). A case that cannot tell a wrong payer is refused."""
    problems = [f"award {n} ({award.get('measure')}) has no paid_by"
                for n, award in enumerate(expect.get("awards") or []) if not award.get("paid_by")]
    if "awards" not in expect and "by_payer" not in expect:
        problems.append("neither `awards` nor `by_payer`: the case does not say who pays")
    return problems


def test_a_case_without_payers_is_refused() -> None:
    assert payer_problems({"total": {"min": 0, "max": 0}, "awards": []}) == []
    assert payer_problems({"total": {"min": 0, "max": 1}, "by_payer": {"municipal": {}}}) == []
    assert payer_problems({"total": {"min": 0, "max": 1}, "by_measure": {"m1": {}}})
    assert payer_problems({"total": {"min": 1, "max": 1}, "awards": [
        {"measure": "m1", "claim_year": 2025, "min": 1, "max": 1}]}) == ["award 0 (m1) has no paid_by"]


def case_catalog(case: dict) -> Catalog:
    """The package a case is evaluated against (`catalog:`): a fixture of tests/catalogs/ (test
    data, not policy) or a shipped package by name; by default the brochure's."""
    name = case.get("catalog")
    if not name:
        return active_catalog()
    fixture = CATALOGS / name
    return open_catalog(fixture if fixture.is_dir() else locate(name))


def check_case(path: Path, solver: str) -> None:
    """Evaluate one case and compare it with what it expects (AssertionError when it differs)."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = case["expect"]
    refused = payer_problems(expect)
    assert not refused, f"{path.name}: " + "; ".join(refused)
    catalog = case_catalog(case)
    with using_catalog(catalog):
        record = parse_record(case["record"], source=path.name)
        result = evaluate(record, case.get("readings") or {}, catalog=catalog, today=TODAY,
                          solver=solver).as_dict()
    total = expect["total"]
    assert result["total"] == {"min": total["min"], "max": total["max"],
                               "open_above": total.get("open_above", False)}, result["awards"]
    if "awards" in expect:
        assert sorted(map(_award_row, result["awards"])) == sorted(map(_award_row, expect["awards"]))
    for payer, amount in (expect.get("by_payer") or {}).items():
        paid = [a["amount"] for a in result["awards"] if a["paid_by"] == payer and not a["received"]]
        assert (sum(a["min"] for a in paid), sum(a["max"] for a in paid)) == \
            (amount["min"], amount["max"]), payer
    if "by_payer" in expect:  # nobody else pays anything
        others = {a["paid_by"] for a in result["awards"] if not a["received"]} - set(expect["by_payer"])
        assert not others, others
    for measure, amount in (expect.get("by_measure") or {}).items():
        paid = [a["amount"] for a in result["awards"] if a["measure"] == measure and not a["received"]]
        assert (sum(a["min"] for a in paid), sum(a["max"] for a in paid)) == \
            (amount["min"], amount["max"]), measure
    missing = set(expect.get("not_awarded") or []) - {item["measure"] for item in result["not_awarded"]}
    assert not missing, result["not_awarded"]


@pytest.mark.parametrize("solver", ["cp-sat", "exact"])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, solver: str) -> None:
    check_case(path, solver)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_through_the_batch_road(path: Path) -> None:
    """The batch's lean road (no explanations, memoized) pays what the case says, payer by payer."""
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalog = case_catalog(case)
    with using_catalog(catalog):
        record = parse_record(case["record"], source=path.name)
    amounts = evaluate_amounts(record, case.get("readings") or {}, catalog=catalog, today=TODAY)
    total = Money.total(amount for _measure, _payer, _year, amount in amounts)
    expect = case["expect"]
    assert (total.min, total.max) == (expect["total"]["min"], expect["total"]["max"])
    expected = [a for a in expect.get("awards") or [] if not a.get("received")]
    if "awards" in expect:
        assert sorted((m, p, y, a.min, a.max) for m, p, y, a in amounts) == sorted(
            (a["measure"], a["paid_by"], a["claim_year"], a["min"], a["max"]) for a in expected)
