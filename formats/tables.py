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
import io
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

from formats.columns import Columns, Schema
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
              column_map: dict[str, str] | None = None, schema: Schema | None = None,
              option: str = "INPUT") -> Rows:
    """Rows of an input file, numbered as the user sees them: a spreadsheet's row number (the
    header is row 1, so data starts at row 2), a JSONL file's line number, a Parquet row's
    ordinal. CSV text is UTF-8 (with or without BOM) or GB18030, detected unless `encoding`.
    `schema`: another kind of sheet than enterprises (its headers; a JSONL line's keys too)."""
    kind = format_of(path, option)
    if not path.is_file():
        raise InputError(t("io.no_such_input_file"), file=str(path))
    if kind == ".jsonl":
        rows = _read_jsonl(path)
        return Rows(rows if schema is None else _keyed(rows, path, column_map, schema))
    if kind == ".csv":
        return _read_csv(path, resolve_encoding(path, encoding), column_map, schema)
    if kind == ".xlsx":
        return _read_xlsx(path, column_map, schema)
    return _read_parquet(path, column_map, schema)


def _keyed(rows: Iterator[Row], path: Path, column_map: dict[str, str] | None,
           schema: Schema) -> Iterator[Row]:
    """JSON lines whose keys are headers (`{"企业名称": …}`), read as a sheet's rows are."""
    resolved: dict[tuple[str, ...], Columns] = {}
    for number, data, problem in rows:
        if data is None:
            yield number, data, problem
            continue
        keys = tuple(str(key) for key in data)
        try:
            columns = resolved.get(keys) or resolved.setdefault(
                keys, Columns(list(keys), path, column_map, schema))
        except InputError as exc:  # this line's keys: the line's problem
            yield number, None, exc.message
            continue
        yield number, *columns.record(list(data.values()))


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


# -- rows read at once --------------------------------------------------------------------------
# Rows read at once into Arrow columns, each value as written: JSON lines (a JSON Lines file's own,
# or a sheet row's data written as one by `json_line`) through Arrow's JSON reader with a fixed
# schema (`raw_schema`: the record's fields as the normalizer reads them, whole numbers as
# integers, the rest as text). Arrow reads a line as the exact road does (`jsonl_rows`) or refuses
# it, and is never given what it could read otherwise: a `null` (it cannot tell one from a missing
# key), a control character or a surrogate escape, a byte-order mark. Lines it refuses are halved
# until alone and left to the exact road (tests/test_batch.py holds the two roads equal).
_NOT_AT_ONCE = re.compile(rb"null|[\x00-\x08\x0b\x0c\x0e-\x1f]|\r.|\\u[dD][89a-fA-F]|^\xef\xbb\xbf",
                          re.MULTILINE)
_SCHEMA: list[Any] = []  # built on first use: pyarrow is imported only when rows are read at once


def raw_schema() -> Any:
    """The Arrow schema of the raw columns: every field of a record, a list of objects as the
    normalizer reads its items (amounts and whole numbers as integers), everything else text."""
    if not _SCHEMA:
        import pyarrow as pa

        from models.normalize import ITEM_KINDS
        from models.record import EnterpriseRecord

        def column(name: str) -> Any:
            if name in ITEM_KINDS:
                return pa.list_(pa.struct([(key, pa.int64() if kind in ("amount", "integer")
                                            else pa.string()) for key, kind in ITEM_KINDS[name].items()]))
            return pa.list_(pa.string()) if name == "industries" else pa.string()
        _SCHEMA.append(pa.schema([(field.alias or name, column(field.alias or name))
                                  for name, field in EnterpriseRecord.model_fields.items()]))
    return _SCHEMA[0]


