"""Run a batch: read INPUT in blocks of rows, find its distinct inputs, evaluate each once (in N
processes, or on a Dask cluster), write one result row per valid input row to OUT and one error
row per invalid one to ERRORS, and keep a checkpoint (about once a second, after whole blocks) so
that a killed run can `--resume` with nothing lost and nothing written twice.

A block is read at once into columns where it can be (`formats.tables.read_at_once`); each row
read so is keyed with array operations (`solver.memo.row_keys`: everything its answer depends on,
but its identity and the industry tags no condition names). Rows with the same key are one
distinct input: its first row goes to a worker, through the one road of every row
(`solver.batch.evaluate_row`: the record model, compile, solve, amounts), and its answer's cells
are encoded once and written for each of its rows, beside their own id, name, credit code (checked
by the record's own types, `models.record.identities`) and warnings (per list of tags). Every
other row (one read row by row, or with a move, an expense, …) is its own distinct input. No
answer is worked out twice in a run, whatever the engine: workers receive distinct inputs, never
rows another worker has.

Memory stays flat: at most two blocks are in flight; ids are kept (for duplicates) and the answers
of distinct inputs (a bounded number), but rows are not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import dataclasses
import functools
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Annotated, Any, BinaryIO, cast

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict  # (pydantic reads a typing.TypedDict only from 3.12)

from models.catalog import Catalog, active_catalog, keeps_catalog, set_active_catalog
from models.errors import BugError, InputError
from models.i18n import current_lang, t, using_lang
from models.record import identities
from models.limits import MAX_RECORD_BYTES
from solver.batch import (ERROR_COLUMNS, ROW_OWN_COLUMNS, BatchOptions, NoticeWords, RowContext,
                          RowResult, Summary, SummaryState, batch_catalog, evaluate_row,
                          result_columns)
from solver.fiscal import FiscalReport
from solver.memo import BAD, Interned, points, row_keys
from formats.columns import output_headers
from formats.engines import ENGINES, DaskEngine, Engine, BlockSize, PoolEngine
from formats.lines import LineEncoder
from formats.signals import Interrupted, critical, in_worker
from formats.safety import FileMark, check_outputs, input_fingerprint, verify_output
from formats.tables import (Row, Rows, RowWriter, bounded_lines, encode_line, format_of,
                            json_line, jsonl_rows, read_at_once, read_rows)

FIRST_ROWS = 256  # the first block (early progress and checkpoints); then about a second each
MOST_ROWS = 50_000
AT_ONCE = 128  # an input of fewer rows is read row by row (a small file starts without Arrow)
MOST_DISTINCT = 200_000  # distinct inputs remembered (their answers); then a fresh start
CHECKPOINT_SECONDS = 1.0
CHECKPOINT_SUFFIX = ".zjtx-checkpoint.json"
SPOOL_SUFFIX = ".zjtx-spool.jsonl"
PARTIAL_SUFFIX = ".zjtx-partial"  # outputs are written beside and renamed into place at the end


@dataclass
class BatchCounts:
    rows_in: int = 0
    rows_out: int = 0
    error_rows: int = 0
    resumed_at: int = 0
    summary: FiscalReport = field(default_factory=lambda: FiscalReport())


@dataclass(frozen=True)
class _Output:
    """An output of a run (its results, its error rows): CSV and JSON Lines are appended to in
    place as the run goes (`partial`), XLSX and Parquet written at the end from a spool of JSON
    lines; either is renamed into place when the run ends."""

    path: Path
    option: str
    columns: list[str]
    headers: list[str]
    sheet: str  # the message of an XLSX sheet's name

    @property
    def kind(self) -> str:
        return self.path.suffix.lower()

    @property
    def direct(self) -> bool:
        return self.kind in (".csv", ".jsonl")

    @property
    def line_kind(self) -> str:
        """How its lines are encoded as the run goes: CSV or JSON Lines (a spool's)."""
        return self.kind if self.direct else ".jsonl"

    @property
    def partial(self) -> Path:
        return self.path.with_name(self.path.name + (PARTIAL_SUFFIX if self.direct else SPOOL_SUFFIX))


class _LineSink:
    """An output's append-only CSV or JSONL file whose size and SHA-256 are known after every
    flush; on a resume, the file must still hold exactly what the checkpoint recorded
    (formats.safety). `excel`: CSV with a byte-order mark, formulas neutralized."""

    def __init__(self, output: _Output, recorded: FileMark | None, excel: bool) -> None:
        self.path = path = output.partial
        kind, columns = output.line_kind, output.columns
        path.parent.mkdir(parents=True, exist_ok=True)
        if recorded is None:
            self.handle: BinaryIO = path.open("wb")
            self.digest = hashlib.sha256()
            if kind == ".csv":
                if excel:  # for Excel: UTF-8 with a byte-order mark
                    self.write_text("\ufeff")
                self.write_text(encode_line(kind, columns, dict(zip(columns, output.headers)),
                                            excel))
        else:
            self.digest = verify_output(output.option, path, recorded)
            self.handle = path.open("r+b")
            self.handle.truncate(recorded["size"])  # drop what was written after the checkpoint
            self.handle.seek(recorded["size"])

    def write_text(self, text: str) -> None:
        data = text.encode("utf-8")
        self.handle.write(data)
        self.digest.update(data)

    def flush(self) -> FileMark:
        """What a checkpoint records of this file: its path, size and hash so far."""
        self.handle.flush()
        os.fsync(self.handle.fileno())
        return {"path": str(self.path.resolve()), "size": self.handle.tell(),
                "sha256": self.digest.hexdigest()}

    def close(self) -> None:
        self.handle.close()


@dataclass(frozen=True)
class _Job:
    """What every worker needs: the options and how to encode result and error lines."""

    options: BatchOptions
    out_kind: str
    columns: list[str]
    errors_kind: str
    lang: str = "en"  # the language of warnings and error messages, on every worker
    excel: bool = False  # CSV for Excel: text cells that would be formulas neutralized
    words: NoticeWords | None = None  # warnings into words (views.notices.notices_text)


def _worker_init(job: _Job, *, worker: bool = True) -> None:
    """Prepare this process for the job's tasks (once per job): the job's catalog active, the
    context its rows are evaluated in, and the encoder of its lines."""
    global _WORKER
    if worker:
        in_worker()
    set_active_catalog(batch_catalog(job.options))
    if _WORKER is None or _WORKER.job is not job:
        _WORKER = _Worker(job, RowContext(job.options, active_catalog(), job.words), _encoder(job))


def _encoder(job: _Job) -> LineEncoder:
    """The encoder of a job's result lines."""
    return LineEncoder(job.out_kind, job.columns, ROW_OWN_COLUMNS,
                       functools.partial(encode_line, excel=job.excel), job.excel)


@dataclass(frozen=True)
class _Worker:
    """This process's state for the job it works on (set by `_worker_init`)."""

    job: _Job
    context: RowContext
    lines: LineEncoder


_WORKER: _Worker | None = None  # this process's (set by `_worker_init` before any task runs)


# A row as a block holds it: (row number, a JSON line not parsed yet or the row's data (None: it
# could not be read), its problem); an item for a worker adds whether its answer is shared (the
# first row of a distinct input) or its own.
Payload = bytes | dict[str, object] | None
Item = tuple[int, Payload, "str | tuple[str, str] | None", bool]


def _row_of(number: int, payload: Payload, problem: Any) -> Row | None:
    """The row (number, data, problem) of a JSON line read by the exact road (None: a blank line
    to it, no row), or as it is."""
    if isinstance(payload, bytes):
        for number, data, own in jsonl_rows([payload], number):
            return number, data, problem or own
        return None
    return number, payload, problem


def _evaluate_items(items: list[Item]) -> list[tuple[Any, ...]]:
    """Evaluate items in a worker: for each, `("answer", cells, summary, warnings)` when its
    answer is shared (cells: the encoded answer), `("refused",)` when that row is not a valid
    record (each row of its distinct input then takes the row road), `("row", line, summary)` for
    a row of its own, `("error", line)` for an error row (lines encoded here; cells and line None
    for an answer an impact run does not write: unchanged)."""
    worker = _WORKER
    if worker is None:
        raise BugError("a batch task ran in a worker that was never initialized")
    with using_lang(worker.job.lang):  # (a Dask worker knows no command line)
        return [_evaluate_item(worker, *item) for item in items]


def _evaluate_item(worker: _Worker, number: int, payload: Payload, problem: Any,
                   shared: bool) -> tuple[Any, ...]:
    row = _row_of(number, payload, problem)
    if row is None:  # (the parent reads a line at once only when the exact road reads a row)
        raise BugError(f"row {number}: a line read at once is blank to the exact road")
    result = evaluate_row(*row, worker.context)  # (its own policy: an error row, or a bug)
    if not isinstance(result, RowResult):
        if shared:
            return ("refused",)
        return "error", encode_line(worker.job.errors_kind, ERROR_COLUMNS, result.cells(),
                                    worker.job.excel)
    answer = result.answer
    # An impact run writes (and counts out) the rows whose answer changed only: None, no line.
    written = True
    if worker.job.options.impact is not None:
        from solver.impact import changed

        written = changed(answer.names, answer.values)
    cells = worker.lines.middle(answer.names, answer.values) if written else None
    if shared:
        return "answer", cells, answer.summary, result.warnings
    return "row", None if cells is None else worker.lines.line(result.own(), cells), answer.summary


def markers(data: Mapping[str, object]) -> tuple[str | None, str | None]:
    """A row's id and credit code as duplicates are found (the code without spaces, in capitals)."""
    ident, code = data.get("id"), data.get("credit_code")
    return (None if ident is None else str(ident)), (
        None if code is None else "".join(str(code).split()).upper())


class Seen:
    """The ids and credit codes of the rows so far, each with the row that used it first: a later
    row with the same is an error row naming that one (row order matters: the first use wins; a
    row whose id is a duplicate is not checked for its credit code)."""

    def __init__(self) -> None:
        self.kinds = {"id": FirstRows(), "credit_code": FirstRows()}

    def problems(self, numbers: Sequence[int], ids: Sequence[str | None],
                 codes: Sequence[str | None]) -> list[tuple[str, str] | None]:
        """The duplicate problem of each row (None: none), its id and code as `markers` reads them."""
        found: list[tuple[str, str] | None] = [None] * len(numbers)
        for (key, firsts), column in zip(self.kinds.items(), (ids, codes)):
            rows: Sequence[int] = range(len(column))
            if None in column or found.count(None) < len(found):
                rows = [i for i, value in enumerate(column) if value is not None and found[i] is None]
            whole = len(rows) == len(column)  # (every row's value, in the block's order)
            values = cast("Sequence[str]", column if whole else [column[i] for i in rows])
            at = numbers if whole else [numbers[i] for i in rows]
            for i, value, number, first in zip(rows, values, at, firsts.first(values, at)):
                if first != number:
                    found[i] = key, t(f"row.duplicate_{key}", value=value, row=first)
        return found


MOST_RECENT = 1 << 16  # values a `FirstRows` keeps as they are (then, as hashes)


class FirstRows:
    """Values → the row that used each first, compact whatever the rows: the newest MOST_RECENT
    as they are, the others as two 64-bit hashes (Python's keyed `hash` of the value, and of a NUL
    and the value: one chance in 2**128 for two values to be taken for one) and a row number,
    24 bytes each, in arrays sorted by the first hash (the memory of ids kept as text grew with
    the rows: 115 MB for 10**6 of them)."""

    def __init__(self) -> None:
        self.recent: dict[str, int] = {}
        self.older: tuple[Any, Any, Any] | None = None  # numpy only for inputs of many rows

    def first(self, values: Sequence[str], numbers: Sequence[int]) -> list[int]:
        """The row that used each value first (its own number when it is new: then remembered)."""
        older = self._older(values) if self.older is not None else [0] * len(values)
        recent = self.recent
        firsts = [old or recent.setdefault(value, number)
                  for value, number, old in zip(values, numbers, older)]
        if len(recent) >= MOST_RECENT:
            self._compact()
        return firsts

    def _older(self, values: Sequence[str]) -> list[int]:
        """The row of each value among the older ones (0: not there)."""
        import numpy as np

        hi, lo, rows = self.older  # type: ignore[misc]
        want_hi, want_lo = _hashes(values)
        left, right = np.searchsorted(hi, want_hi, "left"), np.searchsorted(hi, want_hi, "right")
        for i in np.flatnonzero(right - left > 1):  # (values of one first hash: next to never)
            same = np.flatnonzero(lo[left[i]:right[i]] == want_lo[i])
            left[i] += same[0] if len(same) else 0
        at = np.minimum(left, len(hi) - 1)
        found: list[int] = np.where((hi[at] == want_hi) & (lo[at] == want_lo), rows[at], 0).tolist()
        return found

    def _compact(self) -> None:
        import numpy as np

        hi, lo = _hashes(list(self.recent))
        rows = np.fromiter(self.recent.values(), np.int64, len(self.recent))
        if self.older is not None:
            hi, lo, rows = (np.concatenate(pair) for pair in zip(self.older, (hi, lo, rows)))
        order = np.argsort(hi, kind="stable")  # (a sorted run and a new one: merged)
        self.older, self.recent = (hi[order], lo[order], rows[order]), {}


def _hashes(values: Sequence[str]) -> tuple[Any, Any]:
    import numpy as np

    return (np.fromiter(map(hash, values), np.int64, len(values)),
            np.fromiter(map(hash, map("\0".__add__, values)), np.int64, len(values)))


def with_duplicates(rows: Iterator[Row], seen: Seen | None = None) -> Iterator[Row]:
    """Mark a row whose id (or credit code) was already used as an error (never an overwrite);
    `seen`: those of the rows before (a run's blocks share one)."""
    seen = seen or Seen()
    for number, data, problem in rows:
        if problem is None and isinstance(data, dict):
            problem = seen.problems([number], *([marker] for marker in markers(data)))[0]
        yield number, data, problem


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes, None]]:
    """A JSON Lines file's rows, each line as it is, without its newline (parsed later, at once or
    by the exact road, which reads a byte-order mark; a line of a gigabyte is never held:
    formats.tables.bounded_lines, whose long lines are empty: error rows); blank lines are no rows."""
    with path.open("rb") as handle:
        for number, raw in enumerate(bounded_lines(handle), 1):
            if not raw.isspace():  # (bytes.strip's whitespace)
                yield number, raw[:-1] if raw.endswith(b"\n") else raw, None


