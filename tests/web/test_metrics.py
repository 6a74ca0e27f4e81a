"""GET /metrics: Prometheus text from stored results, escalations and this process's counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.metrics import record_evaluation, record_ingest
from slawatch.store.db import transaction
from slawatch.store.results import StoredResult, replace_results
from slawatch.web.api import metrics
from slawatch.web.api.metrics import registry_of
from slawatch.web.app import create_app
from tests.alerts.test_notify import escalation
from tests.evaluation.support import AS_OF, save_template, store_example_events
from tests.web.test_agreements_api import token

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
DAY = 86_400_000_000


def with_router(app: FastAPI, router: APIRouter, prefix: str = "") -> FastAPI:
    """Include a router unless the app already does (once the lead registers it)."""
    paths = {getattr(route, "path", None) for route in app.routes}
    if not any(prefix + getattr(route, "path", "") in paths for route in router.routes):
        app.include_router(router, prefix=prefix)
    return app


def new_app(engine: Engine) -> FastAPI:
    return with_router(create_app(Settings(), engine), metrics.router)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        yield client


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def period(label: str, start: int, objectives: list[dict[str, object]]) -> StoredResult:
    payload = {
        "agreement": "marketing-sales",
        "periods": [{"period": label, "objectives": objectives}],
    }
    return StoredResult(
        "marketing-sales", label, 1, start, start + 31 * DAY, start + 10 * DAY, payload
    )


def test_metrics_need_a_token_with_read_permission(engine: Engine):
    with TestClient(new_app(engine)) as client:
        assert client.get("/metrics").status_code == 401
        ingest = {"Authorization": f"Bearer {token(engine, 'ingest')}"}
        assert client.get("/metrics", headers=ingest).status_code == 403
        admin = {"Authorization": f"Bearer {token(engine, 'admin')}"}
        assert client.get("/metrics", headers=admin).status_code == 200


def test_each_objective_reports_its_latest_period(engine: Engine, client: TestClient):
    save_template(engine)
    speed = {"id": "speed-to-lead", "owner": "sales", "kind": "clock", "target": 0.95, "op": ">="}
    rejection = {
        "id": "rejection-rate",
        "owner": "sales",
        "kind": "ratio",
        "target": 0.1,
        "op": "<=",
    }
    leads = {"id": "qualified-leads", "owner": "sales", "kind": "count", "target": 50, "op": ">="}
    with transaction(engine) as connection:
        replace_results(
            connection,
            "marketing-sales",
            [
                period("2026-02", 0, [speed | {"value": 0.5, "status": "breached"}]),
                period(
                    "2026-03",
                    31 * DAY,
                    [
                        speed | {"value": 0.98, "status": "met"},
                        rejection | {"value": 0.04, "status": "on_track"},
                        leads | {"value": None, "status": "no_data"},
                    ],
                ),
            ],
        )
    samples = scrape(client)
    speed_labels = {
        "agreement": "marketing-sales",
        "objective": "speed-to-lead",
        "period": "2026-03",
    }
    assert sample(samples, "slawatch_objective_value", **speed_labels) == 0.98
    assert sample(samples, "slawatch_objective_target", **speed_labels) == 0.95
    assert sample(samples, "slawatch_objective_status", status="met", **speed_labels) == 1
    assert sample(samples, "slawatch_objective_status", status="breached", **speed_labels) == 0
    assert sample(samples, "slawatch_error_budget_remaining", **speed_labels) == pytest.approx(0.6)
    rate = {**speed_labels, "objective": "rejection-rate"}
    assert sample(samples, "slawatch_error_budget_remaining", **rate) == pytest.approx(0.6)
    count = {**speed_labels, "objective": "qualified-leads"}
    assert sample(samples, "slawatch_objective_status", status="no_data", **count) == 1
    assert ("slawatch_objective_value", tuple(sorted(count.items()))) not in samples
    assert ("slawatch_error_budget_remaining", tuple(sorted(count.items()))) not in samples
    info = {
        "agreement": "marketing-sales",
        "objective": "speed-to-lead",
        "owner": "sales",
        "kind": "clock",
        "op": ">=",
        "title": "First contact within 48 hours",
    }
    assert sample(samples, "slawatch_objective_info", **info) == 1
    as_of = sample(samples, "slawatch_results_as_of_seconds", agreement="marketing-sales")
    assert as_of == 41 * 86_400


def test_open_escalations_are_counted_per_objective_zero_included(
    engine: Engine, client: TestClient
):
    save_template(engine)
    with transaction(engine) as connection:
        escalation(connection)
        escalation(connection, trigger="at_risk")
        escalation(connection, objective="conversion", closed_at=1)
    samples = scrape(client)
    labels = {"agreement": "marketing-sales"}
    assert sample(samples, "slawatch_escalations_open", objective="speed-to-lead", **labels) == 2
    assert sample(samples, "slawatch_escalations_open", objective="conversion", **labels) == 0
    assert sample(samples, "slawatch_deliveries", status="failed") == 0


def test_ingestion_and_evaluation_are_counted_with_their_durations(client: TestClient):
    before = scrape(client)
    record_ingest(accepted=5, duplicate=2, rejected=0, seconds=0.03)
    record_evaluation("marketing-sales", 0.4)
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before.get(key, 0.0)

    assert grew("slawatch_events_ingested_total", outcome="accepted") == 5
    assert grew("slawatch_events_ingested_total", outcome="duplicate") == 2
    assert grew("slawatch_events_ingested_total", outcome="rejected") == 0
    assert grew("slawatch_ingest_duration_seconds_count") == 1
    assert grew("slawatch_ingest_duration_seconds_bucket", le="0.05") == 1
    assert grew("slawatch_evaluations_total", agreement="marketing-sales") == 1
    assert grew(
        "slawatch_evaluation_duration_seconds_sum", agreement="marketing-sales"
    ) == pytest.approx(0.4)
    assert ("slawatch_delivery_attempts_total", (("outcome", "failed"),)) in after


def test_each_app_has_its_own_registry_apart_from_the_global_one(engine: Engine):
    first, second = new_app(engine), new_app(engine)
    assert registry_of(first) is registry_of(first)
    assert registry_of(first) is not registry_of(second)
    assert registry_of(first) is not REGISTRY
    assert (
        REGISTRY.get_sample_value("slawatch_events_ingested_total", {"outcome": "accepted"}) is None
    )


def test_evaluated_results_are_reported(engine: Engine, client: TestClient):
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF - DAY)  # the last day of June
    samples = scrape(client)
    speed = [
        labels
        for (name, labels), _ in samples.items()
        if name == "slawatch_objective_value" and ("objective", "speed-to-lead") in labels
    ]
    assert speed == [
        (("agreement", "marketing-sales"), ("objective", "speed-to-lead"), ("period", "2026-06"))
    ]
    statuses = [
        value
        for (name, labels), value in samples.items()
        if name == "slawatch_objective_status" and ("objective", "speed-to-lead") in labels
    ]
    assert sorted(statuses) == [0, 0, 0, 0, 1]
