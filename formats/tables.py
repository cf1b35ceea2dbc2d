"""Streaming readers and writers for CSV, XLSX, JSONL and Parquet.

Readers yield `(row_number, data, problem)`: the record as a dict, or a problem (a broken JSON
line, a row with the wrong number of cells, bad cells) that the batch reports for that row. CSV
and XLSX hold one record per row: scalar fields as plain cells, list fields as JSON cells, e.g.
`recognitions` = `[{"tier": "municipal", "date": "2023-06-30"}]`, or the flat recognition-date
columns; headers in English or Chinese (`formats.columns`). Empty cells are left out.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from formats.columns import Columns
from formats.encoding import accepted as encodings
from formats.encoding import resolve as resolve_encoding
from models.errors import InputError
from models.i18n import t
from models.limits import MAX_RECORD_BYTES
from models.yamlio import parse_document

csv.field_size_limit(MAX_RECORD_BYTES)  # a JSON list cell may be long; a record is capped anyway
FORMATS = (".csv", ".xlsx", ".jsonl", ".parquet")

# (row number, record data, problem): a problem is a message, or (field, message).
Row = tuple[int, dict[str, Any] | None, "str | tuple[str, str] | None"]


def format_of(path: Path, option: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(t("io.unknown_format", suffix=suffix or t("io.no_extension")), file=str(path),
                         field=option, accepted=", ".join(FORMATS))
    return suffix


class Rows:
    """The rows of an input file (an iterator), and its resolved header (None for JSONL)."""

    def __init__(self, rows: Iterator[Row], columns: Columns | None = None) -> None:
        self.rows, self.columns = rows, columns

    def __iter__(self) -> Iterator[Row]:
        return self.rows

    def __next__(self) -> Row:
        return next(self.rows)


def read_rows(path: Path, *, encoding: str | None = None,
              column_map: dict[str, str] | None = None) -> Rows:
    """Rows of an input file, numbered as the user sees them: a spreadsheet's row number (the
    header is row 1, so data starts at row 2), a JSONL file's line number, a Parquet row's
    ordinal. CSV text is UTF-8 (with or without BOM) or GB18030, detected unless `encoding`."""
    kind = format_of(path, "INPUT")
    if not path.is_file():
        raise InputError(t("io.no_such_input_file"), file=str(path))
    if kind == ".jsonl":
        return Rows(_read_jsonl(path))
    if kind == ".csv":
        return _read_csv(path, resolve_encoding(path, encoding), column_map)
    if kind == ".xlsx":
        return _read_xlsx(path, column_map)
    return _read_parquet(path, column_map)


def _read_jsonl(path: Path) -> Iterator[Row]:
    with path.open("rb") as lines:  # bytes: a line that is not UTF-8 is that row's problem only
        yield from jsonl_rows(lines)


def jsonl_rows(lines: Iterable[bytes], start: int = 1) -> Iterator[Row]:
    """JSON lines (as bytes, split on \\n only, as a file reads) → rows numbered by line; blank
    lines are skipped, not counted as rows. A BOM before the first line is fine; a line that is not
    UTF-8, not JSON, has a duplicate key or a number of thousands of digits is an error row.
    Numbered from `start` (a partition of a file starts further on)."""
    for number, raw in enumerate(lines, start):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        data = _quick_object(raw)
        if data is not None:  # most lines: a plain JSON object, read at once
            yield number, data, None
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, t("row.not_utf8", byte=exc.start + 1)
            continue
        if not line.strip():
            continue
        try:
            data = _loads(line.rstrip("\r\n"))  # (a position in the row is a column)
        except ValueError as exc:
            yield number, None, str(exc)
            continue
        if not isinstance(data, dict):
            yield number, None, t("row.not_object", kind=type(data).__name__)
            continue
        yield number, data, None


_KEY = re.compile(r'"\s*:')


_QUOTE_SPACE = re.compile(rb'"[ \t\r\n]').search  # a quote before JSON whitespace


def _quick_object(raw: bytes) -> dict[str, Any] | None:
    """The object on a line of UTF-8 JSON when that is sure and quick (`_loads` reads the same
    data): orjson parsed bytes that are UTF-8 (it checks), to an object, and the line has no quote
    followed by whitespace, so every key it writes ends in `":`; as many of those as keys kept: no
    key given twice. None: any doubt (the exact road decides, with its messages)."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or _QUOTE_SPACE(raw):
        return None
    try:
        return data if _count_keys(data) == raw.count(b'":') else None
    except RecursionError:
        return None


