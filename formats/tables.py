"""Streaming readers and writers for CSV, XLSX, JSONL and Parquet.

Readers yield `(row_number, data, problem)`: the record as a dict, or a problem (a broken JSON
line, a row with the wrong number of cells) that the batch reports for that row. CSV and XLSX
hold one record per row: scalar fields as plain cells, list fields as JSON cells, e.g.
`recognitions` = `[{"tier": "municipal", "date": "2023-06-30"}]`; `industries` may also be a
comma-separated list. Empty cells are left out.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.record import EnterpriseRecord

FORMATS = (".csv", ".xlsx", ".jsonl", ".parquet")
LIST_FIELDS = ("industries", "recognitions", "moves", "rewards_received", "qualifications",
               "expenses", "listings", "patents")
RECORD_COLUMNS = tuple(field.alias or name for name, field in EnterpriseRecord.model_fields.items())

# (row number, record data, problem): a problem is a message, or (field, message).
Row = tuple[int, dict[str, Any] | None, "str | tuple[str, str] | None"]


def format_of(path: Path, option: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"unknown format {suffix or '(no extension)'!r}", file=str(path),
                         field=option, accepted=", ".join(FORMATS))
    return suffix


def _check_header(header: list[str], path: Path) -> None:
    for column in header:
        if column not in RECORD_COLUMNS:
            near = difflib.get_close_matches(column, RECORD_COLUMNS, n=1)
            raise InputError(f"unknown column {column!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
                             file=str(path), accepted=", ".join(RECORD_COLUMNS))
    if "id" not in header:
        raise InputError("no `id` column", file=str(path), accepted=", ".join(RECORD_COLUMNS))


def _from_cells(header: list[str], cells: list[Any], number: int) -> Row:
    """A flat row → record data; JSON cells for list fields."""
    data: dict[str, Any] = {}
    problem: tuple[str, str] | None = None
    for column, cell in zip(header, cells):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if column in LIST_FIELDS and isinstance(cell, str):
            text = cell.strip()
            if text.startswith("["):
                try:
                    cell = json.loads(text)
                except RecursionError:
                    problem = problem or (column, "not a JSON list (nested too deeply)")
                    continue
                except json.JSONDecodeError as exc:
                    problem = problem or (column, f"not a JSON list ({exc.msg})")
                    continue
            elif column == "industries":
                cell = [tag.strip() for tag in text.split(",") if tag.strip()]
            else:
                problem = problem or (column, "expected a JSON list like [{...}]")
                continue
        if column == "id" and isinstance(cell, (int, float)) and not isinstance(cell, bool):
            cell = str(int(cell)) if float(cell).is_integer() else str(cell)  # a spreadsheet number
        data[column] = cell
    return number, data, problem


def read_rows(path: Path) -> Iterator[Row]:
    """Rows of an input file, numbered from 1 (the first data row or line)."""
    kind = format_of(path, "INPUT")
    if not path.is_file():
        raise InputError("no such input file", file=str(path))
    if kind == ".jsonl":
        return _read_jsonl(path)
    if kind == ".csv":
        return _read_csv(path)
    if kind == ".xlsx":
        return _read_xlsx(path)
    return _read_parquet(path)


def _read_jsonl(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8") as lines:
        yield from jsonl_rows(lines)


def jsonl_rows(lines: Iterable[str]) -> Iterator[Row]:
    """JSON lines → rows numbered by line (blank lines are skipped, not counted as rows)."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
            continue
        except RecursionError:
            yield number, None, "not valid JSON: nested too deeply"
            continue
        if not isinstance(data, dict):
            yield number, None, f"expected a JSON object, got {type(data).__name__}"
            continue
        yield number, data, None


def _read_csv(path: Path) -> Iterator[Row]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
        header = next(reader, None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read CSV: {exc}", file=str(path)) from exc
    if not header:
        raise InputError("the CSV file is empty (no header row)", file=str(path))
    header = [h.strip() for h in header]
    _check_header(header, path)

    def rows() -> Iterator[Row]:
        with handle:
            for number, cells in enumerate(reader, 1):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    yield number, None, (f"wrong number of columns: {len(cells)} cells for "
                                         f"{len(header)} columns")
                    continue
                yield _from_cells(header, cells, number)
    return rows()


def _read_xlsx(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"cannot read XLSX: {exc}", file=str(path)) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(values, ())]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError("the first sheet has no header row", file=str(path))
    _check_header(header, path)

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(values, 1):
            cells = list(cells)
            extra = [c for c in cells[len(header):] if c not in (None, "")]
            if not any(c not in (None, "") for c in cells):
                continue
            if extra:
                yield number, None, f"wrong number of columns: a value beyond the {len(header)} columns"
                continue
            cells = [c.isoformat()[:10] if hasattr(c, "isoformat") else c for c in cells]
            yield _from_cells(header, cells[:len(header)], number)
        book.close()
    return rows()


def _read_parquet(path: Path) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from exc
    header = list(table.schema_arrow.names)
    _check_header(header, path)

    def rows() -> Iterator[Row]:
        number = 0
        for batch in table.iter_batches(batch_size=2048):
            for item in batch.to_pylist():
                number += 1
                cells = [item[h].isoformat() if hasattr(item[h], "isoformat") else item[h] for h in header]
                yield _from_cells(header, cells, number)
    return rows()


# -- writers --------------------------------------------------------------------------------------

class RowWriter:
    """Write result rows (flat dicts with a fixed column order) to CSV, JSONL, XLSX or Parquet."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self.kind = format_of(path, "--out")
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == ".csv":
            self._handle = path.open("w", encoding="utf-8", newline="")
            self._csv = csv.writer(self._handle)
            self._csv.writerow(columns)
        elif self.kind == ".jsonl":
            self._handle = path.open("w", encoding="utf-8")
        elif self.kind == ".xlsx":
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet("zjtx")
            self._sheet.append(columns)
        else:
            self._batch: list[dict[str, Any]] = []
            self._parquet = None

    def write(self, row: dict[str, Any]) -> None:
        self.count += 1
        if self.kind == ".csv":
            self._csv.writerow([_cell(row.get(c)) for c in self.columns])
        elif self.kind == ".jsonl":
            self._handle.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        elif self.kind == ".xlsx":
            self._sheet.append([_cell(row.get(c)) for c in self.columns])
        else:
            self._batch.append({c: row.get(c) for c in self.columns})
            if len(self._batch) >= 4096:
                self._flush_parquet()

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._batch and self._parquet is not None:
            return
        table = pa.Table.from_pylist(self._batch, schema=self._schema())
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema)
        self._parquet.write_table(table)
        self._batch = []

    def _schema(self):
        import pyarrow as pa

        def kind(column: str):
            if column in ("id", "district", "best_district", "field", "message"):
                return pa.string()
            if column == "open_above":
                return pa.bool_()
            return pa.int64()
        return pa.schema([(c, kind(c)) for c in self.columns])

    def close(self) -> None:
        if self.kind in (".csv", ".jsonl"):
            self._handle.close()
        elif self.kind == ".xlsx":
            self._book.save(self.path)
            _fix_xlsx_timestamps(self.path)
        else:
            self._flush_parquet()
            if self._parquet is not None:
                self._parquet.close()


def _fix_xlsx_timestamps(path: Path) -> None:
    """openpyxl stamps the save time into the file; rewrite it with fixed times so that the same
    rows give the same bytes (as CSV, JSONL and Parquet do)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    fixed = b"2000-01-01T00:00:00Z"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + fixed, data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value
