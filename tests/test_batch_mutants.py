"""The batch road's surviving mutants of issue 22's review, each killed by a case that states what
is paid, by whom and when (or written where): the run's date is a point of a distinct input's key
(the default move date of `--best-district` is today); an impact summary keeps a cell whose
minimum alone changed; JSON Lines results are appended in place, not spooled; a Parquet result
under `--lang zh` keeps the field names, as the README says, beside the CSV's Chinese headers."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.population import population
from models.catalog import load_catalog, using_catalog
from models.errors import RecordError
from models.record import parse_record
from solver.batch import BatchOptions
from solver.evaluate import compute_amounts
from solver.planner import best_district
from tests.strategies import records
from tests.test_impact import invoke, read_jsonl, write_jsonl
from views.notices import notices_text

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models" / "catalog"


# -- the run's date in a distinct input's key ------------------------------------------------------

def test_a_distinct_input_s_key_holds_the_run_s_date(tmp_path: Path):
    """Two Dongcheng rows without `as_of`, alike but for a municipal recognition the day before
    and the day after the run's date: `--best-district` without `--move-date` moves on the run's
    date, so the first (recognized in Dongcheng before the move) and the second (recognized after
    the move, paid by the district moved into) get different best districts. Read at once and
    keyed, each row gets what a single `best-district` gives that day. The run's date is the
    clock's, as on the command line (`BatchOptions.today` set would put it among the options'
    dates). Kills: formats/batch.py `points(context.catalog, (today, *context.dates))` without
    `today` (the two rows one distinct input, the second given the first's answer) — on any day
    whose neighbours are in its year with no date of the catalog between them."""
    from formats.batch import run_batch

    today = dt.date.today()
    before, after = (dt.date.fromordinal(today.toordinal() + step).isoformat() for step in (-1, 1))
    first = {"id": "E-A", "district": "dongcheng",
             "recognitions": [{"tier": "innovative", "date": "2020-12-11"},
                              {"tier": "municipal", "date": before}]}
    second = {**first, "id": "E-B", "recognitions": [first["recognitions"][0],
                                                     {"tier": "municipal", "date": after}]}
    rows = [first, second] + [{**first, "id": f"F-{n}"} for n in range(200)]  # read at once
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    catalog = load_catalog()
    options = BatchOptions(readings=catalog.resolve_readings({}), best_district=True)
    out = tmp_path / "out.jsonl"
    counts = run_batch(source, out, None, options, words=notices_text)
    if dt.date.today() != today:  # (run across midnight: the rows were moved on another day)
        pytest.skip("the day changed while the batch ran")
    assert (counts.rows_in, counts.rows_out, counts.error_rows) == (202, 202, 0)
    found = {row["id"]: row for row in read_jsonl(out)}
    expected = {}
    for record in (first, second):
        ranking = best_district(parse_record(record), None, catalog=catalog, today=today)
        assert ranking.move_date == today
        best = ranking.ranking[0]
        expected[record["id"]] = best.district
        row = found[record["id"]]
        assert (row["best_district"], row["best_total_min"], row["best_total_max"],
                row["best_delta_max"]) == (best.district, best.total.min, best.total.max,
                                           best.delta_max), record["id"]
    assert expected["E-A"] != expected["E-B"]
    assert all(found[f"F-{n}"]["best_district"] == expected["E-A"] for n in range(200))


@settings(max_examples=40, deadline=None)
@given(records(), st.sampled_from([dt.date(2021, 6, 30), dt.date(2023, 1, 1), dt.date(2025, 12, 31)]),
       st.sampled_from([dt.date(2024, 3, 15), dt.date(2026, 11, 25), dt.date(2029, 1, 1)]))
def test_the_amounts_a_memo_keeps_do_not_depend_on_the_run_s_date(data: dict, one: dt.date,
                                                                     other: dt.date):
    """Why `answer_key`'s point for today is not needed today (its mutant `points(catalog, ())`
    survives, equivalent): the amounts memo keeps (measure, payer, claim year, amount), and the
    compiler reads the run's date only as a record's default `as_of`, for each award's
    `projected` flag (a status), never for an amount, a payer or a claim year. Should an amount
    ever depend on the run's date, this fails, and the key must hold the date again."""
    data.pop("as_of", None)  # the run's date stands in for it
    catalog = load_catalog()
    try:
        with using_catalog(catalog):
            record = parse_record(data, source="generated")
    except RecordError:
        return
    readings = catalog.resolve_readings({})
    assert compute_amounts(record, readings, catalog=catalog, today=one) == \
        compute_amounts(record, readings, catalog=catalog, today=other)


