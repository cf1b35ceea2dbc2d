"""Time and peak memory of one evaluation as the record grows: 10 … 10,000 expense items, in three
shapes (each item its own project over ten years; every item in one year; every item in one
project), across every expense category. Each size runs in a fresh process. Example:

    python benchmarks/optimizer_scaling.py --sizes 10,100,1000,10000 --shapes own,same-year,one-project
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("device_purchase", "equipment_rent", "rd_investment", "leased_equipment",
              "transformation", "supply_chain_prototype", "belt_road_investment",
              "belt_road_interest", "exhibition")
SHAPES = ("own", "same-year", "one-project")


def big_record(items: int, shape: str) -> dict:
    """A record with `items` expense items of every category, in one of SHAPES."""
    expenses = []
    for n in range(items):
        item = {"id": f"item-{n:05d}", "category": CATEGORIES[n % len(CATEGORIES)],
                "amount": 50_000 + (n * 7_919) % 3_000_000,
                "year": 2024 if shape == "same-year" else 2020 + n % 10}
        if shape == "one-project":
            item.update(project="P", project_year=1 + n % 10)
        expenses.append(item)
    return {"id": f"BIG-{shape}-{items}", "district": "daxing", "as_of": "2026-01-01",
            "industries": ["hydrogen_energy"],
            "recognitions": [{"tier": "municipal", "date": "2021-06-30"},
                             {"tier": "national", "date": "2023-07-15"}],
            "expenses": expenses}


PROBE = """
import json, resource, sys, time
from models.catalog import active_catalog
from models.record import load_record
from solver.compile import compile_record
from solver.evaluate import checked_solution
from solver.explain import explain
from solver.planner import best_district
record = load_record(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
catalog = active_catalog()
start = time.perf_counter()  # evaluate(), step by step: compile and solve, then explain
compiled = compile_record(record, catalog, catalog.resolve_readings({}))
solution = checked_solution(compiled, sys.argv[2])
solved = time.perf_counter() - start
result = explain(compiled, solution)
seconds = time.perf_counter() - start
extra = {}
if sys.argv[3] == "1":
    start = time.perf_counter()
    best_district(record)
    extra["best_district_s"] = round(time.perf_counter() - start, 3)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"evaluate_s": round(seconds, 3), "compile_solve_s": round(solved, 3),
                  "explain_s": round(seconds - solved, 3), "awards": len(result.awards),
                  "total_max": result.total.max, "peak_extra_mb": round((peak - base) / 1024, 1),
                  **extra}))
"""


def measure(items: int, shape: str, solver: str, best: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "record.json"
        path.write_text(json.dumps(big_record(items, shape)), encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", PROBE, str(path), solver, "1" if best else "0"],
                              capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1][:200]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--solver", default="auto", choices=("auto", "exact", "cp-sat"))
    parser.add_argument("--best-district", action="store_true")
    args = parser.parse_args()
    print("| shape | items | evaluate | compile + solve | explain | best-district | awards | peak RSS above load |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in args.shapes.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            got = measure(size, shape, args.solver, args.best_district)
            if "error" in got:
                print(f"| {shape} | {size:,} | {got['error']} | | | | | |")
                continue
            best = f"{got['best_district_s']:.2f} s" if "best_district_s" in got else "–"
            print(f"| {shape} | {size:,} | {got['evaluate_s']:.2f} s | {got['compile_solve_s']:.2f} s | "
                  f"{got['explain_s']:.2f} s | {best} | {got['awards']:,} | "
                  f"{got['peak_extra_mb']:.0f} MB |", flush=True)


if __name__ == "__main__":
    main()
