"""zjtx side by side with its OpenFisca peer (benchmarks/peer/) on the same JSON Lines file.

Usage: python benchmarks/peer_vs_zjtx.py --records 200000 [--jobs 2] [--seed 0] [--engine local]

Generates seeded records in the peer's scope (never moved, nothing received, no Fengtai
qualification, not in Daxing or Fengtai; the tier mix, re-examinations, industries and entity
types of benchmarks/population.py), then runs, each as its own process from the same file to a
file of per-enterprise totals: the peer (`python -m benchmarks.peer`) and `zjtx batch`. Checks
that every record's total (min and max) is equal, and prints both wall times and their ratio,
and both processor times (user + system of the process and every worker it waited for) and theirs:
on a machine shared with other work the wall time mostly follows the others' load.
Needs the `bench` extra (openfisca-core). Exit status 1 when any answer differs.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bytecode import compile_project  # noqa: E402

from benchmarks.population import record  # noqa: E402
from benchmarks.population import DISTRICTS  # noqa: E402  (the catalog's districts)

IN_SCOPE = tuple(d for d in DISTRICTS if d not in ("daxing", "fengtai"))
DROPPED = ("moves", "rewards_received", "qualifications", "expenses", "listings", "patents")


def peer_records(size: int, seed: int = 0):
    """`size` records in the peer's scope, the same for the same seed."""
    rnd = random.Random(seed)
    for number in range(size):
        data = record(rnd, number)
        for key in DROPPED:
            data.pop(key, None)
        data["district"] = rnd.choice(IN_SCOPE)
        yield data


def write_population(path: Path, size: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for data in peer_records(size, seed):
            out.write(json.dumps(data, default=str) + "\n")


def read_totals(path: Path) -> dict[str, tuple[int, int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: (int(row["total_min"]), int(row["total_max"]))
                for row in csv.DictReader(handle)}


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and processor seconds of `command` (its workers included, once waited for)."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])}… failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", default=None, help="zjtx batch --engine (default: zjtx's own)")
    args = parser.parse_args()
    compile_project()  # as after any first run (benchmarks/bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        population = folder / "population.jsonl"
        write_population(population, args.records, args.seed)
        peer_out, zjtx_out = folder / "peer.csv", folder / "zjtx.csv"
        peer_seconds, peer_cpu = timed([sys.executable, "-m", "benchmarks.peer", str(population), str(peer_out)])
        command = [sys.executable, "-c", "from cli import app; app()", "batch", str(population),
                   "--out", str(zjtx_out), "--jobs", str(args.jobs)]
        if args.engine:
            command += ["--engine", args.engine]
        zjtx_seconds, zjtx_cpu = timed(command)
        peer, ours = read_totals(peer_out), read_totals(zjtx_out)
    unequal = sorted(i for i in peer if peer[i] != ours.get(i))
    missing = len(peer) != args.records or len(ours) != args.records
    paying = sum(1 for low, high in peer.values() if high)
    print(f"records {args.records:,} (paying {paying:,}), seed {args.seed}: "
          f"{args.records - len(unequal):,} equal answers, {len(unequal):,} unequal"
          + (" — MISSING ROWS" if missing else ""))
    for ident in unequal[:5]:
        print(f"  {ident}: OpenFisca {peer[ident]}, zjtx {ours.get(ident)}")
    print(f"OpenFisca (file to totals, one process): {peer_seconds:.2f} s, processor {peer_cpu:.2f} s")
    print(f"zjtx batch --jobs {args.jobs}{' --engine ' + args.engine if args.engine else ''}: "
          f"{zjtx_seconds:.2f} s, processor {zjtx_cpu:.2f} s")
    print(f"ratio zjtx / OpenFisca: {zjtx_seconds / peer_seconds:.2f} (processor: "
          f"{zjtx_cpu / peer_cpu:.2f})")
    if unequal or missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
