"""The service itself: health, the planner's page with its words, examples and font, and the
API docs (offline: Swagger UI 5's assets come from the fastapi-offline package; 4.x could not read
the OpenAPI 3.1 document FastAPI emits)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from models.i18n import current_lang, messages, names
from service.deps import AppCatalog
from service.problems import COMMON
from service.schemas import Example, Health, PageMessages
from solver.notices import catalog_tags
from views.fonts.subset import WEB_FONT

STATIC = Path(__file__).resolve().parent.parent / "static"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
SWAGGER_UI = Path(str(importlib.resources.files("fastapi_offline") / "static"))
# The message keys the page reads.
PAGE_PREFIXES = ("page.", "column.", "status.", "money.", "label.", "chart.", "reading.",
                 "evaluate.", "timeline.", "reason.line.", "reason.word.")

router = APIRouter(tags=["service"], responses=COMMON)


@router.get("/healthz", response_model=Health)
def healthz(catalog: AppCatalog) -> Health:
    return Health(status="ok", measure_families=len(catalog.families))


@router.get("/v1/messages", response_model=PageMessages)
def page_messages(catalog: AppCatalog) -> PageMessages:
    """The page's words and the vocabulary's display names in the request's language
    (`?lang=zh|en`, else Accept-Language)."""
    lang = current_lang()
    words = {key: entry[lang] for key, entry in messages().items() if key.startswith(PAGE_PREFIXES)}
    display = {kind: {ident: entry.get(f"{lang}_short", entry[lang]) for ident, entry in entries.items()}
               for kind, entries in names().items()}
    vocabulary = catalog.vocabulary  # districts, tiers, … as the catalog names them
    for kind, declared in (("district", "place"), ("tier", "tier"), ("entity_type", "entity_type"),
                           ("industry", "industry")):
        display[kind] = {**display.get(kind, {}),  # the municipal payer too (市级)
                         **{ident: vocabulary.name(declared, ident, lang, short=True)
                            for ident in vocabulary.ids(declared)}}
    return PageMessages(lang=lang, messages=words, names=display,
                        industries=list(catalog_tags(catalog)))


@router.get("/v1/examples", response_model=list[Example], response_model_exclude_defaults=True)
def examples() -> list[Example]:
    """The bundled example records (for the page's picker)."""
    from models.record import load_record

    return [Example(name=path.stem, record=load_record(path))
            for path in (sorted(EXAMPLES.glob("*")) if EXAMPLES.is_dir() else [])
            if path.suffix in (".yaml", ".json")]


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


# The API document's Chinese (service.app.bilingual) in the page's bundled font: no system font
# is needed for it (a machine without CJK fonts drew boxes). Swagger UI's own words stay English.
DOCS_FONT = """<link rel="stylesheet" href="/static/fonts.css">
<style>
.swagger-ui * { font-family: "zjtx CJK", sans-serif !important; }
.swagger-ui :is(pre, code, .opblock-summary-path, .parameter__type, .parameter__in, .prop-format),
.swagger-ui :is(pre, code, .opblock-summary-path) * { font-family: "zjtx CJK", monospace !important; }
</style>
</head>"""


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json",
                               title="zjtx API", swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs-assets/swagger-ui.css",
                               swagger_favicon_url="/favicon.ico")
    return HTMLResponse(bytes(page.body).decode("utf-8").replace("</head>", DOCS_FONT, 1))


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.png", media_type="image/png")


@router.get("/fonts/zjtx-cjk.woff2", include_in_schema=False)
def cjk_font() -> FileResponse:  # the page's @font-face: Chinese without system fonts
    return FileResponse(WEB_FONT, media_type="font/woff2",
                        headers={"cache-control": "public, max-age=86400"})
