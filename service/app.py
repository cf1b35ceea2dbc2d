"""The zjtx HTTP API and web page.

Every endpoint parses its input, calls the solver (the same roads as the CLI) and returns the
same JSON as the CLI's `--format json`, as its response model says (service/schemas.py). Bad
input is a 4xx problem body (RFC 9457 style: `type`, `title`, `status`, `detail`, `field`;
service/problems.py), never a 5xx and never a traceback. The routes live in service/routers/, one
module per concern; this module builds the app: its catalog, its evaluation pool, the middleware
in front of every route and the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from models.catalog import Catalog, open_catalog, using_catalog
from models.errors import InputError
from models.i18n import t, using_lang
from service import problems
from service.deps import TAKES_READINGS, app_workers, request_lang
from service.guard import Admission, Guard
from service.pool import Busy, Workers
from service.record_schema import record_schema, with_record
from service.routers import catalog as catalog_routes
from service.routers import engine, planner, site
from service.routers.engine import BATCH_LIMIT_BYTES, BATCH_LIMIT_ROWS, BATCH_TYPES
from service.routers.site import EXAMPLES, STATIC, SWAGGER_UI
from service.settings import ServiceSettings

__all__ = ["BATCH_LIMIT_BYTES", "BATCH_LIMIT_ROWS", "BATCH_TYPES", "EXAMPLES", "STATIC",
           "ServiceSettings", "create_app", "problem"]

problem = problems.problem


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


def openapi_document(app: FastAPI, catalog: Catalog) -> dict[str, object]:
    """The OpenAPI document, with what depends on the catalog: the record (service.record_schema),
    the tiers that have application windows, and the readings as query parameters of each
    operation that takes them (their values and default); problems as problem+json."""
    if app.openapi_schema is None:
        schema = with_record(FastAPI.openapi(app))
        parameters = [{"name": key, "in": "query", "required": False, "description": spec.about,
                       "schema": {"type": "string", "enum": list(spec.alternatives),
                                  "default": spec.default}}
                      for key, spec in catalog.index.readings.items()]
        schema.setdefault("components", {}).setdefault("schemas", {}).update(record_schema(catalog))
        windows = next(p for p in schema["paths"]["/v1/windows"]["get"]["parameters"]
                       if p["name"] == "tier")
        windows["schema"] = {"anyOf": [{"type": "string", "enum": list(catalog.index.windows)},
                                       {"type": "null"}]}
        measure = schema["paths"]["/v1/measures/{measure_id}"]["get"]["parameters"][0]
        measure["schema"]["enum"] = list(dict.fromkeys(
            [*catalog.families, *catalog.measure_ids(), *(rule.id for rule in catalog.rules)]))
        marker = next(iter(TAKES_READINGS))
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.pop(marker, False):
                    operation["parameters"] = [*operation.get("parameters", []), *parameters]
        problems.as_problem_json(schema)
        bilingual(schema)
        app.openapi_schema = schema
    return app.openapi_schema


ROUTERS = (site.router, engine.router, planner.router, catalog_routes.router)


def both(message: str, **fields: str) -> str:
    """A text of the API's documentation in Chinese, then in English (one document for both:
    Swagger UI's own words stay English)."""
    return f"{t(message, lang='zh', **fields)} · {t(message, lang='en', **fields)}"


def bilingual(schema: dict[str, object]) -> None:
    """The document's description, each tag's and each operation's summary in Chinese beside
    English (`api.*` in the message catalogue)."""
    names = {route.unique_id: route.name for router in ROUTERS for route in router.routes
             if isinstance(route, APIRoute)}
    tags: dict[str, None] = {}
    for operations in cast("dict[str, dict[str, dict[str, object]]]", schema["paths"]).values():
        for operation in operations.values():
            operation["summary"] = both(f"api.summary.{names[str(operation['operationId'])]}")
            tags.update(dict.fromkeys(cast("list[str]", operation.get("tags", []))))
    schema["tags"] = [{"name": tag, "description": both(f"api.tag.{tag}")} for tag in tags]


def evaluation_paths() -> frozenset[str]:
    """The paths whose routes hand their work to the evaluation processes."""
    return frozenset(route.path for router in ROUTERS for route in router.routes
                     if isinstance(route, APIRoute)
                     and any(d.call is app_workers for d in route.dependant.dependencies))


def create_app(settings: ServiceSettings = ServiceSettings(), catalog: Catalog | None = None
               ) -> FastAPI:
    """The app, answering from `catalog` (default: the package `settings.catalog` names, else the
    shipped one) within `settings` (service.settings: `zjtx serve` builds them from its options and
    hands them to each worker process as this factory's argument)."""
    # The evaluation processes open the same package or get the catalog given.
    workers = Workers(settings.eval_threads, settings.time_budget, settings.max_waiting,
                      catalog=catalog if catalog is not None else settings.catalog)
    catalog = catalog or open_catalog(settings.catalog)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        workers.close()  # no evaluation process outlives the app

    app = FastAPI(title="zjtx", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description=t("api.description", lang="zh", readings="、".join(catalog.index.readings))
                  + "\n\n" + t("api.description", lang="en", readings=", ".join(catalog.index.readings)))
    app.state.catalog = catalog
    app.state.workers = workers

    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(FromCatalog, catalog=catalog)
    app.add_middleware(Speaks)
    # Outermost: refuse a foreign Host, an over-long or too-slow body before anything else.
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts, max_body=settings.max_body,
                       body_seconds=settings.body_seconds)

    # Outside the guard: an evaluation while every process is busy and the queue is full is a
    # 503 before anything is read.
    app.add_middleware(Admission, saturated=workers.saturated, paths=evaluation_paths())
    problems.install(app)

    @app.exception_handler(Busy)
    async def busy(_request: Request, exc: Busy) -> JSONResponse:
        return problem(503, "ServiceBusy", str(exc))

    app.mount("/docs-assets", StaticFiles(directory=SWAGGER_UI), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: openapi_document(app, catalog)  # type: ignore[method-assign]
    return app
