"""The zjtx HTTP API and web page.

Every endpoint parses its input, calls the solver (the same roads as the CLI) and returns the
same JSON as the CLI's `--format json`. Bad input is a 4xx problem body (RFC 9457 style:
`type`, `title`, `status`, `detail`, `field`), never a 5xx and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import io
import itertools
import sys
import tempfile
import json
import os
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from pydantic import BaseModel, ConfigDict, Field

from models.catalog import Catalog, active_catalog, open_catalog, using_catalog
from models.i18n import LANGS, current_lang, lang_from_accept, messages, names, using_lang
from models.errors import BugError, CatalogError, InputError, RecordError, SolverError, ZjtxError
from models.record import parse_record, parse_record_text
from models.scenario import parse_inline
from models.validation import field_path
from formats.batch import with_duplicates
from formats.columns import output_headers
from formats.tables import Row, RowWriter, jsonl_rows, read_rows
from service.guard import Busy, Guard, Workers, json_response, settings_from_env
from solver.batch import BatchOptions, RowContext, RowResult, evaluate_row, result_columns
from solver.evaluate import evaluate
from solver.planner import best_district, timeline, whatif, windows
from solver.notices import catalog_tags, record_notices
from views.fonts import glyph_notices
from views.fonts.subset import WEB_FONT
from views.reasons import with_text
from views.words import with_names

STATIC = Path(__file__).parent / "static"
# Swagger UI 5 (reads the OpenAPI 3.1 document FastAPI emits; 4.x could not), from the
# fastapi-offline package: served here, so /docs works with no network.
SWAGGER_UI = Path(str(importlib.resources.files("fastapi_offline") / "static"))
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BATCH_LIMIT_BYTES = 1_000_000
BATCH_LIMIT_ROWS = 2_000
# Errors raised by the shared roads name record and request fields (`readings.stacking`, the
# scenario); the API names its own (the query parameter `stacking`, the body's `changes`).
CLI_TO_REQUEST = {"readings": "query", "scenario": "changes"}


def problem(status: int, title: str, detail: str, field: str | None = None,
            errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field:
        body["field"] = field
    if errors:  # every problem of a record, each with its field
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


class Problem(BaseModel):
    """A problem body: what was wrong, and which field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "Bad input (names the field)"},
    404: {"model": Problem, "description": "Unknown measure"},
    408: {"model": Problem, "description": "The body did not arrive in time"},
    413: {"model": Problem, "description": "Body too large (every endpoint; `serve --max-body`)"},
    415: {"model": Problem, "description": "Batch body not sent as application/x-ndjson or application/jsonl"},
    422: {"model": Problem, "description": "Invalid record (names the field)"},
    503: {"model": Problem, "description": "Busy, or the request's time budget was spent"},
}

RecordBody = Annotated[dict[str, Any], Body(
    description="An enterprise record (DOMAIN.md section 7), as JSON.",
    examples=[{"id": "EX-1", "district": "shijingshan", "as_of": "2026-11-24",
               "recognitions": [{"tier": "municipal", "date": "2022-09-30"},
                                {"tier": "national", "date": "2024-07-15"}]}])]


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record: dict[str, Any]
    move_date: dt.date | None = None
    horizon_years: int = Field(2, ge=0, le=20)
    rank_by: Literal["max", "min"] = "max"


class WhatifRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record: dict[str, Any]
    changes: list[str] = Field(default_factory=list, max_length=50, description=(
        "Inline changes, as on the CLI: move=shunyi@2027-01-01, recognition=national@2027-06-30, "
        "expense=leased_equipment:12000000@2027, stacking=difference-only, "
        "shunyi.tier.national.amount=800000"))


class WorklistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(max_length=200, description="Enterprise records.")
    date: dt.date | None = Field(None, description="The working day (default today).")
    min_gain: int = Field(100_000, ge=1, description="A near-miss must bring at least this much more (yuan).")


def _readings(request: Request) -> dict[str, str]:
    """Readings from the query string (`?stacking=difference-only`); other keys are errors."""
    readings: dict[str, str] = {}
    catalog = active_catalog()
    for key, value in request.query_params.multi_items():
        if key in catalog.index.readings:
            readings[key] = value
        elif key not in ("date", "tier", "lang"):
            raise InputError(f"unknown query parameter {key!r}", field=key,
                             accepted=", ".join(catalog.index.readings))
    return catalog.resolve_readings(readings)


