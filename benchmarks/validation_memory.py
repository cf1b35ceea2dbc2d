"""Peak memory of reading and validating one large record file, per byte of input.

Writes a record with N expense items (YAML or JSON), then loads it in a fresh process and
reports the peak RSS above that process's baseline (interpreter + imports), divided by the file
size. Example:

    python benchmarks/validation_memory.py --items 40000 --format yaml
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import resource, sys
from models.record import load_record
import models.catalog
models.catalog.load_catalog()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_record(sys.argv[1])
    outcome = "valid"
except Exception as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:80]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, outcome)
"""


def record(items: int) -> dict:
    categories = ("device_purchase", "leased_equipment", "transformation", "exhibition")
    return {"id": "MEM", "district": "daxing", "as_of": "2026-01-01",
            "recognitions": [{"tier": "municipal", "date": "2023-06-30"}],
            "expenses": [{"id": f"item-{n:06d}", "category": categories[n % 4],
                          "amount": 1_000_000 + n, "year": 2020 + n % 6, "project": f"p{n % 97}"}
                         for n in range(items)]}


def write(data: dict, kind: str, folder: Path) -> Path:
    path = folder / f"record.{kind}"
    if kind == "json":
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        import yaml
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40_000)
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write(record(args.items), args.format, Path(folder))
        size = path.stat().st_size
        out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                             text=True, check=True).stdout.split(maxsplit=2)
    before, after = int(out[0]) * 1024, int(out[1]) * 1024
    print(f"{args.format}: {size:,} bytes, {args.items:,} items ({out[2].strip()}); "
          f"peak RSS above baseline {(after - before) / 1e6:,.1f} MB = "
          f"{(after - before) / size:,.1f} bytes per input byte")


if __name__ == "__main__":
    main()
