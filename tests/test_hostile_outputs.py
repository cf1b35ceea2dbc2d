"""The hostile corpus of issue 20, outputs: nothing is written over an input (every command that
writes goes through the batch's guard, formats.safety), unwritable places and wrong extensions
are one clear error before any work, a chart's path is the path really written, text cells never
become formulas (XLSX text as text; `--excel` CSV neutralized as OWASP says; JSON Lines raw), a
resume refuses a changed catalog or a damaged checkpoint, and `sweep` keeps its word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import formats.batch
from cli import app
from formats.batch import CHECKPOINT_SUFFIX, run_batch
from views.notices import notices_text
from models.catalog import active_catalog, open_catalog
from solver.batch import BatchOptions
from tests import hostile
from tests.support import assert_input_error

runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def population(path: Path, rows: int = 20, bad: int = 0) -> Path:
    lines = [json.dumps(hostile.record(id=f"P-{n}")) for n in range(rows)]
    lines += [json.dumps(hostile.record(id=f"BAD-{n}", district="gotham")) for n in range(bad)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- nothing written over an input ------------------------------------------------------------------
@pytest.mark.parametrize("through", ["itself", "symlink"])
@pytest.mark.parametrize("command", [("timeline", "--format", "json"), ("timeline", "--format", "ics"),
                                     ("best-district", "--format", "json"),
                                     ("whatif", "move=shunyi@2027-01-01", "--format", "json")])
def test_a_record_command_never_writes_over_its_record(tmp_path: Path, command: tuple, through: str):
    """Before: `timeline --out` wrote over its own record (through a symlink too: it overwrote
    the bundled example) and exited 0."""
    record = write(tmp_path / "r.json", hostile.RECORD)
    before = record.read_bytes()
    target = record
    if through == "symlink":
        target = tmp_path / "link.json"
        target.symlink_to(record)
    name, *rest = command
    args = [name, record, *rest[:1]] if name == "whatif" else [name, record]
    args += [a for a in rest if not a.startswith("move=")]
    assert_input_error(invoke(*args, "--out", target), "--out", "overwrite the input")
    assert record.read_bytes() == before


@pytest.mark.parametrize("option", ["--out", "--ics"])
def test_worklist_never_writes_over_its_input(tmp_path: Path, option: str):
    source = population(tmp_path / "in.jsonl")
    link = tmp_path / ("link.csv" if option == "--out" else "link.ics")
    link.symlink_to(source)
    before = source.read_bytes()
    args = ["worklist", source, "--date", "2026-06-01", option, link]
    if option == "--out":
        link = tmp_path / "link.jsonl"
        link.symlink_to(source)
        args[-1] = link
    assert_input_error(invoke(*args), option, "overwrite the input")
    assert source.read_bytes() == before


def test_sweep_and_batch_never_write_over_their_input_or_the_catalog(tmp_path: Path):
    """Before: `sweep --out` wrote over its population and exited 0."""
    source = population(tmp_path / "in.csv")
    source.write_text("id,district\nA,daxing\n", encoding="utf-8")
    before = source.read_bytes()
    assert_input_error(invoke("sweep", source, "--reform", "daxing.tier.municipal.amount=1..3:1",
                              "--out", source), "--out", "overwrite the input")
    package = hostile.riverland_copy(tmp_path)
    summary = tmp_path / "summary.json"
    summary.symlink_to(package / "index.yaml")
    assert_input_error(invoke("batch", source, "--out", tmp_path / "o.csv", "--catalog", package,
                              "--summary", summary), "--summary", "overwrite the input")
    north = package / "north.yaml"
    guarded = north.with_suffix(".csv")
    guarded.symlink_to(north)
    assert_input_error(invoke("batch", source, "--out", guarded, "--catalog", package),
                       "--out", "overwrite the input")
    assert source.read_bytes() == before


# -- unwritable places, wrong extensions, the path really written -----------------------------------
@pytest.mark.parametrize("args", [
    ("batch", "{rows}", "--out", "/proc/zjtx-x.csv"),
    ("worklist", "{rows}", "--date", "2026-06-01", "--out", "/proc/zjtx-x.xlsx"),
    ("best-district", "{record}", "--format", "png", "--out", "/proc/zjtx-x.png"),
    ("template", "/proc/zjtx-x.xlsx"),
    ("measures", "export", "/proc/zjtx-x"),
    ("best-district", "{record}", "--format", "png", "--out", "{tmp}/chart.yaml"),
    ("timeline", "{record}", "--format", "json", "--out", "/proc/zjtx-x.json"),
], ids=["batch", "worklist", "best-district", "template", "export", "png-as-yaml", "timeline"])
def test_an_output_that_cannot_be_written_is_one_clear_error(tmp_path: Path, args: tuple):
    """Before: a traceback for each (root may pass the permission bits of /proc: the guard tries)."""
    names = {"rows": population(tmp_path / "in.jsonl"), "record": write(tmp_path / "r.json", hostile.RECORD),
             "tmp": tmp_path}
    result = invoke(*(a.format(**names) for a in args))
    assert_input_error(result)
    assert not (tmp_path / "chart.yaml").exists()


def test_a_chart_without_an_extension_says_the_path_it_wrote(tmp_path: Path):
    record = write(tmp_path / "r.json", hostile.RECORD)
    result = invoke("best-district", record, "--format", "png", "--out", tmp_path / "noext")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "noext.png").is_file() and not (tmp_path / "noext").exists()
    assert str(tmp_path / "noext.png") in result.stdout


def test_a_default_chart_name_stays_in_the_current_folder(tmp_path: Path, monkeypatch):
    """An id is not a path: `../../x` names a file here, never two folders up."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep").mkdir()
    record = write(tmp_path / "r.json", hostile.record(id="../../x"))
    monkeypatch.chdir(tmp_path / "deep")
    result = invoke("best-district", record, "--format", "png")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["_.._x-best-district.png"]


