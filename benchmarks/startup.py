"""Start-up: `zjtx batch` on a one-row file, as a separate process, median of several runs.

Usage: python benchmarks/startup.py [--runs 7]
Runs the interpreter directly (`sys.executable -c "from cli import app; app()"`, what the `zjtx`
script does); a pyenv shim in front of `zjtx` adds its own ~0.2 s.
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compile_project()  # as after any first run (benchmarks/bytecode.py)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "one.jsonl"
        source.write_text(json.dumps(next(population(1)), default=str) + "\n", encoding="utf-8")
        command = [sys.executable, "-c", "from cli import app; app()", "batch", str(source),
                   "--out", str(Path(tmp) / "out.csv")]
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    print(f"zjtx batch on a one-row file: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
