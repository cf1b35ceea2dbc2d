"""Batch evaluation, row by row: one input row in, one result row (or one error row) out, plus
the amounts the fiscal summary adds up. Pure data; the file handling lives in `formats/`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field
from typing_extensions import TypedDict  # (pydantic reads a checkpoint's: formats.batch)

from models.catalog import Catalog, active_catalog, dates_in, open_catalog_on
from models.errors import BugError, CatalogError, InputError, Problem, RecordError, SolverError
from models.i18n import current_lang, t
from models.record import EnterpriseRecord, parse_record
from models.validation import label, top_field
from models.money import Money
from solver.compile import compile_record
from solver.evaluate import evaluate_amounts, paid_amounts
from solver.fiscal import FiscalReport, FiscalView, Interval, MeasureCell
from solver.notices import Notice, record_notices, tag_notices

if TYPE_CHECKING:
    from models.scenario import Scenario
# solver.planner and solver.impact (scenarios, best districts, impact runs) are imported by the
# runs that need them: a plain batch starts without them.


@dataclass(frozen=True)
class BatchOptions:
    readings: dict[str, str] = field(default_factory=dict)
    scenario: Scenario | None = None
    best_district: bool = False
    move_date: dt.date | None = None
    horizon_years: int = 2
    today: dt.date | None = None
    rank_by: str = "max"
    catalog: str | None = None  # the catalog package directory (None: the shipped one)
    in_force: dt.date | None = None  # the package as in force on this day (None: whole)
    # An impact run (`zjtx impact`): the language of its change texts; the rows compare the
    # answer under `scenario.policies` (the old policies) with this run's (the new ones).
    impact: str | None = None
    # field → the column header as the input file writes it (error rows name the column so).
    labels: dict[str, str] = field(default_factory=dict)


def batch_catalog(options: BatchOptions) -> Catalog:
    """The catalog a run answers from: its package, as in force on `options.in_force` if given."""
    return open_catalog_on(options.catalog, options.in_force)


def result_columns(catalog: Catalog, options: BatchOptions) -> list[str]:
    """The output columns: id, totals, per-measure amounts, and the optional parts."""
    if options.impact is not None:
        from solver.impact import IMPACT_COLUMNS

        return list(IMPACT_COLUMNS)
    columns = ["id", "name", "credit_code", "total_min", "total_max", "open_above", "awards"]
    for measure in catalog.measure_ids():
        columns += [f"{measure}.min", f"{measure}.max"]
    if options.scenario is not None:
        columns += ["scenario_total_min", "scenario_total_max", "scenario_delta_min", "scenario_delta_max"]
    if options.best_district:
        columns += ["best_district", "best_total_min", "best_total_max", "best_delta_max"]
    return columns + ["warnings"]  # never silent: a near-miss industry tag, a reward above its clause


ERROR_COLUMNS = ["row", "id", "field", "message"]


# Warnings in words: `views.notices.notices_text`, which the front door hands a run (the solver
# and formats/ return and carry typed notices; one place, views/, puts them into words).
NoticeWords = Callable[[Sequence[Notice]], str]


class RowContext:
    """What evaluating rows under one run's options against one catalog shares, built once per
    run (in each worker) and passed explicitly: the measure columns, the dates in the options,
    and the warnings of each list of industry tags. `words` puts a row's warnings into words (a
    run that writes result rows needs it)."""

    def __init__(self, options: BatchOptions, catalog: Catalog | None = None,
                 words: NoticeWords | None = None) -> None:
        self.options = options
        self.words = words
        self.catalog = catalog or active_catalog()
        self.readings = self.catalog.resolve_readings(options.readings)  # (once, not per row)
        # Every measure's min and max columns, in catalog order; a row's cells before its awards.
        self.columns_of = {m: (f"{m}.min", f"{m}.max") for m in self.catalog.measure_ids()}
        self.no_awards = {column: 0 for pair in self.columns_of.values() for column in pair}
        self.dates = _dates_in(options)
        # industry tags → their warnings (None: they need the record); (tags, language) → in words
        self._notices: dict[tuple[str, ...], tuple[Notice, ...] | None] = {}
        self._warnings: dict[tuple[tuple[str, ...], str], str | None] = {}

    def in_words(self, notices: Sequence[Notice]) -> str:
        """Warnings in words, by the run's `words`."""
        if self.words is None:
            raise BugError("a run that writes result rows puts their warnings into words with "
                           "views.notices.notices_text: give it to the run (words=…)")
        return self.words(notices)

    def warnings(self, record: EnterpriseRecord) -> str:
        """The row's warnings as text: without received rewards, those of its industry tags."""
        if not record.rewards_received:
            text = self.tag_warnings(tuple(record.industries))
            if text is not None:
                return text
        return self.in_words(record_notices(record, self.options.readings, catalog=self.catalog))

    def tag_notices(self, industries: tuple[str, ...]) -> tuple[Notice, ...] | None:
        """The warnings of a record without received rewards whose industry tags (sorted) are
        `industries`, worked out once per run; None when a tag has a near one (the warning names
        what the record would gain with it: it needs the record)."""
        if industries not in self._notices:
            if len(self._notices) >= 10_000:
                self._notices.clear()
            notices = tag_notices(list(industries), self.catalog)
            self._notices[industries] = None if notices is None else tuple(notices)
        return self._notices[industries]

    def tag_warnings(self, industries: tuple[str, ...], lang: str | None = None) -> str | None:
        """`tag_notices` in words, in `lang` (default: the current language), worked out once per
        run and language."""
        key = (industries, lang or current_lang())
        if key not in self._warnings:
            if len(self._warnings) >= 10_000:
                self._warnings.clear()
            notices = self.tag_notices(industries)
            self._warnings[key] = None if notices is None else self.in_words(notices)
        return self._warnings[key]


