"""Run a batch: stream rows from INPUT, evaluate them in chunks (in N processes), write one result
row per valid input row to OUT and one error row per invalid one to ERRORS, and keep a checkpoint
(about once a second, after whole chunks) so that a killed run can `--resume` with nothing lost
and nothing written twice.

Memory stays flat: at most `2 × jobs` chunks are in flight; ids are kept (for duplicates) but
rows are not.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
import csv
import dataclasses
import functools
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from models.catalog import active_catalog, keeps_catalog, set_active_catalog
from models.errors import BugError, InputError, ZjtxError
from models.i18n import current_lang, t, using_lang
from models.limits import MAX_RECORD_BYTES
from solver.batch import (ERROR_COLUMNS, ROW_OWN_COLUMNS, BatchOptions, RowContext, RowResult,
                          Summary, batch_catalog, evaluate_row, fresh_answers, learn_answers,
                          result_columns, row_bug, share_answers)
from solver.impact import changed
from formats.columns import output_headers
from formats.engines import (ENGINES, DaskEngine, Engine, Part, PartSize, PoolEngine, Sharing,
                             plan_parts, read_part)
from formats.lines import LineEncoder
from formats.signals import Interrupted, critical, in_worker
from formats.safety import check_outputs, input_fingerprint, verify_output
from formats.tables import (Row, Rows, RowWriter, bounded_lines, for_excel, format_of, jsonl_rows,
                            line_size, read_rows, text_cell)

CHUNK_ROWS = 256
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
    summary: dict[str, Any] = field(default_factory=dict)


def encode_line(kind: str, columns: list[str], row: dict[str, Any], excel: bool = False) -> str:
    """One CSV or JSONL line for a row (CSV booleans in words, formats.tables.text_cell; missing
    as empty; `excel`: text that Excel would run as a formula neutralized, for_excel)."""
    if kind == ".csv":
        text = io.StringIO()
        cells = [text_cell(row.get(c)) for c in columns]
        csv.writer(text).writerow([for_excel(c) for c in cells] if excel else cells)
        return text.getvalue()
    return json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n"


class _LineSink:
    """An append-only CSV or JSONL file whose size and SHA-256 are known after every flush; on a
    resume, the file must still hold exactly what the checkpoint recorded (formats.safety)."""

    def __init__(self, path: Path, columns: list[str], kind: str, recorded: dict[str, Any] | None,
                 headers: list[str] | None = None, bom: bool = False, option: str = "--out",
                 excel: bool = False) -> None:
        self.path, self.columns, self.kind = path, columns, kind
        path.parent.mkdir(parents=True, exist_ok=True)
        if recorded is None:
            self.handle: BinaryIO = path.open("wb")
            self.digest = hashlib.sha256()
            if kind == ".csv":
                if bom:  # for Excel: UTF-8 with a byte-order mark
                    self._write(codecs.BOM_UTF8)
                self.write_text(encode_line(kind, columns, dict(zip(columns, headers or columns)),
                                            excel))
        else:
            self.digest = verify_output(option, path, recorded)
            self.handle = path.open("r+b")
            self.handle.truncate(recorded["size"])  # drop what was written after the checkpoint
            self.handle.seek(recorded["size"])

    def _write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)

    def write_text(self, text: str) -> None:
        self._write(text.encode("utf-8"))

    def flush(self) -> dict[str, Any]:
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


def _worker_init(job: _Job, *, worker: bool = True) -> None:
    """Prepare this process for the job's tasks (once per job): the job's catalog active, the
    context its rows are evaluated in, and the encoder of its lines."""
    global _WORKER
    if worker:
        in_worker()
    set_active_catalog(batch_catalog(job.options))
    if _WORKER is None or _WORKER.job is not job:
        _WORKER = _Worker(job, RowContext(job.options, active_catalog()),
                          LineEncoder(job.out_kind, job.columns, ROW_OWN_COLUMNS,
                                      functools.partial(encode_line, excel=job.excel), job.excel))


@dataclass(frozen=True)
class _Worker:
    """This process's state for the job it works on (set by `_worker_init`)."""

    job: _Job
    context: RowContext
    lines: LineEncoder


_WORKER: _Worker | None = None