def request_lang(request: Request) -> str | None:
    """`?lang=zh|en`, else the browser's `Accept-Language`, else None (the server's default)."""
    chosen = request.query_params.get("lang", "").strip().lower()
    if chosen:
        if chosen not in LANGS:
            raise InputError(f"unknown language {chosen!r}", field="lang", accepted=", ".join(LANGS))
        return chosen
    return lang_from_accept(request.headers.get("accept-language"))


class FromCatalog:
    """ASGI middleware: every request answers from the app's catalog (records, readings, names)."""

    def __init__(self, app: Any, catalog: Catalog) -> None:
        self.app = app
        self.catalog = catalog

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with using_catalog(self.catalog):
            await self.app(scope, receive, send)


class Speaks:
    """ASGI middleware: each request is answered in its own language (`?lang=`, Accept-Language)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            lang = request_lang(Request(scope))
        except InputError as exc:
            await problem(400, "InputError", exc.detail(), "lang")(scope, receive, send)
            return
        with using_lang(lang):
            await self.app(scope, receive, send)


def _evaluate_rows(rows: Iterable[Row], options: BatchOptions,
                   catalog: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same duplicate check and evaluation as `zjtx batch`; one result or error per row."""
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    context = RowContext(options, catalog)
    for number, data, problem_text in with_duplicates(iter(rows), {}):
        outcome = evaluate_row(number, data, problem_text, context)
        (results if isinstance(outcome, RowResult) else errors).append(outcome.cells())
    return results, errors


def _table_rows(body: bytes, suffix: str, limit: int) -> tuple[list[Row], dict[str, str]]:
    """The rows of a CSV or XLSX body read exactly as `zjtx batch` reads such a file (the same
    reader: headers in either language, GB18030 or UTF-8, row numbers as the sheet shows them),
    at most `limit` + 1 of them (one more tells that the body is over the limit), and the
    sheet's column labels (error rows name a field as the sheet's header does)."""
    with tempfile.TemporaryDirectory(prefix="zjtx-batch-") as folder:
        path = Path(folder) / f"body{suffix}"
        path.write_bytes(body)
        try:
            rows = read_rows(path)
            return list(itertools.islice(rows, limit + 1)), rows.columns.labels if rows.columns else {}
        except ZjtxError as exc:
            exc.file = "body"  # not the temporary file's name
            raise


