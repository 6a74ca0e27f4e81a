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
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from tests.evaluation.support import AS_OF, store_example_events
from tests.evaluation.test_service import cli_json
from tests.web.test_agreement_pages import browser, page_app

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
        params={"reason": "Q2 review", "effective": "2026-04-01", "retroactive": "true"},
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    versions = client.get(f"{URL}/versions").json()
    assert [(v["version"], v["reason"], v["effective"], v["retroactive"]) for v in versions] == [
        (1, "", "2026-01-01", False),
        (2, "Q2 review", "2026-04-01", True),
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


LOWER = ('target: ">= 80%"', 'target: ">= 70%"')  # lead acceptance: Feb, Apr, May now meet it


def acceptance(client: TestClient, period: str) -> tuple[str, str]:
    """Return (status of lead acceptance, version that measured it) of a stored period."""
    report = client.get(f"{URL}/report", params={"period": period})
    objectives = report.json()["periods"][0]["objectives"]
    status = next(o["status"] for o in objectives if o["id"] == "lead-acceptance")
    return status, report.headers["X-Agreement-Version"]


def evaluated_first_version(client: TestClient, engine: Engine) -> str:
    text = template_text("marketing-sales")
    assert client.put(URL, content=text.encode(), headers=YAML).status_code == 201
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    return text


def test_a_lower_target_without_a_date_changes_no_closed_period(
    client: TestClient, engine: Engine
) -> None:
    # Finding 1: "in force from" left empty, the YAML's effective: still 2026-01-01.
    text = evaluated_first_version(client, engine)
    saved = client.put(
        URL, content=text.replace(*LOWER).encode(), headers=YAML, params={"reason": "lower"}
    )
    assert saved.status_code == 201
    body = saved.json()
    assert body["effective"] > "2026-07-01" and body["retroactive"] is False
    refresh_all(engine, as_of=AS_OF)
    for period in ("2026-02", "2026-04", "2026-05"):
        assert acceptance(client, period) == ("breached", "1")


def test_a_past_in_force_date_is_refused_with_the_fix(client: TestClient, engine: Engine) -> None:
    text = evaluated_first_version(client, engine)
    explicit = client.put(
        URL, content=text.encode(), headers=YAML, params={"effective": "2026-04-01"}
    )
    assert explicit.status_code == 422
    assert "retroactive" in explicit.json()["detail"]
    in_yaml = text.replace("effective: 2026-01-01", "effective: 2026-04-01")
    refused = client.put(URL, content=in_yaml.encode(), headers=YAML)
    assert refused.status_code == 422 and "`effective:`" in refused.json()["detail"]
    no_reason = client.put(
        URL,
        content=text.encode(),
        headers=YAML,
        params={"effective": "2026-04-01", "retroactive": "true"},
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    assert [v["version"] for v in client.get(f"{URL}/versions").json()] == [1]


def test_a_dry_run_lists_every_closed_period_a_retroactive_version_changes(
    client: TestClient, engine: Engine
) -> None:
    text = evaluated_first_version(client, engine)
    params = {"effective": "2026-01-01", "retroactive": "true", "reason": "the signed contract"}
    preview = client.put(
        URL,
        content=text.replace(*LOWER).encode(),
        headers=YAML,
        params={**params, "dry_run": "true"},
    )
    assert preview.status_code == 200
    document = preview.json()
    changed = document["changed_periods"]  # measured now: the example runs to December
    assert {"2026-02", "2026-04", "2026-05"} <= set(changed) and "2026-03" not in changed
    assert "2026-12" not in changed  # still running: not closed
    assert [
        (c["period"], c["objective"], c["before"]["status"], c["after"]["status"])
        for c in document["objectives"]
    ] == [(label, "lead-acceptance", "breached", "met") for label in changed]
    assert document["credits"] == []  # speed-to-lead carries the credits: untouched
    assert [v["version"] for v in client.get(f"{URL}/versions").json()] == [1]
    saved = client.put(URL, content=text.replace(*LOWER).encode(), headers=YAML, params=params)
    assert saved.status_code == 201 and saved.json()["retroactive"] is True
    assert saved.json()["changes"]["changed_periods"] == document["changed_periods"]
    with read_transaction(engine) as connection:
        (entry, *_older) = entries(connection, subject="agreement:marketing-sales")
    assert entry["detail"]["reason"] == "the signed contract"
    assert entry["detail"]["retroactive"] is True
    assert entry["detail"]["changed_periods"] == changed
    refresh_all(engine, as_of=AS_OF)
    assert acceptance(client, "2026-02") == ("met", "2")


def test_a_dry_run_of_an_ordinary_version_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    text = evaluated_first_version(client, engine)
    preview = client.put(
        URL, content=text.replace(*LOWER).encode(), headers=YAML, params={"dry_run": "true"}
    )
    assert preview.status_code == 200
    assert preview.json()["retroactive"] is False and preview.json()["changed_periods"] == []


def test_only_an_admin_may_save_a_retroactive_version(engine: Engine) -> None:
    text = template_text("marketing-sales")
    app = page_app(engine)
    app.state.after_ingest = lambda: None
    with browser(app, engine, "editor") as editor:
        headers = {**YAML, "X-CSRF-Token": editor.csrf}
        assert editor.put(URL, content=text.encode(), headers=headers).status_code == 201
        refused = editor.put(
            URL,
            content=text.replace(*LOWER).encode(),
            headers=headers,
            params={"effective": "2026-01-01", "retroactive": "true", "reason": "why not"},
        )
        assert refused.status_code == 403 and "admin" in refused.json()["detail"]
        assert [v["version"] for v in editor.get(f"{URL}/versions").json()] == [1]
