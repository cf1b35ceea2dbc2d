"""`zjtx batch --jobs 2` against `--jobs 1` (or a Dask LocalCluster of 2 workers against 1), on the
same file, alternately, each run as its own process: wall time, processor time of the batch's own
process and of its workers, `uptime`'s load before and after, and the ratio of the median wall
times (jobs 1 / jobs 2: the speed-up of the second worker).

Usage: python benchmarks/scaling.py --records 200000 [--population full|peer] [--engine local|dask]
                                    [--rounds 2] [--seed 0]

`full` is benchmarks/population.py's (moves, expenses, listings, patents: nearly every row its own
distinct input, evaluated by the workers), `peer` benchmarks/peer_vs_zjtx.py's (few distinct
inputs: the batch's own process reads, keys and writes the rows while the workers evaluate the
distinct ones). Two workers can take at most half the wall time only when the machine gives them
two cores: with other work running (load above 2 on two cores) they rarely get them, so the
processor times are printed too — the batch's own process is the part two workers do not divide.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_project  # noqa: E402
from benchmarks.peer_vs_zjtx import write_population  # noqa: E402
from benchmarks.population import population  # noqa: E402

# The batch as `zjtx` runs it, reporting its own processor time and its workers' on stderr's last
# line (a Dask LocalCluster's workers are its children too, reaped when the cluster closes).
RUN = """import atexit, json, resource, sys
def report():
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write(json.dumps([own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime]) + "\\n")
atexit.register(report)
from cli import app
app()
"""


def load() -> float:
    return os.getloadavg()[0]


def run(source: Path, out: Path, jobs: int, engine: str) -> dict[str, float]:
    command = [sys.executable, "-c", RUN, "batch", str(source), "--out", str(out),
               "--jobs", str(jobs), "--engine", engine]
    before, start = load(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    own, workers = json.loads(done.stderr.strip().splitlines()[-1])
    return {"wall": wall, "own": own, "workers": workers, "load_before": before,
            "load_after": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--population", default="full", choices=["full", "peer"])
    parser.add_argument("--engine", default="local", choices=["local", "dask"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    compile_project()  # as after any first run (benchmarks/bytecode.py)
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "population.jsonl"
        if args.population == "peer":
            write_population(source, args.records, args.seed)
        else:
            with source.open("w", encoding="utf-8") as handle:
                for data in population(args.records, args.seed):
                    handle.write(json.dumps(data, default=str) + "\n")
        outputs = {}
        for _ in range(args.rounds):
            for jobs in (1, 2):
                outputs[jobs] = Path(tmp) / f"out{jobs}.csv"
                figures = run(source, outputs[jobs], jobs, args.engine)
                runs[jobs].append(figures)
                print(f"{args.population} {args.records:,} rows, --engine {args.engine} --jobs {jobs}: "
                      f"{figures['wall']:.2f} s, {args.records / figures['wall']:,.0f} rows/s; "
                      f"processor {figures['own'] + figures['workers']:.2f} s (its own process "
                      f"{figures['own']:.2f} s, workers {figures['workers']:.2f} s); load "
                      f"{figures['load_before']:.1f} → {figures['load_after']:.1f}", flush=True)
        same = outputs[1].read_bytes() == outputs[2].read_bytes()
    walls = {jobs: statistics.median(r["wall"] for r in found) for jobs, found in runs.items()}
    print(f"median wall: --jobs 1 {walls[1]:.2f} s, --jobs 2 {walls[2]:.2f} s: "
          f"jobs2/jobs1 speed-up {walls[1] / walls[2]:.2f}×; outputs "
          + ("byte-identical" if same else "DIFFER"))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
