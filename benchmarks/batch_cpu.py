"""Processor time of one `run_batch --jobs 1` in this process, for before/after comparisons on a
loaded machine (the wall time follows the other processes; the processor time much less).

Usage: python benchmarks/batch_cpu.py --population peer|full --records 50000 [--repeat 3]

The population (benchmarks/peer_vs_zjtx.py's or benchmarks/population.py's, seed 0) is written
first, not timed. Prints the processor and wall time of each run and the one-minute load.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.peer_vs_zjtx import peer_records  # noqa: E402
from benchmarks.population import population  # noqa: E402
from formats.batch import run_batch  # noqa: E402
from views.notices import notices_text  # noqa: E402
from models.catalog import load_catalog  # noqa: E402
from solver import memo  # noqa: E402
from solver.batch import BatchOptions  # noqa: E402


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", choices=["peer", "full"], default="peer")
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    rows = peer_records(args.records) if args.population == "peer" else population(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "population.jsonl"
        source.write_text("".join(json.dumps(row, default=str) + "\n" for row in rows), encoding="utf-8")
        options = BatchOptions(readings=load_catalog().resolve_readings({}))
        for run in range(args.repeat):
            memo.clear()  # each run starts without answers, as a new process does
            before = load()
            processor, wall = time.process_time(), time.perf_counter()
            run_batch(source, Path(tmp) / f"out{run}.csv", None, options, jobs=1, words=notices_text)
            print(f"{args.population} {args.records:,} rows: processor {time.process_time() - processor:.2f} s, "
                  f"wall {time.perf_counter() - wall:.2f} s, load {before} → {load()}")


if __name__ == "__main__":
    main()
