"""Time one in-process best-district run (16 evaluations, restricted to the horizon) over a
seeded population. Usage: python benchmarks/best_district_timing.py [--records 200] [--seed 0]"""

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
from solver.planner import best_district  # noqa: E402

TODAY = dt.date(2026, 11, 24)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    records = [parse_record(data) for data in population(args.records, args.seed)]
    move = dt.date(2026, 12, 31)  # after every generated move
    best_district(records[0], move, today=TODAY)  # warm-up
    times = []
    for record in records:
        start = time.perf_counter()
        best_district(record, move, today=TODAY)
        times.append(time.perf_counter() - start)
    ms = sorted(t * 1000 for t in times)
    print(f"records {len(ms)}  median {statistics.median(ms):.1f} ms  p90 {ms[int(0.9 * len(ms))]:.1f} ms"
          f"  max {ms[-1]:.1f} ms  total {sum(times):.1f} s")


if __name__ == "__main__":
    main()
