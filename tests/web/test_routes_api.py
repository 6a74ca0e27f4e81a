"""/api/v1/notification-routes: admins add, list and remove where messages go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store import audit
from slawatch.store.db import read_transaction
from slawatch.store.routes import list_routes
from slawatch.web.api import routes
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.test_agreements_api import token
from tests.web.test_metrics import with_router

URL = "/api/v1/notification-routes"
SLACK = "slack://TokenA/TokenB/TokenC/#sales"


def new_app(engine: Engine) -> FastAPI:
    return with_router(create_app(Settings(), engine), routes.router, "/api/v1")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def test_an_admin_adds_lists_and_removes_routes(client: TestClient, engine: Engine):
    created = client.post(
        URL, json={"target": "Tom.Berg@Example.com", "url": SLACK, "language": "de"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["target"], body["language"], body["created_by"]) == (
        "tom.berg@example.com",
        "de",
        "token:admin",
    )
    party = client.post(
        URL, json={"target": "marketing-sales:sales", "url": "json://hooks.example.com/x"}
    )
    assert party.status_code == 201 and party.json()["language"] is None
    listed = client.get(URL).json()
    assert [r["target"] for r in listed] == ["marketing-sales:sales", "tom.berg@example.com"]
    assert client.delete(f"{URL}/{body['id']}").status_code == 204
    assert [r["target"] for r in client.get(URL).json()] == ["marketing-sales:sales"]
    missing = client.delete(f"{URL}/{body['id']}")
    assert (
        missing.status_code == 404 and "GET /api/v1/notification-routes" in missing.json()["detail"]
    )
    with read_transaction(engine) as connection:
        assert [r.url for r in list_routes(connection)] == ["json://hooks.example.com/x"]
        entries = audit.entries(connection, subject=f"route:{body['id']}")
    assert [e["action"] for e in entries] == ["route.delete", "route.create"]
    assert SLACK not in str(entries)  # secrets stay out of the audit log


def test_secrets_in_route_urls_are_masked_in_answers(client: TestClient):
    secret = "mailtos://mailer:s3cret@smtp.example.com:465?from=s@example.com&to=t@example.com"
    created = client.post(URL, json={"target": "t@example.com", "url": secret})
    assert created.status_code == 201
    assert "s3cret" not in created.text
    assert "s3cret" not in client.get(URL).text
    assert "TokenB" not in client.post(URL, json={"target": "t@example.com", "url": SLACK}).text


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ({"target": "t@example.com", "url": "nosuch://x"}, "Unparseable URL"),
        ({"target": "t@example.com", "url": "slack://abc"}, "Slack"),
        ({"target": "not an email", "url": SLACK}, "neither an email nor"),
        ({"target": "x@@example", "url": SLACK}, "not an email address"),
        ({"target": "nope:sales", "url": SLACK}, "no agreement 'nope'"),
        ({"target": "marketing-sales:finance", "url": SLACK}, "parties: marketing, sales"),
        ({"target": "t@example.com", "url": SLACK, "language": "fr"}, "use en or de"),
        ({"target": "", "url": SLACK}, "at least 1 character"),
        ({"target": "t@example.com"}, "Field required"),
    ],
)
def test_unusable_routes_are_refused_with_the_reason(client: TestClient, route: dict, words: str):
    response = client.post(URL, json=route)
    assert response.status_code == 422
    assert words in str(response.json()["detail"])
    assert client.get(URL).json() == []


def test_only_admins_manage_routes(client: TestClient, engine: Engine):
    reader = {"Authorization": f"Bearer {token(engine, 'read')}"}
    assert client.get(URL, headers=reader).status_code == 403
    assert (
        client.post(URL, headers=reader, json={"target": "t@example.com", "url": SLACK}).status_code
        == 403
    )
    assert client.delete(f"{URL}/1", headers=reader).status_code == 403
    assert client.get(URL, headers={"Authorization": ""}).status_code == 401


def test_route_ids_out_of_range_are_refused_not_crashed(client: TestClient):
    assert client.delete(f"{URL}/0").status_code == 422
    assert client.delete(f"{URL}/{2**70}").status_code == 422
    assert client.delete(f"{URL}/x").status_code == 422
