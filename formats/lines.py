"""Lean encoding of result lines: a row is its own cells (id, name, credit code at the front,
warnings at the end) and its answer in between; rows that share an answer (a distinct input's
rows, or rows the memo cannot tell apart) share its encoded cells (`middle`), and only the row's
own cells are encoded for every row (`line`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

Encode = Callable[[str, list[str], Mapping[str, object]], str]


class LineEncoder:
    """CSV or JSONL lines for result rows, byte for byte what `encode(kind, columns, row)` writes."""

    def __init__(self, kind: str, columns: list[str], own: Collection[str], encode: Encode,
                 excel: bool = False) -> None:
        """`excel`: `encode` neutralizes text that Excel would run as a formula."""
        self.kind, self.columns, self.encode_line, self.excel = kind, columns, encode, excel
        front = next((i for i, c in enumerate(columns) if c not in own), len(columns))
        back = next((i for i, c in enumerate(reversed(columns)) if c not in own), len(columns))
        self.head, self.answer = columns[:front], columns[front:len(columns) - back]
        self.tail_columns = columns[len(columns) - back:]
        self._backs: dict[tuple[object, ...], str] = {}  # the row's own cells after the answer

    def middle(self, names: tuple[str, ...], values: tuple[object, ...]) -> str:
        """The answer's cells (the columns between the row's own), encoded once for its rows."""
        return self.encode_line(self.kind, self.answer, dict(zip(names, values)))

    def front(self, row: Mapping[str, object]) -> str:
        """A row's own cells before its answer's (id, name, credit code), the line's start."""
        if self.kind == ".csv":
            return _lone(self.encode_line(self.kind, self.head, row))
        return "{" + self.encode_line(self.kind, self.head, row)[1:-2]

    def fronts(self, ids: list[str], names: list[Any], codes: list[Any]) -> list[str]:
        """The fronts of many rows; at once when they hold only an id of plain text."""
        if names.count(None) == len(names) and codes.count(None) == len(codes) and not self.excel:
            joined = "".join(ids)
            if self.kind == ".csv" and joined.isprintable() and not _QUOTED.search(joined):
                rest = "," * (len(self.head) - 1)
                return [ident + rest for ident in ids]
            if self.kind == ".jsonl" and not _ESCAPED.search(joined):
                rest = '"' + "".join(f', "{c}": null' for c in self.head[1:])
                return ['{"' + self.head[0] + '": "' + ident + rest for ident in ids]
        return [self.front(dict(zip(self.head, own))) for own in zip(ids, names, codes)]

    def tail(self, middle: str, row: Mapping[str, object]) -> str:
        """The answer's cells (`middle`), then the row's own after them (warnings), and the end
        of the line."""
        if self.kind == ".csv":
            return "," + _lone(middle) + self._back(row) + "\r\n"
        return ", " + middle[1:-2] + self._back(row) + "}\n"  # '{"a": 1}\n' + '{"b": 2}\n' → '{"a": 1, "b": 2}\n'

    def _back(self, row: Mapping[str, object]) -> str:
        """The row's own cells after its answer's (warnings), with their separator: encoded once
        per distinct value (rows mostly share a few warnings, or none)."""
        if not self.tail_columns:
            return ""
        values = tuple((type(v), v) for v in map(row.get, self.tail_columns))  # (0 is not False)
        back = self._backs.get(values)
        if back is None:
            if len(self._backs) >= MOST_BACKS:  # (ever new warnings: memory stays bounded)
                self._backs.clear()
            cells = self.encode_line(self.kind, self.tail_columns, row)
            back = self._backs[values] = "," + _lone(cells) if self.kind == ".csv" else \
                ", " + cells[1:-2]
        return back

    def line(self, row: Mapping[str, object], middle: str) -> str:
        """The line of a row whose own cells are `row` and whose answer's cells are `middle`."""
        return self.front(row) + self.tail(middle, row)


MOST_BACKS = 4096  # distinct tails (warnings) kept encoded
_QUOTED = re.compile('[",\r\n]')  # a CSV cell with one of these is quoted
_ESCAPED = re.compile('[\x00-\x1f\\\\"]')  # the characters JSON escapes in a string


def _lone(cells: str) -> str:
    """A line of cells without its end; the csv module writes a lone empty cell as "" (so that
    its line is not blank): in a longer line, that cell is empty."""
    return "" if cells == '""\r\n' else cells[:-2]