# -- an impact where only a minimum changes --------------------------------------------------------

PINGGU_2025 = """\
# TEST DATA, NOT POLICY: Pinggu's national reward fixed at 500,000 from 2025 (the brochure: "not
# more than RMB 500,000"), so that an impact changes a minimum and not a maximum.
edition:
  in_force_from: 2025-01-01
  closes: [pinggu.tier]
text: source.txt
sources:
  - {key: test, document: "Test document", contact: "Test office", tel: "000", image: none}
brochure_section: "test"
brochure_items: [9]
payer: pinggu
measures:
  - id: pinggu.tier.2025
    title: Pinggu tier rewards (test data)
    names: {zh: 平谷区梯度奖励（测试）, en: Pinggu tier rewards (test data)}
    brochure_item: 9
    clause: "An incentive of RMB 500,000 will be granted to those recognized as national little giants."
    rules:
      - id: pinggu.tier.2025
        measure: pinggu.tier
        kind: tier_reward
        quote: "An incentive of RMB 500,000 will be granted"
        difference: always
        r1_group: pinggu.tier
        levels:
          municipal: {fixed: 100000}
          national: {fixed: 500000}
"""


def test_an_impact_where_only_the_minimum_changes(tmp_path: Path):
    """Pinggu's national reward goes from "not more than 500,000" ([0, 500,000]) to a fixed
    500,000: a national little giant recognized in Pinggu on 2025-06-01 gains 500,000 at the
    least and nothing at the most, paid by Pinggu in 2026. The summary shows that change in every
    table (total, paying district, claim year, both, measure) and the row says `gain`; a Haidian
    little giant is counted unchanged. Kills: formats/impact.py:117 `change["min"] or
    change["max"]` → `and` (a cell whose minimum alone changed dropped from every table)."""
    package = tmp_path / "package"
    package.mkdir()
    (package / "index.yaml").write_text(f"extends: {SHIPPED}\n", encoding="utf-8")
    (package / "source.txt").write_text(
        "An incentive of RMB 500,000 will be granted to those recognized as national little giants.\n",
        encoding="utf-8")
    (package / "pinggu-2025.yaml").write_text(PINGGU_2025, encoding="utf-8")
    national = [{"tier": "national", "date": "2025-06-01"}]
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "PG-1", "district": "pinggu", "as_of": "2026-11-24", "recognitions": national},
        {"id": "HD-1", "district": "haidian", "as_of": "2026-11-24", "recognitions": national}])
    out, summary = tmp_path / "impact.jsonl", tmp_path / "impact.json"
    result = invoke("impact", source, "--from", "beijing-2022", "--to", package, "--out", out,
                    "--summary", summary)
    assert result.exit_code == 0, (result.stderr, result.exception)
    [row] = read_jsonl(out)
    assert (row["id"], row["from_total_min"], row["from_total_max"], row["to_total_min"],
            row["to_total_max"], row["delta_min"], row["delta_max"], row["direction"]) == \
        ("PG-1", 0, 500_000, 500_000, 500_000, 500_000, 0, "gain")
    [cause] = json.loads(row["causes"])
    assert (cause["measure"], cause["paid_by"], cause["claim_year"], cause["before"]["min"],
            cause["after"]["min"]) == ("pinggu.tier", "pinggu", 2026, 0, 500_000)
    found = json.loads(summary.read_text(encoding="utf-8"))
    assert (found["rows_in"], found["changed"], found["unchanged"], found["error_rows"]) == (2, 1, 1, 0)
    cell = {"from": {"min": 0, "max": 500_000, "open_above": False},
            "to": {"min": 500_000, "max": 500_000, "open_above": False},
            "change": {"min": 500_000, "max": 0, "open_above": False}}
    assert found["total"] == cell
    assert found["by_paying_district"] == {"pinggu": cell}
    assert found["by_claim_year"] == {"2026": cell}
    assert found["by_paying_district_and_claim_year"] == {"pinggu": {"2026": cell}}
    assert found["by_measure"] == {"pinggu.tier": cell}


