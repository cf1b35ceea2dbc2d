"""The hostile corpus of issue 20 at full size, one process per case: each case runs `zjtx ...`
(or a request to the service, in-process) as a child process and records its wall time, its CPU
time (user and system: the work, apart from waiting for a loaded machine), its peak
resident memory (the largest process of the case: os.wait4 reports the child and the
descendants it waited for) and its exit status. Every case must end in its expected status (2 bad
input, 4 a broken catalog, 1 rows in the errors file, 0 fine; a service case prints its HTTP
status), with no traceback, under 20 s and 500 MB.

    python benchmarks/hostile_corpus.py                 # every case, a table and JSON
    python benchmarks/hostile_corpus.py --only alias    # the cases whose name holds 'alias'
    python benchmarks/hostile_corpus.py --small         # smaller files (1 MB lines, no 1 GiB string)

The inputs are made in a temporary folder first (their making is not timed): the sizes are the
red team's (a 1 GB line, a 1 GiB shared string in 1 MB, 5 million shared strings, a row numbered
99,999,999, an `extends` chain of 2,000 links, 10,000 rules) unless `--small`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if "--make" in sys.argv:  # (only the child that makes the inputs needs them)
    from tests import hostile  # noqa: E402

LIMIT_SECONDS, LIMIT_MB = 20.0, 500


@dataclass
class Case:
    name: str
    item: str          # the item it presses on
    args: list[str]    # `zjtx` arguments, or ["--service", METHOD, PATH, BODY FILE, HEADERS JSON]
    expect: int        # exit status (or HTTP status for a service case)


def _cli(args: list[str], timeout: float) -> tuple[float, float, float, int, str]:
    """(seconds, CPU seconds, peak MB, exit status, output tail) of `zjtx args` in a child process
    (the CPU time, user and system, tells the work from the waiting on a loaded machine)."""
    if args[0] == "--service":
        code = ("import json,sys; from fastapi.testclient import TestClient; "
                "from service.app import ServiceSettings, create_app; from models.limits import LOOPBACK_HOSTS; "
                "c=TestClient(create_app(ServiceSettings(allowed_hosts=LOOPBACK_HOSTS)), raise_server_exceptions=False,"
                " base_url='http://127.0.0.1'); m,p,b,h=sys.argv[1:5]; "
                "r=c.request(m,p,content=open(b,'rb').read() if b else None,headers=json.loads(h)); "
                "print('STATUS', r.status_code, r.text[:300]); sys.exit(0 if r.status_code < 500 else 1)")
        command = [sys.executable, "-c", code, *args[1:]]
    else:
        command = [sys.executable, "-c", "from cli import app; app()", *args]
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env={**os.environ, "ZJTX_LANG": "en"})
        while True:  # reaped here, by wait4, for the child's own peak memory
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                process.kill()
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    code = process.returncode
    if args[0] == "--service":
        found = re.search(r"^STATUS (\d+)", text, re.MULTILINE)
        code = int(found.group(1)) if found else code
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, text[-300:]


def make_cases(folder: Path, small: bool) -> list[Case]:
    """Write the inputs into `folder`; the cases that use them."""
    line_bytes = 1_000_000_000 if not small else 6_000_000
    record = folder / "record.json"
    record.write_text(json.dumps(hostile.RECORD), encoding="utf-8")

    def put(name: str, data: str | bytes) -> str:
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return str(path)

    digits = put("digits.json", json.dumps(hostile.record(
        expenses=[{**hostile.RECORD["expenses"][0], "year": hostile.DIGITS}])))
    bomb = put("bomb.yaml", hostile.bomb_record(9))
    anchors, last = hostile.alias_bomb(9)
    bomb_scenario = put("bomb-scenario.yaml", "name: b\nlaughs:\n" + "".join(
        "  " + line + "\n" for line in anchors.splitlines()) + f"changes: *{last}\n")
    bomb_columns = put("bomb-columns.yaml", anchors + f"所在区: *{last}\n")
    rows = put("rows.csv", "id,district\nA,daxing\n")
    wide = put("wide.json", json.dumps(hostile.record(district="d" * 3_900_000)))
    surrogate = put("surrogate.json", json.dumps(hostile.record(name="x")).replace('"x"', '"\\ud800"'))
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    jsonl, _ = hostile.hostile_jsonl(folder / "hostile.jsonl")
    csv_mixed = hostile.mixed_csv(folder / "mixed.csv")
    sheet = hostile.xlsx_rows_bomb(folder / "rows-bomb.xlsx")
    many = hostile.xlsx_many_strings(folder / "many-strings.xlsx") if small else _many_strings(folder)
    big = hostile.xlsx_one_big_string(folder / "big-string.xlsx") if small else _big_string(folder)
    long_jsonl = folder / "long-line.jsonl"
    long_csv = folder / "long-line.csv"
    _long_lines(long_jsonl, long_csv, line_bytes)
    chain = hostile.extends_chain(folder / "chain", 2000)
    zero = hostile.riverland_copy(folder / "zero")
    (zero / "index.yaml").unlink()
    (zero / "index.yaml").symlink_to("/dev/zero")
    many_rules = hostile.many_rules(folder / "rules", 10_000)
    riverland_record = put("riverland.json", json.dumps(hostile.RIVERLAND_RECORD))
    # Sapling, then oak: the oak award pays the difference to each of the 10,001 sapling awards (R2).
    riverland_oak = put("riverland-oak.json", json.dumps(dict(hostile.RIVERLAND_RECORD, recognitions=[
        {"tier": "sapling", "date": "2023-03-01"}, {"tier": "oak", "date": "2024-05-01"}])))
    broken = {}
    for name, old, new in (("year-1", "payer: north\n", "payer: north\nedition: {in_force_from: 0001-01-01}\n"),
                           ("amount", "{fixed: 50000}", "{fixed: 100000000000000000000}")):
        package = hostile.riverland_copy(folder / name)
        north = package / "north.yaml"
        north.write_text(north.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        broken[name] = str(package)
    link = folder / "link.json"
    link.symlink_to(record)
    checkpoint_out = folder / "resume.csv"
    (folder / ("resume.csv" + ".zjtx-checkpoint.json")).write_text("[]", encoding="utf-8")
    body = put("body-digits.json", json.dumps(digits and hostile.record(
        expenses=[{**hostile.RECORD["expenses"][0], "amount": hostile.DIGITS}])))
    batch_body = put("body.jsonl", b"\n".join(line for line in jsonl.read_bytes().splitlines()
                                              if len(line) < 200_000))
    latin = put("body.yaml", b"id: X\ndistrict: dax\xffing\n")
    plan = put("plan.json", json.dumps({"record": hostile.RECORD, "move_date": "9999-12-31"}))
    json_type = json.dumps({"content-type": "application/json"})
    out = str(folder / "out.csv")
    return [
        Case("digits: evaluate a year of 5,000 digits", "digits", ["evaluate", digits], 2),
        Case("digits: POST /v1/evaluate an amount of 5,000 digits", "digits",
             ["--service", "POST", "/v1/evaluate", body, json_type], 422),
        Case("alias bomb: evaluate a 9-level record", "aliases", ["evaluate", bomb], 2),
        Case("alias bomb: whatif with a scenario file", "aliases", ["whatif", str(record), bomb_scenario], 2),
        Case("alias bomb: batch --columns", "aliases", ["batch", rows, "--out", out, "--columns", bomb_columns], 2),
        Case("3.9 MB district quoted in 80 characters", "aliases", ["evaluate", wide], 2),
        Case("lone surrogate in a record file", "surrogates", ["evaluate", surrogate, "--format", "json"], 2),
        Case("FIFO as a record", "catalogs", ["evaluate", str(fifo)], 2),
        Case("/dev/zero as --columns", "catalogs", ["batch", rows, "--out", out, "--columns", "/dev/zero"], 2),
        Case("hostile JSON Lines, batch local", "lines", ["batch", str(jsonl), "--out", out], 1),
        Case("hostile JSON Lines, batch --jobs 2", "lines", ["batch", str(jsonl), "--out", out, "--jobs", "2"], 1),
        Case("hostile JSON Lines, batch --engine dask (own LocalCluster)", "lines",
             ["batch", str(jsonl), "--out", out, "--engine", "dask", "--jobs", "2"], 1),
        Case("hostile JSON Lines, POST /v1/batch", "surrogates",
             ["--service", "POST", "/v1/batch", batch_body, json.dumps({"content-type": "application/x-ndjson"})], 200),
        Case("UTF-8 CSV with a GBK line and a long line", "encodings", ["batch", str(csv_mixed), "--out", out], 1),
        Case(f"JSON Lines with a {line_bytes:,}-byte line, --jobs 2", "lines",
             ["batch", str(long_jsonl), "--out", out, "--jobs", "2"], 1),
        Case(f"CSV with a {line_bytes:,}-byte line", "lines", ["batch", str(long_csv), "--out", out], 1),
        Case("XLSX: rows 99,999,999 and NaN", "spreadsheets", ["batch", str(sheet), "--out", str(folder / "out.xlsx")], 1),
        Case(f"XLSX: {'1 GiB' if not small else '50 MB'} shared string", "spreadsheets", ["batch", str(big), "--out", out], 2),
        Case(f"XLSX: {'5 million' if not small else '1,000,001'} shared strings", "spreadsheets",
             ["batch", str(many), "--out", out], 2),
        Case("catalog: extends chain of 2,000 links", "catalogs", ["measures", "list", "--catalog", str(chain)], 4),
        Case("catalog: index.yaml is /dev/zero", "catalogs", ["measures", "list", "--catalog", str(zero)], 4),
        Case("catalog: in_force_from 0001-01-01", "catalogs",
             ["evaluate", riverland_record, "--catalog", broken["year-1"]], 4),
        Case("catalog: an amount of 10^20", "catalogs", ["evaluate", riverland_record, "--catalog", broken["amount"]], 4),
        Case("catalog: measures lint of 10,000 rules", "catalogs", ["measures", "lint", "--catalog", str(many_rules)], 0),
        Case("catalog: evaluate against 10,000 rules", "catalogs",
             ["evaluate", riverland_record, "--catalog", str(many_rules)], 0),
        Case("catalog: evaluate against 10,000 rules, sapling then oak (R2)", "catalogs",
             ["evaluate", riverland_oak, "--catalog", str(many_rules)], 0),
        Case("API: best-district move_date 9999", "api", ["--service", "POST", "/v1/best-district", plan, json_type], 422),
        Case("API: /v1/record not UTF-8", "api", ["--service", "POST", "/v1/record", latin, "{}"], 422),
        Case("API: Host [::1]evil", "api", ["--service", "GET", "/healthz", "", json.dumps({"host": "[::1]evil"})], 400),
        Case("output: timeline --out over its record (symlink)", "outputs",
             ["timeline", str(record), "--format", "json", "--out", str(link)], 2),
        Case("output: best-district png --out /proc/x", "outputs",
             ["best-district", str(record), "--format", "png", "--out", "/proc/zjtx-x.png"], 2),
        Case("output: resume from a `[]` checkpoint", "outputs",
             ["batch", str(jsonl), "--out", str(checkpoint_out), "--resume"], 2),
    ]


def _long_lines(jsonl: Path, csv_path: Path, size: int) -> None:
    """A good line, one line of `size` bytes, a good line: written in blocks."""
    good = json.dumps(hostile.record(id="G-1")) + "\n"
    for path, head, tail, last in ((jsonl, '{"id": "LONG", "district": "daxing", "name": "', '"}\n',
                                    json.dumps(hostile.record(id="G-2")) + "\n"),
                                   (csv_path, "LONG,daxing,", "\n", "G-2,daxing,b\n")):
        with path.open("w", encoding="utf-8") as handle:
            handle.write(good if path is jsonl else "id,district,name\nG-1,daxing,a\n")
            handle.write(head)
            block = "x" * (1 << 20)
            for _ in range(size // len(block)):
                handle.write(block)
            handle.write(tail + last)


def _big_string(folder: Path) -> Path:
    """1 GiB of one shared string, compressed to about 1 MB (the part is streamed, never held)."""
    path = folder / "big-string.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", hostile._CT.format(strings=hostile._CT_STRINGS))
        book.writestr("_rels/.rels", hostile._RELS)
        book.writestr("xl/workbook.xml", hostile._BOOK)
        book.writestr("xl/_rels/workbook.xml.rels",
                      hostile._BOOK_RELS.format(strings=hostile._BOOK_RELS_STRINGS))
        book.writestr("xl/worksheets/sheet1.xml",
                      hostile.sheet_xml([hostile.HEADER, (2, ["X-1", "daxing", ("s", 0)])]))
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"a" * (1 << 24)
            for _ in range(64):
                part.write(block)
            part.write(b"</t></si></sst>")
    return path


def _many_strings(folder: Path) -> Path:
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t/></si>" * 5_000_000 + b"</sst>")
    return hostile.xlsx(folder / "many-strings.xlsx",
                        hostile.sheet_xml([hostile.HEADER, (2, ["X-1", "daxing", "ok"])]), strings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="Run the cases whose name holds this text.")
    parser.add_argument("--small", action="store_true", help="Smaller inputs (a quick check).")
    parser.add_argument("--timeout", type=float, default=120.0, help="Stop a case after this long.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:  # (in a child: this process stays small, so that a forked case starts small)
        json.dump([asdict(case) for case in make_cases(args.make, args.small)], sys.stdout)
        return
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zjtx-hostile-") as tmp:
        made = subprocess.run([sys.executable, __file__, "--make", tmp] + ["--small"] * args.small,
                              check=True, stdout=subprocess.PIPE).stdout
        cases = [Case(**c) for c in json.loads(made) if args.only in c["name"]]
        results = []
        for case in cases:
            seconds, cpu, peak, status, tail = _cli(case.args, args.timeout)
            ok = status == case.expect and "Traceback" not in tail and seconds < LIMIT_SECONDS \
                and peak < LIMIT_MB
            results.append({"case": case.name, "item": case.item, "seconds": round(seconds, 2),
                            "cpu_seconds": round(cpu, 2),
                            "peak_mb": round(peak), "status": status, "expected": case.expect,
                            "ok": ok, **({"tail": tail} if not ok else {})})
            print(f"{'ok ' if ok else 'BAD'} {seconds:6.2f} s (CPU {cpu:6.2f} s) {peak:6.0f} MB  "
                  f"{status:>3}  {case.name}",
                  flush=True)
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{sum(r['ok'] for r in results)}/{len(results)} within {LIMIT_SECONDS:g} s and {LIMIT_MB} MB")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "results": results}, indent=2) + "\n",
                             encoding="utf-8")
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
