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
from collections.abc import Iterable, Iterator, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import orjson

from formats.columns import Columns, Schema
from formats.encoding import accepted as encodings
from formats.encoding import resolve as resolve_encoding
from models.errors import BugError, InputError
from models.i18n import current_lang, t
from models.limits import (MAX_LINE_BYTES, MAX_RECORD_BYTES, MAX_SHARED_STRINGS, MAX_SHEET_ROWS,
                           MAX_XLSX_BYTES, MAX_XLSX_STRINGS_BYTES, Quoted, shown)
from models.yamlio import parse_document

csv.field_size_limit(MAX_RECORD_BYTES)  # a JSON list cell may be long; a record is capped anyway
FORMATS = (".csv", ".xlsx", ".jsonl", ".parquet")

# (row number, record data, problem): a problem is a message, or (field, message).
Row = tuple[int, dict[str, object] | None, "str | tuple[str, str] | None"]


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
    with path.open("rb") as handle:  # bytes: a line that is not UTF-8 is that row's problem only
        yield from jsonl_rows(bounded_lines(handle))


class LongLine(bytes):
    """A line longer than MAX_LINE_BYTES, skipped without being held: empty, with its `size`
    (it is an error row, never parsed)."""

    size: int = 0


def bounded_lines(handle: Any, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary `handle` (each with its \\n), as iterating the file gives them, except
    that a line longer than `limit` bytes is never held in memory: it is read past in blocks and
    given as a `LongLine` (its size only). Memory stays within `limit` whatever the file."""
    readline = handle.readline
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = readline(1 << 20)
            if not line:
                break
            size += len(line)
        long = LongLine()
        long.size = size
        yield long


def jsonl_rows(lines: Iterable[bytes], start: int = 1) -> Iterator[Row]:
    """JSON lines (as bytes, split on \\n only, as a file reads) → rows numbered by line; blank
    lines are skipped, not counted as rows. A BOM before the first line is fine; a line that is not
    UTF-8, not JSON, has a duplicate key or a number of thousands of digits is an error row, and
    so is a `LongLine` (`bounded_lines`).
    Numbered from `start` (a partition of a file starts further on)."""
    for number, raw in enumerate(lines, start):
        if type(raw) is LongLine:
            yield number, None, t("row.line_too_long", size=raw.size, limit=MAX_LINE_BYTES)
            continue
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
            data = parse_document(line.rstrip("\r\n"), as_json=True, one_line=True)
        except ValueError as exc:
            yield number, None, str(exc)
            continue
        if not isinstance(data, dict):
            yield number, None, t("row.not_object", kind=type(data).__name__)
            continue
        yield number, data, None


_QUOTE_SPACE = re.compile(rb'"[ \t\r\n]').search  # a quote before JSON whitespace


def _quick_object(raw: bytes) -> dict[str, object] | None:
    """The object on a line of UTF-8 JSON when that is sure and quick (the exact parser,
    `parse_document`, reads the same data): orjson parsed bytes that are UTF-8 (it checks), to an object, and the line has no quote
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
    tables: list[Any] = []
    kept: list[int] = []
    # Parts of the lines to read, the next last; a part Arrow refuses is halved. (A loop, not a
    # recursive closure: that would be a reference cycle holding the block's lines and tables
    # until a full collection, and the parent's memory grew with the rows.)
    parts = [([i for i in range(len(lines)) if i not in refused], b"" if refused else data)]
    while lines and parts:
        part, data = parts.pop()
        data = data or b"\n".join([lines[i] for i in part])
        try:
            table = pj.read_json(io.BytesIO(data), parse_options=options, read_options=pj.ReadOptions(
                use_threads=False, block_size=len(data) + 1))
            if table.num_rows == len(part):  # (not two objects on a line)
                tables.append(table)
                kept.extend(part)
                continue
        except Exception:  # noqa: BLE001 - anything Arrow refuses goes the exact road
            pass
        if len(part) > 1:
            parts += [(part[len(part) // 2:], b""), (part[:len(part) // 2], b"")]
    return (pa.concat_tables(tables) if tables else None), kept


def _suspect(data: bytes) -> bool:
    """Might `_NOT_AT_ONCE` match? (Tests at the speed of memory, where the expression is slow.)"""
    controls = data.translate(None, _NOT_CONTROL)  # the control characters, newlines included
    return (b"null" in data  # (a byte that cannot be there is looked for first: memchr's speed)
            or (b"\\" in data and (b"\\ud" in data or b"\\uD" in data))
            or (not data.isascii() and b"\xef\xbb\xbf" in data)
            or len(controls.translate(None, b"\r\n")) > 0
            or (b"\r" in controls  # a carriage return but at a line's end
                and data.count(b"\r") != data.count(b"\r\n") + data.endswith(b"\r")))


_NOT_CONTROL = bytes(range(0x20, 0x100)) + b"\t"


def json_line(data: Mapping[str, object]) -> bytes | None:
    """A sheet row's data as one JSON line for `read_at_once` (its industries as a list, as the
    normalizer splits one cell); None when it has no such line (a value JSON cannot write)."""
    from models.normalize import split_tags

    industries = data.get("industries")
    if isinstance(industries, str):
        data = {**data, "industries": split_tags(industries)}
    try:
        return orjson.dumps(data)
    except TypeError:
        return None


def _read_csv(path: Path, encoding: str, column_map: dict[str, str] | None,
              schema: Schema | None = None) -> Rows:
    undecodable: dict[int, str] = {}  # physical lines not read (not `encoding` text, too long)
    try:
        handle = path.open("rb")
        reader = csv.reader(_decoded_lines(handle, encoding, undecodable))
        header = next(reader, None)
    except (OSError, UnicodeError, LookupError, csv.Error) as exc:
        raise InputError(t("io.csv_encoding", encoding=encoding, problem=exc), file=str(path),
                         field="--encoding", accepted=encodings()) from exc
    if undecodable:
        problem = next(iter(undecodable.values()))
        if problem != t("row.not_encoding", encoding=encoding):  # a header line far too long
            raise InputError(problem, file=str(path))
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
        blank: list[list[int]] = []
        with handle:
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    last_line = reader.line_num
                    yield from _blank_rows(blank)  # (rows in their order)
                    yield number, None, t("row.not_csv", problem=exc)
                    continue
                lines = range(last_line + 1, reader.line_num + 1)
                last_line = reader.line_num
                bad = next((undecodable[line] for line in lines if line in undecodable), None)
                if bad is not None:
                    yield from _blank_rows(blank)
                    yield number, None, bad
                    continue
                if not any(c.strip() for c in cells):
                    _blank(blank, number)  # reported when a row with values follows it
                    continue
                yield from _blank_rows(blank)
                if len(cells) != len(columns.fields):
                    yield number, None, t("row.cell_count", cells=len(cells),
                                          columns=len(columns.fields))
                    continue
                yield number, *columns.record(cells)
    return Rows(rows(), columns)


def _blank(blank: list[list[int]], first: int, last: int | None = None) -> None:
    """Note the blank rows `first` … `last` (runs of them, never one entry per row)."""
    last = first if last is None else last
    if last < first:
        return
    if blank and blank[-1][1] == first - 1:
        blank[-1][1] = last
    else:
        blank.append([first, last])


def _blank_rows(blank: list[list[int]]) -> Iterator[Row]:
    """The blank rows before a row with values, one error row per run of them (then forgotten):
    a sheet's blank row is reported, never dropped silently; blank rows after the last row with
    values are the sheet's end, not rows."""
    for first, last in blank:
        yield first, None, (t("row.blank") if first == last else
                            t("row.blank_rows", first=first, last=last))
    blank.clear()


def _decoded_lines(handle: Any, encoding: str, undecodable: dict[int, str]) -> Iterator[str]:
    """The file's lines decoded one at a time, so that one undecodable or over-long line is that
    row's problem only (its number and problem go into `undecodable`; an empty line stands in
    for it). UTF-16 is decoded as a whole stream, a line at most MAX_LINE_BYTES long too."""
    if codecs.lookup(encoding).name.startswith("utf-16"):
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        try:
            for number, line in enumerate(iter(lambda: text.readline(MAX_LINE_BYTES // 2 + 1), ""), 1):
                if len(line) > MAX_LINE_BYTES // 2 and not line.endswith("\n"):
                    size = len(line)
                    while line and not line.endswith("\n"):
                        line = text.readline(1 << 19)
                        size += len(line)
                    undecodable[number] = t("row.line_too_long", size=2 * size, limit=MAX_LINE_BYTES)
                    yield "\n"
                    continue
                yield line
        except UnicodeError as exc:
            raise InputError(t("io.csv_encoding", encoding=encoding, problem=exc), file=handle.name,
                             field="--encoding", accepted=encodings()) from None
        return
    for number, raw in enumerate(bounded_lines(handle), 1):
        if type(raw) is LongLine:
            undecodable[number] = t("row.line_too_long", size=raw.size, limit=MAX_LINE_BYTES)
            yield "\n"
            continue
        if number == 1 and encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            undecodable[number] = t("row.not_encoding", encoding=encoding)
            yield raw.decode(encoding, errors="replace")


def check_xlsx(path: Path) -> None:
    """The bounds of an XLSX input (models.limits), checked in the zip before a part is read:
    the parts' uncompressed sizes (the sizes a zip declares are the most it unpacks), the size
    and the number of shared strings (openpyxl reads them whole), and what is not a sheet."""
    import zipfile

    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS, WORKSHEET_TYPE
    from openpyxl.xml.functions import fromstring

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(t("io.xlsx", problem=exc), file=str(path)) from None
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        if total > MAX_XLSX_BYTES:
            raise InputError(t("io.xlsx_too_large", size=total, limit=MAX_XLSX_BYTES), file=str(path))
        try:
            if archive.getinfo(ARC_CONTENT_TYPES).file_size > MAX_XLSX_STRINGS_BYTES:
                raise KeyError(ARC_CONTENT_TYPES)
            manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise InputError(t("io.xlsx", problem=shown(exc)), file=str(path)) from None
        sheets = {item.PartName.lstrip("/") for item in manifest.findall(WORKSHEET_TYPE)}
        strings = manifest.find(SHARED_STRINGS)
        for info in infos:  # every part but the sheets is read whole
            if info.filename not in sheets and info.file_size > MAX_XLSX_STRINGS_BYTES:
                raise InputError(t("io.xlsx_part_too_large", part=shown(info.filename),
                                   size=info.file_size, limit=MAX_XLSX_STRINGS_BYTES),
                                 file=str(path))
        if strings is not None:
            try:
                with archive.open(strings.PartName.lstrip("/")) as source:
                    count = _count_tags(source, b"si", MAX_SHARED_STRINGS)
            except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
                raise InputError(t("io.xlsx", problem=shown(exc)), file=str(path)) from None
            if count > MAX_SHARED_STRINGS:
                raise InputError(t("io.xlsx_strings", most=MAX_SHARED_STRINGS), file=str(path))


def _count_tags(source: Any, tag: bytes, most: int) -> int:
    """How many `<tag …>` elements (any namespace prefix) an XML stream opens, counted in blocks
    without parsing (bytes.count; a pattern only for prefixed names); stops past `most`."""
    prefixed = re.compile(rb"<[A-Za-z_][\w.-]*:" + tag + rb"[\s/>]")
    opening = [b"<" + tag + end for end in (b">", b" ", b"/", b"\t", b"\n", b"\r")]
    count, tail = 0, b""
    while True:
        block: bytes = source.read(1 << 20)
        data = tail + block
        # An element cut at the block's end is counted with the next block: every opening starts
        # with `<`, so what ends before the last `<` of the block is whole.
        cut = data.rfind(b"<", max(0, len(data) - 64)) if block else -1
        whole, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
        count += sum(whole.count(name) for name in opening)
        if b":" + tag in whole:
            count += len(prefixed.findall(whole))
        if not block or count > most:
            return count


def _read_xlsx(path: Path, column_map: dict[str, str] | None,
               schema: Schema | None = None) -> Rows:
    from openpyxl import load_workbook

    check_xlsx(path)  # before openpyxl reads a part
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        with sheet._get_source() as source:  # (the rows of the sheet read: at most a sheet's rows)
            rows_declared = _count_tags(source, b"row", MAX_SHEET_ROWS)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(t("io.xlsx", problem=shown(exc)), file=str(path)) from exc
    if rows_declared > MAX_SHEET_ROWS:
        book.close()
        raise InputError(t("io.xlsx_rows", most=MAX_SHEET_ROWS), file=str(path))
    # The sheet is read twice in step: its values, and its formulas as written: a formula cell
    # whose value was never cached (a sheet written by a program, never opened and saved in
    # Excel) reads as empty in the first, and must be an error, not a silently missing value.
    values, written = _sheet_rows(sheet, data_only=True), _sheet_rows(sheet, data_only=False)
    first = next(values, None)
    next(written, None)
    header = [str(h).strip() if h is not None else "" for h in _cells(first[1], 0)[0]] \
        if first is not None else []
    while header and not header[-1]:
        header.pop()
    if not header:
        book.close()
        raise InputError(t("io.xlsx_no_header"), file=str(path))
    columns = Columns(header, path, column_map, schema)

    def rows() -> Iterator[Row]:
        last = first[0] if first is not None else 1
        blank: list[list[int]] = []
        for number, row in values:  # a row's own number: rows left out cost nothing
            formulas = next(written, (number, {}))[1]
            if number <= last:  # (numbers only grow: a resume skips rows by their number)
                last += 1
                yield from _blank_rows(blank)
                yield last, None, t("row.out_of_order", given=number, previous=last - 1)
                continue
            _blank(blank, last + 1, min(number, MAX_SHEET_ROWS + 1) - 1)  # rows left out: blank
            last = number
            if number > MAX_SHEET_ROWS:
                yield from _blank_rows(blank)
                yield number, None, t("row.beyond_sheet", most=MAX_SHEET_ROWS)
                continue
            bad = next((f"{_column_letter(column)}{number}: {value.problem}"
                        for column, value in row.items() if type(value) is _BadCell), None)
            if bad is not None:
                yield from _blank_rows(blank)
                yield number, None, t("row.bad_cell", cell=bad)
                continue
            cells, extra = _cells(row, len(header))
            uncached = _uncached_formulas(cells, formulas, header)
            if uncached:
                yield from _blank_rows(blank)
                yield number, None, t("row.formula_uncached", cells=uncached)
                continue
            if not any(c not in (None, "") and not (isinstance(c, str) and not c.strip())
                       for c in cells) and not any(c not in (None, "") for c in extra):
                _blank(blank, number)  # reported when a row with values follows it
                continue
            yield from _blank_rows(blank)
            if any(c not in (None, "") for c in extra):
                yield number, None, t("row.value_beyond", columns=len(header))
                continue
            cells = [c.isoformat()[:10] if hasattr(c, "isoformat") else c for c in cells]
            yield number, *columns.record(cells)
        book.close()
    return Rows(rows(), columns)


class _BadCell:
    """A cell openpyxl cannot read (`NaN` as a number, a shared string that is not there)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


class _SheetCell(TypedDict):
    """A cell as openpyxl's sheet parser gives it (`WorkSheetParser.parse_cell`)."""

    row: int
    column: int
    value: Any  # what the cell holds, of any kind a sheet writes (or a `_BadCell`)
    data_type: str
    style_id: NotRequired[int]


def _sheet_rows(sheet: Any, data_only: bool) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) of each row a read-only sheet writes, and nothing
    for the rows or cells it leaves out (openpyxl's own rows fill every gap: a sheet of two rows
    numbered 2 and 99,999,999 would take minutes); a cell that cannot be read is a `_BadCell`."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.worksheet._reader import WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> _SheetCell:
            try:
                cell: _SheetCell = super().parse_cell(element)
                return cell
            except Exception:  # noqa: BLE001 - a broken cell is that row's error
                self.col_counter += 1
                column = self.col_counter
                try:
                    column = column_index_from_string(coordinate_from_string(element.get("r"))[0])
                except Exception:  # noqa: BLE001 - no usable coordinate: the next column
                    pass
                text = element.findtext(f"{{{element.tag.partition('}')[0][1:]}}}v") \
                    if element.tag.startswith("{") else element.findtext("v")
                kind = element.get("t", "n")
                kind = t(f"row.cell_kind.{kind}") if kind in ("n", "s", "b", "d") else shown(kind)
                return {"row": self.row_counter, "column": column, "data_type": "e",
                        "value": _BadCell(t("row.cell_value", value=Quoted(text), kind=kind))}

        def parse_row(self, row: Any) -> tuple[int, list[_SheetCell]]:
            try:
                return super().parse_row(row)  # type: ignore[no-any-return]
            except Exception:  # noqa: BLE001 - a row number that is not one
                self.row_counter = MAX_SHEET_ROWS + 1
                return self.row_counter, []

    with sheet._get_source() as source:
        parser = Parser(source, sheet._shared_strings, data_only=data_only,
                        epoch=sheet.parent.epoch, date_formats=sheet.parent._date_formats,
                        timedelta_formats=sheet.parent._timedelta_formats)
        for number, cells in parser.parse():
            yield number, {cell["column"]: cell["value"] for cell in cells
                           if cell["value"] is not None}


def _cells(row: dict[int, Any], width: int) -> tuple[list[Any], list[Any]]:
    """A row's values in its first `width` columns (all of them when `width` is 0), and the
    values beyond."""
    width = width or max(row, default=0)
    cells: list[Any] = [None] * width
    extra = []
    for column, value in row.items():
        if 1 <= column <= width:
            cells[column - 1] = value
        else:
            extra.append(value)
    return cells, extra


def _column_letter(column: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    try:
        return str(get_column_letter(column))
    except ValueError:
        return f"#{column}"


def _uncached_formulas(values: list[Any], written: dict[int, Any], header: list[str]) -> str:
    """The columns (as headed) of a row's formula cells that carry no cached value, joined."""
    return ", ".join(repr(header[i - 1] if i <= len(header) else f"column {i}")
                     for i, text in sorted(written.items())
                     if isinstance(text, str) and text.startswith("=")
                     and (i > len(values) or values[i - 1] is None))


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

def encode_line(kind: str, columns: list[str], row: Mapping[str, object],
                excel: bool = False) -> str:
    """One CSV or JSONL line for a row (CSV booleans in words, text_cell; missing as empty;
    `excel`: text that Excel would run as a formula neutralized, for_excel)."""
    if kind == ".csv":
        if not excel:
            plain = _plain_csv([row.get(c) for c in columns])
            if plain is not None:
                return plain
        cells = [text_cell(row.get(c)) for c in columns]
        text = io.StringIO()
        csv.writer(text).writerow([for_excel(c) for c in cells] if excel else cells)
        return text.getvalue()
    return json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n"


def _plain_csv(values: list[Any]) -> str | None:
    """The CSV line of whole numbers, nothing, truth values and text without a comma, quote or
    line break (a result row's amounts) joined at once, as the csv module writes it (a property
    test holds them equal); None for any other line, and for a lone empty cell (written "")."""
    parts = [str(value) if type(value) is int else text_cell(value) for value in values]
    try:
        line = ",".join(parts)
    except TypeError:  # a cell that is not text
        return None
    if parts == [""] or line.count(",") >= len(parts) or '"' in line or "\r" in line or "\n" in line:
        return None
    return line + "\r\n"


class RowWriter:
    """Write result rows (flat dicts with a fixed column order) to CSV, JSONL, XLSX or Parquet."""

    def __init__(self, path: Path, columns: list[str], headers: list[str] | None = None, *,
                 excel: bool = False, sheet: str = "zjtx") -> None:
        """`headers`: what the header row shows (default the column names); `excel`: CSV with
        a UTF-8 byte-order mark, so that Excel reads Chinese text right; `sheet`: the XLSX
        sheet's name (in the command's language)."""
        self.path = path
        self.columns = columns
        self.excel = excel
        self.kind = format_of(path, "--out")
        shown = headers or columns
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind in (".csv", ".jsonl"):
            self._handle = path.open("w", encoding="utf-8-sig" if excel and self.kind == ".csv"
                                     else "utf-8", newline="")
            if self.kind == ".csv":
                self._handle.write(encode_line(".csv", columns, dict(zip(columns, shown))))
        elif self.kind == ".xlsx":
            from openpyxl import Workbook

            self._book = Workbook(write_only=True)
            self._sheet = add_xlsx_sheet(self._book, shown, columns, sheet)
        else:
            self._batch: list[dict[str, object]] = []
            self._parquet = None

    def next_sheet(self, columns: list[str], headers: list[str], sheet: str) -> None:
        """XLSX: the rows written next go to a new sheet with these columns (a workbook of
        results and their error rows)."""
        if self.kind != ".xlsx":
            raise BugError(f"a {self.kind} file has one table")
        self.columns = columns
        self._sheet = add_xlsx_sheet(self._book, headers, columns, sheet)

    def write(self, row: Mapping[str, object]) -> None:
        if self.kind in (".csv", ".jsonl"):
            self._handle.write(encode_line(self.kind, self.columns, row, self.excel))
        elif self.kind == ".xlsx":  # typed cells: amounts #,##0, days as dates, text as text
            self._sheet.append(xlsx_cells(self._sheet, [row.get(c) for c in self.columns],
                                          self.columns))
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

    def _schema(self) -> Any:
        import pyarrow as pa

        def kind(column: str) -> Any:
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


def add_xlsx_sheet(book: Any, headers: list[str], columns: list[str] | None = None,
                   title: str = "zjtx") -> Any:
    """One more sheet of a write-only workbook, named `title`: bold frozen header row, widths
    that fit the header and what the column holds."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, 1):
        column = columns[index - 1] if columns else ""
        wide = _WIDE.get(column, 14 if column.endswith((".min", ".max", "_min", "_max")) else 10)
        sheet.column_dimensions[get_column_letter(index)].width = \
            min(max(_display_width(header) + 2, wide), 80)
    cells = xlsx_cells(sheet, headers)
    for cell in cells:
        cell.font = Font(bold=True)
    sheet.append(cells)
    return sheet


# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): = + - @, tab, CR.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cells(sheet: Any, values: list[Any], columns: list[str] | None = None) -> list[Any]:
    """Cells for a write-only sheet: every text cell typed as text, so that a name such as
    `=HYPERLINK(…)` is shown as written and never becomes a live formula (openpyxl takes any
    text starting with `=` for one); with `columns`, an amount with a thousands separator
    (#,##0; years and row numbers plain) and a day as a date cell; booleans and empty cells as
    they are."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for index, value in enumerate(values):
        column = columns[index] if columns else ""
        if column in _DAYS and isinstance(value, str) and len(value) == 10:
            import datetime as dt

            cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(value))
            cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        elif isinstance(value, str) or (isinstance(value, bool) and current_lang() == "zh"):
            # (a truth value in Chinese as text, 是/否: Excel would show TRUE/FALSE)
            cell = WriteOnlyCell(sheet, value=text_cell(value))
            cell.data_type = "s"  # (after the value: setting it guessed a formula)
            cells.append(cell)
        elif columns and isinstance(value, int) and not isinstance(value, bool) \
                and column not in _PLAIN_NUMBERS:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "#,##0"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def for_excel(value: Any) -> Any:
    """A CSV cell for Excel (`--excel`): text that Excel would run as a formula (starting with
    = + - @, tab or CR) gets a leading apostrophe, as the OWASP guidance on CSV injection says;
    other cells as they are. (Plain CSV, JSON Lines and Parquet keep every value raw.)"""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_LEADS) else value


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


def text_cell(value: Any) -> Any:
    """A cell of a sheet a person reads (CSV, XLSX): a truth value in the current language (true
    and false in English, 是 and 否 in Chinese: Excel would show FALSE), nothing as empty (CSV);
    anything else as it is. (JSON Lines and Parquet keep their booleans.)"""
    if isinstance(value, bool):
        return t("cell.yes" if value else "cell.no")
    return "" if value is None else value
