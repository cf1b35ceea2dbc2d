"""Tamper-evidence, exhaustively: alter every byte of an evidence bundle, one at a time, and
count how many of the altered files `formats.bundle.read_bundle` (what `zjtx verify` reads first)
still accepts. The answer must be 0.

Usage: python benchmarks/evidence_tamper.py [--record FILE] [--catalog DIR] [--masks 01,80,ff]
Default: the small bundle of the suite (a Riverland record, tests/catalogs/riverland); each
position is XOR-ed with each mask in turn (01: the lowest bit, 80: the highest, ff: every bit).
Prints the bundle's size, the alterations tried, refused and accepted, and the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from formats.bundle import BundleRefused, read_bundle  # noqa: E402
from formats.evidence import evidence_bundle  # noqa: E402
from models.catalog import open_catalog, using_catalog  # noqa: E402
from models.record import is_json, parse_record_bytes  # noqa: E402
from solver.questions import Question, ask  # noqa: E402

RIVER_RECORD = b"id: R1\ndistrict: north\nas_of: 2026-01-01\nrecognitions:\n  - {tier: sapling, date: 2024-05-01}\n"


def bundle(record: Path | None, catalog_dir: Path | None) -> bytes:
    catalog = open_catalog(catalog_dir if record or catalog_dir else ROOT / "tests/catalogs/riverland")
    raw = record.read_bytes() if record else RIVER_RECORD
    as_json = is_json(record) if record else False
    with using_catalog(catalog):
        parsed = parse_record_bytes(raw, source="record", as_json=as_json, catalog=catalog)
        question = Question("evaluate").on(parsed, dt.date(2026, 12, 1))
        return evidence_bundle(question, raw, as_json, parsed, ask(question, parsed, catalog), catalog)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", type=Path)
    parser.add_argument("--catalog", type=Path)
    parser.add_argument("--masks", default="01,80,ff")
    args = parser.parse_args()
    data = bundle(args.record, args.catalog)
    read_bundle(data, "bundle")  # the untouched bundle reads
    masks = [int(mask, 16) for mask in args.masks.split(",")]
    tried = accepted = 0
    start = time.perf_counter()
    for position in range(len(data)):
        for mask in masks:
            altered = bytearray(data)
            altered[position] ^= mask
            tried += 1
            try:
                read_bundle(bytes(altered), "bundle")
            except BundleRefused:
                continue
            accepted += 1
            print(f"ACCEPTED: byte {position} ^ {mask:#04x}")
    seconds = time.perf_counter() - start
    print(f"bundle {len(data):,} bytes; {tried:,} alterations (every byte ^ {args.masks}); "
          f"refused {tried - accepted:,}; accepted {accepted}; {seconds:.1f} s "
          f"({seconds / tried * 1e3:.2f} ms each)")
    sys.exit(1 if accepted else 0)


if __name__ == "__main__":
    main()