@dataclass
class Block:
    """A block of rows, planned: the items the workers evaluate (rows of their own, and the first
    row of each distinct input new to the run) and, per row counted (a resume skips those done),
    in row order: its number, its payload, its distinct input (BAD: a row of its own) or its item,
    and for a row of a distinct input its own cells (id, name, credit code) and its tags' code."""

    last_row: int
    numbers: list[int]
    payloads: list[Payload]
    groups: list[int]
    slots: list[int]  # the row's item (a row of its own), else its place among `own`
    own: tuple[list[Any], list[Any], list[Any]]
    tags: list[int]
    items: list[Item]
    new: dict[int, int]  # distinct input → its item, for those new in this block
    pending: list[Any] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.numbers)


class Distinct:
    """The distinct inputs of a run's rows, block by block (the module docstring): which rows
    share one, which are new, and their answers once worked out."""

    def __init__(self, context: RowContext, done_rows: int = 0) -> None:
        self.context, self.done_rows = context, done_rows
        self.seen = Seen()
        self.keys: dict[bytes, int] = {}
        self.answers: dict[int, Any] = {}
        self.tails: dict[int, str | None] = {}  # (answer << 32) + tags → their encoded cells
        self.pending: set[int] = set()  # distinct inputs whose answers are being worked out
        self.count = self.oldest = 0
        self.tags = Interned()
        self.today: dt.date | None = None
        self.first = True  # no block planned yet

    def plan(self, rows: list[Row]) -> Block:
        """The block's rows read (at once where they can be), checked for duplicates in row
        order, keyed and grouped into distinct inputs."""
        numbers, payloads, problems = (list(column) for column in zip(*rows))
        table, where = self._read(payloads, problems)
        if table is None:
            return self._row_by_row(rows)
        import numpy as np

        read = np.full(len(rows), BAD, np.int64)  # each row's place in the table
        read[where] = np.arange(len(where))
        counted = np.array(numbers) > self.done_rows
        for index in np.flatnonzero(read == BAD).tolist():  # the exact road, row by row
            row = _row_of(numbers[index], payloads[index], problems[index])
            if row is None:  # blank to the exact road: no row
                payloads[index], counted[index] = None, False
            else:
                payloads[index], problems[index] = row[1], row[2]
        ids, codes = table["id"].to_pylist(), table["credit_code"].to_pylist()
        if codes.count(None) < len(codes):
            codes = [None if code is None else "".join(code.split()).upper() for code in codes]
        if len(where) == len(rows):  # (every row read at once: none has a problem)
            problems = self.seen.problems(numbers, ids, codes)
        else:
            places = read.tolist()
            marked = [i for i, problem in enumerate(problems) if problem is None
                      and (places[i] != BAD or isinstance(payloads[i], dict))]
            marks = [(ids[places[i]], codes[places[i]]) if places[i] != BAD
                     else markers(payloads[i]) for i in marked]
            for i, problem in zip(marked, self.seen.problems([numbers[i] for i in marked],
                                                             *zip(*marks) if marks else ([], []))):
                problems[i] = problem
        groups = np.full(len(rows), BAD, np.int64)
        tags = np.zeros(len(rows), np.int64)
        fine = problems.count(None) == len(problems) or np.array([p is None for p in problems])
        keyed = np.flatnonzero((read != BAD) & counted & fine)
        found, held, own = self._keys(table, read[keyed], ids)
        groups[keyed], tags[keyed] = found, held
        # The items: the rows of their own, then the first row of each distinct input new here.
        chosen = counted.nonzero()[0]
        group = groups[chosen]
        single = group == BAD
        items: list[Item] = [(numbers[i], payloads[i], problems[i], False)
                             for i in chosen[single].tolist()]
        new: dict[int, int] = {}
        distinct, first = np.unique(group[~single], return_index=True)
        for found, row in zip(distinct.tolist(), chosen[~single][first].tolist()):
            if found not in self.answers and found not in self.pending:
                new[found] = len(items)
                self.pending.add(found)
                items.append((numbers[row], payloads[row], None, True))
        slots = np.where(single, np.cumsum(single) - 1, np.cumsum(~single) - 1)
        every, kept = len(chosen) == len(rows), chosen.tolist()  # (a resume skips rows done)
        return Block(rows[-1][0], numbers if every else [numbers[i] for i in kept],
                     payloads if every else [payloads[i] for i in kept], group.tolist(),
                     slots.tolist(), own, tags[chosen].tolist(), items, new)

    def _row_by_row(self, rows: list[Row]) -> Block:
        """A block none of whose rows is read at once (a small one): each row read by the exact
        road is its own distinct input (a file of a few rows starts without numpy or Arrow)."""
        read = (row for row in (_row_of(*row) for row in rows) if row is not None)  # (None: blank)
        items: list[Item] = [(number, data, problem, False) for number, data, problem
                             in with_duplicates(read, self.seen) if number > self.done_rows]
        count = len(items)
        return Block(rows[-1][0], [item[0] for item in items], [item[1] for item in items],
                     [BAD] * count, list(range(count)), ([], [], []), [0] * count, items, {})

    def _read(self, payloads: list[Payload], problems: list[Any]) -> tuple[Any, list[int]]:
        """The rows read at once: their table, and their positions in the block. An input of
        fewer than AT_ONCE rows (its first block is all of it) is read row by row; any later
        block is read at once, however small: the last one of a run, read row by row, made each
        of its rows a distinct input of its own, and evaluated again what the run had answered."""
        first, self.first = self.first, False
        if first and len(payloads) < AT_ONCE:
            return None, []
        if isinstance(payloads[0], bytes):  # a JSON Lines block: every row a line
            table, kept = read_at_once(payloads)  # type: ignore[arg-type]
            return table, kept
        lines = [json_line(payload) if isinstance(payload, dict) and problem is None else None
                 for payload, problem in zip(payloads, problems)]
        where = [index for index, line in enumerate(lines) if line is not None]
        table, kept = read_at_once([line for line in lines if line is not None])
        return table, [where[k] for k in kept]

    def _keys(self, table: Any, places: Any, ids: list[Any]
              ) -> tuple[Any, Any, tuple[list[Any], list[Any], list[Any]]]:
        """The distinct input of the table's rows at `places` (BAD: a row of its own), their tags'
        codes and their own cells (checked by the record's types: a row they refuse is its own;
        `ids`: the table's, as read)."""
        import numpy as np

        context = self.context
        today = context.options.today or dt.date.today()
        if today != self.today:  # keys code dates among the run's dates: a new day, new keys
            self.today, self.keys = today, {}
        distinct, index, tags = row_keys(
            table, context.catalog, points(context.catalog, (today, *context.dates)), self.tags,
            lambda held: context.tag_notices(held) is None)
        groups = np.array([*(self._group(key) for key in distinct), BAD], np.int64)[index[places]]
        keyed = np.flatnonzero(groups != BAD)
        rows = places[keyed].tolist()
        own = []
        for name in ("id", "name", "credit_code"):
            written = ids if name == "id" else table[name].to_pylist()
            own.append(identities(name, [written[i] for i in rows]))
        refused = sorted(own[0][1] | own[1][1] | own[2][1])
        groups[keyed[refused]] = BAD
        kept = np.delete(np.arange(len(keyed)), refused).tolist() if refused else None
        cells = tuple(values if kept is None else [values[i] for i in kept] for values, _bad in own)
        return groups, tags[places], cells  # type: ignore[return-value]

    def _group(self, key: bytes) -> int:
        group = self.keys.get(key)
        if group is None:
            if len(self.keys) >= MOST_DISTINCT:  # a fresh start (answers of the last one kept
                self.oldest, self.keys = self.count - len(self.keys), {}  # for blocks in flight)
                for old in [g for g in self.answers if g < self.oldest]:
                    del self.answers[old]
            group = self.keys[key] = self.count
            self.count += 1
        return group

    def outcomes(self, block: Block, outcomes: list[Any]) -> None:
        """Remember the answers of the distinct inputs new in `block`."""
        for group, item in block.new.items():
            self.answers[group] = outcomes[item]
            self.pending.discard(group)