def _dates_in(options: BatchOptions) -> tuple[dt.date, ...]:
    """Every date in a run's options (a move date, the dates of a scenario's changes: compared
    with the record's, so points of every distinct input's key: `solver.memo.points`)."""
    import json

    data = dataclasses.asdict(options)
    found = dates_in(data)
    text = json.dumps(data, default=str, sort_keys=True)
    # Dates written as text (a scenario's `move=D@2027-01-01`) are compared with the record's.
    for word in text.replace('"', " ").replace("@", " ").replace(",", " ").split():
        if len(word) >= 10 and word[4] == "-" and word[7] == "-":
            try:
                found.add(dt.date.fromisoformat(word[:10]))
            except ValueError:
                pass
    return tuple(sorted(found))


Contribution = tuple[str, str, int, int, int, bool]  # (measure, paid_by, claim_year, min, max, open)


def contributions(amounts: list[tuple[str, str, int, Money]]) -> list[Contribution]:
    """(measure, paid_by, claim_year, min, max, open_above) of every award still to come."""
    return [(measure, payer, year, amount.min, amount.max, amount.open_above)
            for measure, payer, year, amount in amounts]


def _total(amounts: list[tuple[str, str, int, Money]]) -> Money:
    return Money.total(amount for *_rest, amount in amounts)


def _problems(exc: RecordError) -> list[tuple[str, str]]:
    """Every (field, message) a record error found."""
    found = exc.problems or (Problem(exc.field, exc.message, exc.accepted),)
    return [(problem.field or "", Problem(None, problem.message, problem.accepted).text())
            for problem in found]


@dataclass(frozen=True, slots=True)
class Answer:
    """A row's answer — the names and values of every column but `ROW_OWN_COLUMNS` — and its
    summary contributions per view (`baseline`, `scenario`). The rows of a distinct input share
    one (`formats.batch`: read, never changed): it is encoded once and added up once."""

    names: tuple[str, ...]
    values: tuple[object, ...]
    summary: dict[str, list[Contribution]]


@dataclass(frozen=True, slots=True)
class RowResult:
    """An evaluated row: its own cells (identity and warnings) and its answer."""

    number: int
    id: str
    name: str | None
    credit_code: str | None
    warnings: str
    answer: Answer

    def own(self) -> dict[str, object]:
        """The row's own cells (`ROW_OWN_COLUMNS`)."""
        return {"id": self.id, "name": self.name, "credit_code": self.credit_code,
                "warnings": self.warnings}

    def cells(self) -> dict[str, object]:
        """The whole result row, by column (`result_columns`)."""
        row: dict[str, object] = {"id": self.id, "name": self.name, "credit_code": self.credit_code}
        row.update(zip(self.answer.names, self.answer.values))
        row["warnings"] = self.warnings
        return row


