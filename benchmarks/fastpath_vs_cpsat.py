"""The exact fast path against plain CP-SAT on the same compiled records, side by side, with
equal answers checked. Usage: python benchmarks/fastpath_vs_cpsat.py [--records 5000] [--seed 0]"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.population import population  # noqa: E402
from models.catalog import load_catalog  # noqa: E402
from models.record import parse_record  # noqa: E402
from solver.compile import compile_record  # noqa: E402
from solver.fastpath import solve_exact  # noqa: E402
from solver.optimize import optimize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    catalog = load_catalog()
    readings = catalog.default_readings()
    compiled = [compile_record(parse_record(d), catalog, readings, today=dt.date(2026, 11, 24))
                for d in population(args.records, args.seed)]
    start = time.perf_counter()
    fast = [solve_exact(c) for c in compiled]
    fast_seconds = time.perf_counter() - start
    start = time.perf_counter()
    slow = [optimize(c) for c in compiled]
    slow_seconds = time.perf_counter() - start
    handled = sum(f is not None for f in fast)
    unequal = sum(1 for f, s in zip(fast, slow) if f is not None and
                  ((f.upper, f.lower, f.count) != (s.upper, s.lower, s.count) or f.paid != s.paid))
    print(f"records {args.records:,}  fast path handles {handled:,} ({100 * handled / args.records:.1f} %)  "
          f"unequal answers {unequal}")
    print(f"fast path {1e6 * fast_seconds / args.records:.0f} µs/record  CP-SAT "
          f"{1e6 * slow_seconds / args.records:.0f} µs/record  speed-up {slow_seconds / fast_seconds:.1f}×")
    if unequal:
        sys.exit(1)


if __name__ == "__main__":
    main()
