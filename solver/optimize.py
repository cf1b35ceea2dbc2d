"""The CP-SAT optimizer: pick the awards (and how much of each capped "up to" amount) that
maximize the upper total, then the lower total, then the number of awards, under R1–R5.

Reads like an OR-Tools sample: data, model, variables, constraints, objective, solve. Every
candidate has one named literal `take[key]`; every constraint cites the rule it encodes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from models.errors import SolverError
from models.money import Money
from solver.compile import Candidate, Compiled, difference_cut, effective_amount
from solver.components import (Part, Solution, assemble, components, earliest_rank,
                               earliest_weight)

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import IntVar, LinearExpr

__all__ = ["Solution", "optimize", "solve_part"]

TIME_LIMIT_SECONDS = 10.0
SEED = 0


def optimize(compiled: Compiled) -> Solution:
    """The lexicographic optimum by CP-SAT, one independent component at a time."""
    rank = earliest_rank(compiled.candidates)
    by_key = compiled.by_key()
    return assemble([solve_part(members, compiled, rank, by_key)
                     for members in components(compiled.candidates)], rank, "cp-sat")


def solve_part(members: list[Candidate], compiled: Compiled, rank: dict[str, int],
               by_key: dict[str, Candidate]) -> Part:
    """One component's optimum by CP-SAT: its score and what each chosen award pays."""
    from ortools.sat.python import cp_model  # imported when first needed: a second at start-up

    # -- data -------------------------------------------------------------------------------
    candidates = members
    model = cp_model.CpModel()

    # -- variables: one named literal per candidate; a pay variable where a cap is shared ------
    # CP-SAT's literals and linear expressions (typed loosely by OR-Tools' stubs).
    take: dict[str, IntVar] = {c.key: model.new_bool_var(f"take[{c.key}]") for c in candidates}
    upper_terms: list[Any] = []
    lower_terms: list[Any] = []
    pay: dict[str, IntVar | LinearExpr] = {}
    paid_at_most: dict[str, IntVar] = {}  # the pay variables of the "up to" amounts under a cap
    for c in candidates:
        amount = effective_amount(c)
        if c.variable:
            pay[c.key] = paid_at_most[c.key] = model.new_int_var(0, amount.max, f"pay[{c.key}]")
            model.add(pay[c.key] <= amount.max * take[c.key])  # nothing paid unless taken
        else:
            pay[c.key] = amount.max * take[c.key]
        upper_terms.append(pay[c.key])
        lower_terms.append(amount.min * take[c.key])
    # -- constraints ------------------------------------------------------------------------------
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for c in candidates:
        if c.r1_group:
            groups[("R1", c.r1_group)].append(take[c.key])    # R1: most favorable only
        if c.one_time:
            groups[("R3", c.one_time)].append(take[c.key])    # R3: one-time, once
        if c.expense_item:
            groups[("R4", c.expense_item)].append(take[c.key])  # R4: an item funds one programme
    for group in groups.values():
        if len(group) > 1:
            model.add_at_most_one(group)

    cap_members: dict[str, list[Any]] = defaultdict(list)
    for c in candidates:
        for cap in c.caps:
            cap_members[cap].append(pay[c.key])
    for cap, terms in cap_members.items():
        model.add(sum(terms) <= compiled.caps[cap])  # R5: per project / year / enterprise / shared

    years_used: dict[tuple[str, int], Any] = {}
    for c in candidates:
        if c.year_limit:
            key, year = c.year_limit
            if (key, year) not in years_used:
                years_used[(key, year)] = model.new_bool_var(f"year[{key}, {year}]")
            model.add_implication(take[c.key], years_used[(key, year)])  # R5: at most N years
    for key in {key for key, _year in years_used}:
        limit = compiled.year_limits[key]
        used = [var for (k, _), var in years_used.items() if k == key]
        if len(used) > limit:
            model.add(sum(used) <= limit)

    for c in candidates:
        if c.mirror_of:  # "not less than the municipal subsidy": paid with it, as much as it
            model.add(take[c.key] == take[c.mirror_of])
            model.add(pay[c.key] == pay[c.mirror_of])
        for lower_key in c.deduct:  # R2: the higher tier pays only the difference
            both = model.new_bool_var(f"both[{c.key}, {lower_key}]")
            model.add_multiplication_equality(both, [take[c.key], take[lower_key]])
            cut_min, cut_max = difference_cut(c, by_key[lower_key])
            upper_terms.append(-cut_max * both)
            lower_terms.append(-cut_min * both)

    # -- objective: lexicographic, one stage at a time ----------------------------------------
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = SEED
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    # A deterministic limit (work units, not wall-clock): the outcome depends on the input only.
    solver.parameters.max_deterministic_time = TIME_LIMIT_SECONDS
    upper, lower, count = sum(upper_terms), sum(lower_terms), sum(take.values())
    earliest_first = sum(earliest_weight(rank, c.key) * pay[c.key] for c in candidates)
    best = []
    for stage in (upper, lower, count, earliest_first):
        model.maximize(stage)
        status = solver.solve(model)
        if status != cp_model.OPTIMAL:
            raise SolverError(f"CP-SAT returned {solver.status_name(status)} for record "
                              f"{compiled.record.id} (expected OPTIMAL)")
        value = solver.value(stage)  # an integer: no float touches an amount
        best.append(value)
        model.add(stage == value)  # keep this optimum while the next stage breaks ties
        # Start the next stage from this optimum: it is feasible there, so only the proof is left.
        model.clear_hints()  # type: ignore[no-untyped-call]
        for c in candidates:
            model.add_hint(take[c.key], solver.boolean_value(take[c.key]))
            if c.variable:
                model.add_hint(paid_at_most[c.key], solver.value(pay[c.key]))

    # -- read the answer ----------------------------------------------------------------------
    paid: dict[str, Money] = {}
    for c in candidates:
        if not solver.boolean_value(take[c.key]):
            continue
        amount = effective_amount(c)
        high = solver.value(pay[c.key]) if c.variable else amount.max
        low = amount.min
        for lower_key in c.deduct:
            if solver.boolean_value(take[lower_key]):
                cut_min, cut_max = difference_cut(c, by_key[lower_key])
                high, low = high - cut_max, low - cut_min
        paid[c.key] = Money(low, high, amount.open_above)
    return (best[0], best[1], best[2], best[3]), paid