# -- formula injection ------------------------------------------------------------------------------
def _injected(path: Path) -> Path:
    lines = [hostile.record(id=hostile.FORMULA, name='=HYPERLINK("http://x.invalid","open")'),
             hostile.record(id="@SUM(1+1)", name="-2+3"),
             hostile.record(id="+bad", district="gotham")]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.slow  # (a pool and the session's Dask cluster)
def test_batch_writes_every_text_cell_as_text(tmp_path: Path, dask_scheduler: str):
    """Before: names like `=cmd|' /C calc'!A0` or `=HYPERLINK(...)` were live formulas in the XLSX
    output. XLSX: text cells; CSV for Excel (`--excel`): = + - @ led by an apostrophe (OWASP);
    plain CSV and JSON Lines raw. The same on every engine."""
    from openpyxl import load_workbook

    source = _injected(tmp_path / "in.jsonl")
    outputs = {}
    for name, engine in (("local", ()), ("pool", ("--jobs", 2)),
                         ("dask", ("--engine", "dask", "--scheduler", dask_scheduler))):
        for kind, extra in ((".csv", ("--excel",)), (".xlsx", ()), (".jsonl", ())):
            out = tmp_path / f"{name}{kind}"
            result = invoke("batch", source, "--out", out, "--errors", tmp_path / f"{name}{kind}.errors.csv",
                            *extra, *engine)
            assert result.exit_code == 1, result.output[-500:]
            outputs[(name, kind)] = out.read_bytes()
    for kind in (".csv", ".xlsx", ".jsonl"):
        assert outputs[("local", kind)] == outputs[("pool", kind)] == outputs[("dask", kind)]
    text = outputs[("local", ".csv")].decode("utf-8-sig").splitlines()
    assert text[1].startswith("'=cmd|' /C calc'!A0,\"'=HYPERLINK(") and text[2].startswith("'@SUM(1+1),'-2+3,")
    errors = (tmp_path / "local.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert "\n3,'+bad," in errors
    sheet = load_workbook(tmp_path / "local.xlsx").active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row[:2]]
    assert [c.value for c in cells] == [hostile.FORMULA, '=HYPERLINK("http://x.invalid","open")',
                                        "@SUM(1+1)", "-2+3"]
    assert {c.data_type for c in cells} == {"s"}
    rows = [json.loads(line) for line in outputs[("local", ".jsonl")].splitlines()]
    assert rows[0]["id"] == hostile.FORMULA  # JSON Lines raw


def test_worklist_writes_text_as_text(tmp_path: Path):
    from openpyxl import load_workbook

    source = _injected(tmp_path / "in.jsonl")
    for out, extra in ((tmp_path / "w.xlsx", ()), (tmp_path / "w.csv", ("--excel",))):
        result = invoke("worklist", source, "--date", "2026-06-01", "--out", out, *extra)
        assert result.exit_code == 1, result.output[-500:]
    cells = [c for row in load_workbook(tmp_path / "w.xlsx").active.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "@"))]
    assert cells and {c.data_type for c in cells} == {"s"}
    assert "'=cmd" in (tmp_path / "w.csv").read_text(encoding="utf-8-sig")


# -- resume ---------------------------------------------------------------------------------------------
class Stop(Exception):
    pass


def _interrupted(folder: Path, monkeypatch, catalog: Path | None = None) -> tuple[Path, Path]:
    source, out = population(folder / "in.jsonl", 600), folder / "out.csv"
    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0)

    def stop(counts) -> None:
        if counts.rows_in >= 300:
            raise Stop
    options = BatchOptions(readings=open_catalog(catalog).resolve_readings({}),
                           catalog=str(catalog.resolve()) if catalog else None)
    with pytest.raises(Stop):
        run_batch(source, out, None, options, on_progress=stop, words=notices_text)
    monkeypatch.undo()
    return source, out