@dataclass(frozen=True, slots=True)
class RowError:
    """A row that could not be evaluated: its row number as the file shows it, its id as
    written, and every problem of the row (fields as the file's headers name them)."""

    number: int
    id: str | None
    field: str | None
    message: str

    def cells(self) -> dict[str, object]:
        """The error row, by column (`ERROR_COLUMNS`)."""
        return {"row": self.number, "id": self.id, "field": self.field, "message": self.message}


def _error(number: int, ident: str | None, problems: list[tuple[str | None, str]],
           labels: dict[str, str]) -> RowError:
    """One error row holding every problem of the row, fields named as the file's headers."""
    if len(problems) == 1:
        where, message = problems[0]
        return RowError(number, ident, label(where, labels) or None, message)
    return RowError(number, ident, "; ".join(label(w, labels) or "-" for w, _ in problems),
                    t("reason.word.item_sep").join(
                        t("cell.problem", field=label(w, labels) or t("cell.row"), message=m)
                        for w, m in problems))


def evaluate_row(number: int, data: Mapping[str, object] | None, problem: str | tuple[str, str] | None,
                 context: RowContext) -> RowResult | RowError:
    """One row: its result (own cells and answer) or its error row (every problem at once),
    under the run's `context` (its options and catalog)."""
    options = context.options
    try:
        if problem is not None:
            return _refused(number, data, problem, options.labels)
        record = parse_record(data, source="row", row=number, catalog=context.catalog)
        # Warnings read what a distinct input's key leaves out (every industry tag): per row.
        return RowResult(number, record.id, record.name, record.credit_code,
                         context.warnings(record), row_answer(record, context))
    except RecordError as exc:
        return _error(number, _ident(data), list(_problems(exc)), options.labels)
    except InputError as exc:  # the row's own fault: an error row, and the run goes on
        return _error(number, _ident(data), [(exc.field, exc.message + (
            f" (accepted: {exc.accepted})" if exc.accepted else ""))], options.labels)
    except (BugError, CatalogError):  # a bug, or a broken catalog: never the row's fault
        raise
    except Exception as exc:  # noqa: BLE001 - an unsound answer (SolverError) or anything else
        raise row_bug(number, exc) from exc


def _refused(number: int, data: Mapping[str, object] | None, problem: str | tuple[str, str],
             labels: dict[str, str]) -> RowError:
    """The error row of a row read with a problem: the problem, and for bad cells the row's
    other problems too (every problem of the row at once)."""
    field_, message = problem if isinstance(problem, tuple) else (None, problem)
    found: list[tuple[str | None, str]] = [(field_, message)]
    if field_ and isinstance(data, dict):
        bad = {top_field(f) for f in field_.split("; ")}
        try:
            parse_record(data, source="row", row=number)
        except RecordError as exc:
            found += [p for p in _problems(exc) if top_field(p[0]) not in bad]
    return _error(number, _ident(data), found, labels)


def _ident(data: object) -> str | None:
    """The id an error row shows: the row's id as written, as text."""
    raw_id = data.get("id") if isinstance(data, dict) else None
    return str(raw_id) if raw_id is not None else None


def row_bug(number: int, exc: Exception) -> BugError:
    """The error that stops a batch when evaluating row `number` raised what bad input never
    raises (an unsound optimizer answer, any unexpected exception): exit status 3, never an
    error row blamed on the input."""
    what = (f"the optimizer failed ({exc.message[:300]})"
            if isinstance(exc, SolverError) else
            f"an unexpected {type(exc).__name__} while evaluating it ({str(exc)[:200]})")
    return BugError(f"row {number}: {what}; this is a bug in zjtx, please report it with the row; "
                    "the rows before it are saved, --resume continues after a fix")


ROW_OWN_COLUMNS = ("id", "name", "credit_code", "warnings")  # a row's own cells; the rest is its answer


