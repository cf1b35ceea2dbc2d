"""`zjtx impact`: a batch run whose rows compare each enterprise's answer under the old policies
with its answer under the new ones, and write only the enterprises whose answer changes.

It is the batch (`formats.batch.run_batch`): the same readers, engines (local processes or
Dask), error rows, checkpoint and `--resume`, and the same guard on outputs. The run answers from
the new policies (records are read against them: a registry is kept in today's vocabulary) with
the old ones as a scenario (`Scenario.policies`); its rows are `solver.impact` rows, and a row
whose awards are the same under both is counted, not written. Every input row is written (it
changed), counted unchanged, or in the errors file: the counts add up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from formats.batch import PARTIAL_SUFFIX, BatchCounts, run_batch
from formats.tables import Row
from models.catalog import CATALOG_DIR
from models.scenario import Policies, Scenario
from solver.batch import BatchOptions, NoticeWords
from solver.fiscal import FiscalReport, Interval, MeasureCell


class SideJSON(TypedDict):
    package: str
    directory: str
    in_force: str | None


# A sum under the old policies, under the new ones, and the change (new less old).
ImpactCell = TypedDict("ImpactCell", {"from": Interval, "to": Interval, "change": Interval})

# The impact of a change of policies (`--summary change.json`, `/v1/impact`'s `summary`): the two
# sides, the counts, and the cells that changed in all, per paying district, claim year, both,
# and measure.
ImpactSummary = TypedDict("ImpactSummary", {
    "from": SideJSON, "to": SideJSON, "rows_in": int, "changed": int, "unchanged": int,
    "error_rows": int, "total": ImpactCell, "by_paying_district": dict[str, ImpactCell],
    "by_claim_year": dict[str, ImpactCell],
    "by_paying_district_and_claim_year": dict[str, dict[str, ImpactCell]],
    "by_measure": dict[str, ImpactCell]})


@dataclass(frozen=True)
class Side:
    """One side of the comparison: a package (a shipped name or a directory) as in force on a
    day (None: the whole package)."""

    package: str
    directory: str
    in_force: dt.date | None = None

    def as_dict(self) -> SideJSON:
        return {"package": self.package, "directory": self.directory,
                "in_force": self.in_force.isoformat() if self.in_force else None}


@dataclass
class ImpactCounts:
    """What an impact run found: rows read, rows written (changed), unchanged, in errors."""

    rows_in: int = 0
    changed: int = 0
    unchanged: int = 0
    error_rows: int = 0
    resumed_at: int = 0


def impact_options(old: Side, new: Side, lang: str, readings: dict[str, str]) -> BatchOptions:
    """The batch options of an impact run from `old` to `new` (texts in `lang`)."""
    return BatchOptions(readings=readings, catalog=new.directory, in_force=new.in_force,
                        scenario=Scenario(name="impact", policies=Policies.of(old.directory, old.in_force)),
                        impact=lang)


def run_impact(input_path: Path, out: Path, errors: Path | None, old: Side, new: Side,
               options: BatchOptions, *, summary_path: Path | None = None,
               on_progress: Callable[[BatchCounts], None] | None = None,
               **batch: Any) -> tuple[ImpactCounts, ImpactSummary]:
    """Compare every row of `input_path` under `old` and `new` (`options` from
    `impact_options`); write the changed rows to `out`, the errors to `errors`, and the summary
    (by paying district and claim year) to `summary_path` (.json, checked by the batch before
    anything is touched). The counts and the summary."""
    counts = run_batch(input_path, out, errors, options, summary_path=summary_path,
                       on_progress=on_progress, **batch)
    found = ImpactCounts(rows_in=counts.rows_in, changed=counts.rows_out,
                         unchanged=counts.rows_in - counts.rows_out - counts.error_rows,
                         error_rows=counts.error_rows, resumed_at=counts.resumed_at)
    summary = impact_summary(counts.summary, old, new, found)
    if summary_path is not None:  # the batch wrote its fiscal views there: the impact's instead
        written = summary_path.with_name(summary_path.name + PARTIAL_SUFFIX)
        written.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
        os.replace(written, summary_path)
    return found, summary


def _cell(before: Interval | None, after: Interval | None) -> ImpactCell:
    zero: Interval = {"min": 0, "max": 0, "open_above": False}
    before, after = before or zero, after or zero
    return {"from": before, "to": after,
            "change": {"min": after["min"] - before["min"], "max": after["max"] - before["max"],
                       "open_above": bool(before["open_above"] or after["open_above"])}}


def _table(before: Mapping[str, Interval], after: Mapping[str, Interval]) -> dict[str, ImpactCell]:
    """Key by key: from, to and the change, for the keys whose amount changed."""
    cells = {key: _cell(before.get(key), after.get(key)) for key in sorted({*before, *after})}
    return {key: cell for key, cell in cells.items()
            if cell["change"]["min"] or cell["change"]["max"]}


def impact_summary(report: FiscalReport, old: Side, new: Side, counts: ImpactCounts) -> ImpactSummary:
    """The batch's two views (the run answers from the new policies: `baseline`; the old ones
    are its scenario) as one impact: totals, and per paying district, claim year, both, and
    measure, what the old and new policies pay and the change (only what changed). Enterprises
    whose answer is unchanged add the same to both sides: the changes are theirs alone."""
    after, before = report.get("baseline", {}), report.get("scenario", {})
    crossed: dict[str, dict[str, ImpactCell]] = {}
    districts = sorted({*before.get("by_paying_district_and_claim_year", {}),
                        *after.get("by_paying_district_and_claim_year", {})})
    for district in districts:
        table = _table(before.get("by_paying_district_and_claim_year", {}).get(district, {}),
                       after.get("by_paying_district_and_claim_year", {}).get(district, {}))
        if table:
            crossed[district] = table
    measures = _table({k: _plain(v) for k, v in before.get("by_measure", {}).items()},
                      {k: _plain(v) for k, v in after.get("by_measure", {}).items()})
    return {"from": old.as_dict(), "to": new.as_dict(), "rows_in": counts.rows_in,
            "changed": counts.changed, "unchanged": counts.unchanged,
            "error_rows": counts.error_rows,
            "total": _cell(before.get("total"), after.get("total")),
            "by_paying_district": _table(before.get("by_paying_district", {}),
                                         after.get("by_paying_district", {})),
            "by_claim_year": _table(before.get("by_claim_year", {}), after.get("by_claim_year", {})),
            "by_paying_district_and_claim_year": crossed,
            "by_measure": measures}


def _plain(cell: MeasureCell) -> Interval:
    return {"min": cell["min"], "max": cell["max"], "open_above": cell["open_above"]}


def side(value: str | None, day: dt.date | None) -> Side:
    """A side of the comparison from `--from`/`--to`/`--catalog` (a shipped name or a
    directory; None: the shipped default) and a day."""
    from models.packages import BROCHURE, locate

    found = locate(value) if value is not None else CATALOG_DIR
    directory = str((found or CATALOG_DIR).resolve())
    return Side(package=value or BROCHURE, directory=directory, in_force=day)


def impact_of_rows(rows: Iterable[Row], labels: dict[str, str], old: Side, new: Side, lang: str,
                   readings: dict[str, str] | None, words: NoticeWords) -> dict[str, Any]:
    """`zjtx impact` on rows already read (the service's `POST /v1/impact`): the same duplicate
    check, rows and summary as a file run, as one JSON answer — the changed rows (`rows`, by the
    columns of `columns`), the error rows (fields named as `labels` says the sheet writes them),
    the counts and the summary; `words`: the warnings' words (`views.notices.notices_text`)."""
    from formats.batch import with_duplicates
    from models.catalog import using_catalog
    from solver.batch import RowContext, RowResult, Summary, batch_catalog, evaluate_row
    from solver.impact import IMPACT_COLUMNS, changed

    probe = impact_options(old, new, lang, {})
    catalog = batch_catalog(probe)
    options = dataclasses.replace(impact_options(old, new, lang, catalog.resolve_readings(readings or {})),
                                  labels=labels)
    found: list[dict[str, object]] = []
    errors: list[dict[str, object]] = []
    summary = Summary()
    unchanged = 0
    with using_catalog(catalog):
        context = RowContext(options, catalog, words)
        for number, data, problem in with_duplicates(iter(rows)):
            outcome = evaluate_row(number, data, problem, context)
            if not isinstance(outcome, RowResult):
                errors.append(outcome.cells())
                continue
            summary.add(outcome.answer.summary)
            if changed(outcome.answer.names, outcome.answer.values):
                found.append(outcome.cells())
            else:
                unchanged += 1
    counts = ImpactCounts(rows_in=len(found) + unchanged + len(errors), changed=len(found),
                          unchanged=unchanged, error_rows=len(errors))
    return {"columns": list(IMPACT_COLUMNS),
            "summary": impact_summary(summary.report(), old, new, counts),
            "rows": found, "errors": errors}
