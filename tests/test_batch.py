"""`zjtx batch`: every input format to every output format, bad rows to the errors file with
counts that add up, exit 2 for an unusable input, `--resume` after a real SIGKILL, the fiscal
summary, scenarios, `--best-district`, and byte-identical output across runs and `--jobs`."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchmarks.population import population
from cli import app
from models.catalog import load_catalog
from models.record import parse_record
from models.scenario import parse_inline
from models.catalog import load_catalog as _load_catalog
from solver.evaluate import evaluate
from solver.planner import best_district, whatif
from tests.support import assert_input_error

DISTRICTS = _load_catalog().vocabulary.districts  # the catalog declares them

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()  # click >= 8.2: result.stderr is separate

# The record contract: list fields go into JSON cells, the rest are plain cells.
LIST_FIELDS = ("industries", "recognitions", "moves", "rewards_received", "qualifications",
               "expenses", "listings", "patents")
FIELD_ORDER = ("id", "name", "entity_type", "district", *LIST_FIELDS, "as_of")
FORMATS = (".csv", ".xlsx", ".jsonl", ".parquet")
COUNTS = re.compile(r"rows in ([\d,]+) = evaluated ([\d,]+) \+ errors ([\d,]+)")
CHECKPOINT = ".zjtx-checkpoint.json"
SPOOL = ".zjtx-spool.jsonl"
PARTIAL = ".zjtx-partial"
BEST = ("--best-district", "--move-date", "2026-12-31")


def invoke(*args: Any):
    return runner.invoke(app, [str(arg) for arg in args])


def counts_of(result) -> tuple[int, int, int]:
    """`rows in N = evaluated A + errors B` on stderr → (N, A, B), checking N = A + B."""
    found = COUNTS.search(result.stderr)
    assert found, result.stderr
    rows_in, evaluated, errors = (int(g.replace(",", "")) for g in found.groups())
    assert rows_in == evaluated + errors
    return rows_in, evaluated, errors


# -- writing inputs ---------------------------------------------------------------------------------

def columns_of(records: list[dict]) -> list[str]:
    return [c for c in FIELD_ORDER if any(c in r for r in records)]


def cell(record: dict, column: str, *, keep_dates: bool = False) -> Any:
    """A record field as one cell: list fields as JSON text, dates as ISO text (or kept)."""
    if column not in record or record[column] is None:
        return None
    value = record[column]
    if column in LIST_FIELDS:
        return json.dumps(value, default=str)
    if isinstance(value, dt.date) and not keep_dates:
        return value.isoformat()
    return value


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    return path


def write_csv(path: Path, records: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or columns_of(records)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for record in records:
            out.writerow(["" if (v := cell(record, c)) is None else v for c in columns])
    return path


def write_xlsx(path: Path, records: list[dict]) -> Path:
    from openpyxl import Workbook

    columns = columns_of(records)
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for record in records:  # as_of stays a real date cell: the reader must turn it into text
        sheet.append([cell(record, c, keep_dates=True) for c in columns])
    book.save(path)
    return path


def write_parquet(path: Path, records: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = columns_of(records)
    fields = [(c, pa.date32() if c == "as_of" else pa.string()) for c in columns]
    rows = [{c: cell(r, c, keep_dates=True) for c in columns} for r in records]
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema(fields)), path)
    return path


WRITERS = {".csv": write_csv, ".xlsx": write_xlsx, ".jsonl": write_jsonl, ".parquet": write_parquet}


# -- reading outputs --------------------------------------------------------------------------------

TEXT_COLUMNS = {"id", "name", "credit_code", "district", "best_district", "warnings"}
BOOL_COLUMNS = {"open_above", "best_open_above"}


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in TEXT_COLUMNS:
            out[key] = value
        elif key in BOOL_COLUMNS:
            out[key] = value if isinstance(value, bool) else {"true": True, "false": False}[value]
        else:
            assert not isinstance(value, (bool, float)), (key, value)
            out[key] = int(value)
    return out


def read_output(path: Path) -> list[dict[str, Any]]:
    """The result rows of any output format, as {column: str | int | bool}."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    elif path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    elif path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        values = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        rows = [dict(zip(values[0], v)) for v in values[1:]]
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    return [_normal(r) for r in rows]


def read_errors(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".xlsx":  # the errors of a workbook's rows, in a workbook
        from openpyxl import load_workbook

        header, *rows = load_workbook(path).worksheets[0].iter_rows(values_only=True)
        assert list(header) == ["row", "id", "field", "message"], header
        return [{k: "" if v is None else str(v) for k, v in zip(header, row)} for row in rows]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["row", "id", "field", "message"], reader.fieldnames
        return list(reader)


def measure_columns(row: dict[str, Any]) -> list[str]:
    return sorted({k[:-4] for k in row if k.endswith(".min") and k[:-4] not in ("total", "best_total")})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.name.endswith((CHECKPOINT, SPOOL, PARTIAL, ".tmp")) or PARTIAL in p.name)


# -- 1. every format round-trips ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def thirty(tmp_path_factory) -> tuple[Path, list[dict], dict[str, tuple[int, int, bool]]]:
    folder = tmp_path_factory.mktemp("inputs")
    records = list(population(30, seed=11))
    for kind, writer in WRITERS.items():
        writer(folder / f"in{kind}", records)
    expected = {}
    for record in records:
        total = evaluate(parse_record(record)).total
        expected[record["id"]] = (total.min, total.max, total.open_above)
    assert any(low != high for low, high, _ in expected.values())  # the sample is not trivial
    return folder, records, expected


@pytest.mark.parametrize("out_kind", FORMATS)
@pytest.mark.parametrize("in_kind", FORMATS)
def test_every_format_round_trips(thirty, tmp_path: Path, in_kind: str, out_kind: str):
    folder, records, expected = thirty
    out = tmp_path / f"results{out_kind}"
    result = invoke("batch", folder / f"in{in_kind}", "--out", out)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert counts_of(result) == (30, 30, 0)
    assert result.stdout == ""
    rows = read_output(out)
    assert [r["id"] for r in rows] == [r["id"] for r in records]  # one row each, input order
    for row in rows:
        assert (row["total_min"], row["total_max"], row["open_above"]) == expected[row["id"]], row["id"]
        measures = measure_columns(row)  # the per-measure columns add up to the total
        assert sum(row[f"{m}.min"] for m in measures) == row["total_min"]
        assert sum(row[f"{m}.max"] for m in measures) == row["total_max"]
    # (an XLSX input's errors go to an XLSX file by default)
    assert read_errors(tmp_path / f"results.errors{'.xlsx' if in_kind == '.xlsx' else '.csv'}") == []
    assert leftovers(tmp_path) == []


# -- 2. bad rows go to the errors file -------------------------------------------------------------

def base(ident: str | None, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ident, "district": "haidian",
                              "recognitions": [{"tier": "municipal", "date": "2023-03-31"}],
                              "as_of": "2026-11-24"}
    if ident is None:
        del record["id"]
    record.update(changes)
    return record


