"""Time the worklist per enterprise (evaluation, the open window and what it would add, and the
near-miss search) over a seeded population. Usage: python benchmarks/worklist_timing.py
[--records 200] [--seed 2] [--date 2026-12-01] [--no-near-miss]"""

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
from solver.worklist import worklist  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--date", default="2026-12-01")
    parser.add_argument("--no-near-miss", action="store_true")
    args = parser.parse_args()
    day = dt.date.fromisoformat(args.date)
    records = [parse_record(r) for r in population(args.records, args.seed)]
    worklist(records[0], day)  # warm-up: catalog load, imports
    times, actions = [], 0
    for record in records:
        start = time.perf_counter()
        actions += len(worklist(record, day, near_misses=not args.no_near_miss))
        times.append(time.perf_counter() - start)
    ms = sorted(t * 1000 for t in times)
    print(f"records {len(ms)}  actions {actions}  median {statistics.median(ms):.1f} ms  "
          f"p90 {ms[int(0.9 * len(ms))]:.1f} ms  max {ms[-1]:.1f} ms  "
          f"{len(ms) / sum(times):.1f} enterprises/s")


if __name__ == "__main__":
    main()
