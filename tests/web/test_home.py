from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app


def log_in(client: TestClient, email: str, password: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_visitors_without_a_session_are_sent_to_log_in(engine: Engine):
    client = TestClient(create_app(Settings(demo=True), engine))
    response = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401


def test_the_start_page_lists_each_agreement_with_its_latest_period(engine: Engine):
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="test")
        create_user(connection, "lena@example.com", "a long password", "viewer")
    refresh_all(engine)
    client = TestClient(create_app(Settings(demo=True), engine))
    log_in(client, "lena@example.com", "a long password")
    page = client.get("/")
    assert page.status_code == 200
    assert "Lead handover between Marketing and Sales" in page.text
    assert "speed-to-lead" in page.text