Count = Annotated[int, Field(ge=0)]


class Checkpoint(TypedDict):
    """A run's checkpoint (JSON, `_Run.save_checkpoint`), read back by `--resume`."""

    input: str
    fingerprint: dict[str, int | str]  # formats.safety.input_fingerprint
    columns: list[str]
    options: str
    last_row: Count
    rows_in: Count
    rows_out: Count
    error_rows: Count
    out_file: FileMark
    errors_file: FileMark
    summary: SummaryState


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint as `save_checkpoint` wrote it (`Checkpoint`, its type, checked strictly by
    pydantic), or one clear refusal: a file cut short, `[]`, a value of the wrong kind, a count
    below 0, a summary that is not one (never a traceback, never a resume from a damaged state)."""
    damaged = InputError("the checkpoint is damaged (cut short, or not a zjtx checkpoint)",
                         file=str(path), field="--resume",
                         accepted="delete it and run again without --resume")
    try:
        raw = path.read_bytes()
        if len(raw) > 64 * MAX_RECORD_BYTES:  # (a summary of every district, measure and year)
            raise damaged
        return TypeAdapter(Checkpoint).validate_json(raw, strict=True)
    except (OSError, ValueError, RecursionError):  # (a ValidationError is a ValueError)
        raise damaged from None


def default_errors_path(out: Path, input_path: Path | None = None) -> Path:
    """`OUT-stem.errors.xlsx` for a workbook's rows (the clerk opens it where the rows came
    from), else `OUT-stem.errors.csv`."""
    kind = ".xlsx" if input_path is not None and input_path.suffix.lower() == ".xlsx" else ".csv"
    return out.with_name(out.stem + ".errors" + kind)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """A batch makes millions of short-lived objects and keeps few: collect the youngest
    generation less often, and leave what was there before (modules, the catalog; in forked
    workers too) out of every collection. Restored on the way out (in-process callers)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@dataclass(frozen=True)
