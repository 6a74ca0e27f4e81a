"""/api/v1/directory: readers list people, admins put and remove them; bad bodies change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store import audit
from slawatch.store.db import read_transaction
from slawatch.store.directory import people
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.test_agreements_api import token

URL = "/api/v1/directory"
TOM = {"name": "Tom Berg", "email": "tom.berg@example.com", "team": "Sales", "party": "sales"}


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    with TestClient(create_app(Settings(), engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def test_an_admin_puts_reads_and_removes_a_person(client: TestClient, engine: Engine) -> None:
    created = client.put(f"{URL}/tom.berg", json=TOM)
    assert created.status_code == 201, created.text
    assert created.json() == {**TOM, "key": "tom.berg", "manager": None, "language": None}
    assert client.put(f"{URL}/tom.berg", json={**TOM, "team": "North"}).status_code == 200
    assert client.get(f"{URL}/tom.berg").json()["team"] == "North"
    assert [entry["key"] for entry in client.get(URL).json()] == ["tom.berg"]
    assert client.delete(f"{URL}/tom.berg").status_code == 204
    assert client.delete(f"{URL}/tom.berg").status_code == 404
    assert client.get(f"{URL}/tom.berg").status_code == 404
    with read_transaction(engine) as connection:
        entries = audit.entries(connection, subject="person:tom.berg")
    assert {entry["actor"] for entry in entries} == {"token:admin"}
    actions = [entry["action"] for entry in entries]
    assert actions == ["person.remove", "person.change", "person.add"]


def test_many_people_are_put_at_once_and_counted(client: TestClient) -> None:
    body = {
        "people": [
            {"key": "tom.berg", **TOM, "manager": "head.sales"},
            {"key": "head.sales", "name": "Hanna Vogt", "party": "sales", "language": "de"},
        ]
    }
    assert client.put(URL, json=body).json() == {"added": 2, "changed": 0, "unchanged": 0}
    assert client.put(URL, json=body).json() == {"added": 0, "changed": 0, "unchanged": 2}


def test_a_body_with_a_problem_changes_nothing_and_names_the_field(
    client: TestClient, engine: Engine
) -> None:
    body = {
        "people": [
            {"key": "tom.berg", **TOM},
            {"key": "anna", "name": "Anna", "email": "anna@", "manager": "nobody"},
        ]
    }
    answer = client.put(URL, json=body)
    assert answer.status_code == 422
    assert "people[1].email: 'anna@' is not an email address" in answer.json()["detail"]
    body["people"][1]["email"] = None
    answer = client.put(URL, json=body)
    assert answer.status_code == 422
    assert "people[1].manager: 'nobody' is not in the directory" in answer.json()["detail"]
    answer = client.put(f"{URL}/x", json={"name": "X", "party": "it"})
    assert answer.json()["detail"].startswith("party: no stored agreement has a party 'it'")
    with read_transaction(engine) as connection:
        assert people(connection) == {}


def test_readers_list_but_may_not_change(client: TestClient, engine: Engine) -> None:
    client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
    assert client.get(URL).status_code == 200
    assert client.put(f"{URL}/x", json={"name": "X"}).status_code == 403


def test_a_key_with_a_slash_is_one_person(client: TestClient) -> None:
    assert client.put(f"{URL}/eu%2Fsales%2F7", json={"name": "Ole Dahl"}).status_code == 201
    assert client.get(f"{URL}/eu/sales/7").json()["key"] == "eu/sales/7"
    assert client.delete(f"{URL}/eu%2Fsales%2F7").status_code == 204