def _loads(line: str) -> Any:
    """`parse_document(line, as_json=True)`, through orjson when that is sure to give the same
    data: orjson parsed it and no key can have been given twice (every key ends in `"` then `:`,
    so a line with no more such ends than the keys orjson kept has no duplicate). Anything else
    (an error, a possible duplicate) takes the exact road, with its messages."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return parse_document(line, as_json=True, one_line=True)
    try:
        if _count_keys(data) == len(_KEY.findall(line)):
            return data
    except RecursionError:  # nested too deeply to count: the exact road says so
        pass
    return parse_document(line, as_json=True, one_line=True)


def _count_keys(data: Any) -> int:
    """Every key of every object in `data` (type tests, no generators, no call for a list of
    plain values: called for every line)."""
    count = 0
    if type(data) is dict:
        count = len(data)
        values: Any = data.values()
    elif type(data) is list:
        values = data
    else:
        return 0
    for value in values:
        kind = type(value)
        if kind is list:
            for item in value:
                if type(item) is dict or type(item) is list:
                    count += _count_keys(item)
        elif kind is dict:
            count += _count_keys(value)
    return count


def _read_csv(path: Path, encoding: str, column_map: dict[str, str] | None) -> Rows:
    undecodable: set[int] = set()  # physical lines that are not `encoding` text
    try:
        handle = path.open("rb")
        reader = csv.reader(_decoded_lines(handle, encoding, undecodable))
        header = next(reader, None)
    except (OSError, UnicodeError, LookupError, csv.Error) as exc:
        raise InputError(t("io.csv_encoding", encoding=encoding, problem=exc), file=str(path),
                         field="--encoding", accepted=encodings()) from exc
    if undecodable:
        raise InputError(t("io.csv_header_encoding", encoding=encoding),
                         file=str(path),
                         field="--encoding", accepted=encodings())
    if not header:
        raise InputError(t("io.csv_empty"), file=str(path))
    columns = Columns([h.strip() for h in header], path, column_map)

    def rows() -> Iterator[Row]:
        # A row that cannot be read (bytes not in the encoding, a cell over the size limit) is
        # that row's error; the rows after it are read as usual.
        number, last_line = 1, reader.line_num
        blank: list[int] = []
        with handle:
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    last_line = reader.line_num
                    yield number, None, t("row.not_csv", problem=exc)
                    continue
                lines = range(last_line + 1, reader.line_num + 1)
                last_line = reader.line_num
                if any(line in undecodable for line in lines):
                    yield number, None, t("row.not_encoding", encoding=encoding)
                    continue
                if not any(c.strip() for c in cells):
                    blank.append(number)  # reported when a row with values follows it
                    continue
                yield from _blank_rows(blank)
                if len(cells) != len(columns.fields):
                    yield number, None, t("row.cell_count", cells=len(cells),
                                          columns=len(columns.fields))
                    continue
                yield number, *columns.record(cells)
    return Rows(rows(), columns)


def _blank_rows(blank: list[int]) -> Iterator[Row]:
    """The blank rows before a row with values, one error row each (emptied): a sheet's blank
    row is reported, never dropped silently; blank rows after the last row with values are the
    sheet's end, not rows."""
    for number in blank:
        yield number, None, t("row.blank")
    blank.clear()


def _decoded_lines(handle: Any, encoding: str, undecodable: set[int]) -> Iterator[str]:
    """The file's lines decoded one at a time, so that one undecodable line is that row's
    problem only (its number goes into `undecodable`). UTF-16 is decoded as a whole stream."""
    if codecs.lookup(encoding).name.startswith("utf-16"):
        try:
            yield from codecs.getreader(encoding)(handle)
        except UnicodeError as exc:
            raise InputError(t("io.csv_encoding", encoding=encoding, problem=exc), file=handle.name,
                             field="--encoding", accepted=encodings()) from None
        return
    for number, raw in enumerate(handle, 1):
        if number == 1 and encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            undecodable.add(number)
            yield raw.decode(encoding, errors="replace")


def _read_xlsx(path: Path, column_map: dict[str, str] | None) -> Rows:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        # The same sheet once more with formulas as written: a formula cell whose value was
        # never cached (a sheet written by a program, never opened and saved in Excel) reads as
        # empty above, and must be an error, not a silently missing value.
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(t("io.xlsx", problem=exc), file=str(path)) from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    written = formulas.worksheets[0].iter_rows(values_only=True)
    next(written, None)
    header = [str(h).strip() if h is not None else "" for h in next(values, ())]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError(t("io.xlsx_no_header"), file=str(path))
    columns = Columns(header, path, column_map)

    def rows() -> Iterator[Row]:
        blank: list[int] = []
        for number, cells in enumerate(values, 2):
            cells = list(cells)
            uncached = _uncached_formulas(cells, next(written, ()), header)
            if uncached:
                yield number, None, t("row.formula_uncached", cells=uncached)
                continue
            extra = [c for c in cells[len(header):] if c not in (None, "")]
            if not any(c not in (None, "") and not (isinstance(c, str) and not c.strip())
                       for c in cells):
                blank.append(number)  # reported when a row with values follows it
                continue
            yield from _blank_rows(blank)
            if extra:
                yield number, None, t("row.value_beyond", columns=len(header))
                continue
            cells = [c.isoformat()[:10] if hasattr(c, "isoformat") else c for c in cells]
            yield number, *columns.record(cells[:len(header)])
        book.close()
        formulas.close()
    return Rows(rows(), columns)


