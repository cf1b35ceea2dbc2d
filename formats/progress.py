"""Progress of a long batch as plain lines (for logs, pipes and `nohup`, where no progress bar
shows): rows done, rows per second and the time left, every few seconds.

The total is an estimate made without reading the rows: data lines of CSV and JSONL (counted in
binary, fast), the sheet's dimension for XLSX, the metadata for Parquet.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from models.i18n import t

EVERY_SECONDS = 3.0


def estimate_rows(path: Path) -> int | None:
    """About how many data rows `path` holds (None when it cannot tell cheaply)."""
    kind = path.suffix.lower()
    try:
        if kind in (".csv", ".jsonl"):
            lines = 0
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
            return max(lines - (kind == ".csv"), 0)
        if kind == ".xlsx":
            from openpyxl import load_workbook

            from formats.tables import check_xlsx

            check_xlsx(path)  # (within the bounds of an input before openpyxl reads a part)

            book = load_workbook(path, read_only=True)
            rows = book.worksheets[0].max_row
            book.close()
            return rows - 1 if rows else None
        if kind == ".parquet":
            import pyarrow.parquet as pq

            rows_in_file: int = pq.ParquetFile(path).metadata.num_rows
            return rows_in_file
    except Exception:  # noqa: BLE001 - an estimate only; the reader reports real problems
        return None
    return None


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return t("duration.seconds", seconds=seconds)
    if seconds < 3600:
        return t("duration.minutes", minutes=seconds // 60, seconds=seconds % 60)
    return t("duration.hours", hours=seconds // 3600, minutes=seconds % 3600 // 60)


class ProgressLines:
    """Call with (rows done, error rows) after every chunk; writes a line every few seconds, in
    the current language."""

    def __init__(self, write: Callable[[str], None], total: int | None, start_row: int = 0,
                 every: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.write, self.total, self.start_row, self.clock = write, total, start_row, clock
        self.every = EVERY_SECONDS if every is None else every  # the module's, when it is called
        self.started = clock()
        self.last = self.started

    def line(self, done: int, errors: int) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = (done - self.start_row) / elapsed
        if self.total:
            text = t("progress.rows_of", done=done, total=max(self.total, done),
                     share=min(done / self.total, 1))
        else:
            text = t("progress.rows", done=done)
        text += t("progress.rate", errors=errors, rate=rate)
        if self.total and rate > 0:
            text += t("progress.left", duration=_duration(max(self.total - done, 0) / rate))
        return text

    def __call__(self, done: int, errors: int) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self.write(self.line(done, errors))
