"""`python -m benchmarks.peer IN.jsonl OUT.csv`: the OpenFisca peer from a JSON Lines file to a
CSV of per-enterprise totals (id,total_min,total_max), as one process, like `zjtx batch`."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.peer.model import system, totals


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    ids, low, high = totals(system(), source)
    with out.open("w", encoding="utf-8") as handle:
        handle.write("id,total_min,total_max\n")
        handle.writelines(f"{i},{a},{b}\n" for i, a, b in zip(ids, low.tolist(), high.tolist()))


if __name__ == "__main__":
    main()
