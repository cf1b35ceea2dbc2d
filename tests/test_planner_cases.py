"""The hand-computed best-district rankings in tests/planner_cases/*.yaml (format in
tests/planner_cases/README.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from models.record import parse_record
from solver.planner import best_district

CASES = sorted((Path(__file__).parent / "planner_cases").glob("*.yaml"))
TODAY = dt.date(2026, 11, 24)


def test_there_are_enough_ranking_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_ranking_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    record = parse_record(case["record"], source=path.name)
    ranking = best_district(record, case.get("move_date"), case.get("horizon_years", 2),
                            case.get("readings") or {}, today=TODAY,
                            rank_by=case.get("rank_by", "max"))
    expect = case["expect"]
    order = [o.district for o in ranking.ranking]
    assert order[:len(expect["top"])] == expect["top"]
    by_district = {o.district: o for o in ranking.ranking}
    for district, total in expect["totals"].items():
        got = by_district[district].total
        assert (got.min, got.max, got.open_above) == \
            (total["min"], total["max"], total.get("open_above", False)), district
    for district, delta in (expect.get("delta_vs_stay") or {}).items():
        outcome = by_district[district]
        assert (outcome.delta_min, outcome.delta_max) == (delta["min"], delta["max"]), district
