"""Evaluation: a record, JSON lines of records, and a record read from YAML or JSON text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from models.errors import InputError
from service import answers
from service.deps import TAKES_READINGS, AppWorkers, EncodedJSON, request_readings
from service.problems import COMMON, WORK, documented, problem
from service.record_schema import RECORD_PLACEHOLDER
from service.schemas import BatchOut, EvaluationOut, RecordIn
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


@router.post("/v1/evaluate", response_model=EvaluationOut, responses=WORK,
             openapi_extra=TAKES_READINGS)
async def evaluate_record(request: Request, record: RecordBody, workers: AppWorkers) -> Response:
    """The same JSON as `zjtx evaluate --format json`, plus the claim timeline."""
    readings = request_readings(request)
    return EncodedJSON(await workers.run(answers.evaluation, record, readings))


@router.post("/v1/batch", response_model=BatchOut, responses={**WORK, 415: documented(
    "Batch body not sent as JSON lines (application/x-ndjson, application/jsonl), CSV (text/csv) or XLSX"),
    200: {"description": "The results and errors; with `Accept: " + answers.XLSX + "`, the result rows "
                         "as the XLSX file `zjtx batch` writes", "content": {answers.XLSX: {}}}},
    openapi_extra={**TAKES_READINGS, "requestBody": {
        "required": True,
        "content": {kind: {"schema": {"type": "string"}} for kind in (*BATCH_TYPES, *answers.TABLE_TYPES)},
        "description": f"JSON lines (one record each), or CSV or XLSX rows under a header row, read as "
                       f"`zjtx batch` reads files; at most {BATCH_LIMIT_BYTES:,} bytes and "
                       f"{BATCH_LIMIT_ROWS:,} rows."}})
async def batch(request: Request, workers: AppWorkers) -> Response:
    """Evaluate JSON lines, CSV or XLSX rows: one result row per valid row, one error per
    invalid row (its row number as the file shows it)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in BATCH_TYPES and media_type not in answers.TABLE_TYPES:
        return problem(415, "UnsupportedMediaType", f"the body is {media_type or 'untyped'!r}; "
                       "send JSON lines as " + " or ".join(BATCH_TYPES) + ", or rows as "
                       + " or ".join(answers.TABLE_TYPES))
    readings = request_readings(request)
    declared = request.headers.get("content-length") or "0"  # (the Guard bounds its digits)
    size = int(declared) if declared.isdigit() and len(declared) <= 18 else 0
    if size > BATCH_LIMIT_BYTES:
        return problem(413, "PayloadTooLarge", f"the body has {size:,} bytes; the limit is "
                       f"{BATCH_LIMIT_BYTES:,} (use `zjtx batch` for large files)")
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > BATCH_LIMIT_BYTES:
            return problem(413, "PayloadTooLarge", f"the body is over the limit of {BATCH_LIMIT_BYTES:,} bytes")
    as_xlsx = answers.XLSX in request.headers.get("accept", "")
    if media_type in BATCH_TYPES:
        lines = answers.batch_lines(body)
        count = sum(1 for line in lines if line.strip())
        if count > BATCH_LIMIT_ROWS:
            return problem(413, "PayloadTooLarge", f"{count:,} lines; the limit is {BATCH_LIMIT_ROWS:,}")
        answer = await workers.run(answers.batch, lines, readings, as_xlsx)
    else:  # a sheet is parsed by the pool, off the event loop
        found = await workers.run(answers.sheet_batch, body, media_type, readings, BATCH_LIMIT_ROWS, as_xlsx)
        if found is None:
            return problem(413, "PayloadTooLarge", f"more than {BATCH_LIMIT_ROWS:,} rows; the limit is "
                           f"{BATCH_LIMIT_ROWS:,} (use `zjtx batch` for large files)")
        answer = found
    encoded, error_rows = answer
    if as_xlsx:
        return Response(encoded, media_type=answers.XLSX, headers={
            "content-disposition": 'attachment; filename="zjtx-results.xlsx"', "x-error-rows": str(error_rows)})
    return EncodedJSON(encoded)


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
        raise InputError(f"the body is over the limit of {BATCH_LIMIT_BYTES:,} bytes", field="body")
    return EncodedJSON(await workers.run(answers.record, body))
