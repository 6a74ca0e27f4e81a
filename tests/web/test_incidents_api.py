"""/api/v1/agreements/{id}/incidents: declare, list, read, act on steps, note, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from slawatch.agreements import template_text
from slawatch.alerts.incidents import may_act_on_step
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store import audit
from slawatch.store.agreements import get_version, save_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import Person, put_people
from slawatch.store.schema import deliveries
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.support import set_now
from tests.web.test_agreements_api import token

AGREEMENT = "it-service"
URL = f"/api/v1/agreements/{AGREEMENT}/incidents"
NOW = to_us(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC))
MINUTE = 60_000_000


@pytest.fixture
def evaluations() -> list[int]:
    return []


@pytest.fixture
def app(engine: Engine, evaluations: list[int]) -> FastAPI:
    save_template(engine, AGREEMENT)
    without_plan = template_text("marketing-sales").split("\nemergency:")[0]
    with transaction(engine) as connection:
        save_version(connection, without_plan, author="t", reason="no plan")
    app = create_app(Settings(smtp_url="smtp://mail.example.com:25"), engine)
    app.state.after_ingest = lambda: evaluations.append(1)
    set_now(app, NOW)
    return app


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def declared(client: TestClient) -> dict:
    created = client.post(URL, json={"title": "CRM unreachable"})
    assert created.status_code == 201, created.text
    return created.json()


def test_declaring_opens_an_incident_notifies_the_contacts_and_asks_for_evaluation(
    client: TestClient, engine: Engine, evaluations: list[int]
):
    body = declared(client)
    assert body["state"] == "open" and body["trigger"] == "declared"
    assert body["declared_by"] == "token:admin" and body["paused"] == ["ticket-response"]
    assert body["steps"][0]["do"] == "Post a status note on the intranet"
    assert [e["action"] for e in body["timeline"]] == ["opened", "notified"]
    assert evaluations == [1]
    with read_transaction(engine) as connection:
        recipients = sorted(connection.execute(select(deliveries.c.recipient)).scalars())
        logged = audit.entries(connection, subject=f"incident:{AGREEMENT}:{body['id']}")
    assert recipients == [
        "head.it@example.com",
        "servicedesk.lead@example.com",
        "works.council@example.com",
    ]
    assert [e["action"] for e in logged] == ["incident.open"]
    assert client.get(URL).json()[0]["id"] == body["id"]
    assert client.get(f"{URL}/{body['id']}").json() == body


def test_a_step_is_acknowledged_checked_off_once_and_the_close_needs_a_note(client: TestClient):
    body = declared(client)
    step = f"{URL}/{body['id']}/steps/1"
    acked = client.post(f"{step}/acknowledge", json={"comment": "on it"})
    assert acked.status_code == 200, acked.text
    checked = client.post(f"{step}/check")
    assert checked.status_code == 200
    first = checked.json()["steps"][0]
    assert (first["acknowledged_by"], first["checked_by"]) == ("token:admin", "token:admin")
    again = client.post(f"{step}/check")
    assert again.status_code == 409 and "already checked" in again.json()["detail"]
    assert client.post(f"{URL}/{body['id']}/steps/9/check").status_code == 404
    noted = client.post(f"{URL}/{body['id']}/notes", json={"comment": "Vendor called back."})
    assert noted.json()["timeline"][-1]["comment"] == "Vendor called back."
    empty = client.post(f"{URL}/{body['id']}/close", json={"note": "  "})
    assert empty.status_code == 422 and "post-incident note" in empty.json()["detail"]
    closed = client.post(f"{URL}/{body['id']}/close", json={"note": "DNS expired; renewed."})
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed" and closed.json()["note"] == "DNS expired; renewed."
    late = client.post(f"{URL}/{body['id']}/steps/2/check")
    assert late.status_code == 422 and "closed" in late.json()["detail"]
    assert client.post(f"{URL}/{body['id']}/close", json={"note": "x"}).status_code == 409


def test_bad_input_is_a_4xx_with_a_message(client: TestClient, app: FastAPI):
    future = client.post(URL, json={"title": "x", "started_at": "2026-03-05T10:00:00+00:00"})
    assert future.status_code == 422 and "future" in future.json()["detail"]
    naive = client.post(URL, json={"title": "x", "started_at": "2026-03-04T09:00:00"})
    assert naive.status_code == 422 and "offset" in naive.json()["detail"]
    sealed = client.post(URL, json={"title": "x", "started_at": "2026-02-27T09:00:00+00:00"})
    assert sealed.status_code == 422 and "sealed" in sealed.json()["detail"]
    earlier = client.post(URL, json={"title": "x", "started_at": "2026-03-02T09:00:00+00:00"})
    assert earlier.status_code == 201  # within the running month
    no_plan = client.post("/api/v1/agreements/marketing-sales/incidents", json={"title": "x"})
    assert no_plan.status_code == 422 and "no emergency plan" in no_plan.json()["detail"]
    assert client.post(URL, json={"title": ""}).status_code == 422
    assert client.post(URL, json={"title": "x" * 301}).status_code == 422
    assert client.get(f"{URL}/999").status_code == 404
    assert client.get("/api/v1/agreements/nope/incidents").status_code == 404


def test_a_reader_may_not_act_on_another_partys_step(client: TestClient, engine: Engine):
    body = declared(client)
    reader = {"Authorization": f"Bearer {token(engine, 'read')}"}
    refused = client.post(f"{URL}/{body['id']}/steps/1/check", headers=reader)
    assert refused.status_code == 403 and "party it" in refused.json()["detail"]
    assert client.post(URL, json={"title": "x"}, headers=reader).status_code == 403


def test_a_partys_contacts_and_directory_people_may_act_on_its_steps(engine: Engine, app):
    with transaction(engine) as connection:
        put_people(
            connection,
            [Person(key="u1", name="Ute", email="ute@example.com", party="it")],
            author="t",
        )
        stored = get_version(connection, AGREEMENT)
        assert stored is not None
        agreement = stored.agreement
        assert may_act_on_step(
            connection, agreement, "it", "servicedesk.lead@example.com", admin=False
        )
        assert may_act_on_step(connection, agreement, "it", "UTE@example.com", admin=False)
        assert not may_act_on_step(connection, agreement, "staff", "ute@example.com", admin=False)
        assert may_act_on_step(connection, agreement, "staff", "root@example.com", admin=True)
