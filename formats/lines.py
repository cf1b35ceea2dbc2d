"""Lean encoding of result lines: a row is its own cells (id, name, credit code at the front,
warnings at the end) and its answer in between; rows the compiler cannot tell apart share one
answer object (solver.memo), so the answer's cells are encoded once and only the row's own cells
for every row."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from formats.tables import text_cell

Encode = Callable[[str, list[str], dict[str, Any]], str]
_FORMULA_LEADS = frozenset("=+-@\t\r")  # (formats.tables.FORMULA_LEADS, one character each)


class LineEncoder:
    """CSV or JSONL lines for result rows, byte for byte what `encode(kind, columns, row)` writes."""

    MAX_CACHED = 100_000

    def __init__(self, kind: str, columns: list[str], own: Collection[str], encode: Encode,
                 excel: bool = False) -> None:
        """`excel`: `encode` neutralizes text that Excel would run as a formula; a cell that
        might be one is then always left to it."""
        self.kind, self.columns, self.encode_line, self.excel = kind, columns, encode, excel
        front = next((i for i, c in enumerate(columns) if c not in own), len(columns))
        back = next((i for i, c in enumerate(reversed(columns)) if c not in own), len(columns))
        self.front, self.middle = columns[:front], columns[front:len(columns) - back]
        self.back = columns[len(columns) - back:]
        self._cached: dict[int, tuple[Any, str]] = {}  # id(answer) → (answer, its encoded cells)

    def encode(self, row: dict[str, Any], answer: Any = None,
               names: tuple[str, ...] | None = None) -> str:
        """The line for `row`; `answer` (an object shared by rows whose cells other than their own
        are equal) lets those cells be encoded once. With `names`, `answer` holds the values of
        those columns and `row` only the row's own cells."""
        if answer is None or not (self.front and self.middle):
            whole = {**row, **dict(zip(names, answer))} if names is not None else row
            return self.encode_line(self.kind, self.columns, whole)
        hit = self._cached.get(id(answer))
        if hit is None or hit[0] is not answer:  # the answer is held, so its id is never reused
            if len(self._cached) >= self.MAX_CACHED:
                self._cached.clear()
            cells = dict(zip(names, answer)) if names is not None else row
            middle = _csv_cells([cells.get(c) for c in self.middle], self.excel) \
                if self.kind == ".csv" and len(self.middle) > 1 else None
            middle = middle + "\r\n" if middle is not None else \
                self.encode_line(self.kind, self.middle, cells)
            hit = self._cached[id(answer)] = (answer, middle)
        if self.kind == ".csv":
            front = _csv_cells([row.get(c) for c in self.front], self.excel)
            back = _csv_cells([row.get(c) for c in self.back], self.excel) if self.back else ""
            if front is not None and back is not None:  # (an empty back: no cell written)
                middle = "" if hit[1] == '""\r\n' else hit[1][:-2]
                return front + "," + middle + ("," + back if self.back else "") + "\r\n"
        parts = [self.encode_line(self.kind, self.front, row), hit[1]]
        if self.back:
            parts.append(self.encode_line(self.kind, self.back, row))
        if self.kind == ".csv":  # "a,b\r\n" + "c\r\n" → "a,b,c\r\n"
            # (the csv module writes a lone empty cell as "" so that its line is not blank)
            return ",".join("" if part == '""\r\n' else part[:-2] for part in parts) + "\r\n"
        # '{"a": 1}\n' + '{"b": 2}\n' → '{"a": 1, "b": 2}\n'
        return "{" + ", ".join(part[1:-2] for part in parts) + "}\n"


def _csv_cells(values: list[Any], excel: bool = False) -> str | None:
    """The cells as the csv module writes them in a row of several (minimal quoting: a cell with
    a quote, a comma, CR or LF is quoted, its quotes doubled; booleans in words as
    formats.tables.text_cell writes them, None empty), or None for a value it leaves to the csv module (a control character, a float…;
    with `excel`, text that may start a formula)."""
    cells = []
    for value in values:
        if excel and type(value) is str and value[:1] in _FORMULA_LEADS:
            return None
        if value is None:
            cells.append("")
        elif value is True or value is False:
            cells.append(text_cell(value))
        elif type(value) is int:
            cells.append(str(value))
        elif type(value) is str and (value.isprintable() or not value.strip("\r\n ,\"")):
            if '"' in value or "," in value or "\r" in value or "\n" in value:
                cells.append('"' + value.replace('"', '""') + '"')
            else:
                cells.append(value)
        else:
            return None
    return ",".join(cells)
