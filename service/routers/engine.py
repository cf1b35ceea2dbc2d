"""Evaluation: a record, rows of records (JSON lines, CSV, XLSX), who is affected when policies
change, and a record read from YAML or JSON text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from models.errors import InputError
from models.i18n import t
from models.limits import Quoted
from models.packages import BROCHURE, shipped
from service import answers
from formats.bundle import sha256
from service.deps import (TAKES_READINGS, AppWorkers, EncodedJSON, given_readings,
                          request_readings)
from service.problems import COMMON, WORK, documented, problem
from service.record_schema import RECORD_PLACEHOLDER
from service.schemas import BatchOut, Day, EvaluationOut, ImpactOut, RecordIn
from models.record import EnterpriseRecord

router = APIRouter(tags=["engine"], responses=COMMON)

BATCH_LIMIT_BYTES = 1_000_000
BATCH_LIMIT_ROWS = 2_000
BATCH_TYPES = ("application/x-ndjson", "application/jsonl")

RecordBody = Annotated[RecordIn, Body(
    description="An enterprise record (DOMAIN.md section 7), as JSON.",
    examples=[{"id": "EX-1", "district": "shijingshan", "as_of": "2026-11-24",
               "recognitions": [{"tier": "municipal", "date": "2022-09-30"},
                                {"tier": "national", "date": "2024-07-15"}]}])]


ZIP = "application/zip"
EVIDENCE_ANSWER: dict[int | str, dict[str, Any]] = {200: {"description": "With `evidence=true`: the evidence bundle.",
                         "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("/v1/evaluate", response_model=EvaluationOut, responses={**WORK, **EVIDENCE_ANSWER},
             openapi_extra=TAKES_READINGS)
async def evaluate_record(request: Request, record: RecordBody, workers: AppWorkers,
                          evidence: Annotated[bool, Query(description=(
                              "Answer with the evidence bundle (application/zip) that `zjtx "
                              "evaluate RECORD.json --evidence` writes for the same bytes: the "
                              "record as sent, the package, the answer in both languages, the "
                              "clauses, a SHA-256 manifest; `zjtx verify` checks it."))] = False,
                          ) -> Response:
    """The same JSON as `zjtx evaluate --format json`, plus the claim timeline; or, with
    `evidence=true`, the answer as an evidence bundle (its SHA-256 in `X-Evidence-SHA256`)."""
    readings = request_readings(request)
    if not evidence:
        return EncodedJSON(await workers.run(answers.evaluation, record, readings))
    raw = await request.body()  # the bytes as sent: the record as read
    bundle, ident = await workers.run(answers.evidence, raw, given_readings(request))
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in ident)[:60]
    return Response(bundle, media_type=ZIP, headers={
        "content-disposition": f'attachment; filename="{safe or "record"}-evidence.zip"',
        "x-evidence-sha256": sha256(bundle)})


async def _rows_body(request: Request, command: str = "zjtx batch") -> tuple[str, bytes] | Response:
    """The media type and bytes of a body of rows (JSON lines, CSV or XLSX) within the limit,
    or the problem: 415 another type, 413 too large."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in BATCH_TYPES and media_type not in answers.TABLE_TYPES:
        return problem(415, "UnsupportedMediaType", t(
            "request.media_type", type=Quoted(media_type or "untyped"),
            lines=t("request.or").join(BATCH_TYPES), rows=t("request.or").join(answers.TABLE_TYPES)))
    declared = request.headers.get("content-length") or "0"  # (the Guard bounds its digits)
    size = int(declared) if declared.isdigit() and len(declared) <= 18 else 0
    if size > BATCH_LIMIT_BYTES:
        return problem(413, "PayloadTooLarge", t("request.body_bytes", size=f"{size:,}",
                                                 limit=f"{BATCH_LIMIT_BYTES:,}", command=command))
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > BATCH_LIMIT_BYTES:
            return problem(413, "PayloadTooLarge", t("request.body_over", limit=f"{BATCH_LIMIT_BYTES:,}"))
    return media_type, body


@router.post("/v1/batch", response_model=BatchOut, responses={**WORK, 415: documented(
    "Batch body not sent as JSON lines (application/x-ndjson, application/jsonl), CSV (text/csv) or XLSX"),
    200: {"description": "The results and errors; with `Accept: " + answers.XLSX + "`, a workbook: the "
                         "result rows as the XLSX file `zjtx batch` writes, the error rows on a second "
                         "sheet", "content": {answers.XLSX: {}}}},
    openapi_extra={**TAKES_READINGS, "requestBody": {
        "required": True,
        "content": {kind: {"schema": {"type": "string"}} for kind in (*BATCH_TYPES, *answers.TABLE_TYPES)},
        "description": f"JSON lines (one record each), or CSV or XLSX rows under a header row, read as "
                       f"`zjtx batch` reads files; at most {BATCH_LIMIT_BYTES:,} bytes and "
                       f"{BATCH_LIMIT_ROWS:,} rows."}})
