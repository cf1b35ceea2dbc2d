"""The one road every front door takes: record → compile → solve (exact fast path or CP-SAT)
→ soundness check → explain."""

from __future__ import annotations

import datetime as dt

from models.catalog import Catalog, load_catalog
from models.errors import InputError, SolverError
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
    solution = solve(compiled, solver)
    broken = violations(compiled, solution.paid)
    if broken:  # the soundness check disagrees with the optimizer: never answer with it
        raise SolverError(f"unsound answer for {record.id}: " + "; ".join(broken))
    return explain(compiled, solution, catalog)
