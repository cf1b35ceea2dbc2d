"""Start-up: `zjtx batch` on a one-row file, as a separate process, several runs: the wall time
and the processor time (user + system of the process, from its rusage), median and min.

Usage: python benchmarks/startup.py [--runs 7] [--against COMMIT]
Runs the interpreter directly (`sys.executable -c "from cli import app; app()"`, what the `zjtx`
script does); a pyenv shim in front of `zjtx` adds its own ~0.2 s. With `--against COMMIT` the
same runs of COMMIT (checked out in a temporary git worktree) alternate with this tree's, so that
both see the same load; `uptime`'s load is printed before and after.
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

from benchmarks.population import population  # noqa: E402


def one_run(tree: Path, command: list[str]) -> tuple[float, float]:
    """Wall and processor seconds of one run of `command` in `tree`."""
    with tempfile.TemporaryFile() as stderr:  # (a pipe unread until the end could fill and hang)
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=tree, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{command} failed in {tree}: {stderr.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", metavar="COMMIT", help="alternate with COMMIT's runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this tree": ROOT}
        if args.against:
            other = Path(tmp) / "against"
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other), args.against],
                           cwd=ROOT, check=True)
            trees = {args.against: other, "this tree": ROOT}
        try:
            for tree in trees.values():
                compile_project(tree)  # as after any first run (benchmarks/bytecode.py)
            source = Path(tmp) / "one.jsonl"
            source.write_text(json.dumps(next(population(1)), default=str) + "\n",
                              encoding="utf-8")
            command = [sys.executable, "-c", "from cli import app; app()", "batch", str(source),
                       "--out", str(Path(tmp) / "out.csv")]
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
            print(f"load {load()}")
            for _ in range(args.runs):
                for name, tree in trees.items():
                    times[name].append(one_run(tree, command))
            print(f"load {load()}")
        finally:
            if args.against:
                subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT)
    for name, runs in times.items():
        walls, processor = [wall for wall, _ in runs], [cpu for _, cpu in runs]
        print(f"{name}: zjtx batch on a one-row file: wall median {statistics.median(walls):.2f} s, "
              f"min {min(walls):.2f} s; processor median {statistics.median(processor):.3f} s, "
              f"min {min(processor):.3f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