def _learn(found: list[Any]) -> None:
    learn_answers(found, _worker().context)


# Pool workers share the plain answers they work out: a row whose answer another worker already
# knows is not compiled and solved again (the memo's key is the same on every worker of a run).
ANSWERS_SHARED = Sharing(share_answers, fresh_answers, _learn)


def _evaluate_chunk(rows: list[Row]) -> tuple[str, str, int, int, dict[str, Any]]:
    """Evaluate a chunk in a worker: encoded output lines, encoded error lines, counts, and the
    chunk's part of the summary (so the parent only concatenates and merges)."""
    with using_lang(_worker().job.lang):  # (a Dask worker knows no command line)
        return _evaluate_rows(rows)


def _evaluate_rows(rows: list[Row]) -> tuple[str, str, int, int, dict[str, Any]]:
    out, errors, ok, bad = [], [], 0, 0
    summary = Summary()
    worker = _worker()
    job, context, lines = worker.job, worker.context, worker.lines
    # Rows that share an answer share its summary contributions (one object): each is added
    # once, times its rows (`shared`: id → [contributions, rows, the first row's number]).
    shared: dict[int, list[Any]] = {}
    for number, data, problem in rows:
        try:
            result = evaluate_row(number, data, problem, context)
            if isinstance(result, RowResult):
                answer = result.answer
                if job.options.impact is None or changed(answer.names, answer.values):
                    out.append(lines.encode(result.own(), answer.values, answer.names))
                    ok += 1  # an impact run writes (and counts out) the changed rows only
                seen = shared.get(id(answer.summary))
                if seen is None:
                    shared[id(answer.summary)] = [answer.summary, 1, number]
                else:
                    seen[1] += 1
            else:
                errors.append(encode_line(job.errors_kind, ERROR_COLUMNS, result.cells(), job.excel))
                bad += 1
        except ZjtxError:  # a bug (exit 3) or a broken catalog (exit 4), already said so
            raise
        except Exception as exc:  # noqa: BLE001 - bad input is an error row; anything else a bug
            raise row_bug(number, exc) from exc
    for contributions, times, number in shared.values():
        try:
            summary.add(contributions, times)
        except Exception as exc:  # noqa: BLE001 - adding up checked answers never fails on input
            raise row_bug(number, exc) from exc
    return "".join(out), "".join(errors), ok, bad, summary.state


def _worker() -> _Worker:
    """This worker's state (set by `_worker_init` before any task runs)."""
    if _WORKER is None:
        raise BugError("a batch task ran in a worker that was never initialized")
    return _WORKER


def part_rows(path: str, part: Part,
              problems: dict[int, tuple[str, str]] | None = None) -> tuple[list[Row], Markers]:
    """The rows of a partition of a JSON Lines input, read by the worker itself (`problems`
    marks rows the parent found to be duplicates), and the markers of the parsed rows
    (`Markers`), for the parent's duplicate check."""
    rows = list(jsonl_rows(read_part(path, part), part.first_row))
    if problems:
        rows = [(n, d, problems.get(n, p)) for n, d, p in rows]
    numbers, ids, codes = [], [], []
    for number, data, problem in rows:
        if problem is None and isinstance(data, dict):
            numbers.append(number)
            ids.append(None if data.get("id") is None else str(data["id"]))
            codes.append(_credit_marker(data))
    return rows, (numbers, ids, codes if any(c is not None for c in codes) else None)


# The keys of a partition's rows for the duplicate check: row numbers, ids (as text) and credit
# codes (normalized, None when no row has one), in row order. Plain lists: cheap to send.
Markers = tuple[list[int], list[str | None], list[str | None] | None]


def _evaluate_part(path: str, part: Part, problems: dict[int, tuple[str, str]] | None = None):
    """`_evaluate_chunk` of a partition, with the markers for the duplicate check; read in the
    command's language too (a row that cannot be read is an error row, in its words)."""
    with using_lang(_worker().job.lang):
        rows, markers = part_rows(path, part, problems)
        return (*_evaluate_rows(rows), markers)


def _credit_marker(data: dict[str, Any]) -> str | None:
    code = data.get("credit_code")
    return None if code is None else "".join(str(code).split()).upper()


