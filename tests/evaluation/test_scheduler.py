"""The background evaluation: runs with the app, answers an ingestion, stops with the app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.background import Runner
from slawatch.config import Settings
from slawatch.evaluation.scheduler import BackgroundEvaluation
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.health import health_of
from slawatch.store.results import stored_results
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from tests.evaluation.support import AS_OF, BROKEN, break_evaluations, save_template

PATIENCE = 60.0  # seconds to wait for the background thread on a loaded CI machine


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the background evaluation did not get to it"
        time.sleep(0.05)


def test_a_new_version_is_evaluated_in_the_background_and_the_thread_stops(
    engine: Engine,
) -> None:
    with transaction(engine) as connection:
        secret = create_token(connection, name="admin", scope="admin", created_by="test")
    settings = Settings(evaluation_interval=3600, evaluation_delay=0)
    app = create_app(settings, engine, background=True)
    runner: Runner = app.state.runner
    assert isinstance(app.state.scheduler, BackgroundEvaluation)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        # the round at start-up, with nothing to do
        wait_for(lambda: runner.tasks["evaluation"].rounds >= 1)
        response = client.put(
            "/api/v1/agreements/marketing-sales",
            content=template_text("marketing-sales").encode(),
            headers={"Content-Type": "application/yaml"},
        )
        assert response.status_code == 201
        report = "/api/v1/agreements/marketing-sales/report?period=2026-01"
        wait_for(lambda: client.get(report).status_code == 200)
        assert client.get(report).json()["agreement"] == "marketing-sales"
    alive = {t.name for t in threading.enumerate() if t.is_alive()}
    assert not alive & {"slawatch-evaluation", "slawatch-alerts"}


def test_a_round_goes_on_past_a_failing_agreement_and_retries_it_once_per_interval(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_evaluations(monkeypatch)
    save_template(engine, "it-service", reason=BROKEN)
    save_template(engine)
    evaluation = BackgroundEvaluation(engine, interval=3600)
    evaluation.refresh()
    with read_transaction(engine) as connection:
        assert stored_results(connection, "marketing-sales")
        failing = health_of(connection, "it-service")
    assert failing is not None and failing.failing
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "L-1", "qualified", AS_OF, "lead")])
    evaluation.refresh()  # the round an ingestion asks for: the failing agreement waits
    with read_transaction(engine) as connection:
        again = health_of(connection, "it-service")
    assert again is not None and again.failed_attempts == 1
