"""POST /api/v1/imports: multipart uploads answered with the import summary, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
HUBSPOT = (ROOT / "examples" / "hubspot-contacts.csv").read_bytes()


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def ingests() -> list[int]:
    return []


@pytest.fixture
def client(engine: Engine, ingests: list[int]) -> Iterator[TestClient]:
    app = create_app(Settings(max_body_bytes=100_000), engine)
    app.state.after_ingest = lambda: ingests.append(1)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'ingest')}"
        yield client


def upload(
    client: TestClient, content: bytes, name: str = "contacts.csv", **form: str
) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/v1/imports", files={"file": (name, content, "text/csv")}, data=form
    )
    return response.status_code, response.json()


def test_an_upload_is_imported_and_answered_with_the_summary(
    client: TestClient, ingests: list[int]
):
    status, body = upload(client, HUBSPOT, mapping="hubspot", timezone="Europe/Berlin")
    assert status == 200, body
    assert {k: body[k] for k in ("filename", "mapping", "rows_read", "imported")} == {
        "filename": "contacts.csv",
        "mapping": "hubspot",
        "rows_read": 30,
        "imported": 30,
    }
    assert body["rejected_rows"] == [] and ingests == [1]
    status, body = upload(client, HUBSPOT, mapping="hubspot", timezone="Europe/Berlin")
    assert (status, body["imported"], body["duplicate"]) == (200, 0, 30)
    assert ingests == [1]  # nothing new: no re-evaluation


def test_rejected_rows_come_inline_with_line_and_reason(client: TestClient):
    content = b"item,type,at\nL-1,created,2026-10-05T08:00:00Z\nL-2,,2026-10-05T08:00:00Z\n"
    status, body = upload(client, content, "events.csv", mapping="generic", source="forms")
    assert status == 200
    assert (body["imported"], body["rejected"], body["rejected_rows_truncated"]) == (1, 1, False)
    assert body["rejected_rows"] == [
        {"line": 3, "reason": "type is empty; name the event, e.g. created or handed_over"}
    ]


def test_only_the_first_thousand_rejected_rows_are_listed(engine: Engine):
    app = create_app(Settings(), engine)
    content = b"item,type,at\n" + b"L-1,created,never\n" * 1_005
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'ingest')}"
        status, body = upload(client, content, mapping="generic")
    assert status == 200
    assert (body["rejected"], len(body["rejected_rows"])) == (1_005, 1_000)  # type: ignore[arg-type]
    assert body["rejected_rows_truncated"] is True


@pytest.mark.parametrize(
    ("content", "form", "message"),
    [
        (HUBSPOT, {"mapping": "pipedrive"}, "'generic', 'hubspot' or 'salesforce'"),
        (HUBSPOT, {"mapping": "hubspot"}, "--timezone Europe/Berlin"),
        (b"Record ID,Name\n1,M\xfcller\n", {"mapping": "hubspot"}, "not UTF-8"),
        (b"PK\x03\x04\x00\x00", {"mapping": "hubspot"}, "not a text file"),
        (HUBSPOT, {"mapping": "hubspot", "agreement": "nope"}, "no agreement 'nope'"),
        (HUBSPOT, {"mapping": "hubspot", "timezone": "Mars/Base"}, "IANA"),
        (b"item,at\nL-1,2026-10-05T08:00:00Z\n", {"mapping": "generic"}, "'type' is missing"),
    ],
)
def test_unusable_uploads_and_options_are_422_with_the_reason(
    client: TestClient, content: bytes, form: dict[str, str], message: str
):
    status, body = upload(client, content, **form)
    assert status == 422
    assert message in str(body["detail"])


def test_a_missing_file_is_422(client: TestClient):
    response = client.post("/api/v1/imports", data={"mapping": "generic"})
    assert response.status_code == 422


def test_an_upload_over_the_limit_is_413(client: TestClient):
    status, _ = upload(client, b"item,type,at\n" + b"x" * 200_000, mapping="generic")
    assert status == 413


def test_importing_needs_the_ingest_permission(client: TestClient, engine: Engine):
    client.headers["Authorization"] = f"Bearer {token(engine, 'read')}"
    status, _ = upload(client, HUBSPOT, mapping="hubspot", timezone="Europe/Berlin")
    assert status == 403
    del client.headers["Authorization"]
    status, _ = upload(client, HUBSPOT, mapping="hubspot", timezone="Europe/Berlin")
    assert status == 401


def test_a_json_lines_upload_nested_thousands_deep_is_answered_with_the_row_rejected(
    client: TestClient,
):
    good = b'{"item": "L-1", "type": "created", "at": "2026-01-05T09:30:00Z"}\n'
    deep = b'{"item": "L-2", "type": "created", "at": "2026-01-05T09:30:00Z", "x": '
    deep += b"[" * 20_000 + b"]" * 20_000 + b"}\n"
    status, body = upload(client, good + deep, "events.jsonl", mapping="generic")
    assert status == 200, body
    assert body["imported"] == 1 and body["rejected"] == 1
    [row] = body["rejected_rows"]
    assert row["line"] == 2 and "deeper than 32 levels" in row["reason"]