# -- JSON Lines results appended in place ----------------------------------------------------------

class _Stop(Exception):
    pass


def test_json_lines_results_are_appended_in_place_as_the_run_goes(tmp_path: Path, monkeypatch):
    """A JSON Lines result is written as CSV is: appended to `OUT.zjtx-partial` as the run goes
    (the README: "Outputs are written beside their place"), never spooled and written again at
    the end. A run stopped after its first block holds, in that file, exactly the lines its
    checkpoint counts — the first result lines of a clean run, byte for byte — and no spool; the
    resumed run appends to the same file and renames it into place. Kills: formats/batch.py
    `_Output.direct` without ".jsonl" (the results spooled to `OUT.zjtx-spool.jsonl`)."""
    import formats.batch
    from formats.batch import CHECKPOINT_SUFFIX, PARTIAL_SUFFIX, SPOOL_SUFFIX, run_batch

    source = write_jsonl(tmp_path / "in.jsonl", list(population(400, seed=5)))
    options = BatchOptions(readings=load_catalog().resolve_readings({}))
    clean = tmp_path / "clean.jsonl"
    run_batch(source, clean, tmp_path / "clean.errors.csv", options, words=notices_text)
    clean_lines = clean.read_bytes().splitlines(keepends=True)
    assert len(clean_lines) > 256

    def stop_after_the_first_block(counts) -> None:
        if counts.rows_in >= 256:
            raise _Stop

    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 0)
    out = tmp_path / "out.jsonl"
    with pytest.raises(_Stop):
        run_batch(source, out, tmp_path / "out.errors.csv", options,
                  on_progress=stop_after_the_first_block, words=notices_text)
    partial = tmp_path / ("out.jsonl" + PARTIAL_SUFFIX)
    assert not out.exists() and not (tmp_path / ("out.jsonl" + SPOOL_SUFFIX)).exists()
    state = json.loads((tmp_path / ("out.jsonl" + CHECKPOINT_SUFFIX)).read_text(encoding="utf-8"))
    written = partial.read_bytes()
    assert state["out_file"]["path"] == str(partial.resolve())
    assert state["out_file"]["size"] == len(written)
    assert 0 < state["rows_out"] < len(clean_lines)
    assert written.splitlines(keepends=True) == clean_lines[:state["rows_out"]]
    inode = partial.stat().st_ino
    monkeypatch.undo()

    resumed = run_batch(source, out, tmp_path / "out.errors.csv", options, resume=True,
                        words=notices_text)
    assert resumed.resumed_at == state["rows_in"]
    assert out.read_bytes() == clean.read_bytes()
    assert out.stat().st_ino == inode  # the file appended to, renamed into place
    assert not partial.exists()


# -- a Parquet result under --lang zh --------------------------------------------------------------

