"""/api/v1/agreements/{id}/reviews: record a review (and a new version), list, read one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.web.api import reviews
from slawatch.web.app import create_app
from tests.evaluation.test_credits import AGREEMENT, evaluated_and_stated
from tests.web.test_agreements_api import token
from tests.web.test_credits_api import included

URL = f"/api/v1/agreements/{AGREEMENT}/reviews"
REVIEW = {
    "held_on": "2026-07-01",
    "participants": ["head.sales@example.com", "head.marketing@example.com"],
    "notes": "Speed to lead missed in April and May.",
    "decisions": "Keep the targets.",
}


@pytest.fixture
def evaluations() -> list[int]:
    return []


@pytest.fixture
def app(engine: Engine, evaluations: list[int]) -> FastAPI:
    app = included(create_app(Settings(), engine), reviews.router, "/api/v1")
    app.state.after_ingest = lambda: evaluations.append(1)
    return app


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def test_a_recorded_review_reads_back_with_its_snapshot(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    created = client.post(URL, json=REVIEW)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["held_on"] == "2026-07-01" and body["version"] is None
    assert body["created_by"] == "token:admin" and body["participants"] == REVIEW["participants"]
    assert [p["period"] for p in body["snapshot"]["periods"]] == ["2026-04", "2026-05", "2026-06"]
    read = client.get(f"{URL}/{body['id']}").json()
    assert read == body
    listed = client.get(URL)
    assert [r["id"] for r in listed.json()] == [body["id"]]
    assert "snapshot" not in listed.json()[0]


def test_the_list_names_the_next_due_date(client: TestClient, engine: Engine):
    evaluated_and_stated(engine)
    listed = client.get(URL)
    assert listed.status_code == 200 and listed.json() == []
    assert listed.headers["X-Next-Review"] >= "2026-10-01"
    assert listed.headers["X-Next-Review"].endswith(("-01-01", "-04-01", "-07-01", "-10-01"))


def test_a_review_with_yaml_creates_the_next_version_from_the_date(
    client: TestClient, engine: Engine, evaluations: list[int]
):
    evaluated_and_stated(engine)
    text = template_text(AGREEMENT).replace('target: ">= 50"', 'target: ">= 60"')
    created = client.post(
        URL,
        json={
            **REVIEW,
            "decisions": "Raise qualified leads to 60.",
            "yaml": text,
            "effective": "2199-07-01",
        },
    )
    assert created.status_code == 201, created.text
    review = created.json()
    assert review["version"] == 2 and evaluations == [1]
    latest = client.get(f"/api/v1/agreements/{AGREEMENT}/versions").json()[-1]
    assert latest["effective"] == "2199-07-01"
    assert latest["reason"] == f"review #{review['id']}: Raise qualified leads to 60."


def test_invalid_yaml_is_refused_with_numbered_problems_and_nothing_is_recorded(
    client: TestClient, engine: Engine
):
    evaluated_and_stated(engine)
    broken = template_text(AGREEMENT).replace('target: ">= 50"', 'target: "about 50"')
    refused = client.post(URL, json={**REVIEW, "yaml": broken, "effective": "2026-07-01"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"].startswith("the agreement is invalid")
    assert body["problems"] and all(isinstance(p["line"], int) for p in body["problems"])
    assert client.get(URL).json() == []
    other = template_text("it-service")
    wrong = client.post(URL, json={**REVIEW, "yaml": other, "effective": "2026-07-01"})
    assert wrong.status_code == 422 and "agreement: it-service" in wrong.json()["detail"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"held_on": "2999-01-01"}, "in the future"),
        ({"yaml": "agreement: x"}, "say from which day"),
        ({"effective": "2026-07-01"}, "only used with yaml"),
    ],
)
def test_reviews_that_cannot_be_recorded_get_a_message(
    client: TestClient, engine: Engine, change: dict[str, str], message: str
):
    evaluated_and_stated(engine)
    refused = client.post(URL, json={**REVIEW, **change})
    assert refused.status_code == 422 and message in refused.json()["detail"]


def test_missing_fields_agreements_and_reviews_are_refused(client: TestClient, engine: Engine):
    assert client.post("/api/v1/agreements/nothing/reviews", json=REVIEW).status_code == 404
    evaluated_and_stated(engine)
    assert client.post(URL, json={**REVIEW, "participants": []}).status_code == 422
    assert client.post(URL, json={**REVIEW, "participants": ["  "]}).status_code == 422
    assert client.post(URL, json={**REVIEW, "participants": ["a\x00"]}).status_code == 422
    assert client.post(URL, json={**REVIEW, "notes": "NUL \x00 in text"}).status_code == 422
    assert client.post(URL, json={"notes": "no date"}).status_code == 422
    missing = client.get(f"{URL}/999")
    assert missing.status_code == 404 and "has no review 999" in missing.json()["detail"]
    assert client.get("/api/v1/agreements/nothing/reviews").status_code == 404


def test_recording_needs_the_edit_permission(app: FastAPI, engine: Engine):
    evaluated_and_stated(engine)
    with TestClient(app) as reader:
        reader.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
        assert reader.get(URL).status_code == 200
        assert reader.post(URL, json=REVIEW).status_code == 403


def test_a_review_may_not_put_new_targets_in_force_from_a_past_day(
    client: TestClient, engine: Engine, evaluations: list[int]
):
    evaluated_and_stated(engine)
    text = template_text(AGREEMENT).replace('target: ">= 50"', 'target: ">= 60"')
    refused = client.post(URL, json={**REVIEW, "yaml": text, "effective": "2026-04-01"})
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "lies before today" in detail and "retroactive=true" in detail
    assert client.get(URL).json() == [] and evaluations == []