def scenario_amounts(record: EnterpriseRecord, scenario: Scenario, options: BatchOptions,
                     catalog: Catalog) -> list[tuple[str, str, int, Money]]:
    """The awards still to come under a scenario (record changes, readings, reforms)."""
    from solver.planner import apply_scenario

    changed, changed_catalog, changed_readings = apply_scenario(record, scenario, catalog,
                                                                options.readings)
    return evaluate_amounts(changed, changed_catalog.resolve_readings(changed_readings),
                            catalog=changed_catalog, today=options.today)


def row_answer(record: EnterpriseRecord, context: RowContext) -> Answer:
    """A row's answer — the names and values of every column but `ROW_OWN_COLUMNS` — and its
    summary contributions. Not memoized: a batch evaluates each distinct input once
    (`formats.batch`), and a memo key cost more than it saved on the rows left (a row with moves
    or expenses is nearly always new: 39 hits in 46,061 such rows of the population)."""
    options, catalog = context.options, context.catalog
    amounts = paid_amounts(compile_record(record, catalog, context.readings, options.today,
                                          reasons=False))  # (`compute_amounts`, readings resolved)
    if options.impact is not None and options.scenario is not None:  # old policies → these
        from solver.impact import impact_cells, out_of_reach
        from solver.planner import scenario_catalog

        before = scenario_catalog(options.scenario, catalog)
        old = amounts if out_of_reach(record, before, catalog) else \
            scenario_amounts(record, options.scenario, options, catalog)
        cells = impact_cells(record, old, amounts, before, catalog, options.impact)
        return Answer(tuple(cells), tuple(cells.values()),
                      {"baseline": contributions(amounts), "scenario": contributions(old)})
    total = _total(amounts)
    row: dict[str, object] = {"total_min": total.min, "total_max": total.max,
                           "open_above": total.open_above, "awards": len(amounts)}
    per_measure = dict(context.no_awards)  # every measure's columns, in catalog order
    for measure, _payer, _year, amount in amounts:
        columns = context.columns_of.get(measure)
        if columns is not None:
            per_measure[columns[0]] += amount.min
            per_measure[columns[1]] += amount.max
    row.update(per_measure)
    summary = {"baseline": contributions(amounts)}
    if options.scenario is not None:
        other = scenario_amounts(record, options.scenario, options, catalog)
        scenario_total = _total(other)
        row.update(scenario_total_min=scenario_total.min, scenario_total_max=scenario_total.max,
                   scenario_delta_min=scenario_total.min - total.min,
                   scenario_delta_max=scenario_total.max - total.max)
        summary["scenario"] = contributions(other)
    if options.best_district:
        from solver.planner import best_district_totals

        ranking, stay = best_district_totals(record, options.move_date, options.horizon_years,
                                             options.readings, catalog=catalog, today=options.today,
                                             rank_by=options.rank_by)
        district, best = ranking[0]
        row.update(best_district=district, best_total_min=best.min, best_total_max=best.max,
                   best_delta_max=best.max - stay.max)
    return Answer(tuple(row), tuple(row.values()), summary)


# A sum in a summary's state: [min, max, open] (open: 1 when any award in it is open above: a
# "not less than" amount, which the district may exceed).
Cell = Annotated[list[int], Field(min_length=3, max_length=3)]
Table = dict[str, Cell]


class SummaryPart(TypedDict):
    """One view's sums as a summary's state holds them (and a checkpoint keeps them, as JSON):
    per paying district, measure, claim year, and "district|year"; enterprises per measure."""

    by_district: Table
    by_measure: Table
    by_year: Table
    by_district_year: Table
    enterprises: dict[str, int]
    total: Cell


SummaryState = dict[str, SummaryPart]  # view (`baseline`, `scenario`) → its sums


def _bump(cell: Cell, low: int, high: int, flag: int) -> None:
    """Add (low, high, flag) into a cell [min, max, open]."""
    cell[0] += low
    cell[1] += high
    cell[2] |= flag


def _interval(cell: Cell) -> Interval:
    """A sum as the JSON shows it: `{min, max, open_above}`."""
    return {"min": cell[0], "max": cell[1], "open_above": bool(cell[2])}


def _cross(table: Table) -> dict[str, dict[str, Interval]]:
    """`{"dongcheng|2026": [min, max, open]}` → `{"dongcheng": {"2026": {min, max, open_above}}}`."""
    out: dict[str, dict[str, Interval]] = {}
    for key, cell in sorted(table.items()):
        district, year = key.split("|")
        out.setdefault(district, {})[year] = _interval(cell)
    return out


