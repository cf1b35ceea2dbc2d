"""The one road every front door takes: record → compile → optimize → check → explain."""

from __future__ import annotations

import datetime as dt

from models.catalog import Catalog, load_catalog
from models.errors import SolverError
from models.record import EnterpriseRecord
from solver.compile import compile_record
from solver.explain import Evaluation, explain
from solver.optimize import optimize
from solver.soundness import violations


def evaluate(record: EnterpriseRecord, readings: dict[str, str] | None = None, *,
             catalog: Catalog | None = None, today: dt.date | None = None) -> Evaluation:
    """Evaluate one validated record under the given readings (defaults for the rest)."""
    catalog = catalog or load_catalog()
    chosen = catalog.resolve_readings(readings)
    compiled = compile_record(record, catalog, chosen, today=today)
    solution = optimize(compiled)
    broken = violations(compiled, solution.paid)
    if broken:  # the soundness check disagrees with the optimizer: never answer with it
        raise SolverError(f"unsound answer for {record.id}: " + "; ".join(broken))
    return explain(compiled, solution, catalog)
