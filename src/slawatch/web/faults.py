"""Store faults at the edge: 503 with Retry-After for the API, a page for people, and /ready.

The store says what a fault is (`store.faults`); here it is answered in one place, whichever
route met it. Readiness probes writes, not only reads: a read-only or full database answers
SELECT 1 happily while every POST fails.
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine, exc

from slawatch.store.faults import Fault, StoreUnavailableError, unavailable, write_fault
from slawatch.web.pages.templating import render

log = logging.getLogger("slawatch.web")
API = "/api/v1"
PROBE_SECONDS = 5.0  # how long /ready reuses a write probe's answer


class Readiness:
    """The latest verdict on whether the store takes writes, probed at most every few seconds.

    A request that meets a fault records it at once, so /ready turns not ready with the first
    failed write even where the probe cannot see the fault (PostgreSQL's own full disk).
    """

    def __init__(self, engine: Engine, seconds: float = PROBE_SECONDS) -> None:
        self.engine = engine
        self.seconds = seconds
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._fault: StoreUnavailableError | None = None

    def failed(self, fault: StoreUnavailableError) -> None:
        with self._lock:
            self._checked, self._fault = time.monotonic(), fault

    def fault(self) -> StoreUnavailableError | None:
        """Return what stops writes now, probing again once the last answer is too old."""
        with self._lock:
            if time.monotonic() - self._checked < self.seconds:
                return self._fault
            self._checked = time.monotonic()  # one probe at a time; others reuse the old answer
            self._fault = found = write_fault(self.engine)
            return found


def _answer(request: Request, fault: StoreUnavailableError) -> Response:
    if fault.fault is not Fault.BUSY:  # a lock held by another writer passes by itself
        request.app.state.readiness.failed(fault)
    log.warning("store fault on %s %s: %s", request.method, request.url.path, fault)
    headers = {"Retry-After": str(fault.retry_after)}
    wants_html = "text/html" in request.headers.get("accept", "")
    if wants_html and not request.url.path.startswith(API):
        context = {"fault": str(fault.fault), "retry_after": fault.retry_after}
        page = render(request, "unavailable.html", context, status_code=fault.status_code)
        page.headers.update(headers)
        return page
    return JSONResponse({"detail": str(fault)}, status_code=fault.status_code, headers=headers)


def install_fault_handlers(app: FastAPI, engine: Engine) -> None:
    """Answer store faults with 503 wherever they are met; keep /ready's write probe."""
    app.state.readiness = Readiness(engine)

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, error: StoreUnavailableError) -> Response:
        return _answer(request, error)

    @app.exception_handler(exc.DBAPIError)
    async def database_error(request: Request, error: exc.DBAPIError) -> Response:
        # Met outside `transaction()` (a page reading through its own connection).
        fault = unavailable(error)
        if fault is None:
            raise error
        return _answer(request, fault)
