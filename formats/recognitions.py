"""`zjtx recognitions import`: a published list of recognized enterprises in, matched to a
registry of enterprises (`models.companies`), the registry out with the recognitions added, and a
report of every listed row (matched, already recorded, or why not, with the nearest candidates).

Both files are read by the batch's readers (`formats.tables.read_rows`: CSV in UTF-8 or GB18030,
XLSX, JSON Lines; headers in Chinese or English) and the forgiving normalizer (tier spellings,
dates as 2024年7月15日 or 2024/7/15 or a date cell). The list's columns: 企业名称 (required),
统一社会信用代码, 认定等级, 认定日期 (or `--tier` and `--date` for a list of one tier and one
batch date), and 序号, 批次, 所在区, 备注, which are read and not used.

The registry out holds every valid registry row in the enterprise template's columns (canonical
values, one recognition-date column per tier, several dates separated by `;`), so that `zjtx
worklist` and `zjtx batch` read it; a registry row that is not a valid record goes to the errors
file, as batch writes it (nothing is lost: rows in = written + errors).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Required, TypedDict

from formats.columns import CHINESE, TEMPLATE_COLUMNS, TIER_COLUMNS, Schema
from formats.tables import RowWriter, format_of, read_rows
from formats.worklist import read_records
from models.catalog import Catalog
from models.companies import Listed, Match, Registered, Registry, match_list
from models.creditcode import normalize as normalize_code
from models.i18n import t
from models.normalize import Unreadable, normalize_value
from models.record import EnterpriseRecord, parse_record
from solver.batch import ERROR_COLUMNS, BatchOptions, RowContext, evaluate_row
from solver.worklist import Action

# The list's columns: each field and the headers that name it (the first is shown in messages).
LIST_SCHEMA = Schema(headers={
    "name": ("企业名称", "名称", "公司名称", "单位名称", "企业", "company", "enterprise"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "credit code", "code"),
    "tier": ("认定等级", "等级", "级别", "类别", "认定类别", "认定类型", "名单类型", "层级", "level"),
    "date": ("认定日期", "公布日期", "批次日期", "认定时间", "发布日期", "date"),
    "batch": ("批次", "认定批次", "年度批次"),
    "district": ("所在区", "注册区", "所属区", "区", "区县"),
    "serial": ("序号", "编号", "no", "number", "#"),
    "note": ("备注", "说明", "remarks"),
}, required="name")

# The registry out: the enterprise template's columns, then the recognitions of tiers without a
# column of their own (another package's tiers), then as_of.
UPDATED_COLUMNS = (*TEMPLATE_COLUMNS, "recognitions", "as_of")


class ReportRow(TypedDict, total=False):
    """A row of the import report (`REPORT_COLUMNS`): a listed row and what became of it. A list
    row that could not be read has only its number, name, status and message."""

    list_row: Required[int]
    name: Required[str | None]
    credit_code: str | None
    tier: str
    date: str
    status: Required[str]
    registry_row: int | None
    id: str | None
    registry_name: str | None
    registry_credit_code: str | None
    candidates: str | None
    message: Required[str]


REPORT_COLUMNS = tuple(ReportRow.__annotations__)  # the report's columns, in this order


@dataclass
class ImportResult:
    """What an import did: each listed row's match (or problem), the registry's rows written
    and in error, and the counts."""

    matches: list[Match] = field(default_factory=list)
    list_problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, message)
    registry_rows: int = 0
    written: int = 0
    registry_errors: list[dict[str, object]] = field(default_factory=list)  # error rows, by column

    @property
    def added(self) -> int:
        return sum(match.adds for match in self.matches)

    @property
    def list_rows(self) -> int:
        return len(self.matches) + len(self.list_problems)

    def count(self, status: str) -> int:
        return sum(match.status == status for match in self.matches)

    @property
    def not_added(self) -> int:
        return self.list_rows - self.added - self.count("already_recorded")


def read_list(path: Path, *, tier: str | None, date: dt.date | None, catalog: Catalog,
              encoding: str | None = None, column_map: dict[str, str] | None = None
              ) -> tuple[list[Listed], list[tuple[int, str, str]]]:
    """The list's rows, read (tier and date through the normalizer; `tier` and `date` fill the
    cells a list leaves empty), and a (row, name, message) per row that cannot be read."""
    rows = read_rows(path, encoding=encoding, column_map=column_map, schema=LIST_SCHEMA,
                     option="LIST")
    listed: list[Listed] = []
    problems: list[tuple[int, str, str]] = []
    for number, data, problem in rows:
        name = str((data or {}).get("name") or "").strip()
        if problem is not None:
            problems.append((number, name, problem[1] if isinstance(problem, tuple) else problem))
            continue
        found: list[str] = []
        if not name:
            found.append(t("recognitions.no_name"))
        read_tier = _read(data, "tier", tier, catalog, found)
        read_date = _read(data, "date", date, catalog, found)
        if found or read_tier is None or read_date is None:
            problems.append((number, name, "; ".join(found)))
            continue
        code = (data or {}).get("credit_code")
        listed.append(Listed(row=number, name=name, credit_code=str(code or "").strip(),
                             tier=str(read_tier), date=read_date))
    return listed, problems


def _read(data: Mapping[str, object] | None, key: str, default: str | dt.date | None, catalog: Catalog,
          found: list[str]) -> Any:
    """A tier or date cell through the normalizer (the option's value when it is empty)."""
    value = (data or {}).get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            found.append(t(f"recognitions.no_{key}"))
        return default
    try:
        return normalize_value(key, value, catalog.vocabulary)
    except Unreadable as unreadable:
        found.append(f"{LIST_SCHEMA.headers[key][0]}: " + unreadable.problem.text())
        return None


def read_registry(path: Path, *, encoding: str | None = None,
                  column_map: dict[str, str] | None = None
                  ) -> tuple[list[tuple[Registered, EnterpriseRecord | None]], list[dict[str, object]]]:
    """Each registry row as an entry to match (its name and code as written, also for a row
    that is not a valid record, so that a second row of one code shows as ambiguous) with its
    record, and the error rows (as `zjtx batch` writes them) of the invalid rows."""
    rows = read_rows(path, encoding=encoding, column_map=column_map, option="--registry")
    context = RowContext(BatchOptions(labels=rows.columns.labels if rows.columns else {}))
    entries: list[tuple[Registered, EnterpriseRecord | None]] = []
    errors: list[dict[str, object]] = []
    for number, data, record, problem in read_records(rows):
        cells = data or {}
        code = cells.get("credit_code")
        entry = Registered(
            row=number, ident=str(cells.get("id") or ""), name=str(cells.get("name") or ""),
            credit_code=normalize_code(str(code)) if code not in (None, "") else "",
            valid=record is not None,
            holds=frozenset((r.tier, r.date) for r in record.recognitions) if record else frozenset())
        entries.append((entry, record))
        if record is None:
            errors.append(evaluate_row(number, data, problem, context).cells())
    return entries, errors


def updated_record(record: EnterpriseRecord, matches: Iterable[Match], catalog: Catalog,
                   source: str, row: int) -> EnterpriseRecord:
    """The record with the recognitions its matches add, validated again as a whole."""
    added = [{"tier": m.listed.tier, "date": m.listed.date.isoformat()} for m in matches]
    if not added:
        return record
    data = record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["recognitions"] = [*data.get("recognitions", []), *added]
    return parse_record(data, source=source, row=row, catalog=catalog)


def record_cells(record: EnterpriseRecord) -> dict[str, object]:
    """A record as the enterprise template writes it: flat cells, one recognition-date column
    per tier (dates separated by `;`), list fields as JSON cells (what `read_rows` reads back)."""
    data = record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    cells: dict[str, object] = {key: data.get(key) for key in ("id", "name", "credit_code",
                                                          "district", "as_of")}
    cells["entity_type"] = record.entity_type
    cells["industries"] = ", ".join(record.industries) or None
    for tier in TIER_COLUMNS:
        cells[tier] = "; ".join(r.date.isoformat() for r in record.recognitions
                                if r.tier == tier) or None
    other = [r for r in data.get("recognitions", []) if r["tier"] not in TIER_COLUMNS]
    cells["recognitions"] = json.dumps(other, ensure_ascii=False) if other else None
    for key in ("moves", "expenses", "listings", "patents", "qualifications", "rewards_received"):
        cells[key] = json.dumps(data[key], ensure_ascii=False) if data.get(key) else None
    return cells


def import_recognitions(list_path: Path, registry_path: Path, out: Path, *, catalog: Catalog,
                        lang: str, tier: str | None = None, date: dt.date | None = None,
                        encoding: str | None = None, list_columns: dict[str, str] | None = None,
                        columns: dict[str, str] | None = None,
                        excel: bool = False) -> ImportResult:
    """Read both files, match, and write the registry with the recognitions added to `out`."""
    kind = format_of(out, "--out")
    listed, problems = read_list(list_path, tier=tier, date=date, catalog=catalog,
                                 encoding=encoding, column_map=list_columns)
    entries, errors = read_registry(registry_path, encoding=encoding, column_map=columns)
    matches = match_list(listed, Registry([entry for entry, _ in entries]))
    adding: dict[int, list[Match]] = {}
    for match in matches:
        if match.adds and match.registered is not None:
            adding.setdefault(match.registered.row, []).append(match)
    result = ImportResult(matches=matches, list_problems=problems, registry_rows=len(entries),
                          registry_errors=errors)
    headers = [CHINESE.get(c, c) if lang == "zh" else c for c in UPDATED_COLUMNS]
    if kind == ".jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for entry, record in entries:
                if record is not None:
                    changed = updated_record(record, adding.get(entry.row, []), catalog,
                                             str(registry_path), entry.row)
                    handle.write(changed.model_dump_json(by_alias=True, exclude_defaults=True) + "\n")
                    result.written += 1
        return result
    writer = RowWriter(out, list(UPDATED_COLUMNS), headers=headers, excel=excel)
    for entry, record in entries:
        if record is not None:
            writer.write(record_cells(updated_record(record, adding.get(entry.row, []), catalog,
                                                     str(registry_path), entry.row)))
            result.written += 1
    writer.close()
    return result


def report_rows(result: ImportResult) -> list[ReportRow]:
    """One report row per listed row, in the list's order, its message in the current language."""
    rows: list[ReportRow] = []
    for match in result.matches:
        entry, item = match.registered, match.listed
        rows.append({
            "list_row": item.row, "name": item.name, "credit_code": item.credit_code or None,
            "tier": item.tier, "date": item.date.isoformat(), "status": match.status,
            "registry_row": entry.row if entry else None, "id": entry.ident if entry else None,
            "registry_name": entry.name if entry else None,
            "registry_credit_code": (entry.credit_code or None) if entry else None,
            "candidates": "; ".join(_candidate(c) for c in match.candidates) or None,
            "message": match_message(match)})
    for number, name, problem in result.list_problems:
        rows.append({"list_row": number, "name": name or None, "status": "invalid_row",
                     "message": t("recognitions.status.invalid_row", problem=problem)})
    rows.sort(key=lambda row: row["list_row"])
    return rows


def _candidate(entry: Registered) -> str:
    code = f" {entry.credit_code}" if entry.credit_code else ""
    return t("recognitions.candidate", row=entry.row, id=entry.ident, name=entry.name, code=code)


def match_message(match: Match) -> str:
    """What became of a listed row, in words."""
    entry = match.registered
    text = t(f"recognitions.status.{match.status}",
             row=entry.row if entry else "", id=entry.ident if entry else "",
             registry_name=entry.name if entry else "", code=match.listed.credit_code,
             registry_code=entry.credit_code if entry else "",
             problem=match.code_problem or "", other=match.other_row or "",
             candidates="; ".join(_candidate(c) for c in match.candidates) or t("recognitions.none"))
    if match.renamed and entry is not None:
        text += t("recognitions.renamed", registry_name=entry.name)
    return text


def write_report(path: Path, rows: list[ReportRow], lang: str, *, excel: bool = False) -> Path:
    headers = [t(f"recognitions.column.{column}", lang) for column in REPORT_COLUMNS]
    writer = RowWriter(path, list(REPORT_COLUMNS), headers=headers, excel=excel)
    for row in rows:
        writer.write(dict(row))
    writer.close()
    return path


def write_registry_errors(path: Path, errors: list[dict[str, object]], lang: str) -> Path:
    from formats.columns import output_headers

    writer = RowWriter(path, list(ERROR_COLUMNS), headers=output_headers(ERROR_COLUMNS, lang))
    for row in errors:
        writer.write(row)
    writer.close()
    return path


def new_claims(records: list[EnterpriseRecord], before: list[EnterpriseRecord], day: dt.date,
               *, min_gain: int, readings: dict[str, str]) -> list[Action]:
    """The claims of a worklist of `records` that their records `before` an import did not give
    (an enterprise new to the registry: all its claims): who newly qualifies, for what, from
    whom, before when. An enterprise whose record did not change is not worked out at all."""
    from solver.worklist import worklist

    earlier = {record.id: record for record in before}
    found: list[Action] = []
    for record in records:
        old = earlier.get(record.id)
        if old == record:
            continue
        seen = set() if old is None else {
            _claim_key(a) for a in worklist(old, day, min_gain=min_gain, readings=readings)
            if a.kind == "claim"}
        found += [a for a in worklist(record, day, min_gain=min_gain, readings=readings)
                  if a.kind == "claim" and _claim_key(a) not in seen]
    return found


def _claim_key(action: Action) -> tuple[object, ...]:
    return (action.enterprise, action.subject, action.status, action.amount, action.claim_year)
