"""What the routes ask FastAPI for: the app's catalog and evaluation pool, the readings and
language of a request, and a response for a body already encoded off the event loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from models.catalog import Catalog
from models.errors import InputError
from models.i18n import LANGS, t
from models.limits import Quoted
from service.guard import asked_lang
from service.pool import Workers


def app_catalog(request: Request) -> Catalog:
    """The package the app answers from (`create_app(catalog)`, `zjtx serve --catalog`)."""
    catalog: Catalog = request.app.state.catalog
    return catalog


def app_workers(request: Request) -> Workers:
    """The app's bounded pool for evaluation work."""
    workers: Workers = request.app.state.workers
    return workers


# An operation that takes readings says so in its OpenAPI extra; the app lists the catalog's
# readings there as query parameters (service.app.openapi_document).
TAKES_READINGS = {"x-zjtx-readings": True}
# Query parameters that are not readings (each endpoint declares its own).
NOT_READINGS = frozenset({"date", "tier", "lang", "evidence", "from", "to", "at"})


def request_readings(request: Request) -> dict[str, str]:
    """Readings from the query string (`?stacking=difference-only`), resolved (the defaults for
    the rest); other keys are errors. Called by the route itself, after its body is checked (a
    bad body is named first)."""
    return app_catalog(request).resolve_readings(given_readings(request))


def given_readings(request: Request) -> dict[str, str]:
    """The readings the query string gives, as given (an evidence bundle keeps these)."""
    readings: dict[str, str] = {}
    catalog = app_catalog(request)
    for key, value in request.query_params.multi_items():
        if key in catalog.index.readings:
            readings[key] = value
        elif key not in NOT_READINGS:
            raise InputError(t("request.unknown_parameter", key=Quoted(key)), field=key,
                             accepted=", ".join(catalog.index.readings))
    return readings


def request_lang(request: Request) -> str | None:
    """`?lang=zh|en`, else the browser's `Accept-Language`, else None (the server's default);
    an unknown `?lang=` is an error."""
    chosen = request.query_params.get("lang", "").strip().lower()
    if chosen and chosen not in LANGS:
        raise InputError(t("request.unknown_lang", value=Quoted(chosen)), field="lang",
                         accepted=", ".join(LANGS))
    return asked_lang(request)


AppCatalog = Annotated[Catalog, Depends(app_catalog)]
AppWorkers = Annotated[Workers, Depends(app_workers)]


class EncodedJSON(Response):
    """A JSON body encoded by the pool (service.answers), sent as it is."""

    media_type = "application/json"