def expense(amount: Any) -> list[dict[str, Any]]:
    return [{"id": "X1", "category": "exhibition", "amount": amount, "year": 2025}]


def check_bad_rows(result, out: Path, errors: Path, valid: dict[int, dict], bad: dict[int, tuple]):
    """`valid`: row number → the record evaluated; `bad`: row number → (id, field, message part)."""
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "Traceback" not in result.output
    rows_in, evaluated, failed = counts_of(result)
    assert (rows_in, evaluated, failed) == (len(valid) + len(bad), len(valid), len(bad))
    assert str(errors) in result.stderr
    rows = read_output(out)
    assert [r["id"] for r in rows] == [valid[n]["id"] for n in sorted(valid)]
    for row, number in zip(rows, sorted(valid)):
        total = evaluate(parse_record(valid[number])).total
        assert (row["total_min"], row["total_max"]) == (total.min, total.max), number
    error_rows = read_errors(errors)
    assert [int(e["row"]) for e in error_rows] == sorted(bad)
    for entry in error_rows:
        ident, field, fragment = bad[int(entry["row"])]
        assert entry["id"] == (ident or ""), entry
        if field is not None:
            assert entry["field"] == field, entry
        assert fragment in entry["message"], entry
        assert entry["message"], entry
    assert not set(valid) & set(bad)


def test_bad_rows_in_jsonl(tmp_path: Path):
    people = list(population(4, seed=5))
    lines = {
        1: json.dumps(people[0], default=str),
        2: json.dumps(base("B-TIER", recognitions=[{"tier": "gold", "date": "2023-03-31"}])),
        3: json.dumps(people[1], default=str),
        4: json.dumps(base("B-DISTRICT", district="gotham")),
        5: json.dumps(base("B-DATE", recognitions=[{"tier": "municipal", "date": "2023-02-30"}])),
        6: json.dumps(base("B-ASOF", as_of="2026-13-01")),
        7: json.dumps(base("B-NEG", expenses=expense(-5))),
        8: json.dumps(base("B-FLOAT", expenses=expense(1500.5))),
        9: json.dumps({**people[3], "id": people[0]["id"]}, default=str),  # duplicate id
        10: '{"id": "B-BROKEN", "district": "haidian", ',
        11: json.dumps({**base("B-KEY"), "recognitons": []}),
        12: json.dumps(base(None)),
        13: "",  # a blank line is no row
        14: json.dumps(people[2], default=str),
        15: json.dumps(base("V-END")),
    }
    path = tmp_path / "in.jsonl"
    path.write_text("".join(lines[n] + "\n" for n in sorted(lines)), encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "bad.csv"
    result = invoke("batch", path, "--out", out, "--errors", errors)
    valid = {1: people[0], 3: people[1], 14: people[2], 15: base("V-END")}
    bad = {2: ("B-TIER", "recognitions[0].tier", "'gold'"),
           4: ("B-DISTRICT", "district", "'gotham'"),
           5: ("B-DATE", "recognitions[0].date", "2023-02-30"),
           6: ("B-ASOF", "as_of", "2026-13-01"),
           7: ("B-NEG", "expenses[0].amount", "-5"),
           8: ("B-FLOAT", "expenses[0].amount", "1500.5"),
           9: (people[0]["id"], None, "duplicate id"),
           10: (None, None, "not valid JSON"),
           11: ("B-KEY", "recognitons", "did you mean 'recognitions'?"),
           12: (None, "id", "missing")}
    check_bad_rows(result, out, errors, valid, bad)
    assert "first used at row 1" in read_errors(errors)[6]["message"]


def test_bad_rows_in_csv(tmp_path: Path):
    people = list(population(4, seed=5))
    records = {
        1: people[0],
        2: base("B-TIER", recognitions=[{"tier": "gold", "date": "2023-03-31"}]),
        3: people[1],
        4: base("B-DISTRICT", district="gotham"),
        5: base("B-DATE", recognitions=[{"tier": "municipal", "date": "2023-02-30"}]),
        6: base("B-ASOF", as_of="2026-13-01"),
        7: base("B-NEG", expenses=expense(-5)),
        8: base("B-FLOAT", expenses=expense(1500.5)),
        9: {**people[3], "id": people[0]["id"]},  # duplicate id
        12: base(None),
        13: people[2],
        14: base("V-END"),
    }
    columns = columns_of(list(records.values()))
    path = write_csv(tmp_path / "in.csv", [records[n] for n in sorted(records)], columns)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    short = "B-SHORT,haidian\r\n"
    long = "B-LONG," + ",".join(["x"] * len(columns)) + "\r\n"
    lines[10:10] = [short, long]  # data rows 10 and 11 (line 1 is the header)
    path.write_text("".join(lines), encoding="utf-8")
    out, errors = tmp_path / "out.csv", tmp_path / "out.errors.csv"  # the default errors path
    result = invoke("batch", path, "--out", out)
    valid = {n: records[n] for n in (1, 3, 13, 14)}
    bad = {2: ("B-TIER", "recognitions[0].tier", "'gold'"),
           4: ("B-DISTRICT", "district", "'gotham'"),
           5: ("B-DATE", "recognitions[0].date", "2023-02-30"),
           6: ("B-ASOF", "as_of", "2026-13-01"),
           7: ("B-NEG", "expenses[0].amount", "-5"),
           8: ("B-FLOAT", "expenses[0].amount", "1500.5"),
           9: (people[0]["id"], None, "duplicate id"),
           10: (None, None, "wrong number of columns"),
           11: (None, None, "wrong number of columns"),
           12: (None, "id", "missing")}
    # Rows are numbered as the spreadsheet shows them: the header is row 1, data row n is row n + 1.
    check_bad_rows(result, out, errors, {n + 1: r for n, r in valid.items()},
                   {n + 1: b for n, b in bad.items()})
    assert "first used at row 2" in read_errors(errors)[6]["message"]


def test_csv_broken_json_cell_keeps_id_and_field(tmp_path: Path):
    """Regression (was a bug): a CSV row whose `recognitions` cell is not valid JSON goes to the
    errors file with its id and the column as its field (they used to be left empty)."""
    path = tmp_path / "in.csv"
    path.write_text('id,district,recognitions\nB-CELL,haidian,"[{""tier"": ""municipal"""\n',
                    encoding="utf-8")
    result = invoke("batch", path, "--out", tmp_path / "out.csv")
    assert result.exit_code == 1, result.stderr
    [entry] = read_errors(tmp_path / "out.errors.csv")
    assert "JSON" in entry["message"]
    assert (entry["id"], entry["field"]) == ("B-CELL", "recognitions"), entry


# -- 3. exit 2 when the input is unusable ---------------------------------------------------------

@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "in.csv", [base("E-1")])


@pytest.mark.parametrize("case", ["missing", "txt", "header", "empty", "no-id", "out", "errors",
                                  "summary", "same-as-input"])
