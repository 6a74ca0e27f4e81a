"""Fuzz: mutated agreement YAML through every route that reads it, never a 500.

PUT /api/v1/agreements/{id}, POST …/reviews with `yaml`, and the editor's check: each answers
below 500 (the test client raises any server error), within the deadline, on both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.web.api import reviews
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.fuzz.agreement_yaml import agreement_yaml
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    page_app,
)
from tests.web.test_agreements_api import token
from tests.web.test_credits_api import included

ROUTES = settings(
    max_examples=20,
    deadline=dt.timedelta(seconds=15),  # one example: two parses and a write, on a loaded CI
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
API = "/api/v1/agreements/marketing-sales"


@pytest.fixture
def api(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    app = included(create_app(Settings(), engine), reviews.router, "/api/v1")
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


@pytest.fixture
def editor(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    with browser(page_app(engine), engine, "editor") as client:
        yield client


@ROUTES
@given(text=agreement_yaml())
def test_put_answers_every_agreement_yaml_below_500(api: TestClient, text: str) -> None:
    body = text.encode("utf-8", "surrogatepass")
    answer = api.put(API, content=body, headers={"Content-Type": "application/yaml"})
    assert answer.status_code in (201, 400, 413, 422), answer.text[:300]
    if answer.status_code in (413, 422):
        assert answer.json()["detail"]


@ROUTES
@given(text=agreement_yaml())
def test_a_review_answers_every_agreement_yaml_below_500(api: TestClient, text: str) -> None:
    review = {
        "held_on": "2026-07-01",
        "participants": ["head.sales@example.com"],
        "effective": "2026-08-01",
        "yaml": text.encode("utf-8", "replace").decode("utf-8"),
    }
    answer = api.post(f"{API}/reviews", json=review)
    assert answer.status_code in (201, 413, 422), answer.text[:300]


@ROUTES
@given(text=agreement_yaml())
def test_the_editor_checks_every_agreement_yaml_below_500(editor: TestClient, text: str) -> None:
    data = {"yaml": text.encode("utf-8", "replace").decode("utf-8"), "csrf_token": editor.csrf}
    answer = editor.post("/agreements/marketing-sales/check", data=data)
    assert answer.status_code in (200, 413, 422), answer.text[:300]