def _xlsx(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    """Result rows as the XLSX `zjtx batch --out results.xlsx` writes (the same writer, headers
    in the request's language)."""
    with tempfile.TemporaryDirectory(prefix="zjtx-batch-") as folder:
        path = Path(folder) / "results.xlsx"
        writer = RowWriter(path, columns, output_headers(columns, current_lang()))
        for row in rows:
            writer.write(row)
        writer.close()
        return path.read_bytes()


def _record(data: Any) -> Any:
    return parse_record(data, source="body")


BATCH_TYPES = ("application/x-ndjson", "application/jsonl")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_TYPES = {"text/csv": ".csv", XLSX: ".xlsx"}  # read by the batch file reader


def create_app(catalog: Catalog | None = None, **settings: Any) -> FastAPI:
    """The app, answering from `catalog` (default: the package in $ZJTX_CATALOG, which
    `zjtx serve --catalog DIR` sets, else the shipped one). `settings` (allowed_hosts, max_body,
    time_budget, workers, body_seconds) default to what `zjtx serve` put in the environment
    (service.guard.settings_from_env)."""
    settings = {**settings_from_env(), **settings}
    # The evaluation threads hold the GIL in pure Python; hand it over every millisecond (not 5)
    # so that the event loop answers /healthz and cheap requests promptly.
    sys.setswitchinterval(0.001)
    catalog = catalog or open_catalog(os.environ.get("ZJTX_CATALOG") or None)
    reading_keys = tuple(catalog.index.readings)
    workers = Workers(settings["workers"], settings["time_budget"])
    app = FastAPI(title="zjtx", version="0.1.0", docs_url=None, redoc_url=None, description=(
        "Beijing support measures for specialized and sophisticated SMEs, as code: which measures "
        "apply to an enterprise, how much they pay, when, why, and whom to call. Readings of "
        "ambiguous clauses are query parameters: " + ", ".join(reading_keys) + "."))

    app.add_middleware(FromCatalog, catalog=catalog)
    app.add_middleware(Speaks)
    # Outermost: refuse a foreign Host, an over-long or too-slow body before anything else.
    app.add_middleware(Guard, allowed_hosts=settings["allowed_hosts"], max_body=settings["max_body"],
                       body_seconds=settings["body_seconds"])

    @app.exception_handler(Busy)
    async def busy(_request: Request, exc: Busy) -> JSONResponse:
        return problem(503, "ServiceBusy", str(exc))

    @app.exception_handler(ZjtxError)
    async def zjtx_error(_request: Request, exc: ZjtxError) -> JSONResponse:
        # A broken catalog is the server's configuration, never the request's fault.
        status = 422 if isinstance(exc, RecordError) else \
            500 if isinstance(exc, (SolverError, BugError, CatalogError)) else 400
        raw = exc.field or ""
        field = raw.removeprefix("readings.") if raw.startswith("readings.") else \
            CLI_TO_REQUEST.get(raw, raw)
        return problem(status, type(exc).__name__, exc.detail(), field or None,
                       [{"field": p.field, "detail": p.text()} for p in exc.problems])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "HTTPError", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        error = exc.errors()[0]
        loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        if error.get("type") == "json_invalid":  # the location is a character position
            return problem(422, "RequestValidationError", f"the body is not valid JSON: {error.get('msg')}")
        return problem(422, "RequestValidationError", str(error.get("msg", "invalid")),
                       field_path(tuple(loc)) or None)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:  # never a traceback
        return problem(500, "InternalError", f"{type(exc).__name__}: the request could not be answered")

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "measure_families": len(catalog.families)}

    @app.post("/v1/evaluate", tags=["engine"], responses=PROBLEMS)
    @workers.endpoint
    def evaluate_record(request: Request, record: RecordBody) -> dict[str, Any]:
        """The same JSON as `zjtx evaluate --format json`, plus the claim timeline."""
        the_record, readings = _record(record), _readings(request)
        result = evaluate(the_record, readings)
        warnings = [notice.as_dict() for notice in (*record_notices(the_record, readings), *glyph_notices(the_record))]
        return with_names(with_text({**result.as_dict(), "timeline": [y.as_dict() for y in timeline(result)],
                                     "warnings": warnings}))

    @app.post("/v1/best-district", tags=["planner"], responses=PROBLEMS)
    @workers.endpoint
    def rank_districts(request: Request, body: PlanRequest) -> dict[str, Any]:
        """The same JSON as `zjtx best-district --format json`."""
        ranking = best_district(_record(body.record), body.move_date, body.horizon_years,
                                _readings(request), rank_by=body.rank_by)
        return with_names(with_text({**ranking.as_dict(), "current_district": ranking.current_district}))

    @app.post("/v1/whatif", tags=["planner"], responses=PROBLEMS)
    @workers.endpoint
    def what_if(request: Request, body: WhatifRequest) -> dict[str, Any]:
        """The same JSON as `zjtx whatif --format json`."""
        if not body.changes:
            raise InputError("give at least one change", field="changes")
        scenario = parse_inline(body.changes, list(reading_keys))
        return with_names(with_text(whatif(_record(body.record), scenario, _readings(request)).as_dict()))

    @app.post("/v1/batch", tags=["engine"], responses={
        **PROBLEMS, 200: {"description": "The results and errors as JSON; with `Accept: " + XLSX + "`, the "
                          "result rows as the XLSX file `zjtx batch` writes", "content": {XLSX: {}}}},
        openapi_extra={"requestBody": {"content": {kind: {"schema": {"type": "string"}}
                                                   for kind in (*BATCH_TYPES, *TABLE_TYPES)},
                       "description": f"JSON lines (one record each), CSV or XLSX rows with a header "
                                      f"row, as `zjtx batch` reads files; at most {BATCH_LIMIT_BYTES:,} "
                                      f"bytes and {BATCH_LIMIT_ROWS:,} rows."}})
    async def batch(request: Request) -> Any:
        """Evaluate JSON lines, CSV or XLSX rows: one result row per valid row, one error per
        invalid row (its row number as the file shows it)."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in BATCH_TYPES and media_type not in TABLE_TYPES:
            return problem(415, "UnsupportedMediaType", f"the body is {media_type or 'untyped'!r}; "
                           "send JSON lines as " + " or ".join(BATCH_TYPES) + ", or rows as "
                           + " or ".join(TABLE_TYPES))
        readings = _readings(request)
        size = int(request.headers.get("content-length") or 0)
        if size > BATCH_LIMIT_BYTES:
            return problem(413, "PayloadTooLarge", f"the body has {size:,} bytes; the limit is "
                           f"{BATCH_LIMIT_BYTES:,} (use `zjtx batch` for large files)")
        body = b""
        async for part in request.stream():
            body += part
            if len(body) > BATCH_LIMIT_BYTES:
                return problem(413, "PayloadTooLarge", f"the body is over the limit of {BATCH_LIMIT_BYTES:,} bytes")
        too_many = problem(413, "PayloadTooLarge", f"more than {BATCH_LIMIT_ROWS:,} rows; the limit is "
                           f"{BATCH_LIMIT_ROWS:,} (use `zjtx batch` for large files)")
        if media_type in BATCH_TYPES:
            # Lines exactly as `zjtx batch` reads a file: bytes split on \n, decoded line by line.
            lines = io.BytesIO(body).readlines()
            count = sum(1 for line in lines if line.strip())
            if count > BATCH_LIMIT_ROWS:
                return problem(413, "PayloadTooLarge", f"{count:,} lines; the limit is {BATCH_LIMIT_ROWS:,}")

            def read() -> tuple[Iterator[Row], int, dict[str, str]]:
                return jsonl_rows(lines), count, {}
        else:
            def read() -> tuple[Iterator[Row], int, dict[str, str]]:
                rows, labels = _table_rows(body, TABLE_TYPES[media_type], BATCH_LIMIT_ROWS)
                return iter(rows), len(rows), labels
        wants_xlsx = XLSX in request.headers.get("accept", "")

        def answer() -> Response:
            rows, rows_in, labels = read()  # a spreadsheet is parsed here, off the event loop
            options = BatchOptions(readings=readings, labels=labels)
            if rows_in > BATCH_LIMIT_ROWS:
                return problem(413, "PayloadTooLarge", f"more than {BATCH_LIMIT_ROWS:,} rows; the limit "
                               f"is {BATCH_LIMIT_ROWS:,} (use `zjtx batch` for large files)")
            results, errors = _evaluate_rows(rows, options, catalog)
            columns = result_columns(catalog, options)
            if wants_xlsx:
                return Response(_xlsx(columns, results), media_type=XLSX, headers={
                    "content-disposition": 'attachment; filename="zjtx-results.xlsx"',
                    "x-error-rows": str(len(errors))})
            return json_response({"rows_in": rows_in, "rows_out": len(results),
                                  "error_rows": len(errors), "columns": columns,
                                  "results": results, "errors": errors})
        return await workers.run(answer)

    @app.post("/v1/worklist", tags=["planner"], responses=PROBLEMS)
    @workers.endpoint
    def work(request: Request, body: WorklistRequest) -> dict[str, Any]:
        """The same rows as `zjtx worklist --format json`: per enterprise and action (claim,
        apply, near_miss), sorted by date then amount; invalid records as error rows."""
        from formats.worklist import records_of
        from solver.worklist import worklist
        from views.worklist import with_note

        day = body.date or dt.date.today()
        readings = _readings(request)
        records, errors = records_of((n, data, None) for n, data in enumerate(body.records, 1))
        actions = sorted((a for record in records
                          for a in worklist(record, day, min_gain=body.min_gain, readings=readings)),
                         key=lambda a: a.sort_key())
        return {"date": day.isoformat(), "actions": [with_note(a.as_dict()) for a in actions],
                "errors": errors}

    @app.get("/v1/measures", tags=["catalog"])
    def measures() -> list[dict[str, Any]]:
        """One entry per measure family."""
        out = []
        for name, spec in catalog.files.items():
            for measure in spec.measures:
                out.append({"id": measure.id, "title": measure.title, "payer": spec.payer,
                            "measures": sorted({r.measure or r.id for r in measure.rules}),
                            "contact": "; ".join(dict.fromkeys(s.contact for s in spec.sources)),
                            "tel": "; ".join(dict.fromkeys(s.tel for s in spec.sources))})
        return out

    @app.get("/v1/measures/{measure_id}", tags=["catalog"], responses=PROBLEMS)
    def measure(measure_id: str) -> Any:
        """A measure family (or one of its measures): clause, sources, contact, encoding."""
        spec = catalog.family_of(measure_id)
        if spec is None:
            return problem(404, "NotFound", f"unknown measure {measure_id!r}", "measure_id")
        file = catalog.families[spec.id][0]
        return {"id": spec.id, "title": spec.title, "file": file, "clause": spec.clause,
                "payer": catalog.files[file].payer,
                "sources": [s.model_dump() for s in catalog.files[file].sources],
                "rules": [r.model_dump(exclude_defaults=True) for r in spec.rules],
                "benefits": [b.model_dump(exclude_defaults=True) for b in spec.benefits]}

    @app.get("/v1/windows", tags=["planner"], responses=PROBLEMS)
    def open_windows(date: Annotated[dt.date | None, Query(description="YYYY-MM-DD (default today)")] = None,
                     tier: Annotated[str | None, Query(description="innovative, municipal or national")] = None) -> dict[str, Any]:
        """The application windows open on a date."""
        day = date or dt.date.today()
        return with_names({"date": day.isoformat(), "windows": [w.as_dict() for w in windows(day, tier)]})

    @app.get("/v1/readings", tags=["catalog"])
    def readings_register() -> dict[str, Any]:
        """The interpretation register: each reading, its default and alternatives."""
        return {key: {"about": spec.about, "default": spec.default, "alternatives": spec.alternatives}
                for key, spec in catalog.index.readings.items()}

    @app.get("/v1/messages", tags=["service"])
    def page_messages() -> dict[str, Any]:
        """The page's words and the vocabulary's display names in the request's language
        (`?lang=zh|en`, else Accept-Language)."""
        lang = current_lang()
        words = {key: entry[lang] for key, entry in messages().items()
                 if key.startswith(("page.", "column.", "status.", "money.", "label.", "chart.",
                                    "reading.", "evaluate.", "timeline.", "reason.line.",
                                    "reason.word."))}
        display = {kind: {ident: entry.get(f"{lang}_short", entry[lang]) for ident, entry in entries.items()}
                   for kind, entries in names().items()}
        vocabulary = catalog.vocabulary  # districts, tiers, … as the catalog names them
        for kind, declared in (("district", "place"), ("tier", "tier"), ("entity_type", "entity_type"),
                               ("industry", "industry")):
            display[kind] = {ident: vocabulary.name(declared, ident, lang, short=True)
                             for ident in vocabulary.ids(declared)}
        return {"lang": lang, "messages": words, "names": display,
                "industries": list(catalog_tags(catalog))}

    @app.post("/v1/record", tags=["engine"], responses=PROBLEMS, openapi_extra={
        "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}},
                        "description": "A record as YAML or JSON text (at most 1,000,000 bytes)."}})
    async def read_record(request: Request) -> dict[str, Any]:
        """Read a record typed, pasted or uploaded as YAML or JSON: the validated record in
        canonical form (ids, ISO dates, whole yuan), or every problem with its field."""
        body = await request.body()
        if len(body) > BATCH_LIMIT_BYTES:
            raise InputError(f"the body is over the limit of {BATCH_LIMIT_BYTES:,} bytes", field="body")
        record = parse_record_text(body.decode("utf-8", errors="replace"), source="body")
        return json.loads(record.model_dump_json(by_alias=True, exclude_defaults=True))

    @app.get("/v1/examples", tags=["service"])
    def examples() -> list[dict[str, Any]]:
        """The bundled example records (for the page's picker)."""
        from models.record import load_record

        out = []
        for path in sorted(EXAMPLES.glob("*")) if EXAMPLES.is_dir() else []:
            if path.suffix in (".yaml", ".json"):
                record = load_record(path)
                out.append({"name": path.stem, "record": json.loads(record.model_dump_json(
                    by_alias=True, exclude_defaults=True))})
        return out

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    # /docs offline: Swagger UI 5's assets come from the fastapi-offline package, served here.
    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json",
                                   title="zjtx API", swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.png", media_type="image/png")

    @app.get("/fonts/zjtx-cjk.woff2", include_in_schema=False)
    def cjk_font() -> FileResponse:  # the page's @font-face: Chinese without system fonts
        return FileResponse(WEB_FONT, media_type="font/woff2",
                            headers={"cache-control": "public, max-age=86400"})

    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_UI), name="docs-assets")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