def test_unusable_input_exits_2(tmp_path: Path, small_csv: Path, case: str):
    out = tmp_path / "out" / "results.csv"
    if case == "missing":
        args, expect = [tmp_path / "nowhere.csv", "--out", out], ["nowhere.csv", "no such input file"]
    elif case == "txt":
        text = tmp_path / "in.txt"
        text.write_text(small_csv.read_text())
        args, expect = [text, "--out", out], ["in.txt", "unknown format '.txt'", ".csv"]
    elif case == "header":
        typo = tmp_path / "typo.csv"
        typo.write_text(small_csv.read_text().replace("recognitions", "recognitons", 1))
        args, expect = [typo, "--out", out], ["typo.csv", "unknown column 'recognitons'",
                                              "did you mean 'recognitions'?"]
    elif case == "empty":
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        args, expect = [empty, "--out", out], ["empty.csv", "empty"]
    elif case == "no-id":
        headless = write_csv(tmp_path / "noid.csv", [base(None)])
        args, expect = [headless, "--out", out], ["noid.csv", "no `id` column"]
    elif case == "out":
        out = tmp_path / "out" / "results.txt"
        args, expect = [small_csv, "--out", out], ["field --out", "unknown format '.txt'"]
    elif case == "errors":
        args, expect = [small_csv, "--out", out, "--errors", tmp_path / "out" / "bad.parquet"], \
            ["field --errors", "CSV, XLSX or JSONL"]
    elif case == "summary":
        args, expect = [small_csv, "--out", out, "--summary", tmp_path / "out" / "summary.csv"], \
            ["field --summary", "JSON"]
    else:
        args, expect = [small_csv, "--out", small_csv], ["field --out", "overwrite the input"]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert_input_error(invoke("batch", *args), *expect)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing half-written, the input untouched


# -- 4. --resume after a real SIGKILL ---------------------------------------------------------------

