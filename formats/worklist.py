"""`zjtx worklist` files: enterprises in (any batch input, or one record), the worklist out
(XLSX, CSV or JSONL, headers and kinds in Chinese or English) and its calendar (.ics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from formats.batch import with_duplicates
from formats.columns import output_headers
from formats.ics import calendar_bytes, worklist_events, write_calendar
from formats.tables import Row, RowWriter, read_rows
from models.errors import RecordError
from models.record import EnterpriseRecord, load_record, parse_record
from solver.batch import BatchOptions, evaluate_row
from solver.worklist import COLUMNS

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
# The worklist's words in Chinese (the project's own labels).
KIND_ZH = {"claim": "申领奖励", "apply": "申报认定", "near_miss": "差一步"}
STATUS_ZH = {"due": "应申领", "past": "往年未领（请核实是否已拨付）", "open": "窗口开放", "suggested": "建议"}
TIER_ZH = {"innovative": "创新型中小企业", "municipal": "专精特新中小企业", "national": "专精特新“小巨人”"}


def read_enterprises(path: Path, *, encoding: str | None = None,
                     column_map: dict[str, str] | None = None
                     ) -> tuple[list[EnterpriseRecord], list[dict[str, Any]]]:
    """The valid records of an input, and an error row (as `zjtx batch` writes it) per bad row."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        return [load_record(path)], []
    rows = read_rows(path, encoding=encoding, column_map=column_map)
    return records_of(rows, rows.columns.labels if rows.columns else {})


def records_of(rows: Iterable[Row], labels: dict[str, str] | None = None
               ) -> tuple[list[EnterpriseRecord], list[dict[str, Any]]]:
    """Valid records, and an error row per bad row (duplicate ids and credit codes included)."""
    options = BatchOptions(labels=labels or {})
    records, problems = [], []
    for number, data, problem in with_duplicates(iter(rows), {}):
        if problem is None:
            try:
                records.append(parse_record(data, source="row", row=number))
                continue
            except RecordError:
                pass  # evaluate_row names every problem of the row, as the batch does
        problems.append(evaluate_row(number, data, problem, options)["error"])
    return records, problems


def localized(row: dict[str, Any], lang: str) -> dict[str, Any]:
    if lang != "zh":
        return row
    subject = TIER_ZH.get(row["subject"], row["subject"]) if row["kind"] == "apply" else row["subject"]
    return {**row, "kind": KIND_ZH[row["kind"]], "status": STATUS_ZH[row["status"]], "subject": subject}


def write_worklist(path: Path, rows: list[dict[str, Any]], lang: str = "en", *,
                   excel: bool = False) -> Path:
    writer = RowWriter(path, list(COLUMNS), headers=output_headers(COLUMNS, lang), excel=excel)
    for row in rows:
        writer.write(localized(row, lang))
    writer.close()
    return path


def write_worklist_ics(path: Path, rows: list[dict[str, Any]], day: dt.date) -> Path:
    return write_calendar(path, calendar_bytes(f"zjtx worklist {day.isoformat()}",
                                               worklist_events(rows), day))
