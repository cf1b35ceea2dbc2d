"""Write a seeded population to a JSONL file. Usage:
python benchmarks/make_population.py OUT.jsonl --records 100000 [--seed 0]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.population import population  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for data in population(args.records, args.seed):
            out.write(json.dumps(data, default=str) + "\n")
    print(f"wrote {args.records:,} records to {args.out}")


if __name__ == "__main__":
    main()