def _batch_process(args: list[Any]) -> subprocess.Popen:
    """`zjtx batch` in a process of its own that checkpoints after every block (not once a second
    as usual: the same code, sooner), so that a kill catches it mid-way on a small input."""
    start = "import formats.batch; formats.batch.CHECKPOINT_SECONDS = 0; from cli import app; app()"
    return subprocess.Popen([sys.executable, "-c", start, "batch", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_mid_way(args: list[Any], checkpoint: Path, total: int) -> dict | None:
    """Start a batch, SIGKILL it once its checkpoint shows 0 < rows_in < total; the checkpoint
    state, or None when the run ended before it could be caught mid-way."""
    process = _batch_process(args)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None
            try:
                state = json.loads(checkpoint.read_text(encoding="utf-8"))
            except (FileNotFoundError, json.JSONDecodeError):
                state = None
            if state and 0 < state["rows_in"] < total:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return state if process.returncode == -signal.SIGKILL else None
            time.sleep(0.002)
        raise AssertionError("the batch neither checkpointed nor finished within 60 s")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_resume_after_sigkill(tmp_path: Path):
    # The killed run checkpoints after each block (the first is 256 rows) and --best-district rows
    # are slow: 1,000 rows are caught mid-way; a bigger input when even that is too fast.
    attempts = [(1000, BEST), (4000, BEST), (16000, BEST), (64000, BEST)]
    for size, extra in attempts:
        folder = tmp_path / f"run-{size}-{len(extra)}"
        folder.mkdir()
        records = list(population(size, seed=3))
        source = write_jsonl(folder / "in.jsonl", records)
        out, summary = folder / "out.csv", folder / "summary.json"
        checkpoint = folder / ("out.csv" + CHECKPOINT)
        args = [source, "--out", out, "--summary", summary, *extra]
        state = _kill_mid_way(args, checkpoint, size)
        if state is not None:
            break
    else:
        pytest.fail("every run finished before it could be killed mid-way")
    assert checkpoint.exists() and not summary.exists() and not out.exists()
    with (folder / ("out.csv" + PARTIAL)).open(encoding="utf-8") as partial:
        assert sum(1 for _ in partial) - 1 < size  # the killed run did not finish

    resumed = subprocess.run([sys.executable, "-c", "from cli import app; app()", "batch",
                              *map(str, args), "--resume"], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "Traceback" not in resumed.stderr
    assert f"rows in {size:,} = evaluated {size:,} + errors 0" in resumed.stderr
    resumed_at = int(re.search(r"resumed after row (\d+)", resumed.stderr).group(1))
    assert state["rows_in"] <= resumed_at < size
    assert not checkpoint.exists() and leftovers(folder) == []

    rows = read_output(out)
    ids = [r["id"] for r in rows]
    assert len(rows) == size and len(set(ids)) == size
    assert ids == [r["id"] for r in records]

    clean = invoke("batch", source, "--out", folder / "clean.csv", "--summary",
                   folder / "clean.json", *extra)
    assert clean.exit_code == 0, clean.stderr
    assert out.read_bytes() == (folder / "clean.csv").read_bytes()
    assert (folder / "out.errors.csv").read_bytes() == (folder / "clean.errors.csv").read_bytes()
    assert json.loads(summary.read_text()) == json.loads((folder / "clean.json").read_text())


class _Interrupted(Exception):
    pass


def _interrupt_after(rows: int):
    def on_progress(counts) -> None:
        if counts.rows_in >= rows:
            raise _Interrupted
    return on_progress


def _mixed_input(folder: Path, size: int) -> Path:
    records = list(population(size, seed=9))
    records[100] = base("B-TIER", recognitions=[{"tier": "gold", "date": "2023-03-31"}])
    records[400] = {**records[401], "id": records[3]["id"]}  # a duplicate of a row done before the stop
    records[650] = base("B-NEG", expenses=expense(-1))
    return write_jsonl(folder / "in.jsonl", records)


@pytest.fixture(scope="module")
def mixed_and_clean(tmp_path_factory):
    """The mixed input of 700 rows, and a clean run of it per output format and job count, each
    made once for the module: the resumed runs of both checkpoint states compare with it."""
    folder = tmp_path_factory.mktemp("mixed")
    source = _mixed_input(folder, 700)
    made: dict[tuple[str, int], Path] = {}

    def clean(out_kind: str, jobs: int) -> tuple[Path, Path]:
        if (out_kind, jobs) not in made:
            made[out_kind, jobs] = runs = tmp_path_factory.mktemp(f"clean-{jobs}")
            result = invoke("batch", source, "--out", runs / f"clean{out_kind}", "--summary",
                            runs / "clean.json", "--jobs", jobs)
            assert result.exit_code == 1, (result.stderr, result.exception)
            assert counts_of(result) == (700, 697, 3)
        return source, made[out_kind, jobs]
    return clean


@pytest.fixture
def checkpoint_every_chunk(monkeypatch):
    """Checkpoints come about once a second; in-process stand-ins for a kill want one per chunk."""
    import formats.batch

    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0, raising=False)


@pytest.mark.parametrize("every_chunk", [True, False], ids=["checkpointed", "no-checkpoint-yet"])
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("out_kind", FORMATS)
def test_resume_after_an_interrupted_run_equals_a_clean_run(tmp_path: Path, monkeypatch, mixed_and_clean,
                                                           out_kind: str, jobs: int,
                                                           every_chunk: bool):
    """A deterministic stand-in for a kill (the run stops after its second chunk, with or
    without a checkpoint written by then), for every output format, with bad rows and a
    duplicate across the stop: nothing lost or doubled, the same files as a clean run."""
    import formats.batch
    from formats.batch import run_batch
    from views.notices import notices_text
    from solver.batch import BatchOptions

    source, runs = mixed_and_clean(out_kind, jobs)  # the clean run, with checkpoints as usual
    if every_chunk:
        monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0, raising=False)
    out = tmp_path / f"out{out_kind}"
    with pytest.raises(_Interrupted):
        run_batch(source, out, None, BatchOptions(readings=load_catalog().resolve_readings({})),
                  jobs=jobs, summary_path=tmp_path / "summary.json",
                  on_progress=_interrupt_after(300), words=notices_text)
    checkpoint = tmp_path / f"out{out_kind}{CHECKPOINT}"
    had_checkpoint = checkpoint.exists()  # without one, --resume starts again from row 1
    if every_chunk:
        assert 0 < json.loads(checkpoint.read_text())["rows_in"] < 700
    monkeypatch.undo()
    resumed = invoke("batch", source, "--out", out, "--summary", tmp_path / "summary.json",
                     "--resume", "--jobs", jobs)
    assert resumed.exit_code == 1, (resumed.stderr, resumed.exception)
    assert counts_of(resumed) == (700, 697, 3)
    assert ("resumed after row" in resumed.stderr) == had_checkpoint
    assert read_output(out) == read_output(runs / f"clean{out_kind}")
    assert (tmp_path / "out.errors.csv").read_bytes() == (runs / "clean.errors.csv").read_bytes()
    assert json.loads((tmp_path / "summary.json").read_text()) == \
        json.loads((runs / "clean.json").read_text())
    assert leftovers(tmp_path) == []


def test_resume_refuses_a_checkpoint_made_with_other_readings(tmp_path: Path,
                                                                  checkpoint_every_chunk):
    """Regression (was a bug): the checkpoint only recorded the input path and the output columns. A run interrupted
    under `--reading stacking=difference-only` and resumed without it (or the reverse; the
    same for a different --scenario reform value or --move-date) is accepted: exit 0, and the
    output silently mixes rows evaluated under two readings. The error message that exists
    ("the checkpoint belongs to another input or other options") promises this is refused.
    Expected: exit 2 and one `zjtx: error:` line naming --resume."""
    from formats.batch import run_batch
    from views.notices import notices_text
    from solver.batch import BatchOptions

    source = write_jsonl(tmp_path / "in.jsonl", list(population(1000, seed=1)))
    out = tmp_path / "out.csv"
    options = BatchOptions(readings=load_catalog().resolve_readings({"stacking": "difference-only"}))
    with pytest.raises(_Interrupted):
        run_batch(source, out, None, options, on_progress=_interrupt_after(256), words=notices_text)
    result = invoke("batch", source, "--out", out, "--resume")  # default readings now
    assert_input_error(result, "--resume")


def test_a_bug_beside_a_held_signal_stays_a_bug_and_saves_no_half_block(tmp_path: Path,
                                                                        monkeypatch,
                                                                        checkpoint_every_chunk):
    """Regression (was a bug): a signal held while a block is added up, and a bug in the same
    block (here: its second block's lines fail to encode). The signal replaced the bug, and the
    checkpoint saved on the way out held the half-added block in its sums (not in its rows), so
    `--resume` added it twice. Expected: the bug comes out as itself; any checkpoint holds whole
    blocks only, and a resume sums what a clean run sums."""
    import formats.lines
    from formats.batch import run_batch
    from formats.signals import STOPPER
    from solver.batch import BatchOptions
    from views.notices import notices_text

    source = write_jsonl(tmp_path / "in.jsonl", list(population(600, seed=3)))
    clean = invoke("batch", source, "--out", tmp_path / "clean.csv", "--summary",
                   tmp_path / "clean.json")
    assert clean.exit_code in (0, 1), clean.stderr
    real, calls = formats.lines.LineEncoder.fronts, []

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 2:  # a signal arrives, then the block fails
            STOPPER.pending = signal.SIGTERM
            raise RuntimeError("a bug while the block is written")
        return real(self, *args)

    monkeypatch.setattr(formats.lines.LineEncoder, "fronts", failing)
    out = tmp_path / "out.csv"
    try:
        with pytest.raises(RuntimeError, match="a bug while"):
            run_batch(source, out, None, BatchOptions(readings=load_catalog().resolve_readings({})),
                      summary_path=tmp_path / "summary.json", words=notices_text)
    finally:
        STOPPER.pending = None
    monkeypatch.undo()
    resumed = invoke("batch", source, "--out", out, "--summary", tmp_path / "summary.json",
                     "--resume")
    assert resumed.exit_code == clean.exit_code, resumed.stderr
    assert json.loads((tmp_path / "summary.json").read_text()) == \
        json.loads((tmp_path / "clean.json").read_text())
    assert out.read_bytes() == (tmp_path / "clean.csv").read_bytes()


def test_resume_after_a_kill_while_cleaning_up(tmp_path: Path,
                                                                             monkeypatch):
    """A kill while cleaning up (simulated by making the checkpoint removal die): the outputs are
    whole beside their places, nothing stale is at OUT, and `--resume` finishes."""
    from formats.batch import run_batch
    from views.notices import notices_text
    from solver.batch import BatchOptions

    source = write_jsonl(tmp_path / "in.jsonl", list(population(300, seed=2)))
    out = tmp_path / "out.xlsx"
    real_unlink = Path.unlink

    def dying_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(CHECKPOINT):
            raise _Interrupted
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", dying_unlink)
    with pytest.raises(_Interrupted):
        run_batch(source, out, None, BatchOptions(readings=load_catalog().resolve_readings({})),
                  words=notices_text)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert (tmp_path / f"out.xlsx{CHECKPOINT}").exists()
    assert (tmp_path / f"out.xlsx{SPOOL}").exists()
    assert not out.exists()
    result = invoke("batch", source, "--out", out, "--resume")
    assert result.exit_code == 0, (result.stderr[-300:], repr(result.exception))
    assert len(read_output(out)) == 300


# -- 5. --summary and --scenario ------------------------------------------------------------------------

def _summary_input(folder: Path) -> tuple[Path, list[dict]]:
    records = list(population(200, seed=1))
    records.append({"id": "D-1", "district": "dongcheng", "as_of": "2026-01-01",  # both scenarios move it
                    "recognitions": [{"tier": "municipal", "date": "2025-03-31"},
                                     {"tier": "national", "date": "2026-07-31"}]})
    records.append(base("B-TIER", recognitions=[{"tier": "gold", "date": "2023-03-31"}]))
    return write_jsonl(folder / "in.jsonl", records), records


def _check_summary(summary: dict, rows: list[dict], view: str, prefix: str) -> None:
    part = summary[view]
    assert (part["total"]["min"], part["total"]["max"]) == (sum(r[f"{prefix}_min"] for r in rows),
                                                            sum(r[f"{prefix}_max"] for r in rows))
    if view == "baseline":  # a "not less than" amount in any row: the total says so
        assert part["total"]["open_above"] == any(r["open_above"] in (True, "true") for r in rows)
    for table in ("by_paying_district", "by_claim_year", "by_measure"):
        if any(v["open_above"] for v in part[table].values()):
            assert part["total"]["open_above"], table
    for table in ("by_paying_district", "by_claim_year", "by_measure"):
        assert sum(v["min"] for v in part[table].values()) == part["total"]["min"], table
        assert sum(v["max"] for v in part[table].values()) == part["total"]["max"], table


def test_summary_adds_up(tmp_path: Path):
    source, records = _summary_input(tmp_path)
    out, summary_path = tmp_path / "out.csv", tmp_path / "deep" / "summary.json"
    result = invoke("batch", source, "--out", out, "--summary", summary_path)
    assert result.exit_code == 1, result.stderr
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    rows = read_output(out)
    assert (summary["rows_in"], summary["rows_out"], summary["error_rows"]) == \
        (len(records), len(rows), 1) == counts_of(result)
    _check_summary(summary, rows, "baseline", "total")
    measures = measure_columns(rows[0])
    assert set(summary["baseline"]["by_measure"]) <= set(measures)
    for measure in measures:
        expected = {"min": sum(r[f"{measure}.min"] for r in rows),
                    "max": sum(r[f"{measure}.max"] for r in rows)}
        got = summary["baseline"]["by_measure"].get(measure, {"min": 0, "max": 0})
        assert {"min": got["min"], "max": got["max"]} == expected, measure
        paying = sum(1 for r in rows if r[f"{measure}.max"] > 0)
        assert got.get("enterprises", 0) >= paying, measure
    assert summary["baseline"]["total"]["max"] > 0
    assert "scenario" not in summary and "cost_of_scenario" not in summary
    assert not any(c.startswith("scenario_") for c in rows[0])


@pytest.mark.parametrize("scenario", ["stacking=difference-only", "dongcheng.tier.national.amount=1000000"])
def test_scenario_columns_and_cost(tmp_path: Path, scenario: str):
    source, records = _summary_input(tmp_path)
    out, summary_path = tmp_path / "out.jsonl", tmp_path / "summary.json"
    result = invoke("batch", source, "--out", out, "--summary", summary_path, "--scenario", scenario)
    assert result.exit_code == 1, result.stderr
    assert counts_of(result) == (len(records), len(records) - 1, 1)
    rows = read_output(out)
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    for row in rows:
        assert row["scenario_delta_min"] == row["scenario_total_min"] - row["total_min"]
        assert row["scenario_delta_max"] == row["scenario_total_max"] - row["total_max"]
    _check_summary(summary, rows, "baseline", "total")
    _check_summary(summary, rows, "scenario", "scenario_total")
    cost = summary["cost_of_scenario"]
    assert cost == {"min": sum(r["scenario_delta_min"] for r in rows),
                    "max": sum(r["scenario_delta_max"] for r in rows),
                    "open_above": summary["baseline"]["total"]["open_above"]
                    or summary["scenario"]["total"]["open_above"]}
    assert cost["max"] != 0
    by_id = {r["id"]: r for r in rows}
    assert by_id["D-1"]["scenario_delta_max"] != 0
    parsed = parse_inline([scenario], list(load_catalog().index.readings))
    for record in [records[0], records[57], records[123], records[-2]]:  # the scenario as `whatif` sees it
        answer = whatif(parse_record(record), parsed)
        row = by_id[record["id"]]
        assert (row["scenario_total_min"], row["scenario_total_max"]) == \
            (answer.outcome.min, answer.outcome.max), record["id"]


# -- 6. --best-district -----------------------------------------------------------------------------

def test_best_district_columns(tmp_path: Path):
    records = list(population(40, seed=4))
    source = write_csv(tmp_path / "in.csv", records)
    out = tmp_path / "out.parquet"
    result = invoke("batch", source, "--out", out, *BEST)
    assert result.exit_code == 0, result.stderr
    rows = read_output(out)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row in rows:
        assert row["best_district"] in DISTRICTS
        assert row["best_total_min"] <= row["best_total_max"]
    for index in range(0, 40, 5):
        ranking = best_district(parse_record(records[index]), dt.date(2026, 12, 31))
        top, row = ranking.ranking[0], rows[index]
        assert row["best_total_max"] == top.total.max, row["id"]
        assert row["best_total_min"] == top.total.min, row["id"]
        assert row["best_district"] == top.district, row["id"]
        assert row["best_delta_max"] == top.total.max - ranking.stay.max, row["id"]


# -- 7. determinism and --jobs ----------------------------------------------------------------------

def test_jobs_2_is_byte_identical_to_jobs_1_and_runs_repeat(tmp_path: Path):
    source = _mixed_input(tmp_path, 1300)  # five chunks: several in flight at once with 2 jobs
    outputs = {}
    for name, jobs in (("a", 1), ("b", 1), ("c", 2), ("d", 2)):
        for kind in (".csv", ".jsonl"):
            result = invoke("batch", source, "--out", tmp_path / f"{name}{kind}", "--errors",
                            tmp_path / f"{name}-errors{kind}", "--summary",
                            tmp_path / f"{name}{kind}.json", "--jobs", jobs)
            assert result.exit_code == 1, result.stderr
            assert counts_of(result) == (1300, 1297, 3)
            outputs[name, kind] = tuple((tmp_path / f).read_bytes()
                                        for f in (f"{name}{kind}", f"{name}-errors{kind}",
                                                  f"{name}{kind}.json"))
    for kind in (".csv", ".jsonl"):
        assert outputs["a", kind] == outputs["b", kind] == outputs["c", kind] == outputs["d", kind]


def test_a_package_with_dates_of_its_own_keys_rows_by_them_with_two_jobs(tmp_path: Path):
    """Rows are keyed (in the parent) among the dates of the run's own package: with two jobs,
    a Fangshan enterprise recognized before beijing-2025's Fangshan rule is in force
    (2025-04-28) never shares the answer of one recognized on or after it. Each row's totals are
    those of the row alone (a one-row file takes no key)."""
    days = ["2025-01-25", "2025-04-27", "2025-04-28", "2025-04-29", "2025-06-01"]
    rows = [{"id": f"F{n}", "district": "fangshan", "as_of": "2026-11-24",
             "recognitions": [{"tier": "innovative", "date": "2024-04-19"},
                              {"tier": "municipal", "date": days[n % len(days)]}]}
            for n in range(200)]  # (enough to be read at once and keyed)
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = invoke("batch", source, "--catalog", "beijing-2025", "--out", tmp_path / "two.csv",
                    "--jobs", 2)
    assert result.exit_code == 0, result.stderr
    alone = {}
    for day, row in zip(days, rows):
        one = write_jsonl(tmp_path / f"{day}.jsonl", [row])
        assert invoke("batch", one, "--catalog", "beijing-2025", "--out",
                      tmp_path / f"{day}.csv").exit_code == 0
        alone[day] = read_output(tmp_path / f"{day}.csv")[0]["total_max"]
    assert alone["2025-01-25"] != alone["2025-06-01"]  # (the rule tells them apart)
    for row, out in zip(rows, read_output(tmp_path / "two.csv")):
        assert out["total_max"] == alone[row["recognitions"][1]["date"]], row


def test_xlsx_output_is_byte_identical_across_runs(tmp_path: Path):
    """openpyxl stamps the save time; the writer fixes it, so the same rows give the same bytes."""
    source = write_jsonl(tmp_path / "in.jsonl", list(population(20, seed=5)))
    for name in ("a.xlsx", "b.xlsx"):
        assert invoke("batch", source, "--out", tmp_path / name).exit_code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


# -- JSON lines read at once --------------------------------------------------------------------
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.sampled_from(["id", "district", 'a\\"b', "x", "名"])
_SPACE = st.sampled_from(["", "", " ", "\t", "\r", "\n "])
_VALUES = st.sampled_from(['"E-1"', '"a\\": b"', '"q\\" "', '1', 'null', '[]', '["s", "t"]',
                           '{"tier": "x", "date": "2023-01-01"}', '{"k": 1, "k": 2}', '"中"'])


@st.composite
def json_lines(draw: st.DrawFn) -> bytes:
    """An object line as people and programs write them: spaces anywhere JSON allows, a key
    given twice now and then, quotes and colons inside strings."""
    pairs = draw(st.lists(st.tuples(_KEYS, _VALUES, _SPACE, _SPACE, _SPACE), max_size=5))
    body = ",".join(f'{s1}"{key}"{s2}:{s3}{value}' for key, value, s1, s2, s3 in pairs)
    return ("{" + body + draw(_SPACE) + "}" + draw(st.sampled_from(["", "\r", " "]))).encode()


@settings(max_examples=400, deadline=None)
@given(json_lines())
def test_a_line_read_at_once_is_what_the_exact_road_reads(raw: bytes):
    """orjson at once, only when sure: then the line is UTF-8 JSON without a duplicate key and the
    object is the one the exact parser (with its duplicate-key check) reads."""
    from formats.tables import _quick_object
    from models.yamlio import parse_document

    quick = _quick_object(raw)
    if quick is None:
        return
    assert quick == parse_document(raw.decode("utf-8"), as_json=True)


def test_a_key_given_twice_is_never_read_at_once():
    from formats.tables import _quick_object, jsonl_rows

    for line in (b'{"a": 1, "a": 2}', b'{"a" : 1, "b": "x\\":", "a": 2}', b'{"r": [{"t": 1, "t": 2}]}'):
        assert _quick_object(line) is None
        [(_number, data, problem)] = list(jsonl_rows([line]))
        assert data is None and "twice" in problem, problem


# -- rows read at once into columns; distinct inputs ---------------------------------------------
_RAW_KEYS = st.sampled_from(["id", "name", "district", "entity_type", "industries", "recognitions",
                             "as_of", "credit_code", "moves", "expenses", "x"])
_RAW_VALUES = st.sampled_from([
    b'"E-1"', b'" E-1 "', b'"a\\": b"', b'"\\u00e9"', b'"\\ud83d\\ude00"', b'"\\ud800"', b'"x\\u0000"',
    b'1', b'-0', b'1.0', b'1e3', b'null', b'true', b'[]', b'["s", "t"]', b'["\\u001f"]', b'[null]',
    '"中"'.encode(), b'"caf\xe9"', b'"\xed\xa0\x80"', b'"a\tb"', b'"\\t"', b'"a\rb"', b'{}',
    b'[{"tier": "x", "date": "2023-01-01"}]', b'[{"tier": "x"}]', b'[{"tier": 1, "date": "d"}]',
    b'[{"tier": "x", "date": "d", "y": 1}]', b'[{"from": "a", "to": "b", "date": "d"}]',
    b'[{"id": "x", "category": "c", "amount": 5, "year": 2024}]', b'99999999999999999999'])


@st.composite
def raw_lines(draw: st.DrawFn) -> bytes:
    """Lines of the record's own keys mostly, with values of every JSON kind, and some bytes a
    JSON line must not hold."""
    pairs = draw(st.lists(st.tuples(_RAW_KEYS, _RAW_VALUES, _SPACE, _SPACE), max_size=6))
    body = b",".join(s1.encode() + b'"' + key.encode() + b'":' + s2.encode() + value
                     for key, value, s1, s2 in pairs)
    return b"{" + body + b"}" + draw(st.sampled_from([b"", b"\r", b" ", b"{}", b"\x0c"]))


def _without_nulls(value: Any) -> Any:
    """A value as the exact road reads it when its JSON holds no null: a null in Arrow's columns
    is a key not given."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return [_without_nulls(v) for v in value] if isinstance(value, list) else value


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(raw_lines(), json_lines()), min_size=1, max_size=6))
@example([b'{"recognitions":[{"tier": "x"}]}', b'{"id":"caf\xe9"}', b'{"id":"a\tb"}',
          b'{"id":"\xed\xa0\x80"}', b'{"id":"a"}{"id":"b"}', b'{"id":"a","id":"b"}'])
def test_lines_read_at_once_hold_what_the_exact_road_reads(lines: list):
    """Arrow reads a line (in a block of them) only as the exact road does: each value as the
    exact parser reads it (a key not given, at any depth, reads as null), and never a line the
    exact road refuses or reads otherwise."""
    from formats.tables import jsonl_rows, raw_schema, read_at_once

    table, kept = read_at_once(lines)
    rows = table.to_pylist() if table is not None else []
    for place, index in enumerate(kept):
        [(_number, data, problem)] = list(jsonl_rows([lines[index]]))
        assert problem is None and set(data) <= set(raw_schema().names), (lines[index], problem)
        assert _without_nulls(rows[place]) == data


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(raw_lines(), json_lines(), st.sampled_from([
    b"\xef\xbb\xbf{}", "{\"id\": \"中\"}".encode(), b'{"id": "\\uD800"}', b'{"a": null}', b"{}\r",
    b'{"id": "a\rb"}', b'{"id": "\x1f"}'])), min_size=1, max_size=6))
def test_a_block_that_may_hold_a_line_arrow_must_not_read_is_searched(lines: list):
    """`_suspect` is the quick test before `_NOT_AT_ONCE`'s search: whenever the expression would
    find something, it says so (a BOM at a line's start, a null, a surrogate escape, a control
    character, a carriage return inside a line)."""
    from formats.tables import _NOT_AT_ONCE, _suspect

    data = b"\n".join(lines)
    if _NOT_AT_ONCE.search(data):
        assert _suspect(data), data


def test_lines_read_at_once_leave_no_garbage_cycle():
    """Reading a block (some of its lines refused, so that parts are halved) leaves nothing for
    the cycle collector: a cycle held each block's lines and tables until a full collection, and
    the parent's memory grew with the rows (benchmarks/batch_bench.py)."""
    import gc

    from formats.tables import read_at_once

    lines = [b'{"id": "E-%d"}' % i for i in range(8)] + [b'{"id": "a"}{"id": "b"}', b'{"id": 1.5}']
    read_at_once(lines)  # (Arrow's modules imported)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        table, kept = read_at_once(lines)
        del table
        assert kept == list(range(8)) and gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("good", [1, 300])  # (a small file row by row; a larger one at once)
def test_a_first_line_too_long_is_an_error_row(tmp_path: Path, good: int):
    """A JSON Lines file whose first line is past the bound: an error row (it was dropped as
    blank, its row lost), whatever road the others take."""
    from tests.hostile import long_line

    source = tmp_path / "in.jsonl"
    source.write_text(long_line() + "\n" + "".join(
        json.dumps({"id": f"E{n}", "district": "haidian"}) + "\n" for n in range(good)))
    result = invoke("batch", source, "--out", tmp_path / "out.csv")
    assert counts_of(result) == (good + 1, good, 1)
    with (tmp_path / "out.errors.csv").open(encoding="utf-8") as handle:
        [error] = list(csv.DictReader(handle))
    assert error["row"] == "1" and "at most 4,000,000" in error["message"], error


_ABSENT = object()
_TEXTS = st.sampled_from(["E-1", " E-1 ", "", "  ", "a\x1b[31m", "x" * 200, "x" * 201, 5, None,
                          "\u3000E", "E\u200d", "企业一号", " _ ", "a,b", 'q"q'])
_TAGS = st.sampled_from(["software", "hydrogen_energy", "氢能", "Hydrogen Energy", " _ ", "", "-",
                         "  ", 5, None, "a\x00", "x" * 201, "外贸", "hydrogen", "a\x1fb"])
_TIERS = st.sampled_from(["innovative", "municipal", "national", "privileged", "小巨人",
                          " Municipal ", "bogus", None, 5])
_ROW_DAYS = st.sampled_from(["2023-06-30", "2023/06/30", "20230630", "2023年6月30日", "2024-01-05",
                             "2022-01-01", "2021-12-31", "1900-01-01", "2023-02-30", None, 20230630,
                             "2023-06-30 ", "３０２３-01-01", dt.date(2024, 1, 5)])


def _maybe(strategy: Any, absent_weight: int = 1) -> Any:
    return st.one_of(*[st.just(_ABSENT)] * absent_weight, strategy)


@st.composite
def nearly_plain_rows(draw: st.DrawFn) -> dict:
    """Rows a batch reads, mostly of a few distinct inputs, some with what a key must leave to
    the row road (a spelling, a value refused, a key unknown, a recognition given twice)."""
    plain = draw(st.booleans())
    fields = {
        "id": st.sampled_from(["E-1", "E-2", " E-3 "]) if plain else _TEXTS,
        "name": _maybe(st.sampled_from(["企业", " n ", "", "a,b"]) if plain else _TEXTS),
        "credit_code": _maybe(st.sampled_from(["91110000600037341L", "91110000600037341B",
                                               " 9111 0000 6000 3734 1L "]), 3),
        "entity_type": _maybe(st.sampled_from(["enterprise", "private_non_enterprise"]) if plain
                              else st.sampled_from(["enterprise", " Enterprise ", "bogus", None, 3])),
        "district": st.sampled_from(["haidian", "daxing", "outside_beijing"]) if plain
        else _maybe(st.sampled_from(["haidian", "海淀", "Haidian District", "nowhere", None, 1])),
        "industries": _maybe(st.lists(st.sampled_from(["software", "foreign_trade", "hydrogen"]),
                                      max_size=3) if plain
                             else st.one_of(st.lists(_TAGS, max_size=3),
                                            st.sampled_from(["氢能, 外贸", 7]))),
        "recognitions": _maybe(st.lists(st.fixed_dictionaries(
            {"tier": st.sampled_from(["innovative", "municipal", "national"]) if plain else _TIERS,
             "date": st.sampled_from(["2023-06-30", "2024-01-05"]) if plain else _ROW_DAYS}),
            max_size=3)),
        "as_of": _maybe(st.sampled_from(["2026-11-24", None]) if plain
                        else st.sampled_from(["2026-11-24", None, "3000-01-01", "bad", 5])),
    }
    for key in ("moves", "rewards_received", "qualifications", "expenses", "listings", "patents"):
        fields[key] = _maybe(st.just([]) if plain else st.sampled_from(
            [[], [{"board": "beijing_stock_exchange", "year": 2024}], {}, None]), 3)
    row = {key: value for key, value in ((k, draw(s)) for k, s in fields.items()) if value is not _ABSENT}
    if not plain and draw(st.booleans()):  # a key the validator names, or another spelling
        row[draw(st.sampled_from(["bogus", "District", "ID"]))] = draw(_TEXTS)
    if not plain and row.get("recognitions") and draw(st.booleans()):
        row["recognitions"].append(dict(row["recognitions"][0]))  # given twice
    return row


def _block_outputs(rows: list, at_once: bool, as_lines: bool, monkeypatch) -> tuple:
    """A block of rows through the batch's steps (read, keyed, distinct inputs evaluated, lines
    assembled), in this process: its output lines, error lines and summary."""
    import formats.batch
    from formats.batch import (Distinct, _Job, _evaluate_items, _worker_init, block_texts,
                               encode_line)
    from formats.lines import LineEncoder
    from solver.batch import (ERROR_COLUMNS, ROW_OWN_COLUMNS, BatchOptions, RowContext, Summary,
                              result_columns)
    from solver.memo import clear
    from views.notices import notices_text

    clear()
    monkeypatch.setattr(formats.batch, "AT_ONCE", 1 if at_once else 10**9)
    catalog = load_catalog()
    options = BatchOptions(readings=catalog.resolve_readings({}), today=dt.date(2026, 11, 25))
    job = _Job(options, ".csv", result_columns(catalog, options), ".csv", words=notices_text)
    _worker_init(job, worker=False)
    payloads = [(n, json.dumps(row, default=str, ensure_ascii=False).encode() if as_lines else row,
                 None) for n, row in enumerate(rows, 2)]
    distinct = Distinct(RowContext(options, catalog, notices_text))
    block = distinct.plan(payloads)
    outcomes = _evaluate_items(block.items)
    distinct.outcomes(block, outcomes)
    summary = Summary()
    out, errors, ok, bad = block_texts(block, outcomes, distinct, LineEncoder(
        ".csv", job.columns, ROW_OWN_COLUMNS, encode_line), job, summary)
    assert ok + bad == block.rows == len(rows)
    return out, errors, summary.report()


def test_a_distinct_input_s_key_holds_the_options_dates(tmp_path: Path):
    """Two rows alike but for a recognition the day before and the day after the move date (no
    breakpoint of the catalog between those days): a move brings the first 100,000 and the second
    200,000 (a recognition after the move counts for the new district). Read at once and keyed,
    each row gets its own answer: the options' dates are points of every distinct input's key
    (`solver.batch._dates_in`), as a single `best-district` gives."""
    first = {"id": "E-A", "district": "dongcheng", "as_of": "2026-11-25",
             "recognitions": [{"tier": "innovative", "date": "2021-12-11"},
                              {"tier": "municipal", "date": "2026-12-14"}]}
    second = {**first, "id": "E-B", "recognitions": [first["recognitions"][0],
                                                     {"tier": "municipal", "date": "2026-12-16"}]}
    rows = [first, second] + [{**first, "id": f"F-{n}"} for n in range(200)]  # read at once
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = invoke("batch", source, "--out", tmp_path / "out.csv", "--best-district",
                    "--move-date", "2026-12-15")
    assert result.exit_code == 0, result.stderr
    out = {row["id"]: row for row in read_output(tmp_path / "out.csv")}
    for record in (first, second):
        ranking = best_district(parse_record(record), dt.date(2026, 12, 15))
        best = ranking.ranking[0]
        assert out[record["id"]]["best_district"] == best.district, (record["id"], out[record["id"]])
    assert out["E-A"]["best_district"] != out["E-B"]["best_district"]


@settings(max_examples=60, deadline=None)
@given(st.lists(nearly_plain_rows(), min_size=1, max_size=12), st.booleans())
def test_rows_of_a_distinct_input_get_what_the_row_road_gives(rows: list, as_lines: bool):
    """Read at once, keyed and evaluated once per distinct input (its rows given its answer's
    cells, their own checked by the record's types), or each row on its own road: the same
    lines, error lines and summary, byte for byte."""
    with pytest.MonkeyPatch.context() as patch:
        assert _block_outputs(rows, True, as_lines, patch) == \
            _block_outputs(rows, False, as_lines, patch)


def _first_uses(rows: list) -> list:
    """The duplicate problems of rows (number, id, credit code) as one plain dict finds them: a
    row's id, then (when the id is new) its credit code, remembered with the first row to use it."""
    from models.i18n import t

    seen: dict = {}
    found = []
    for number, ident, code in rows:
        problem = None
        for key, value in (("id", ident), ("credit_code", code)):
            if value is not None and (key, value) in seen:
                problem = key, t(f"row.duplicate_{key}", value=value, row=seen[key, value])
                break
            if value is not None:
                seen[key, value] = number
        found.append(problem)
    return found


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3", "credit_code:C1", "e1", "E1 ", "\ud800", None]),
                          st.sampled_from(["C1", "C2", "E1", None])), max_size=40),
       st.lists(st.integers(1, 9), min_size=1, max_size=5), st.booleans())
