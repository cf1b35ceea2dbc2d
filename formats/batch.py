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

from models.catalog import active_catalog, open_catalog, set_active_catalog
from models.errors import BugError, InputError, ZjtxError
from models.i18n import current_lang, t, using_lang
from solver.batch import (ERROR_COLUMNS, ROW_OWN_COLUMNS, BatchOptions, Summary, evaluate_row,
                          fresh_answers, learn_answers, result_columns, row_bug, share_answers)
from formats.columns import output_headers
from formats.engines import (ENGINES, DaskEngine, Engine, Part, PartSize, PoolEngine, Sharing,
                             plan_parts, read_part)
from formats.lines import LineEncoder
from formats.signals import Interrupted, critical, in_worker
from formats.safety import check_outputs, input_fingerprint, verify_output
from formats.tables import Row, RowWriter, format_of, jsonl_rows, read_rows

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


def encode_line(kind: str, columns: list[str], row: dict[str, Any]) -> str:
    """One CSV or JSONL line for a row (CSV booleans as true/false, missing as empty)."""
    if kind == ".csv":
        text = io.StringIO()
        csv.writer(text).writerow(["true" if v is True else "false" if v is False
                                   else "" if v is None else v for v in (row.get(c) for c in columns)])
        return text.getvalue()
    return json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n"


class _LineSink:
    """An append-only CSV or JSONL file whose size and SHA-256 are known after every flush; on a
    resume, the file must still hold exactly what the checkpoint recorded (formats.safety)."""

    def __init__(self, path: Path, columns: list[str], kind: str, recorded: dict[str, Any] | None,
                 headers: list[str] | None = None, bom: bool = False, option: str = "--out") -> None:
        self.path, self.columns, self.kind = path, columns, kind
        path.parent.mkdir(parents=True, exist_ok=True)
        if recorded is None:
            self.handle: BinaryIO = path.open("wb")
            self.digest = hashlib.sha256()
            if kind == ".csv":
                if bom:  # for Excel: UTF-8 with a byte-order mark
                    self._write(codecs.BOM_UTF8)
                self.write_text(encode_line(kind, columns, dict(zip(columns, headers or columns))))
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


def _worker_init(job: _Job, *, worker: bool = True) -> None:
    global _JOB
    _JOB = job
    if worker:
        in_worker()
    set_active_catalog(open_catalog(job.options.catalog))


_JOB: _Job | None = None


def _learn(found: list[Any]) -> None:
    job = _job()
    learn_answers(found, job.options, active_catalog())


# Pool workers share the plain answers they work out: a row whose answer another worker already
# knows is not compiled and solved again (the memo's key is the same on every worker of a run).
ANSWERS_SHARED = Sharing(share_answers, fresh_answers, _learn)


def _evaluate_chunk(rows: list[Row]) -> tuple[str, str, int, int, dict[str, Any]]:
    """Evaluate a chunk in a worker: encoded output lines, encoded error lines, counts, and the
    chunk's part of the summary (so the parent only concatenates and merges)."""
    job = _job()
    with using_lang(job.lang):  # (a Dask worker knows no command line)
        return _evaluate_rows(job, rows)


def _evaluate_rows(job: _Job, rows: list[Row]) -> tuple[str, str, int, int, dict[str, Any]]:
    out, errors, ok, bad = [], [], 0, 0
    summary = Summary()
    lines = _encoder()
    # Rows that share an answer share its summary contributions (one object): each is added
    # once, times its rows (`shared`: id → [contributions, rows, the first row's number]).
    shared: dict[int, list[Any]] = {}
    for number, data, problem in rows:
        try:
            result = evaluate_row(number, data, problem, job.options, whole=False)
            if "ok" in result:
                out.append(lines.encode(result["ok"], result["tail"], result["names"]))
                seen = shared.get(id(result["summary"]))
                if seen is None:
                    shared[id(result["summary"])] = [result["summary"], 1, number]
                else:
                    seen[1] += 1
                ok += 1
            else:
                errors.append(encode_line(job.errors_kind, ERROR_COLUMNS, result["error"]))
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


def _job() -> _Job:
    """This worker's job (set by `_worker_init` before any task runs)."""
    if _JOB is None:
        raise BugError("a batch task ran in a worker that was never initialized")
    return _JOB


