"""Properties of the optimizer on generated records: it equals a brute-force oracle, never breaks
R1–R5 or a cap, ignores list order, and behaves monotonically where the rules say it must."""

from __future__ import annotations

import copy
import datetime as dt

from hypothesis import assume, example, given, note
from hypothesis import strategies as st

from models.catalog import load_catalog
from models.money import Money
from models.record import parse_record
from solver.compile import compile_record
from solver.evaluate import evaluate
from solver.optimize import optimize
from solver.oracle import MAX_CANDIDATES, best_objective
from solver.soundness import violations
from tests.strategies import ladder_records, readings, records

any_records = st.one_of(records(), ladder_records())

CATALOG = load_catalog()
TODAY = dt.date(2026, 11, 24)
TIER_KINDS = ("tier_reward",)


def _compiled(data: dict, chosen: dict[str, str]):
    return compile_record(parse_record(data), CATALOG, CATALOG.resolve_readings(chosen), today=TODAY)


@given(any_records, readings)
@example(  # greedy is wrong: both leased items to m4 pay 10,000,000; one to m1 pays 11,500,000
    {"id": "G", "district": "haidian", "as_of": TODAY,
     "recognitions": [{"tier": "municipal", "date": dt.date(2021, 1, 1)}],
     "expenses": [{"id": "A", "category": "leased_equipment", "amount": 10_000_000, "year": 2025},
                  {"id": "B", "category": "leased_equipment", "amount": 1_500_000, "year": 2025}]},
    {})
def test_optimizer_equals_the_oracle(data: dict, chosen: dict[str, str]) -> None:
    compiled = _compiled(data, chosen)
    assume(len(compiled.candidates) <= MAX_CANDIDATES - 4)
    note(f"candidates: {[c.key for c in compiled.candidates]}")
    solution = optimize(compiled)
    assert (solution.upper, solution.lower, solution.count) == best_objective(compiled)


@given(any_records, readings)
def test_the_optimum_never_breaks_a_rule_or_a_cap(data: dict, chosen: dict[str, str]) -> None:
    compiled = _compiled(data, chosen)
    solution = optimize(compiled)
    assert violations(compiled, solution.paid) == []
    # The totals the optimizer reports are the sums of what it pays.
    assert solution.upper == sum(m.max for m in solution.paid.values())
    assert solution.lower == sum(m.min for m in solution.paid.values())
    for key, amount in solution.paid.items():
        assert 0 <= amount.min <= amount.max
    for cap, limit in compiled.caps.items():
        used = sum(solution.paid[c.key].max for c in compiled.candidates
                   if cap in c.caps and c.key in solution.paid)
        assert used <= limit, cap


@given(any_records, readings, st.randoms(use_true_random=False))
def test_reordering_the_record_lists_changes_nothing(data: dict, chosen: dict[str, str], rnd) -> None:
    shuffled = copy.deepcopy(data)
    for key in ("industries", "recognitions", "qualifications", "expenses", "listings",
                "patents", "rewards_received", "moves"):
        rnd.shuffle(shuffled[key])
    first = evaluate(parse_record(data), chosen, today=TODAY).as_dict()
    second = evaluate(parse_record(shuffled), chosen, today=TODAY).as_dict()
    assert first == second


@given(records(max_expenses=3), readings,
       st.fixed_dictionaries({"category": st.sampled_from(["leased_equipment", "rd_investment",
                                                           "exhibition", "belt_road_interest",
                                                           "transformation"]),
                              "amount": st.integers(0, 12_000_000), "year": st.integers(2020, 2027),
                              "project": st.sampled_from(["P1", "P9"])}))
def test_adding_an_expense_never_lowers_the_upper_total(data: dict, chosen: dict[str, str],
                                                       extra: dict) -> None:
    before = evaluate(parse_record(data), chosen, today=TODAY).total
    more = copy.deepcopy(data)
    more["expenses"].append(dict(extra, id="NEW"))
    after = evaluate(parse_record(more), chosen, today=TODAY).total
    assert after.max >= before.max


def _tier_rewards(data: dict, chosen: dict[str, str]) -> int:
    result = evaluate(parse_record(data), chosen, today=TODAY)
    tier_measures = {rule.measure for rule in CATALOG.rules if rule.spec.kind in TIER_KINDS}
    return sum(a.amount.max for a in result.awards if a.measure in tier_measures and not a.received)


@given(any_records, readings)
def test_removing_the_latest_recognition_never_raises_tier_rewards(data: dict, chosen: dict[str, str]) -> None:
    assume(data["recognitions"])
    fewer = copy.deepcopy(data)
    latest = max(fewer["recognitions"], key=lambda r: r["date"])
    fewer["recognitions"].remove(latest)
    assert _tier_rewards(fewer, chosen) <= _tier_rewards(data, chosen)


@given(any_records, readings, st.sampled_from(["municipal", "national"]))
def test_removing_every_recognition_of_a_level_never_raises_tier_rewards(
        data: dict, chosen: dict[str, str], level: str) -> None:
    # Removing only an early recognition can make a later re-examination the first at its level
    # (claimed in another year or paid by another district): that is the rule working. Removing
    # the whole level cannot.
    tiers = {"municipal": {"municipal"}, "national": {"national", "privileged"}}[level]
    fewer = copy.deepcopy(data)
    fewer["recognitions"] = [r for r in fewer["recognitions"] if r["tier"] not in tiers]
    assume(len(fewer["recognitions"]) < len(data["recognitions"]))
    assert _tier_rewards(fewer, chosen) <= _tier_rewards(data, chosen)


def test_the_soundness_check_catches_a_broken_answer() -> None:
    data = {"id": "S", "district": "dongcheng", "as_of": TODAY,
            "recognitions": [{"tier": "municipal", "date": dt.date(2022, 3, 31)},
                             {"tier": "national", "date": dt.date(2022, 8, 20)}],
            "expenses": [{"id": "A", "category": "leased_equipment", "amount": 12_000_000, "year": 2025}]}
    compiled = _compiled(data, {})
    keys = {c.measure + "|" + str(c.tier): c.key for c in compiled.candidates}
    both_tiers = {keys["dongcheng.tier|municipal"]: Money.fixed(100_000),
                  keys["dongcheng.tier|national"]: Money.fixed(800_000)}
    assert any(v.startswith("R1") for v in violations(compiled, both_tiers))
    both_programmes = {keys["m4|None"]: Money(0, 10_000_000), keys["m1|None"]: Money(0, 2_000_000)}
    assert any(v.startswith("R4") for v in violations(compiled, both_programmes))
    over_cap = {keys["m4|None"]: Money(0, 11_000_000)}
    assert violations(compiled, over_cap)


@given(any_records, readings)
def test_the_fast_path_equals_cp_sat(data: dict, chosen: dict[str, str]) -> None:
    from solver.fastpath import solve_exact

    compiled = _compiled(data, chosen)
    fast = solve_exact(compiled)
    assert fast is not None  # generated records are small enough for enumeration
    slow = optimize(compiled)
    assert (fast.upper, fast.lower, fast.count) == (slow.upper, slow.lower, slow.count)
    assert fast.paid == slow.paid
    assert violations(compiled, fast.paid) == []
