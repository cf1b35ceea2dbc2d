"""The one road every front door takes: record → compile → solve (exact fast path or CP-SAT)
→ soundness check → explain."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from models.catalog import Catalog, active_catalog
from models.errors import InputError, SolverError
from models.money import Money
from models.record import EnterpriseRecord
from solver.compile import Compiled, compile_record, effective_amount
from solver.components import Solution, assemble, components, earliest_rank
from solver.fastpath import enumerable, interchangeable
from solver.fastpath import solve_part as solve_exactly
from solver.optimize import optimize
from solver.optimize import solve_part as solve_by_cp_sat
from solver.memo import answer_key, memoized
from solver.soundness import violations

if TYPE_CHECKING:  # explanations are built by `evaluate` only (a batch's amounts need none)
    from solver.explain import Evaluation


SOLVERS = ("auto", "exact", "cp-sat")


def solve(compiled: Compiled, solver: str = "auto") -> Solution:
    """Solve each independent component on its own. `auto` and `exact`: interchangeable awards
    folded into the best of them (`solver.fastpath.interchangeable`), then by enumeration when
    the component is small, by CP-SAT otherwise; `cp-sat`: by CP-SAT always, on every award."""
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}", field="solver", accepted=", ".join(SOLVERS))
    if solver == "cp-sat":
        return optimize(compiled)
    rank = earliest_rank(compiled.candidates)
    by_key = compiled.by_key()
    effective = {c.key: effective_amount(c) for c in compiled.candidates}
    parts, methods = [], set()
    for whole in components(compiled.candidates):
        members = interchangeable(whole, rank, effective)  # the same optimum, fewer awards
        if enumerable(members):
            parts.append(solve_exactly(members, compiled, rank, effective))
            methods.add("exact")
        else:
            parts.append(solve_by_cp_sat(members, compiled, rank, by_key))
            methods.add("cp-sat")
    return assemble(parts, rank, "+".join(sorted(methods)) or "exact")


def evaluate(record: EnterpriseRecord, readings: dict[str, str] | None = None, *,
             catalog: Catalog | None = None, today: dt.date | None = None,
             solver: str = "auto", part: str = "all") -> Evaluation:
    """Evaluate one validated record under the given readings (defaults for the rest); `part`:
    only the `municipal` or the `district` rules (`compile_record`)."""
    from solver.explain import explain

    catalog = catalog or active_catalog()
    chosen = catalog.resolve_readings(readings)
    compiled = compile_record(record, catalog, chosen, today=today, part=part)
    return explain(compiled, checked_solution(compiled, solver))


def checked_solution(compiled: Compiled, solver: str = "auto") -> Solution:
    """Solve, then re-check the answer against R1–R5: an unsound answer is never returned."""
    solution = solve(compiled, solver)
    broken = violations(compiled, solution.paid)
    if broken:
        raise SolverError(f"unsound answer for {compiled.record.id}: " + "; ".join(broken))
    return solution


def evaluate_amounts(record: EnterpriseRecord, readings: dict[str, str], *, catalog: Catalog,
                     today: dt.date | None = None,
                     part: str = "all") -> list[tuple[str, str, int, Money]]:
    """The lean road for batch work: `(measure, paid_by, claim_year, amount)` of every award
    still to come, memoized on the canonical key of everything the answer depends on
    (`solver.memo`): records the compiler cannot tell apart are compiled and solved once.
    The list is shared between such records: read it, never change it.
    """
    key = answer_key(record, catalog, readings, part, today=today)
    return memoized(key, lambda: compute_amounts(record, readings, catalog=catalog, today=today,
                                                 part=part))


def compute_amounts(record: EnterpriseRecord, readings: dict[str, str], *, catalog: Catalog,
                    today: dt.date | None = None,
                    part: str = "all") -> list[tuple[str, str, int, Money]]:
    """`evaluate_amounts` without the memo: the same compile, solve and soundness check as
    `evaluate`, without explanations."""
    return paid_amounts(compile_record(record, catalog, catalog.resolve_readings(readings),
                                       today=today, part=part, reasons=False))


def paid_amounts(compiled: Compiled) -> list[tuple[str, str, int, Money]]:
    """`(measure, paid_by, claim_year, amount)` of every award the checked optimum of
    `compiled` pays (`compute_amounts` after its compile)."""
    solution = checked_solution(compiled)
    by_key = compiled.by_key()
    return [(c.measure, c.paid_by, c.claim_year, paid)
            for key, paid in solution.paid.items()
            for c in (by_key[key],) if paid.max > 0]  # 0 yuan is a reason, never an award