def test_a_parquet_result_under_lang_zh_keeps_the_field_names_of_the_csv_s_chinese_headers(
        tmp_path: Path):
    """`zjtx batch --lang zh`: CSV and XLSX show the Chinese headers; Parquet (as JSON Lines) keeps
    the field names, column for column the CSV's, with the same values (the README: "CSV and XLSX
    headers in --lang zh|en"; `run_batch`: "JSONL and Parquet keep the field names"), and its
    warnings are written in Chinese as the CSV's are."""
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    from formats.columns import output_headers
    from solver.batch import result_columns

    source = write_jsonl(tmp_path / "in.jsonl", list(population(12, seed=4)) + [
        {"id": "NEAR-TAG", "district": "daxing", "industries": ["hydrogen"], "as_of": "2026-11-24",
         "recognitions": [{"tier": "municipal", "date": "2025-06-30"}]}])
    for kind in (".csv", ".xlsx", ".parquet"):
        result = invoke("batch", source, "--out", tmp_path / f"out{kind}", "--lang", "zh")
        assert result.exit_code == 0, (kind, result.stderr)
    columns = result_columns(load_catalog(), BatchOptions())
    chinese = output_headers(columns, "zh")
    assert "合计上限" in chinese and "total_max" not in chinese

    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        header, *csv_rows = list(csv.reader(handle))
    book = load_workbook(tmp_path / "out.xlsx", read_only=True)
    sheet_header = next(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    table = pq.read_table(tmp_path / "out.parquet")
    assert header == list(sheet_header) == chinese
    assert table.schema.names == columns

    parquet_rows = table.to_pylist()
    assert len(parquet_rows) == len(csv_rows) == 13
    for text_row, typed in zip(csv_rows, parquet_rows):
        for column, text in zip(columns, text_row):
            value = typed[column]
            shown = "" if value is None else ("是" if value else "否") if isinstance(value, bool) \
                else str(value)  # (a CSV in Chinese writes yes and no so; Parquet keeps a bool)
            assert shown == text, (typed["id"], column, value, text)
    near = next(row for row in parquet_rows if row["id"] == "NEAR-TAG")
    assert "hydrogen_energy" in near["warnings"]  # the tag it suggests, in a Chinese sentence
    assert any("\u4e00" <= ch <= "\u9fff" for ch in near["warnings"]), near["warnings"]


# -- duplicates kept as hashes ---------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["E1", "E2", "E3", "E4", "E5", "C1", "C2"]), max_size=30),
       st.integers(1, 4), st.integers(1, 3))
def test_first_rows_find_a_value_among_any_number_that_share_its_first_hash(
        values: list, recent: int, buckets: int):
    """`FirstRows` keeps older values as two hashes in arrays sorted by the first: a value is found
    among those of its first hash by the second, however many share it — two, three, all. (The
    review's property had every value share one first hash and compacted three at a time: runs of
    exactly two were never searched.) Kills: formats/batch.py:313 `right - left > 1` → `> 2`."""
    import formats.batch
    from formats.batch import FirstRows

    real = formats.batch._hashes
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats.batch, "MOST_RECENT", recent)
        patch.setattr(formats.batch, "_hashes", lambda found: (
            real(found)[0] % buckets, real(found)[1]))
        rows, first = FirstRows(), {}
        for number, value in enumerate(values, 2):
            assert rows.first([value], [number]) == [first.setdefault(value, number)], value


# -- a JSON Lines file with a byte-order mark ------------------------------------------------------

