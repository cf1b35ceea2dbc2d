"""The zjtx HTTP API and web page.

Every endpoint parses its input, calls the solver (the same roads as the CLI) and returns the
same JSON as the CLI's `--format json`. Bad input is a 4xx problem body (RFC 9457 style:
`type`, `title`, `status`, `detail`, `field`), never a 5xx and never a traceback.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path
from starlette.exceptions import HTTPException as StarletteHTTPException
from pydantic import BaseModel, ConfigDict, Field

from models.catalog import Catalog, active_catalog, open_catalog, using_catalog
from models.i18n import LANGS, current_lang, lang_from_accept, messages, names, using_lang
from models.errors import BugError, CatalogError, InputError, RecordError, SolverError, ZjtxError
from models.record import parse_record, parse_record_text
from models.scenario import parse_inline
from models.validation import field_path
from formats.batch import with_duplicates
from formats.tables import jsonl_rows
from service.guard import Busy, Guard, Workers, json_response, settings_from_env
from solver.batch import BatchOptions, RowContext, RowResult, evaluate_row, result_columns
from solver.evaluate import evaluate
from solver.planner import best_district, timeline, whatif, windows
from solver.notices import catalog_tags, record_notices
from views.fonts.subset import FONT
from views.reasons import with_text
from views.words import with_names

STATIC = Path(__file__).parent / "static"
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


def _evaluate_lines(lines: list[bytes], options: BatchOptions,
                    catalog: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same reader and duplicate check as `zjtx batch`; one result or error per line."""
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    context = RowContext(options, catalog)
    for number, data, problem_text in with_duplicates(jsonl_rows(lines), {}):
        outcome = evaluate_row(number, data, problem_text, context)
        (results if isinstance(outcome, RowResult) else errors).append(outcome.cells())
    return results, errors


def _record(data: Any) -> Any:
    return parse_record(data, source="body")


BATCH_TYPES = ("application/x-ndjson", "application/jsonl")


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
        warnings = [notice.as_dict() for notice in record_notices(the_record, readings)]
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

    @app.post("/v1/batch", tags=["engine"], responses=PROBLEMS, openapi_extra={
        "requestBody": {"content": {kind: {"schema": {"type": "string"}} for kind in BATCH_TYPES},
                        "description": f"JSON lines, one record each; at most {BATCH_LIMIT_BYTES:,} bytes."}})
    async def batch(request: Request) -> Any:
        """Evaluate JSON lines: one result row per valid line, one error per invalid line."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in BATCH_TYPES:
            return problem(415, "UnsupportedMediaType", f"the body is {media_type or 'untyped'!r}; "
                           "send JSON lines as " + " or ".join(BATCH_TYPES))
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
        # Lines exactly as `zjtx batch` reads a file: bytes split on \n, decoded line by line.
        lines = io.BytesIO(body).readlines()
        count = sum(1 for line in lines if line.strip())
        if count > BATCH_LIMIT_ROWS:
            return problem(413, "PayloadTooLarge", f"{count:,} lines; the limit is {BATCH_LIMIT_ROWS:,}")
        options = BatchOptions(readings=readings)

        def answer() -> JSONResponse:
            results, errors = _evaluate_lines(lines, options, catalog)
            return json_response({"rows_in": count, "rows_out": len(results),
                                  "error_rows": len(errors),
                                  "columns": result_columns(catalog, options),
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
        return {"date": day.isoformat(),
                "actions": with_names([with_note(a.as_dict()) for a in actions]), "errors": errors}

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
        lang = current_lang()
        return {key: {"about": spec.about_in(lang), "default": spec.default,
                      "alternatives": {value: spec.alternative_in(value, lang)
                                       for value in spec.alternatives}}
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
            display[kind] = {**display.get(kind, {}),  # the municipal payer too (市级)
                             **{ident: vocabulary.name(declared, ident, lang, short=True)
                                for ident in vocabulary.ids(declared)}}
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

    # /docs offline: Swagger UI's assets come from the swagger-ui-bundle package, served here.
    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json",
                                   title="zjtx API", swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.png", media_type="image/png")

    @app.get("/fonts/zjtx-cjk.otf", include_in_schema=False)
    def cjk_font() -> FileResponse:  # the page's @font-face: Chinese without system fonts
        return FileResponse(FONT, media_type="font/otf",
                            headers={"cache-control": "public, max-age=86400"})

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
