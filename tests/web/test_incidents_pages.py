"""The incident pages: declare from the form, the banner, the checklist, the close form."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.support import save_template

PASSWORD = "a long password"
PAGE = "/agreements/it-service/incidents"


def browser(engine: Engine, email: str, role: str, language: str | None = None) -> TestClient:
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    client = TestClient(create_app(Settings(demo=True), engine))
    token = csrf(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def declare(client: TestClient, title: str = "CRM unreachable") -> str:
    token = csrf(client.get(PAGE).text)
    answer = client.post(PAGE, data={"title": title, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_a_declared_incident_shows_a_banner_on_every_agreement_page(engine: Engine):
    save_template(engine, "it-service")
    client = browser(engine, "editor@example.com", "editor")
    location = declare(client)
    page = client.get(location).text
    assert "CRM unreachable" in page and 'class="notice error incident-banner"' in page
    assert "Post a status note on the intranet" in page
    for other in ("/agreements/it-service", "/agreements/it-service/reviews"):
        assert "incident-banner" in client.get(other).text, other
    assert "incident-banner" not in client.get(PAGE.replace("it-service", "hr-requests")).text


def test_an_editor_of_another_party_is_refused_the_step_with_a_reason(engine: Engine):
    save_template(engine, "it-service")
    client = browser(engine, "editor@example.com", "editor")
    location = declare(client)
    token = csrf(client.get(location).text)
    answer = client.post(f"{location}/steps/1/check", data={"csrf_token": token})
    assert answer.status_code == 403
    assert "belongs to party it" in answer.text


def test_a_partys_contact_checks_off_and_closing_needs_a_note_in_german(engine: Engine):
    save_template(engine, "it-service")
    client = browser(engine, "servicedesk.lead@example.com", "editor", "de")
    location = declare(client)
    token = csrf(client.get(location).text)
    checked = client.post(f"{location}/steps/1/check", data={"csrf_token": token})
    assert (
        checked.status_code == 200 and "abgehakt von servicedesk.lead@example.com" in checked.text
    )
    empty = client.post(f"{location}/close", data={"csrf_token": token, "note": " "})
    assert empty.status_code == 422
    assert "Schreiben Sie die Nachbetrachtung" in empty.text
    closed = client.post(f"{location}/close", data={"csrf_token": token, "note": "Fixed."})
    assert closed.status_code == 200 and "Nachbetrachtung" in closed.text
    assert "incident-banner" not in closed.text


def test_an_agreement_without_a_plan_says_how_to_add_one(engine: Engine):
    without_plan = template_text("it-service").split("\nemergency:")[0]
    with transaction(engine) as connection:
        save_version(connection, without_plan, author="t", reason="no plan")
    client = browser(engine, "editor@example.com", "editor")
    page = client.get(PAGE).text
    assert "has no emergency plan" in page and "incident-title" not in page
