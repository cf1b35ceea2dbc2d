"""The one road every front door takes: record → compile → solve (exact fast path or CP-SAT)
→ soundness check → explain."""

from __future__ import annotations

import datetime as dt

from models.catalog import Catalog, load_catalog
from models.errors import InputError, SolverError
from models.money import Money
from models.record import EnterpriseRecord
from solver.compile import Compiled, compile_record
from solver.explain import Evaluation, explain
from solver.fastpath import solve_exact
from solver.optimize import Solution, optimize
from solver.soundness import violations


SOLVERS = ("auto", "exact", "cp-sat")


def solve(compiled: Compiled, solver: str = "auto") -> Solution:
    """`auto`: the exact fast path when every component is small, else CP-SAT; `exact` or
    `cp-sat` force one (`exact` still falls back to CP-SAT when it cannot enumerate)."""
    if solver not in SOLVERS:
        raise InputError(f"unknown solver {solver!r}", field="--solver", accepted=", ".join(SOLVERS))
    if solver != "cp-sat":
        fast = solve_exact(compiled)
        if fast is not None:
            return fast
    return optimize(compiled)


def evaluate(record: EnterpriseRecord, readings: dict[str, str] | None = None, *,
             catalog: Catalog | None = None, today: dt.date | None = None,
             solver: str = "auto") -> Evaluation:
    """Evaluate one validated record under the given readings (defaults for the rest)."""
    catalog = catalog or load_catalog()
    chosen = catalog.resolve_readings(readings)
    compiled = compile_record(record, catalog, chosen, today=today)
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
    still to come, from the same compile, solve and soundness check, without explanations.
    """
    compiled = compile_record(record, catalog, catalog.resolve_readings(readings), today=today,
                              part=part, reasons=False)
    solution = checked_solution(compiled)
    by_key = compiled.by_key()
    return [(c.measure, c.paid_by, c.claim_year, paid)
            for key, paid in solution.paid.items()
            for c in (by_key[key],) if paid.max > 0]  # 0 yuan is a reason, never an award
