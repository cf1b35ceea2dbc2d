"""The work behind each endpoint that evaluates: plain data in (the parsed request, the readings),
the JSON body out, encoded through the endpoint's response model (service/schemas.py) so that
what is sent is what /openapi.json describes. The evaluation processes (service.pool) run these,
in the request's language and catalog; they take the same roads as the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from formats.batch import with_duplicates
from formats.columns import output_headers
from formats.tables import Row, RowWriter, jsonl_rows, read_rows
from models.errors import ZjtxError
from models.i18n import current_lang, t
from models.catalog import active_catalog
from models.errors import RecordError
from models.record import EnterpriseRecord, parse_record, parse_record_text
from models.scenario import parse_inline
from models.yamlio import decode_document, loads_json
from service.schemas import (BatchOut, EvaluationOut, ImpactOut, PlanRequest, RankingOut,
                             RecognitionsOut, RecognitionsRequest, WhatIfOut, WhatifRequest,
                             WorklistOut, WorklistRequest)
from solver.batch import (ERROR_COLUMNS, BatchOptions, RowContext, RowResult, evaluate_row,
                          result_columns)
from solver.evaluate import evaluate
from solver.notices import record_notices
from solver.planner import best_district, timeline, whatif
from views.fonts import glyph_notices
from views.notices import notices_text
from views.reasons import with_text
from views.words import with_names

M = TypeVar("M", bound=BaseModel)


def encoded(model: type[M], data: object) -> bytes:
    """`data` as `model` describes it, in JSON (a key the model does not declare is a bug)."""
    return model.model_validate(data).model_dump_json(exclude_unset=True).encode("utf-8")


def _record(data: object) -> EnterpriseRecord:
    return parse_record(data, source="body")


def evaluation(record: dict[str, object], readings: dict[str, str]) -> bytes:
    """`zjtx evaluate --format json`, plus the claim timeline and the warnings."""
    the_record = _record(record)
    result = evaluate(the_record, readings)
    warnings = [notice.as_dict() for notice in (*record_notices(the_record, readings),
                                                 *glyph_notices(the_record))]
    return encoded(EvaluationOut, with_names(with_text({
        **result.as_dict(), "timeline": [year.as_dict() for year in timeline(result)],
        "warnings": warnings})))


def ranking(body: PlanRequest, readings: dict[str, str]) -> bytes:
    """`zjtx best-district --format json`, plus the current district."""
    ranked = best_district(_record(body.record), body.move_date, body.horizon_years, readings,
                           rank_by=body.rank_by)
    return encoded(RankingOut, with_names(with_text({**ranked.as_dict(),
                                                     "current_district": ranked.current_district})))


def what_if(body: WhatifRequest, readings: dict[str, str]) -> bytes:
    """`zjtx whatif --format json` (the request has at least one change)."""
    scenario = parse_inline(body.changes, list(active_catalog().index.readings))
    return encoded(WhatIfOut, with_names(with_text(
        whatif(_record(body.record), scenario, readings).as_dict())))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_TYPES = {"text/csv": ".csv", XLSX: ".xlsx"}  # bodies read by the batch file reader


def batch(lines: list[bytes], readings: dict[str, str], as_xlsx: bool = False) -> tuple[bytes, int]:
    """JSON lines read and checked as `zjtx batch` reads a file: one result or error per line."""
    return _batch(jsonl_rows(lines), sum(1 for line in lines if line.strip()), {}, readings, as_xlsx)


def sheet_batch(body: bytes, media_type: str, readings: dict[str, str], limit: int,
                as_xlsx: bool = False) -> tuple[bytes, int] | None:
    """CSV or XLSX rows read exactly as `zjtx batch` reads such a file (`sheet_rows`); None when
    the body holds more than `limit` rows."""
    found = sheet_rows(body, media_type, limit)
    if found is None:
        return None
    rows, labels = found
    return _batch(iter(rows), len(rows), labels, readings, as_xlsx)


def sheet_rows(body: bytes, media_type: str, limit: int) -> tuple[list[Row], dict[str, str]] | None:
    """The rows of a CSV or XLSX body read as `zjtx batch` reads such a file (the same reader:
    headers in either language, GB18030 or UTF-8, row numbers as the sheet shows them) and the
    labels its headers give the fields (error rows name a field so); None beyond `limit` rows."""
    with tempfile.TemporaryDirectory(prefix="zjtx-batch-") as folder:
        path = Path(folder) / f"body{TABLE_TYPES[media_type]}"
        path.write_bytes(body)
        try:
            found = read_rows(path)
            rows = list(itertools.islice(found, limit + 1))
        except ZjtxError as exc:
            exc.file = "body"  # not the temporary file's name
            raise
    if len(rows) > limit:
        return None
    return rows, found.columns.labels if found.columns else {}


def impact(body: bytes, media_type: str, readings: dict[str, str], limit: int, old: str,
           new: str | None, days: list[dt.date]) -> bytes | None:
    """`zjtx impact --format json` on the rows of a body (JSON lines, CSV or XLSX) between two
    shipped packages or two dates of one (`--at`): the enterprises whose answer changes, the
    error rows and the summary; None when the body holds more than `limit` rows."""
    from formats.impact import impact_of_rows, side

    if media_type in TABLE_TYPES:
        found = sheet_rows(body, media_type, limit)
    else:
        lines = batch_lines(body)
        found = (list(jsonl_rows(lines)), {}) \
            if sum(1 for line in lines if line.strip()) <= limit else None
    if found is None:
        return None
    rows, labels = found
    before = side(old, days[0] if days else None)
    after = side(new if new is not None else old, days[-1] if days else None)
    answer = impact_of_rows(rows, labels, before, after, current_lang(), readings, notices_text)
    for key in ("from", "to"):  # the server's folders are not the client's business
        answer["summary"][key].pop("directory", None)
    return encoded(ImpactOut, answer)


def packages() -> list[dict[str, object]]:
    """`zjtx measures packages --format json`, without the server's folders."""
    from models.packages import packages as shipped_packages

    return [{k: v for k, v in info.as_dict().items() if k != "directory"} for info in shipped_packages()]


