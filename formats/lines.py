"""Lean encoding of result lines: a row is its identity cells (id, name, credit code) and its
answer; rows the compiler cannot tell apart share one answer object (solver.memo), so the
answer's cells are encoded once and only the identity cells for every row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Encode = Callable[[str, list[str], dict[str, Any]], str]


class LineEncoder:
    """CSV or JSONL lines for result rows, byte for byte what `encode(kind, columns, row)` writes."""

    MAX_CACHED = 100_000

    def __init__(self, kind: str, columns: list[str], head: int, encode: Encode) -> None:
        self.kind, self.columns, self.encode_line = kind, columns, encode
        self.head, self.tail = columns[:head], columns[head:]
        self._cached: dict[int, tuple[Any, str]] = {}  # id(answer) → (answer, its encoded cells)

    def encode(self, row: dict[str, Any], answer: Any = None) -> str:
        """The line for `row`; `answer` (any object shared by rows whose non-identity cells are
        equal) lets those cells be encoded once."""
        if answer is None or not self.tail or not self.head:
            return self.encode_line(self.kind, self.columns, row)
        hit = self._cached.get(id(answer))
        if hit is None or hit[0] is not answer:  # the answer is held, so its id is never reused
            if len(self._cached) >= self.MAX_CACHED:
                self._cached.clear()
            hit = self._cached[id(answer)] = (answer, self.encode_line(self.kind, self.tail, row))
        head = self.encode_line(self.kind, self.head, row)
        if self.kind == ".csv":  # "a,b,c\r\n" + "d,e\r\n" → "a,b,c,d,e\r\n"
            return head[:-2] + "," + hit[1]
        return head[:-2] + ", " + hit[1][1:]  # '{"a": 1}\n' + '{"b": 2}\n' → '{"a": 1, "b": 2}\n'
