"""Review of issue 22's session 6: the parent's road for rows of distinct inputs read at once,
where the tests of impact runs (a few rows, read row by row) never reach it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.catalog import load_catalog
from tests.test_impact import invoke, write_jsonl

DISTRICTS = load_catalog().vocabulary.districts


def _population() -> list[dict]:
    """Plain tier records (no moves, expenses, …: each row keyed, read at once), every district,
    municipal and national, recognized on either side of the 2025 edition: some rows change
    between the two packages, most do not."""
    rows = []
    for n in range(320):
        tier = ("municipal", "national")[n % 2]
        day = ("2023-06-30", "2025-03-01", "2025-09-30", "2026-02-01")[n // 2 % 4]
        rows.append({"id": f"I-{n:04d}", "district": DISTRICTS[n // 8 % len(DISTRICTS)],
                     "as_of": "2026-11-24", "recognitions": [{"tier": tier, "date": day}]})
    return rows


@pytest.mark.parametrize("kind", [".csv", ".jsonl"])
def test_an_impact_over_rows_read_at_once_writes_only_the_changed_rows_as_row_by_row(
        tmp_path: Path, monkeypatch, kind: str):
    """`zjtx impact` between the 2022 and 2025 packages over 320 plain rows (read at once, keyed,
    one answer per distinct input): the rows written, the counts and the summary are byte for
    byte those of the same run read row by row (each row its own input), and some rows are
    unchanged (not written) in a block whose every row is of a distinct input. Kills:
    formats/batch.py `block_texts` taking its all-written shortcut with an unchanged row in the
    block (`"" not in tails` dropped: a line cut after the row's id, counted as a result)."""
    import formats.batch

    source = write_jsonl(tmp_path / "in.jsonl", _population())

    def run(name: str) -> tuple[bytes, bytes, str]:
        out, summary = tmp_path / f"{name}{kind}", tmp_path / f"{name}.json"
        result = invoke("impact", source, "--from", "beijing-2022", "--to", "beijing-2025",
                        "--out", out, "--summary", summary)
        assert result.exit_code == 0, (result.stderr, result.exception)
        return out.read_bytes(), summary.read_bytes(), result.stderr.splitlines()[-1]

    at_once = run("at-once")
    monkeypatch.setattr(formats.batch, "AT_ONCE", 10**6)
    monkeypatch.setattr(formats.batch, "FIRST_ROWS", 10**6)
    row_by_row = run("row-by-row")
    assert at_once[:2] == row_by_row[:2]
    found = json.loads(at_once[1])
    assert found["rows_in"] == 320 and 0 < found["changed"] < 320
    assert found["changed"] + found["unchanged"] == 320
    written = at_once[0].decode("utf-8").splitlines()
    assert len(written) == found["changed"] + (kind == ".csv")  # (a CSV's header)


def test_a_credit_code_written_again_in_other_case_and_spacing_is_a_duplicate_when_read_at_once(
        tmp_path: Path, monkeypatch):
    """200 plain rows read at once: a credit code used at line 151 and written again at line 181
    with spaces and a small letter is the same code (the exact road reads it so: `markers`), so
    line 181 is an error row naming line 151, as when every row is read row by row; the other
    rows are results. Kills: formats/batch.py `Distinct.plan` comparing the codes read at once
    as written (without `.upper()`, or without removing the spaces)."""
    import csv

    import formats.batch

    rows = [{"id": f"C-{n:03d}", "district": "dongcheng",
             "recognitions": [{"tier": "municipal", "date": "2024-03-01"}]} for n in range(200)]
    rows[150]["credit_code"] = "91110000600037341L"
    rows[180]["credit_code"] = " 9111 0000 6000 3734 1l"
    source = write_jsonl(tmp_path / "in.jsonl", rows)

    def run(name: str) -> tuple[bytes, list[list[str]]]:
        out, errors = tmp_path / f"{name}.csv", tmp_path / f"{name}.errors.csv"
        result = invoke("batch", source, "--out", out, "--errors", errors)
        assert result.exit_code == 1, (result.stderr, result.exception)
        with errors.open(encoding="utf-8", newline="") as handle:
            return out.read_bytes(), list(csv.reader(handle))

    at_once = run("at-once")
    monkeypatch.setattr(formats.batch, "AT_ONCE", 10**6)
    monkeypatch.setattr(formats.batch, "FIRST_ROWS", 10**6)
    assert run("row-by-row") == at_once
    header, *errors = at_once[1]
    [error] = errors
    row = dict(zip(header, error))
    assert (row["row"], row["id"], row["field"]) == ("181", "C-180", "credit_code")
    assert "91110000600037341L" in row["message"] and "151" in row["message"]
    assert at_once[0].count(b"\n") == 1 + 199  # (the header and every other row)


def test_best_district_totals_keep_the_cap_of_the_district_moved_out_of():
    """A Fengtai enterprise with two qualifications in 2026 (Fengtai's subsidy: up to 3 million
    each, 3 million per enterprise in all) moves on 2026-06-30; a national recognition on
    2026-09-01 is then paid by the district moved into. The fast totals (Fengtai's rules compiled
    once, each new district's own joined to them: `solver.planner._district_parts`) are those of
    evaluating each district whole: Daxing first, 1,000,000 (Daxing's national reward, claimed in
    2027) plus 0 to 3,000,000 (Fengtai's subsidy, paid by Fengtai in 2027, under its one cap);
    staying pays 0 to 3,000,000. Kills: solver/compile.py `joined` dropping the first part's caps
    (`caps={**second.caps}`: a KeyError for Fengtai's cap), which no property drew."""
    import datetime as dt

    from models.money import Money
    from models.record import parse_record
    from solver.planner import best_district, best_district_totals

    catalog = load_catalog()
    record = parse_record({
        "id": "FT-1", "district": "fengtai", "as_of": "2026-11-24", "industries": ["hydrogen_energy"],
        "recognitions": [{"tier": "municipal", "date": "2022-05-10"},
                         {"tier": "national", "date": "2026-09-01"}],
        "qualifications": [{"kind": "key_lab_municipal", "date": "2026-03-01"},
                           {"kind": "tech_center", "date": "2026-04-01"}]})
    day, today, readings = dt.date(2026, 6, 30), dt.date(2026, 11, 24), catalog.resolve_readings({})
    whole = best_district(record, day, 2, readings, catalog=catalog, today=today, split=False)
    fast, stay = best_district_totals(record, day, 2, readings, catalog=catalog, today=today)
    assert fast == [(o.district, o.total) for o in whole.ranking] and stay == whole.stay
    assert fast[0] == ("daxing", Money(1_000_000, 4_000_000))
    assert stay == Money(0, 3_000_000)
    assert sorted((a.measure, a.paid_by, a.claim_year) for a in whole.ranking[0].awards) == [
        ("daxing.tier", "daxing", 2027), ("fengtai.qualification", "fengtai", 2027)]