def _batch(rows: Iterator[Row], rows_in: int, labels: dict[str, str], readings: dict[str, str],
           as_xlsx: bool) -> tuple[bytes, int]:
    """One result or error per row (the duplicate check and evaluation of `zjtx batch`): the JSON
    body, or with `as_xlsx` the result rows as the XLSX file `zjtx batch` writes (headers in the
    request's language); and the number of rows in error."""
    catalog = active_catalog()
    options = BatchOptions(readings=readings, labels=labels)
    context = RowContext(options, catalog, notices_text)
    results: list[dict[str, object]] = []
    errors: list[dict[str, object]] = []
    for number, data, problem_text in with_duplicates(rows):
        outcome = evaluate_row(number, data, problem_text, context)
        (results if isinstance(outcome, RowResult) else errors).append(outcome.cells())
    columns = result_columns(catalog, options)
    if as_xlsx:
        return _xlsx(columns, results, errors), len(errors)
    return encoded(BatchOut, {"rows_in": rows_in, "rows_out": len(results), "error_rows": len(errors),
                              "columns": columns, "results": results, "errors": errors}), len(errors)


def _xlsx(columns: list[str], rows: list[dict[str, object]], errors: list[dict[str, object]]) -> bytes:
    """One workbook: the result rows on a sheet named as `zjtx batch` names its results, and the
    error rows, when there are any, on a second sheet as its errors workbook holds them (nothing
    lost: the rows of the body are the rows of the two sheets)."""
    lang = current_lang()
    with tempfile.TemporaryDirectory(prefix="zjtx-batch-") as folder:
        path = Path(folder) / "results.xlsx"
        writer = RowWriter(path, columns, output_headers(columns, lang), sheet=t("sheet.results"))
        for row in rows:
            writer.write(row)
        if errors:
            writer.next_sheet(list(ERROR_COLUMNS), output_headers(ERROR_COLUMNS, lang), t("sheet.errors"))
            for row in errors:
                writer.write(row)
        writer.close()
        return path.read_bytes()


def batch_lines(body: bytes) -> list[bytes]:
    """Lines exactly as `zjtx batch` reads a file: bytes split on \\n, decoded line by line."""
    return io.BytesIO(body).readlines()


def work(body: WorklistRequest, readings: dict[str, str]) -> bytes:
    """`zjtx worklist --format json`: per enterprise and action (claim, apply, near_miss), by date
    then amount; invalid records as error rows."""
    from formats.worklist import records_of
    from solver.worklist import worklist
    from views.worklist import with_note

    day = body.date or dt.date.today()
    records, errors = records_of((n, data, None) for n, data in enumerate(body.records, 1))
    actions = sorted((action for record in records
                      for action in worklist(record, day, min_gain=body.min_gain, readings=readings)),
                     key=lambda action: action.sort_key())
    return encoded(WorklistOut, {"date": day.isoformat(),
                                 "actions": with_names([with_note(a) for a in actions]),
                                 "errors": errors})


