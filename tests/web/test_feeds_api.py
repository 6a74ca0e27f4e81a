"""GET /api/v1/agreements/{id}/feeds: each expected type with its last event and status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.web.api import feeds
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.support import set_now
from tests.web.test_agreements_api import token
from tests.web.test_credits_api import included

BERLIN = ZoneInfo("Europe/Berlin")
URL = "/api/v1/agreements/marketing-sales/feeds"


def berlin(*parts: int) -> int:
    return to_us(dt.datetime(*parts, tzinfo=BERLIN))  # type: ignore[misc]


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return included(create_app(Settings(), engine), feeds.router, "/api/v1")


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        yield client


def test_each_expected_type_has_its_last_event_due_time_and_status(
    client: TestClient, app: FastAPI, engine: Engine
) -> None:
    save_template(engine)
    with transaction(engine) as connection:
        store_events(
            connection,
            [EventIn(source="crm", item="lead-1", type="handed_over", at=berlin(2026, 12, 4, 13))],
        )
    set_now(app, berlin(2026, 12, 7, 11, 30))  # Monday: due at 11:00 after Friday 13:00
    answer = client.get(URL)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == "2026-12-07T11:30:00+01:00"
    handed_over, qualified = body["feeds"]
    assert handed_over == {
        "type": "handed_over",
        "every": "4h",
        "calendar": "office",
        "last_seen": "2026-12-04T13:00:00+01:00",
        "counting_from": "2026-12-04T13:00:00+01:00",
        "due_by": "2026-12-07T11:00:00+01:00",
        "silent": True,
        "silent_since": "2026-12-07T11:00:00+01:00",
        "objectives": ["speed-to-lead", "lead-acceptance", "rejection-rate", "conversion"],
    }
    assert qualified["last_seen"] is None
    assert qualified["counting_from"] == "2026-01-01T00:00:00+01:00"
    assert qualified["silent"] is True and qualified["objectives"] == ["qualified-leads"]
    set_now(app, berlin(2026, 12, 7, 11))
    assert client.get(URL).json()["feeds"][0]["silent"] is False


def without_expect(name: str = "marketing-sales") -> tuple[str, str]:
    """Return the replacement that removes a template's `expect:` section."""
    text = template_text(name)
    start = text.index("expect:")
    return text[start : text.index("escalation:", start)], ""


def test_an_agreement_without_expect_has_no_feeds(client: TestClient, engine: Engine) -> None:
    save_template(engine, replace=without_expect())
    answer = client.get(URL)
    assert answer.status_code == 200
    assert answer.json()["feeds"] == []


def test_an_unknown_agreement_is_a_404(client: TestClient) -> None:
    answer = client.get("/api/v1/agreements/nope/feeds")
    assert answer.status_code == 404
    assert "nope" in answer.json()["detail"]
