"""/api/v1/escalations: listing, reading, acknowledging and resolving, on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.alerts.tick import run_tick
from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.api import escalations as api
from slawatch.web.app import create_app
from tests.alerts.support import (
    LOOKBACK,
    NOW,
    RUNNING,
    add_item,
    agreement,
    set_clock,
    set_period,
    watching,
)

URL = "/api/v1/escalations"


def with_escalations(app: FastAPI) -> FastAPI:
    """Include the escalation routes unless the app already does."""
    if not any(getattr(route, "path", "") == URL for route in app.routes):
        app.include_router(api.router, prefix="/api/v1")
    return app


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = with_escalations(create_app(Settings(), engine))
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


@pytest.fixture
def opened(engine: Engine) -> dict[str, int]:
    """A warn escalation of lead-1, a breach of lead-2 and an at-risk period, tier 1 notified."""
    agreement(engine)
    watching(engine)
    first, second = add_item(engine, "lead-1"), add_item(engine, "lead-2", source="web")
    set_clock(engine, first, "at_risk", since=NOW)
    set_clock(engine, second, "breached", since=NOW)
    set_period(
        engine,
        "2026-03",
        **RUNNING,
        as_of=NOW,
        statuses={"qualified-leads": "at_risk"},
    )
    run_tick(engine, now=NOW, owner="test", lookback_us=LOOKBACK)
    return {"first": first, "second": second}


def ids(client: TestClient, **params: object) -> list[str]:
    response = client.get(URL, params=params)
    assert response.status_code == 200, response.text
    return [e["subject"] for e in response.json()]


def test_escalations_are_listed_and_filtered(client: TestClient, opened: dict[str, int]) -> None:
    everything = client.get(URL).json()
    assert len(everything) == 3
    assert {e["trigger"] for e in everything} == {"warn", "breach", "at_risk"}
    assert all(e["state"] == "open" and e["tier"] == 1 for e in everything)
    assert ids(client, objective="qualified-leads") == ["period:2026-03"]
    assert ids(client, source="web", item="lead-2") == [f"item:{opened['second']}"]
    assert ids(client, agreement="marketing-sales", state="closed") == []
    assert ids(client, agreement="other") == []
    assert len(ids(client, limit=2)) == 2


def test_one_escalation_reads_with_its_item_and_timeline(
    client: TestClient, opened: dict[str, int]
) -> None:
    listed = client.get(URL, params={"source": "crm", "item": "lead-1"}).json()
    detail = client.get(f"{URL}/{listed[0]['id']}").json()
    assert detail["item"] == {"id": opened["first"], "source": "crm", "external_id": "lead-1"}
    assert (detail["party"], detail["period"]) == ("sales", "2026-03")
    assert [(s["action"], s["tier"], s["actor"]) for s in detail["steps"]] == [
        ("opened", None, "slawatch"),
        ("step-1", 1, "slawatch"),
    ]
    assert detail["opened_at"].startswith("2026-03-04T10:00:00")
    assert detail["next_step_at"] is None  # a warning notifies tier 1 only


def test_acknowledging_stops_the_ladder_and_a_second_time_is_a_conflict(
    client: TestClient, opened: dict[str, int]
) -> None:
    escalation_id = client.get(URL).json()[0]["id"]
    done = client.post(f"{URL}/{escalation_id}/acknowledge", json={"comment": "calling now"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["state"], body["acknowledged_by"], body["ack_comment"]) == (
        "acknowledged",
        "token:admin",
        "calling now",
    )
    assert body["next_step_at"] is None
    assert body["steps"][-1]["action"] == "acknowledged"
    again = client.post(f"{URL}/{escalation_id}/acknowledge", json={"comment": ""})
    assert again.status_code == 409
    assert "already acknowledged by token:admin" in again.json()["detail"]


def test_resolving_closes_and_then_nothing_more_can_be_done(
    client: TestClient, opened: dict[str, int]
) -> None:
    escalation_id = client.get(URL).json()[0]["id"]
    done = client.post(f"{URL}/{escalation_id}/resolve")  # the comment is optional
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["close_reason"]) == ("closed", "resolved")
    for action in ("resolve", "acknowledge"):
        refused = client.post(f"{URL}/{escalation_id}/{action}", json={"comment": "late"})
        assert refused.status_code == 409
        assert "already closed (resolved, by token:admin" in refused.json()["detail"]
    assert ids(client, state="closed") == [done.json()["subject"]]


@pytest.mark.parametrize("path", ["/999", "/999/acknowledge", "/999/resolve"])
def test_an_unknown_escalation_is_404_with_a_message(
    client: TestClient, opened: dict[str, int], path: str
) -> None:
    response = client.request("GET" if path == "/999" else "POST", URL + path)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no escalation 999")


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "", {"state": "pending"}, None),
        ("GET", "", {"limit": "0"}, None),
        ("GET", "", {"limit": "many"}, None),
        ("GET", "", {"offset": "-1"}, None),
        ("GET", "", {"agreement": "Not An Id"}, None),
        ("GET", "", {"period": "x" * 21}, None),
        ("GET", "/abc", {}, None),
        ("GET", "/0", {}, None),
        ("GET", "/99999999999999999999999", {}, None),
        ("POST", "/1/acknowledge", {}, {"comment": "x" * 2001}),
        ("POST", "/1/acknowledge", {}, {"comment": 5}),
        ("POST", "/1/acknowledge", {}, ["comment"]),
        ("POST", "/1/resolve", {}, "not json"),
        ("POST", "/1/resolve", {}, {"comment": "a\x00b"}),
        ("GET", "", {"item": "lead\x00"}, None),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(
    client: TestClient,
    opened: dict[str, int],
    method: str,
    path: str,
    params: dict[str, str],
    body: object,
) -> None:
    if body == "not json":
        response = client.request(
            method, URL + path, content=b"{", headers={"Content-Type": "application/json"}
        )
    else:
        response = client.request(method, URL + path, params=params, json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["detail"]


def test_acting_needs_the_edit_permission_and_reading_the_read_one(
    client: TestClient, engine: Engine, opened: dict[str, int]
) -> None:
    escalation_id = client.get(URL).json()[0]["id"]
    client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
    assert client.get(f"{URL}/{escalation_id}").status_code == 200
    refused = client.post(f"{URL}/{escalation_id}/acknowledge", json={"comment": ""})
    assert refused.status_code == 403 and "edit" in refused.json()["detail"]
    client.headers["Authorization"] = f"Bearer {token(engine, 'ingest')}"
    assert client.get(URL).status_code == 403
