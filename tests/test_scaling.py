"""The optimizer scales with the record: it solves each independent component on its own (issue 14:
300 items in their own projects were `CP-SAT returned FEASIBLE`, exit 3; 1,000 items a 500 on the
API). Times are measured in benchmarks/optimizer_scaling.py, never asserted here."""

from __future__ import annotations

import datetime as dt

import pytest

from benchmarks.optimizer_scaling import big_record
from models.catalog import load_catalog
from models.record import parse_record
from solver.compile import compile_record
from solver.components import components
from solver.evaluate import checked_solution, evaluate
from solver.fastpath import enumerable
from solver.optimize import optimize

CATALOG = load_catalog()
TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize("shape", ["own", "same-year", "one-project"])
def test_a_thousand_items_are_solved_to_optimality(shape: str):
    record = parse_record(big_record(1000, shape))
    compiled = compile_record(record, CATALOG, CATALOG.resolve_readings({}), today=TODAY)
    assert any(not enumerable(members) for members in components(compiled.candidates))
    solution = checked_solution(compiled)  # raises SolverError unless every stage is OPTIMAL
    assert solution.upper == sum(m.max for m in solution.paid.values())
    assert "cp-sat" in solution.method


@pytest.mark.slow
def test_auto_and_cp_sat_agree_on_a_large_record():
    record = parse_record(big_record(300, "same-year"))
    compiled = compile_record(record, CATALOG, CATALOG.resolve_readings({}), today=TODAY)
    auto, cp_sat = checked_solution(compiled), optimize(compiled)
    assert (auto.upper, auto.lower, auto.count) == (cp_sat.upper, cp_sat.lower, cp_sat.count)
    assert auto.paid == cp_sat.paid


def test_the_answer_does_not_depend_on_the_order_of_a_large_record():
    data = big_record(300, "own")
    backwards = dict(data, expenses=list(reversed(data["expenses"])))
    first = evaluate(parse_record(data), today=TODAY).as_dict()
    assert evaluate(parse_record(backwards), today=TODAY).as_dict() == first
