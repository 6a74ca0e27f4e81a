"""GET /metrics: Prometheus text format, for a scraper holding a read token.

Served at the root (/metrics), where Prometheus looks by default, not under /api/v1.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry
from prometheus_client.exposition import choose_encoder

from slawatch.metrics import app_registry
from slawatch.web.deps import Reader

router = APIRouter(tags=["operations"])
_creating = threading.Lock()


def registry_of(app: FastAPI) -> CollectorRegistry:
    """Return the app's own registry, made on the first scrape."""
    with _creating:
        registry: CollectorRegistry | None = getattr(app.state, "metrics_registry", None)
        if registry is None:
            registry = app_registry(app.state.engine)
            app.state.metrics_registry = registry
    return registry


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_PLAIN_0_0_4: {}}, "description": "Prometheus text"}},
)
def prometheus_metrics(request: Request, _principal: Reader) -> Response:
    """Return objective figures, open escalations, deliveries and this process's counters.

    The format follows the scraper's Accept header: OpenMetrics when asked for, else the
    Prometheus text format.
    """
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    body = encode(registry_of(request.app))
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})