def _uncached_formulas(values: list[Any], written: tuple[Any, ...], header: list[str]) -> str:
    """The columns (as headed) of a row's formula cells that carry no cached value, joined."""
    return ", ".join(repr(header[i] if i < len(header) else f"column {i + 1}")
                     for i, text in enumerate(written)
                     if isinstance(text, str) and text.startswith("=")
                     and (i >= len(values) or values[i] is None))


def _read_parquet(path: Path, column_map: dict[str, str] | None) -> Rows:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(t("io.parquet", problem=exc), file=str(path)) from exc
    header = list(table.schema_arrow.names)
    columns = Columns(header, path, column_map)

    def rows() -> Iterator[Row]:
        number = 0
        for batch in table.iter_batches(batch_size=2048):
            for item in batch.to_pylist():
                number += 1
                cells = [item[h].isoformat() if hasattr(item[h], "isoformat") else item[h] for h in header]
                yield number, *columns.record(cells)
    return Rows(rows(), columns)


# -- writers --------------------------------------------------------------------------------------

class RowWriter:
    """Write result rows (flat dicts with a fixed column order) to CSV, JSONL, XLSX or Parquet."""

    def __init__(self, path: Path, columns: list[str], headers: list[str] | None = None, *,
                 excel: bool = False, sheet: str = "zjtx") -> None:
        """`headers`: what the header row shows (default the column names); `excel`: CSV with
        a UTF-8 byte-order mark, so that Excel reads Chinese text right; `sheet`: the XLSX
        sheet's name (in the command's language)."""
        self.path = path
        self.columns = columns
        self.kind = format_of(path, "--out")
        self.count = 0
        shown = headers or columns
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == ".csv":
            self._handle = path.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="")
            self._csv = csv.writer(self._handle)
            self._csv.writerow(shown)
        elif self.kind == ".jsonl":
            self._handle = path.open("w", encoding="utf-8")
        elif self.kind == ".xlsx":
            self._book, self._sheet = xlsx_sheet(shown, columns, sheet)
        else:
            self._batch: list[dict[str, Any]] = []
            self._parquet = None

    def write(self, row: dict[str, Any]) -> None:
        self.count += 1
        if self.kind == ".csv":
            self._csv.writerow([_cell(row.get(c)) for c in self.columns])
        elif self.kind == ".jsonl":
            self._handle.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        elif self.kind == ".xlsx":  # typed cells: amounts #,##0, dates as dates, booleans
            self._sheet.append([xlsx_cell(self._sheet, c, row.get(c)) for c in self.columns])
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
        writer = self._parquet
        if writer is None:
            writer = self._parquet = pq.ParquetWriter(self.path, table.schema)
        writer.write_table(table)
        self._batch = []

    def _schema(self):
        import pyarrow as pa

        def kind(column: str):
            if column in ("id", "name", "credit_code", "district", "best_district", "field",
                          "message", "warnings"):
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
            fix_xlsx_timestamps(self.path)
        else:
            self._flush_parquet()
            if self._parquet is not None:
                self._parquet.close()


def _display_width(text: str) -> int:
    """Columns a header takes on screen (a Chinese character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# Columns that hold a year, a count or a row number, not an amount (no thousands separator), and
# columns that hold a day (written as a date cell).
_PLAIN_NUMBERS = frozenset({"claim_year", "row", "year", "rows_in", "rows_out"})
_DAYS = frozenset({"deadline"})
# Widths (characters) of the columns whose text runs long.
_WIDE = {"name": 28, "office": 34, "note": 60, "subject": 30, "message": 80, "field": 24,
         "warnings": 40, "credit_code": 20, "enterprise": 14}


def xlsx_sheet(headers: list[str], columns: list[str] | None = None,
               title: str = "zjtx") -> tuple[Any, Any]:
    """A write-only workbook with one sheet named `title`: bold frozen header row, widths that
    fit the header and what the column holds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, 1):
        column = columns[index - 1] if columns else ""
        wide = _WIDE.get(column, 14 if column.endswith((".min", ".max", "_min", "_max")) else 10)
        sheet.column_dimensions[get_column_letter(index)].width = \
            min(max(_display_width(header) + 2, wide), 80)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    return book, sheet


def xlsx_cell(sheet: Any, column: str, value: Any) -> Any:
    """One typed cell: an amount with a thousands separator (#,##0), a day as a date cell, other
    values as they are."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, int) and not isinstance(value, bool) and column not in _PLAIN_NUMBERS:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0"
        return cell
    if column in _DAYS and isinstance(value, str) and len(value) == 10:
        import datetime as dt

        cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(value))
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def fix_xlsx_timestamps(path: Path) -> None:
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