class _Plan:
    """What a run writes where, checked before anything is touched (`_plan`)."""

    input_path: Path
    results: _Output
    errors: _Output
    summary_path: Path | None
    excel: bool
    options: BatchOptions  # with the input's column labels (error rows name them so)
    fingerprint: str  # the options a checkpoint was made with
    rows: Rows
    catalog: Catalog  # the run's (its package, as in force on its day): rows are keyed by it

    @property
    def checkpoint_path(self) -> Path:
        return self.results.path.with_name(self.results.path.name + CHECKPOINT_SUFFIX)


def _plan(input_path: Path, out: Path, errors: Path | None, options: BatchOptions,
          summary_path: Path | None, jobs: int | None, engine: str, encoding: str | None,
          column_map: dict[str, str] | None, lang: str, excel: bool) -> _Plan:
    """Check the options and outputs (InputError before anything is touched), open the input."""
    catalog = batch_catalog(options)
    errors = errors or default_errors_path(out, input_path)
    out_kind = format_of(out, "--out")
    errors_kind = format_of(errors, "--errors")
    if errors_kind not in (".csv", ".jsonl", ".xlsx"):
        raise InputError(t("option.errors_format"), file=str(errors),
                         field="--errors", accepted=".csv, .xlsx, .jsonl")
    if summary_path is not None and summary_path.suffix.lower() != ".json":
        raise InputError(t("option.summary_json"), file=str(summary_path),
                         field="--summary", accepted=".json")
    if jobs is not None and jobs < 1:
        raise InputError(t("option.jobs_positive"), field="--jobs", accepted="1, 2, …")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", field="--engine", accepted=", ".join(ENGINES))
    # Before anything is touched: no output is the input, a directory, or unwritable.
    check_outputs(input_path, {"--out": out, "--errors": errors,
                               **({"--summary": summary_path} if summary_path else {})})
    columns = result_columns(catalog, options)
    rows = read_rows(input_path, encoding=encoding, column_map=column_map)  # InputError if unusable
    if rows.columns is not None:  # error rows name the columns as the file writes them
        options = dataclasses.replace(options, labels=rows.columns.labels)
    # The options a checkpoint was made with: a resume under other options would mix answers.
    # The catalog by its content, not its path: an edited package (or another zjtx's shipped one)
    # would mix old and new amounts in one output.
    fingerprint = json.dumps([dataclasses.asdict(options), out_kind, errors_kind, lang, excel,
                              current_lang(), catalog.fingerprint()], default=str, sort_keys=True)
    return _Plan(input_path, _Output(out, "--out", columns, output_headers(columns, lang),
                                     "sheet.results"),
                 _Output(errors, "--errors", ERROR_COLUMNS, output_headers(ERROR_COLUMNS, lang),
                         "sheet.errors"), summary_path, excel, options, fingerprint, rows, catalog)


