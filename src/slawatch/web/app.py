"""The FastAPI application: API under /api/v1, health checks, errors as 4xx with a message."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slawatch.background import Runner
from slawatch.config import Settings
from slawatch.store.migrate import needs_upgrade
from slawatch.web.api import (
    agreements,
    benchmarks,
    credits,
    escalations,
    events,
    imports,
    items,
    metrics,
    preferences,
    reviews,
    routes,
    subscriptions,
)
from slawatch.web.api import breakdowns as breakdown_api
from slawatch.web.api import corrections as corrections_api
from slawatch.web.api import directory as directory_api
from slawatch.web.api import disputes as dispute_api
from slawatch.web.api import feeds as feed_api
from slawatch.web.api import incidents as incident_api
from slawatch.web.api_docs import install_api_docs
from slawatch.web.faults import install_fault_handlers
from slawatch.web.pages import agreements as agreement_pages
from slawatch.web.pages import benchmarks as benchmark_pages
from slawatch.web.pages import corrections as correction_pages
from slawatch.web.pages import credits as credit_pages
from slawatch.web.pages import (
    deliveries,
    editor,
    editor_what_if,
    home,
    language,
    login,
    objectives,
    reports,
    versions,
)
from slawatch.web.pages import directory as directory_pages
from slawatch.web.pages import dispute_pdf as dispute_pdf_pages
from slawatch.web.pages import disputes as dispute_pages
from slawatch.web.pages import escalations as escalation_pages
from slawatch.web.pages import incidents as incident_pages
from slawatch.web.pages import items as item_pages
from slawatch.web.pages import new_agreement as new_agreement_page
from slawatch.web.pages import people as people_pages
from slawatch.web.pages import preferences as preference_pages
from slawatch.web.pages import reviews as review_pages
from slawatch.web.periodic import periodic_work
from slawatch.web.security import Principal
from slawatch.web.sessions import install_sessions

log = logging.getLogger("slawatch.web")
API = "/api/v1"


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over the limit with 413, before they are read into memory.

    Content-Length is checked up front; a chunked body is counted as it streams.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLargeError
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLargeError:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"the request body is over {self.limit:,} bytes; send less per request"},
            status_code=413,
        )
        await response({"type": "http"}, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _no_session(_request: Request) -> Principal | None:
    return None


API_ROUTERS = (
    events,
    items,
    agreements,
    imports,
    escalations,
    benchmarks,
    routes,
    credits,
    reviews,
    preferences,
    directory_api,
    subscriptions,
    breakdown_api,
    feed_api,
    corrections_api,
    dispute_api,
    incident_api,
)
PAGES = (
    login,
    home,
    language,
    new_agreement_page,  # before agreement_pages: /agreements/new is not an agreement's id
    agreement_pages,
    objectives,
    item_pages,
    versions,
    editor,
    editor_what_if,
    reports,
    escalation_pages,
    benchmark_pages,
    deliveries,
    credit_pages,
    correction_pages,
    review_pages,
    preference_pages,
    directory_pages,
    people_pages,
    dispute_pages,
    dispute_pdf_pages,
    incident_pages,
)


def create_app(
    settings: Settings,
    engine: Engine,
    *,
    background: bool = False,
    runner: Runner | None = None,
) -> FastAPI:
    """Build the app; `background` runs the evaluation and the alerts while it serves.

    `slawatch serve` asks for the background work, tests mostly do not, or bring a `runner`
    of their own; either way the runner's lifespan is the app's.
    """
    periodic = periodic_work(settings, engine) if background and runner is None else None
    if runner is None:
        runner = periodic.runner if periodic else Runner()
    app = FastAPI(
        title="slawatch",
        version="1",
        docs_url=None,  # served by web/api_docs.py with its own copies of the assets
        openapi_url=f"{API}/openapi.json",
        redoc_url=None,
        lifespan=runner.lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_principal = _no_session
    app.state.runner = runner
    app.state.after_ingest = lambda: None  # the background evaluation hooks in here
    if periodic is not None:
        app.state.scheduler = periodic.evaluation  # its event cache serves the drafts too
        task = periodic.evaluation_task
        app.state.after_ingest = lambda: task.request(settings.evaluation_delay)
    _install_error_handlers(app)
    install_fault_handlers(app, engine)
    _install_operations(app, engine)
    install_api_docs(app, prefix=API)
    for module in API_ROUTERS:
        app.include_router(module.router, prefix=API)
    app.include_router(metrics.router)
    install_sessions(app)
    for page in PAGES:
        app.include_router(page.router)
    app.mount("/static", StaticFiles(packages=[("slawatch.web", "static")]), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Answer invalid requests with their problems, and a page without a session with login."""

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        # A browser asking for a page without a session goes to the login form; API clients
        # (and anything not asking for HTML) get the 401 with its message.
        path = request.url.path
        wants_html = "text/html" in request.headers.get("accept", "")
        if error.status_code == 401 and wants_html and not path.startswith(API):
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return await http_exception_handler(request, error)


def _install_operations(app: FastAPI, engine: Engine) -> None:
    """Add the liveness and readiness probes, and the unversioned address of the API docs."""

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> RedirectResponse:
        """The unversioned address of the API's page leads to the current version's."""
        return RedirectResponse(f"{API}/docs", status_code=308)

    @app.get("/ready", tags=["operations"], responses={503: {"description": "not ready"}})
    def ready() -> Any:
        """Readiness: the database answers, its schema is current and it takes writes.

        The write probe (a write rolled back, and the SQLite disk's free space) is cached for
        a few seconds, and a request that met a store fault turns this not ready at once.
        """
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            if needs_upgrade(engine):
                return JSONResponse(
                    {"status": "database needs migrating: run `slawatch db upgrade`"}, 503
                )
            if (fault := app.state.readiness.fault()) is not None:
                return JSONResponse(
                    {"status": f"database takes no writes: {fault}"},
                    503,
                    headers={"Retry-After": str(fault.retry_after)},
                )
        except Exception as error:  # readiness reports any database failure, it never raises
            log.warning("readiness check failed: %s", error)
            return JSONResponse({"status": f"database unavailable: {type(error).__name__}"}, 503)
        return {"status": "ready"}