@pytest.mark.parametrize("rows", [3, 300])  # (a small file row by row; a larger one at once)
def test_a_byte_order_mark_is_read_before_the_first_line_only(tmp_path: Path, rows: int):
    """A JSON Lines file saved with a UTF-8 byte-order mark (as Windows Notepad saves it): its first
    line is a row like the others (Dongcheng pays 100,000 in 2024 for a first municipal
    recognition in 2023). A mark at the start of a later line (two files pasted together) is that
    row's error, as the row road (`formats.tables.jsonl_rows`, `/v1/batch`) says, never dropped
    silently. Kills: `number == 1` → `number == 2`, or `!=`, where the mark is read
    (`formats.tables.jsonl_rows`; formats/batch.py's `_jsonl_lines` held a second copy until
    main's a282508: the second row read as if the mark were not there)."""
    from formats.batch import run_batch

    first = {"id": "E-BOM", "district": "dongcheng", "as_of": "2026-11-24",
             "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}
    others = [{"id": f"E-{n}", "district": "haidian", "as_of": "2026-11-24"} for n in range(rows - 1)]
    lines = write_jsonl(tmp_path / "plain.jsonl", [first, *others]).read_bytes().splitlines(keepends=True)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + lines[0] + b"\xef\xbb\xbf" + b"".join(lines[1:]))
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.csv"
    counts = run_batch(source, out, errors, BatchOptions(readings=load_catalog().resolve_readings({})),
                       words=notices_text)
    assert (counts.rows_in, counts.rows_out, counts.error_rows) == (rows, rows - 1, 1)
    found = read_jsonl(out)
    assert [row["id"] for row in found] == [first["id"], *(r["id"] for r in others[1:])]
    assert (found[0]["total_min"], found[0]["total_max"], found[0]["dongcheng.tier.min"]) == \
        (100_000, 100_000, 100_000)
    assert counts.summary["baseline"]["by_paying_district_and_claim_year"]["dongcheng"]["2024"] == \
        {"min": 100_000, "max": 100_000, "open_above": False}
    from formats.tables import jsonl_rows

    [(number, data, problem)] = jsonl_rows([lines[1].rstrip(b"\n").join([b"\xef\xbb\xbf", b""])], 2)
    with errors.open(encoding="utf-8", newline="") as handle:
        [error] = list(csv.DictReader(handle))
    assert (error["row"], error["message"]) == ("2", problem) and data is None and number == 2


# -- a stopped run keeps its whole blocks ----------------------------------------------------------

def test_a_signal_between_blocks_saves_the_blocks_done_even_before_a_timed_checkpoint(
        tmp_path: Path, monkeypatch):
    """SIGTERM after the first block, before any timed checkpoint (they come about once a
    second): the run saves a checkpoint of the whole block on its way out, says how many rows are
    safe (`Interrupted.rows`), and `--resume` continues after them — no row evaluated twice, the
    same bytes and sums as a clean run. Kills: formats/batch.py `if self.last:` negated in
    `_Run.drive` (no checkpoint saved: the resume starts again from row 1), and `_Run.write`'s
    `time.monotonic() - self.last_checkpoint` → `+` (a checkpoint, with its fsync, every block)."""
    import signal

    import formats.batch
    from formats.batch import CHECKPOINT_SUFFIX, run_batch
    from formats.signals import Interrupted

    source = write_jsonl(tmp_path / "in.jsonl", list(population(400, seed=6)))
    options = BatchOptions(readings=load_catalog().resolve_readings({}))
    clean = tmp_path / "clean.csv"
    run_batch(source, clean, tmp_path / "clean.errors.csv", options,
              summary_path=tmp_path / "clean.json", words=notices_text)

    checkpoint = tmp_path / ("out.csv" + CHECKPOINT_SUFFIX)

    def sigterm_after_the_first_block(counts) -> None:
        if counts.rows_in >= 256:
            assert not checkpoint.exists()  # (none timed yet: the one found below is the stop's)
            raise Interrupted(signal.SIGTERM)

    monkeypatch.setattr(formats.batch, "CHECKPOINT_SECONDS", 3600.0)
    out, summary = tmp_path / "out.csv", tmp_path / "out.json"
    with pytest.raises(Interrupted) as stopped:
        run_batch(source, out, tmp_path / "out.errors.csv", options, summary_path=summary,
                  on_progress=sigterm_after_the_first_block, words=notices_text)
    monkeypatch.undo()
    state = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert stopped.value.rows == state["rows_in"] == state["last_row"] == 256
    assert state["rows_out"] + state["error_rows"] == 256

    evaluated: list[int] = []
    real = formats.batch._evaluate_item
    monkeypatch.setattr(formats.batch, "_evaluate_item",
                        lambda worker, number, *rest: evaluated.append(number) or real(worker, number, *rest))
    resumed = run_batch(source, out, tmp_path / "out.errors.csv", options, summary_path=summary,
                        resume=True, words=notices_text)
    assert resumed.resumed_at == 256 and min(evaluated) > 256
    assert out.read_bytes() == clean.read_bytes()
    assert json.loads(summary.read_text()) == json.loads((tmp_path / "clean.json").read_text())
