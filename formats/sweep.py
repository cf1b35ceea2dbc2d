"""`zjtx sweep`: a reform swept over a whole population — the analyst's microsimulation.

For every reform point (`RULE.amount=A..B:STEP`), every valid row is evaluated at baseline and
under the reform, exactly as `zjtx batch --scenario RULE.amount=V` would (the same rows, the same
duplicate and error handling, the same fiscal summary); the cost of each point is the reformed
total less the baseline, per paying district and per claim year. The partitions run on the same
engines as the batch, on its distinct inputs (`formats.batch`), so the costs are the same on
every engine: each distinct input is validated once and evaluated once per point.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypedDict

from formats.batch import (FIRST_ROWS, MOST_ROWS, Distinct, Item, engine_for, evaluated,
                           input_blocks, _row_of)
from formats.engines import BlockSize
from formats.signals import in_worker
from formats.tables import format_of, read_rows
from solver.memo import BAD
from models.catalog import Catalog, active_catalog, open_catalog, set_active_catalog
from models.errors import BugError, CatalogError, InputError
from models.record import parse_record
from models.scenario import Scenario, parse_inline
from solver.batch import (BatchOptions, RowContext, Summary, contributions, row_bug,
                          scenario_amounts)
from solver.evaluate import evaluate_amounts
from solver.fiscal import FiscalReport, FiscalView, Interval
from solver.planner import reformed_once

ALL = "all"
NOTHING: Interval = {"min": 0, "max": 0, "open_above": False}
Table = Literal["by_paying_district", "by_claim_year"]


class SweepRow(TypedDict):
    """A row of the cost table (`SWEEP_COLUMNS`): a reform point, in all (`all`), for one paying
    district or for one claim year, at baseline, reformed, and the cost (reformed less
    baseline)."""

    reform: str
    value: int
    paying_district: str
    claim_year: str
    baseline_min: int
    baseline_max: int
    reformed_min: int
    reformed_max: int
    cost_min: int
    cost_max: int
    open_above: bool  # a "not less than" amount in a sum: the district may pay more


SWEEP_COLUMNS = list(SweepRow.__annotations__)  # the cost table's columns, in this order


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
    summaries: list[FiscalReport] | None = None  # one fiscal summary per point

    def table(self) -> list[SweepRow]:
        """One row per point: the total, then per paying district, then per claim year."""
        out: list[SweepRow] = []
        for value, summary in zip(self.values, self.summaries or []):
            base, reformed = summary.get("baseline"), summary.get("scenario")
            cells: list[tuple[str, str, Table | None]] = [(ALL, ALL, None)]
            cells += [(d, ALL, "by_paying_district") for d in _keys(base, reformed, "by_paying_district")]
            cells += [(ALL, y, "by_claim_year") for y in _keys(base, reformed, "by_claim_year")]
            for district, year, table in cells:
                cell = district if table == "by_paying_district" else year
                low = _cell(base, table, cell)
                high = _cell(reformed, table, cell)
                out.append({"reform": self.key, "value": value, "paying_district": district,
                            "claim_year": year, "baseline_min": low["min"], "baseline_max": low["max"],
                            "reformed_min": high["min"], "reformed_max": high["max"],
                            "cost_min": high["min"] - low["min"], "cost_max": high["max"] - low["max"],
                            "open_above": bool(low["open_above"] or high["open_above"])})
        return out


def _keys(base: FiscalView | None, reformed: FiscalView | None, table: Table) -> list[str]:
    return sorted({key for view in (base, reformed) if view for key in view[table]})


def _cell(view: FiscalView | None, table: Table | None, key: str) -> Interval:
    """A view's sum in all (`table` None) or for a key of a table; nothing when it has none."""
    if not view:
        return NOTHING
    return view["total"] if table is None else view[table].get(key, NOTHING)


_JOB: SweepJob | None = None


def _sweep_init(job: SweepJob, *, worker: bool = True) -> None:
    global _JOB
    _JOB = job
    if worker:
        in_worker()
    set_active_catalog(open_catalog(job.options.catalog))


Outcome = tuple[list[Any], list[list[Any]]] | None  # (baseline, each point's) or an error row


def _sweep_items(items: list[Item]) -> list[Outcome]:
    """Each distinct input (or row of its own) at baseline and at every point: the contributions
    of each, or None for an error row."""
    if _JOB is None:
        raise BugError("a sweep task ran in a worker that was never initialized")
    options, points = _JOB.options, _JOB.points
    catalog = active_catalog()
    outcomes: list[Outcome] = []
    for item in items:
        number, data, problem = _row_of(*item[:3]) or (item[0], None, "blank")
        try:
            if problem is not None:
                raise InputError(str(problem))
            record = parse_record(data, source="row", row=number, catalog=catalog)
            baseline = contributions(evaluate_amounts(record, options.readings, catalog=catalog,
                                                      today=options.today))
            outcomes.append((baseline, [contributions(scenario_amounts(record, scenario, options,
                                                                       catalog))
                                        for _value, scenario in points]))
        except InputError:  # the row's own fault: counted, and `zjtx batch` names it
            outcomes.append(None)
        except (BugError, CatalogError):
            raise
        except Exception as exc:  # noqa: BLE001 - an unsound answer or a bug: stop (exit 3), as batch does
            raise row_bug(number, exc) from exc
    return outcomes


def points_of(key: str, values: list[int], catalog: Catalog) -> tuple[tuple[int, Scenario], ...]:
    """The scenario of each point: `key=value` (a reform or any inline change taking a number)."""
    start = Scenario(name="")
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
    catalog = open_catalog(options.catalog)  # (rows are keyed by it, whatever is active here)
    points = points_of(key, values, catalog)
    job = SweepJob(options=replace(options, scenario=None), points=points)
    rows = read_rows(input_path)
    result = SweepResult(key=key, values=values)
    totals = [Summary() for _ in points]
    runner = engine_for(engine, jobs, scheduler, job, _sweep_init)
    distinct = Distinct(RowContext(job.options, catalog))
    try:
        for block, outcomes in evaluated(input_blocks(input_path, rows, BlockSize(
                FIRST_ROWS, MOST_ROWS)), distinct, runner, _sweep_items):
            shared: dict[int, list[Any]] = {}  # (rows sharing an outcome add it once, times them)
            for group, slot in zip(block.groups, block.slots):
                outcome = outcomes[slot] if group == BAD else distinct.answers[group]
                if outcome is None:
                    result.error_rows += 1
                    continue
                result.rows_out += 1
                shared.setdefault(id(outcome), [outcome, 0])[1] += 1
            for (baseline, parts), times in shared.values():
                for total, part in zip(totals, parts):
                    total.add({"baseline": baseline, "scenario": part}, times)
            result.rows_in += block.rows
            if on_progress:
                on_progress(result.rows_in)
    finally:
        runner.close()
    result.summaries = [total.report() for total in totals]
    return result


def write_costs(result: SweepResult, out: Path) -> Path:
    """The cost table as CSV (the path checked first: formats.safety)."""
    from formats.safety import writing

    with writing(out, "--out"), out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SWEEP_COLUMNS)
        writer.writeheader()
        writer.writerows(result.table())
    return out
