"""Time one in-process evaluation (validate + compile + solve + soundness + explain) over a
seeded population. Usage: python benchmarks/evaluate_timing.py [--records 1000] [--seed 0]
[--solver auto|exact|cp-sat]"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.population import population  # noqa: E402
from models.record import parse_record  # noqa: E402
from solver.evaluate import evaluate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--solver", default="auto", choices=["auto", "exact", "cp-sat"])
    args = parser.parse_args()
    records = list(population(args.records, args.seed))
    evaluate(parse_record(records[0]), today=dt.date(2026, 11, 24))  # warm-up: catalog load, imports
    times, awards = [], 0
    for data in records:
        start = time.perf_counter()
        result = evaluate(parse_record(data), today=dt.date(2026, 11, 24), solver=args.solver)
        times.append(time.perf_counter() - start)
        awards += len(result.awards)
    times.sort()
    ms = [t * 1000 for t in times]
    print(f"solver {args.solver}  records {len(ms)}  awards {awards}  median {statistics.median(ms):.2f} ms  "
          f"p90 {ms[int(0.9 * len(ms))]:.2f} ms  p99 {ms[int(0.99 * len(ms))]:.2f} ms  "
          f"max {ms[-1]:.2f} ms  total {sum(times):.1f} s")


if __name__ == "__main__":
    main()
