"""Problem bodies (RFC 9457): every refusal of the service, whoever raises it — a route, the
record validator, FastAPI, Starlette or the guard — is one `application/problem+json` body with
`type`, `title`, `status`, `detail` and, when a field is to blame, `field` (and `errors`, one per
problem of a record). Never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import BugError, CatalogError, RecordError, SolverError, ZjtxError
from models.i18n import current_lang, messages, t
from models.validation import field_path

PROBLEM_JSON = "application/problem+json"
# Errors raised by the shared roads name record and request fields (`readings.stacking`, the
# scenario); the API names its own (the query parameter `stacking`, the body's `changes`).
CLI_TO_REQUEST = {"readings": "query", "scenario": "changes"}


class FieldProblem(BaseModel):
    """One problem of a record: its field path and what was wrong."""

    model_config = ConfigDict(extra="forbid")
    field: str | None = None
    detail: str


class Problem(BaseModel):
    """A problem body: what was wrong, and which field."""

    model_config = ConfigDict(extra="forbid")
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldProblem] | None = None


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(status: int, title: str, detail: str, field: str | None = None,
            errors: list[FieldProblem] | None = None, headers: Mapping[str, str] | None = None,
            ) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, field=field or None,
                   errors=errors or None)
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def documented(description: str) -> dict[str, Any]:
    """A problem answer in the OpenAPI document: `application/problem+json`, a Problem body
    (`model` registers the schema; `as_problem_json` keeps only the problem+json content)."""
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# The problems every operation may answer (each router declares them for its routes) ...
COMMON: dict[int | str, dict[str, Any]] = {
    400: documented("Bad input (names the field), a foreign Host or an unknown language"),
    413: documented("Body too large (every endpoint; `serve --max-body`)"),
}
# ... those of an operation that reads a body or parameters and evaluates ...
WORK: dict[int | str, dict[str, Any]] = {
    408: documented("The body did not arrive in time"),
    422: documented("Invalid request or record (names the field)"),
    503: documented("Busy, or the request's time budget was spent"),
}
INVALID: dict[int | str, dict[str, Any]] = {422: WORK[422]}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: documented("Unknown measure")}


def as_problem_json(schema: dict[str, Any]) -> None:
    """Problem answers documented as `application/problem+json` only: FastAPI adds the route's
    own `application/json` beside each, and documents its 422 as a body it never sends here
    (`HTTPValidationError`: install() answers a RequestValidationError with a problem)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if PROBLEM_JSON in content:
                    content.pop("application/json", None)
                elif status == "422":
                    answer["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for unused in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(unused, None)


def status_of(exc: ZjtxError) -> int:
    """A record that does not validate is a 422; a broken catalog or solver is the server's
    fault (500), never the request's; any other input error is a 400."""
    if isinstance(exc, RecordError):
        return 422
    return 500 if isinstance(exc, (SolverError, BugError, CatalogError)) else 400


def request_field(raw: str | None) -> str | None:
    """The field as the request names it (`readings.stacking` → `stacking`)."""
    raw = raw or ""
    field = raw.removeprefix("readings.") if raw.startswith("readings.") else \
        CLI_TO_REQUEST.get(raw, raw)
    return field or None


def of_error(exc: ZjtxError) -> JSONResponse:
    return problem(status_of(exc), type(exc).__name__, exc.detail(), request_field(exc.field),
                   [FieldProblem(field=p.field, detail=p.text()) for p in exc.problems])


def of_validation(errors: Sequence[Any]) -> JSONResponse:
    """The first problem of a request that does not match its model (pydantic's errors), in the
    request's language."""
    error = errors[0]
    loc = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    if error.get("type") == "json_invalid":  # the location is a character position
        said = f": {error.get('msg')}" if current_lang() == "en" else ""  # (pydantic's words are English)
        return problem(422, "RequestValidationError", t("request.json_invalid") + said)
    return problem(422, "RequestValidationError", validation_text(error),
                   field_path(tuple(loc)) or None)


# pydantic's error types → the message catalogue's `request.*` (several types, one sentence).
_SAME = {"int_parsing": "int_type", "int_from_float": "int_type", "bool_parsing": "bool_type",
         "model_type": "dict_type", "model_attributes_type": "dict_type", "enum": "literal_error",
         "date_parsing": "date_type", "date_from_datetime_parsing": "date_type",
         "date_from_datetime_inexact": "date_type", "string_sub_type": "string_type"}


def validation_text(error: Mapping[str, Any]) -> str:
    """One pydantic error in words: a ValueError of our own validators as it was raised (already
    in the request's language); else as pydantic says it in English, and in Chinese from the
    message catalogue (`request.<type>`, its context filled in)."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "value_error" and "error" in context:  # (without pydantic's "Value error, ")
        return str(context["error"])
    if current_lang() == "en":
        return str(error.get("msg", "invalid"))
    key = f"request.{_SAME.get(kind, kind)}"
    if key not in messages():
        return t("request.other", type=kind)
    return t(key, **{name: str(value) for name, value in context.items()})


def install(app: FastAPI) -> None:
    """Route every exception the app may meet to a problem body."""

    @app.exception_handler(ZjtxError)
    async def zjtx_error(_request: Request, exc: ZjtxError) -> JSONResponse:
        return of_error(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        known = f"request.http_{exc.status_code}"
        detail = t(known) if current_lang() == "zh" and known in messages() else str(exc.detail)
        return problem(exc.status_code, "HTTPError", detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return of_validation(exc.errors())

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:  # never a traceback
        return problem(500, "InternalError", t("service.bug"))  # (the guard logs the exception)