def _resume_state(plan: _Plan, input_fingerprint_: dict[str, int | str]) -> Checkpoint | None:
    """The checkpoint of a killed run of the same command on the same input, if any."""
    if not plan.checkpoint_path.exists():
        return None
    state = read_checkpoint(plan.checkpoint_path)
    if state.get("input") != str(plan.input_path.resolve()) or state.get("columns") != plan.results.columns \
            or state.get("options") != plan.fingerprint:
        raise InputError("the checkpoint belongs to another input or other options",
                         file=str(plan.checkpoint_path), field="--resume",
                         accepted="the same INPUT and options, or a run without --resume")
    if state.get("fingerprint") != input_fingerprint_:
        raise InputError("the input changed since the checkpoint (size, time or content)",
                         file=str(plan.input_path), field="--resume",
                         accepted="the unchanged INPUT, or a run without --resume")
    return state


def evaluated(blocks: Iterator[list[Row]], distinct: Distinct, runner: Engine,
              function: Callable[[list[Item]], list[Any]]) -> Iterator[tuple[Block, list[Any]]]:
    """Each block planned, its items evaluated by `function` on the engine (in as many tasks as
    it runs at once), and handed back with their outcomes, in order; the next block is read and
    planned while the workers evaluate this one."""
    flight: deque[Block] = deque()

    def done() -> tuple[Block, list[Any]]:
        block = flight.popleft()
        outcomes = [outcome for pending in block.pending for outcome in runner.result(pending)]
        distinct.outcomes(block, outcomes)
        return block, outcomes
    for rows in blocks:
        block = distinct.plan(rows)
        items, parts = block.items, max(1, min(runner.window, len(block.items) // 16))
        step = max(1, -(-len(items) // parts))
        block.pending = [runner.submit(function, (items[i:i + step],))
                         for i in range(0, len(items), step)]
        flight.append(block)
        if len(flight) > 1:
            yield done()
    while flight:
        yield done()


def input_blocks(path: Path, rows: Rows, size: Callable[[], int]) -> Iterator[list[Any]]:
    """The blocks of an input: a JSON Lines file's lines, any other file's rows; `size()` is
    asked before each block."""
    jsonl = rows.columns is None and format_of(path, "INPUT") == ".jsonl"
    each: Iterator[Any] = _jsonl_lines(path) if jsonl else iter(rows)
    while block := list(islice(each, size())):
        yield block


def engine_for(kind: str, jobs: int | None, scheduler: str | None, job: Any,
               init: Callable[..., None]) -> Engine:
    """The engine that runs the tasks: Dask (a LocalCluster of `jobs` workers, default this
    machine's cores, when no scheduler is given), a local pool of `jobs` processes, or this process;
    `init(job, worker=...)` prepares each worker (and this process, when it is the worker).
    Pool workers ignore SIGINT (the parent stops them); Dask runs tasks off the main thread,
    where no signal handler can be set."""
    if kind == "dask":
        return DaskEngine(scheduler, job, functools.partial(init, worker=False), workers=jobs)
    if jobs is not None and jobs > 1:
        return PoolEngine(jobs, init, (job,))
    init(job, worker=False)
    return Engine()


class _Run:
    """A run's progress: counts, summary, the partial outputs and the checkpoint."""

    def __init__(self, plan: _Plan, state: Checkpoint | None,
                 input_fingerprint_: dict[str, int | str]) -> None:
        self.plan, self.input_fingerprint = plan, input_fingerprint_
        self.counts = BatchCounts()
        self.summary = Summary()
        self.done_rows = self.last = 0
        if state is not None:
            self.counts.rows_in, self.counts.rows_out, self.counts.error_rows = (
                state["rows_in"], state["rows_out"], state["error_rows"])
            self.counts.resumed_at = state["rows_in"]
            self.summary = Summary(state["summary"])
            self.done_rows = self.last = state["last_row"]
        self.out_sink = _LineSink(plan.results, state["out_file"] if state else None, plan.excel)
        try:
            self.error_sink = _LineSink(plan.errors, state["errors_file"] if state else None,
                                        plan.excel)
        except BaseException:
            self.out_sink.close()
            raise
        self.last_checkpoint = time.monotonic()

    def save_checkpoint(self) -> None:
        plan, counts = self.plan, self.counts
        data: Checkpoint = {
            "input": str(plan.input_path.resolve()), "fingerprint": self.input_fingerprint,
            "columns": plan.results.columns, "options": plan.fingerprint, "last_row": self.last,
            "rows_in": counts.rows_in, "rows_out": counts.rows_out,
            "error_rows": counts.error_rows, "out_file": self.out_sink.flush(),
            "errors_file": self.error_sink.flush(), "summary": self.summary.state}
        temporary = plan.checkpoint_path.with_name(plan.checkpoint_path.name + ".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, plan.checkpoint_path)  # atomic: a kill leaves the old or the new one
        self.last_checkpoint = time.monotonic()

    def drive(self, runner: Engine, job: _Job, on_progress: Callable[[BatchCounts], None] | None
              ) -> None:
        """Every block's lines written in order, a checkpoint about every second; Ctrl-C or
        SIGTERM keeps every whole block done."""
        plan = self.plan
        # (this process's active catalog is the caller's, unless it evaluates rows itself)
        context = RowContext(plan.options, plan.catalog, job.words)
        distinct = Distinct(context, self.done_rows)
        lines = _encoder(job)
        sizes = BlockSize(FIRST_ROWS, MOST_ROWS)
        try:
            for block, outcomes in evaluated(input_blocks(plan.input_path, plan.rows, sizes),
                                             distinct, runner, _evaluate_items):
                with critical():  # a signal waits until the block is summed, written, counted
                    self.write(block, block_texts(block, outcomes, distinct, lines, job,
                                                  self.summary), sizes)
                if on_progress:
                    on_progress(self.counts)
            if self.counts.rows_in > self.counts.resumed_at:
                with critical():
                    self.save_checkpoint()
        except Interrupted as stop:
            runner.close()
            with critical():
                if self.last:
                    self.save_checkpoint()
            stop.rows = self.counts.rows_in
            raise
        finally:
            runner.close()
            self.out_sink.close()
            self.error_sink.close()

    def write(self, block: Block, texts: tuple[str, str, int, int], sizes: BlockSize) -> None:
        """A finished block (its rows counted into the summary): its lines and counts; a checkpoint about
        every second. (Inside `critical()`: a signal waits until it is done.)"""
        out_text, error_text, ok, bad = texts
        counts = self.counts
        self.out_sink.write_text(out_text)
        self.error_sink.write_text(error_text)
        counts.rows_out += ok
        counts.error_rows += bad
        counts.rows_in += block.rows
        sizes.done(counts.rows_in - counts.resumed_at)
        if block.rows:
            self.last = block.last_row
        # A checkpoint (with fsync) about every second: a kill loses at most that much.
        if time.monotonic() - self.last_checkpoint >= CHECKPOINT_SECONDS:
            self.save_checkpoint()

    def finish(self) -> BatchCounts:
        """Write XLSX or Parquet from the spool and the summary beside their places, then rename
        every output into place (the checkpoint goes first: killed before the renames, there is
        no checkpoint and a --resume starts afresh, never from stale parts)."""
        plan, counts = self.plan, self.counts
        outputs = (plan.results, plan.errors)
        ready = [self._ready(output) for output in outputs]
        counts.summary = self.summary.report()
        written = None
        if plan.summary_path is not None:
            written = plan.summary_path.with_name(plan.summary_path.name + PARTIAL_SUFFIX)
            written.write_text(json.dumps({"rows_in": counts.rows_in, "rows_out": counts.rows_out,
                                           "error_rows": counts.error_rows, **counts.summary},
                                          ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        plan.checkpoint_path.unlink(missing_ok=True)
        for output, path in zip(outputs, ready):
            os.replace(path, output.path)
            output.partial.unlink(missing_ok=True)  # (a spool; a partial file was just moved)
        if plan.summary_path is not None and written is not None:
            os.replace(written, plan.summary_path)
        return counts

    def _ready(self, output: _Output) -> Path:
        """An output's file, whole, beside its place: CSV and JSON Lines as appended to, XLSX and
        Parquet written now from the spool's JSON lines."""
        if output.direct:
            return output.partial
        path = output.path
        writing = path.with_name(path.stem + PARTIAL_SUFFIX + path.suffix)
        writer = RowWriter(writing, output.columns,
                           output.headers if output.kind == ".xlsx" else None, sheet=t(output.sheet))
        try:
            with output.partial.open(encoding="utf-8") as lines:
                for line in lines:
                    writer.write(json.loads(line))
            writer.close()
        except Interrupted as stop:  # every row is done; a resume writes the file again
            stop.rows = self.counts.rows_in
            raise
        return writing


def block_texts(block: Block, outcomes: list[tuple[Any, ...]], distinct: Distinct,
                lines: LineEncoder, job: _Job, summary: Summary) -> tuple[str, str, int, int]:
    """A block's output and error lines in row order and its counts, its rows counted into
    `summary`: the rows of distinct inputs from their answers (`_answer_texts`), the rows of their
    own from their outcomes, and the rows of a distinct input whose first row was refused on the
    row road here, each with its own messages."""
    fronts, tails = _answer_texts(block, distinct, lines, job, summary) if block.own[0] else ([], [])
    if len(tails) == block.rows and None not in tails and "" not in tails:  # (all written)
        return "".join(chain.from_iterable(zip(fronts, cast("list[str]", tails)))), "", block.rows, 0
    out: list[str] = []
    errors: list[str] = []
    answered = zip(fronts, tails)
    for number, payload, group, slot in zip(block.numbers, block.payloads, block.groups,
                                            block.slots):
        if group != BAD:
            front, tail = next(answered)
            if tail is not None:
                if tail:  # ("": unchanged, in an impact run)
                    out.append(front + tail)
                continue
            _worker_init(job, worker=False)
            outcome = _evaluate_items([(number, payload, None, False)])[0]
        else:
            outcome = outcomes[slot]
        if outcome[0] == "row":
            if outcome[1] is not None:
                out.append(outcome[1])
            summary.count(("row", number), outcome[2], 1, number)
        else:
            errors.append(outcome[1])
    return "".join(out), "".join(errors), len(out), len(errors)


def _answer_texts(block: Block, distinct: Distinct, lines: LineEncoder, job: _Job,
                  summary: Summary) -> tuple[list[str], list[str | None]]:
    """The own cells (front) and the answer's cells and warnings (tail) of each row of a distinct
    input, in row order (tail "": not written, an impact run's unchanged row; None: its distinct
    input was refused), the rows of each answer counted into `summary`; a tail is encoded once
    per pair of an answer and a list of tags (and kept for later blocks)."""
    import numpy as np

    groups, tags = np.array(block.groups), np.array(block.tags)
    rows = np.flatnonzero(groups != BAD)
    pairs, first, inverse, count = np.unique((groups[rows] << 32) + tags[rows], True, True, True)
    answers, known = distinct.answers, distinct.tails  # (a pair: answer << 32 | code of tags)
    if len(known) > MOST_DISTINCT // 4:  # (memory stays bounded: about 400 bytes each)
        known.clear()
    tails = []
    for pair, at, many in zip(pairs.tolist(), rows[first].tolist(), count.tolist()):
        answer = answers[pair >> 32]
        if answer[0] != "refused":
            summary.count(("input", pair >> 32), answer[2], many, block.numbers[at])
        if pair not in known:
            warnings = distinct.context.tag_warnings(distinct.tags.values[pair & 0xFFFFFFFF],
                                                     job.lang)
            known[pair] = None if answer[0] == "refused" else "" if answer[1] is None else \
                lines.tail(answer[1], {"warnings": answer[3] if warnings is None else warnings})
        tails.append(known[pair])
    return lines.fronts(*block.own), [tails[i] for i in inverse.ravel().tolist()]


@few_collections()
@keeps_catalog  # the job's catalog is active while it runs, the caller's again after
def run_batch(input_path: Path, out: Path, errors: Path | None, options: BatchOptions, *,
              jobs: int | None = None, summary_path: Path | None = None, resume: bool = False,
              on_progress: Callable[[BatchCounts], None] | None = None,
              encoding: str | None = None, column_map: dict[str, str] | None = None,
              lang: str = "en", excel: bool = False,
              engine: str = "local", scheduler: str | None = None,
              words: NoticeWords | None = None) -> BatchCounts:
    """Evaluate every row of `input_path`; see the module docstring. `lang`: the header language
    of CSV and XLSX outputs (JSONL and Parquet keep the field names); `excel`: CSV outputs with
    a UTF-8 byte-order mark; `engine`: `local` (this process, or `jobs` processes) or `dask`
    (the cluster at `scheduler`, or a LocalCluster); `words`: the row warnings' words
    (`views.notices.notices_text`, which the front door gives: a run with result rows needs it)."""
    plan = _plan(input_path, out, errors, options, summary_path, jobs, engine, encoding,
                 column_map, lang, excel)
    fingerprint_of_input = input_fingerprint(input_path)
    state = _resume_state(plan, fingerprint_of_input) if resume else None
    run = _Run(plan, state, fingerprint_of_input)
    job = _Job(options=plan.options, out_kind=plan.results.line_kind, columns=plan.results.columns,
               errors_kind=plan.errors.line_kind, lang=current_lang(), excel=plan.excel, words=words)
    try:
        runner = engine_for(engine, jobs, scheduler, job, _worker_init)
    except BaseException:
        run.out_sink.close()
        run.error_sink.close()
        raise
    run.drive(runner, job, on_progress)
    return run.finish()