def read_at_once(lines: list[bytes]) -> tuple[Any, list[int]]:
    """The JSON lines (without their newline) that Arrow reads as the exact road would, as one
    table of raw columns (None: no line), and their positions in `lines`."""
    import pyarrow as pa
    import pyarrow.json as pj

    options = pj.ParseOptions(explicit_schema=raw_schema(), unexpected_field_behavior="error")
    tables: list[Any] = []
    kept: list[int] = []

    def read(part: list[int], data: bytes | None = None) -> None:
        data = data if data is not None else b"\n".join([lines[i] for i in part])
        try:
            table = pj.read_json(io.BytesIO(data), parse_options=options, read_options=pj.ReadOptions(
                use_threads=False, block_size=len(data) + 1))
            if table.num_rows == len(part):  # (not two objects on a line)
                tables.append(table)
                kept.extend(part)
                return
        except Exception:  # noqa: BLE001 - anything Arrow refuses goes the exact road
            pass
        if len(part) > 1:
            read(part[:len(part) // 2])
            read(part[len(part) // 2:])
    data = b"\n".join(lines)
    refused: set[int] = set()
    suspect = _suspect(data)  # (the regular expression only when one of its parts is there at all)
    if suspect or not data.isascii():
        starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
        if suspect:
            refused = {bisect_right(starts, found.start()) - 1
                       for found in _NOT_AT_ONCE.finditer(data)}
        start = 0
        while start < len(data):  # Arrow does not check UTF-8: a line that is not is refused
            try:
                data[start:].decode("utf-8")
                break
            except UnicodeDecodeError as exc:
                line = bisect_right(starts, start + exc.start) - 1
                refused.add(line)
                start = starts[line + 1]
    if lines:
        read([i for i in range(len(lines)) if i not in refused], None if refused else data)
    return (pa.concat_tables(tables) if tables else None), kept


def _suspect(data: bytes) -> bool:
    """Might `_NOT_AT_ONCE` match? (Tests at the speed of memory, where the expression is slow.)"""
    controls = data.translate(None, _NOT_CONTROL)  # the control characters, newlines included
    return (b"null" in data or b"\\ud" in data or b"\\uD" in data or b"\xef\xbb\xbf" in data
            or len(controls.translate(None, b"\r\n")) > 0
            or (b"\r" in controls  # a carriage return but at a line's end
                and data.count(b"\r") != data.count(b"\r\n") + data.endswith(b"\r")))


_NOT_CONTROL = bytes(range(0x20, 0x100)) + b"\t"


def json_line(data: dict[str, Any]) -> bytes | None:
    """A sheet row's data as one JSON line for `read_at_once` (its industries as a list, as the
    normalizer splits one cell); None when it has no such line (a value JSON cannot write)."""
    from models.normalize import split_tags

    if isinstance(data.get("industries"), str):
        data = {**data, "industries": split_tags(data["industries"])}
    try:
        return orjson.dumps(data)
    except TypeError:
        return None


def _read_csv(path: Path, encoding: str, column_map: dict[str, str] | None,
              schema: Schema | None = None) -> Rows:
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
    columns = Columns([h.strip() for h in header], path, column_map, schema)

    def rows() -> Iterator[Row]:
        # A row that cannot be read (bytes not in the encoding, a cell over the size limit) is
        # that row's error; the rows after it are read as usual.
        number, last_line = 1, reader.line_num
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
                    continue
                if len(cells) != len(columns.fields):
                    yield number, None, t("row.cell_count", cells=len(cells),
                                          columns=len(columns.fields))
                    continue
                yield number, *columns.record(cells)
    return Rows(rows(), columns)


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


def _read_xlsx(path: Path, column_map: dict[str, str] | None,
               schema: Schema | None = None) -> Rows:
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
    columns = Columns(header, path, column_map, schema)

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(values, 2):
            cells = list(cells)
            uncached = _uncached_formulas(cells, next(written, ()), header)
            if uncached:
                yield number, None, t("row.formula_uncached", cells=uncached)
                continue
            extra = [c for c in cells[len(header):] if c not in (None, "")]
            if not any(c not in (None, "") for c in cells):
                continue
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


def _read_parquet(path: Path, column_map: dict[str, str] | None,
                  schema: Schema | None = None) -> Rows:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(t("io.parquet", problem=exc), file=str(path)) from exc
    header = list(table.schema_arrow.names)
    columns = Columns(header, path, column_map, schema)

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
                 excel: bool = False) -> None:
        """`headers`: what the header row shows (default the column names); `excel`: CSV with
        a UTF-8 byte-order mark, so that Excel reads Chinese text right."""
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
            self._book, self._sheet = xlsx_sheet(shown)
        else:
            self._batch: list[dict[str, Any]] = []
            self._parquet = None

    def write(self, row: dict[str, Any]) -> None:
        self.count += 1
        if self.kind == ".csv":
            self._csv.writerow([_cell(row.get(c)) for c in self.columns])
        elif self.kind == ".jsonl":
            self._handle.write(json.dumps({c: row.get(c) for c in self.columns}, ensure_ascii=False) + "\n")
        elif self.kind == ".xlsx":  # typed cells: numbers, booleans, empty
            self._sheet.append([row.get(c) for c in self.columns])
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


def xlsx_sheet(headers: list[str]) -> tuple[Any, Any]:
    """A write-only workbook with one sheet: bold frozen header row, widths that fit it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("zjtx")
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(_display_width(header) + 2, 10), 60)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    return book, sheet


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