class Summary:
    """The fiscal view: totals per paying district, per measure, per claim year; enterprises
    per measure; baseline and (with a scenario) scenario side by side. Every sum is
    [min, max, open]: open when a "not less than" amount is in it (DOMAIN.md section 1: totals
    count the interval and carry the flag)."""

    def __init__(self, state: SummaryState | None = None) -> None:
        self._state: SummaryState = state or {}
        self._later: dict[tuple[str, int], list[Any]] = {}  # → [contributions, rows, first row]

    @property
    def state(self) -> SummaryState:
        """The sums (what a checkpoint keeps), every row counted so far added up."""
        for contributions, rows, first in self._later.values():
            try:
                self.add(contributions, rows)
            except Exception as exc:  # noqa: BLE001 - adding up checked answers never fails on input
                raise row_bug(first, exc) from exc
        self._later = {}
        return self._state

    def count(self, key: tuple[str, int], contributions: dict[str, list[Any]], rows: int,
              first: int) -> None:
        """Count `rows` more rows whose contributions are those of `key` (a distinct input,
        `("input", n)`, or a row of its own, `("row", number)`; `first`: its first row, named
        should adding them up fail): added up once, times all its rows, when `state` is read."""
        later = self._later.get(key)
        if later is None:
            self._later[key] = [contributions, rows, first]
        else:
            later[1] += rows

    def add(self, contributions: dict[str, list[Any]], enterprises: int = 1) -> None:
        """Add one enterprise's contributions (or those of `enterprises` with the same ones:
        integer yuan, so adding them once, times their number, is exact)."""
        for view, awards in contributions.items():
            part = self._state.setdefault(
                view, {"by_district": {}, "by_measure": {}, "by_year": {}, "by_district_year": {},
                       "enterprises": {}, "total": [0, 0, 0]})
            counted = part["enterprises"]
            for measure in {a[0] for a in awards}:
                counted[measure] = counted.get(measure, 0) + enterprises
            tables = part["by_district"], part["by_measure"], part["by_year"], part["by_district_year"]
            total = part["total"]
            for measure, paid_by, year, low, high, open_above in awards:
                low, high, flag = low * enterprises, high * enterprises, int(open_above)
                for table, key in zip(tables, (paid_by, measure, str(year), f"{paid_by}|{year}")):
                    _bump(table.setdefault(key, [0, 0, 0]), low, high, flag)
                _bump(total, low, high, flag)

    def report(self) -> FiscalReport:
        """The summary as its JSON shows it (`solver.fiscal.FiscalReport`)."""
        views = {view: _view(part) for view, part in self.state.items()}
        out: FiscalReport = {}
        if "baseline" in views:
            out["baseline"] = views["baseline"]
        if "scenario" in views:
            out["scenario"] = views["scenario"]
        if "scenario" in out and "baseline" in out:
            scenario, baseline = out["scenario"]["total"], out["baseline"]["total"]
            # Open when either side holds a "not less than" amount: what the districts add
            # above it is unknown, so the cost is not bounded by these figures either.
            out["cost_of_scenario"] = {"min": scenario["min"] - baseline["min"],
                                       "max": scenario["max"] - baseline["max"],
                                       "open_above": scenario["open_above"] or baseline["open_above"]}
        return out


def _view(part: SummaryPart) -> FiscalView:
    """One view's sums as the fiscal summary shows them."""
    return {
        "total": _interval(part["total"]),
        "by_paying_district": {k: _interval(v) for k, v in sorted(part["by_district"].items())},
        "by_measure": {k: _measure_cell(v, part["enterprises"].get(k, 0))
                       for k, v in sorted(part["by_measure"].items())},
        "by_claim_year": {k: _interval(v) for k, v in sorted(part["by_year"].items())},
        "by_paying_district_and_claim_year": _cross(part["by_district_year"]),
    }


def _measure_cell(cell: Cell, enterprises: int) -> MeasureCell:
    """A measure's sum and how many enterprises it pays."""
    return {**_interval(cell), "enterprises": enterprises}
