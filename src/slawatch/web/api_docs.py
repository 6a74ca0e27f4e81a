"""The API's documentation pages, Swagger UI and ReDoc, served with slawatch's own copies.

FastAPI's defaults load both from a CDN, so the pages stayed blank offline and behind a proxy;
the vendored files (see static/vendor/README.md) make them work wherever slawatch answers.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

VENDOR = "/static/vendor"
SWAGGER_JS = f"{VENDOR}/swagger-ui-5.36.0-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-5.36.0.css"
REDOC_JS = f"{VENDOR}/redoc-2.5.4.standalone.js"
FAVICON = "/static/favicon.svg"


def install_api_docs(app: FastAPI, *, prefix: str) -> None:
    """Add `{prefix}/docs` (Swagger UI) and `{prefix}/redoc` for the app's OpenAPI document."""
    openapi_url = app.openapi_url or f"{prefix}/openapi.json"
    title = f"{app.title} API"

    @app.get(f"{prefix}/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=SWAGGER_JS,
            swagger_css_url=SWAGGER_CSS,
            swagger_favicon_url=FAVICON,
        )

    @app.get(f"{prefix}/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