def duplicate_problem(number: int, data: dict[str, Any], seen: dict[str, int]) -> tuple[str, str] | None:
    """The problem of a row whose id (or credit code) was already used, else None; a row's
    keys are remembered in `seen` (row order matters: the first use wins)."""
    return _duplicate(number, None if data.get("id") is None else str(data["id"]),
                      _credit_marker(data), seen)


def _duplicate(number: int, ident: str | None, code: str | None,
               seen: dict[str, int]) -> tuple[str, str] | None:
    for key, value in (("id", ident), ("credit_code", code)):
        if value is None:
            continue
        marker = value if key == "id" else f"credit_code:{value}"
        if marker in seen:
            return key, t(f"row.duplicate_{key}", value=value, row=seen[marker])
        seen[marker] = number
    return None


def with_duplicates(rows: Iterator[Row], seen: dict[str, int]) -> Iterator[Row]:
    """Mark a row whose id (or credit code) was already used as an error (never an overwrite)."""
    for number, data, problem in rows:
        if problem is None and isinstance(data, dict):
            problem = duplicate_problem(number, data, seen)
        yield number, data, problem


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


DASK_PART_ROWS = 5000  # a Dask task has a cost of its own: larger partitions


def engine_for(kind: str, jobs: int | None, scheduler: str | None, job: Any,
                init: Callable[..., None], sharing: Sharing | None = None) -> Engine:
    """The engine that runs the tasks: Dask (a LocalCluster of `jobs` workers, default this
    machine's cores, when no scheduler is given), a local pool of `jobs` processes, or this process;
    `init(job, worker=...)` prepares each worker (and this process, when it is the worker).
    Pool workers ignore SIGINT (the parent stops them); Dask runs tasks off the main thread,
    where no signal handler can be set."""
    if kind == "dask":
        return DaskEngine(scheduler, job, functools.partial(init, worker=False), workers=jobs)
    if jobs is not None and jobs > 1:
        return PoolEngine(jobs, init, (job,), sharing)
    init(job, worker=False)
    return Engine()


def chunk_tasks(rows: Iterator[Row], done_rows: int, seen: dict[str, int]):
    """(last row, rows, None), `_evaluate_chunk`, (chunk,) for chunks of rows read here."""
    marked = with_duplicates(rows, seen)
    if done_rows:  # skip what the killed run finished, remembering its ids
        for number, _data, _problem in marked:
            if number >= done_rows:
                break
    for chunk in _chunks(marked):
        yield (chunk[-1][0], len(chunk), None), _evaluate_chunk, (chunk,)


def _part_tasks(path: Path, done_rows: int, seen: dict[str, int],
                rows_per_part: int | Callable[[], int]):
    """(last row, rows, part), `_evaluate_part`, (path, part) for partitions of a JSON Lines
    file. After a resume, the rows already done are read here for their ids only."""
    with path.open("rb") as handle:
        offset = number = 0

        def done_lines() -> Iterator[bytes]:
            nonlocal offset, number
            lines = bounded_lines(handle)  # (reads line by line: the handle stays where it stops)
            while number < done_rows:
                line = next(lines, None)
                if line is None:
                    return
                number += 1
                offset += line_size(line)
                yield line
        for _row in with_duplicates(jsonl_rows(done_lines()), seen):
            pass
        for part in plan_parts(handle, offset, number, rows_per_part):
            yield (part.last_row, part.rows, part), _evaluate_part, (str(path), part)


def checked_part(path: str, part: Part, result: tuple, seen: dict[str, int],
                 init: Callable[[], None], function: Callable[..., tuple]) -> tuple:
    """The parent's duplicate check of a partition's rows (`Markers`, the last item of
    `result`), in row order; a partition with a duplicate (rare) is evaluated again here, those
    rows marked."""
    numbers, ids, codes = result[-1]
    if codes is None and None not in ids and seen.keys().isdisjoint(ids):
        before = len(seen)
        seen.update(zip(ids, numbers))
        if len(seen) - before == len(ids):  # every id new, none twice in the partition
            return result
        for ident in ids:  # undo, and take the row-by-row road with its messages
            seen.pop(ident, None)
    problems = {}
    for index, number in enumerate(numbers):
        problem = _duplicate(number, ids[index], codes[index] if codes else None, seen)
        if problem is not None:
            problems[number] = problem
    if not problems:
        return result
    init()
    return function(path, part, problems)


