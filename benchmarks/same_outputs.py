"""Are the batch's outputs byte-identical to those of another commit? Every output, errors file
and summary of `zjtx batch` on the seeded populations, run by this tree and by COMMIT (checked out
in a temporary git worktree), compared byte for byte.

Usage: python benchmarks/same_outputs.py --against COMMIT [--records 30000] [--peer 100000] [--keep DIR]

The runs: the full population (benchmarks/population.py: moves, expenses, listings, patents,
received rewards) at `--jobs 1` and `--jobs 2`; the peer's population (benchmarks/peer_vs_zjtx.py);
a hostile JSON Lines file (that population with lines that are not JSON, not UTF-8, not objects,
duplicate ids and keys, unknown keys, bad values, several problems in one row, Chinese spellings,
credit codes right and wrong) as CSV, JSONL, XLSX in Chinese, with `--best-district` and with
`--scenario` to Parquet; the full and hostile populations on a Dask LocalCluster of two workers;
a flat CSV (one date column per tier) in English and in Chinese with `--excel`; `zjtx impact`
(the batch with the old policies as a scenario) between two packages and between two days of one.
Both trees run on the same day (answers depend on today). Exit status 1 when any file
differs. Slow: about 30 s per run on an idle 2-core machine at the default sizes.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.peer_vs_zjtx import write_population  # noqa: E402
from benchmarks.population import population  # noqa: E402

BAD_LINES = [
    b'{"id": "BAD1", "district": "nowhere"}',
    b"not json at all",
    b"[1, 2, 3]",
    b'{"id": "BAD2", "district": "dongcheng", "recognitions": [{"tier": "municipal", "date": "2023-13-40"}]}',
    b'{"id": "BAD3", "district": "dongcheng", "credit_code": "91110000600037341L"}',
    b'{"id": "BAD4", "district": "dongcheng", "colour": "red", "recognitions": [{"tier": "municipl", "date": "2023-06-30"}]}',
    b'{"id": "", "district": "dongcheng"}',
    b'{"id": "BAD5", "name": "caf\xe9", "district": "dongcheng"}',
    b'{"id": "DUPK", "district": "daxing", "district": "haidian"}',
    b'{"id": "E-0000005", "district": "haidian"}',
    '{"id": "ZH1", "district": "东城", "recognitions": [{"tier": "小巨人", "date": "2023年6月30日"}], "as_of": "2026/11/24"}'.encode(),
    b'{"id": "CC1", "district": "dongcheng", "credit_code": "91110000600037341B", "recognitions": [{"tier": "municipal", "date": "2023-06-30"}]}',
    b'{"id": "CC2", "district": "dongcheng", "credit_code": "91110000600037341B"}',
    b'{"id": "M1", "district": "dongcheng", "moves": [{"from": "haidian", "to": "xicheng", "date": "2024-01-01"}]}',
    b'{"id": "R1", "district": "dongcheng", "recognitions": [{"tier": "municipal", "date": "2023-06-30"}, {"tier": "municipal", "date": "2023-06-30"}]}',
    b'{"id": "I1", "district": "dongcheng", "industries": ["hydrogen energy", "softwar"], "recognitions": [{"tier": "national", "date": "2024-06-30"}]}',
    b'{"id": 12345, "district": "shunyi", "recognitions": [{"tier": "national", "date": "2024-06-30"}]}',
    b"   ",
    '{"id": "X9", "district": "dongcheng", "expenses": [{"id": "x", "category": "exhibition", "amount": "100万", "year": "2025"}]}'.encode(),
    b'{"id": "AS1", "district": "dongcheng", "as_of": null, "name": null, "recognitions": []}',
]


def write_inputs(folder: Path, records: int, peer: int) -> None:
    def lines(rows) -> list[bytes]:
        return [json.dumps(r, default=str, ensure_ascii=False).encode() for r in rows]

    (folder / "full.jsonl").write_bytes(b"\n".join(lines(population(records, 0))) + b"\n")
    write_population(folder / "peer.jsonl", peer, 0)
    hostile = lines(population(3000, 1))
    for index, line in enumerate(BAD_LINES):
        hostile.insert(100 + index * 137, line)
    (folder / "hostile.jsonl").write_bytes(b"\n".join(hostile) + b"\n")
    with (folder / "flat.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "district", "entity_type", "industries", "municipal", "national",
                      "moves", "expenses"])
        for number, row in enumerate(population(2000, 2)):
            def dates(tier: str) -> str:
                return ";".join(str(r["date"]) for r in row["recognitions"] if r["tier"] == tier)
            out.writerow([row["id"], f"企业{number}", row["district"], row["entity_type"],
                          ";".join(row["industries"]), dates("municipal"), dates("national"),
                          json.dumps(row["moves"], default=str) if row["moves"] else "",
                          json.dumps(row["expenses"]) if row["expenses"] else ""])
        out.writerow(["BADC", "x", "nowhere", "", "", "2023-02-30", "", "", ""])
        out.writerow(["BADD", "x", "dongcheng", "", "", "", "", "[{broken", ""])


# (input, output, errors, summary or None, further options)
RUNS = [
    ("full.jsonl", "full2.csv", "full2.err.csv", "full2.sum.json", ["--jobs", "2"]),
    ("full.jsonl", "full1.csv", "full1.err.csv", "full1.sum.json", ["--jobs", "1"]),
    ("peer.jsonl", "peer2.csv", "peer2.err.csv", "peer2.sum.json", ["--jobs", "2"]),
    ("hostile.jsonl", "host1.csv", "host1.err.csv", "host1.sum.json", ["--jobs", "1"]),
    ("hostile.jsonl", "host2.jsonl", "host2.err.jsonl", "host2.sum.json", ["--jobs", "2"]),
    ("hostile.jsonl", "hostzh.xlsx", "hostzh.err.csv", None, ["--lang", "zh", "--jobs", "1"]),
    ("hostile.jsonl", "hostbd.csv", "hostbd.err.csv", None,
     ["--best-district", "--move-date", "2026-12-31", "--jobs", "2"]),
    ("hostile.jsonl", "hostsc.parquet", "hostsc.err.csv", "hostsc.sum.json",
     ["--scenario", "shunyi.tier.national.amount=800000", "--jobs", "2"]),
    ("flat.csv", "flat.csv", "flat.err.csv", "flat.sum.json", ["--jobs", "2"]),
    # A Dask LocalCluster of two workers on loopback (the same files as every other engine).
    ("full.jsonl", "fulldask.csv", "fulldask.err.csv", "fulldask.sum.json",
     ["--engine", "dask", "--jobs", "2"]),
    ("hostile.jsonl", "hostdask.jsonl", "hostdask.err.jsonl", "hostdask.sum.json",
     ["--engine", "dask", "--jobs", "2"]),
    ("flat.csv", "flatzh.csv", "flatzh.err.csv", None, ["--lang", "zh", "--excel", "--jobs", "1"]),
    # `zjtx impact` is the batch with the old policies as a scenario (only changed rows written).
    ("full.jsonl", "impact2.csv", "impact2.err.csv", "impact2.sum.json",
     ["impact", "--from", "beijing-2022", "--to", "beijing-2025", "--jobs", "2"]),
    ("hostile.jsonl", "impactat.jsonl", "impactat.err.jsonl", "impactat.sum.json",
     ["impact", "--from", "beijing-2025", "--at", "2024-06-01", "--at", "2025-06-01", "--jobs", "1"]),
]


def run_all(tree: Path, inputs: Path, out: Path) -> list[int]:
    """Every run with the code of `tree`; their exit statuses."""
    out.mkdir(parents=True, exist_ok=True)
    statuses = []
    for source, result, errors, summary, options in RUNS:
        verb, options = (options[0], options[1:]) if options[0] == "impact" else ("batch", options)
        command = [sys.executable, "-c", "from cli import app; app()", verb, str(inputs / source),
                   "--out", str(out / result), "--errors", str(out / errors), *options]
        if summary:
            command += ["--summary", str(out / summary)]
        statuses.append(subprocess.run(command, cwd=tree, capture_output=True).returncode)
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", required=True, help="the commit to compare with (e.g. main)")
    parser.add_argument("--records", type=int, default=30_000, help="rows of the full population")
    parser.add_argument("--peer", type=int, default=100_000, help="rows of the peer's population")
    parser.add_argument("--keep", type=Path, help="keep the inputs and outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        inputs, other_tree = folder / "in", Path(tmp) / "tree"
        inputs.mkdir(parents=True, exist_ok=True)
        write_inputs(inputs, args.records, args.peer)
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other_tree), args.against],
                       cwd=ROOT, check=True)
        try:
            theirs = run_all(other_tree, inputs, folder / "theirs")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other_tree)], cwd=ROOT)
        ours = run_all(ROOT, inputs, folder / "ours")
        differ = [f"exit statuses {theirs} → {ours}"] if theirs != ours else []
        for path in sorted((folder / "theirs").iterdir()):
            # (an impact summary names each package's directory: the tree's own)
            same = path.read_bytes().replace(bytes(other_tree), b"TREE") == \
                (folder / "ours" / path.name).read_bytes().replace(bytes(ROOT), b"TREE")
            print(f"{'same' if same else 'DIFFERENT'}  {path.name}")
            if not same:
                differ.append(path.name)
    print(f"{len(RUNS)} runs against {args.against}: " + (", ".join(differ) or "every file byte-identical"))
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