def _encoder() -> LineEncoder:
    global _LINES
    job = _job()
    if _LINES is None or _LINES[0] is not job:
        _LINES = (job, LineEncoder(job.out_kind, job.columns, ROW_OWN_COLUMNS, encode_line))
    return _LINES[1]


_LINES: tuple[_Job, LineEncoder] | None = None


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
    job = _job()
    with using_lang(job.lang):
        rows, markers = part_rows(path, part, problems)
        return (*_evaluate_rows(job, rows), markers)


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
            while number < done_rows:
                line = handle.readline()
                if not line:
                    return
                number += 1
                offset += len(line)
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


@few_collections()
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
    catalog = open_catalog(options.catalog)
    errors = errors or default_errors_path(out, input_path)
    out_kind = format_of(out, "--out")
    errors_kind = format_of(errors, "--errors")
    if errors_kind not in (".csv", ".jsonl", ".xlsx"):
        raise InputError(t("option.errors_format"), file=str(errors),
                         field="--errors", accepted=".csv, .xlsx, .jsonl")
    if summary_path is not None and summary_path.suffix.lower() != ".json":
        raise InputError("the summary is written as JSON", file=str(summary_path),
                         field="--summary", accepted=".json")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs must be 1 or more", field="--jobs")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", field="--engine", accepted=", ".join(ENGINES))
    # Before anything is touched: no output is the input, a directory, or unwritable.
    check_outputs(input_path, {"--out": out, "--errors": errors,
                               **({"--summary": summary_path} if summary_path else {})})
    columns = result_columns(catalog, options)
    direct = out_kind in (".csv", ".jsonl")
    sink_path = out.with_name(out.name + (PARTIAL_SUFFIX if direct else SPOOL_SUFFIX))
    # An XLSX errors file is written once at the end, from a spool (as XLSX results are).
    errors_direct = errors_kind != ".xlsx"
    errors_partial = errors.with_name(errors.name + (PARTIAL_SUFFIX if errors_direct else SPOOL_SUFFIX))
    checkpoint_path = out.with_name(out.name + CHECKPOINT_SUFFIX)
    rows = read_rows(input_path, encoding=encoding, column_map=column_map)  # InputError if unusable
    if rows.columns is not None:  # error rows name the columns as the file writes them
        options = dataclasses.replace(options, labels=rows.columns.labels)
    # The options a checkpoint was made with: a resume under other options would mix answers.
    fingerprint = json.dumps([dataclasses.asdict(options), out_kind, errors_kind, lang, excel,
                              current_lang()], default=str, sort_keys=True)
    headers, error_headers = output_headers(columns, lang), output_headers(ERROR_COLUMNS, lang)

    fingerprint_of_input = input_fingerprint(input_path)
    state = None
    if resume and checkpoint_path.exists():
        state = json.loads(checkpoint_path.read_text(encoding="utf-8"))
        if state.get("input") != str(input_path.resolve()) or state.get("columns") != columns \
                or state.get("options") != fingerprint:
            raise InputError("the checkpoint belongs to another input or other options",
                             file=str(checkpoint_path), field="--resume",
                             accepted="the same INPUT and options, or a run without --resume")
        if state.get("fingerprint") != fingerprint_of_input:
            raise InputError("the input changed since the checkpoint (size, time or content)",
                             file=str(input_path), field="--resume",
                             accepted="the unchanged INPUT, or a run without --resume")
    counts = BatchCounts()
    summary = Summary()
    seen: dict[str, int] = {}
    done_rows = 0
    if state is not None:
        counts.rows_in, counts.rows_out, counts.error_rows = (state["rows_in"], state["rows_out"],
                                                              state["error_rows"])
        counts.resumed_at = state["rows_in"]
        summary = Summary(state["summary"])
        done_rows = state["last_row"]
    out_sink = _LineSink(sink_path, columns, ".jsonl" if not direct else out_kind,
                         state["out_file"] if state else None, headers, excel)
    error_sink = _LineSink(errors_partial, ERROR_COLUMNS, errors_kind if errors_direct else ".jsonl",
                           state["errors_file"] if state else None, error_headers, excel,
                           option="--errors")

    def save_checkpoint(last_row: int) -> None:
        data = {"input": str(input_path.resolve()), "fingerprint": fingerprint_of_input,
                "columns": columns, "options": fingerprint,
                "last_row": last_row,
                "rows_in": counts.rows_in, "rows_out": counts.rows_out,
                "error_rows": counts.error_rows, "out_file": out_sink.flush(),
                "errors_file": error_sink.flush(), "summary": summary.state}
        temporary = checkpoint_path.with_name(checkpoint_path.name + ".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, checkpoint_path)  # atomic: a kill leaves the old or the new one

    job = _Job(options=options, out_kind=".jsonl" if not direct else out_kind, columns=columns,
               errors_kind=errors_kind if errors_direct else ".jsonl", lang=current_lang())
    # JSON Lines are cut into byte ranges that the workers read themselves; other formats are
    # read here and sent as rows.
    ranged = rows.columns is None and format_of(input_path, "INPUT") == ".jsonl" \
        and ((jobs or 1) > 1 or engine == "dask")
    # A pool's partitions take about a quarter of a second each (a Dask task costs more: larger).
    sizes = PartSize(jobs or 1, CHUNK_ROWS)
    tasks = _part_tasks(input_path, done_rows, seen, DASK_PART_ROWS if engine == "dask" else sizes) \
        if ranged else chunk_tasks(rows, done_rows, seen)
    runner = engine_for(engine, jobs, scheduler, job, _worker_init, ANSWERS_SHARED)
    last_checkpoint = time.monotonic()
    last = done_rows
    try:
        for (last_row, size, part), result in runner.ordered(tasks):
            if part is not None:
                result = checked_part(str(input_path), part, result, seen,
                                      lambda: _worker_init(job, worker=False), _evaluate_part)
            out_text, error_text, ok, bad, state_part = result[:5]
            with critical():  # a signal waits until the chunk is written and counted
                out_sink.write_text(out_text)
                error_sink.write_text(error_text)
                summary.merge(state_part)
                counts.rows_out += ok
                counts.error_rows += bad
                counts.rows_in += size
                sizes.done(counts.rows_in - counts.resumed_at)
                last = last_row
                # A checkpoint (with fsync) about every second: a kill loses at most that much.
                if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                    save_checkpoint(last)
                    last_checkpoint = time.monotonic()
            if on_progress:
                on_progress(counts)
        if counts.rows_in > counts.resumed_at:
            with critical():
                save_checkpoint(last)
    except Interrupted as stop:  # SIGINT/SIGTERM: keep every whole chunk done, then stop
        runner.close()
        with critical():
            if last:
                save_checkpoint(last)
        stop.rows = counts.rows_in
        raise
    finally:
        runner.close()
        out_sink.close()
        error_sink.close()
    if not direct:  # XLSX and Parquet are written once, from the spool, beside the output
        writing = out.with_name(out.stem + PARTIAL_SUFFIX + out.suffix)
        _spool_to(sink_path, RowWriter(writing, columns, headers if out_kind == ".xlsx" else None,
                                       sheet=t("sheet.results")), counts)
    if not errors_direct:
        errors_writing = errors.with_name(errors.stem + PARTIAL_SUFFIX + errors.suffix)
        _spool_to(errors_partial, RowWriter(errors_writing, ERROR_COLUMNS, error_headers,
                                            sheet=t("sheet.errors")), counts)
    counts.summary = summary.report()
    if summary_path is not None:
        written = summary_path.with_name(summary_path.name + PARTIAL_SUFFIX)
        written.write_text(json.dumps({"rows_in": counts.rows_in, "rows_out": counts.rows_out,
                                       "error_rows": counts.error_rows, **counts.summary},
                                      ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # Every output is whole beside its place. The checkpoint goes first: killed before the
    # renames, there is no checkpoint and a --resume starts afresh (never from stale parts).
    checkpoint_path.unlink(missing_ok=True)
    os.replace(writing if not direct else sink_path, out)
    os.replace(errors_partial if errors_direct else errors_writing, errors)
    if summary_path is not None:
        os.replace(written, summary_path)
    if not direct:
        sink_path.unlink(missing_ok=True)
    if not errors_direct:
        errors_partial.unlink(missing_ok=True)
    return counts


def _spool_to(spool: Path, writer: RowWriter, counts: BatchCounts) -> None:
    """Write a spool's JSON lines through `writer` (an XLSX file, written once at the end)."""
    try:
        with spool.open(encoding="utf-8") as lines:
            for line in lines:
                writer.write(json.loads(line))
        writer.close()
    except Interrupted as stop:  # every row is done; a resume writes the file again
        stop.rows = counts.rows_in
        raise
