"""POST /api/v1/events and /imports name the event types no stored agreement uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

AT = "2026-03-02T09:00:00+01:00"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="first")
        secret = create_token(connection, name="ingest", scope="ingest", created_by="test")
    with TestClient(create_app(Settings(), engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


def test_a_batch_with_a_typo_is_stored_and_answered_with_the_unused_type(client: TestClient):
    batch = [
        {"item": "L-1", "type": "contaced", "at": AT},
        {"item": "L-2", "type": "contaced", "at": AT},
        {"item": "L-3", "type": "contacted", "at": AT},
        {"item": "L-4", "type": "created", "at": AT},
    ]
    response = client.post("/api/v1/events", json=batch)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 4
    assert body["unused_event_types"] == [
        {"type": "contaced", "count": 2, "did_you_mean": "contacted"},
        {"type": "created", "count": 1, "did_you_mean": None},
    ]


def test_elements_checked_one_by_one_are_counted_too(client: TestClient):
    batch = [
        {"item": "L-1", "type": "qualifed", "at": AT, "attributes": {"segment": "smb"}},
        {"item": "L-2", "type": "qualified", "at": "yesterday"},
    ]
    body = client.post("/api/v1/events", json=batch).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["unused_event_types"] == [
        {"type": "qualifed", "count": 1, "did_you_mean": "qualified"}
    ]


def test_a_batch_of_used_types_is_answered_as_before(client: TestClient):
    response = client.post("/api/v1/events", json={"item": "L-1", "type": "contacted", "at": AT})
    assert response.json() == {"accepted": 1, "duplicate": 0, "rejected": 0, "errors": []}


def test_an_import_names_the_unused_types_of_its_file(client: TestClient):
    content = (
        b"item,type,at\nL-1,handed_over,2026-10-05T08:00:00Z\nL-1,handover,2026-10-05T08:00:00Z\n"
    )
    response = client.post(
        "/api/v1/imports",
        files={"file": ("events.csv", content, "text/csv")},
        data={"mapping": "generic"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["unused_event_types"] == [
        {"type": "handover", "count": 1, "did_you_mean": "handed_over"}
    ]
    assert (
        "handover (1 row): no objective uses this type; did you mean handed_over?"
        in (body["warnings"])
    )
