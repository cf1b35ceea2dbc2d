"""A reform sweep over a seeded population on both engines, checked against `batch --scenario`.

Usage: python benchmarks/sweep_bench.py --records 10000 [--reform dongcheng.tier.national.amount=600000..1000000:100000] [--jobs 2]
Generates the population (benchmarks/population.py, not timed), runs `zjtx sweep` with the local
engine and with `--engine dask` (a LocalCluster of --jobs workers), checks that both cost tables
are byte-identical and that every point's total cost equals what `zjtx batch --scenario
RULE=VALUE --summary` reports, and prints the times. Needs the `dask` extra.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZJTX = [sys.executable, "-c", "from cli import app; app()"]


def run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(ZJTX + args, cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"zjtx {' '.join(args[:2])} failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--reform", default="dongcheng.tier.national.amount=600000..1000000:100000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    key, _, span = args.reform.partition("=")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "population.jsonl"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_population.py"), str(source),
                        "--records", str(args.records), "--seed", str(args.seed)],
                       check=True, stdout=subprocess.DEVNULL)
        local = run(["sweep", str(source), "--reform", args.reform, "--out", str(folder / "local.csv"),
                     "--jobs", str(args.jobs)])
        dask = run(["sweep", str(source), "--reform", args.reform, "--out", str(folder / "dask.csv"),
                    "--engine", "dask", "--jobs", str(args.jobs)])
        same = (folder / "local.csv").read_bytes() == (folder / "dask.csv").read_bytes()
        with (folder / "local.csv").open(encoding="utf-8", newline="") as handle:
            totals = [r for r in csv.DictReader(handle) if r["paying_district"] == r["claim_year"] == "all"]
        unequal = 0
        for row in totals:
            summary = folder / f"{row['value']}.json"
            run(["batch", str(source), "--out", str(folder / "b.csv"), "--summary", str(summary),
                 "--scenario", f"{key}={row['value']}", "--jobs", str(args.jobs)])
            cost = json.loads(summary.read_text(encoding="utf-8"))["cost_of_scenario"]
            unequal += (int(row["cost_min"]), int(row["cost_max"])) != (cost["min"], cost["max"])
    print(f"records {args.records:,}, {len(totals)} points of {key}: engines byte-identical: {same}; "
          f"points unequal to batch --scenario: {unequal}")
    print(f"sweep --jobs {args.jobs}: local {local:.1f} s, dask {dask:.1f} s")
    if not same or unequal:
        sys.exit(1)


if __name__ == "__main__":
    main()