# What a checkpoint holds (`_Run.save_checkpoint`): key → the type of its value.
_CHECKPOINT_KEYS: dict[str, type | tuple[type, ...]] = {
    "input": str, "fingerprint": dict, "columns": list, "options": str, "last_row": int,
    "rows_in": int, "rows_out": int, "error_rows": int, "out_file": dict, "errors_file": dict,
    "summary": dict}
_FILE_KEYS = {"path": str, "size": int, "sha256": str}


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint as `save_checkpoint` wrote it, or one clear refusal: a file cut short, `[]`,
    a value of the wrong kind (never a traceback, never a resume from a damaged state)."""
    damaged = InputError("the checkpoint is damaged (cut short, or not a zjtx checkpoint)",
                         file=str(path), field="--resume",
                         accepted="delete it and run again without --resume")
    try:
        raw = path.read_bytes()
        if len(raw) > 64 * MAX_RECORD_BYTES:  # (a summary of every district, measure and year)
            raise damaged
        state = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        raise damaged from None
    if not isinstance(state, dict) or any(
            not isinstance(state.get(key), kind) or isinstance(state.get(key), bool)
            for key, kind in _CHECKPOINT_KEYS.items()):
        raise damaged
    for key in ("out_file", "errors_file"):
        if any(not isinstance(state[key].get(k), kind) for k, kind in _FILE_KEYS.items()):
            raise damaged
    if min(state["last_row"], state["rows_in"], state["rows_out"], state["error_rows"]) < 0:
        raise damaged
    return state


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
    out: Path
    errors: Path
    summary_path: Path | None
    out_kind: str
    errors_kind: str
    columns: list[str]
    headers: list[str]
    error_headers: list[str]
    excel: bool
    options: BatchOptions  # with the input's column labels (error rows name them so)
    fingerprint: str  # the options a checkpoint was made with
    rows: Rows

    @property
    def direct(self) -> bool:
        """CSV and JSON Lines are appended to in place; XLSX and Parquet from a spool at the end."""
        return self.out_kind in (".csv", ".jsonl")

    @property
    def sink_path(self) -> Path:
        return self.out.with_name(self.out.name + (PARTIAL_SUFFIX if self.direct else SPOOL_SUFFIX))

    @property
    def errors_direct(self) -> bool:
        """An XLSX errors file is written once at the end, from a spool (as XLSX results are)."""
        return self.errors_kind != ".xlsx"

    @property
    def errors_line_kind(self) -> str:
        """How error lines are encoded as the run goes: CSV or JSON Lines (an XLSX's spool)."""
        return self.errors_kind if self.errors_direct else ".jsonl"

    @property
    def errors_partial(self) -> Path:
        return self.errors.with_name(self.errors.name + (PARTIAL_SUFFIX if self.errors_direct
                                                         else SPOOL_SUFFIX))

    @property
    def checkpoint_path(self) -> Path:
        return self.out.with_name(self.out.name + CHECKPOINT_SUFFIX)


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
    return _Plan(input_path, out, errors, summary_path, out_kind, errors_kind, columns,
                 output_headers(columns, lang), output_headers(ERROR_COLUMNS, lang), excel,
                 options, fingerprint, rows)


def _resume_state(plan: _Plan, input_fingerprint_: dict[str, Any]) -> dict[str, Any] | None:
    """The checkpoint of a killed run of the same command on the same input, if any."""
    if not plan.checkpoint_path.exists():
        return None
    state = read_checkpoint(plan.checkpoint_path)
    if state.get("input") != str(plan.input_path.resolve()) or state.get("columns") != plan.columns \
            or state.get("options") != plan.fingerprint:
        raise InputError("the checkpoint belongs to another input or other options",
                         file=str(plan.checkpoint_path), field="--resume",
                         accepted="the same INPUT and options, or a run without --resume")
    if state.get("fingerprint") != input_fingerprint_:
        raise InputError("the input changed since the checkpoint (size, time or content)",
                         file=str(plan.input_path), field="--resume",
                         accepted="the unchanged INPUT, or a run without --resume")
    return state


class _Run:
    """A run's progress: counts, summary, ids seen, the partial outputs and the checkpoint."""

    def __init__(self, plan: _Plan, state: dict[str, Any] | None, input_fingerprint_: Any) -> None:
        self.plan, self.input_fingerprint = plan, input_fingerprint_
        self.counts = BatchCounts()
        self.summary = Summary()
        self.seen: dict[str, int] = {}
        self.done_rows = self.last = 0
        if state is not None:
            self.counts.rows_in, self.counts.rows_out, self.counts.error_rows = (
                state["rows_in"], state["rows_out"], state["error_rows"])
            self.counts.resumed_at = state["rows_in"]
            self.summary = Summary(state["summary"])
            self.done_rows = self.last = state["last_row"]
        self.out_sink = _LineSink(plan.sink_path, plan.columns,
                                  ".jsonl" if not plan.direct else plan.out_kind,
                                  state["out_file"] if state else None, plan.headers, plan.excel,
                                  excel=plan.excel)
        try:
            self.error_sink = _LineSink(plan.errors_partial, ERROR_COLUMNS, plan.errors_line_kind,
                                        state["errors_file"] if state else None,
                                        plan.error_headers, plan.excel, option="--errors",
                                        excel=plan.excel)
        except BaseException:
            self.out_sink.close()
            raise
        self.last_checkpoint = time.monotonic()

    def save_checkpoint(self) -> None:
        plan, counts = self.plan, self.counts
        data = {"input": str(plan.input_path.resolve()), "fingerprint": self.input_fingerprint,
                "columns": plan.columns, "options": plan.fingerprint,
                "last_row": self.last,
                "rows_in": counts.rows_in, "rows_out": counts.rows_out,
                "error_rows": counts.error_rows, "out_file": self.out_sink.flush(),
                "errors_file": self.error_sink.flush(), "summary": self.summary.state}
        temporary = plan.checkpoint_path.with_name(plan.checkpoint_path.name + ".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, plan.checkpoint_path)  # atomic: a kill leaves the old or the new one
        self.last_checkpoint = time.monotonic()

    def tasks(self, job: _Job, jobs: int | None, engine: str, sizes: PartSize):
        """JSON Lines are cut into byte ranges that the workers read themselves; other formats
        are read here and sent as rows."""
        plan = self.plan
        ranged = plan.rows.columns is None and format_of(plan.input_path, "INPUT") == ".jsonl" \
            and ((jobs or 1) > 1 or engine == "dask")
        if not ranged:
            return chunk_tasks(plan.rows, self.done_rows, self.seen)
        # A pool's partitions take about a quarter of a second each (a Dask task costs more: larger).
        return _part_tasks(plan.input_path, self.done_rows, self.seen,
                           DASK_PART_ROWS if engine == "dask" else sizes)

    def write(self, last_row: int, size: int, result: tuple, sizes: PartSize) -> None:
        """A finished chunk: its lines, counts and summary; a checkpoint about every second."""
        out_text, error_text, ok, bad, state_part = result[:5]
        counts = self.counts
        with critical():  # a signal waits until the chunk is written and counted
            self.out_sink.write_text(out_text)
            self.error_sink.write_text(error_text)
            self.summary.merge(state_part)
            counts.rows_out += ok
            counts.error_rows += bad
            counts.rows_in += size
            sizes.done(counts.rows_in - counts.resumed_at)
            self.last = last_row
            # A checkpoint (with fsync) about every second: a kill loses at most that much.
            if time.monotonic() - self.last_checkpoint >= CHECKPOINT_SECONDS:
                self.save_checkpoint()

    def drive(self, runner: Engine, tasks: Iterator, job: _Job, sizes: PartSize,
              on_progress: Callable[[BatchCounts], None] | None) -> None:
        """Every task's result written in order; Ctrl-C or SIGTERM keeps every whole chunk done."""
        path = str(self.plan.input_path)
        try:
            for (last_row, size, part), result in runner.ordered(tasks):
                if part is not None:
                    result = checked_part(path, part, result, self.seen,
                                          lambda: _worker_init(job, worker=False), _evaluate_part)
                self.write(last_row, size, result, sizes)
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

    def finish(self) -> BatchCounts:
        """Write XLSX or Parquet from the spool and the summary beside their places, then rename
        every output into place (the checkpoint goes first: killed before the renames, there is
        no checkpoint and a --resume starts afresh, never from stale parts)."""
        plan, counts = self.plan, self.counts
        out = plan.out
        writing = out.with_name(out.stem + PARTIAL_SUFFIX + out.suffix)
        if not plan.direct:
            self._from_spool(plan.sink_path, RowWriter(
                writing, plan.columns, plan.headers if plan.out_kind == ".xlsx" else None,
                sheet=t("sheet.results")))
        errors_writing = plan.errors.with_name(plan.errors.stem + PARTIAL_SUFFIX + plan.errors.suffix)
        if not plan.errors_direct:
            self._from_spool(plan.errors_partial, RowWriter(
                errors_writing, ERROR_COLUMNS, plan.error_headers, sheet=t("sheet.errors")))
        counts.summary = self.summary.report()
        written = None
        if plan.summary_path is not None:
            written = plan.summary_path.with_name(plan.summary_path.name + PARTIAL_SUFFIX)
            written.write_text(json.dumps({"rows_in": counts.rows_in, "rows_out": counts.rows_out,
                                           "error_rows": counts.error_rows, **counts.summary},
                                          ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        plan.checkpoint_path.unlink(missing_ok=True)
        os.replace(writing if not plan.direct else plan.sink_path, out)
        os.replace(plan.errors_partial if plan.errors_direct else errors_writing, plan.errors)
        if plan.summary_path is not None and written is not None:
            os.replace(written, plan.summary_path)
        if not plan.direct:
            plan.sink_path.unlink(missing_ok=True)
        if not plan.errors_direct:
            plan.errors_partial.unlink(missing_ok=True)
        return counts

    def _from_spool(self, spool: Path, writer: RowWriter) -> None:
        """Write a spool's JSON lines through `writer` (XLSX or Parquet, written once at the end)."""
        try:
            with spool.open(encoding="utf-8") as lines:
                for line in lines:
                    writer.write(json.loads(line))
            writer.close()
        except Interrupted as stop:  # every row is done; a resume writes the file again
            stop.rows = self.counts.rows_in
            raise


@few_collections()
@keeps_catalog  # the job's catalog is active while it runs, the caller's again after
def run_batch(input_path: Path, out: Path, errors: Path | None, options: BatchOptions, *,
              jobs: int | None = None, summary_path: Path | None = None, resume: bool = False,
              on_progress: Callable[[BatchCounts], None] | None = None,
              encoding: str | None = None, column_map: dict[str, str] | None = None,
              lang: str = "en", excel: bool = False,
              engine: str = "local", scheduler: str | None = None) -> BatchCounts:
    """Evaluate every row of `input_path`; see the module docstring. `lang`: the header language
    of CSV and XLSX outputs (JSONL and Parquet keep the field names); `excel`: CSV outputs with
    a UTF-8 byte-order mark; `engine`: `local` (this process, or `jobs` processes) or `dask`
    (the cluster at `scheduler`, or a LocalCluster)."""
    plan = _plan(input_path, out, errors, options, summary_path, jobs, engine, encoding,
                 column_map, lang, excel)
    fingerprint_of_input = input_fingerprint(input_path)
    state = _resume_state(plan, fingerprint_of_input) if resume else None
    run = _Run(plan, state, fingerprint_of_input)
    job = _Job(options=plan.options, out_kind=".jsonl" if not plan.direct else plan.out_kind,
               columns=plan.columns, errors_kind=plan.errors_line_kind, lang=current_lang(),
               excel=plan.excel)
    sizes = PartSize(jobs or 1, CHUNK_ROWS)
    try:
        tasks = run.tasks(job, jobs, engine, sizes)
        runner = engine_for(engine, jobs, scheduler, job, _worker_init, ANSWERS_SHARED)
    except BaseException:
        run.out_sink.close()
        run.error_sink.close()
        raise
    run.drive(runner, tasks, job, sizes, on_progress)
    return run.finish()
