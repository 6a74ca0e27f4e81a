"""What users see of an agreement whose evaluation fails: pages, escalations and /metrics."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.alerts.tick import run_tick
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import read_transaction
from slawatch.store.escalations import list_escalations
from slawatch.store.health import Health, health_of
from tests.evaluation.support import (
    AS_OF,
    BROKEN,
    break_evaluations,
    save_template,
    store_example_events,
)
from tests.web.test_agreements_api import token
from tests.web.test_home import browser
from tests.web.test_metrics import new_app, sample, scrape

ERROR = "OverflowError: date value out of range"


@pytest.fixture
def failing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Health:
    """marketing-sales evaluated, then broken by a new version; it-service never evaluates."""
    break_evaluations(monkeypatch)
    save_template(engine)
    save_template(engine, "it-service", reason=BROKEN)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    save_template(engine, reason=BROKEN)
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        health = health_of(connection, "marketing-sales")
    assert health is not None and health.failing
    return health


def notices(page: str) -> list[str]:
    marker = 'class="notice error evaluation-failing" role="alert">'
    return [html.unescape(part.split("</p>")[0]) for part in page.split(marker)[1:]]


def test_the_overview_says_since_when_results_are_frozen_and_why(engine: Engine, failing: Health):
    client = browser(engine)
    shown = sorted(notices(client.get("/", headers={"Accept-Language": "en"}).text))
    assert len(shown) == 2
    assert shown[0].startswith("No results: evaluation failing since ")
    assert shown[0].endswith(f": {ERROR}")
    assert shown[1].startswith("Results are from ")
    assert "; evaluation failing since " in shown[1] and shown[1].endswith(f": {ERROR}")


def test_the_agreement_page_shows_the_failure_in_the_readers_language(
    engine: Engine, failing: Health
):
    client = browser(engine)
    page = client.get("/agreements/marketing-sales", headers={"Accept-Language": "en"})
    (english,) = notices(page.text)
    assert english.startswith("Results are from ") and english.endswith(ERROR)
    page = client.get("/agreements/marketing-sales", headers={"Accept-Language": "de"})
    (german,) = notices(page.text)
    assert german.startswith("Die Ergebnisse stammen vom ")
    assert "; die Auswertung schlägt seit " in german and german.endswith(f"fehl: {ERROR}")


def test_a_healthy_agreement_shows_no_failure(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    break_evaluations(monkeypatch)
    save_template(engine)
    refresh_all(engine, as_of=AS_OF)
    client = browser(engine)
    assert notices(client.get("/").text) == []
    assert notices(client.get("/agreements/marketing-sales").text) == []


def test_the_admins_escalation_is_listed_and_shown_on_the_escalation_pages(
    engine: Engine, failing: Health
):
    assert failing.last_success_at is not None
    now = failing.last_success_at + 2 * 60_000_000
    assert run_tick(engine, now=now, owner="a", lookback_us=0).opened == 2
    client = browser(engine)
    listing = client.get("/escalations").text
    assert listing.count("Evaluation failing") == 2
    assert "evaluation failing since" in listing
    with read_transaction(engine) as connection:
        found = {e.agreement_id: e for e in list_escalations(connection)}
    detail = client.get(f"/escalations/{found['marketing-sales'].id}")
    assert detail.status_code == 200
    text = html.unescape(detail.text)
    assert "the administrators" in text and "every active user with role admin" in text
    assert ERROR in text and "Failing since" in text and "Results from" in text
    assert "/objectives/" not in text.split("Escalation path")[0]


def test_metrics_count_the_failures_and_tell_which_agreements_are_frozen(
    engine: Engine, failing: Health
):
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        samples = scrape(client)
    assert sample(samples, "slawatch_evaluation_failing", agreement="marketing-sales") == 1
    assert sample(samples, "slawatch_evaluation_failing", agreement="it-service") == 1
    assert sample(samples, "slawatch_evaluations_failing") == 2
    assert sample(samples, "slawatch_evaluation_failures_total", agreement="it-service") >= 2
    age = sample(samples, "slawatch_evaluation_seconds_since_success", agreement="marketing-sales")
    assert 0 <= age < 600
    assert ("slawatch_evaluation_seconds_since_success", (("agreement", "it-service"),)) not in (
        samples
    )
