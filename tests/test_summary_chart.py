"""`--summary` also as a PNG: the fiscal cost by paying district and claim year, with the
open-above mark; the JSON's cross table adds up to the totals."""

from __future__ import annotations

import json
from pathlib import Path

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
