"""The alert preferences API: your own as a signed-in person, anyone's as an admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.test_access_matrix import PASSWORD, log_in
from tests.web.test_agreements_api import token

OWN = "/api/v1/alert-preferences"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    with transaction(engine) as connection:
        create_user(connection, "lena.koch@example.com", PASSWORD, "viewer")
    with TestClient(create_app(Settings(secret_key="k" * 40), engine)) as client:
        yield client


def test_a_person_reads_the_defaults_then_replaces_them(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    first = client.get(OWN, headers=headers).json()
    assert first["triggers"]["breach"] == "now" and first["triggers"]["warn"] == "digest"
    assert (first["chosen"], first["quiet_hours"], first["daily_summary"]) == (
        {},
        "objective",
        True,
    )
    assert first["digest_minutes"] == 30
    put = client.put(
        OWN,
        headers=headers,
        json={
            "triggers": {"warn": "off", "at_risk": "now"},
            "quiet_hours": "marketing-sales/office",
            "daily_summary": False,
        },
    )
    assert put.status_code == 200, put.text
    again = client.get(OWN, headers=headers).json()
    assert again["chosen"] == {"warn": "off", "at_risk": "now"}
    assert (again["quiet_hours"], again["daily_summary"]) == ("marketing-sales/office", False)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"triggers": {"warning": "now"}}, "triggers.warning: unknown trigger; use one of"),
        ({"triggers": {"warn": "later"}}, "triggers.warn: 'later' is not a mode; use now"),
        ({"quiet_hours": "nowhere/none"}, "quiet_hours: 'nowhere/none' is not a calendar"),
    ],
)
def test_bad_choices_are_refused_naming_the_field(client: TestClient, body: dict, words: str):
    headers = log_in(client, "lena.koch@example.com")
    response = client.put(OWN, headers=headers, json=body)
    assert response.status_code == 422
    assert words in response.text


def test_an_unknown_field_and_a_wrong_type_are_refused(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    assert client.put(OWN, headers=headers, json={"colour": "red"}).status_code == 422
    assert client.put(OWN, headers=headers, json={"triggers": ["warn"]}).status_code == 422


def test_a_token_has_no_preferences_but_an_admin_sets_a_contacts(
    client: TestClient, engine: Engine
):
    bearer = {"Authorization": f"Bearer {token(engine, 'admin')}"}
    own = client.get(OWN, headers=bearer)
    assert own.status_code == 422 and "an API token has no alert preferences" in own.text
    put = client.put(
        f"{OWN}/CEO@example.com", headers=bearer, json={"triggers": {"at_risk": "off"}}
    )
    assert put.status_code == 200 and put.json()["recipient"] == "ceo@example.com"
    read = client.get(f"{OWN}/ceo@example.com", headers=bearer).json()
    assert read["triggers"]["at_risk"] == "off"
    bad = client.get(f"{OWN}/not-an-email", headers=bearer)
    assert bad.status_code == 422 and "email:" in bad.text


def test_only_admins_read_someone_elses_preferences(client: TestClient):
    headers = log_in(client, "lena.koch@example.com")
    assert client.get(f"{OWN}/ceo@example.com", headers=headers).status_code == 403