async def batch(request: Request, workers: AppWorkers) -> Response:
    """Evaluate JSON lines, CSV or XLSX rows: one result row per valid row, one error per
    invalid row (its row number as the file shows it)."""
    read = await _rows_body(request)
    if isinstance(read, Response):
        return read
    media_type, body = read
    readings = request_readings(request)
    as_xlsx = answers.XLSX in request.headers.get("accept", "")
    if media_type in BATCH_TYPES:
        lines = answers.batch_lines(body)
        count = sum(1 for line in lines if line.strip())
        if count > BATCH_LIMIT_ROWS:
            return problem(413, "PayloadTooLarge", t("request.lines_over", count=f"{count:,}",
                                                     limit=f"{BATCH_LIMIT_ROWS:,}"))
        answer = await workers.run(answers.batch, lines, readings, as_xlsx)
    else:  # a sheet is parsed by the pool, off the event loop
        found = await workers.run(answers.sheet_batch, body, media_type, readings, BATCH_LIMIT_ROWS, as_xlsx)
        if found is None:
            return problem(413, "PayloadTooLarge", t("request.rows_over", limit=f"{BATCH_LIMIT_ROWS:,}",
                                                     command="zjtx batch"))
        answer = found
    encoded, error_rows = answer
    if as_xlsx:
        return Response(encoded, media_type=answers.XLSX, headers={
            "content-disposition": 'attachment; filename="zjtx-results.xlsx"', "x-error-rows": str(error_rows)})
    return EncodedJSON(encoded)


ROWS_BODY = {"required": True,
             "content": {kind: {"schema": {"type": "string"}} for kind in (*BATCH_TYPES, *answers.TABLE_TYPES)},
             "description": f"JSON lines (one record each), or CSV or XLSX rows under a header row, read as "
                            f"`zjtx impact` reads files; at most {BATCH_LIMIT_BYTES:,} bytes and "
                            f"{BATCH_LIMIT_ROWS:,} rows."}
PACKAGE_NAMES = tuple(shipped())


@router.post("/v1/impact", response_model=ImpactOut, responses={**WORK, 415: documented(
    "Body not sent as JSON lines (application/x-ndjson, application/jsonl), CSV (text/csv) or XLSX")},
    openapi_extra={**TAKES_READINGS, "requestBody": ROWS_BODY})
async def impact(request: Request, workers: AppWorkers,
                 old: Annotated[str, Query(alias="from", description="The old policies: a shipped package.",
                                           json_schema_extra={"enum": list(PACKAGE_NAMES)})] = BROCHURE,
                 new: Annotated[str | None, Query(alias="to", description="The new policies: a shipped package (default: `from`, on the second `at` date).",
                                                  json_schema_extra={"enum": list(PACKAGE_NAMES)})] = None,
                 at: Annotated[list[Day] | None, Query(description="The policies as in force on a date: once (both sides), or twice (`from` on the first, `to` on the second).",
                                                       max_length=2)] = None) -> Response:
    """Who is affected when policies change (`zjtx impact`): the enterprises among the rows
    whose answer differs between the old and the new policies, with both totals, the difference
    and each award added, ended or changed and why; the error rows; a summary by paying district
    and claim year."""
    read = await _rows_body(request, "zjtx impact")
    if isinstance(read, Response):
        return read
    media_type, body = read
    readings = request_readings(request)
    for field, name in (("from", old), ("to", new)):
        if name is not None and name not in PACKAGE_NAMES:
            raise InputError(t("request.unknown_package", name=Quoted(name[:80])), field=field,
                             accepted=", ".join(PACKAGE_NAMES))
    days = list(at or [])
    if new is None and len(days) != 2:
        raise InputError(t("request.impact_needs_to"), field="to",
                         accepted=", ".join(PACKAGE_NAMES))
    answer = await workers.run(answers.impact, body, media_type, readings, BATCH_LIMIT_ROWS, old,
                               new, days)
    if answer is None:
        return problem(413, "PayloadTooLarge", t("request.rows_over", limit=f"{BATCH_LIMIT_ROWS:,}",
                                                 command="zjtx impact"))
    return EncodedJSON(answer)


@router.post("/v1/record", response_model=EnterpriseRecord, response_model_exclude_defaults=True,
             responses=WORK, openapi_extra={"requestBody": {
                 "content": {kind: {"schema": RECORD_PLACEHOLDER}
                             for kind in ("application/yaml", "application/json")},
                 "required": True,
                 "description": "A record as YAML or JSON text, whatever its content type (the "
                                "page sends text/plain); at most 1,000,000 bytes."}})
async def read_record(request: Request, workers: AppWorkers) -> Response:
    """Read a record typed, pasted or uploaded as YAML or JSON: the validated record in
    canonical form (ids, ISO dates, whole yuan), or every problem with its field. Read by the
    pool, never on the event loop (a large YAML text takes a while)."""
    body = await request.body()
    if len(body) > BATCH_LIMIT_BYTES:
        raise InputError(t("request.body_over", limit=f"{BATCH_LIMIT_BYTES:,}"), field="body")
    return EncodedJSON(await workers.run(answers.record, body))
