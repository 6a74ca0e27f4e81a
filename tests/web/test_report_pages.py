"""Report downloads and the agreement document over HTTP: viewers and read tokens, both backends."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user, set_language
from slawatch.web.app import create_app
from slawatch.web.pages import reports
from tests.reports.support import pdf_text, store_example
from tests.web.test_home import log_in

PASSWORD = "a long password 1"
REPORT = "/agreements/marketing-sales/report"
DOCUMENT = "/agreements/marketing-sales/document.pdf"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def new_app(engine: Engine) -> FastAPI:
    """Return the app with the report pages (added here until app.py includes them)."""
    app = create_app(Settings(demo=True), engine)
    if not any(getattr(route, "path", "") == "/agreements/{agreement_id}/document.pdf"
               for route in app.routes):  # fmt: skip
        app.include_router(reports.router)
    return app


@pytest.fixture
def viewer(engine: Engine) -> Iterator[TestClient]:
    """A browser logged in as a viewer, with the example stored and evaluated."""
    store_example(engine)
    with transaction(engine) as connection:
        create_user(connection, "vera@example.com", PASSWORD, "viewer")
    with TestClient(new_app(engine)) as client:
        log_in(client, "vera@example.com", PASSWORD)
        yield client


@pytest.fixture
def reader(engine: Engine) -> Iterator[TestClient]:
    """A client with a read token, with the example stored and evaluated."""
    store_example(engine)
    with transaction(engine) as connection:
        secret = create_token(connection, name="reports", scope="read", created_by="test")
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


def test_a_viewer_downloads_the_latest_closed_periods_pdf(viewer: TestClient):
    answer = viewer.get(f"{REPORT}.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'inline; filename="marketing-sales-2026-10.pdf"'
    text = pdf_text(answer.content)
    assert "Scorecard 2026-10" in text
    assert "Source: stored results" in text


def test_the_report_follows_the_readers_language_unless_lang_is_given(
    viewer: TestClient, engine: Engine
):
    german = viewer.get(f"{REPORT}.pdf", headers={"Accept-Language": "de"})
    assert "Service-Level-Bericht" in pdf_text(german.content)
    english = viewer.get(f"{REPORT}.pdf?lang=en", headers={"Accept-Language": "de"})
    assert "Service level report" in pdf_text(english.content)
    with transaction(engine) as connection:
        user = users_store.find_user(connection, "vera@example.com")
        set_language(connection, user.id, "de")
    assert "Übersicht 2026-10" in pdf_text(viewer.get(f"{REPORT}.pdf").content)


def test_a_read_token_downloads_a_named_periods_workbook(reader: TestClient):
    answer = reader.get(f"{REPORT}.xlsx?period=2026-09&lang=de")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert answer.headers["content-disposition"] == (
        'attachment; filename="marketing-sales-2026-09.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames[0] == "Übersicht"
    assert workbook["speed-to-lead"].max_row > 1


def test_a_read_token_downloads_the_scorecard_csv(reader: TestClient):
    answer = reader.get(f"{REPORT}.csv?period=2026-10")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.text.startswith("period,objective,owner,kind,value")
    assert "2026-10,speed-to-lead,sales,clock," in answer.text


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/agreements/nope/report.pdf", 404, "there is no agreement 'nope'"),
        (f"{REPORT}.pdf?period=2025-01", 404, "stored periods run from 2026-01 to 2026-11"),
        (f"{REPORT}.pdf?period=October", 422, "is not a label"),
        (f"{REPORT}.docx", 404, "ask for report.pdf, report.xlsx or report.csv"),
        (f"{REPORT}.pdf?lang=fr", 422, "use en or de"),
        ("/agreements/nope/document.pdf", 404, "there is no agreement 'nope'"),
        (f"{DOCUMENT}?version=7", 404, "has versions 1 to 1"),
        (f"{DOCUMENT}?version=0", 422, ""),
    ],
)
def test_bad_requests_get_a_4xx_with_a_message(
    reader: TestClient, url: str, status: int, message: str
):
    answer = reader.get(url)
    assert answer.status_code == status
    assert message in str(answer.json()["detail"])


def test_the_document_holds_the_responsibilities_and_signature_blocks(viewer: TestClient):
    answer = viewer.get(DOCUMENT)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == ('inline; filename="marketing-sales-v1-en.pdf"')
    text = pdf_text(answer.content)
    line = next(line for line in text.splitlines() if "First contact within 48 hours" in line)
    assert "Sales" in line
    assert "within 48 h, around the clock" in text
    assert "For Marketing" in text and "For Sales" in text
    assert "Signature" in text


def test_the_german_document_for_a_read_token(reader: TestClient):
    answer = reader.get(f"{DOCUMENT}?lang=de&version=1")
    assert answer.status_code == 200
    assert "marketing-sales-v1-de.pdf" in answer.headers["content-disposition"]
    text = pdf_text(answer.content)
    assert "Verantwortlichkeiten" in text and "Unterschriften" in text


def test_anonymous_callers_are_not_let_in(engine: Engine):
    store_example(engine)
    with TestClient(new_app(engine)) as client:
        assert client.get(f"{REPORT}.pdf").status_code == 401
        assert client.get(DOCUMENT).status_code == 401
