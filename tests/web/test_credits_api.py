"""/api/v1/agreements/{id}/credits: issued statements, flagged revisions, accepting them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.evaluation.credits import issue_statements
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction
from slawatch.web.api import credits
from slawatch.web.app import create_app
from tests.evaluation.test_credits import (
    AGREEMENT,
    LATER,
    evaluated_and_stated,
    late_leads_in_april,
)
from tests.web.test_agreements_api import token

URL = f"/api/v1/agreements/{AGREEMENT}/credits"


def included(app: FastAPI, router: APIRouter, prefix: str = "") -> FastAPI:
    """Include a router unless the app already does (once app.py registers it)."""
    if not any(getattr(route, "original_router", None) is router for route in app.routes):
        app.include_router(router, prefix=prefix)
    return app


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return included(create_app(Settings(), engine), credits.router, "/api/v1")


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def test_every_issued_statement_is_listed_with_its_lines(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    listed = client.get(URL).json()
    assert [(s["period"], s["party"]) for s in listed][:3] == [
        ("2026-01", "marketing"),
        ("2026-01", "sales"),
        ("2026-02", "marketing"),
    ]
    assert len(listed) == 12
    april = client.get(URL, params={"period": "2026-04"}).json()
    sales = next(s for s in april if s["party"] == "sales")
    assert sales["party_name"] == "Sales" and sales["currency"] == "EUR"
    assert sales["total"] == "500.00" and sales["fee"] == "10000.00" and sales["version"] == 1
    assert sales["changed_after_issue"] is False and sales["revised"] is None
    (line,) = sales["lines"]
    assert (line["objective"], line["tier"], line["amount"]) == ("speed-to-lead", 1, "500.00")
    assert line["kind"] == "clock" and line["op"] == ">=" and 0.92 < line["value"] < 0.93


def test_one_period_shows_each_party_and_the_total(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    body = client.get(f"{URL}/2026-04").json()
    assert body["period"] == "2026-04" and body["totals"] == {"EUR": "750.00"}
    assert [s["party"] for s in body["statements"]] == ["marketing", "sales"]
    assert body["changed_after_issue"] is False


def test_a_revision_is_shown_with_its_flag_and_differences(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)
    body = client.get(f"{URL}/2026-04").json()
    assert body["changed_after_issue"] is True and body["totals"] == {"EUR": "750.00"}
    sales = next(s for s in body["statements"] if s["party"] == "sales")
    assert sales["changed_after_issue"] is True and sales["total"] == "500.00"
    revised = sales["revised"]
    assert revised["total"] == "1000.00" and revised["revision"] == LATER
    assert {"objective": None, "field": "total", "issued": "500.00", "revised": "1000.00"} in (
        revised["differences"]
    )
    assert {"objective": "speed-to-lead", "field": "tier", "issued": 1, "revised": 2} in (
        revised["differences"]
    )


def test_an_admin_accepts_a_revision_and_the_old_one_is_audited(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)
    stale = client.post(f"{URL}/2026-04/sales/accept-revision", params={"revision": 1})
    assert stale.status_code == 409 and "not the pending one" in stale.json()["detail"]
    accepted = client.post(f"{URL}/2026-04/sales/accept-revision", params={"revision": LATER})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["total"] == "1000.00" and body["changed_after_issue"] is False
    again = client.post(f"{URL}/2026-04/sales/accept-revision")
    assert again.status_code == 409 and "no pending revision" in again.json()["detail"]
    with read_transaction(engine) as connection:
        (entry,) = [
            e
            for e in entries(connection, subject=f"agreement:{AGREEMENT}")
            if e["action"] == "credits.accept_revision"
        ]
    assert entry["actor"] == "token:admin" and entry["detail"]["replaced_amount"] == "500.00"


def test_accepting_needs_the_admin_permission(app: FastAPI, engine: Engine):
    evaluated_and_stated(engine)
    with TestClient(app) as reader:
        reader.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        assert reader.get(URL).status_code == 200
        refused = reader.post(f"{URL}/2026-04/sales/accept-revision")
    assert refused.status_code == 403


def test_unknown_agreements_periods_and_parties_get_a_message(client: TestClient, engine: Engine):
    missing = client.get("/api/v1/agreements/nothing/credits")
    assert missing.status_code == 404 and "no agreement 'nothing'" in missing.json()["detail"]
    evaluated_and_stated(engine)
    bad = client.get(f"{URL}/2026-13")
    assert bad.status_code == 422 and "does not exist" in bad.json()["detail"]
    assert client.get(URL, params={"period": "April"}).status_code == 422
    running = client.get(f"{URL}/2026-07")
    assert running.status_code == 404
    assert "once it has closed" in running.json()["detail"]
    assert "2026-01 to 2026-06 (6 periods)" in running.json()["detail"]
    assert client.post(f"{URL}/2026-04/a%00b/accept-revision").status_code == 422
    nobody = client.post(f"{URL}/2026-04/legal/accept-revision")
    assert nobody.status_code == 404 and "'legal'" in nobody.json()["detail"]


def test_an_agreement_without_credits_says_so(client: TestClient):
    text = template_text("hr-requests")
    created = client.put(
        "/api/v1/agreements/hr-requests",
        content=text.encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert created.status_code == 201
    answer = client.get("/api/v1/agreements/hr-requests/credits/2026-01")
    assert answer.status_code == 404
    assert "no `credits:` section" in answer.json()["detail"]
