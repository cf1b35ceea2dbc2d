"""Time `zjtx batch` end to end on a seeded population and print rows/s and peak memory.

Usage: python benchmarks/batch_bench.py --records 100000 --jobs 2 [--best-district] [--format csv] [--engine dask]
The population file is generated first (not timed); the batch runs as a separate process, as a
user would run it. Peak memory is the largest resident set of the batch process and its workers;
processor time is the user + system time of the batch process and every worker it waited for (on
a machine shared with other work, wall time mostly follows the others' load).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--best-district", action="store_true")
    parser.add_argument("--format", default="csv", choices=["csv", "jsonl", "parquet", "xlsx"])
    parser.add_argument("--engine", default="local", choices=["local", "dask"],
                        help="dask: a LocalCluster of --jobs workers (the `dask` extra)")
    args = parser.parse_args()
    compile_project()  # as after any first run (benchmarks/bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        population = Path(tmp) / "population.jsonl"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_population.py"), str(population),
                        "--records", str(args.records), "--seed", str(args.seed)],
                       check=True, stdout=subprocess.DEVNULL)
        command = [sys.executable, "-c", "from cli import app; app()", "batch", str(population),
                   "--out", str(Path(tmp) / f"results.{args.format}"), "--jobs", str(args.jobs)]
        if args.engine != "local":
            command += ["--engine", args.engine]
        if args.best_district:
            command += ["--best-district", "--move-date", "2026-12-31"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode not in (0, 1):
            sys.exit(f"batch failed ({done.returncode}): {done.stderr}")
        print(done.stderr.strip())
        print(f"records {args.records:,}  jobs {args.jobs}  best-district {args.best_district}  "
              f"format {args.format}  engine {args.engine}  {seconds:.1f} s  {args.records / seconds:,.0f} rows/s  "
              f"processor {cpu:.1f} s ({args.records / cpu:,.0f} rows per processor second)  "
              f"peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
