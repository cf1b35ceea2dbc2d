"""`zjtx worklist` files: enterprises in (any batch input, or one record), the worklist out
(XLSX, CSV or JSONL, headers and kinds in Chinese or English) and its calendar (.ics)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from formats.batch import with_duplicates
from formats.columns import output_headers
from formats.tables import Row, RowWriter, read_rows
from models.errors import InputError, RecordError
from models.i18n import t
from models.record import EnterpriseRecord, load_record, parse_record
from solver.batch import BatchOptions, RowContext, evaluate_row
from solver.worklist import COLUMNS

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
def read_enterprises(path: Path, *, encoding: str | None = None,
                     column_map: dict[str, str] | None = None
                     ) -> tuple[list[EnterpriseRecord], list[dict[str, object]]]:
    """The valid records of an input, and an error row (as `zjtx batch` writes it) per bad row."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        return [load_record(path)], []
    rows = read_rows(path, encoding=encoding, column_map=column_map)
    return records_of(rows, rows.columns.labels if rows.columns else {})


def records_of(rows: Iterable[Row], labels: dict[str, str] | None = None
               ) -> tuple[list[EnterpriseRecord], list[dict[str, object]]]:
    """Valid records, and an error row per bad row (duplicate ids and credit codes included)."""
    context = RowContext(BatchOptions(labels=labels or {}))
    records, problems = [], []
    for number, data, record, problem in read_records(rows):
        if record is not None:
            records.append(record)
        else:  # evaluate_row names every problem of the row, as the batch does
            problems.append(evaluate_row(number, data, problem, context).cells())
    return records, problems


def read_records(rows: Iterable[Row]) -> Iterator[
        tuple[int, dict[str, Any] | None, EnterpriseRecord | None, str | tuple[str, str] | None]]:
    """Each row as `zjtx batch` reads it: its number, its data, the record when the row is
    valid (else None), and the reader's problem (a duplicate id or credit code included)."""
    for number, data, problem in with_duplicates(iter(rows)):
        if problem is None:
            try:
                yield number, data, parse_record(data, source="row", row=number), None
                continue
            except RecordError:
                pass
        yield number, data, None, problem


def write_worklist(path: Path, rows: list[dict[str, object]], lang: str = "en", *,
                   excel: bool = False) -> Path:
    if path.suffix.lower() not in (".xlsx", ".csv", ".jsonl"):
        raise InputError(t("io.unknown_format", suffix=path.suffix or t("io.no_extension")),
                         file=str(path), field="--out",
                         accepted=".xlsx, .csv, .jsonl")
    from formats.safety import writing

    with writing(path, "--out"):
        writer = RowWriter(path, list(COLUMNS), headers=output_headers(COLUMNS, lang), excel=excel,
                           sheet=t("sheet.worklist", lang))
        for row in rows:  # as views.worklist.for_people gives them
            writer.write(row)
        writer.close()
    return path