def test_duplicates_are_those_a_plain_dict_finds(pairs: list, cuts: list, clash: bool):
    """Ids and credit codes kept compact (`formats.batch.Seen`: a few as they are, the others as
    hashes in sorted arrays) find what a dict of every value finds, block after block, whatever
    the blocks; even when every value has one first hash (`clash`)."""
    import formats.batch
    from formats.batch import Seen

    rows = [(number, ident, code) for number, (ident, code) in enumerate(pairs, 2)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats.batch, "MOST_RECENT", 3)  # (compacted every few values)
        if clash:
            real = formats.batch._hashes
            patch.setattr(formats.batch, "_hashes", lambda values: (0 * real(values)[0], real(values)[1]))
        seen, found, start = Seen(), [], 0
        for cut in cuts * 10:
            block = rows[start:start + cut]
            found += seen.problems(*(list(column) for column in zip(*block))) if block else []
            start += cut
        assert found == _first_uses(rows[:start])


def test_each_distinct_input_is_evaluated_once_with_two_workers(tmp_path: Path, monkeypatch):
    """Workers receive distinct inputs, never rows another worker has: 3,000 rows of 12 distinct
    inputs (a duplicate id and a bad row besides) evaluate 14 items in all, in blocks of 290 rows
    whose last has 100, fewer than AT_ONCE (block sizes follow the machine's speed: under load
    such a last block was read row by row, and its 100 rows evaluated again)."""
    import formats.batch

    monkeypatch.setattr(formats.batch, "FIRST_ROWS", 290)
    monkeypatch.setattr(formats.batch, "MOST_ROWS", 290)
    assert 3000 % 290 < formats.batch.AT_ONCE

    counted = tmp_path / "items.txt"
    real = formats.batch._evaluate_item

    def counting(worker, number, *rest):
        with counted.open("a") as handle:  # (appended by the forked workers)
            handle.write(f"{number}\n")
        return real(worker, number, *rest)
    monkeypatch.setattr(formats.batch, "_evaluate_item", counting)
    rows = [{"id": f"R{n}", "district": ("haidian", "dongcheng", "shunyi")[n % 3],
             "recognitions": [{"tier": ("municipal", "national")[n % 2],
                               "date": ("2023-06-30", "2024-03-01")[n % 4 // 2]}]}
            for n in range(3000)]
    rows[2000]["id"] = "R7"
    rows[2500]["district"] = "nowhere"
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = invoke("batch", source, "--out", tmp_path / "out.csv", "--jobs", 2)
    assert counts_of(result) == (3000, 2998, 2)
    evaluated = counted.read_text().split()
    assert len(evaluated) == len(set(evaluated)) == 14, evaluated


def test_a_summary_counts_each_row_once_over_many_blocks(tmp_path: Path, monkeypatch):
    """A distinct input's rows are counted block after block and added up once, times their
    number, when the sums are read (a checkpoint, the end): over 18 blocks of 40 rows with one
    reading at the end, the summary is each row's own contributions added one by one."""
    import formats.batch
    from solver.batch import BatchOptions, RowContext, RowResult, Summary, evaluate_row
    from views.notices import notices_text

    monkeypatch.setattr(formats.batch, "FIRST_ROWS", 40)
    monkeypatch.setattr(formats.batch, "MOST_ROWS", 40)
    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 10**9)
    rows = [{"id": f"R{n}", "district": ("haidian", "dongcheng", "xicheng")[n % 3],
             "recognitions": [{"tier": ("innovative", "municipal", "national")[n % 5 % 3],
                               "date": "2024-03-01"}]} for n in range(700)]
    options = BatchOptions(readings=load_catalog().resolve_readings({}), today=dt.date(2026, 11, 25))
    formats.batch.run_batch(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.csv", None,
                            options, summary_path=tmp_path / "summary.json", words=notices_text)
    expected, context = Summary(), RowContext(options, load_catalog(), notices_text)
    for number, row in enumerate(rows, 1):
        result = evaluate_row(number, row, None, context)
        assert isinstance(result, RowResult)
        expected.add(result.answer.summary)
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["rows_in"] == 700 and written["baseline"] == expected.report()["baseline"]
