"""/api/v1/agreements: versions as YAML, their history and stored reports, on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from tests.evaluation.support import AS_OF, store_example_events
from tests.evaluation.test_service import cli_json

URL = "/api/v1/agreements/marketing-sales"
YAML = {"Content-Type": "application/yaml"}


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def evaluations(engine: Engine) -> list[int]:
    return []


@pytest.fixture
def client(engine: Engine, evaluations: list[int]) -> Iterator[TestClient]:
    app = create_app(Settings(), engine)
    app.state.after_ingest = lambda: evaluations.append(1)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def test_a_put_creates_a_version_that_reads_back(
    client: TestClient, evaluations: list[int]
) -> None:
    text = template_text("marketing-sales")
    created = client.put(URL, content=text.encode(), headers=YAML, params={"reason": "signed"})
    assert created.status_code == 201
    body = created.json()
    assert (body["id"], body["version"], body["effective"]) == ("marketing-sales", 1, "2026-01-01")
    assert body["author"] == "token:admin" and body["reason"] == "signed"
    assert evaluations == [1]
    current = client.get(URL).json()
    assert current["yaml"] == text and current["version"] == 1
    assert current["title"] == "Lead handover between Marketing and Sales"
    listed = client.get("/api/v1/agreements").json()
    assert [(a["id"], a["version"]) for a in listed] == [("marketing-sales", 1)]


def test_versions_are_listed_and_each_can_be_read(client: TestClient) -> None:
    text = template_text("marketing-sales")
    client.put(URL, content=text.encode(), headers=YAML)
    changed = text.replace('">= 50"', '">= 60"')
    second = client.put(
        URL,
        content=changed.encode(),
        headers={"Content-Type": "text/yaml; charset=utf-8"},
        params={"reason": "Q2 review", "effective": "2026-04-01"},
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    versions = client.get(f"{URL}/versions").json()
    assert [(v["version"], v["reason"], v["effective"]) for v in versions] == [
        (1, "", "2026-01-01"),
        (2, "Q2 review", "2026-04-01"),
    ]
    assert client.get(f"{URL}/versions/1").json()["yaml"] == text
    assert client.get(f"{URL}/versions/2").json()["yaml"] == changed
    missing = client.get(f"{URL}/versions/3")
    assert missing.status_code == 404 and "versions 1 to 2" in missing.json()["detail"]


def test_invalid_yaml_is_refused_with_every_problem_and_its_line(client: TestClient) -> None:
    text = template_text("marketing-sales").replace("within: 48h", "within: 48 hours")
    response = client.put(URL, content=text.encode(), headers=YAML)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems and all(set(p) == {"line", "field", "message", "hint"} for p in problems)
    (problem,) = [p for p in problems if p["field"].endswith("speed-to-lead.within")]
    assert problem["line"] == text.splitlines().index("    within: 48 hours") + 1
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("spelling", ["nan", ".nan", ".inf"])
def test_a_non_finite_warn_is_a_422_at_its_line(client: TestClient, spelling: str) -> None:
    text = template_text("marketing-sales").replace("warn: 75%", f"warn: {spelling}", 1)
    response = client.put(URL, content=text.encode(), headers=YAML)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["message"].endswith("is not a finite number")
    lines = text.splitlines()
    assert lines[problem["line"] - 1].startswith(f"    warn: {spelling} ")


@pytest.mark.parametrize(
    ("url", "content", "content_type", "status", "words"),
    [
        ("/api/v1/agreements/it-service", None, "application/yaml", 400, "agreement: marketing"),
        (URL, None, "application/json", 415, "application/yaml"),
        (URL, b"\xff\xfe", "application/yaml", 400, "UTF-8"),
        (URL, b"", "application/yaml", 422, "invalid"),
        ("/api/v1/agreements/Not_An_Id", None, "application/yaml", 422, ""),
        (f"{URL}?effective=0001-01-01", None, "application/yaml", 422, "out of range"),
        (f"{URL}?effective=2026-02-30", None, "application/yaml", 422, "effective"),
    ],
)
def test_bad_puts_are_refused_with_a_message(
    client: TestClient, url: str, content: bytes | None, content_type: str, status: int, words: str
) -> None:
    body = template_text("marketing-sales").encode() if content is None else content
    response = client.put(url, content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert words in json.dumps(response.json())


def test_unknown_agreements_are_404_with_a_hint(client: TestClient) -> None:
    for path in ("", "/versions", "/versions/1", "/report?period=2026-03"):
        response = client.get(f"/api/v1/agreements/nope{path}")
        assert response.status_code == 404
        assert "PUT /api/v1/agreements/nope" in response.json()["detail"]


def test_the_report_is_the_stored_cli_json_of_the_period(
    client: TestClient, engine: Engine
) -> None:
    client.put(URL, content=template_text("marketing-sales").encode(), headers=YAML)
    store_example_events(engine)
    pending = client.get(f"{URL}/report", params={"period": "2026-03"})
    assert pending.status_code == 404 and "background" in pending.json()["detail"]
    refresh_all(engine, as_of=AS_OF)
    report = client.get(f"{URL}/report", params={"period": "2026-03"})
    assert report.status_code == 200
    assert report.json() == cli_json("2026-03")
    assert report.headers["X-Agreement-Version"] == "1"


@pytest.mark.parametrize(
    ("period", "status", "words"),
    [
        ("2026-13", 422, "does not exist"),
        ("March", 422, "is not a label"),
        ("2026-Q1", 404, "stored periods run from 2026-01 to 2026-07"),
        ("2027-01", 404, "no stored result for period 2027-01"),
    ],
)
def test_a_report_for_a_bad_or_unknown_period_says_why(
    client: TestClient, engine: Engine, period: str, status: int, words: str
) -> None:
    client.put(URL, content=template_text("marketing-sales").encode(), headers=YAML)
    refresh_all(engine, as_of=AS_OF)
    response = client.get(f"{URL}/report", params={"period": period})
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_reading_needs_read_and_writing_needs_edit(client: TestClient, engine: Engine) -> None:
    text = template_text("marketing-sales").encode()
    reader = {"Authorization": f"Bearer {token(engine, 'read')}"}
    ingester = {"Authorization": f"Bearer {token(engine, 'ingest')}"}
    assert client.put(URL, content=text, headers={**YAML, **reader}).status_code == 403
    assert client.put(URL, content=text, headers={**YAML, **ingester}).status_code == 403
    assert client.put(URL, content=text, headers=YAML).status_code == 201
    assert client.get(URL, headers=reader).status_code == 200
    assert client.get(URL, headers=ingester).status_code == 403
    assert client.get(URL, headers={"Authorization": ""}).status_code == 401
