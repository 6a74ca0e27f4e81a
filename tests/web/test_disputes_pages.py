"""The dispute pages, the open disputes on other pages, and disputed credit statements."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.disputes import NewDispute, decide, open_dispute
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.alerts.support import AGREEMENT, NOW, add_item, agreement
from tests.evaluation.test_credits import LATER
from tests.reports.support import pdf_text
from tests.web.support import set_now
from tests.web.test_credits_pages import ACCEPT, PAGE, revised
from tests.web.test_reviews_pages import PASSWORD, csrf

LIST = f"/agreements/{AGREEMENT}/disputes"


def browser(
    engine: Engine, email: str, role: str, *, now: int = NOW, language: str | None = None
) -> TestClient:
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    app = create_app(Settings(demo=True), engine)
    set_now(app, now)
    client = TestClient(app)
    token = csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def form(client: TestClient, page: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf(client.get(page).text), **fields}


def open_from_page(client: TestClient) -> str:
    answer = client.post(
        LIST,
        data=form(
            client, LIST, subject="item", party="sales", objective="speed-to-lead",
            item_source="crm", item_id="lead-1", reason="Called at 9:05, logged late.",
            links="https://crm.example.com/calls/1\nhttps://crm.example.com/calls/2",
        ),
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_an_editor_opens_a_dispute_and_the_other_partys_editor_decides_it(engine: Engine) -> None:
    agreement(engine)
    add_item(engine, "lead-1")
    tom = browser(engine, "tom.berg@example.com", "editor")
    location = open_from_page(tom)
    page = tom.get(location).text
    assert "Called at 9:05, logged late." in page
    assert 'href="https://crm.example.com/calls/2"' in page
    assert 'action="' + location + '/decision"' not in page  # Sales opened it: Sales cannot decide
    assert "Only an admin" in page
    lena = browser(engine, "lena.koch@example.com", "editor")
    page = lena.get(location).text
    assert 'data-status="open"' in page and f'action="{location}/decision"' in page
    lena.post(f"{location}/comments", data=form(lena, location, text="Checking", links=""))
    decided = lena.post(
        f"{location}/decision",
        data=form(lena, location, decision="upheld", reason="The call log shows 9:05."),
    )
    assert decided.status_code == 200
    assert 'data-status="upheld"' in decided.text
    kinds = re.findall(r'<li data-kind="([a-z]+)"', decided.text)
    assert kinds == ["opened", "comment", "decided"]


def test_a_refused_form_shows_the_reason_and_keeps_what_was_typed(engine: Engine) -> None:
    agreement(engine)
    tom = browser(engine, "tom.berg@example.com", "editor")
    answer = tom.post(
        LIST,
        data=form(tom, LIST, subject="figure", party="sales", objective="speed-to-lead",
                  period="2026-13", reason="My reason stays"),
    )  # fmt: skip
    assert answer.status_code == 422
    assert 'id="dispute-error"' in answer.text and "period" in answer.text
    assert "My reason stays" in answer.text


def test_open_disputes_show_on_the_overview_agreement_objective_and_item_pages(
    engine: Engine,
) -> None:
    agreement(engine)
    add_item(engine, "lead-1")
    tom = browser(engine, "tom.berg@example.com", "editor")
    number = open_from_page(tom).rsplit("/", 1)[1]
    pages = ["/", f"/agreements/{AGREEMENT}", "/items/crm/lead-1"]
    for page in [*pages, f"/agreements/{AGREEMENT}/objectives/speed-to-lead"]:
        text = tom.get(page).text
        assert f'<li data-dispute="{number}">' in text, page
    other = tom.get(f"/agreements/{AGREEMENT}/objectives/qualified-leads").text
    assert "data-dispute=" not in other


def test_the_pages_speak_german(engine: Engine) -> None:
    agreement(engine)
    add_item(engine, "lead-1")
    tom = browser(engine, "tom.berg@example.com", "editor", language="de")
    location = open_from_page(tom)
    page = tom.get(location).text
    assert "Streitfall #" in page and "Kommentar oder Nachweis hinzufügen" in page
    assert "Sales bestreitet das Urteil über Vorgang crm/lead-1" in page
    assert "Streitfall eröffnen" in tom.get(LIST).text


def test_a_disputed_statement_is_marked_and_cannot_be_settled_until_decided(
    engine: Engine,
) -> None:
    revised(engine)
    with transaction(engine) as connection:
        number = open_dispute(
            connection,
            NewDispute(
                agreement_id=AGREEMENT, subject="statement", disputing_party="sales",
                reason="The April leads came late.", opened_by="tom.berg@example.com",
                opened_at=LATER, period="2026-04", party="sales",
            ),
        )  # fmt: skip
    admin = browser(engine, "admin@example.com", "admin", now=LATER)
    april = admin.get(PAGE).text.split('id="period-2026-04"')[1].split("</section>")[0]
    assert "Disputed" in april and f"/disputes/{number}" in april
    assert f'action="{ACCEPT}"' not in april
    refused = admin.post(ACCEPT, data={"csrf_token": csrf(admin.get(PAGE).text), "revision": LATER})
    assert refused.status_code == 409 and "disputed" in refused.text
    api = admin.get(f"/api/v1/agreements/{AGREEMENT}/credits/2026-04").json()
    sales = next(s for s in api["statements"] if s["party"] == "sales")
    assert sales["disputed"] is True and sales["disputes"] == [number]
    with transaction(engine) as connection:
        decide(connection, number, upheld=False, reason="No", actor="admin@example.com", now=LATER)
    assert f'action="{ACCEPT}"' in admin.get(PAGE).text


def test_a_nul_in_a_form_field_is_refused_not_stored(engine: Engine) -> None:
    agreement(engine)
    tom = browser(engine, "tom.berg@example.com", "editor")
    answer = tom.post(
        LIST,
        data=form(tom, LIST, subject="item", party="sales", objective="speed-to-lead",
                  item_source="crm\x00", item_id="lead-1", reason="x"),
    )  # fmt: skip
    assert answer.status_code == 422 and "NUL" in answer.text


def test_a_dispute_prints_with_its_timeline_and_its_items_story(engine: Engine) -> None:
    agreement(engine)
    add_item(engine, "lead-1")
    tom = browser(engine, "tom.berg@example.com", "editor")
    location = open_from_page(tom)
    assert f'href="{location}/report.pdf"' in tom.get(location).text
    answer = tom.get(f"{location}/report.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content)
    number = location.rsplit("/", 1)[1]
    assert f"Dispute #{number}: Called at 9:05, logged late." in text
    assert "Timeline" in text and "https://crm.example.com/calls/2" in text
    assert "Story of item lead-1" in text
    german = pdf_text(tom.get(f"{location}/report.pdf", params={"lang": "de"}).content)
    assert f"Streitfall Nr. {number}" in german or f"Streitfall #{number}" in german
    assert "Verlauf des Vorgangs lead-1" in german
    assert tom.get(f"{LIST}/999/report.pdf").status_code == 404
    assert tom.get(f"{location}/report.pdf", params={"lang": "xx"}).status_code == 422