def test_resume_refuses_a_catalog_whose_content_changed(tmp_path: Path, monkeypatch):
    """Before: the checkpoint held the `--catalog` path, not its content: a resume after an edit
    mixed old and new amounts in one output."""
    package = hostile.riverland_copy(tmp_path)
    source, out = _interrupted(tmp_path, monkeypatch, package)
    north = package / "north.yaml"
    north.write_text(north.read_text(encoding="utf-8").replace("{fixed: 50000}", "{fixed: 60000}"),
                     encoding="utf-8")
    open_catalog.__globals__["_load_catalog"].cache_clear()  # (a new process would read it anew)
    assert_input_error(invoke("batch", source, "--out", out, "--resume", "--catalog", package),
                       "--resume", "other options")


def test_an_interrupted_batch_leaves_the_callers_catalog_active(tmp_path: Path, monkeypatch):
    """Before: a batch run in-process (a test, an embedder) that stopped left its `--catalog`
    active, and every later record of the process was read against Riverland's districts."""
    shipped = active_catalog()
    _interrupted(tmp_path, monkeypatch, hostile.riverland_copy(tmp_path))
    assert active_catalog() is shipped


@pytest.mark.parametrize("damage", [b"", b"[]", b"{\"input\": ", b"{\"input\": 1}", b"null"])
def test_resume_refuses_a_damaged_checkpoint(tmp_path: Path, monkeypatch, damage: bytes):
    """Before: a truncated checkpoint was a JSONDecodeError traceback, `[]` an AttributeError."""
    source, out = _interrupted(tmp_path, monkeypatch)
    checkpoint = out.with_name(out.name + CHECKPOINT_SUFFIX)
    whole = checkpoint.read_bytes()
    checkpoint.write_bytes(damage or whole[:len(whole) // 2])
    assert_input_error(invoke("batch", source, "--out", out, "--resume"), "--resume",
                       "checkpoint is damaged")


@pytest.mark.parametrize("field, value", [("rows_in", -1), ("last_row", "5"), ("last_row", True),
                                          ("error_rows", 1.5)])
def test_resume_refuses_a_checkpoint_with_a_count_of_the_wrong_kind(tmp_path: Path, monkeypatch,
                                                                     field: str, value):
    """A count below 0, a count written as text, a boolean or a fraction: damaged, not resumed
    from (strict types: JSON's `true` is not 1, `"5"` is not 5)."""
    source, out = _interrupted(tmp_path, monkeypatch)
    checkpoint = out.with_name(out.name + CHECKPOINT_SUFFIX)
    state = json.loads(checkpoint.read_text(encoding="utf-8"))
    checkpoint.write_text(json.dumps({**state, field: value}), encoding="utf-8")
    assert_input_error(invoke("batch", source, "--out", out, "--resume"), "--resume",
                       "checkpoint is damaged")


_PART = {"by_district": {}, "by_measure": {}, "by_year": {}, "by_district_year": {}, "enterprises": {}}


@pytest.mark.parametrize("summary", [{"baseline": 5}, {"baseline": {"total": [1, 2, 3]}},
                                     {"baseline": {**_PART, "total": [5]}},
                                     {"baseline": {**_PART, "total": []}},
                                     {"baseline": {**_PART, "total": [1, 2, 3, 4]}}])
def test_resume_refuses_a_checkpoint_whose_summary_is_not_one(tmp_path: Path, monkeypatch,
                                                              summary: dict):
    """Before: a checkpoint right but for its summary resumed, and adding the first block's sums
    to it failed as a bug in zjtx (exit 3); its type is checked whole now (`Checkpoint`)."""
    source, out = _interrupted(tmp_path, monkeypatch)
    checkpoint = out.with_name(out.name + CHECKPOINT_SUFFIX)
    state = json.loads(checkpoint.read_text(encoding="utf-8"))
    checkpoint.write_text(json.dumps({**state, "summary": summary}), encoding="utf-8")
    assert_input_error(invoke("batch", source, "--out", out, "--resume"), "--resume",
                       "checkpoint is damaged")


# -- sweep ----------------------------------------------------------------------------------------
def test_sweep_exits_1_when_rows_failed_and_keeps_to_200_points(tmp_path: Path):
    """Before: exit 0 with failed rows, and 201 points accepted though `--help` says 200."""
    source = population(tmp_path / "in.jsonl", rows=3, bad=1)
    result = invoke("sweep", source, "--reform", "daxing.tier.municipal.amount=100000..300000:100000",
                    "--out", tmp_path / "s.csv")
    assert result.exit_code == 1, result.output[-500:]
    assert "errors 1" in result.stderr or "1 error" in result.stderr or "bad rows" in result.stderr
    assert (tmp_path / "s.csv").exists()
    assert_input_error(invoke("sweep", source, "--reform", "daxing.tier.municipal.amount=0..200:1",
                              "--out", tmp_path / "t.csv"), "--reform", "at most 200 points")
    assert invoke("sweep", population(tmp_path / "ok.jsonl", rows=2), "--reform",
                  "daxing.tier.municipal.amount=1..200:1", "--out", tmp_path / "u.csv").exit_code == 0
    assert_input_error(invoke("whatif", write(tmp_path / "r.json", hostile.RECORD), "--sweep",
                              "daxing.tier.municipal.amount=1.." + hostile.DIGITS), "--sweep")
