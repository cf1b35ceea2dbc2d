"""`zjtx sweep`: a reform swept over a whole population — the analyst's microsimulation.

For every reform point (`RULE.amount=A..B:STEP`), every valid row is evaluated at baseline and
under the reform, exactly as `zjtx batch --scenario RULE.amount=V` would (the same rows, the same
duplicate and error handling, the same fiscal summary); the cost of each point is the reformed
total less the baseline, per paying district and per claim year. The partitions run on the same
engines as the batch (`formats.engines`), so the costs are the same on every engine. Each worker
validates a row once and evaluates it once per point, through the batch memo.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from formats.batch import (CHUNK_ROWS, DASK_PART_ROWS, engine_for, checked_part, chunk_tasks,
                           part_rows)
from formats.engines import Part, plan_parts
from formats.signals import in_worker
from formats.tables import Row, format_of, read_rows
from models.catalog import Catalog, active_catalog, open_catalog, set_active_catalog
from models.errors import BugError, CatalogError, InputError
from models.record import parse_record
from models.scenario import Scenario, parse_inline
from solver.batch import BatchOptions, Summary, contributions, row_bug, scenario_amounts
from solver.evaluate import evaluate_amounts
from solver.planner import reformed_once

SWEEP_COLUMNS = ["reform", "value", "paying_district", "claim_year", "baseline_min",
                 "baseline_max", "reformed_min", "reformed_max", "cost_min", "cost_max",
                 "open_above"]  # a "not less than" amount in a sum: the district may pay more
ALL = "all"


@dataclass(frozen=True)
class SweepJob:
    options: BatchOptions
    points: tuple[tuple[int, Scenario], ...]


@dataclass
class SweepResult:
    key: str
    values: list[int]
    rows_in: int = 0
    rows_out: int = 0
    error_rows: int = 0
    summaries: list[dict[str, Any]] | None = None  # one fiscal summary per point

    def table(self) -> list[dict[str, Any]]:
        """One row per point: the total, then per paying district, then per claim year."""
        out = []
        for value, summary in zip(self.values, self.summaries or []):
            base, reformed = summary.get("baseline", {}), summary.get("scenario", {})
            for district, year, table in [(ALL, ALL, None)] + \
                    [(d, ALL, "by_paying_district") for d in _keys(base, reformed, "by_paying_district")] + \
                    [(ALL, y, "by_claim_year") for y in _keys(base, reformed, "by_claim_year")]:
                cell = district if table == "by_paying_district" else year
                low = _cell(base, table, cell)
                high = _cell(reformed, table, cell)
                out.append({"reform": self.key, "value": value, "paying_district": district,
                            "claim_year": year, "baseline_min": low["min"], "baseline_max": low["max"],
                            "reformed_min": high["min"], "reformed_max": high["max"],
                            "cost_min": high["min"] - low["min"], "cost_max": high["max"] - low["max"],
                            "open_above": bool(low.get("open_above") or high.get("open_above"))})
        return out


def _keys(base: dict, reformed: dict, table: str) -> list[str]:
    return sorted(set(base.get(table, {})) | set(reformed.get(table, {})))


def _cell(view: dict, table: str | None, key: str) -> dict[str, Any]:
    nothing = {"min": 0, "max": 0, "open_above": False}
    if table is None:
        return view.get("total", nothing)
    return view.get(table, {}).get(key, nothing)


_JOB: SweepJob | None = None


def _sweep_init(job: SweepJob, *, worker: bool = True) -> None:
    global _JOB
    _JOB = job
    if worker:
        in_worker()
    set_active_catalog(open_catalog(job.options.catalog))


def _sweep_chunk(rows: list[Row]) -> tuple[int, int, list[dict[str, Any]]]:
    """Evaluate a chunk at baseline and at every point: counts and one summary state per point."""
    if _JOB is None:
        raise BugError("a sweep task ran in a worker that was never initialized")
    options, points = _JOB.options, _JOB.points
    catalog = active_catalog()
    summaries = [Summary() for _ in points]
    ok = bad = 0
    for number, data, problem in rows:
        try:
            if problem is not None:
                raise InputError(str(problem))
            record = parse_record(data, source="row", row=number, catalog=catalog)
            baseline = contributions(evaluate_amounts(record, options.readings, catalog=catalog,
                                                      today=options.today))
            parts = [contributions(scenario_amounts(record, scenario, options, catalog))
                     for _value, scenario in points]
        except InputError:  # the row's own fault: counted, and `zjtx batch` names it
            bad += 1
            continue
        except (BugError, CatalogError):
            raise
        except Exception as exc:  # noqa: BLE001 - an unsound answer or a bug: stop (exit 3), as batch does
            raise row_bug(number, exc) from exc
        for summary, part in zip(summaries, parts):
            summary.add({"baseline": baseline, "scenario": part})
        ok += 1
    return ok, bad, [summary.state for summary in summaries]


def _sweep_part(path: str, part: Part, problems: dict[int, tuple[str, str]] | None = None):
    rows, keys = part_rows(path, part, problems)
    return (*_sweep_chunk(rows), keys)


def points_of(key: str, values: list[int], catalog: Catalog,
              base: Scenario | None = None) -> tuple[tuple[int, Scenario], ...]:
    """The scenario of each point: `key=value` (a reform or any inline change taking a number)."""
    start = base or Scenario(name="")
    points = tuple((value, start.merged(parse_inline([f"{key}={value}"], list(catalog.index.readings))))
                   for value in values)
    for _value, scenario in points:  # an unknown rule or a bad amount: refused before any row
        if scenario.reforms:
            reformed_once(catalog, scenario.reforms)
    return points


def run_sweep(input_path: Path, key: str, values: list[int], options: BatchOptions, *,
              jobs: int | None = None, engine: str = "local", scheduler: str | None = None,
              on_progress: Callable[[int], None] | None = None) -> SweepResult:
    """Every point's fiscal summary over the population in `input_path`."""
    format_of(input_path, "POPULATION")
    points = points_of(key, values, open_catalog(options.catalog))
    job = SweepJob(options=replace(options, scenario=None), points=points)
    rows = read_rows(input_path)
    result = SweepResult(key=key, values=values)
    totals = [Summary() for _ in points]
    seen: dict[str, int] = {}
    ranged = rows.columns is None and input_path.suffix.lower() == ".jsonl"
    tasks: Iterator = _part_tasks(input_path, DASK_PART_ROWS if engine == "dask" else CHUNK_ROWS) \
        if ranged else ((meta, _sweep_chunk, args) for meta, _f, args in chunk_tasks(rows, 0, seen))
    runner = engine_for(engine, jobs, scheduler, job, _sweep_init)
    try:
        for (_last, size, part), outcome in runner.ordered(tasks):
            if part is not None:
                outcome = checked_part(str(input_path), part, outcome, seen,
                                       lambda: _sweep_init(job, worker=False), _sweep_part)
            ok, bad, states = outcome[:3]
            for total, state in zip(totals, states):
                total.merge(state)
            result.rows_in += size
            result.rows_out += ok
            result.error_rows += bad
            if on_progress:
                on_progress(result.rows_in)
    finally:
        runner.close()
    result.summaries = [total.report() for total in totals]
    return result


def _part_tasks(path: Path, rows_per_part: int):
    with path.open("rb") as handle:
        for part in plan_parts(handle, 0, 0, rows_per_part):
            yield (part.last_row, part.rows, part), _sweep_part, (str(path), part)


def write_costs(result: SweepResult, out: Path) -> Path:
    """The cost table as CSV (the path checked first: formats.safety)."""
    from formats.safety import writing

    with writing(out, "--out"), out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SWEEP_COLUMNS)
        writer.writeheader()
        writer.writerows(result.table())
    return out
