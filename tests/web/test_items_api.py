"""GET /api/v1/items/{source}/{id}: attributes, timeline and clocks per objective, both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

import slawatch.agreements
from slawatch.config import Settings
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

TEMPLATES = Path(slawatch.agreements.__file__).parent / "templates"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with transaction(engine) as connection:
        secret = create_token(connection, name="admin", scope="admin", created_by="test")
        save_version(
            connection,
            (TEMPLATES / "marketing-sales.yaml").read_text(),
            author="test",
            reason="first",
        )
    with TestClient(create_app(Settings(), engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


def post(client: TestClient, *events: dict[str, object]) -> None:
    response = client.post("/api/v1/events", json=list(events))
    assert response.status_code == 200, response.text


def test_an_item_shows_its_attributes_and_its_events_in_time_order(client: TestClient) -> None:
    post(
        client,
        {"item": "L-1", "type": "contacted", "at": "2026-03-03T10:00:00+01:00", "owner": "tom"},
        {"item": "L-1", "type": "handed_over", "at": "2026-03-02T09:00:00+01:00", "kind": "lead"},
    )
    body = client.get("/api/v1/items/default/L-1").json()
    assert (body["source"], body["id"], body["kind"]) == ("default", "L-1", "lead")
    assert body["attributes"] == {"owner": "tom"}
    assert [(e["type"], e["at"]) for e in body["events"]] == [
        ("handed_over", "2026-03-02T08:00:00Z"),
        ("contacted", "2026-03-03T09:00:00Z"),
    ]


def test_an_item_shows_its_clock_per_objective_with_the_design_fields(
    client: TestClient,
) -> None:
    post(
        client,
        {"item": "L-2", "type": "handed_over", "at": "2026-03-02T09:00:00+01:00", "kind": "lead"},
        {"item": "L-2", "type": "contacted", "at": "2026-03-02T11:00:00+01:00"},
    )
    clocks = client.get("/api/v1/items/default/L-2").json()["clocks"]
    speed = next(c for c in clocks if c["objective"] == "speed-to-lead")
    assert speed["agreement"] == "marketing-sales"
    assert speed["version"] == 1
    assert speed["started_at"].startswith("2026-03-02T09:00:00")
    assert speed["stopped_at"].startswith("2026-03-02T11:00:00")
    assert speed["state"] == "met"
    assert speed["elapsed_seconds"] == 2 * 3600
    assert speed["paused_seconds"] == 0
    assert speed["deadline"] is not None


def test_an_unknown_item_is_answered_404_with_a_message(client: TestClient) -> None:
    response = client.get("/api/v1/items/default/nobody")
    assert response.status_code == 404
    assert "nobody" in response.json()["detail"]


def test_an_item_id_may_contain_a_slash(client: TestClient) -> None:
    post(client, {"item": "a/b", "type": "qualified", "at": "2026-03-02T09:00:00Z"})
    assert client.get("/api/v1/items/default/a/b").json()["id"] == "a/b"


def test_reading_an_item_needs_a_token(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert client.get("/api/v1/items/default/x").status_code == 401


def test_an_id_with_a_nul_character_is_answered_404(client: TestClient) -> None:
    assert client.get("/api/v1/items/default/a%00b").status_code == 404


def test_an_item_of_a_source_with_a_slash_is_reached_by_its_encoded_address(
    client: TestClient,
) -> None:
    at = "2026-03-02T09:00:00+01:00"
    post(client, {"item": "L/1", "type": "handed_over", "at": at, "source": "crm/eu"})
    body = client.get("/api/v1/items/crm%2Feu/L%2F1").json()
    assert (body["source"], body["id"]) == ("crm/eu", "L/1")
    assert client.get("/api/v1/items/crm%2Feu/L/1").json()["id"] == "L/1"
    missing = client.get("/api/v1/items/crm/eu/L/1")  # unencoded: source `crm`, id `eu/L/1`
    assert missing.status_code == 404 and "'eu/L/1' in source 'crm'" in missing.json()["detail"]
