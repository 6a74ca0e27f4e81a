"""/api/v1/benchmarks: comparisons and references; admins edit and reset references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.comparisons.industry import shipped_references
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from tests.evaluation.support import AS_OF, save_template, store_example_events
from tests.web.test_benchmarks_pages import benchmarks_app

URL = "/api/v1/benchmarks"
KEY = "conversion-lead-to-opportunity"


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(benchmarks_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def body(**changes: Any) -> dict[str, Any]:
    shipped = next(r for r in shipped_references() if r.key == KEY)
    document = shipped.model_dump(mode="json")
    del document["key"]
    return document | changes


def test_every_objective_is_compared_with_its_history(client: TestClient, engine: Engine):
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    answer = client.get(URL)
    assert answer.status_code == 200
    (agreement,) = answer.json()["agreements"]
    objectives = {o["objective"]: o for o in agreement["objectives"]}
    assert len(objectives) == 7
    conversion = objectives["conversion"]
    assert conversion["period"] == "2026-07"
    assert conversion["previous"]["periods"] == ["2026-06"]
    assert conversion["trailing_3"] == {
        "value": pytest.approx(conversion["trailing_3"]["value"]),
        "method": "pooled",
        "periods": ["2026-06", "2026-05", "2026-04"],
        "with_data": 3,
    }
    assert conversion["year_ago"]["periods"] == ["2025-07"]
    assert KEY in conversion["references"]
    assert objectives["qualified-leads"]["previous"]["method"] == "mean"
    assert client.get(URL, params={"agreement": "marketing-sales"}).json() == answer.json()


def test_the_references_are_listed_with_where_they_come_from(client: TestClient):
    references = client.get(URL).json()["references"]
    assert [r["key"] for r in references] == [r.key for r in shipped_references()]
    assert {r["origin"] for r in references} == {"shipped"}
    hbr = references[0]
    assert hbr["source"]["year"] == 2011 and hbr["source"]["url"].startswith("https://hbr.org/")


def test_an_admin_edits_a_reference_and_resets_it(client: TestClient):
    edited = client.put(
        f"{URL}/{KEY}", json=body(figure={"low": 10, "high": 15, "unit": "percent"})
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["origin"] == "edited" and edited.json()["updated_by"] == "token:admin"
    listed = {r["key"]: r for r in client.get(URL).json()["references"]}
    assert listed[KEY]["figure"] == {"value": None, "low": 10, "high": 15, "unit": "percent"}
    assert client.delete(f"{URL}/{KEY}").status_code == 204
    listed = {r["key"]: r for r in client.get(URL).json()["references"]}
    assert listed[KEY]["origin"] == "shipped" and listed[KEY]["figure"]["value"] == 13


def test_an_admin_adds_a_reference_of_their_own_and_removes_it(client: TestClient):
    added = client.put(f"{URL}/our-conversion", json=body(key="our-conversion"))
    assert added.status_code == 200 and added.json()["origin"] == "added"
    assert client.get(URL).json()["references"][-1]["key"] == "our-conversion"
    assert client.delete(f"{URL}/our-conversion").status_code == 204
    missing = client.delete(f"{URL}/our-conversion")
    assert missing.status_code == 404 and "no reference" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"figure": {"low": 5, "high": 3, "unit": "percent"}}, 422, "above high"),
        ({"figure": {"value": 101, "unit": "percent"}}, 422, "at most 100"),
        ({"figure": {"value": 1, "unit": "weeks"}}, 422, "percent"),
        ({"source": {"author": "a", "title": "t", "publication": "p", "year": 2011}}, 422, "url"),
        ({"applies_to": []}, 422, "at least 1"),
        ({"applies_to": [{}]}, 422, "objective patterns"),
        ({"surprise": True}, 422, "Extra inputs"),
        ({"key": "another-key"}, 400, "the body names key"),
    ],
)
def test_invalid_references_are_refused_with_a_message(
    client: TestClient, changes: dict[str, Any], status: int, message: str
):
    answer = client.put(f"{URL}/{KEY}", json=body(**changes))
    assert answer.status_code == status
    assert message in str(answer.json()["detail"])


def test_bad_keys_and_bodies_are_refused(client: TestClient):
    assert client.put(f"{URL}/Not_A_Key", json=body()).status_code == 422
    assert client.put(f"{URL}/{KEY}", content=b"not json").status_code == 422
    reset = client.delete(f"{URL}/{KEY}")
    assert reset.status_code == 404 and "shipped one already" in reset.json()["detail"]
    missing = client.get(URL, params={"agreement": "nope"})
    assert missing.status_code == 404 and "no agreement" in missing.json()["detail"]


def test_readers_may_look_but_only_admins_may_change(engine: Engine):
    with TestClient(benchmarks_app(engine)) as reader:
        reader.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        assert reader.get(URL).status_code == 200
        assert reader.put(f"{URL}/{KEY}", json=body()).status_code == 403
        assert reader.delete(f"{URL}/{KEY}").status_code == 403
