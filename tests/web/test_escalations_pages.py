"""The escalation pages: list, detail with ladder and timeline, forms, and the fragment."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.alerts.tick import run_tick
from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import list_escalations
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.pages import escalations as pages
from tests.alerts.support import (
    HOUR,
    LOOKBACK,
    NOW,
    RUNNING,
    add_item,
    agreement,
    set_clock,
    set_period,
    watching,
)
from tests.web.test_escalations_api import with_escalations

PASSWORD = "a long password"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def with_pages(app: FastAPI) -> FastAPI:
    """Include the escalation pages unless the app already does."""
    if not any(getattr(route, "path", "") == "/escalations" for route in app.routes):
        app.include_router(pages.router)
    return with_escalations(app)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def log_in(client: TestClient, email: str) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    with transaction(engine) as connection:
        create_user(connection, "editor@example.com", PASSWORD, "editor")
        create_user(connection, "viewer@example.com", PASSWORD, "viewer")
    return with_pages(create_app(Settings(demo=True), engine))


def browser(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    log_in(client, email)
    return client


@pytest.fixture
def editor(app: FastAPI) -> Iterator[TestClient]:
    with browser(app, "editor@example.com") as client:
        yield client


@pytest.fixture
def viewer(app: FastAPI) -> Iterator[TestClient]:
    with browser(app, "viewer@example.com") as client:
        yield client


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    """A warn escalation of crm/lead-1 (tier 1 notified) and an at-risk March forecast."""
    agreement(engine)
    watching(engine)
    lead = add_item(engine, "lead-1")
    set_clock(engine, lead, "at_risk", since=NOW)
    set_period(
        engine,
        "2026-03",
        **RUNNING,
        as_of=NOW,
        statuses={"qualified-leads": "at_risk"},
    )
    run_tick(engine, now=NOW, owner="test", lookback_us=LOOKBACK)
    with read_transaction(engine) as connection:
        found = {e.trigger: e.id for e in list_escalations(connection)}
    return {"lead": lead, "warn": found["warn"], "period": found["at_risk"]}


def test_the_list_shows_every_escalation_with_its_subject_and_state(
    viewer: TestClient, ids: dict[str, int]
) -> None:
    page = viewer.get("/escalations")
    assert page.status_code == 200
    assert 'href="/items/crm/lead-1"' in page.text
    assert "Item at risk" in page.text and "Objective at risk" in page.text
    assert "tier 1, employee" in page.text
    assert f'href="/escalations/{ids["warn"]}"' in page.text
    assert '<th scope="col">' in page.text and 'class="scroll"' in page.text
    closed = viewer.get("/escalations", params={"state": "closed"})
    assert "No escalations match." in closed.text


def test_the_list_speaks_german(viewer: TestClient, ids: dict[str, int]) -> None:
    page = viewer.get("/escalations", headers={"Accept-Language": "de"})
    assert "<h1>Eskalationen</h1>" in page.text
    assert "Ziel gefährdet" in page.text and "Stufe 1, Mitarbeiter/in" in page.text


def test_bad_filters_are_refused_with_a_4xx(viewer: TestClient, ids: dict[str, int]) -> None:
    assert viewer.get("/escalations", params={"state": "pending"}).status_code == 422
    assert viewer.get("/escalations", params={"page": "0"}).status_code == 422


def test_the_detail_shows_the_ladder_the_timeline_and_the_forms_for_editors(
    editor: TestClient, viewer: TestClient, ids: dict[str, int]
) -> None:
    page = editor.get(f"/escalations/{ids['warn']}")
    assert page.status_code == 200
    text = page.text
    assert "tom.berg@example.com" in text and "head.sales@example.com" in text
    assert "ceo@example.com" in text
    assert text.count("<td>never</td>") == 2  # a warning never climbs past tier 1
    assert "Step 1: tier 1, employee notified" in text
    assert f'action="/escalations/{ids["warn"]}/acknowledge"' in text
    assert '<label for="ack-comment">' in text and 'name="csrf_token"' in text
    assert "data-countdown=" not in text  # no next step to count down to
    assert "/acknowledge" not in viewer.get(f"/escalations/{ids['warn']}").text


def test_a_breach_shows_when_each_tier_is_due(
    editor: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    set_clock(engine, add_item(engine, "lead-2"), "breached", since=NOW)
    run_tick(engine, now=NOW, owner="test", lookback_us=LOOKBACK)
    with read_transaction(engine) as connection:
        (breach,) = [e for e in list_escalations(connection) if e.trigger == "breach"]
    text = editor.get(f"/escalations/{breach.id}").text
    assert "Mar 4, 2026, 3:00:00\u202fPM" in text  # tier 2 due at 11:00 + 4 h, Berlin time
    assert "Mar 5, 2026, 11:00:00\u202fAM" in text  # tier 3 a day after opening
    assert "data-countdown=" in text


def test_acknowledging_in_the_form_records_it_and_a_second_time_explains_why_not(
    editor: TestClient, ids: dict[str, int]
) -> None:
    url = f"/escalations/{ids['warn']}"
    token = csrf_of(editor.get(url).text)
    done = editor.post(
        f"{url}/acknowledge",
        data={"csrf_token": token, "comment": "calling the lead"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    page = editor.get(url).text
    assert "editor@example.com" in page and "calling the lead" in page
    assert "/acknowledge" not in page and "/resolve" in page
    again = editor.post(f"{url}/acknowledge", data={"csrf_token": token, "comment": ""})
    assert again.status_code == 409
    assert "Someone has acknowledged this escalation already." in again.text


def test_resolving_in_the_form_closes_the_escalation(
    editor: TestClient, ids: dict[str, int]
) -> None:
    url = f"/escalations/{ids['period']}"
    token = csrf_of(editor.get(url).text)
    editor.post(f"{url}/resolve", data={"csrf_token": token, "comment": "more campaigns"})
    page = editor.get(url).text
    assert "resolved" in page and "Act on it" not in page
    again = editor.post(f"{url}/resolve", data={"csrf_token": token})
    assert again.status_code == 409 and "already closed" in again.text


def test_forms_need_the_csrf_token_the_edit_permission_and_a_short_comment(
    editor: TestClient, viewer: TestClient, ids: dict[str, int]
) -> None:
    url = f"/escalations/{ids['warn']}"
    assert editor.post(f"{url}/acknowledge", data={"comment": "x"}).status_code == 403
    token = csrf_of(viewer.get(url).text)
    assert viewer.post(f"{url}/acknowledge", data={"csrf_token": token}).status_code == 403
    token = csrf_of(editor.get(url).text)
    long = editor.post(f"{url}/acknowledge", data={"csrf_token": token, "comment": "x" * 2001})
    assert long.status_code == 422 and "at most 2000 characters" in long.text


def test_an_unknown_escalation_is_a_404_page(editor: TestClient, ids: dict[str, int]) -> None:
    page = editor.get("/escalations/999")
    assert page.status_code == 404 and "There is no escalation 999." in page.text
    token = csrf_of(page.text)
    assert editor.post("/escalations/999/resolve", data={"csrf_token": token}).status_code == 404
    assert editor.get("/escalations/abc").status_code == 422


def test_the_fragment_lists_one_subjects_escalations_without_the_layout(
    viewer: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    item = viewer.get(
        "/escalations/fragment",
        params={
            "agreement": "marketing-sales",
            "objective": "speed-to-lead",
            "item_id": ids["lead"],
        },
    )
    assert item.status_code == 200
    assert "<html" not in item.text and "<header" not in item.text
    assert f'href="/escalations/{ids["warn"]}"' in item.text
    assert f'href="/escalations/{ids["period"]}"' not in item.text
    period = viewer.get(
        "/escalations/fragment", params={"agreement": "marketing-sales", "period": "2026-03"}
    )
    assert f'href="/escalations/{ids["period"]}"' in period.text
    assert f'href="/escalations/{ids["warn"]}"' not in period.text
    objective = viewer.get(
        "/escalations/fragment", params={"agreement": "marketing-sales", "objective": "conversion"}
    )
    assert "No escalations." in objective.text
    assert viewer.get("/escalations/fragment").status_code == 422
    assert (
        viewer.get(
            "/escalations/fragment", params={"agreement": "marketing-sales", "item_id": "x"}
        ).status_code
        == 422
    )


def test_a_breach_escalation_shows_its_deadline_and_the_superseded_warning(
    editor: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    set_clock(engine, ids["lead"], "breached", since=NOW + 12 * HOUR)
    run_tick(engine, now=NOW + 12 * HOUR, owner="test", lookback_us=LOOKBACK)
    warn = editor.get(f"/escalations/{ids['warn']}").text
    assert "Closed: superseded by a breach" in warn
    german = editor.get(f"/escalations/{ids['warn']}", headers={"Accept-Language": "de"}).text
    assert "durch eine Verletzung abgelöst" in german


def test_item_links_quote_ids_that_are_not_plain_words(viewer: TestClient, engine: Engine) -> None:
    agreement(engine)
    odd = add_item(engine, "lead 7/a?b#c")
    set_clock(engine, odd, "breached", since=NOW)
    run_tick(engine, now=NOW, owner="test", lookback_us=LOOKBACK)
    page = viewer.get("/escalations").text
    assert 'href="/items/crm/lead%207%2Fa%3Fb%23c"' in page