def record(body: bytes) -> bytes:
    """A record typed, pasted or uploaded as YAML or JSON, validated, in canonical form. JSON
    text is read by the JSON parser (YAML reads it too, a hundred times slower); anything it
    refuses takes the YAML road, whose messages name the problem."""
    # Bytes that are not UTF-8 are refused, as the CLI refuses them in a file (never replaced).
    text = decode_document(body, RecordError, "body")
    parsed = None
    if text.lstrip().startswith("{"):
        try:
            parsed = parse_record(loads_json(text), source="body")
        except (ValueError, RecursionError):  # not JSON (or a duplicate key): as YAML
            parsed = None
    if parsed is None:
        parsed = parse_record_text(text, source="body")
    return parsed.model_dump_json(by_alias=True, exclude_defaults=True).encode("utf-8")


def evidence(raw: bytes, readings: dict[str, str]) -> tuple[bytes, str]:
    """`zjtx evaluate RECORD.json --evidence`: the bundle of the body's bytes as sent (the same
    bytes as a record file give the same bundle), and the enterprise's id."""
    from formats.evidence import evidence_bundle
    from solver.questions import Question, ask_bytes

    catalog = active_catalog()
    question, record, answer = ask_bytes(Question("evaluate", readings), raw, as_json=True,
                                         source="body", catalog=catalog, today=dt.date.today())
    return evidence_bundle(question, raw, True, record, answer, catalog), record.id


def recognitions(body: RecognitionsRequest, readings: dict[str, str]) -> bytes:
    """`zjtx recognitions import` of the two files sent, then the claims the import brought
    (`zjtx worklist UPDATED --new-since REGISTRY`), with both files to download."""
    import base64
    import binascii
    import tempfile
    from pathlib import Path

    from formats.recognitions import import_recognitions, new_claims, report_rows
    from formats.worklist import read_enterprises, write_worklist
    from models.errors import InputError, ZjtxError
    from models.i18n import current_lang, t
    from models.normalize import Unreadable, normalize_value
    from views.worklist import for_people, with_note

    catalog = active_catalog()
    day = body.day or dt.date.today()
    tier = None
    if body.tier:
        try:
            tier = str(normalize_value("tier", body.tier, catalog.vocabulary))
        except Unreadable as unreadable:
            raise InputError(unreadable.problem.message, field="tier",
                             accepted=unreadable.problem.accepted) from None
    with tempfile.TemporaryDirectory(prefix="zjtx-recognitions-") as folder:
        paths, names = {}, {}
        for key, sent in (("list", body.list), ("registry", body.registry)):
            try:
                data = base64.b64decode(sent.content, validate=True)
            except (binascii.Error, ValueError):
                raise InputError(t("recognitions.not_base64"), field=f"{key}.content") from None
            paths[key] = Path(folder) / f"{key}{Path(sent.name).suffix.lower()}"
            paths[key].write_bytes(data)
            names[str(paths[key])] = (sent.name, key)
        updated = Path(folder) / "updated.xlsx"
        try:
            result = import_recognitions(paths["list"], paths["registry"], updated,
                                         catalog=catalog, lang=current_lang(), tier=tier,
                                         date=body.date)
        except ZjtxError as exc:  # named as sent, never by the server's temporary path
            if exc.file in names:
                exc.file, exc.field = names[exc.file][0], exc.field or names[exc.file][1]
            raise
        before, _ = read_enterprises(paths["registry"])
        after, _ = read_enterprises(updated)
        actions = sorted(new_claims(after, before, day, min_gain=body.min_gain,
                                    readings=readings), key=lambda action: action.sort_key())
        sheet = write_worklist(Path(folder) / "worklist.xlsx",
                               [for_people(a) for a in actions], current_lang())
        files = {name: base64.b64encode(path.read_bytes()).decode("ascii")
                 for name, path in (("worklist_xlsx", sheet), ("updated_xlsx", updated))}
    return encoded(RecognitionsOut, {
        "counts": {"list_rows": result.list_rows, "added": result.added,
                   "already_recorded": result.count("already_recorded"),
                   "not_added": result.not_added, "registry_rows": result.registry_rows,
                   "written": result.written, "registry_errors": len(result.registry_errors)},
        "matches": [{k: v for k, v in row.items() if v is not None or k in ("name",)}
                    for row in report_rows(result)],
        "registry_errors": result.registry_errors,
        "worklist": {"date": day.isoformat(),
                     "actions": with_names([with_note(a) for a in actions]),
                     "errors": []},
        **files})
