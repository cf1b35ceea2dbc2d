"""`--summary` also as a PNG: the fiscal cost by paying district and claim year, with the
open-above mark; the JSON's cross table adds up to the totals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from typer.testing import CliRunner

from benchmarks.population import population
from cli import app
from tests.support import assert_input_error

runner = CliRunner()


def test_summary_png_and_cross_table(tmp_path: Path):
    records = list(population(120, seed=1))
    records.append({"id": "L-1", "district": "daxing", "industries": ["hydrogen_energy"],
                    "recognitions": [{"tier": "municipal", "date": "2023-06-30"}],
                    "listings": [{"board": "a_share", "year": 2026}], "as_of": "2026-11-24"})
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, default=str) + "\n" for r in records), encoding="utf-8")
    args = ["batch", str(source), "--out", str(tmp_path / "out.csv"),
            "--summary", str(tmp_path / "s.json"), "--summary", str(tmp_path / "s.png")]
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.stderr
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["baseline"]
    cross = summary["by_paying_district_and_claim_year"]
    for bound in ("min", "max"):
        assert sum(c[bound] for cells in cross.values() for c in cells.values()) == summary["total"][bound]
        for district, cells in cross.items():
            assert sum(c[bound] for c in cells.values()) == summary["by_paying_district"][district][bound]
    # Daxing's listing support is "not less than the municipal subsidy": open above.
    assert cross["daxing"]["2026"]["open_above"] is True
    assert not any(c["open_above"] for d, cells in cross.items() if d == "municipal" for c in cells.values())
    png = (tmp_path / "s.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    again = runner.invoke(app, [*args[:3], str(tmp_path / "o2.csv"), "--summary", str(tmp_path / "t.png")])
    assert again.exit_code in (0, 1)
    assert (tmp_path / "t.png").read_bytes() == png  # byte-stable
    assert_input_error(runner.invoke(app, [*args[:3], str(tmp_path / "o3.csv"), "--summary",
                                           str(tmp_path / "s.svg")]), "JSON or PNG", "--summary")


LISTED = {"id": "L-1", "district": "haidian", "as_of": "2026-01-01",
          "recognitions": [{"tier": "municipal", "date": "2023-03-31"}],
          "listings": [{"board": "a_share", "year": 2026}]}
PLAIN = {"id": "P-1", "district": "dongcheng", "as_of": "2026-01-01",
         "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}


def _population(tmp_path: Path) -> Path:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in (LISTED, PLAIN)), encoding="utf-8")
    return source


def test_every_sum_of_the_fiscal_summary_carries_open_above(tmp_path: Path):
    """The district listing support is "not less than the municipal subsidy": every sum it is
    in says so (the total, its paying district, its measure, its claim year, the cost of a
    reform), and no sum it is not in does. Before, only the district × year table did."""
    result = runner.invoke(app, ["batch", str(_population(tmp_path)), "--out", str(tmp_path / "o.csv"),
                                 "--summary", str(tmp_path / "s.json"),
                                 "--scenario", "dongcheng.tier.municipal.amount=200000"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    base = summary["baseline"]
    assert base["total"] == {"min": 100_000, "max": 6_100_000, "open_above": True}
    assert base["by_paying_district"]["haidian"]["open_above"] is True
    assert base["by_paying_district"]["dongcheng"] == {"min": 100_000, "max": 100_000, "open_above": False}
    assert base["by_paying_district"]["municipal"]["open_above"] is False  # m5.listing: "up to"
    assert base["by_measure"]["m5.district"]["open_above"] is True
    assert base["by_measure"]["dongcheng.tier"]["open_above"] is False
    assert base["by_claim_year"]["2026"]["open_above"] is True
    assert base["by_claim_year"]["2024"]["open_above"] is False
    assert summary["scenario"]["total"]["open_above"] is True
    assert summary["cost_of_scenario"] == {"min": 100_000, "max": 100_000, "open_above": True}


def test_the_sweep_cost_table_marks_sums_holding_a_not_less_than_amount(tmp_path: Path):
    out = tmp_path / "cost.csv"
    result = runner.invoke(app, ["sweep", str(_population(tmp_path)), "--reform",
                                 "dongcheng.tier.municipal.amount=100000..200000:100000",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {(r["value"], r["paying_district"], r["claim_year"]): r["open_above"]
                for r in csv.DictReader(handle)}
    assert rows[("200000", "all", "all")] == "True"
    assert rows[("200000", "haidian", "all")] == "True"
    assert rows[("200000", "dongcheng", "all")] == "False"
    assert rows[("200000", "all", "2024")] == "False"
    assert "dongcheng.tier.municipal.amount=200,000: cost 100,000 to 100,000 yuan or more" in result.stdout


def test_a_checkpoint_whose_sums_lack_the_open_flag_is_refused_whole(tmp_path: Path):
    """Sums have carried the open flag ([min, max, open]) since before a checkpoint held the
    catalog's fingerprint among its options, so no checkpoint of [min, max] sums can belong to
    this run: one is refused as damaged (exit 2, one message), never merged or half read."""
    from formats.batch import read_checkpoint
    from models.errors import InputError

    mark = {"path": "x", "size": 0, "sha256": "0" * 64}
    sums = {"by_district": {"dongcheng": [100, 100]}, "by_measure": {}, "by_year": {},
            "by_district_year": {}, "enterprises": {}, "total": [100, 100, 0]}
    state = {"input": "in.jsonl", "fingerprint": {"size": 1}, "columns": ["id"], "options": "[]",
             "last_row": 1, "rows_in": 1, "rows_out": 1, "error_rows": 0, "out_file": mark,
             "errors_file": mark, "summary": {"baseline": sums}}
    path = tmp_path / "out.csv.zjtx-checkpoint.json"
    sums["by_district"]["dongcheng"].append(0)
    path.write_text(json.dumps(state))
    assert read_checkpoint(path)["summary"]["baseline"]["by_district"]["dongcheng"] == [100, 100, 0]
    sums["by_district"]["dongcheng"].pop()
    path.write_text(json.dumps(state))
    with pytest.raises(InputError, match="damaged"):
        read_checkpoint(path)
